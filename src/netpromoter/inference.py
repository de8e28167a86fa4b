"""Inference: compare two NPS, test one against a benchmark, plan sample sizes.

Every number here is computed by the one statistics layer from tallies, so a comparison
of two scores uses exactly the SEs that [`score`][netpromoter.core.score] reports. The
formulas, their sources and a coverage study are on the
[inference page](../inference.md).

Examples:
    >>> from netpromoter.inference import compare, sample_size
    >>> last, this = [10, 9, 8, 6, 3] * 8, [10, 10, 9, 8, 6] * 8
    >>> result = compare(last, this)
    >>> round(result.raw_delta, 1), result.significant
    (40.0, True)
    >>> sample_size(10)
    385
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import numpy as np

from netpromoter import _stats, _svg
from netpromoter._renamed import renamed_value
from netpromoter._results import ConfidenceInterval, SummaryResult
from netpromoter._results import format as fmt
from netpromoter._results.chart import Chart, forest
from netpromoter._validation import check_choice, check_confidence_level, check_population_size
from netpromoter.core import NPSCounts, NPSResult, _build_result
from netpromoter.exceptions import EmptyDataError, InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._tally import Tally

__all__ = [
    "BenchmarkResult",
    "ComparisonResult",
    "compare",
    "compare_to_benchmark",
    "margin_of_error",
    "sample_size",
    "sample_size_for_difference",
]

Method = _stats.Method
DifferenceMethod = _stats.DifferenceMethod
Alternative = _stats.Alternative
#: What a sample may be given as: scores (array, sequence, ``Response`` objects), a tally
#: or a result.
Sample = NPSResult | NPSCounts | Iterable[object]
#: Expected answers for planning: an NPS in points (worst case: no passives), shares
#: ``(detractor, passive, promoter)`` summing to 1, or a pilot result or tally.
Expected = float | tuple[float, float, float] | NPSResult | NPSCounts | None
_MAX_NPS = 100.0
#: Widest a difference of two NPS can be, the open end of a one-sided interval.
_MAX_DIFFERENCE = 200.0


class _Sample(NamedTuple):
    """A sample as the statistics layer sees it."""

    tally: Tally
    weighted: bool
    n_missing: int
    population_size: int | None
    design_se: float | None = None

    @property
    def n(self) -> int:
        return int(self.tally.count.sum())

    def result(
        self, method: Method, confidence_level: float, population_size: int | None = None
    ) -> NPSResult:
        return _build_result(
            self.tally,
            n_missing=self.n_missing,
            weighted=self.weighted,
            method=method,
            confidence_level=confidence_level,
            population_size=population_size,
            design_se=self.design_se,
        )

    @property
    def design(self) -> NDArray[np.float64] | None:
        """The design SE as the statistics layer takes it (``None``: plain SE)."""
        return None if self.design_se is None else np.array([self.design_se])


def _sample_of(sample: Sample, name: str) -> _Sample:
    """Tally a sample (or take a tally or result's) and its population size, if any."""
    if isinstance(sample, NPSResult):
        return _Sample(
            sample.to_tally(),
            sample.weighted,
            sample.n_missing,
            sample.population_size,
            sample.design_se,
        )
    counts = sample if isinstance(sample, NPSCounts) else NPSCounts.from_scores(sample)
    if counts.n == 0:
        msg = f"sample {name} is empty; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    return _Sample(counts.to_tally(), counts.weighted, counts.n_missing, None)


class ComparisonResult(SummaryResult):
    """How sample ``b`` differs from sample ``a``: NPS(b) − NPS(a), with interval and test.

    Attributes:
        a: The first (reference) sample's result.
        b: The second sample's result.
        delta: The method's estimate of NPS(b) − NPS(a), in points (the difference of the
            adjusted estimates for ``"adjusted_wald"``).
        raw_delta: ``b.nps − a.nps``.
        se: Standard error of ``delta``: ``sqrt(se_a² + se_b²)``.
        ci: Interval for the difference, ``(low, high)``: ``delta ± z·se`` clipped to
            [-200, 200] for ``"two-sided"``; one-sided for the other alternatives,
            ``(delta − z_(1−α)·se, 200)`` for ``"greater"`` and ``(-200, delta +
            z_(1−α)·se)`` for ``"less"``, as scipy's tests report them.
        z: ``delta / se``.
        p_value: P-value of "no difference" against the alternative.
        significant: ``p_value < 1 − confidence_level`` (the interval excludes 0).
        method: ``"wald"`` or ``"adjusted_wald"``.
        confidence_level: The interval's confidence level.
        alternative: ``"two-sided"`` (NPS(b) differs from NPS(a)), ``"greater"`` (NPS(b)
            is above NPS(a)) or ``"less"`` (below).
    """

    a: NPSResult
    b: NPSResult
    delta: float
    raw_delta: float
    se: float
    ci: ConfidenceInterval
    z: float
    p_value: float
    significant: bool
    method: DifferenceMethod
    confidence_level: float
    alternative: Alternative = "two-sided"

    def to_dict(self) -> dict[str, Any]:
        """The comparison as a flat dictionary of plain values (each side's NPS and n)."""
        data = self.model_dump(exclude={"a", "b", "ci"})
        data["ci_lower"], data["ci_upper"] = self.ci
        data.update(nps_a=self.a.nps, n_a=self.a.n, nps_b=self.b.nps, n_b=self.b.n)
        return data

    def __repr__(self) -> str:
        """Short form: the raw (and adjusted) difference, its interval and p-value."""
        lo, hi = self.ci
        adjusted = f" (adjusted {fmt.signed(self.delta)})" if self.method == "adjusted_wald" else ""
        sided = "" if self.alternative == "two-sided" else f", alternative={self.alternative!r}"
        return (
            f"ComparisonResult(delta={fmt.signed(self.raw_delta)}{adjusted}, "
            f"{self.confidence_level:.0%} CI [{fmt.signed(lo)}, {fmt.signed(hi)}], "
            f"{fmt.p_text(self.p_value)}{sided}, n_a={self.a.n:,}, n_b={self.b.n:,})"
        )

    CSS: ClassVar[str] = "netpromoter-comparison"

    def plot(self) -> Chart:
        """Both samples' NPS with their intervals, one row each (``a`` above ``b``)."""
        rows = [
            _svg.Interval(name, side.nps, *side.ci, f"n = {fmt.count(side.n)}", flagged=False)
            for name, side in (("a", self.a), ("b", self.b))
        ]
        level = fmt.share(self.confidence_level, 0)
        title = (
            f"NPS of a and b with {level} intervals: difference {fmt.signed(self.raw_delta)}, "
            f"{fmt.p_text(self.p_value)}"
        )
        return forest(rows, None, title)

    def _pairs(self) -> list[list[str]]:
        return [
            ["NPS a → b", f"{fmt.signed(self.a.nps)} → {fmt.signed(self.b.nps)}"],
            ["Difference", fmt.signed(self.raw_delta)],
            ["Estimate of the method", fmt.signed(self.delta)],
            [
                f"{self.confidence_level:.0%} interval ({self.method})",
                f"{fmt.signed(self.ci[0])} to {fmt.signed(self.ci[1])}",
            ],
            ["p-value", fmt.p_value(self.p_value)],
            ["Alternative", self.alternative],
            ["Responses", f"{self.a.n:,} and {self.b.n:,}"],
        ]


def compare(
    a: Sample,
    b: Sample,
    *,
    method: DifferenceMethod = "adjusted_wald",
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> ComparisonResult:
    """Compare the NPS of two independent samples: how ``b`` differs from ``a``.

    The difference is signed, NPS(b) − NPS(a), so "this quarter vs last quarter" is
    ``compare(last, this)``. Its SE is ``sqrt(se_a² + se_b²)`` with each sample's SE as in
    [`score`][netpromoter.core.score] (design-based for weighted results; finite-population
    corrected for results scored with a ``population_size``). With ``"adjusted_wald"``
    each sample gets its own 0.75 / 1.5 / 0.75 pseudo-responses and ``delta`` and the
    interval are those of the adjusted estimates (the raw difference is ``raw_delta``).
    ``z = delta / se`` and ``p = 2 P(Z > |z|)`` (``P(Z > z)`` for ``alternative="greater"``,
    ``P(Z < z)`` for ``"less"``), from the survival function so that small p-values keep
    their precision (down to about 1e-300). Unlike R ``NPS``, which reports
    ``|delta|`` and centres its interval there, the sign is kept.

    The samples must be independent (different respondents): the same people asked twice
    need a paired analysis.

    Args:
        a: The reference sample: scores, ``Response`` objects, an ``NPSCounts`` tally or
            an ``NPSResult`` (weighted results keep their weights; a result scored
            with a weighting result keeps its design SE, ``NPSResult.design_se``).
        b: The sample compared with it, in any of the same forms.
        method: ``"adjusted_wald"`` (default) or ``"wald"``.
        confidence_level: Confidence level of the interval, strictly between 0 and 1
            (one-sided for a one-sided alternative).
        alternative: ``"two-sided"`` (default), ``"greater"`` (NPS(b) above NPS(a)) or
            ``"less"``, as in ``scipy.stats``.

    Returns:
        The comparison, with both samples' results at the same method and level.

    Raises:
        EmptyDataError: A sample has no scores.
        InvalidParameterError: An unknown method (``"score"`` is one-sample only) or
            alternative, or a confidence level outside (0, 1).
        InvalidScoreError: A sample holds something that is not a 0..10 score.

    Examples:
        >>> c = compare([10, 9, 9, 6, 3, 8], [10, 10, 9, 9, 8, 7], method="wald")
        >>> round(c.raw_delta, 9), round(c.delta, 9)
        (50.0, 50.0)
        >>> round(c.p_value, 3)
        0.227
        >>> compare([10, 9, 9, 6, 3, 8], [10, 10, 9, 9, 8, 7]).delta == -compare(
        ...     [10, 10, 9, 9, 8, 7], [10, 9, 9, 6, 3, 8]
        ... ).delta
        True
        >>> c = compare([10, 9, 9, 6, 3, 8], [10, 10, 9, 9, 8, 7], alternative="greater")
        >>> c.ci.high, round(c.p_value, 3)
        (200.0, 0.173)
    """
    _stats.z_value(confidence_level)
    check_choice(alternative, "alternative", _stats.ALTERNATIVES)
    if not (isinstance(method, str) and method in _stats.DIFFERENCE_METHODS):
        expected = ", ".join(map(repr, _stats.DIFFERENCE_METHODS))
        msg = (
            f"unknown method {method!r} for comparing two samples; expected one of {expected} "
            "(the score interval is one-sample only)"
        )
        raise InvalidParameterError(msg, name="method", value=method)
    first, second = _sample_of(a, "a"), _sample_of(b, "b")
    diff = _stats.difference(
        first.tally,
        second.tally,
        weighted=(first.weighted, second.weighted),
        method=method,
        confidence_level=confidence_level,
        population_size=(first.population_size, second.population_size),
        design_se=(first.design, second.design),
    )
    lower, upper = float(diff.lower[0]), float(diff.upper[0])
    p_value = float(diff.p_value[0])
    if alternative != "two-sided":
        # One-sided: delta ∓ z_(1−α)·se on the tested side (clipped, and widened to the
        # raw difference like the two-sided bounds), open (±200) on the other.
        delta, se, raw = float(diff.delta[0]), float(diff.se[0]), float(diff.raw_delta[0])
        half = _stats.normal_quantile(confidence_level) * se
        lower, upper = (
            (min(max(delta - half, -_MAX_DIFFERENCE), raw), _MAX_DIFFERENCE)
            if alternative == "greater"
            else (-_MAX_DIFFERENCE, max(min(delta + half, _MAX_DIFFERENCE), raw))
        )
        p_value = float(_stats.p_values(float(diff.z[0]), alternative))
    return ComparisonResult(
        a=first.result(method, confidence_level, first.population_size),
        b=second.result(method, confidence_level, second.population_size),
        delta=float(diff.delta[0]),
        raw_delta=float(diff.raw_delta[0]),
        se=float(diff.se[0]),
        ci=ConfidenceInterval(lower, upper),
        z=float(diff.z[0]),
        p_value=p_value,
        significant=bool(p_value < 1.0 - confidence_level),
        method=method,
        confidence_level=confidence_level,
        alternative=alternative,
    )


class BenchmarkResult(SummaryResult):
    """A one-sample test of an NPS against a benchmark figure.

    Attributes:
        result: The sample's NPS, with its (two-sided) interval.
        benchmark: The figure tested against, in points.
        alternative: ``"two-sided"`` (different from), ``"greater"`` (above) or
            ``"less"`` (below the benchmark).
        estimate: The method's point estimate (adjusted for ``"adjusted_wald"``).
        difference: ``result.nps − benchmark``.
        z: Test statistic, positive when the estimate is above the benchmark.
        p_value: P-value for the alternative.
        significant: ``p_value < 1 − confidence_level``.
        method: The method of the test and interval.
        confidence_level: The confidence level (``1 −`` the significance level).
    """

    result: NPSResult
    benchmark: float
    alternative: Alternative
    estimate: float
    difference: float
    z: float
    p_value: float
    significant: bool
    method: Method
    confidence_level: float

    def to_dict(self) -> dict[str, Any]:
        """The test as a flat dictionary of plain values."""
        data = self.model_dump(exclude={"result"})
        data.update(nps=self.result.nps, n=self.result.n)
        return data

    def __repr__(self) -> str:
        """Short form: the NPS, the benchmark and the p-value."""
        return (
            f"BenchmarkResult(nps={fmt.signed(self.result.nps)}, "
            f"benchmark={fmt.signed(self.benchmark)}, alternative={self.alternative!r}, "
            f"{fmt.p_text(self.p_value)}, n={self.result.n:,})"
        )

    def _pairs(self) -> list[list[str]]:
        return [
            ["NPS", fmt.signed(self.result.nps)],
            ["Benchmark", fmt.signed(self.benchmark)],
            ["Alternative", self.alternative],
            ["p-value", fmt.p_value(self.p_value)],
            ["Responses", fmt.count(self.result.n)],
        ]


def compare_to_benchmark(
    sample: Sample,
    benchmark: float,
    *,
    alternative: Alternative = "two-sided",
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
    population_size: int | None = None,
) -> BenchmarkResult:
    """Test whether an NPS differs from (or is above, or below) a benchmark figure.

    Wald and adjusted Wald: ``z = (estimate − benchmark) / se``. Score: ``z`` is the score
    statistic at the benchmark (variance under the null), so the two-sided test rejects
    exactly when the benchmark is outside the score interval. One-sided p-values are
    ``P(Z > z)`` (``"greater"``) and ``P(Z < z)`` (``"less"``).

    Args:
        sample: Scores, ``Response`` objects, a tally or a result (a result's population
            size is used unless ``population_size`` is given, and its design SE when
            it was scored with a weighting result).
        benchmark: The figure to test against, in points, -100..100.
        alternative: ``"two-sided"`` (default), ``"greater"`` or ``"less"``.
        method: ``"adjusted_wald"`` (default), ``"wald"``, ``"score"`` or ``"exact"``
            (the exact one-sided p-values at the benchmark; unweighted only).
        confidence_level: Confidence level; the test's significance level is
            ``1 − confidence_level``.
        population_size: Optional population size, for the finite population correction.

    Returns:
        The test, with the sample's result.

    Raises:
        InvalidParameterError: A benchmark outside -100..100, an unknown method or
            alternative, a confidence level outside (0, 1), or a population smaller than
            the sample.
        EmptyDataError: The sample has no scores.

    Examples:
        >>> ours = [10] * 30 + [8] * 10 + [3] * 10
        >>> test = compare_to_benchmark(ours, 20, alternative="greater", method="wald")
        >>> round(test.p_value, 4), test.significant
        (0.0385, True)
    """
    _stats.z_value(confidence_level)
    if isinstance(benchmark, bool) or not isinstance(benchmark, int | float | np.number):
        msg = f"benchmark must be an NPS in points (-100..100), got {benchmark!r}"
        raise InvalidParameterError(msg, name="benchmark", value=benchmark)
    if not -_MAX_NPS <= float(benchmark) <= _MAX_NPS:
        msg = f"benchmark must be an NPS in points between -100 and 100, got {benchmark!r}"
        raise InvalidParameterError(msg, name="benchmark", value=benchmark)
    check_choice(alternative, "alternative", _stats.ALTERNATIVES)
    check_choice(method, "method", _stats.METHODS)
    data = _sample_of(sample, "sample")
    population = check_population_size(
        data.population_size if population_size is None else population_size, data.n
    )
    result = data.result(method, confidence_level, population)
    test = _stats.benchmark_test(
        data.tally,
        float(benchmark),
        weighted=data.weighted,
        method=method,
        alternative=alternative,
        population_size=population,
        design_se=data.design,
    )
    p_value = float(test.p_value[0])
    return BenchmarkResult(
        result=result,
        benchmark=float(benchmark),
        alternative=alternative,
        estimate=float(test.estimate[0]),
        difference=result.nps - float(benchmark),
        z=float(test.z[0]),
        p_value=p_value,
        significant=bool(p_value < 1.0 - confidence_level),
        method=method,
        confidence_level=confidence_level,
    )


def _variance_of(expected: Expected) -> float:
    """Per-response variance for planning, from what is expected (worst case 1)."""
    if expected is None:
        return 1.0
    if isinstance(expected, NPSResult):
        return float(
            _stats.per_response_variance(expected.promoter_share, expected.detractor_share)
        )
    if isinstance(expected, NPSCounts):
        return _variance_of(_sample_of(expected, "expected").result("adjusted_wald", 0.95))
    if isinstance(expected, Sequence) and not isinstance(expected, str | bytes):
        numbers = [
            x
            for x in expected
            if isinstance(x, int | float | np.number) and not isinstance(x, bool)
        ]
        values = tuple(float(x) for x in numbers)
        if (
            len(numbers) != len(expected)
            or len(values) != 3  # noqa: PLR2004 - three categories
            or not all(0.0 <= x <= 1.0 for x in values)
            or not math.isclose(sum(values), 1.0, abs_tol=1e-9)
        ):
            msg = (
                "expected shares must be (detractor, passive, promoter) between 0 and 1 "
                f"summing to 1, got {expected!r}"
            )
            raise InvalidParameterError(msg, name="expected", value=expected)
        detractor, _, promoter = values
        return float(_stats.per_response_variance(promoter, detractor))
    if isinstance(expected, bool) or not isinstance(expected, int | float | np.number):
        msg = (
            "expected must be an NPS in points, (detractor, passive, promoter) shares, "
            f"or a result; got {expected!r}"
        )
        raise InvalidParameterError(msg, name="expected", value=expected)
    t = float(expected) / _MAX_NPS
    if not -1.0 <= t <= 1.0:
        msg = f"expected NPS must be between -100 and 100, got {expected!r}"
        raise InvalidParameterError(msg, name="expected", value=expected)
    return 1.0 - t * t


#: Sample sizes beyond this are not a plan but a typo (and floats lose whole numbers).
_MOST_RESPONSES = 10**15


def _responses(needed: float, name: str, value: object) -> int:
    """``needed`` rounded up to whole responses (at least 1), or an error when absurd.

    Raises:
        InvalidParameterError: When more than ``_MOST_RESPONSES`` would be needed,
            naming the parameter that asks for it.
    """
    if not needed <= _MOST_RESPONSES:
        msg = (
            f"{name}={value!r} would need more than {_MOST_RESPONSES:.0e} responses; "
            f"give a larger {name}"
        )
        raise InvalidParameterError(msg, name=name, value=value)
    return max(1, math.ceil(needed - 1e-9))


def _check_positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        msg = f"{name} must be a positive number, got {value!r}"
        raise InvalidParameterError(msg, name=name, value=value)
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        msg = f"{name} must be a positive, finite number, got {value!r}"
        raise InvalidParameterError(msg, name=name, value=value)
    return number


def margin_of_error(
    n: int,
    *,
    confidence_level: float = 0.95,
    expected: Expected = None,
    population_size: int | None = None,
) -> float:
    """The margin of error, in NPS points, of a survey with ``n`` responses.

    ``100 z sqrt(v / n)``, times ``sqrt((N − n) / (N − 1))`` when the population size
    ``N`` is known. ``v`` is the variance of one response: 1 (the worst case, half
    promoters and half detractors) unless ``expected`` says otherwise. It is 0 when
    everyone answered. The finite population correction only helps when a large share of
    the population answers: at a 1 % response rate it changes the margin by 0.5 %, so
    500 answers out of 50,000 customers are as uncertain as 500 out of millions. And a
    margin covers sampling error only: if those who answer differ from those who do not
    (non-response bias), no margin shows it.

    Args:
        n: Number of responses, at least 1.
        confidence_level: Two-sided confidence level, strictly between 0 and 1.
        expected: What answers are expected: ``None`` (worst case), an NPS in points
            (worst case for it: no passives, ``v = 1 − (nps/100)²``), shares
            ``(detractor, passive, promoter)``, or a pilot ``NPSResult``/``NPSCounts``.
        population_size: Size of the population surveyed (e.g. customers invited).

    Returns:
        The half-width of a Wald interval, in points.

    Raises:
        InvalidParameterError: ``n`` below 1, a confidence level outside (0, 1),
            malformed ``expected`` or a population smaller than ``n``.

    Examples:
        >>> round(margin_of_error(100), 1)
        19.6
        >>> round(margin_of_error(100, population_size=10_000), 1)  # 1 % response rate
        19.5
        >>> margin_of_error(250, population_size=250)  # everyone answered
        0.0
    """
    z = _stats.z_value(confidence_level)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        msg = f"n must be a whole number of responses, at least 1, got {n!r}"
        raise InvalidParameterError(msg, name="n", value=n)
    if n > _MOST_RESPONSES:
        msg = f"n must be at most {_MOST_RESPONSES:.0e} responses, got {n!r}"
        raise InvalidParameterError(msg, name="n", value=n)
    population = check_population_size(population_size, int(n))
    variance = _variance_of(expected)
    return float(_stats.Precision(variance, z, population).margin(float(n)))


def sample_size(
    margin: float,
    *,
    confidence_level: float = 0.95,
    expected: Expected = None,
    population_size: int | None = None,
) -> int:
    """Responses needed for a margin of error of ``margin`` NPS points.

    ``n0 = z² v / (margin / 100)²`` rounded up, with ``v`` = 1 in the worst case (so
    ±10 points at 95 % needs 385 responses, ±5 needs 1,537), and with a population of
    ``N``, ``n = n0 N / (N − 1 + n0)`` (the exact solution of the corrected margin). To
    plan invitations, divide by the expected response rate.

    Args:
        margin: Target half-width, in points (> 0).
        confidence_level: Two-sided confidence level, strictly between 0 and 1.
        expected: As in [`margin_of_error`][netpromoter.inference.margin_of_error].
        population_size: Size of the population surveyed.

    Returns:
        The number of responses, at least 1 (at most ``population_size``).

    Raises:
        InvalidParameterError: A margin that is not positive, a confidence level outside
            (0, 1), or malformed ``expected``.

    Examples:
        >>> sample_size(10)
        385
        >>> sample_size(5, population_size=2_000)
        870
        >>> sample_size(10, expected=50)  # an NPS near +50 varies less
        289
    """
    target = _check_positive("margin", margin)
    z = _stats.z_value(confidence_level)
    population = check_population_size(population_size, 1)
    variance = _variance_of(expected)
    needed = float(_stats.Precision(variance, z, population).required_n(target))
    return _responses(needed, "margin", margin)


def sample_size_for_difference(
    difference: float,
    *,
    power: float = 0.8,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    expected: Expected = None,
) -> int:
    """Responses needed in each of two groups to detect an NPS difference.

    For a Wald test of two independent groups of equal size,
    ``n = (z_(1−α/2) + z_power)² (v_a + v_b) / (difference / 100)²`` per group
    (``z_(1−α)`` for a one-sided test, ``"greater"`` or ``"less"``: the same size, for a
    difference in the direction tested), with ``v_a = v_b = v`` from ``expected`` (worst
    case 1).

    Args:
        difference: The smallest difference worth detecting, in points (> 0).
        power: Probability of detecting it, strictly between 0 and 1 (default 0.8).
        confidence_level: ``1 −`` the significance level α.
        alternative: ``"two-sided"`` (default), ``"greater"`` or ``"less"`` (one-sided),
            as in ``scipy.stats``; the former ``"one-sided"`` still works, with a
            ``DeprecationWarning``.
        expected: As in [`margin_of_error`][netpromoter.inference.margin_of_error].

    Returns:
        The number of responses per group.

    Raises:
        InvalidParameterError: A difference that is not positive, a power or confidence
            level outside (0, 1), an unknown alternative or malformed ``expected``.

    Examples:
        >>> sample_size_for_difference(10)
        1570
        >>> sample_size_for_difference(10, alternative="greater")
        1237
    """
    delta = _check_positive("difference", difference) / 100.0
    if isinstance(power, bool) or not isinstance(power, int | float) or not 0 < power < 1:
        msg = f"power must be strictly between 0 and 1 (e.g. 0.8), got {power!r}"
        raise InvalidParameterError(msg, name="power", value=power)
    level = check_confidence_level(confidence_level)
    sided = renamed_value("alternative", alternative, "one-sided", "greater")
    check_choice(sided, "alternative", _stats.ALTERNATIVES)
    if sided == "two-sided":
        z_alpha = _stats.normal_quantile(0.5 + level / 2.0)
    else:
        z_alpha = _stats.normal_quantile(level)
    z_power = _stats.normal_quantile(power)
    variance = _variance_of(expected)
    square = delta * delta
    needed = (z_alpha + z_power) ** 2 * 2.0 * variance / square if square > 0 else math.inf
    return _responses(needed, "difference", difference)
