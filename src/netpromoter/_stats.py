"""The statistics layer: shares, NPS, standard errors and intervals, from tallies.

All functions are vectorised over groups: they take ``(G, 11)`` tally arrays and return
length-``G`` arrays, so a single score, a segment table and a trend use the same code.

Formulas (NPS in points, -100..100; ``p_P``, ``p_D`` promoter and detractor shares):

* NPS = 100 (p_P - p_D).
* Unweighted Wald: per-response variance ``v = p_P + p_D - (p_P - p_D)^2`` and
  SE = 100 sqrt(v / n), with the ``n`` divisor of R's ``NPS`` package.
* Adjusted Wald (Rocks 2016): add 0.75 / 1.5 / 0.75 pseudo-responses to detractors /
  passives / promoters, then a Wald interval centred on the adjusted estimate.
* Weighted (Taylor linearisation, with replacement, as R ``survey``): with
  ``s_i`` = +1 / 0 / -1 and ``s̄ = Σ w s / Σ w``,
  SE = 100 sqrt(n / (n - 1) Σ w_i² (s_i - s̄)²) / Σ w.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from netpromoter._validation import check_confidence_level
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._tally import Tally

Method = Literal["wald", "adjusted_wald"]
METHODS: tuple[Method, ...] = ("wald", "adjusted_wald")
#: Pseudo-responses added by the adjusted Wald method: detractors, passives, promoters.
ADJUSTMENT = np.array([0.75, 1.5, 0.75])
#: Value of each category in the NPS: detractor -1, passive 0, promoter +1.
CATEGORY_VALUE = np.array([-1.0, 0.0, 1.0])
_BOUNDS = (0, 7, 9, 11)


def by_category(per_score: NDArray[np.floating] | NDArray[np.integer]) -> NDArray[np.float64]:
    """Collapse ``(G, 11)`` per-score sums into ``(G, 3)`` detractor/passive/promoter sums.

    Sums that are already per category (last axis of length 3) are returned as floats.
    """
    values = np.asarray(per_score, dtype=np.float64)
    if values.shape[-1] == len(CATEGORY_VALUE):
        return values
    return np.add.reduceat(values, _BOUNDS[:-1], axis=-1)


def z_value(confidence_level: float) -> float:
    """Two-sided standard normal quantile for a confidence level (1.959964 for 0.95)."""
    level = check_confidence_level(confidence_level)
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic, via the survival function.

    ``erfc`` keeps full relative precision in the tail, so p-values down to 1e-300 do not
    underflow to 0 as ``1 - cdf`` would.
    """
    return math.erfc(abs(z) / math.sqrt(2.0))


class Estimate(NamedTuple):
    """NPS point estimates and intervals for ``G`` groups, in NPS points."""

    nps: NDArray[np.float64]
    se: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]


def _nps_and_variance(
    shares: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    diff = shares[..., 2] - shares[..., 0]
    return 100.0 * diff, shares[..., 2] + shares[..., 0] - diff * diff


def shares(tally: Tally) -> NDArray[np.float64]:
    """Weighted category shares ``(G, 3)``; NaN for a group with no weight."""
    totals = by_category(tally.sum_w)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: NDArray[np.float64] = totals / totals.sum(axis=-1, keepdims=True)
    return out


def effective_n(tally: Tally) -> NDArray[np.float64]:
    """Kish's effective sample size (Σw)² / Σw² per group."""
    total = tally.sum_w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: NDArray[np.float64] = total * total / tally.sum_w2.sum(axis=-1)
    return out


def linearisation_se(tally: Tally) -> NDArray[np.float64]:
    """Design-based SE of a weighted NPS (R ``survey``, ``ids = ~1``), in points."""
    n = tally.count.sum(axis=-1).astype(np.float64)
    w = by_category(tally.sum_w)
    w2 = by_category(tally.sum_w2)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w @ CATEGORY_VALUE) / total
        resid = CATEGORY_VALUE - mean[..., None]
        ss = (w2 * resid * resid).sum(axis=-1)
        out: NDArray[np.float64] = 100.0 * np.sqrt(n / (n - 1.0) * ss) / total
    return out


def estimate(tally: Tally, *, weighted: bool, method: Method, confidence_level: float) -> Estimate:
    """NPS, SE and confidence interval per group (limits clipped to [-100, 100]).

    Args:
        tally: Per-group tally.
        weighted: Whether the tally carries real weights (design-based SE) or counts.
        method: ``"wald"`` or ``"adjusted_wald"``.
        confidence_level: Two-sided confidence level, strictly between 0 and 1.

    Returns:
        The raw NPS, the SE of the method's estimate and the interval limits.
    """
    z = z_value(confidence_level)
    p = shares(tally)
    nps, variance = _nps_and_variance(p)
    if method == "wald":
        if weighted:
            se = linearisation_se(tally)
        else:
            n = tally.count.sum(axis=-1)
            with np.errstate(invalid="ignore", divide="ignore"):
                se = 100.0 * np.sqrt(variance / n)
        centre = nps
    elif method == "adjusted_wald":
        size = effective_n(tally) if weighted else tally.count.sum(axis=-1).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            adjusted = (p * size[..., None] + ADJUSTMENT) / (size + ADJUSTMENT.sum())[..., None]
        centre, adj_variance = _nps_and_variance(adjusted)
        se = 100.0 * np.sqrt(adj_variance / (size + ADJUSTMENT.sum()))
    else:
        msg = f"unknown method {method!r}; expected one of {', '.join(map(repr, METHODS))}"
        raise InvalidParameterError(msg, name="method", value=method)
    lower = np.clip(centre - z * se, -100.0, 100.0)
    upper = np.clip(centre + z * se, -100.0, 100.0)
    return Estimate(nps, se, lower, upper)
