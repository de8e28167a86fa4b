"""The statistics layer: shares, NPS, standard errors and intervals, from tallies.

All functions are vectorised over groups: they take ``(G, 11)`` tally arrays and return
length-``G`` arrays, so a single score, a segment table and a trend use the same code.

Formulas (NPS in points, -100..100; ``p_P``, ``p_D`` promoter and detractor shares):

* NPS = 100 (p_P - p_D).
* Unweighted Wald: per-response variance ``v = p_P + p_D - (p_P - p_D)^2`` and
  SE = 100 sqrt(v / n), with the ``n`` divisor of R's ``NPS`` package.
* Adjusted Wald (Rocks 2016): add 0.75 / 1.5 / 0.75 pseudo-responses to detractors /
  passives / promoters, then a Wald interval centred on the adjusted estimate.
* Score (Tango-type, R ``NPS``'s ``iterative``): the NPS values not rejected by the score
  test, whose variance is computed under the null; see ``score_statistic``.
* Weighted (Taylor linearisation, with replacement, as R ``survey``): with
  ``s_i`` = +1 / 0 / -1 and ``s̄ = Σ w s / Σ w``,
  SE = 100 sqrt(n / (n - 1) Σ w_i² (s_i - s̄)²) / Σ w. The adjusted Wald and score
  methods use the design-based effective size ``v / Var`` (``design_n``).
* Finite population: variances times ``(N - n) / (N - 1)``, or ``1 - n / N`` weighted.
* Two independent samples: ``difference``; against a benchmark: ``benchmark_test``;
  multiple comparisons: ``holm`` and ``benjamini_hochberg``; planning: ``margin`` and
  ``required_n``.

The docs page "Inference" gives every formula with its references.
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

Method = Literal["wald", "adjusted_wald", "score"]
METHODS: tuple[Method, ...] = ("wald", "adjusted_wald", "score")
#: Methods of comparing two independent samples.
DifferenceMethod = Literal["wald", "adjusted_wald"]
DIFFERENCE_METHODS: tuple[DifferenceMethod, ...] = ("wald", "adjusted_wald")
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


def normal_quantile(p: float) -> float:
    """Standard normal quantile: the ``z`` with ``P(Z ≤ z) = p`` (0 < p < 1)."""
    return NormalDist().inv_cdf(p)


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


def nps_of(sums: NDArray[np.floating] | NDArray[np.integer]) -> NDArray[np.float64]:
    """NPS in points from per-score or per-category sums: ``100 (P − D) / (D + A + P)``.

    Computed from the sums, not from rounded shares, so whole counts give the correctly
    rounded value (2 promoters and 3 detractors of 5 give exactly -20). With weights the
    product ``100 (P − D)`` is rounded before the division, which can land one unit in
    the last place beyond ±100 (a single detractor of weight 1.2963...): the result is
    clipped to [-100, 100]. NaN where a group has no weight.
    """
    totals = by_category(sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = 100.0 * (totals[..., 2] - totals[..., 0]) / totals.sum(axis=-1)
    out: NDArray[np.float64] = np.clip(ratio, -100.0, 100.0)
    return out


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


def population_factor(
    n: NDArray[np.floating] | NDArray[np.integer],
    population_size: float | NDArray[np.floating] | NDArray[np.integer] | None,
    *,
    weighted: bool,
) -> NDArray[np.float64]:
    """Finite population correction: the factor ``f`` that multiplies a variance.

    Unweighted (simple random sampling without replacement), ``f = (N − n) / (N − 1)``;
    weighted (design-based, as R ``survey`` with ``fpc = N``), ``f = 1 − n / N``. ``f`` is
    1 without a population size and 0 when everyone answered; SEs scale by ``sqrt(f)``.

    Examples:
        >>> population_factor(np.array([10.0, 100.0]), 100, weighted=False).round(4).tolist()
        [0.9091, 0.0]
    """
    size = np.asarray(n, dtype=np.float64)
    if population_size is None:
        return np.ones_like(size)
    big_n = np.asarray(population_size, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = 1.0 - size / big_n if weighted else (big_n - size) / (big_n - 1.0)
    # N == 1 leaves only n == 1, a census: 0/0 above.
    out: NDArray[np.float64] = np.clip(np.where(big_n <= size, 0.0, f), 0.0, 1.0)
    return out


def wald_se(
    tally: Tally,
    *,
    weighted: bool,
    population_size: float | None = None,
    design_se: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """SE of the raw NPS in points: ``100 sqrt(v / n)`` (divisor ``n``), or design-based.

    Unweighted: ``v = p_P + p_D − (p_P − p_D)²`` over ``n``, as R ``NPS``. Weighted: the
    Taylor linearisation SE of R ``survey`` ([`linearisation_se`][netpromoter._stats.
    linearisation_se]), or ``design_se`` when given (the SE of a calibrated design, see
    [`netpromoter.weighting`][netpromoter.weighting]). Either is multiplied by ``sqrt(f)``
    of [`population_factor`][netpromoter._stats.population_factor].
    """
    n = tally.count.sum(axis=-1).astype(np.float64)
    if design_se is not None:
        se = design_se
    elif weighted:
        se = linearisation_se(tally)
    else:
        _, variance = _nps_and_variance(shares(tally))
        with np.errstate(invalid="ignore", divide="ignore"):
            se = 100.0 * np.sqrt(variance / n)
    if population_size is None:
        return se
    return se * np.sqrt(population_factor(n, population_size, weighted=weighted))


def design_n(
    tally: Tally, *, weighted: bool, design_se: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """The sample size an interval method works with, before any population correction.

    Unweighted, ``n``. Weighted, the design-based effective size ``v / Var(NPS)``
    (Korn & Graubard 1998): the simple-random-sample size with the same variance as the
    design-based (linearisation) SE, with ``v`` the per-response variance from the weighted
    shares. Where that is undefined (``v = 0``: every response in one category, or
    ``n = 1``) it falls back to Kish's ``(Σw)² / Σw²``. With ``design_se`` (a calibrated
    design's SE), the effective size is that design's.
    """
    n: NDArray[np.float64] = tally.count.sum(axis=-1).astype(np.float64)
    if not weighted:
        return n
    _, variance = _nps_and_variance(shares(tally))
    se = (linearisation_se(tally) if design_se is None else design_se) / 100.0
    with np.errstate(invalid="ignore", divide="ignore"):
        by_design = variance / (se * se)
    out: NDArray[np.float64] = np.where(
        (variance > 0) & np.isfinite(by_design), by_design, effective_n(tally)
    )
    return out


def _information(
    tally: Tally,
    *,
    weighted: bool,
    population_size: float | None,
    design_se: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """``design_n / f``: the size of the equivalent with-replacement sample (inf: census)."""
    size = design_n(tally, weighted=weighted, design_se=design_se)
    if population_size is None:
        return size
    n = tally.count.sum(axis=-1).astype(np.float64)
    f = population_factor(n, population_size, weighted=weighted)
    with np.errstate(divide="ignore"):
        out: NDArray[np.float64] = np.where(f > 0, size / f, np.inf)
    return out


def _centre_and_se(
    tally: Tally,
    *,
    weighted: bool,
    method: Method,
    population_size: float | None = None,
    design_se: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Raw NPS, the method's point estimate (interval centre) and its SE, in points."""
    totals = by_category(tally.sum_w)
    total = totals.sum(axis=-1)
    nps = nps_of(totals)
    if method in ("wald", "score"):
        return (
            nps,
            nps,
            wald_se(tally, weighted=weighted, population_size=population_size, design_se=design_se),
        )
    if method == "adjusted_wald":
        size = _information(
            tally, weighted=weighted, population_size=population_size, design_se=design_se
        )
        census = np.isinf(size)
        size = np.where(census, 0.0, size)
        with np.errstate(invalid="ignore", divide="ignore"):
            # totals · (size / Σw) is the count itself when unweighted (no rounding).
            scaled = totals * (size / total)[..., None] + ADJUSTMENT
            adjusted = scaled / (size + ADJUSTMENT.sum())[..., None]
            centre, adj_variance = _nps_and_variance(adjusted)
            se = 100.0 * np.sqrt(adj_variance / (size + ADJUSTMENT.sum()))
        return nps, np.where(census, nps, centre), np.where(census, 0.0, se)
    msg = f"unknown method {method!r}; expected one of {', '.join(map(repr, METHODS))}"
    raise InvalidParameterError(msg, name="method", value=method)


