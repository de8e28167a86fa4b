"""One NPS per group, vectorised: shares, NPS, standard errors, design sizes and intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple, TypedDict

import numpy as np

from netpromoter._scale import CATEGORY_VALUE, by_category
from netpromoter._stats import exact
from netpromoter._stats.distributions import z_value
from netpromoter._stats.score import _score_limits
from netpromoter._validation import check_choice, check_confidence_level
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._tally import Tally


Method = Literal["wald", "adjusted_wald", "score", "exact"]


METHODS: tuple[Method, ...] = ("wald", "adjusted_wald", "score", "exact")


#: Methods of comparing two independent samples.
DifferenceMethod = Literal["wald", "adjusted_wald"]


DIFFERENCE_METHODS: tuple[DifferenceMethod, ...] = ("wald", "adjusted_wald")


#: Pseudo-responses added by the adjusted Wald method: detractors, passives, promoters.
ADJUSTMENT = np.array([0.75, 1.5, 0.75])


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
    ss, total = _squared_residuals(tally)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: NDArray[np.float64] = 100.0 * np.sqrt(n / (n - 1.0) * ss) / total
    return out


def _squared_residuals(tally: Tally) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per group: ``Σ w_i² (s_i − ȳ)²`` and ``W = Σ w_i`` (``ȳ`` the weighted mean of ``s``).

    ``s`` is +1 for a promoter, 0 for a passive, −1 for a detractor; NaN for a group with
    no weight.
    """
    w = by_category(tally.sum_w)
    w2 = by_category(tally.sum_w2)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w @ CATEGORY_VALUE) / total
        resid = CATEGORY_VALUE - mean[..., None]
        ss: NDArray[np.float64] = (w2 * resid * resid).sum(axis=-1)
    return ss, total


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


class Sampling(TypedDict):
    """How a tally was sampled, as every SE needs it: weights, population, design SEs."""

    weighted: bool
    population_size: float | None
    design_se: NDArray[np.float64] | None


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
    sampling = Sampling(weighted=weighted, population_size=population_size, design_se=design_se)
    totals = by_category(tally.sum_w)
    total = totals.sum(axis=-1)
    nps = nps_of(totals)
    if method in ("wald", "score", "exact"):
        return (
            nps,
            nps,
            wald_se(tally, **sampling),
        )
    if method == "adjusted_wald":
        size = _information(tally, **sampling)
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
        >>> from netpromoter._count import tally
        >>> t = tally(np.array([10, 10, 9, 8, 3], dtype=np.int8))
        >>> est = estimate(t, weighted=False, method="score", confidence_level=0.95)
        >>> [round(float(x[0]), 4) for x in est]
        [40.0, 29.993, -34.9282, 82.6421]
    """
    z = z_value(confidence_level)
    sampling = Sampling(weighted=weighted, population_size=population_size, design_se=design_se)
    nps, centre, se = _centre_and_se(tally, method=method, **sampling)
    if method == "exact":
        check_exact(**sampling)

        level = check_confidence_level(confidence_level)
        counts = by_category(tally.count).astype(np.int64).reshape(-1, 3)
        empty = counts.sum(axis=1) == 0
        lower, upper = exact.limits(np.where(empty[:, None], 1, counts), level)
        lower, upper = np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)
        se = (upper - lower) / (2.0 * z)
    elif method == "score":
        size = _information(tally, **sampling)
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


class Precision(NamedTuple):
    """How precisely responses estimate an NPS, for planning a survey.

    ``variance`` is one response's variance ``v`` (see ``per_response_variance``), ``z`` the
    normal quantile of the confidence level, ``population_size`` the ``N`` of the finite
    population correction (``None``: none). The margin of ``n`` responses is
    ``100 z sqrt(v / n) sqrt((N − n) / (N − 1))``; ``required_n`` inverts it.

    Examples:
        >>> plan = Precision(1.0, 1.959963984540054)
        >>> float(plan.margin(385).round(3)), float(plan.required_n(10.0).round(2))
        (9.989, 384.15)
    """

    variance: float | NDArray[np.float64]
    z: float
    population_size: float | None = None

    def margin(self, n: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """Margin of error in points of ``n`` responses."""
        size = np.asarray(n, dtype=np.float64)
        f = population_factor(size, self.population_size, weighted=False)
        out: NDArray[np.float64] = 100.0 * self.z * np.sqrt(np.asarray(self.variance) / size * f)
        return out

    def required_n(self, target: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """Smallest (real) ``n`` whose margin of error is ``target`` points.

        Without a population, ``n0 = z² v / (target / 100)²``; with one, solving the
        corrected margin for ``n`` gives ``n = n0 N / (N − 1 + n0)`` (Cochran 1977, eq.
        4.2 for the NPS variance).
        """
        m = np.asarray(target, dtype=np.float64) / 100.0
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # a margin of 1e-300
            n0 = self.z * self.z * np.asarray(self.variance, dtype=np.float64) / (m * m)
            if self.population_size is None:
                return n0
            big_n = float(self.population_size)
            out: NDArray[np.float64] = n0 * big_n / (big_n - 1.0 + n0)
        return out


def domain_variance(tally: Tally) -> NDArray[np.float64]:
    """Design-based variance (points²) of each group's NPS as a domain of the whole sample.

    R ``survey``'s linearisation with ``ids = ~1`` over all ``n`` rows of the tally:
    ``n / (n − 1) Σ_(i in g) w_i² (s_i − ȳ_g)² / W_g²`` (the groups' estimates are
    uncorrelated: each row's influence is on its own group's mean only). Unweighted, the
    weights are 1. NaN for a group with no weight.
    """
    n = np.float64(tally.count.sum())
    ss, total = _squared_residuals(tally)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: NDArray[np.float64] = 1e4 * n / (n - 1.0) * ss / (total * total)
    return out
