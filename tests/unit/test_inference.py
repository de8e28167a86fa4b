"""Unit tests of netpromoter.inference and the inference options of score()."""

from __future__ import annotations

import math

import numpy as np
import pytest

from netpromoter import (
    BenchmarkResult,
    ComparisonResult,
    EmptyDataError,
    InvalidParameterError,
    NPSCounts,
    Response,
    SmallSampleWarning,
    compare,
    compare_to_benchmark,
    margin_of_error,
    sample_size,
    sample_size_for_difference,
    score,
)

LAST = [10, 9, 9, 8, 7, 6, 3, 10, 9, 5] * 3
THIS = [10, 10, 9, 9, 8, 9, 6, 10, 9, 10] * 3
Z95 = 1.959963984540054


# --- score(): methods, intervals and the finite population correction -----------------


def test_wald_interval_is_nps_plus_minus_z_se() -> None:
    """Wald: NPS ± 1.96 SE with SE = 100 sqrt((p + d − (p − d)²) / n)."""
    result = score(LAST, method="wald")
    p, d = 15 / 30, 9 / 30
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / 30)
    assert result.se == pytest.approx(se, rel=1e-12)
    assert result.ci == pytest.approx((result.nps - Z95 * se, result.nps + Z95 * se), rel=1e-12)
    assert result.margin_of_error == pytest.approx(Z95 * se, rel=1e-12)


def test_adjusted_wald_centres_on_the_adjusted_estimate_and_reports_the_raw_nps() -> None:
    """Adjusted Wald adds 0.75 / 1.5 / 0.75 responses; nps stays the raw NPS."""
    result = score(LAST)
    centre = 100 * (15.75 - 9.75) / 33
    assert result.nps == pytest.approx(20.0)
    assert sum(result.ci) / 2 == pytest.approx(centre, rel=1e-12)


def test_score_interval_is_asymmetric_and_contains_the_estimate() -> None:
    """The score interval leans towards the middle for a skewed sample."""
    result = score([10] * 18 + [3, 8], method="score")
    lower, upper = result.ci
    assert lower < result.nps < upper < 100
    assert result.nps - lower > upper - result.nps
    assert result.margin_of_error == pytest.approx((upper - lower) / 2)


@pytest.mark.parametrize("method", ["adjusted_wald", "score"])
@pytest.mark.parametrize("data", [[10] * 12, [0] * 12, [7, 8] * 6, [9]])
def test_default_methods_never_give_a_zero_width_interval(method: str, data: list[int]) -> None:
    """One category only: adjusted Wald and score still give a real interval."""
    lower, upper = score(data, method=method).ci  # type: ignore[arg-type]
    assert upper - lower > 1.0


def test_zero_width_wald_interval_warns() -> None:
    """Wald on one category has SE 0 (as R NPS): a SmallSampleWarning says what it means."""
    with pytest.warns(SmallSampleWarning, match="zero width"):
        result = score([10] * 12, method="wald")
    assert result.ci == (100.0, 100.0)


def test_one_weighted_response_has_no_wald_interval() -> None:
    """As R survey refuses one unit, the weighted Wald SE of one response is NaN, with a warning."""
    with pytest.warns(SmallSampleWarning, match="no design-based variance"):
        result = score([10], weights=[2.0], method="wald")
    assert math.isnan(result.se)
    assert score([10], weights=[2.0]).ci == score([10]).ci


def test_limits_are_clipped_to_the_nps_scale() -> None:
    """No interval reaches outside -100..100."""
    result = score([10, 10, 10, 9, 0], method="wald")
    assert result.ci[1] == 100.0
    assert result.margin_of_error > 100.0 - result.nps


def test_census_has_no_sampling_error() -> None:
    """population_size == n: margin 0 and the interval is the NPS, for every method."""
    for method in ("wald", "adjusted_wald", "score"):
        result = score(LAST, method=method, population_size=len(LAST))
        assert result.margin_of_error == 0.0
        assert result.ci == pytest.approx((result.nps, result.nps), abs=1e-9)


