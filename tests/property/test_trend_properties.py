"""Invariants of trend(): counts add up, decompositions add up, order does not matter."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter import trends
from netpromoter.exceptions import FirstTimeRespondentWarning

PERIODS = ["day", "week", "month", "quarter", "10D"]


@st.composite
def programmes(draw: st.DrawFn) -> dict[str, Any]:
    """Answers over up to 200 days (with gaps), in up to three regions, by a few respondents."""
    n = draw(st.integers(min_value=1, max_value=40))
    scores = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 200), min_size=n, max_size=n))
    minutes = draw(st.lists(st.integers(0, 1439), min_size=n, max_size=n))
    regions = draw(st.lists(st.sampled_from(["n", "s", "e"]), min_size=n, max_size=n))
    people = draw(st.lists(st.integers(0, 15), min_size=n, max_size=n))
    weights = draw(
        st.none() | st.lists(st.floats(0.1, 10.0, allow_nan=False), min_size=n, max_size=n)
    )
    start = np.datetime64("2025-10-20T00:00", "m")
    times = start + np.asarray(days) * 1440 + np.asarray(minutes)
    data: dict[str, Any] = {
        "score": scores,
        "submitted_at": [f"{t}Z" for t in times.astype(str)],
        "region": regions,
        "who": [f"p{p}" for p in people],
    }
    if weights is not None:
        data["w"] = weights
    return data


def _run(data: dict[str, Any], **options: Any) -> trends.TrendResult:
    weights = "w" if "w" in data else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FirstTimeRespondentWarning)
        return trends.trend(data, weights=weights, min_n=1, **options)


@settings(max_examples=25, deadline=None)
@given(programmes(), st.sampled_from(PERIODS), st.sampled_from(["UTC", "America/New_York"]))
def test_period_counts_sum_to_the_total(data: dict[str, Any], period: str, zone: str) -> None:
    """Every answer lands in exactly one period, and every segment's counts add up too."""
    result = _run(data, period=period, timezone=zone, by="region")
    assert sum(r.n for r in result.overall) == len(data["score"])
    assert sum(r.n for r in result.rows) == len(data["score"])
    for row in result.overall:
        parts = [result.get(row.period, *k).n for k in result.keys]
        assert sum(parts) == row.n


@settings(max_examples=25, deadline=None)
@given(programmes(), st.sampled_from(PERIODS))
def test_empty_periods_have_no_score(data: dict[str, Any], period: str) -> None:
    """Periods run without gaps; a period with n = 0 has no score and no interval."""
    result = _run(data, period=period)
    assert result.overall[0].n > 0
    assert result.overall[-1].n > 0
    for row in result.overall:
        if row.n == 0:
            assert (row.nps, row.ci, row.se) == (None, None, None)
        else:
            assert row.nps is not None
            assert -100 <= row.nps <= 100


@settings(max_examples=25, deadline=None)
@given(programmes(), st.sampled_from(PERIODS))
def test_decomposition_adds_up(data: dict[str, Any], period: str) -> None:
    """Mix + within equals the total change to 1e-9, per segment and overall."""
    result = _run(data, period=period, by="region")
    with_answers = [r.period for r in result.overall if r.n > 0]
    if len(with_answers) < 2:
        return
    d = result.decompose(with_answers[0], with_answers[-1])
    assert abs(d.mix + d.within - d.change) < 1e-9
    assert abs(sum(r.total for r in d.rows) - d.change) < 1e-9
    first = result.get(with_answers[0]).nps
    last = result.get(with_answers[-1]).nps
    assert first is not None
    assert last is not None
    assert abs(d.change - (last - first)) < 1e-9


@settings(max_examples=25, deadline=None)
@given(programmes(), st.sampled_from(PERIODS), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(data: dict[str, Any], period: str, rnd: Any) -> None:
    """The result does not depend on the order of the rows."""
    order = list(range(len(data["score"])))
    rnd.shuffle(order)
    shuffled = {k: [v[i] for i in order] for k, v in data.items()}
    options = {"period": period, "by": "region", "respondent": "who"}
    a, b = _run(data, **options), _run(shuffled, **options)
    assert a.rows == b.rows or _close(a, b)
    assert a.respondents == b.respondents or _close_rows(a.respondents, b.respondents)
    assert a.transitions == b.transitions


def _close_rows(a: Any, b: Any) -> bool:
    """Rows equal up to floating-point summation order (weighted sums)."""
    for x, y in zip(a, b, strict=True):
        for key, value in x.model_dump().items():
            other = getattr(y, key)
            if isinstance(value, float):
                assert other == pytest.approx(value, rel=1e-9, abs=1e-9, nan_ok=True)
            else:
                assert value == other
    return True


def _close(a: trends.TrendResult, b: trends.TrendResult) -> bool:
    """Equal up to floating-point summation order (weighted sums)."""
    for x, y in zip(a.to_dicts(overall=True), b.to_dicts(overall=True), strict=True):
        for key, value in x.items():
            other = y[key]
            if isinstance(value, float):
                assert other == pytest.approx(value, rel=1e-9, abs=1e-9, nan_ok=True)
            else:
                assert value == other
    return True
