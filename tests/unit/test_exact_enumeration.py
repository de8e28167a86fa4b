"""The exact test's p-values against a full enumeration of the multinomial outcomes.

For ``n`` answers every outcome (D, A, P) is listed, its probability computed with
scipy's log-gamma at each passive share of the nuisance grid, and the tail sums taken over
the outcomes whose score statistic is at least (or at most) the observed one. The exact
module sums only a band of outcomes near ``P − D = n t`` and adds a bound for the rest:
its p-values must equal the full sums to that bound.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from netpromoter._stats import exact
from netpromoter._stats.distributions import f_sf
from netpromoter._stats.score import score_statistic


def _enumerated(n: int, detractors: int, promoters: int, t: float) -> tuple[float, float]:
    d, p = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = d + p <= n
    d, p = d[keep].astype(float), p[keep].astype(float)
    a = n - d - p

    def z_of(dd: np.ndarray, pp: np.ndarray) -> np.ndarray:
        shares = np.stack([dd / n, 1.0 - (dd + pp) / n, pp / n], axis=-1)
        with np.errstate(invalid="ignore"):
            z = score_statistic(shares, np.asarray(float(n)), 100.0 * t)
        return np.where(np.isnan(z), 0.0, z)

    z = z_of(d, p)
    observed = float(z_of(np.array([float(detractors)]), np.array([float(promoters)]))[0])
    up, low = z >= observed - 1e-9, z <= observed + 1e-9
    log_c = special.gammaln(n + 1.0) - special.gammaln(d + 1) - special.gammaln(a + 1)
    log_c = log_c - special.gammaln(p + 1)
    best_up = best_low = 0.0
    for share in exact.nuisance_grid(t):
        probs = np.array([(1.0 - share - t) / 2.0, share, (1.0 - share + t) / 2.0])
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(probs > 0, np.log(np.where(probs > 0, probs, 1.0)), -np.inf)
            terms = [np.where(c > 0, c * lg, 0.0) for c, lg in zip((d, a, p), logs, strict=True)]
        mass = np.exp(log_c + terms[0] + terms[1] + terms[2])
        best_up, best_low = max(best_up, mass[up].sum()), max(best_low, mass[low].sum())
    return best_up, best_low


@pytest.mark.parametrize(
    ("n", "detractors", "promoters", "t"),
    [
        (30, 6, 14, 0.1),
        (30, 12, 5, -0.45),
        (150, 40, 60, -0.3),
        (150, 20, 95, 0.25),
        (150, 70, 30, -0.05),
        (200, 10, 150, 0.6),
    ],
)
def test_one_sided_p_values_equal_the_full_enumeration(
    n: int, detractors: int, promoters: int, t: float
) -> None:
    """Band or not, one pass or one share at a time: the tails of every outcome."""
    up, low = exact.one_sided(n, detractors, promoters, t)
    want_up, want_low = _enumerated(n, detractors, promoters, t)
    assert up == pytest.approx(want_up, rel=1e-9, abs=1e-15)
    assert low == pytest.approx(want_low, rel=1e-9, abs=1e-15)
    assert min(up, low) > 0.0


@pytest.mark.parametrize("t", [1.0, -1.0])
def test_at_an_nps_of_plus_or_minus_100_only_one_outcome_is_possible(t: float) -> None:
    """All promoters (t = 1) or all detractors (t = −1) gets 1 and 1; others lie on one side."""
    n = 12
    only = (0, n) if t > 0 else (n, 0)
    assert exact.one_sided(n, *only, t) == (1.0, 1.0)
    inside = exact.one_sided(n, 3, 5, t)
    assert inside == ((1.0, 0.0) if t > 0 else (0.0, 1.0))


@pytest.mark.parametrize("statistic", [0.01, 0.3, 0.9, 1.0, 1.7, 4.0, 25.0])
def test_f_upper_tail_matches_scipy(statistic: float) -> None:
    """P(F > x) equals scipy's f.sf, below and above 1, for whole and real df."""
    for df1, df2 in ((1.0, 10.0), (3.0, 2.5), (12.0, 40.0), (2.5, 200.0)):
        assert f_sf(statistic, df1, df2) == pytest.approx(
            float(stats.f.sf(statistic, df1, df2)), rel=1e-10
        )