def test_weighted_census_has_no_sampling_error() -> None:
    """Weighted, population_size == n also gives a zero margin for every method."""
    w = np.linspace(0.5, 2.0, len(LAST))
    for method in ("wald", "adjusted_wald", "score"):
        result = score(LAST, weights=w, method=method, population_size=30)
        assert result.margin_of_error == 0.0
        assert result.ci == pytest.approx((result.nps, result.nps), abs=1e-9)


def test_weighted_score_interval_uses_the_design_effective_size() -> None:
    """Weighted score interval = unweighted score interval of the same shares on n_design."""
    w = np.where(np.asarray(LAST) >= 9, 2.0, 1.0)
    weighted = score(LAST, weights=w, method="score")
    wald = score(LAST, weights=w, method="wald")
    p, d = wald.promoter_share, wald.detractor_share
    size = (p + d - (p - d) ** 2) / (wald.se / 100) ** 2
    for limit in weighted.ci:
        t = limit / 100
        lin = -d - p + (2 - p + d) * t
        q = (math.sqrt(lin * lin + 8 * d * t * (1 - t)) - lin) / 4
        z = (p - d - t) / math.sqrt((2 * q + t * (1 - t)) / size)
        assert abs(z) == pytest.approx(Z95, rel=1e-9)


def test_finite_population_correction_scales_the_wald_se() -> None:
    """The SE shrinks by sqrt((N − n) / (N − 1))."""
    plain = score(LAST, method="wald")
    corrected = score(LAST, method="wald", population_size=120)
    assert corrected.se == pytest.approx(plain.se * math.sqrt(90 / 119), rel=1e-12)
    assert corrected.population_size == 120


def test_weighted_finite_population_correction_is_survey_s() -> None:
    """Weighted: the design-based SE shrinks by sqrt(1 − n / N), as R survey's fpc."""
    w = np.linspace(0.5, 2.0, len(LAST))
    plain = score(LAST, weights=w, method="wald")
    corrected = score(LAST, weights=w, method="wald", population_size=300)
    assert corrected.se == pytest.approx(plain.se * math.sqrt(1 - 30 / 300), rel=1e-12)


def test_confidence_interval_keeps_the_population_size() -> None:
    """Recomputing the interval at another level keeps the finite population correction."""
    result = score(LAST, population_size=40)
    again = score(LAST, population_size=40, confidence_level=0.9)
    assert result.confidence_interval(0.9) == again.ci


@pytest.mark.parametrize("size", [29, 0, -5, 30.5, "many", True, math.inf])
def test_bad_population_size_is_rejected(size: object) -> None:
    """A population smaller than the sample, or not a whole number, is a clear error."""
    with pytest.raises(InvalidParameterError, match="population_size") as info:
        score(LAST, population_size=size)  # type: ignore[arg-type]
    assert info.value.name == "population_size"


def test_population_smaller_than_sample_names_both() -> None:
    """The message gives the population size and n."""
    with pytest.raises(
        ValueError, match=r"population_size 29 is smaller than the sample \(n = 30\)"
    ):
        score(LAST, population_size=29)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, math.nan])
def test_confidence_level_outside_0_1_is_rejected(level: float) -> None:
    """Levels must be strictly between 0 and 1."""
    with pytest.raises(InvalidParameterError, match="confidence_level"):
        score(LAST, confidence_level=level)


