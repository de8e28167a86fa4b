"""The score statistic of an NPS value and the Tango-type score interval it gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from netpromoter._stats.distributions import _SCORE_STEPS

if TYPE_CHECKING:
    from numpy.typing import NDArray


def score_statistic(
    shares_: NDArray[np.float64], size: NDArray[np.float64], nps: NDArray[np.float64] | float
) -> NDArray[np.float64]:
    """Score statistic for "true NPS = ``nps``" (Tango-type, as R ``NPS``'s ``iterative``).

    With observed detractor and promoter shares ``b`` and ``c`` and ``t = nps / 100``, the
    constrained maximum-likelihood detractor share ``q`` is the root of
    ``2 q² + (−b − c + (2 − c + b) t) q − b t (1 − t) = 0``; under the null the variance
    of one response is ``2 q + t (1 − t)``, and
    ``Z = (c − b − t) / sqrt((2 q + t (1 − t)) / size)``.

    Args:
        shares_: ``(G, 3)`` detractor/passive/promoter shares.
        size: ``(G,)`` sample size (design-based effective size, over ``f``).
        nps: The null value(s) in NPS points, broadcast against ``G``.

    Returns:
        ``Z`` per group: positive when the observed NPS is above ``nps``.
    """
    b = shares_[..., 0]
    c = shares_[..., 2]
    t = np.asarray(nps, dtype=np.float64) / 100.0
    lin = -b - c + (2.0 - c + b) * t
    const = -b * t * (1.0 - t)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = (np.sqrt(np.maximum(lin * lin - 8.0 * const, 0.0)) - lin) / 4.0
        variance = np.maximum(2.0 * q + t * (1.0 - t), 0.0)
        out: NDArray[np.float64] = (c - b - t) * np.sqrt(size) / np.sqrt(variance)
    return out


def _score_limits(
    shares_: NDArray[np.float64], size: NDArray[np.float64], z: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Both limits of the score interval by vectorised bisection (points)."""
    point = 100.0 * (shares_[..., 2] - shares_[..., 0])
    limits = []
    for end, sign in ((100.0, -1.0), (-100.0, 1.0)):
        inner = point.copy()
        outer = np.full_like(point, end)
        for _ in range(_SCORE_STEPS):
            mid = 0.5 * (inner + outer)
            accepted = sign * score_statistic(shares_, size, mid) < z
            inner = np.where(accepted, mid, inner)
            outer = np.where(accepted, outer, mid)
        limits.append(0.5 * (inner + outer))
    upper, lower = limits
    return lower, upper