#: Bisection steps of the score interval: 2 / 2**60 is far below 1e-6 NPS points.
_SCORE_STEPS = 60


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


def estimate(
    tally: Tally,
    *,
    weighted: bool,
    method: Method,
    confidence_level: float,
    population_size: float | None = None,
    design_se: NDArray[np.float64] | None = None,
) -> Estimate:
    """NPS, SE and confidence interval per group (limits clipped to [-100, 100]).

    Args:
        tally: Per-group tally.
        weighted: Whether the tally carries real weights (design-based SE) or counts.
        method: ``"wald"``, ``"adjusted_wald"`` or ``"score"``. For ``"score"`` the SE is
            the Wald SE (the interval itself does not use one).
        confidence_level: Two-sided confidence level, strictly between 0 and 1.
        population_size: Size ``N`` of the population sampled from, for the finite
            population correction (must be at least each group's ``n``), or ``None``.
        design_se: Optional SE per group of a calibrated design, in points (see
            [`netpromoter.weighting`][netpromoter.weighting]): it replaces the plain
            linearisation SE, and its effective size replaces the plain design size.

    Returns:
        The raw NPS, the SE of the method's estimate and the interval limits.

    Examples:
        >>> from netpromoter._tally import tally
        >>> t = tally(np.array([10, 10, 9, 8, 3], dtype=np.int8))
        >>> est = estimate(t, weighted=False, method="score", confidence_level=0.95)
        >>> [round(float(x[0]), 4) for x in est]
        [40.0, 35.7771, -34.9282, 82.6421]
    """
    z = z_value(confidence_level)
    nps, centre, se = _centre_and_se(
        tally,
        weighted=weighted,
        method=method,
        population_size=population_size,
        design_se=design_se,
    )
    if method == "score":
        size = _information(
            tally, weighted=weighted, population_size=population_size, design_se=design_se
        )
        lower, upper = _score_limits(shares(tally), size, z)
        return Estimate(nps, se, lower, upper)
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