def test_weighted_adjusted_wald_uses_the_design_effective_size() -> None:
    """Weighted adjusted Wald adds the pseudo-responses to n_design = v / Var_design."""
    w = np.where(np.asarray(LAST) >= 9, 2.0, 1.0)
    wald = score(LAST, weights=w, method="wald")
    result = score(LAST, weights=w)
    p, d = wald.promoter_share, wald.detractor_share
    size = (p + d - (p - d) ** 2) / (wald.se / 100) ** 2
    adj_p = (p * size + 0.75) / (size + 3)
    adj_d = (d * size + 0.75) / (size + 3)
    se = 100 * math.sqrt((adj_p + adj_d - (adj_p - adj_d) ** 2) / (size + 3))
    assert result.se == pytest.approx(se, rel=1e-12)
    assert sum(result.ci) / 2 == pytest.approx(100 * (adj_p - adj_d), rel=1e-12)


def test_weighted_single_category_falls_back_to_kish() -> None:
    """All promoters, weighted: the adjusted interval uses Kish's n and is not degenerate."""
    w = [1.0, 2.0, 3.0, 4.0]
    result = score([10] * 4, weights=w)
    kish = 10.0**2 / 30.0
    adj_p, adj_d = (kish + 0.75) / (kish + 3), 0.75 / (kish + 3)
    se = 100 * math.sqrt((adj_p + adj_d - (adj_p - adj_d) ** 2) / (kish + 3))
    assert result.se == pytest.approx(se, rel=1e-12)


# --- compare() -------------------------------------------------------------------------


def test_compare_is_signed_b_minus_a() -> None:
    """The delta is NPS(b) − NPS(a): positive when b is better."""
    result = compare(LAST, THIS, method="wald")
    assert result.raw_delta == pytest.approx(score(THIS).nps - score(LAST).nps)
    assert result.delta == pytest.approx(result.raw_delta)
    assert result.ci[0] < result.delta < result.ci[1]
    assert isinstance(result, ComparisonResult)


def test_compare_adjusted_reports_adjusted_and_raw_delta() -> None:
    """Adjusted Wald: delta is of the adjusted estimates; raw_delta of the raw ones."""
    result = compare(LAST, THIS)
    adjusted = 100 * ((24.75 - 3.75) / 33 - (15.75 - 9.75) / 33)
    assert result.delta == pytest.approx(adjusted, rel=1e-12)
    assert result.raw_delta == pytest.approx(70.0 - 20.0)


def test_compare_accepts_results_counts_and_responses() -> None:
    """Arrays, Response lists, tallies and results give the same comparison."""
    expected = compare(LAST, THIS)
    responses = [Response(score=s) for s in THIS]
    assert compare(score(LAST), responses) == expected
    assert compare(NPSCounts.from_scores(LAST), np.asarray(THIS)) == expected


def test_compare_keeps_weights_of_weighted_results() -> None:
    """A weighted result is compared with its design-based SE."""
    w = np.linspace(0.5, 2.0, len(LAST))
    weighted = score(LAST, weights=w, method="wald")
    result = compare(weighted, THIS, method="wald")
    plain_b = score(THIS, method="wald")
    assert result.se == pytest.approx(math.hypot(weighted.se, plain_b.se), rel=1e-12)
    assert result.a.weighted


def test_compare_significance_agrees_with_the_interval() -> None:
    """The flag significant is p < 1 − level, which is the interval excluding 0."""
    result = compare(LAST, THIS, confidence_level=0.99)
    assert result.significant == (result.ci[0] > 0 or result.ci[1] < 0)
    assert result.significant == (result.p_value < 0.01)


def test_compare_keeps_tiny_p_values() -> None:
    """A huge difference gives a tiny but positive p-value, not 0."""
    result = compare([10, 0] * 5000, ([10] * 7 + [0] * 3) * 1000, method="wald")
    z = 40 / (100 * math.sqrt(1.84 / 10_000))
    assert result.z == pytest.approx(z, rel=1e-12)
    assert 1e-300 < result.p_value < 1e-100
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)


def test_compare_rejects_the_score_method() -> None:
    """The score interval is one-sample only."""
    with pytest.raises(InvalidParameterError, match="one-sample only"):
        compare(LAST, THIS, method="score")  # type: ignore[arg-type]


