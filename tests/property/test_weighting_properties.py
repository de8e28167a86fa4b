"""Invariants of post-stratification, raking, trimming and the calibrated SE."""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from netpromoter import poststratify, rake, trim
from netpromoter._stats import design as _calibration

LEVELS_A = ("a0", "a1", "a2")
LEVELS_B = ("b0", "b1")


@st.composite
def samples(draw: st.DrawFn) -> dict[str, Any]:
    """Rows covering every crossed cell at least once, with base weights and scores."""
    n_a = draw(st.integers(2, 3))
    n_b = draw(st.integers(2, 2))
    combos = list(product(LEVELS_A[:n_a], LEVELS_B[:n_b]))
    extra = draw(st.lists(st.sampled_from(combos), max_size=60))
    rows = combos + extra
    n = len(rows)
    base = draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n))
    scores = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    total = draw(st.floats(10.0, 1e6))
    share_a = draw(st.lists(st.floats(0.05, 1.0), min_size=n_a, max_size=n_a))
    share_b = draw(st.lists(st.floats(0.05, 1.0), min_size=n_b, max_size=n_b))
    return {
        "data": {
            "score": scores,
            "a": [r[0] for r in rows],
            "b": [r[1] for r in rows],
            "w0": base,
        },
        "margins": {
            "a": {lv: total * s / sum(share_a) for lv, s in zip(LEVELS_A, share_a, strict=False)},
            "b": {lv: total * s / sum(share_b) for lv, s in zip(LEVELS_B, share_b, strict=False)},
        },
        "total": total,
    }


def level_totals(data: dict[str, Any], w: NDArray[np.float64], key: str) -> dict[str, float]:
    values = np.asarray(data[key])
    return {lv: float(w[values == lv].sum()) for lv in np.unique(values)}


@settings(max_examples=40, deadline=None)
@given(samples())
def test_raking_meets_every_margin_with_positive_weights(s: dict[str, Any]) -> None:
    """After raking, every margin is met to the tolerance, and weights are positive."""
    result = rake(s["data"], s["margins"], weights="w0", tol=1e-10)
    assert result.converged
    assert (result.weights > 0).all()
    for key in ("a", "b"):
        got = level_totals(s["data"], result.weights, key)
        for level, target in s["margins"][key].items():
            assert abs(got[level] - target) <= 1e-10 * s["total"] * 1.0001


@settings(max_examples=40, deadline=None)
@given(samples(), st.floats(0.01, 100.0))
def test_raking_is_invariant_to_rescaled_base_weights(s: dict[str, Any], k: float) -> None:
    """Base weights times a constant give the same raked weights."""
    first = rake(s["data"], s["margins"], weights="w0", tol=1e-12)
    data = {**s["data"], "w0": [k * w for w in s["data"]["w0"]]}
    second = rake(data, s["margins"], weights="w0", tol=1e-12)
    np.testing.assert_allclose(second.weights, first.weights, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(samples())
def test_poststratification_reproduces_cell_totals(s: dict[str, Any]) -> None:
    """Weighted cell totals equal the population cell counts."""
    cells = {
        (a, b): s["margins"]["a"][a] * s["margins"]["b"][b] / s["total"]
        for a in set(s["data"]["a"])
        for b in set(s["data"]["b"])
    }
    result = poststratify(s["data"], cells, by=("a", "b"), weights="w0")
    a, b = np.asarray(s["data"]["a"]), np.asarray(s["data"]["b"])
    for (la, lb), target in cells.items():
        got = float(result.weights[(a == la) & (b == lb)].sum())
        assert got == pytest.approx(target, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.01, 1000.0), min_size=2, max_size=200),
    st.floats(1.0, 10.0),
)
def test_trimming_keeps_total_and_respects_cap(w: list[float], multiple: float) -> None:
    """Trimming keeps the total and leaves no weight above the cap."""
    arr = np.asarray(w)
    result = trim(arr, upper=multiple, relative_to="mean")
    cap = multiple * arr.mean()
    assert result.weights.sum() == pytest.approx(arr.sum(), rel=1e-12)
    assert result.weights.max() <= cap
    assert result.converged


def naive_rake_se(
    y: NDArray[np.float64],
    w: NDArray[np.float64],
    calibrated: NDArray[np.float64],
    margins: list[NDArray[np.intp]],
) -> float:
    """R svyrecvar's raking branch, row by row (ten sweeps of ave() per margin)."""
    x = w * (y - (w * y).sum() / w.sum()) / w.sum()
    for _ in range(10):
        for level in margins:
            u = x / calibrated
            means = np.bincount(level, weights=u) / np.bincount(level)
            x = x - calibrated * means[level]
    n = len(x)
    return float(100.0 * np.sqrt(n / (n - 1) * ((x - x.mean()) ** 2).sum()))


@settings(max_examples=40, deadline=None)
@given(samples(), st.booleans())
def test_tally_se_equals_row_by_row_r_algorithm(s: dict[str, Any], trimmed: bool) -> None:
    """The tally-based raking SE equals R's algorithm run on rows, trimmed or not."""
    result = rake(s["data"], s["margins"], weights="w0", tol=1e-12)
    if trimmed:
        result = trim(result, upper=1.5, relative_to="mean")
    scores = np.asarray(s["data"]["score"], dtype=np.int8)
    y = np.where(scores >= 9, 1.0, np.where(scores <= 6, -1.0, 0.0))
    design = result.design.calibration
    assert design is not None
    margins = [np.unique(np.asarray(s["data"][k]), return_inverse=True)[1] for k in ("a", "b")]
    expected = naive_rake_se(y, result.weights, design.calibrated, margins)
    got = result.design_se(scores)[0]
    # abs: an SE that is 0 in exact arithmetic (every score alike) comes out as rounding
    # noise of the calibrated residuals, about 1e-12 points.
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-10)
    per_row = _calibration.design_se(
        scores, result.weights, design, clusters=np.arange(len(scores))
    )[0]
    assert per_row == pytest.approx(expected, rel=1e-9, abs=1e-10)
