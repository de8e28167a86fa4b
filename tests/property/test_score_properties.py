"""Invariants of the vectorised scoring path."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netpromoter import NPSCounts, score
from reference import reference_counts, reference_nps
from strategies import score_lists, weighted_samples


@given(score_lists)
def test_nps_is_within_bounds(values: list[int]) -> None:
    """NPS always lies in [-100, 100]."""
    assert -100.0 <= score(values).nps <= 100.0


@given(score_lists)
def test_counts_sum_to_n(values: list[int]) -> None:
    """Category counts add up to n, and shares to one."""
    r = score(values)
    assert r.promoters + r.passives + r.detractors == r.n == len(values)
    assert r.promoter_share + r.passive_share + r.detractor_share == pytest.approx(1.0)


@given(score_lists, st.sampled_from([np.int8, np.uint8, np.int64, np.float64]))
def test_equals_pure_python_reference(values: list[int], dtype: type[np.generic]) -> None:
    """The vectorised path equals an explicit loop, per score and in NPS."""
    r = score(np.asarray(values, dtype=dtype))
    assert list(NPSCounts.from_scores(np.asarray(values, dtype=dtype)).count) == (
        reference_counts(values)
    )
    assert r.nps == pytest.approx(reference_nps(values), abs=1e-9)


@given(weighted_samples())
def test_weighted_equals_pure_python_reference(sample: tuple[list[int], list[float]]) -> None:
    """The weighted path equals an explicit weighted loop."""
    values, w = sample
    assert score(values, weights=w).nps == pytest.approx(reference_nps(values, w), abs=1e-9)


@given(score_lists, st.randoms(use_true_random=False))
def test_order_does_not_matter(values: list[int], rnd: object) -> None:
    """Shuffling the responses gives the same counts."""
    shuffled = list(values)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert score(shuffled) == score(values)
    assert NPSCounts.from_scores(shuffled) == NPSCounts.from_scores(values)


@given(score_lists)
def test_all_ones_weights_equal_unweighted(values: list[int]) -> None:
    """Weights of one give the unweighted counts, shares and NPS."""
    a, b = score(values), score(values, weights=[1.0] * len(values))
    assert (a.promoters, a.passives, a.detractors) == (b.promoters, b.passives, b.detractors)
    assert a.nps == b.nps
    assert a.effective_n == b.effective_n == len(values)


@given(weighted_samples(), st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_weights_changes_nothing(
    sample: tuple[list[int], list[float]], factor: float
) -> None:
    """Multiplying every weight by a constant leaves NPS and its SE unchanged."""
    values, w = sample
    a = score(values, weights=w)
    b = score(values, weights=[x * factor for x in w])
    assert b.nps == pytest.approx(a.nps, abs=1e-9)
    assert b.se == pytest.approx(a.se, rel=1e-9, abs=1e-9) or np.isnan(a.se)
    assert b.effective_n == pytest.approx(a.effective_n, rel=1e-9)


@given(score_lists, st.lists(st.integers(min_value=0, max_value=400), max_size=5))
def test_merging_any_split_equals_the_whole(values: list[int], cuts: list[int]) -> None:
    """Tallies of the pieces of any split add up to the tally of the whole."""
    edges = sorted({min(c, len(values)) for c in cuts})
    pieces = np.split(np.asarray(values, dtype=np.int8), edges)
    merged = sum((NPSCounts.from_scores(p) for p in pieces), NPSCounts())
    assert merged == NPSCounts.from_scores(values)
    assert merged.result() == score(values)


@given(weighted_samples(), st.integers(min_value=1, max_value=4))
def test_merging_weighted_split_equals_the_whole(
    sample: tuple[list[int], list[float]], k: int
) -> None:
    """Weighted tallies merge to the same NPS as scoring everything."""
    values, w = sample
    cut = len(values) * k // 5
    merged = NPSCounts.from_scores(values[:cut], weights=w[:cut]) + NPSCounts.from_scores(
        values[cut:], weights=w[cut:]
    )
    assert merged.result().nps == pytest.approx(score(values, weights=w).nps, abs=1e-9)


@given(score_lists, st.sampled_from([9, 10]))
def test_adding_a_promoter_never_lowers_the_score(values: list[int], promoter: int) -> None:
    """One more promoter cannot decrease the NPS."""
    assert score([*values, promoter]).nps >= score(values).nps - 1e-12


@given(st.lists(st.sampled_from([9, 10]), min_size=1, max_size=50))
def test_all_promoters_score_one_hundred(values: list[int]) -> None:
    """Only promoters: NPS +100."""
    assert score(values).nps == 100.0


@given(score_lists)
def test_nps_is_correctly_rounded(values: list[int]) -> None:
    """The NPS is the correctly rounded 100 (P - D) / n: -20, not -19.999999999999996."""
    promoters = sum(v >= 9 for v in values)
    detractors = sum(v <= 6 for v in values)
    expected = float(Fraction(100 * (promoters - detractors), len(values)))
    assert score(values).nps == expected
    assert score(values, weights=[1.0] * len(values)).nps == expected
