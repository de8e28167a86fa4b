"""Correlations of aspect ratings with the recommend score, with Fisher-z intervals.

Missing answers are handled pairwise: each aspect is correlated with the score over the
respondents who answered both, and that ``n`` is returned with it.

Formulas (``n`` pairs, ``z_c`` the two-sided normal quantile):

* Pearson ``r = Σ(x - x̄)(y - ȳ) / sqrt(Σ(x - x̄)² Σ(y - ȳ)²)``.
* Spearman ``ρ`` is Pearson's ``r`` of the ranks, ties given their average rank (as R's
  ``cor(method = "spearman")`` and ``scipy.stats.spearmanr``).
* Fisher (1921) interval: ``tanh(atanh(r) ± z_c · se)`` with ``se = 1 / sqrt(n - 3)`` for
  Pearson (as R's ``cor.test``) and ``se = sqrt(1.06 / (n - 3))`` for Spearman (Fieller,
  Hartley & Pearson 1957, Biometrika 44, 470-481).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Fewest pairs for which a Fisher-z interval exists (its SE divides by ``n - 3``).
MIN_PAIRS_FOR_INTERVAL = 4
#: Variance inflation of Fisher's z for Spearman's rho (Fieller, Hartley & Pearson 1957).
SPEARMAN_VARIANCE_FACTOR = 1.06


def average_ranks(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Ranks 1..n of a 1-D array without NaN, ties given their average rank.

    Examples:
        >>> average_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist()
        [3.5, 1.0, 3.5, 2.0]
    """
    n = len(values)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.empty(n, dtype=bool)
    starts_group[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts_group[1:])
    starts = np.flatnonzero(starts_group)
    ends = np.append(starts[1:], n)
    # A tie group at sorted positions start..end-1 holds ranks start+1..end: mean below.
    mean_rank = (starts + ends + 1) / 2.0
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def pearson(x: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    """Pearson's r of two equal-length arrays without NaN; NaN if either is constant.

    Examples:
        >>> pearson(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 7.0]))
        0.99339926...
    """
    dx = x - x.mean()
    dy = y - y.mean()
    denominator = float(np.sqrt((dx @ dx) * (dy @ dy)))
    if denominator == 0.0 or not np.isfinite(denominator):
        return float("nan")
    return float(np.clip((dx @ dy) / denominator, -1.0, 1.0))


def fisher_interval(
    r: float, n: int, z: float, *, variance_factor: float = 1.0
) -> tuple[float, float]:
    """Fisher-z interval ``tanh(atanh(r) ± z sqrt(f / (n - 3)))``; NaN when ``n < 4``.

    Examples:
        >>> lo, hi = fisher_interval(0.5, 28, 1.959963984540054)
        >>> round(lo, 4), round(hi, 4)
        (0.156, 0.7358)
    """
    if n < MIN_PAIRS_FOR_INTERVAL or not np.isfinite(r):
        return float("nan"), float("nan")
    se = float(np.sqrt(variance_factor / (n - 3)))
    with np.errstate(divide="ignore"):
        centre = float(np.arctanh(r))
    return float(np.tanh(centre - z * se)), float(np.tanh(centre + z * se))


class Correlation(NamedTuple):
    """Pairwise-complete Pearson and Spearman correlations of one aspect with the score."""

    n: int
    pearson: float
    pearson_ci: tuple[float, float]
    spearman: float
    spearman_ci: tuple[float, float]


def correlate(rating: NDArray[np.float64], score: NDArray[np.float64], z: float) -> Correlation:
    """Correlate one aspect (NaN = missing) with the score over the pairs where both exist.

    Args:
        rating: Aspect ratings, NaN where the respondent did not answer.
        score: Recommend scores, no NaN, aligned with ``rating``.
        z: Two-sided normal quantile of the confidence level.

    Returns:
        The number of pairs used, both coefficients and their intervals (NaN where the
        coefficient is undefined: fewer than two pairs, or a constant column).
    """
    answered = ~np.isnan(rating)
    x = rating[answered]
    y = score[answered]
    n = len(x)
    if n < 2:  # noqa: PLR2004 - a correlation needs two pairs
        nan = float("nan")
        return Correlation(n, nan, (nan, nan), nan, (nan, nan))
    r = pearson(x, y)
    rho = pearson(average_ranks(x), average_ranks(y))
    return Correlation(
        n,
        r,
        fisher_interval(r, n, z),
        rho,
        fisher_interval(rho, n, z, variance_factor=SPEARMAN_VARIANCE_FACTOR),
    )
