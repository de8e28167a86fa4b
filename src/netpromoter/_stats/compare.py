"""Comparing NPS values: two samples (independent or paired), a benchmark, many at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from netpromoter._scale import CATEGORY_VALUE, by_category
from netpromoter._stats import exact
from netpromoter._stats.distributions import (
    Alternative,
    p_values,
    student_quantiles,
    student_sf,
    z_value,
)
from netpromoter._stats.estimate import (
    ADJUSTMENT,
    DIFFERENCE_METHODS,
    DifferenceMethod,
    Method,
    Sampling,
    _centre_and_se,
    _information,
    _nps_and_variance,
    check_exact,
    shares,
    wald_se,
)
from netpromoter._stats.score import score_statistic
from netpromoter._validation import check_confidence_level
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._tally import Tally
    from netpromoter._validation import Correction

#: Relative float rounding allowed below a whole number of degrees of freedom.
_DF_ROUNDING = 1e-9


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
        >>> from netpromoter._count import tally
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
        # distinct quantiles to compute. A value within float rounding (1e-9 relative)
        # below a whole number is that number, so sums taken in another order (rows, or
        # an engine's cells) give the same degrees of freedom.
        exact = np.minimum(nu_a, nu_b) if dependent else welch
        df = np.floor(exact * (1.0 + _DF_ROUNDING))
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
        >>> from netpromoter._count import tally
        >>> t = tally(np.array([10] * 30 + [8] * 10 + [3] * 10, dtype=np.int8))
        >>> res = benchmark_test(t, 20.0, weighted=False, method="wald", alternative="greater")
        >>> round(float(res.z[0]), 3), round(float(res.p_value[0]), 4)
        (1.768, 0.0385)
    """
    null = np.asarray(benchmark, dtype=np.float64)
    sampling = Sampling(weighted=weighted, population_size=population_size, design_se=design_se)
    nps, centre, se = _centre_and_se(tally, method=method, **sampling)
    if method in ("score", "exact"):
        size = _information(tally, **sampling)
        with np.errstate(invalid="ignore"):
            z = score_statistic(shares(tally), size, null)
        z = np.where(nps == null, 0.0, z)
    else:
        z = _z_statistic(centre - null, se)
    if method == "exact":
        check_exact(**sampling)

        counts = by_category(tally.count).astype(np.int64).reshape(-1, 3)
        nulls = np.broadcast_to(null, (len(counts),)).tolist()
        sides = np.array(
            [
                exact.one_sided(int(c.sum()), int(c[0]), int(c[2]), t / 100.0)
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
        >>> from netpromoter._count import tally
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


def complement(tally: Tally) -> Tally:
    """The tally of "everyone else" for each group: the total over all groups minus it.

    Tallies add, so the rest of group ``g`` is ``Σ tally − tally[g]``; weight sums are
    floored at 0 against rounding.

    Examples:
        >>> from netpromoter._count import tally
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
