"""Pairwise correlations and Fisher-z intervals, against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from netpromoter._correlation import average_ranks, correlate, fisher_interval, pearson

Z95 = 1.959963984540054


def sample(seed: int, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, n).astype(np.float64)
    y = np.clip(np.round(x * 1.5 + rng.normal(0, 2, n)), 0, 10)
    return x, y


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_average_ranks_match_scipy_rankdata(seed: int) -> None:
    """Ties get their average rank, as scipy.stats.rankdata(method='average')."""
    x, _ = sample(seed)
    np.testing.assert_array_equal(stats.rankdata(x), average_ranks(x))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pearson_and_interval_match_scipy(seed: int) -> None:
    """Pearson's r and its Fisher-z interval equal scipy.stats.pearsonr's."""
    x, y = sample(seed)
    expected = stats.pearsonr(x, y)
    lo, hi = expected.confidence_interval(0.95)
    result = correlate(x, y, Z95)
    assert result.pearson == pytest.approx(expected.statistic, rel=1e-13)
    assert result.pearson_ci == pytest.approx((lo, hi), rel=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spearman_matches_scipy(seed: int) -> None:
    """Spearman's rho with ties equals scipy.stats.spearmanr."""
    x, y = sample(seed)
    assert correlate(x, y, Z95).spearman == pytest.approx(
        stats.spearmanr(x, y).statistic, rel=1e-13
    )


def test_spearman_interval_uses_fieller_variance() -> None:
    """The Spearman interval is tanh(atanh(rho) ± z sqrt(1.06 / (n - 3)))."""
    x, y = sample(4)
    result = correlate(x, y, Z95)
    half = Z95 * math.sqrt(1.06 / (len(x) - 3))
    centre = math.atanh(result.spearman)
    assert result.spearman_ci == pytest.approx(
        (math.tanh(centre - half), math.tanh(centre + half)), rel=1e-14
    )


def test_missing_ratings_are_dropped_pairwise() -> None:
    """Rows with a missing rating are left out of that correlation only."""
    x, y = sample(5)
    with_gaps = x.copy()
    with_gaps[[0, 3, 7]] = np.nan
    keep = ~np.isnan(with_gaps)
    result = correlate(with_gaps, y, Z95)
    assert result.n == 37
    assert result.pearson == pytest.approx(stats.pearsonr(x[keep], y[keep]).statistic)


def test_constant_rating_has_no_correlation() -> None:
    """A column without variation gives NaN, not a number or a warning."""
    y = np.array([1.0, 5.0, 9.0, 10.0, 3.0])
    result = correlate(np.full(5, 4.0), y, Z95)
    assert math.isnan(result.pearson)
    assert math.isnan(result.spearman)
    assert all(math.isnan(v) for v in result.pearson_ci)


def test_fewer_than_two_pairs_give_nan() -> None:
    """With one answered pair nothing is defined, and n says so."""
    result = correlate(np.array([np.nan, 3.0, np.nan]), np.array([1.0, 2.0, 3.0]), Z95)
    assert result.n == 1
    assert math.isnan(result.pearson)


def test_interval_needs_four_pairs() -> None:
    """Fisher's SE divides by n - 3, so three pairs give a coefficient without interval."""
    assert all(math.isnan(v) for v in fisher_interval(0.5, 3, Z95))
    assert not any(math.isnan(v) for v in fisher_interval(0.5, 4, Z95))


def test_perfect_correlation_interval_is_degenerate() -> None:
    """A perfect correlation gives the interval (1, 1) without a warning."""
    assert fisher_interval(1.0, 10, Z95) == (1.0, 1.0)


def test_pearson_is_clipped_to_unit_interval() -> None:
    """Rounding never pushes r outside [-1, 1]."""
    x = np.linspace(0, 1, 1001) * 1e8 + 0.1
    assert -1.0 <= pearson(x, 3 * x) <= 1.0
