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


def _centre_and_se(
    tally: Tally, *, weighted: bool, method: Method
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Raw NPS, the method's point estimate (interval centre) and its SE, in points."""
    p = shares(tally)
    nps, variance = _nps_and_variance(p)
    if method == "wald":
        if weighted:
            se = linearisation_se(tally)
        else:
            n = tally.count.sum(axis=-1)
            with np.errstate(invalid="ignore", divide="ignore"):
                se = 100.0 * np.sqrt(variance / n)
        return nps, nps, se
    if method == "adjusted_wald":
        size = effective_n(tally) if weighted else tally.count.sum(axis=-1).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            adjusted = (p * size[..., None] + ADJUSTMENT) / (size + ADJUSTMENT.sum())[..., None]
        centre, adj_variance = _nps_and_variance(adjusted)
        se = 100.0 * np.sqrt(adj_variance / (size + ADJUSTMENT.sum()))
        return nps, centre, se
    msg = f"unknown method {method!r}; expected one of {', '.join(map(repr, METHODS))}"
    raise InvalidParameterError(msg, name="method", value=method)


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
    nps, centre, se = _centre_and_se(tally, weighted=weighted, method=method)
    lower = np.clip(centre - z * se, -100.0, 100.0)
    upper = np.clip(centre + z * se, -100.0, 100.0)
    return Estimate(nps, se, lower, upper)


Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES: tuple[Alternative, ...] = ("two-sided", "greater", "less")
_ERFC = np.frompyfunc(math.erfc, 1, 1)


def normal_sf(z: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Standard normal survival function ``P(Z > z)``, elementwise, via ``erfc``.

    Keeps full relative precision far into the upper tail (``normal_sf(37.5)`` is about
    4.6e-308, not 0), which ``1 - cdf`` cannot.
    """
    x = np.asarray(z, dtype=np.float64)
    out: NDArray[np.float64] = 0.5 * np.asarray(_ERFC(x / math.sqrt(2.0)), dtype=np.float64)
    return out


def p_values(
    z: NDArray[np.float64] | float, alternative: Alternative = "two-sided"
) -> NDArray[np.float64]:
    """P-values of standard normal statistics, elementwise.

    Args:
        z: Test statistics.
        alternative: ``"two-sided"`` (``2 P(Z > |z|)``), ``"greater"`` (``P(Z > z)``) or
            ``"less"`` (``P(Z < z)``).

    Returns:
        The p-values; NaN where ``z`` is NaN.

    Raises:
        InvalidParameterError: For an unknown alternative.
    """
    x = np.asarray(z, dtype=np.float64)
    if alternative == "two-sided":
        return np.minimum(1.0, 2.0 * normal_sf(np.abs(x)))
    if alternative == "greater":
        return normal_sf(x)
    if alternative == "less":
        return normal_sf(-x)
    msg = (
        f"unknown alternative {alternative!r}; expected one of {', '.join(map(repr, ALTERNATIVES))}"
    )
    raise InvalidParameterError(msg, name="alternative", value=alternative)


def _z_statistic(delta: NDArray[np.float64], se: NDArray[np.float64]) -> NDArray[np.float64]:
    """``delta / se``, with 0 (not NaN) when both are 0: no evidence of any difference."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z: NDArray[np.float64] = np.asarray(delta / se, dtype=np.float64)
    z[(delta == 0) & (se == 0)] = 0.0
    return z


class Difference(NamedTuple):
    """Differences ``b − a`` between two independent samples, for ``G`` pairs, in points.

    Attributes:
        delta: The method's estimate of NPS(b) − NPS(a) (adjusted for ``"adjusted_wald"``).
        raw_delta: The difference of the raw NPS values.
        se: Standard error of ``delta``: ``sqrt(se_a² + se_b²)``.
        lower: Lower interval limit (clipped to -200).
        upper: Upper interval limit (clipped to 200).
        z: Test statistic ``delta / se`` for "no difference".
        p_value: Two-sided p-value of ``z`` (survival function, no underflow).
    """

    delta: NDArray[np.float64]
    raw_delta: NDArray[np.float64]
    se: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    z: NDArray[np.float64]
    p_value: NDArray[np.float64]


def difference(
    a: Tally,
    b: Tally,
    *,
    weighted: bool | tuple[bool, bool],
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
) -> Difference:
    """Compare two independent samples per group: NPS(b) − NPS(a), interval, z and p.

    Each pair ``(a[g], b[g])`` is compared (shapes broadcast, so one ``a`` row can be
    compared with many ``b`` rows). SE of the difference is ``sqrt(se_a² + se_b²)``, each
    computed as in [`estimate`][netpromoter._stats.estimate] (Wald: divisor ``n``;
    adjusted Wald: each sample gets its own 0.75 / 1.5 / 0.75 pseudo-responses, and the
    delta is that of the adjusted estimates). The interval is ``delta ± z·se``, clipped to
    [-200, 200]; ``z = delta / se`` and ``p = 2 P(Z > |z|)``.

    For "each segment against the rest", pass the segment tallies and
    [`complement`][netpromoter._stats.complement] of them.

    Args:
        a: Tally of the first (reference) samples, ``(G, 11)``.
        b: Tally of the second samples, ``(G, 11)``.
        weighted: Whether the tallies carry real weights; one flag or one per sample.
        method: ``"wald"`` or ``"adjusted_wald"``.
        confidence_level: Two-sided confidence level, strictly between 0 and 1.

    Returns:
        Length-``G`` arrays; NaN for a pair where either sample is empty.

    Examples:
        >>> from netpromoter._tally import tally
        >>> a = tally(np.array([10, 9, 3, 7], dtype=np.int8))
        >>> b = tally(np.array([10, 10, 9, 8], dtype=np.int8))
        >>> d = difference(a, b, weighted=False, method="wald")
        >>> float(d.delta[0]), round(float(d.se[0]), 3)
        (50.0, 46.771)
    """
    z_crit = z_value(confidence_level)
    weighted_a, weighted_b = (weighted, weighted) if isinstance(weighted, bool) else weighted
    nps_a, centre_a, se_a = _centre_and_se(a, weighted=weighted_a, method=method)
    nps_b, centre_b, se_b = _centre_and_se(b, weighted=weighted_b, method=method)
    delta = centre_b - centre_a
    se = np.sqrt(se_a * se_a + se_b * se_b)
    z = _z_statistic(delta, se)
    return Difference(
        delta=delta,
        raw_delta=nps_b - nps_a,
        se=se,
        lower=np.clip(delta - z_crit * se, -200.0, 200.0),
        upper=np.clip(delta + z_crit * se, -200.0, 200.0),
        z=z,
        p_value=p_values(z),
    )


def complement(tally: Tally) -> Tally:
    """The tally of "everyone else" for each group: the total over all groups minus it.

    Tallies add, so the rest of group ``g`` is ``Σ tally − tally[g]``; weight sums are
    floored at 0 against rounding.

    Examples:
        >>> from netpromoter._tally import tally
        >>> t = tally(np.array([10, 3, 9], dtype=np.int8), codes=np.array([0, 1, 1]), n_groups=2)
        >>> complement(t).count.sum(axis=1).tolist()
        [2, 1]
    """
    total_count = tally.count.sum(axis=0, keepdims=True)
    total_w = tally.sum_w.sum(axis=0, keepdims=True)
    total_w2 = tally.sum_w2.sum(axis=0, keepdims=True)
    return type(tally)(
        total_count - tally.count,
        np.maximum(total_w - tally.sum_w, 0.0),
        np.maximum(total_w2 - tally.sum_w2, 0.0),
    )


def holm(p: NDArray[np.float64] | list[float]) -> NDArray[np.float64]:
    """Holm's step-down adjusted p-values (family-wise error rate), along the last axis.

    ``p_(i)`` sorted ascending (``i = 1..m``) becomes ``max_{j≤i} min(1, (m − j + 1) p_(j))``;
    as R's ``p.adjust(p, "holm")``. NaN p-values are left NaN and do not count in ``m``.

    Examples:
        >>> holm([0.01, 0.04, 0.03]).tolist()
        [0.03, 0.06, 0.06]
    """
    return _adjust(p, step_down=True)


def benjamini_hochberg(p: NDArray[np.float64] | list[float]) -> NDArray[np.float64]:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), along the last axis.

    ``p_(i)`` sorted ascending becomes ``min_{j≥i} min(1, m p_(j) / j)``; as R's
    ``p.adjust(p, "BH")``. NaN p-values are left NaN and do not count in ``m``.

    Examples:
        >>> benjamini_hochberg([0.01, 0.04, 0.03]).tolist()
        [0.03, 0.04, 0.04]
    """
    return _adjust(p, step_down=False)


def _adjust(p: NDArray[np.float64] | list[float], *, step_down: bool) -> NDArray[np.float64]:
    values = np.asarray(p, dtype=np.float64)
    if values.ndim == 0:
        values = values.reshape(1)
    missing = np.isnan(values)
    m = (~missing).sum(axis=-1, keepdims=True).astype(np.float64)
    # NaN sorts last, so the first m sorted entries are the real p-values.
    order = np.argsort(values, axis=-1, kind="stable")
    ranked = np.take_along_axis(values, order, axis=-1)
    rank = np.arange(1, values.shape[-1] + 1, dtype=np.float64)
    if step_down:
        scaled = np.minimum(1.0, (m - rank + 1.0) * ranked)
        scaled = np.where(np.isnan(scaled), -np.inf, scaled)
        adjusted = np.maximum.accumulate(scaled, axis=-1)
    else:
        scaled = np.minimum(1.0, m * ranked / rank)
        scaled = np.where(np.isnan(scaled), np.inf, scaled)
        adjusted = np.flip(np.minimum.accumulate(np.flip(scaled, axis=-1), axis=-1), axis=-1)
    out = np.empty_like(values)
    np.put_along_axis(out, order, adjusted, axis=-1)
    out[missing] = np.nan
    return out