def test_compare_rejects_an_empty_sample() -> None:
    """An empty sample is an EmptyDataError naming it."""
    with pytest.raises(EmptyDataError, match="sample b is empty"):
        compare(LAST, [])


def test_comparison_to_dict_and_repr() -> None:
    """to_dict is flat and the repr shows the signed difference."""
    result = compare(LAST, THIS)
    data = result.to_dict()
    assert data["nps_a"] == 20.0
    assert data["nps_b"] == 70.0
    assert data["ci_lower"] == result.ci[0]
    assert f"delta=+50.0 (adjusted {result.delta:+.1f})" in repr(result)
    assert "<table" in result._repr_html_()


# --- compare_to_benchmark() ------------------------------------------------------------


def test_benchmark_two_sided_wald() -> None:
    """Wald: z = (NPS − benchmark) / SE and p = 2 P(Z > |z|)."""
    result = compare_to_benchmark(LAST, 35, method="wald")
    base = score(LAST, method="wald")
    z = (base.nps - 35) / base.se
    assert result.z == pytest.approx(z, rel=1e-12)
    assert result.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-12)
    assert isinstance(result, BenchmarkResult)


def test_benchmark_one_sided_p_values_add_to_one() -> None:
    """The "greater" and "less" p-values are complementary; greater is half the two-sided one."""
    greater = compare_to_benchmark(THIS, 40, alternative="greater")
    less = compare_to_benchmark(THIS, 40, alternative="less")
    both = compare_to_benchmark(THIS, 40)
    assert greater.p_value + less.p_value == pytest.approx(1.0)
    assert greater.p_value == pytest.approx(both.p_value / 2)


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
def test_score_test_rejects_exactly_outside_the_score_interval(level: float) -> None:
    """The two-sided score test at a limit of the score interval has p = 1 − level."""
    lower, upper = score(LAST, method="score", confidence_level=level).ci
    for limit in (lower, upper):
        test = compare_to_benchmark(LAST, limit, method="score", confidence_level=level)
        assert test.p_value == pytest.approx(1 - level, abs=1e-9)


def test_benchmark_at_the_estimate_is_not_significant() -> None:
    """Testing against the sample's own NPS gives z = 0 and p = 1."""
    for method in ("wald", "score"):
        test = compare_to_benchmark(LAST, 20.0, method=method)
        assert (test.z, test.p_value) == (0.0, 1.0)


@pytest.mark.parametrize("benchmark", [-101, 100.5, math.nan, "40", None])
def test_bad_benchmark_is_rejected(benchmark: object) -> None:
    """Benchmarks are NPS points in -100..100."""
    with pytest.raises(InvalidParameterError, match="benchmark"):
        compare_to_benchmark(LAST, benchmark)  # type: ignore[arg-type]


def test_bad_alternative_is_rejected() -> None:
    """Unknown alternatives are named."""
    with pytest.raises(InvalidParameterError, match="'above'"):
        compare_to_benchmark(LAST, 10, alternative="above")  # type: ignore[arg-type]


def test_benchmark_uses_a_result_s_population_size() -> None:
    """A result scored with a population size is tested with the same correction."""
    result = score(LAST, population_size=60, method="wald")
    test = compare_to_benchmark(result, 0, method="wald")
    assert test.result.se == result.se
    assert test.to_dict()["nps"] == 20.0


# --- margin_of_error(), sample_size(), sample_size_for_difference() ------------------


def test_margin_of_error_worst_case() -> None:
    """±100 z sqrt(1 / n): 100 responses give about ±19.6 points."""
    assert margin_of_error(100) == pytest.approx(100 * Z95 / 10, rel=1e-12)


