"""Invariants of intervals, comparisons and p-value adjustments."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netpromoter import SmallSampleWarning, _stats, compare, score
from netpromoter._count import tally
from netpromoter._tally import Tally
from strategies import score_lists, weighted_samples

methods = st.sampled_from(["wald", "adjusted_wald", "score"])
levels = st.floats(min_value=0.5, max_value=0.999)


def ci(values: list[int], method: str, level: float = 0.95) -> tuple[float, float]:
    """The interval, without the zero-width Wald warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return score(values, method=method, confidence_level=level).ci  # type: ignore[arg-type]


@given(score_lists, st.sampled_from(["wald", "score"]), levels)
def test_interval_contains_the_point_estimate(values: list[int], method: str, level: float) -> None:
    """Wald and score intervals contain the raw NPS."""
    lower, upper = ci(values, method, level)
    nps = score(values).nps
    assert lower - 1e-9 <= nps <= upper + 1e-9


@given(score_lists, methods, levels, levels)
def test_interval_widens_with_confidence_level(
    values: list[int], method: str, first: float, second: float
) -> None:
    """A higher confidence level never gives a narrower interval."""
    low, high = sorted((first, second))
    narrow, wide = ci(values, method, low), ci(values, method, high)
    assert wide[0] <= narrow[0] + 1e-9
    assert narrow[1] <= wide[1] + 1e-9


@given(score_lists, methods, st.integers(min_value=2, max_value=20))
def test_interval_shrinks_as_n_grows_with_fixed_shares(
    values: list[int], method: str, k: int
) -> None:
    """The same shares from k times as many answers give an interval no wider."""
    small, large = ci(values, method), ci(values * k, method)
    assert large[1] - large[0] <= small[1] - small[0] + 1e-9


@given(score_lists, methods)
def test_interval_is_within_the_scale(values: list[int], method: str) -> None:
    """Limits are clipped to [-100, 100] and ordered."""
    lower, upper = ci(values, method)
    assert -100.0 <= lower <= upper <= 100.0


@given(score_lists, score_lists, st.sampled_from(["wald", "adjusted_wald"]))
def test_compare_is_antisymmetric(a: list[int], b: list[int], method: str) -> None:
    """compare(a, b).delta == -compare(b, a).delta; the p-value is the same."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        ab = compare(a, b, method=method)  # type: ignore[arg-type]
        ba = compare(b, a, method=method)  # type: ignore[arg-type]
    assert ab.delta == -ba.delta
    assert ab.raw_delta == -ba.raw_delta
    assert ab.p_value == ba.p_value
    assert ab.ci == (-ba.ci[1], -ba.ci[0])


@given(
    weighted_samples().filter(lambda s: len(s[0]) > 1),
    st.sampled_from(["wald", "adjusted_wald", "score"]),
)
def test_weighted_interval_contains_a_real_width(
    sample: tuple[list[int], list[float]], method: str
) -> None:
    """Weighted intervals are finite and ordered for n ≥ 2."""
    values, w = sample
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        lower, upper = score(values, weights=w, method=method).ci  # type: ignore[arg-type]
    assert -100.0 <= lower <= upper <= 100.0


@given(st.lists(score_lists, min_size=1, max_size=6), methods)
def test_estimate_is_vectorised_over_groups(groups: list[list[int]], method: str) -> None:
    """One (G, 11) call gives each group's own interval."""
    scores = np.concatenate([np.asarray(g, dtype=np.int8) for g in groups])
    codes = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    stacked = _stats.estimate(
        tally(scores, codes=codes, n_groups=len(groups)),
        weighted=False,
        method=method,  # type: ignore[arg-type]
        confidence_level=0.95,
    )
    for g, values in enumerate(groups):
        alone = _stats.estimate(
            tally(np.asarray(values, dtype=np.int8)),
            weighted=False,
            method=method,  # type: ignore[arg-type]
            confidence_level=0.95,
        )
        for field in range(4):
            assert stacked[field][g] == pytest.approx(alone[field][0], rel=1e-12, abs=1e-9)


@given(st.lists(score_lists, min_size=2, max_size=6))
def test_complement_and_group_add_up_to_the_whole(groups: list[list[int]]) -> None:
    """Each group's tally plus its complement is the tally of everything."""
    scores = np.concatenate([np.asarray(g, dtype=np.int8) for g in groups])
    codes = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    tallied = tally(scores, codes=codes, n_groups=len(groups))
    rest = _stats.complement(tallied)
    whole = tally(scores).count
    np.testing.assert_array_equal(
        tallied.count + rest.count, np.broadcast_to(whole, rest.count.shape)
    )


p_lists = st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=30)


@given(p_lists)
def test_adjusted_p_values_are_ordered(p: list[float]) -> None:
    """Raw p ≤ BH ≤ Holm ≤ 1, and adjustment keeps the order of the p-values."""
    raw = np.asarray(p)
    bh, holm = _stats.benjamini_hochberg(raw), _stats.holm(raw)
    assert np.all(raw <= bh + 1e-15)
    assert np.all(bh <= holm + 1e-15)
    assert np.all(holm <= 1.0)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(holm[order]) >= -1e-15)
    assert np.all(np.diff(bh[order]) >= -1e-15)


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=2, max_size=60))
def test_difference_of_a_sample_with_itself_is_zero(values: list[int]) -> None:
    """A sample compared with itself: delta 0, z 0, p 1."""
    t: Tally = tally(np.asarray(values, dtype=np.int8))
    for method in _stats.DIFFERENCE_METHODS:
        diff = _stats.difference(t, t, weighted=False, method=method)
        assert (diff.delta[0], diff.z[0], diff.p_value[0]) == (0.0, 0.0, 1.0)
