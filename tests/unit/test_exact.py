"""method="exact": coverage by exact enumeration, and the interval's behaviour."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import netpromoter as nps
from netpromoter._stats import exact as _exact
from netpromoter.exceptions import InvalidParameterError

LEVEL = 0.95


def _profiles(seed: int, count: int) -> np.ndarray:
    """The 0.01 grid (corners and edges included) and random profiles, a quarter on edges."""
    k = 100
    grid = [(d / k, (k - d - p) / k, p / k) for d in range(k + 1) for p in range(k + 1 - d)]
    rng = np.random.default_rng(seed)
    inside = rng.dirichlet([1.0, 1.0, 1.0], size=count - count // 4)
    edge = np.zeros((count // 4, 3))
    split = rng.random(count // 4)
    for i, absent in enumerate(rng.integers(0, 3, count // 4).tolist()):
        others = [j for j in range(3) if j != absent]
        edge[i, others] = (split[i], 1.0 - split[i])
    return np.vstack([np.array(grid), inside, edge])


def _probabilities(n: int, profiles: np.ndarray) -> np.ndarray:
    """Multinomial probability of every outcome (rows) under every profile (columns)."""
    d, a, p = _exact.outcome_space(n)
    counts = np.stack([d, a, p], axis=1)
    log_c = np.array([math.lgamma(n + 1.0) - sum(math.lgamma(x + 1.0) for x in c) for c in counts])
    with np.errstate(divide="ignore"):
        logs = np.where(profiles > 0, np.log(np.where(profiles > 0, profiles, 1.0)), -np.inf)
    with np.errstate(invalid="ignore"):  # 0 · ln 0, discarded by the where
        terms = np.where(counts[:, None, :] > 0, counts[:, None, :] * logs[None, :, :], 0.0)
    out: np.ndarray = np.exp(log_c[:, None] + terms.sum(axis=2))
    return out


@pytest.mark.parametrize("n", [5, 10, 20])
def test_intervals_returned_cover_at_every_profile(n: int) -> None:
    """Every interval score() returns at n, over the grid and 3,000 random profiles: ≥ 95 %."""
    d, a, p = _exact.outcome_space(n)
    counts = np.stack([d, a, p], axis=1).astype(np.int64)
    scores = [np.repeat([0, 7, 10], c) for c in counts]
    limits = np.array([nps.score(s, method="exact").ci for s in scores])
    profiles = _profiles(n, 3_000)
    truth = 100.0 * (profiles[:, 2] - profiles[:, 0])
    inside = (limits[:, :1] <= truth + 1e-9) & (truth - 1e-9 <= limits[:, 1:])
    coverage = (_probabilities(n, profiles) * inside).sum(axis=0)
    assert coverage.min() >= LEVEL, profiles[int(coverage.argmin())]


@pytest.mark.parametrize(("n", "random"), [(30, 3_000), (50, 500)])
def test_the_exact_tests_accept_the_truth_at_every_profile(n: int, random: int) -> None:
    """At each profile's NPS the test accepts the sample with probability ≥ 95 %.

    The interval holds every NPS its tests accept (next test), so this is a lower bound
    on its coverage.
    """
    profiles = _profiles(n, random)
    truth = profiles[:, 2] - profiles[:, 0]
    probability = _probabilities(n, profiles)
    coverage = np.empty(len(profiles))
    accepted: dict[float, np.ndarray] = {}
    for i, t in enumerate(truth.tolist()):
        if t not in accepted:
            accepted[t] = _exact.acceptance(n, t, 1.0 - LEVEL)
        coverage[i] = probability[:, i] @ accepted[t]
    assert coverage.min() >= LEVEL, profiles[int(coverage.argmin())]


@pytest.mark.parametrize("n", [10, 20])
def test_intervals_hold_every_value_their_tests_accept(n: int) -> None:
    """On a grid of 81 NPS values, an accepted value is always inside the interval."""
    d, a, p = _exact.outcome_space(n)
    counts = np.stack([d, a, p], axis=1).astype(np.int64)
    lower, upper = _exact.limits(counts, LEVEL)
    for t in np.linspace(-0.995, 0.995, 81).tolist():
        accepted = _exact.acceptance(n, t, 1.0 - LEVEL)
        inside = (lower <= 100 * t) & (100 * t <= upper)
        assert not np.any(accepted & ~inside)


def test_exact_result_holds_its_estimate_and_width_implied_se() -> None:
    """An exact result contains its NPS, reports the width-implied SE, and caches."""
    result = nps.score([10, 10, 9, 8, 3] * 4, method="exact")
    lower, upper = result.ci
    assert lower < result.nps < upper
    assert result.se == pytest.approx((upper - lower) / (2 * 1.959963984540054))
    assert result.margin_of_error == pytest.approx((upper - lower) / 2)
    one = nps.score([10], method="exact")
    assert one.ci[1] == 100.0
    # P(one promoter) = (1 + t) / 2 at most (no passives): accepted while above 2.5 %.
    assert one.ci[0] == pytest.approx(-95.0, abs=1e-3)
    assert nps.score([10, 10, 9, 8, 3] * 4, method="exact").ci == result.ci


def test_exact_benchmark_test_rejects_outside_the_interval() -> None:
    """Two-sided exact p < 0.05 exactly where the benchmark is outside the 95 % interval."""
    sample = [10] * 12 + [8] * 5 + [3] * 8
    lower, upper = nps.score(sample, method="exact").ci
    for benchmark in (lower - 1.0, lower + 1.0, upper - 1.0, upper + 1.0):
        test = nps.compare_to_benchmark(sample, benchmark, method="exact")
        outside = not lower <= benchmark <= upper
        assert (test.p_value < 0.05) == outside
    greater = nps.compare_to_benchmark(sample, lower + 1.0, method="exact", alternative="greater")
    less = nps.compare_to_benchmark(sample, lower + 1.0, method="exact", alternative="less")
    assert greater.p_value < less.p_value


def test_exact_needs_unweighted_counts_of_an_unlimited_population() -> None:
    """Weights and a population size are refused with the reason."""
    with pytest.raises(InvalidParameterError, match="unweighted"):
        nps.score([10, 3, 8], weights=[1.0, 2.0, 1.0], method="exact")
    with pytest.raises(InvalidParameterError, match="unlimited population"):
        nps.score([10, 3, 8], method="exact", population_size=50)


def test_segment_and_trend_accept_the_exact_method() -> None:
    """Tables use exact intervals per row and adjusted Wald for their comparisons."""
    data: dict[str, list[Any]] = {"score": [10, 9, 3, 8, 10, 6] * 5, "team": list("aabbcc") * 5}
    table = nps.segment(data, "team", method="exact", min_n=1)
    for row in table:
        scores = [s for s, t in zip(data["score"], data["team"], strict=True) if t == row.key[0]]
        assert row.ci == nps.score(scores, method="exact").ci
    adjusted = nps.segment(data, "team", min_n=1)
    assert [r.p_value for r in table] == [r.p_value for r in adjusted]