def test_margin_of_error_with_expected_shares_and_nps() -> None:
    """Expected shares give v = p + d − (p − d)²; an expected NPS t gives 1 − t²."""
    shares = margin_of_error(100, expected=(0.2, 0.3, 0.5))
    assert shares == pytest.approx(100 * Z95 * math.sqrt((0.7 - 0.09) / 100), rel=1e-12)
    assert margin_of_error(100, expected=30) == pytest.approx(
        100 * Z95 * math.sqrt(0.91 / 100), rel=1e-12
    )
    pilot = score(LAST)
    assert margin_of_error(50, expected=pilot) == pytest.approx(
        score(LAST, method="wald").se * Z95 * math.sqrt(30 / 50), rel=1e-12
    )


def test_low_response_rate_barely_narrows_the_margin() -> None:
    """At a 1 % response rate the finite population correction is under 0.5 %."""
    plain = margin_of_error(100)
    corrected = margin_of_error(100, population_size=10_000)
    assert 0.99 * plain < corrected < plain
    assert margin_of_error(100, population_size=100) == 0.0


@pytest.mark.parametrize(
    ("margin", "level", "expected"), [(10, 0.95, 385), (5, 0.95, 1537), (10, 0.9, 271)]
)
def test_sample_size_worst_case(margin: float, level: float, expected: int) -> None:
    """The size is ceil(z² / (margin / 100)²): ±10 at 95 % needs 385."""
    assert sample_size(margin, confidence_level=level) == expected


def test_sample_size_meets_its_margin_and_is_the_smallest() -> None:
    """The returned n reaches the margin and n − 1 does not, with and without N."""
    for population in (None, 500, 5000):
        for target in (3, 7.5, 10, 20):
            n = sample_size(target, population_size=population)
            assert margin_of_error(n, population_size=population) <= target
            if n > 1:
                assert margin_of_error(n - 1, population_size=population) > target


def test_sample_size_never_exceeds_the_population() -> None:
    """A tiny margin in a small population needs at most everyone."""
    assert sample_size(0.1, population_size=300) <= 300


def test_sample_size_for_difference() -> None:
    """Per group: (z_α/2 + z_power)² · 2v / δ²; 10 points, 80 % power: 1,570."""
    z_power = 0.8416212335729143
    expected = math.ceil((Z95 + z_power) ** 2 * 2 / 0.01)
    assert sample_size_for_difference(10) == expected == 1570
    assert sample_size_for_difference(10, expected=40) < 1570


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: sample_size(-5), "margin"),
        (lambda: sample_size(0), "margin"),
        (lambda: sample_size(math.inf), "margin"),
        (lambda: margin_of_error(0), "n"),
        (lambda: margin_of_error(50, population_size=20), "population_size"),
        (lambda: sample_size(5, expected=(0.5, 0.6, 0.1)), "expected"),
        (lambda: sample_size(5, expected=140), "expected"),
        (lambda: sample_size_for_difference(-3), "difference"),
        (lambda: sample_size_for_difference(5, power=1.0), "power"),
        (lambda: sample_size_for_difference(5, alternative="left"), "alternative"),  # type: ignore[arg-type]
    ],
)
def test_planning_rejects_bad_input(call: object, name: str) -> None:
    """Negative margins, impossible shares and the like raise InvalidParameterError."""
    with pytest.raises(InvalidParameterError) as info:
        call()  # type: ignore[operator]
    assert info.value.name == name


def test_tiny_p_values_show_as_below_a_thousandth() -> None:
    """5e-26 is shown as "< 0.001" in text and HTML; the result keeps the full value."""
    result = compare([10] * 300 + [0] * 300, [10] * 500 + [0] * 100)
    assert 0 < result.p_value < 1e-20
    assert "p < 0.001" in repr(result)
    assert "&lt; 0.001" in result._repr_html_()
    assert result.to_dict()["p_value"] == result.p_value
    plain = compare([10, 9, 3, 7, 0], [10, 9, 8, 7, 0])
    assert f"p = {plain.p_value:.3f}" in repr(plain)
    benchmark = compare_to_benchmark([10] * 400 + [3] * 100, 0)
    assert "p < 0.001" in repr(benchmark)