def difference_method(method: Method) -> DifferenceMethod:
    """The two-sample method that goes with a one-sample interval method.

    The score interval is one-sample only, so comparisons made under ``"score"`` use the
    adjusted Wald difference; ``"wald"`` and ``"adjusted_wald"`` map to themselves.
    """
    return "wald" if method == "wald" else "adjusted_wald"


def difference(
    a: Tally,
    b: Tally,
    *,
    weighted: bool | tuple[bool, bool],
    method: DifferenceMethod = "adjusted_wald",
    confidence_level: float = 0.95,
    population_size: tuple[float | None, float | None] | None = None,
    design_se: tuple[NDArray[np.float64] | None, NDArray[np.float64] | None] | None = None,
    covariance: NDArray[np.float64] | None = None,
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
        population_size: Optional population sizes ``(N_a, N_b)`` for the finite
            population correction of each sample's SE.
        covariance: Optional covariance of the two estimates per pair (points²), when the
            samples overlap (the same respondents in both, see
            [`overlap_covariance`][netpromoter._stats.overlap_covariance]) or are two
            domains of one calibrated design; the SE becomes
            ``sqrt(se_a² + se_b² − 2 cov)`` (floored at 0).
        design_se: Optional per-group SEs ``(se_a, se_b)`` of calibrated designs, in
            points (either may be ``None``), used for that sample as in ``estimate``.

    Returns:
        Length-``G`` arrays; NaN for a pair where either sample is empty.

    Raises:
        InvalidParameterError: For a method other than ``"wald"`` or ``"adjusted_wald"``.

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
    if method not in DIFFERENCE_METHODS:
        msg = (
            f"unknown method {method!r} for comparing two samples; expected one of "
            f"{', '.join(map(repr, DIFFERENCE_METHODS))} (the score interval is one-sample only)"
        )
        raise InvalidParameterError(msg, name="method", value=method)
    size_a, size_b = (None, None) if population_size is None else population_size
    design_a, design_b = (None, None) if design_se is None else design_se
    nps_a, centre_a, se_a = _centre_and_se(
        a, weighted=weighted_a, method=method, population_size=size_a, design_se=design_a
    )
    nps_b, centre_b, se_b = _centre_and_se(
        b, weighted=weighted_b, method=method, population_size=size_b, design_se=design_b
    )
    delta = centre_b - centre_a
    variance = se_a * se_a + se_b * se_b
    if covariance is not None:
        variance = np.maximum(variance - 2.0 * covariance, 0.0)
    se = np.sqrt(variance)
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


class BenchmarkTest(NamedTuple):
    """One-sample tests of "NPS = benchmark" for ``G`` groups.

    Attributes:
        estimate: The method's point estimate in points (adjusted for ``"adjusted_wald"``).
        z: Test statistic, positive when the estimate is above the benchmark.
        p_value: P-value for the requested alternative.
    """

    estimate: NDArray[np.float64]
    z: NDArray[np.float64]
    p_value: NDArray[np.float64]


def benchmark_test(
    tally: Tally,
    benchmark: float | NDArray[np.float64],
    *,
    weighted: bool,
    method: Method = "adjusted_wald",
    alternative: Alternative = "two-sided",
    population_size: float | None = None,
    design_se: NDArray[np.float64] | None = None,
) -> BenchmarkTest:
    """Test each group's NPS against a benchmark (an industry figure, a target).

    Wald and adjusted Wald: ``z = (estimate − benchmark) / se`` with the SE of
    [`estimate`][netpromoter._stats.estimate]. Score: ``z`` is the
    [`score_statistic`][netpromoter._stats.score_statistic] at the benchmark, whose
    variance is computed under the null; a two-sided score test rejects exactly when the
    benchmark lies outside the score interval.

    Args:
        tally: Per-group tally.
        benchmark: The null NPS in points, -100..100 (broadcast against the groups).
        weighted: Whether the tally carries real weights.
        method: ``"wald"``, ``"adjusted_wald"`` or ``"score"``.
        alternative: ``"two-sided"``, ``"greater"`` (NPS above the benchmark) or
            ``"less"``.
        population_size: Optional population size (finite population correction).
        design_se: Optional per-group SE of a calibrated design, in points (as in
            ``estimate``).

    Returns:
        Length-``G`` estimates, statistics and p-values.

    Examples:
        >>> from netpromoter._tally import tally
        >>> t = tally(np.array([10] * 30 + [8] * 10 + [3] * 10, dtype=np.int8))
        >>> res = benchmark_test(t, 20.0, weighted=False, method="wald", alternative="greater")
        >>> round(float(res.z[0]), 3), round(float(res.p_value[0]), 4)
        (1.768, 0.0385)
    """
    null = np.asarray(benchmark, dtype=np.float64)
    nps, centre, se = _centre_and_se(
        tally,
        weighted=weighted,
        method=method,
        population_size=population_size,
        design_se=design_se,
    )
    if method == "score":
        size = _information(
            tally, weighted=weighted, population_size=population_size, design_se=design_se
        )
        with np.errstate(invalid="ignore"):
            z = score_statistic(shares(tally), size, null)
        z = np.where(nps == null, 0.0, z)
    else:
        z = _z_statistic(centre - null, se)
    return BenchmarkTest(estimate=centre, z=z, p_value=p_values(z, alternative))


def per_response_variance(
    promoter_share: float | NDArray[np.float64], detractor_share: float | NDArray[np.float64]
) -> NDArray[np.float64]:
    """Variance of one response's +1 / 0 / −1 value: ``p_P + p_D − (p_P − p_D)²``.

    Its maximum is 1 (half promoters, half detractors); for a given NPS ``t`` (as a
    proportion) it is at most ``1 − t²`` (no passives).
    """
    p = np.asarray(promoter_share, dtype=np.float64)
    d = np.asarray(detractor_share, dtype=np.float64)
    out: NDArray[np.float64] = p + d - (p - d) ** 2
    return out


def margin(
    n: float | NDArray[np.float64],
    variance: float | NDArray[np.float64],
    z: float,
    population_size: float | None = None,
) -> NDArray[np.float64]:
    """Margin of error in points: ``100 z sqrt(v / n) sqrt((N − n) / (N − 1))``.

    Examples:
        >>> float(margin(385, 1.0, 1.959963984540054).round(3))
        9.989
    """
    size = np.asarray(n, dtype=np.float64)
    f = population_factor(size, population_size, weighted=False)
    out: NDArray[np.float64] = 100.0 * z * np.sqrt(np.asarray(variance) / size * f)
    return out


def required_n(
    target: float | NDArray[np.float64],
    variance: float | NDArray[np.float64],
    z: float,
    population_size: float | None = None,
) -> NDArray[np.float64]:
    """Smallest (real) ``n`` whose margin of error is ``target`` points.

    Without a population, ``n0 = z² v / (target / 100)²``; with one, solving
    ``target = 100 z sqrt(v / n) sqrt((N − n) / (N − 1))`` gives
    ``n = n0 N / (N − 1 + n0)`` (Cochran 1977, eq. 4.2 for the NPS variance).

    Examples:
        >>> float(required_n(10.0, 1.0, 1.959963984540054).round(2))
        384.15
    """
    m = np.asarray(target, dtype=np.float64) / 100.0
    n0 = z * z * np.asarray(variance, dtype=np.float64) / (m * m)
    if population_size is None:
        return n0
    big_n = float(population_size)
    out: NDArray[np.float64] = n0 * big_n / (big_n - 1.0 + n0)
    return out


class CrossSums(NamedTuple):
    """Sums over the respondents who answered in both of two samples ``a`` and ``b``.

    For respondent ``c``, ``W_ca`` is the sum of the weights of their answers in ``a`` and
    ``S_ca`` the sum of weight × ``s`` (``s`` = +1 promoter, 0 passive, −1 detractor); all
    four arrays are per pair of samples (length ``G``).

    Attributes:
        ss: ``Σ_c S_ca S_cb``.
        sw: ``Σ_c S_ca W_cb``.
        ws: ``Σ_c W_ca S_cb``.
        ww: ``Σ_c W_ca W_cb``.
        n: Number of respondents in both samples.
    """

    ss: NDArray[np.float64]
    sw: NDArray[np.float64]
    ws: NDArray[np.float64]
    ww: NDArray[np.float64]
    n: NDArray[np.int64]


def overlap_covariance(
    a: Tally, b: Tally, cross: CrossSums, *, weighted: bool
) -> NDArray[np.float64]:
    """Covariance (points²) of the NPS of two samples that share respondents, per pair.

    Each NPS is a ratio ``100 Σ w s / Σ w``; its linearised influence of respondent ``c``
    in sample ``a`` is ``u_ca = (S_ca − ȳ_a W_ca) / W_a`` with ``ȳ_a`` the sample's mean
    ``s`` and ``W_a`` its total weight. Respondents in only one sample contribute to one
    variance; those in both also to the covariance::

        cov = 100² Σ_c u_ca u_cb
            = 100² (SS − ȳ_b SW − ȳ_a WS + ȳ_a ȳ_b WW) / (W_a W_b)

    Unweighted, this is ``m · cov(s_a, s_b) / (n_a n_b)`` over the ``m`` overlapping
    respondents (divisor ``m``, matching the ``n`` divisor of the Wald SE), so
    ``se_a² + se_b² − 2 cov`` is the with-replacement variance of the difference with the
    data stacked and clustered by respondent: R ``survey`` (``svydesign(ids = ~id)`` on the
    stacked answers, ``svycontrast`` of the two period means) gives exactly ``C / (C − 1)``
    times it, ``C`` the number of distinct respondents. With weights, the term is scaled
    by ``sqrt(n_a n_b / ((n_a − 1)(n_b − 1)))`` like the linearisation SE of each sample.
    With no overlap the covariance is 0 and the two samples are independent.

    Args:
        a: Tally of the first samples, ``(G, 11)`` (or ``(G, 3)``).
        b: Tally of the second samples.
        cross: The overlap sums per pair.
        weighted: Whether the tallies carry real weights.

    Returns:
        Length-``G`` covariances; 0 where nobody is in both samples, NaN where a sample
        is empty.

    Examples:
        >>> from netpromoter._tally import tally
        >>> a = tally(np.array([10, 3], dtype=np.int8))  # respondents x, y
        >>> b = tally(np.array([9, 5], dtype=np.int8))  # the same x, y
        >>> one = np.array([1.0])
        >>> c = CrossSums(ss=one * 2, sw=one * 0, ws=one * 0, ww=one * 2, n=np.array([2]))
        >>> float(overlap_covariance(a, b, c, weighted=False)[0])
        5000.0
    """

    def mean_and_total(t: Tally) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        w = by_category(t.sum_w)
        total = w.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (w @ CATEGORY_VALUE) / total, total

    mean_a, total_a = mean_and_total(a)
    mean_b, total_b = mean_and_total(b)
    numerator = cross.ss - mean_b * cross.sw - mean_a * cross.ws + mean_a * mean_b * cross.ww
    with np.errstate(invalid="ignore", divide="ignore"):
        cov: NDArray[np.float64] = 1e4 * numerator / (total_a * total_b)
        if weighted:
            n_a = a.count.sum(axis=-1).astype(np.float64)
            n_b = b.count.sum(axis=-1).astype(np.float64)
            cov = cov * np.sqrt(n_a * n_b / ((n_a - 1.0) * (n_b - 1.0)))
    return np.where(cross.n > 0, cov, np.where(np.isnan(cov), cov, 0.0))


def shift_share(
    weight_a: NDArray[np.float64],
    nps_a: NDArray[np.float64],
    weight_b: NDArray[np.float64],
    nps_b: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Split a change in NPS into segment mix and within-segment change (shift-share).

    With segment shares ``π_g = W_g / Σ W`` and segment NPS ``N_g``, the total NPS is
    ``Σ_g π_g N_g``, so its change from ``a`` to ``b`` splits exactly (the symmetric,
    midpoint form) into::

        mix_g    = (π_bg − π_ag) (N_ag + N_bg) / 2
        within_g = (N_bg − N_ag) (π_ag + π_bg) / 2

    and ``Σ_g (mix_g + within_g) = NPS_b − NPS_a``. A segment absent from one period has
    no score there; its NPS is taken as unchanged (``N_a = N_b``), so all of its
    contribution is mix, and the terms still add up exactly.

    Args:
        weight_a: Per segment, total weight (or count) in ``a``, along the last axis.
        nps_a: Per segment NPS in ``a`` (NaN where the segment is empty).
        weight_b: Per segment total weight in ``b``.
        nps_b: Per segment NPS in ``b``.

    Returns:
        The mix and within terms per segment, in points.

    Examples:
        >>> mix, within = shift_share(
        ...     np.array([50.0, 50.0]), np.array([40.0, 0.0]),
        ...     np.array([20.0, 80.0]), np.array([40.0, 10.0]),
        ... )
        >>> mix.round(6).tolist(), within.round(6).tolist()
        ([-12.0, 1.5], [0.0, 6.5])
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        pi_a = weight_a / weight_a.sum(axis=-1, keepdims=True)
        pi_b = weight_b / weight_b.sum(axis=-1, keepdims=True)
    score_a = np.where(weight_a > 0, nps_a, nps_b)
    score_b = np.where(weight_b > 0, nps_b, score_a)
    score_a = np.where(weight_a > 0, score_a, score_b)
    score_a = np.nan_to_num(score_a)
    score_b = np.nan_to_num(score_b)
    mix = (pi_b - pi_a) * (score_a + score_b) / 2.0
    within = (score_b - score_a) * (pi_a + pi_b) / 2.0
    return mix, within


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


_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_LGAMMA_SHIFT = 8


def log_gamma(x: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """``ln Γ(x)`` for ``x > 0``, elementwise (absolute error below 1e-11).

    Arguments below 8 are shifted up with ``Γ(x) = Γ(x + 8) / (x (x+1) ... (x+7))``;
    from 8 on, Stirling's series ``(z − ½) ln z − z + ½ ln 2π + 1/(12z) − 1/(360z³) +
    1/(1260z⁵) − 1/(1680z⁷)`` is used (Abramowitz & Stegun 6.1.41).

    Examples:
        >>> round(float(log_gamma(5.0)[()]), 10) == round(math.lgamma(5.0), 10)
        True
    """
    x = np.asarray(x, dtype=np.float64)
    small = x < _LGAMMA_SHIFT
    z = np.where(small, x + _LGAMMA_SHIFT, x)
    product = np.ones_like(x)
    for j in range(_LGAMMA_SHIFT):
        product = np.where(small, product * (x + j), product)
    inv = 1.0 / z
    inv2 = inv * inv
    series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
    out: NDArray[np.float64] = (
        (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + series - np.where(small, np.log(product), 0.0)
    )
    return out


def dirichlet_multinomial_loglik(
    counts: NDArray[np.float64], mean: NDArray[np.float64], concentration: float
) -> float:
    """Log marginal likelihood of category counts under a Dirichlet–multinomial model.

    With ``α = concentration`` and prior mean shares ``m``, the counts ``x_g`` of group
    ``g`` (``n_g`` in all) have, up to a term free of ``α``,
    ``ln Γ(α) − ln Γ(n_g + α) + Σ_k [ln Γ(x_gk + α m_k) − ln Γ(α m_k)]``.

    Args:
        counts: ``(G, K)`` counts (may be fractional, e.g. effective counts).
        mean: ``(K,)`` prior mean shares, each positive, summing to 1.
        concentration: ``α > 0``.

    Returns:
        The log likelihood summed over groups.
    """
    a = concentration * mean
    n = counts.sum(axis=-1)
    per_group = (
        log_gamma(concentration)
        - log_gamma(n + concentration)
        + (log_gamma(counts + a) - log_gamma(a)).sum(axis=-1)
    )
    return float(per_group.sum())


#: Search range of the prior concentration α (pseudo-responses), on a log scale.
CONCENTRATION_RANGE = (1e-2, 1e8)


def fit_dirichlet_prior(
    counts: NDArray[np.float64], *, max_concentration: float | None = None
) -> tuple[NDArray[np.float64], float]:
    """Empirical-Bayes Dirichlet prior for ``(G, K)`` category counts.

    The prior mean ``m`` is the pooled share ``Σ_g x_g / Σ_g n_g`` (so the prior NPS is
    the overall NPS); the concentration ``α`` maximises the Dirichlet–multinomial
    marginal likelihood (``dirichlet_multinomial_loglik``) by golden-section search on
    ``ln α`` over ``CONCENTRATION_RANGE``. When groups differ no more than sampling
    explains, the likelihood keeps rising with ``α`` and the search ends at the upper
    bound: every group is shrunk (almost) fully to the overall.

    Args:
        counts: ``(G, K)`` non-negative counts, at least one positive.
        max_concentration: Upper bound of ``α`` (default: the top of
            ``CONCENTRATION_RANGE``). Bounding it by the total count keeps the prior
            from weighing more than the data its mean was estimated from.

    Returns:
        The prior mean shares ``m`` (``(K,)``) and the concentration ``α``.

    Examples:
        >>> x = np.array([[5.0, 5.0, 10.0], [10.0, 5.0, 5.0], [2.0, 6.0, 12.0]])
        >>> m, alpha = fit_dirichlet_prior(x)
        >>> m.round(3).tolist(), 1.0 < alpha < 1e8
        ([0.283, 0.267, 0.45], True)
    """
    pooled = counts.sum(axis=0)
    # A category nobody chose gets a tiny share, so ln Γ(α m) stays finite.
    mean = np.maximum(pooled / pooled.sum(), 1e-12)
    mean = mean / mean.sum()
    top = CONCENTRATION_RANGE[1] if max_concentration is None else max_concentration
    lo, hi = math.log(CONCENTRATION_RANGE[0]), math.log(max(top, CONCENTRATION_RANGE[0] * 2))
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fc = dirichlet_multinomial_loglik(counts, mean, math.exp(c))
    fd = dirichlet_multinomial_loglik(counts, mean, math.exp(d))
    while hi - lo > 1e-6:  # noqa: PLR2004 - relative precision of α
        if fc >= fd:
            hi, d, fd = d, c, fc
            c = hi - ratio * (hi - lo)
            fc = dirichlet_multinomial_loglik(counts, mean, math.exp(c))
        else:
            lo, c, fc = c, d, fd
            d = lo + ratio * (hi - lo)
            fd = dirichlet_multinomial_loglik(counts, mean, math.exp(d))
    return mean, math.exp((lo + hi) / 2.0)


class Shrunken(NamedTuple):
    """Posterior summaries of each group's NPS under a Dirichlet prior, in points.

    Attributes:
        nps: Posterior mean ``100 (a_P − a_D) / (α + n)`` with ``a = α m + x``.
        lower: Lower limit of the equal-tailed credible interval.
        upper: Upper limit of the equal-tailed credible interval.
        prob_above: Posterior probability that the group's NPS exceeds ``reference``.
    """

    nps: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    prob_above: NDArray[np.float64]


def shrink(
    counts: NDArray[np.float64],
    mean: NDArray[np.float64],
    concentration: float,
    *,
    reference: float,
    credible_level: float = 0.95,
    draws: int = 4_000,
    seed: int = 0,
) -> Shrunken:
    """Posterior NPS per group: ``θ_g ~ Dirichlet(α m + x_g)`` over (D, P, P) shares.

    The posterior mean is exact; since it is ``w·raw + (1 − w)·prior`` with
    ``w = n / (n + α)``, it always lies between the raw and the prior NPS. The credible
    interval and ``P(NPS_g > reference)`` are computed from ``draws`` posterior draws per
    group (gamma variates normalised, seeded, so results are reproducible); their Monte
    Carlo standard error is at most ``0.5 / sqrt(draws)`` for the probability.

    Args:
        counts: ``(G, 3)`` detractor, passive, promoter counts.
        mean: ``(3,)`` prior mean shares.
        concentration: Prior concentration ``α``.
        reference: NPS (points) to compare each group with, usually the overall NPS.
        credible_level: Probability inside the equal-tailed credible interval.
        draws: Posterior draws per group.
        seed: Seed of the random generator.

    Returns:
        Posterior mean, credible interval and probability above the reference.
    """
    level = check_confidence_level(credible_level)
    a = concentration * mean + counts
    total = a.sum(axis=-1)
    nps = 100.0 * (a[:, 2] - a[:, 0]) / total
    rng = np.random.default_rng(seed)
    tails = [(1.0 - level) / 2.0, (1.0 + level) / 2.0]
    lower = np.empty(len(a))
    upper = np.empty(len(a))
    prob = np.empty(len(a))
    block = max(1, (1 << 22) // max(draws * 3, 1))
    for start in range(0, len(a), block):
        part = a[start : start + block]
        # Category-major draws keep each category's gammas contiguous.
        g = rng.standard_gamma(part.T[:, :, None], size=(3, len(part), draws))
        sample = 100.0 * (g[2] - g[0]) / (g[0] + g[1] + g[2])
        lo, hi = np.quantile(sample, tails, axis=1)
        lower[start : start + block] = lo
        upper[start : start + block] = hi
        prob[start : start + block] = (sample > reference).mean(axis=1)
    return Shrunken(nps, lower, upper, prob)


_EPSILON = 1e-16


def chi_square_sf(statistic: float, df: int) -> float:
    """Upper tail ``P(X > statistic)`` of a chi-square variable with ``df`` degrees of freedom.

    The regularised upper incomplete gamma function ``Q(df / 2, statistic / 2)``: a series
    below ``a + 1``, a Lentz continued fraction above (Numerical Recipes, §6.2), to about
    1e-15 relative; as R's ``pchisq(statistic, df, lower.tail = FALSE)``.

    Examples:
        >>> round(chi_square_sf(3.841458820694124, 1), 12)
        0.05
        >>> chi_square_sf(0.0, 3)
        1.0
    """
    if math.isnan(statistic):
        return math.nan
    if statistic <= 0.0:
        return 1.0
    if math.isinf(statistic):
        return 0.0
    a, x = df / 2.0, statistic / 2.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    tiny = 1e-300
    if x < a + 1.0:
        term = total = 1.0 / a
        denom = a
        for _ in range(10_000):
            denom += 1.0
            term *= x / denom
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPSILON:
            break
    return math.exp(log_prefix) * h
