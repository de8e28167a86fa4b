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

from netpromoter._validation import check_choice, check_confidence_level
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._tally import Tally
    from netpromoter._validation import Correction

Method = Literal["wald", "adjusted_wald", "score", "exact"]
METHODS: tuple[Method, ...] = ("wald", "adjusted_wald", "score", "exact")
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


def check_exact(*, weighted: bool, population_size: float | None, design_se: object = None) -> None:
    """Refuse what the exact interval cannot handle: weights and a finite population.

    Raises:
        InvalidParameterError: With weights, a design SE or a population size.
    """
    if weighted or design_se is not None:
        msg = (
            "method='exact' enumerates the samples of unweighted counts; with weights use "
            "'adjusted_wald' or 'score' (design-based)"
        )
        raise InvalidParameterError(msg, name="method", value="exact")
    if population_size is not None:
        msg = (
            "method='exact' assumes an unlimited population; with population_size use "
            "'adjusted_wald' or 'score'"
        )
        raise InvalidParameterError(msg, name="method", value="exact")


def _centre_and_se(
    tally: Tally,
    *,
    weighted: bool,
    method: Method,
    population_size: float | None = None,
    design_se: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Raw NPS, the method's point estimate (interval centre) and its SE, in points."""
    check_choice(method, "method", METHODS)
    totals = by_category(tally.sum_w)
    total = totals.sum(axis=-1)
    nps = nps_of(totals)
    if method in ("wald", "score", "exact"):
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

    Every interval contains the raw NPS: where the method's interval ends short of it
    (the adjusted Wald interval is centred on the adjusted estimate, so one promoter
    gives +100 with an interval ending at +98.5), it is widened to reach it. The SE is
    that of the method's estimate: the Wald SE for ``"wald"``, the SE of the adjusted
    estimate for ``"adjusted_wald"``, and the width-implied ``(upper − lower) / (2 z)``
    for ``"score"`` and ``"exact"``.

    ``"exact"`` ([`netpromoter._exact`][netpromoter._exact]) inverts two one-sided tests
    of the multinomial counts: it needs unweighted counts from an unlimited population.

    Args:
        tally: Per-group tally.
        weighted: Whether the tally carries real weights (design-based SE) or counts.
        method: ``"wald"``, ``"adjusted_wald"``, ``"score"`` or ``"exact"``. For
            ``"score"`` and ``"exact"`` the SE is the one the interval's width implies,
            ``(upper − lower) / (2 z)`` (the interval itself does not use one).
        confidence_level: Two-sided confidence level, strictly between 0 and 1.
        population_size: Size ``N`` of the population sampled from, for the finite
            population correction (must be at least each group's ``n``), or ``None``.
        design_se: Optional SE per group of a calibrated design, in points (see
            [`netpromoter.weighting`][netpromoter.weighting]): it replaces the plain
            linearisation SE, and its effective size replaces the plain design size.

    Returns:
        The raw NPS, the SE of the method's estimate and the interval limits.

    Raises:
        InvalidParameterError: ``"exact"`` with weights, a design SE or a population size.

    Examples:
        >>> from netpromoter._tally import tally
        >>> t = tally(np.array([10, 10, 9, 8, 3], dtype=np.int8))
        >>> est = estimate(t, weighted=False, method="score", confidence_level=0.95)
        >>> [round(float(x[0]), 4) for x in est]
        [40.0, 29.993, -34.9282, 82.6421]
    """
    z = z_value(confidence_level)
    nps, centre, se = _centre_and_se(
        tally,
        weighted=weighted,
        method=method,
        population_size=population_size,
        design_se=design_se,
    )
    if method == "exact":
        check_exact(weighted=weighted, population_size=population_size, design_se=design_se)
        from netpromoter import _exact  # noqa: PLC0415 - _exact builds on this module

        level = check_confidence_level(confidence_level)
        counts = by_category(tally.count).astype(np.int64).reshape(-1, 3)
        empty = counts.sum(axis=1) == 0
        lower, upper = _exact.limits(np.where(empty[:, None], 1, counts), level)
        lower, upper = np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)
        se = (upper - lower) / (2.0 * z)
    elif method == "score":
        size = _information(
            tally, weighted=weighted, population_size=population_size, design_se=design_se
        )
        lower, upper = _score_limits(shares(tally), size, z)
        census = np.isinf(size)
        lower, upper = np.where(census, nps, lower), np.where(census, nps, upper)
        # The score interval has no SE of its own: report the one its width implies.
        se = np.where(census, se, (upper - lower) / (2.0 * z))
    else:
        lower = np.clip(centre - z * se, -100.0, 100.0)
        upper = np.clip(centre + z * se, -100.0, 100.0)
    # An interval always contains its point estimate: the adjusted Wald interval, centred
    # on the adjusted estimate, can end short of the raw NPS (+100 from one promoter).
    return Estimate(nps, se, np.fmin(lower, nps), np.fmax(upper, nps))


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
    check_choice(alternative, "alternative", ALTERNATIVES)
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


_TINY = 1e-300
#: Largest number of continued-fraction steps of ``beta_incomplete``; it needs about
#: ``sqrt(max(a, b))`` of them, so this covers t distributions with 10^8 degrees of freedom.
_CF_STEPS = 20_000


def _beta_fraction(
    a: NDArray[np.float64], b: NDArray[np.float64], x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
    h = d.copy()
    for m in range(1, _CF_STEPS + 1):
        m2 = 2.0 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1.0 + aa / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            delta = d * c
            h = h * delta
        if np.all(np.abs(delta - 1.0) < 1e-15):  # noqa: PLR2004 - relative precision
            break
    out: NDArray[np.float64] = h
    return out


def beta_incomplete(
    a: NDArray[np.float64] | float, b: NDArray[np.float64] | float, x: NDArray[np.float64] | float
) -> NDArray[np.float64]:
    """Regularised incomplete beta function ``I_x(a, b)``, elementwise.

    ``x^a (1 − x)^b / (a B(a, b))`` times a continued fraction, evaluated where it
    converges fast (``x < (a + 1) / (a + b + 2)``) and through
    ``I_x(a, b) = 1 − I_(1−x)(b, a)`` elsewhere (Numerical Recipes, §6.4); to about
    1e-9 relative (the log-gamma terms bound it). As R's ``pbeta(x, a, b)``.

    Examples:
        >>> round(float(beta_incomplete(2.0, 3.0, 0.4)[()]), 10)  # 1 - pbinom(1, 4, 0.4)
        0.5248
    """
    a_, b_, x_ = np.broadcast_arrays(
        np.asarray(a, dtype=np.float64),
        np.asarray(b, dtype=np.float64),
        np.asarray(x, dtype=np.float64),
    )
    inside = (x_ > 0.0) & (x_ < 1.0)
    xs = np.where(inside, x_, 0.5)
    flip = xs >= (a_ + 1.0) / (a_ + b_ + 2.0)
    p, q, y = np.where(flip, b_, a_), np.where(flip, a_, b_), np.where(flip, 1.0 - xs, xs)
    log_front = p * np.log(y) + q * np.log1p(-y) - log_gamma(p) - log_gamma(q) + log_gamma(p + q)
    part = np.exp(log_front) * _beta_fraction(p, q, y) / p
    value = np.where(flip, 1.0 - part, part)
    out: NDArray[np.float64] = np.where(x_ <= 0.0, 0.0, np.where(x_ >= 1.0, 1.0, value))
    return np.clip(out, 0.0, 1.0)


def student_sf(
    t: NDArray[np.float64] | float, df: NDArray[np.float64] | float
) -> NDArray[np.float64]:
    """Upper tail ``P(T > t)`` of Student's t with ``df`` degrees of freedom, elementwise.

    ``½ I_(df / (df + t²))(df / 2, ½)`` for ``t ≥ 0`` (and one minus it below), the
    standard normal's where ``df`` is infinite; as R's ``pt(t, df, lower.tail = FALSE)``.

    Examples:
        >>> round(float(student_sf(2.0, 10.0)[()]), 10)
        0.0366940174
    """
    x, nu = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(df, dtype=np.float64))
    finite = np.isfinite(nu)
    nu_ = np.where(finite, nu, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        tail = 0.5 * beta_incomplete(nu_ / 2.0, 0.5, nu_ / (nu_ + x * x))
    tail = np.where(x >= 0.0, tail, 1.0 - tail)
    tail = np.where(np.isinf(x), np.where(x > 0, 0.0, 1.0), tail)
    out: NDArray[np.float64] = np.where(finite, tail, normal_sf(x))
    return np.where(np.isnan(x) | np.isnan(nu), np.nan, out)


def _student_log_density(t: NDArray[np.float64], df: NDArray[np.float64]) -> NDArray[np.float64]:
    half = (df + 1.0) / 2.0
    out: NDArray[np.float64] = (
        log_gamma(half)
        - log_gamma(df / 2.0)
        - 0.5 * np.log(df * math.pi)
        - half * np.log1p(t * t / df)
    )
    return out


def student_quantile(p: float, df: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """The ``t`` with ``P(T > t) = p`` for each ``df`` (``0 < p ≤ ½``).

    Newton's method on ``student_sf`` from the Cornish–Fisher start
    ``z + (z³ + z) / (4 ν) + (5 z⁵ + 16 z³ + 3 z) / (96 ν²)``, kept inside a bracket that
    bisection narrows whenever a Newton step would leave it; the normal quantile where
    ``df`` is infinite.

    Examples:
        >>> [round(float(x), 9) for x in student_quantile(0.025, np.array([1.0, 10.0]))]
        [12.706204736, 2.228138852]
    """
    nu = np.asarray(df, dtype=np.float64)
    z = normal_quantile(1.0 - p)
    finite = np.isfinite(nu) & (nu > 0)
    nu_ = np.where(finite, nu, 1.0)
    t = z + (z**3 + z) / (4.0 * nu_) + (5 * z**5 + 16 * z**3 + 3 * z) / (96.0 * nu_ * nu_)
    lo = np.full_like(nu_, min(z, 0.0) - 1.0)
    hi = np.full_like(nu_, np.inf)
    for _ in range(_SCORE_STEPS):
        excess = student_sf(t, nu_) - p
        lo = np.where(excess > 0, t, lo)
        hi = np.where(excess > 0, hi, t)
        step = excess / np.exp(_student_log_density(t, nu_))
        proposal = t + step
        inside = (proposal >= lo) & (proposal <= hi)
        middle = np.where(np.isfinite(hi), 0.5 * (lo + hi), 2.0 * np.maximum(t, 1.0))
        t_new = np.where(inside, proposal, middle)
        if np.all(np.abs(t_new - t) <= 1e-9 * np.maximum(1.0, np.abs(t))):
            t = t_new
            break
        t = t_new
    out: NDArray[np.float64] = np.where(finite, t, z)
    return out


_QUANTILES: dict[tuple[float, float], float] = {}
_QUANTILES_KEPT = 100_000


def student_quantiles(p: float, df: NDArray[np.float64]) -> NDArray[np.float64]:
    """``student_quantile`` for many degrees of freedom, each distinct one computed once.

    Results are kept between calls (whole degrees of freedom repeat across the tables of
    a trend), up to a bounded number.
    """
    unique, inverse = np.unique(df, return_inverse=True)
    missing = [d for d in unique.tolist() if (p, d) not in _QUANTILES]
    if missing:
        if len(_QUANTILES) + len(missing) > _QUANTILES_KEPT:
            _QUANTILES.clear()
        values = student_quantile(p, np.asarray(missing))
        _QUANTILES.update(zip(((p, d) for d in missing), values.tolist(), strict=True))
    found = np.array([_QUANTILES[p, d] for d in unique.tolist()], dtype=np.float64)
    out: NDArray[np.float64] = found[inverse.reshape(df.shape)]
    return out


def _z_statistic(delta: NDArray[np.float64], se: NDArray[np.float64]) -> NDArray[np.float64]:
    """``delta / se``, with 0 (not NaN) when both are 0: no evidence of any difference."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z: NDArray[np.float64] = np.asarray(delta / se, dtype=np.float64)
    z[(delta == 0) & (se == 0)] = 0.0
    return z


class Difference(NamedTuple):
    """Differences ``b − a`` between two samples, for ``G`` pairs, in points.

    Attributes:
        delta: The method's estimate of NPS(b) − NPS(a) (adjusted for ``"adjusted_wald"``).
        raw_delta: The difference of the raw NPS values.
        se: Standard error of ``delta``: ``sqrt(se_a² + se_b² − 2 cov)``, ``cov = 0`` for
            independent samples.
        lower: Lower interval limit (clipped to -200; at most ``raw_delta``).
        upper: Upper interval limit (clipped to 200; at least ``raw_delta``).
        z: Test statistic ``delta / se`` for "no difference".
        p_value: Two-sided p-value of ``z`` (survival function, no underflow).
        df: Degrees of freedom of the t reference distribution (infinite: normal).
    """

    delta: NDArray[np.float64]
    raw_delta: NDArray[np.float64]
    se: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    z: NDArray[np.float64]
    p_value: NDArray[np.float64]
    df: NDArray[np.float64]


def difference_method(method: Method) -> DifferenceMethod:
    """The two-sample method that goes with a one-sample interval method.

    The score and exact intervals are one-sample only, so comparisons made under
    ``"score"`` or ``"exact"`` use the adjusted Wald difference; ``"wald"`` and
    ``"adjusted_wald"`` map to themselves.
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
    overlap: Overlap | None = None,
    reference: Literal["normal", "t"] = "normal",
) -> Difference:
    """Compare two samples per group: NPS(b) − NPS(a), interval, z and p.

    Each pair ``(a[g], b[g])`` is compared (shapes broadcast, so one ``a`` row can be
    compared with many ``b`` rows). SE of the difference is ``sqrt(se_a² + se_b²)``, each
    computed as in [`estimate`][netpromoter._stats.estimate] (Wald: divisor ``n``;
    adjusted Wald: each sample gets its own 0.75 / 1.5 / 0.75 pseudo-responses, and the
    delta is that of the adjusted estimates). The interval is ``delta ± z·se``, clipped to
    [-200, 200] and widened where needed to include the raw difference (which an adjusted
    interval can miss when the pseudo-responses pull both estimates to the middle);
    ``z = delta / se`` and ``p = 2 P(Z > |z|)``.

    Samples that are not independent (the same respondents in both, or two domains of
    one calibrated design) have a covariance, subtracted twice from the variance. Under
    ``"wald"`` it is the raw one (``covariance`` plus
    [`overlap_covariance`][netpromoter._stats.overlap_covariance] of ``overlap``), and
    the variance is a sum of squared per-respondent influences. Under
    ``"adjusted_wald"`` it is [`adjusted_covariance`][netpromoter._stats.
    adjusted_covariance]: the covariance of the pseudo-response-adjusted estimates,
    centred on the adjusted means, so that the variance of the difference is the sum of
    squared per-respondent differences plus the pseudo-responses' own share, and never 0.

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
        covariance: Optional covariance of the two raw estimates per pair (points²), when
            they are two domains of one calibrated design.
        overlap: Optional sums over the respondents in both samples and within each
            (see [`Overlap`][netpromoter._stats.Overlap]), when the samples share
            respondents.
        reference: ``"normal"`` (default, as R ``NPS``) or ``"t"``: Student's t with
            Welch–Satterthwaite degrees of freedom
            ``(V_a + V_b)² / (V_a² / ν_a + V_b² / ν_b)``, ``ν`` each sample's size minus
            one (with the 3 pseudo-responses for ``"adjusted_wald"``; the effective size
            when weighted), or ``min(ν_a, ν_b)`` when the samples are not independent,
            rounded down to a whole number (at least 1).
            Its heavier tails keep p-values valid far into the tail, where many
            comparisons adjusted together look; the interval uses the same quantile.
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
    if not (isinstance(method, str) and method in DIFFERENCE_METHODS):
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
    if method == "wald":
        raw = np.zeros_like(variance) if covariance is None else covariance
        if overlap is not None:
            raw = raw + overlap_covariance(a, b, overlap.cross, weighted=weighted_a or weighted_b)
        if covariance is not None or overlap is not None:
            # A sum of squares: only rounding can take it below 0.
            variance = np.maximum(variance - 2.0 * raw, 0.0)
    elif covariance is not None or overlap is not None:
        sides = (
            _Side(a, weighted_a, size_a, design_a, centre_a, se_a),
            _Side(b, weighted_b, size_b, design_b, centre_b, se_b),
        )
        variance = variance - 2.0 * adjusted_covariance(*sides, covariance, overlap)
    se = np.sqrt(variance)
    z = _z_statistic(delta, se)
    raw_delta = nps_b - nps_a
    df = np.full_like(delta, np.inf)
    if reference == "t":
        extra = 0.0 if method == "wald" else float(ADJUSTMENT.sum())
        nu_a, nu_b = (
            _information(t, weighted=w, population_size=n, design_se=d) + extra - 1.0
            for t, w, n, d in ((a, weighted_a, size_a, design_a), (b, weighted_b, size_b, design_b))
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            v_a, v_b = se_a * se_a, se_b * se_b
            welch = (v_a + v_b) ** 2 / (v_a * v_a / nu_a + v_b * v_b / nu_b)
        dependent = covariance is not None or overlap is not None
        # Whole degrees of freedom, rounded down: slightly heavier tails, and few
        # distinct quantiles to compute.
        df = np.floor(np.minimum(nu_a, nu_b) if dependent else welch)
        df = np.where(np.isnan(df) | (df < 1.0), np.where(np.isnan(df), np.inf, 1.0), df)
        p_value = np.minimum(1.0, 2.0 * student_sf(np.abs(z), df))
        level = check_confidence_level(confidence_level)
        margin = student_quantiles((1.0 - level) / 2.0, df) * se
    else:
        p_value = p_values(z)
        margin = z_crit * se
    return Difference(
        delta=delta,
        raw_delta=raw_delta,
        se=se,
        lower=np.fmin(np.clip(delta - margin, -200.0, 200.0), raw_delta),
        upper=np.fmax(np.clip(delta + margin, -200.0, 200.0), raw_delta),
        z=z,
        p_value=p_value,
        df=df,
    )


class _Side(NamedTuple):
    """One sample of a comparison, as ``adjusted_covariance`` needs it."""

    tally: Tally
    weighted: bool
    population_size: float | None
    design_se: NDArray[np.float64] | None
    centre: NDArray[np.float64]
    se: NDArray[np.float64]

    def pseudo_ratio(self) -> NDArray[np.float64]:
        """``π``: the pseudo-responses' share of the adjusted variance over the real one's.

        The adjusted variance is ``(R + P) / (size + 3)²`` with ``R = size · v'`` from the
        real responses (``v' = v + (ȳ − ȳ_adj)²``, their mean square about the adjusted
        mean ``ȳ_adj``) and ``P = Σ_k c_k (s_k − ȳ_adj)² = 1.5 + 3 ȳ_adj²`` from the
        pseudo-responses; ``π = P / R`` (infinite when ``R = 0``).
        """
        size = _information(
            self.tally,
            weighted=self.weighted,
            population_size=self.population_size,
            design_se=self.design_se,
        )
        share = shares(self.tally)
        raw, variance = _nps_and_variance(share)
        mean = self.centre / 100.0
        pseudo = (ADJUSTMENT * (CATEGORY_VALUE - mean[..., None]) ** 2).sum(axis=-1)
        real = size * (variance + (raw / 100.0 - mean) ** 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            out: NDArray[np.float64] = np.where(real > 0, pseudo / real, np.inf)
        return out


class OwnSums(NamedTuple):
    """Sums over the respondents of one sample, per respondent ``c`` first.

    With ``W_c`` the sum of respondent ``c``'s weights in the sample and ``S_c`` of weight
    × ``s``, per group: ``ss = Σ_c S_c²``, ``sw = Σ_c S_c W_c``, ``ww = Σ_c W_c²``. With
    one answer per respondent and no weights they are ``Σ s²``, ``Σ s`` and ``n``.
    """

    ss: NDArray[np.float64]
    sw: NDArray[np.float64]
    ww: NDArray[np.float64]


class Overlap(NamedTuple):
    """Two samples that share respondents: sums across them and within each.

    Attributes:
        cross: Sums over the respondents in both samples.
        own_a: Per-respondent sums within sample ``a``.
        own_b: Per-respondent sums within sample ``b``.
    """

    cross: CrossSums
    own_a: OwnSums
    own_b: OwnSums


def adjusted_covariance(
    a: _Side,
    b: _Side,
    covariance: NDArray[np.float64] | None,
    overlap: Overlap | None,
) -> NDArray[np.float64]:
    """Covariance of two adjusted-Wald estimates (points²), from one adjusted table.

    Each adjusted estimate is ``Σ s / (size + 3)`` over the real responses and the
    pseudo-responses (whose ``s`` sum to 0). Linearised about the adjusted means
    ``ȳ_a``, ``ȳ_b``, respondent ``c`` contributes ``x_c = S_ca − ȳ_a W_ca`` to ``a`` and
    ``y_c = S_cb − ȳ_b W_cb`` to ``b``; the pseudo-responses of the two samples are
    distinct, so they add to each variance and nothing to the covariance. With
    ``Q_a = Σ_c x_c²``, ``Q_b = Σ_c y_c²`` and the pseudo-to-real ratio ``π`` of each
    sample (``_Side.pseudo_ratio``)::

        ρ   = Σ_(c in both) x_c y_c / sqrt(Q_a Q_b)
        cov = ρ · sqrt(V_a V_b / ((1 + π_a)(1 + π_b)))

    with ``V`` the adjusted variances. Unweighted, with one answer per respondent, this is
    exactly ``Σ x_c y_c / ((n_a + 3)(n_b + 3))``, so ``V_a + V_b − 2 cov`` is the sum of
    the squared per-respondent differences ``(y_c − x_c) / (n + 3)`` plus the
    pseudo-responses' terms: positive, whatever share of respondents keeps its score.
    Weighted, ``V`` is the design-based adjusted variance and the same construction
    holds with effective sizes. By Cauchy–Schwarz ``|ρ| ≤ 1``, and ``π > 0``, so
    ``V_a + V_b − 2 cov > (sqrt(V_a) − sqrt(V_b))² ≥ 0``.

    A calibrated design's raw ``covariance`` of the two estimates enters as its
    correlation ``covariance / (se_a se_b)`` (raw SEs), added to ``ρ``; the sum is kept
    within [-1, 1].
    """
    rho = np.zeros_like(a.centre)
    mean_a, mean_b = a.centre / 100.0, b.centre / 100.0
    if overlap is not None:
        own_a, own_b, cross = overlap.own_a, overlap.own_b, overlap.cross
        q_a = own_a.ss - 2.0 * mean_a * own_a.sw + mean_a * mean_a * own_a.ww
        q_b = own_b.ss - 2.0 * mean_b * own_b.sw + mean_b * mean_b * own_b.ww
        shared = cross.ss - mean_b * cross.sw - mean_a * cross.ws + mean_a * mean_b * cross.ww
        with np.errstate(invalid="ignore", divide="ignore"):
            part = shared / np.sqrt(np.maximum(q_a, 0.0) * np.maximum(q_b, 0.0))
        rho = rho + np.where((cross.n > 0) & np.isfinite(part), part, 0.0)
    if covariance is not None:
        raw_a = wald_se(
            a.tally,
            weighted=a.weighted,
            population_size=a.population_size,
            design_se=a.design_se,
        )
        raw_b = wald_se(
            b.tally,
            weighted=b.weighted,
            population_size=b.population_size,
            design_se=b.design_se,
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            part = covariance / (raw_a * raw_b)
        rho = rho + np.where(np.isfinite(part), part, 0.0)
    rho = np.clip(rho, -1.0, 1.0)
    with np.errstate(invalid="ignore"):
        scale = 1.0 / np.sqrt((1.0 + a.pseudo_ratio()) * (1.0 + b.pseudo_ratio()))
    out: NDArray[np.float64] = rho * a.se * b.se * scale
    return out


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
    benchmark lies outside the score interval. Exact: the one-sided p-values of
    [`netpromoter._exact`][netpromoter._exact] at the benchmark (``"greater"``: that of
    larger values; two-sided: twice the smaller, at most 1), with ``z`` the score
    statistic that orders the outcomes; it rejects at ``α`` exactly when the benchmark
    is outside the exact ``1 − α`` interval.

    Args:
        tally: Per-group tally.
        benchmark: The null NPS in points, -100..100 (broadcast against the groups).
        weighted: Whether the tally carries real weights.
        method: ``"wald"``, ``"adjusted_wald"``, ``"score"`` or ``"exact"``.
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
    if method in ("score", "exact"):
        size = _information(
            tally, weighted=weighted, population_size=population_size, design_se=design_se
        )
        with np.errstate(invalid="ignore"):
            z = score_statistic(shares(tally), size, null)
        z = np.where(nps == null, 0.0, z)
    else:
        z = _z_statistic(centre - null, se)
    if method == "exact":
        check_exact(weighted=weighted, population_size=population_size, design_se=design_se)
        from netpromoter import _exact  # noqa: PLC0415 - _exact builds on this module

        counts = by_category(tally.count).astype(np.int64).reshape(-1, 3)
        nulls = np.broadcast_to(null, (len(counts),)).tolist()
        sides = np.array(
            [
                _exact.one_sided(int(c.sum()), int(c[0]), int(c[2]), t / 100.0)
                for c, t in zip(counts, nulls, strict=True)
            ]
        ).reshape(-1, 2)
        up, low = sides[:, 0], sides[:, 1]
        if alternative == "greater":
            p = up
        elif alternative == "less":
            p = low
        else:
            p_values(z, alternative)  # validates the alternative
            p = np.minimum(1.0, 2.0 * np.minimum(up, low))
        return BenchmarkTest(estimate=centre, z=z, p_value=p)
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
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # a margin of 1e-300
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
        tally.exponent,
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


def adjust(p: NDArray[np.float64], correction: Correction) -> NDArray[np.float64]:
    """P-values adjusted for multiple comparisons: Holm, Benjamini–Hochberg or none.

    Examples:
        >>> adjust(np.array([0.01, 0.04, 0.03]), "bh").tolist()
        [0.03, 0.04, 0.04]
    """
    if correction == "holm":
        return holm(p)
    if correction == "bh":
        return benjamini_hochberg(p)
    out: NDArray[np.float64] = np.array(p, dtype=np.float64)
    return out


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
    counts: NDArray[np.float64],
    mean: NDArray[np.float64],
    concentration: float | NDArray[np.float64],
) -> NDArray[np.float64]:
    """Log marginal likelihood of category counts under a Dirichlet–multinomial model.

    With ``α = concentration`` and prior mean shares ``m``, the counts ``x_g`` of group
    ``g`` (``n_g`` in all) have, up to a term free of ``α`` and ``m``,
    ``ln Γ(α) − ln Γ(n_g + α) + Σ_k [ln Γ(x_gk + α m_k) − ln Γ(α m_k)]``.

    Args:
        counts: ``(G, K)`` counts (may be fractional, e.g. effective counts).
        mean: ``(K,)`` prior mean shares, each positive, summing to 1.
        concentration: ``α > 0``, or an array of them.

    Returns:
        The log likelihood summed over groups, one per concentration.
    """
    alpha = np.asarray(concentration, dtype=np.float64)[..., None]
    a = alpha[..., None] * mean
    n = counts.sum(axis=-1)
    per_group = (
        log_gamma(alpha)
        - log_gamma(n + alpha)
        + (log_gamma(counts + a) - log_gamma(a)).sum(axis=-1)
    )
    out: NDArray[np.float64] = per_group.sum(axis=-1)
    return out


#: The grid of prior concentrations ``α`` (pseudo-responses) integrated over: log-spaced.
CONCENTRATION_GRID = np.logspace(-2.0, 7.0, 181)


def mean_information(n: NDArray[np.float64], alpha: NDArray[np.float64]) -> NDArray[np.float64]:
    """``N_α = N² / Σ_g n_g (n_g + α) / (1 + α)``: the effective size of the overall shares.

    The pooled shares of groups whose own shares are ``Dirichlet(α m)`` vary as those of
    a simple sample of ``N_α`` answers: ``N`` (all answers) when the groups are alike
    (``α → ∞``), the number of groups' worth when they differ completely (``α → 0``).
    """
    total = n.sum()
    out: NDArray[np.float64] = (
        total * total / ((n[:, None] * (n[:, None] + alpha)).sum(axis=0) / (1.0 + alpha))
    )
    return out


def concentration_posterior(
    counts: NDArray[np.float64], mean: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Posterior weights of ``CONCENTRATION_GRID`` given ``(G, K)`` counts.

    The Dirichlet–multinomial likelihood at the overall shares ``mean``, times
    ``N_α^(−(K−1)/2)`` (``mean_information``: integrating the shares out, as restricted
    maximum likelihood does for a variance, so that groups fitted by their own average
    do not look more alike than they are), times the prior ``p(α) ∝ (1 + α)^(−2)``:
    uniform in ``ρ = 1 / (1 + α)``, the share of a group's variance that lies between
    groups, so groups that differ no more than sampling explains keep every small ``ρ``
    possible rather than all of them being shrunk to the overall. The grid is even in
    ``ln α`` (Jacobian ``α``).
    """
    alpha = CONCENTRATION_GRID
    k = counts.shape[-1]
    log_post = dirichlet_multinomial_loglik(counts, mean, alpha)
    log_post = log_post - 0.5 * (k - 1) * np.log(mean_information(counts.sum(axis=-1), alpha))
    log_post = log_post - 2.0 * np.log1p(alpha) + np.log(alpha)
    weights = np.exp(log_post - log_post.max())
    out: NDArray[np.float64] = weights / weights.sum()
    return out


class Shrunken(NamedTuple):
    """Posterior summaries of each group's NPS under a hierarchical Dirichlet prior.

    Attributes:
        nps: Posterior mean NPS, in points.
        lower: Lower limit of the equal-tailed credible interval.
        upper: Upper limit of the equal-tailed credible interval.
        prob_above: Posterior probability that the group's NPS exceeds ``reference``.
        concentration: Posterior median of the prior concentration ``α``.
    """

    nps: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    prob_above: NDArray[np.float64]
    concentration: float


def shrink(
    counts: NDArray[np.float64],
    mean: NDArray[np.float64],
    *,
    reference: float,
    credible_level: float = 0.95,
    draws: int = 4_000,
    seed: int = 0,
) -> Shrunken:
    """Posterior NPS per group, the prior's mean and concentration integrated over.

    Model: group ``g``'s (detractor, passive, promoter) shares are
    ``θ_g ~ Dirichlet(α m)`` and its counts multinomial given ``θ_g``. Neither ``α`` nor
    ``m`` is taken as known:

    * ``α`` has the posterior ``concentration_posterior`` on ``CONCENTRATION_GRID``;
    * given ``α``, ``m ~ Dirichlet(N_α m̂)`` around the overall shares ``m̂`` (``mean``),
      with ``N_α`` (``mean_information``) the effective size of ``m̂`` when groups differ
      as ``α`` says;
    * ``θ_g ~ Dirichlet(α m + x_g)``.

    Each of ``draws`` draws takes ``α``, then ``m``, then every group's ``θ`` (gamma
    variates normalised, seeded); the credible interval and ``P(NPS_g > reference)``
    come from the draws (the Monte Carlo SE of the probability is at most
    ``0.5 / sqrt(draws)``). The posterior mean is exact:
    ``Σ_α p(α) (x_gP − x_gD + α (m̂_P − m̂_D)) / (n_g + α)``, between the raw and the
    overall NPS.

    Args:
        counts: ``(G, 3)`` detractor, passive, promoter counts (effective counts when
            weighted).
        mean: ``(3,)`` overall shares ``m̂``, the prior's mean.
        reference: NPS (points) to compare each group with, usually the overall NPS.
        credible_level: Probability inside the equal-tailed credible interval.
        draws: Posterior draws per group.
        seed: Seed of the random generator.

    Returns:
        Posterior mean, credible interval, probability above the reference and the
        posterior median of ``α``.
    """
    level = check_confidence_level(credible_level)
    prior = np.maximum(mean, 1e-12)
    prior = prior / prior.sum()
    weights = concentration_posterior(counts, prior)
    alpha = CONCENTRATION_GRID
    n = counts.sum(axis=-1)
    exact = counts[:, None, 2] - counts[:, None, 0] + alpha * (prior[2] - prior[0])
    nps = 100.0 * (exact / (n[:, None] + alpha)) @ weights
    rng = np.random.default_rng(seed)
    picked = alpha[rng.choice(len(alpha), size=draws, p=weights)]
    size = mean_information(n, picked)
    m = rng.standard_gamma(size[:, None] * prior)
    m = m / m.sum(axis=1, keepdims=True)
    shape = (picked[:, None] * m).T  # (3, draws): the prior part of every draw
    tails = [(1.0 - level) / 2.0, (1.0 + level) / 2.0]
    lower = np.empty(len(counts))
    upper = np.empty(len(counts))
    prob = np.empty(len(counts))
    block = max(1, (1 << 22) // max(draws * 3, 1))
    for start in range(0, len(counts), block):
        part = counts[start : start + block]
        # Category-major draws keep each category's gammas contiguous.
        g = rng.standard_gamma(shape[:, None, :] + part.T[:, :, None])
        sample = 100.0 * (g[2] - g[0]) / (g[0] + g[1] + g[2])
        lo, hi = np.quantile(sample, tails, axis=1)
        lower[start : start + block] = lo
        upper[start : start + block] = hi
        prob[start : start + block] = (sample > reference).mean(axis=1)
    cumulative = np.cumsum(weights)
    median = float(alpha[int(np.searchsorted(cumulative, 0.5))])
    return Shrunken(nps, lower, upper, prob, median)


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


def domain_variance(tally: Tally) -> NDArray[np.float64]:
    """Design-based variance (points²) of each group's NPS as a domain of the whole sample.

    R ``survey``'s linearisation with ``ids = ~1`` over all ``n`` rows of the tally:
    ``n / (n − 1) Σ_(i in g) w_i² (s_i − ȳ_g)² / W_g²`` (the groups' estimates are
    uncorrelated: each row's influence is on its own group's mean only). Unweighted, the
    weights are 1. NaN for a group with no weight.
    """
    n = np.float64(tally.count.sum())
    w = by_category(tally.sum_w)
    w2 = by_category(tally.sum_w2)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w @ CATEGORY_VALUE) / total
        resid = CATEGORY_VALUE - mean[..., None]
        out: NDArray[np.float64] = (
            1e4 * n / (n - 1.0) * (w2 * resid * resid).sum(axis=-1) / (total * total)
        )
    return out


def f_sf(statistic: float, df1: float, df2: float) -> float:
    """Upper tail ``P(F > statistic)`` of an F distribution (real degrees of freedom).

    ``I_(df2 / (df2 + df1 F))(df2 / 2, df1 / 2)``; as R's ``pf(x, df1, df2,
    lower.tail = FALSE)``.

    Examples:
        >>> round(f_sf(3.0, 2.0, 10.0), 9)
        0.095367432
    """
    if math.isnan(statistic):
        return math.nan
    if statistic <= 0.0:
        return 1.0
    if math.isinf(statistic):
        return 0.0
    x = df2 / (df2 + df1 * statistic)
    return float(beta_incomplete(df2 / 2.0, df1 / 2.0, x)[()])


class Homogeneity(NamedTuple):
    """A Rao–Scott test that ``G`` estimates are equal: ``F`` on real degrees of freedom."""

    statistic: float
    df: float
    df_denominator: float
    p_value: float


def rao_scott_homogeneity(
    estimates: NDArray[np.float64],
    covariance: NDArray[np.float64],
    working: NDArray[np.float64],
    df_denominator: float,
) -> Homogeneity:
    """Rao–Scott (second-order) test of "all ``G`` estimates are equal".

    The quadratic form uses the working model's weights ``W_g`` (each group's total
    weight, so the estimates' working variances are ``σ² / W_g``): with ``C`` the
    contrasts between the groups,
    ``Q = (Cθ)ᵀ (C W⁻¹ Cᵀ)⁻¹ (Cθ) = Σ_g W_g (θ_g − θ̄_W)²``. Its distribution under equal
    estimates is ``Σ_j λ_j χ²_1`` with ``λ`` the eigenvalues of
    ``(C W⁻¹ Cᵀ)⁻¹ (C V Cᵀ)``, ``V`` the estimates' design-based covariance; matching
    two moments (``t = mean λ``, ``r = mean λ² / t²``) gives
    ``F = Q / (ν t r)`` on ``ν = (G − 1) / r`` and ``df_denominator`` degrees of
    freedom. As R ``survey``'s ``regTermTest(svyglm(y ~ group, d), ~group,
    method = "WorkingWald", lrt.approximation = "satterthwaite")``. Unlike the plain
    Wald test it does not weight each group by the inverse of its own estimated
    variance, which makes small groups whose answers happen to vary little count far
    too much. Only ``tr(M)`` and ``tr(M²)`` of ``M = (C W⁻¹ Cᵀ)⁻¹ C V Cᵀ`` are needed:
    ``Cᵀ (C W⁻¹ Cᵀ)⁻¹ C = A = diag(W) − W Wᵀ / Σ W``, so ``tr M = tr(A V)`` and
    ``tr M² = tr(A V A V)`` (in ``O(G)`` when ``V`` is diagonal).

    Args:
        estimates: ``(G,)`` estimates.
        covariance: ``(G,)`` variances of uncorrelated estimates, or ``(G, G)``.
        working: ``(G,)`` working weights ``W_g`` (any common scale).
        df_denominator: Denominator degrees of freedom (the design's residual ones).

    Returns:
        ``F``, its two degrees of freedom and the p-value. Groups whose estimates have
        no variance at all give ``F = ∞`` and ``p = 0`` if they differ.

    Examples:
        >>> t = rao_scott_homogeneity(
        ...     np.array([10.0, 20.0]), np.array([25.0, 25.0]), np.ones(2), 100.0
        ... )
        >>> round(t.statistic, 6), t.df, round(t.p_value, 6)
        (2.0, 1.0, 0.160405)
    """
    g = len(estimates)
    w = working / working.mean()  # the statistic does not depend on their scale
    total = w.sum()
    centre = float(w @ estimates / total)
    q = float(w @ (estimates - centre) ** 2)
    if covariance.ndim == 1:
        u = w * covariance
        trace = float(u.sum() - (w * u).sum() / total)
        square = float((u * u).sum() - 2.0 * (w * u * u).sum() / total + (w @ u) ** 2 / total**2)
    else:
        a = np.diag(w) - np.outer(w, w) / total
        av = a @ covariance
        trace = float(np.trace(av))
        square = float(np.trace(av @ av))
    k = g - 1
    if trace <= 0.0 or square <= 0.0:
        spread = q > 1e-12 * max(1.0, float(w @ estimates**2))
        return Homogeneity(
            math.inf if spread else 0.0, float(k), df_denominator, 0.0 if spread else 1.0
        )
    mean = trace / k
    ratio = (square / k) / (mean * mean)
    df = k / ratio
    statistic = q / (df * mean * ratio)
    return Homogeneity(statistic, df, df_denominator, f_sf(statistic, df, df_denominator))
