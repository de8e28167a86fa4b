"""Weighting: R survey goldens, targets and errors, trimming, B2B, rates and composition."""

from __future__ import annotations

import csv
import math
from functools import cache
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

import netpromoter as nps
from netpromoter import weighting as wt
from netpromoter.exceptions import (
    ConvergenceError,
    EmptyCellError,
    InvalidParameterError,
    InvalidWeightsError,
    MarginTotalsError,
    MissingTargetError,
    NetPromoterError,
    TargetError,
    WeightingError,
)
from netpromoter.weighting import diagnostics as wt_diagnostics
from weighting_sample import GOLDEN, role_region_cells, sample, weighting_golden

golden = weighting_golden


@cache
def r_weights() -> dict[str, NDArray[np.float64]]:
    """Per-respondent weights of every R design, by case name."""
    with (GOLDEN / "r" / "weighting_weights.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0] if k != "id"}


def case(name: str) -> dict[str, Any]:
    return next(c for c in golden()["cases"] if c["name"] == name)


def margins() -> dict[str, dict[str, float]]:
    pop = golden()["population"]
    return {k: pop[k] for k in ("role", "region", "spend_band")}


def assert_close(actual: NDArray[np.float64], expected: NDArray[np.float64], rel: float) -> None:
    worst = float(np.max(np.abs(actual / expected - 1.0)))
    assert worst <= rel, worst


@cache
def poststratified() -> wt.WeightingResult:
    return wt.poststratify(sample(), role_region_cells(), by=("role", "region"), weights="w0")


@cache
def raked() -> wt.WeightingResult:
    return wt.rake(sample(), margins(), weights="w0", tol=1e-13)


# --------------------------------------------------------------------- R goldens


def test_poststratified_weights_match_r() -> None:
    """R's postStratify weights are matched to 1e-9 per respondent."""
    assert_close(poststratified().weights, r_weights()["poststratify_role_region"], 1e-9)


def test_poststratified_nps_and_se_match_r() -> None:
    """svymean/svycontrast on the post-stratified design: NPS and SE to 1e-8."""
    expected = case("poststratify_role_region")
    result = nps.score(sample()["score"], weights=poststratified(), method="wald")
    assert result.nps == pytest.approx(expected["nps"], rel=1e-8)
    assert result.se == pytest.approx(expected["se"], rel=1e-8)
    assert poststratified().se_plain_weights == pytest.approx(
        expected["se_plain_weights"], rel=1e-8
    )


def test_poststratified_unit_base_matches_r() -> None:
    """Without base weights, post-stratification matches R with weights = 1."""
    result = wt.poststratify(sample(), role_region_cells(), by=["role", "region"])
    expected = case("poststratify_role_region_unit_base")
    assert_close(result.weights, r_weights()["poststratify_role_region_unit_base"], 1e-9)
    assert result.weighted is not None
    assert result.weighted.se == pytest.approx(expected["se"], rel=1e-8)


def test_raked_weights_match_r() -> None:
    """R's rake weights (epsilon 1e-13) are matched to 1e-9 per respondent."""
    assert raked().converged
    assert_close(raked().weights, r_weights()["rake_role_region_spend"], 1e-9)


def test_raked_nps_and_se_match_r() -> None:
    """The raked design's SE is R's, and differs from the plain weighted SE."""
    expected = case("rake_role_region_spend")
    weighted = raked().weighted
    assert weighted is not None
    assert weighted.nps == pytest.approx(expected["nps"], rel=1e-8)
    assert weighted.se == pytest.approx(expected["se"], rel=1e-8)
    assert raked().se_plain_weights == pytest.approx(expected["se_plain_weights"], rel=1e-8)
    assert weighted.se < expected["se_plain_weights"]


def test_trimmed_raked_design_matches_r() -> None:
    """trimWeights(strict = TRUE) on the raked design: weights, NPS and SE."""
    expected = case("rake_trimmed")
    result = wt.trim(raked(), upper=3.5, relative_to="mean")
    assert result.upper == pytest.approx(175.0)
    assert_close(result.weights, r_weights()["rake_trimmed"], 1e-9)
    assert result.weighted is not None
    assert result.weighted.nps == pytest.approx(expected["nps"], rel=1e-8)
    assert result.weighted.se == pytest.approx(expected["se"], rel=1e-8)


def test_trimmed_poststratified_design_with_both_bounds_matches_r() -> None:
    """R's trimWeights with upper and lower on the post-stratified design is matched."""
    expected = case("poststratify_trimmed")
    result = wt.trim(poststratified(), upper=2.5, lower=0.6, relative_to="mean")
    assert_close(result.weights, r_weights()["poststratify_trimmed"], 1e-9)
    assert result.weighted is not None
    assert result.weighted.se == pytest.approx(expected["se"], rel=1e-8)


def test_clustered_poststratified_se_matches_r() -> None:
    """Clusters (ids = ~account_id) with post-stratification: the calibrated cluster SE."""
    result = wt.poststratify(
        sample(), role_region_cells(), by=("role", "region"), weights="w0", cluster="account_id"
    )
    assert result.weighted is not None
    assert result.weighted.se == pytest.approx(case("poststratify_clustered")["se"], rel=1e-8)


def test_clustered_plain_weights_se_matches_r() -> None:
    """spend_weights-style plain weights with clusters: svydesign(ids = ~account_id)."""
    data = dict(sample())
    data["one"] = np.ones(len(data["score"]))
    result = wt.spend_weights(data, spend="w0", cluster="account_id")
    assert result.weighted is not None
    assert result.weighted.se == pytest.approx(case("base_clustered")["se"], rel=1e-8)


def test_domain_se_matches_r_subset() -> None:
    """A segment of a raked design is a domain: subset(d, role == "end_user")."""
    expected = golden()["domains"][0]
    data = sample()
    codes = (data["role"] == "end_user").astype(np.intp)
    se = raked().design_se(data["score"], codes=codes, n_groups=2)
    assert se[1] == pytest.approx(expected["se"], rel=1e-8)
    west = (data["region"] == "west").astype(np.intp)
    se_west = poststratified().design_se(data["score"], codes=west, n_groups=2)
    assert se_west[1] == pytest.approx(golden()["domains"][1]["se"], rel=1e-8)


def test_int64_cells_weight_on_every_numpy() -> None:
    """An int64 key (uint64 codes) weights each row to its cell's count over its size."""
    data = {"score": [9, 3, 10, 7], "g": np.array([0, 1, 1, 0], dtype=np.int64)}
    expected = [60 / 2, 40 / 2, 40 / 2, 60 / 2]
    assert nps.poststratify(data, {0: 60, 1: 40}, by="g").weights.tolist() == expected
    assert_close(nps.rake(data, {"g": {0: 60, 1: 40}}).weights, np.array(expected), 1e-12)


def test_r_rake_accepts_inconsistent_margins_but_we_raise() -> None:
    """R leaves the role margin at 50,000 each against 45,000 targets; we refuse."""
    r = golden()["inconsistent_margins"]
    assert r["r_role_totals_after"] == pytest.approx([50000.0, 50000.0])
    bad: dict[str, dict[str, float]] = {
        "role": {"decision_maker": 45000, "end_user": 45000},
        "region": margins()["region"],
    }
    with pytest.raises(MarginTotalsError, match=r"'role' sums to 90,000.*'region' sums to 100,000"):
        wt.rake(sample(), bad, weights="w0")


def test_normalise_turns_disagreeing_margins_into_shares() -> None:
    """normalise=True rakes each margin as shares of the first margin's total."""
    bad: dict[str, dict[str, float]] = {
        "role": {"decision_maker": 45000, "end_user": 45000},
        "region": margins()["region"],
    }
    result = wt.rake(sample(), bad, weights="w0", normalise=True)
    assert result.diagnostics.total == pytest.approx(90000.0)
    role = [t for t in result.targets if t.dimension == "role"]
    assert [t.weighted_total for t in role] == pytest.approx([45000.0, 45000.0])


# --------------------------------------------------------------------- raking behaviour


def test_rake_reports_sweeps_and_remaining_error() -> None:
    """Raking reports sweeps used and a remaining error within tolerance."""
    result = wt.rake(sample(), margins(), weights="w0", tol=1e-8)
    assert result.iterations >= 1
    assert result.max_target_error <= 1e-8 * 100000
    assert result.tol == 1e-8


def test_rake_is_invariant_to_rescaling_base_weights() -> None:
    """Multiplying base weights by a constant leaves raked weights unchanged."""
    data = dict(sample())
    data["w0"] = data["w0"] * 37.5
    again = wt.rake(data, margins(), weights="w0", tol=1e-13)
    assert_close(again.weights, raked().weights, 1e-11)


def test_rake_respects_base_weights() -> None:
    """Final weight / base weight is constant within each crossed cell."""
    data = sample()
    ratio = raked().weights / data["w0"]
    key = np.char.add(np.char.add(data["role"], data["region"]), data["spend_band"])
    for k in np.unique(key):
        part = ratio[key == k]
        assert np.ptp(part) <= 1e-12 * part.max()


def test_rake_non_convergence_is_an_error_or_reported() -> None:
    """Too few sweeps raise ConvergenceError; strict=False reports converged=False."""
    with pytest.raises(ConvergenceError, match="did not converge in 1 sweeps") as info:
        wt.rake(sample(), margins(), weights="w0", max_iter=1)
    assert info.value.iterations == 1
    loose = wt.rake(sample(), margins(), weights="w0", max_iter=1, strict=False)
    assert not loose.converged
    assert loose.max_target_error > 1e-10 * 100000


def test_rake_with_shares_scales_to_base_total() -> None:
    """Margins given as shares are scaled to the total base weight."""
    data = {"score": [9, 3, 7, 10], "a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "q"]}
    result = wt.rake(data, {"a": {"x": 0.25, "y": 0.75}, "b": {"p": 0.5, "q": 0.5}})
    assert result.diagnostics.total == pytest.approx(4.0)
    assert [t.weighted_total for t in result.targets] == pytest.approx([1.0, 3.0, 2.0, 2.0])


def test_rake_ok_when_a_crossed_cell_is_empty() -> None:
    """Raking needs no respondent in every crossed cell, only in every level."""
    data = {"score": [9, 3, 7], "a": ["x", "x", "y"], "b": ["p", "q", "q"]}
    result = wt.rake(data, {"a": {"x": 2, "y": 2}, "b": {"p": 1, "q": 3}})
    assert result.weights.tolist() == pytest.approx([1.0, 1.0, 2.0])


@pytest.mark.parametrize(
    ("margins_", "error", "match"),
    [
        ({"a": {"x": 1, "y": 1, "z": 1}}, EmptyCellError, "a = 'z' has a population target"),
        ({"a": {"x": 1}}, MissingTargetError, "have a = 'y', which has no population target"),
        ({"a": {"x": 1, "y": -1}}, TargetError, "a = 'y' is -1"),
        ({"a": {"x": 1, "y": math.nan}}, TargetError, "a = 'y' is nan"),
        ({"a": {"x": 1, "y": 0}}, TargetError, "target of a = 'y' is 0"),
        ({"a": {"x": 1, "y": "2"}}, TargetError, "must be a number"),
    ],
)
def test_rake_target_errors_name_dimension_and_level(
    margins_: dict[str, dict[str, float]], error: type[WeightingError], match: str
) -> None:
    """Each bad target is a typed WeightingError naming the dimension and level."""
    data = {"score": [9, 3, 7], "a": ["x", "y", "y"]}
    with pytest.raises(error, match=match) as info:
        wt.rake(data, margins_)
    assert isinstance(info.value, NetPromoterError)
    assert isinstance(info.value, ValueError)
    assert info.value.dimension == "a"


def test_missing_values_form_a_level_that_needs_a_target() -> None:
    """A missing key is its own level: never dropped, and it needs a target."""
    data = {"score": [9, 3, 7], "a": ["x", None, "x"]}
    with pytest.raises(MissingTargetError, match=r"missing values in the data"):
        wt.rake(data, {"a": {"x": 1}})


# --------------------------------------------------------------------- post-stratification


def test_poststratify_reproduces_cell_totals_exactly() -> None:
    """Every cell's weighted total equals its population count."""
    for row in poststratified().targets:
        assert row.weighted_total == pytest.approx(row.target, rel=1e-14)
    assert poststratified().max_target_error < 1e-9


def test_poststratify_accepts_a_table_of_counts() -> None:
    """A mapping of columns (role, region, count) works like the keyed mapping."""
    keyed = role_region_cells()
    table = {
        "role": [k[0] for k in keyed],
        "region": [k[1] for k in keyed],
        "N": list(keyed.values()),
    }
    result = wt.poststratify(sample(), table, by=("role", "region"), weights="w0")
    np.testing.assert_array_equal(result.weights, poststratified().weights)


def test_poststratify_accepts_a_pandas_table_of_counts() -> None:
    """A pandas frame of counts works too."""
    pd = pytest.importorskip("pandas")
    keyed = role_region_cells()
    frame = pd.DataFrame(
        {"role": [k[0] for k in keyed], "region": [k[1] for k in keyed], "N": list(keyed.values())}
    )
    data = pd.DataFrame(dict(sample()))
    result = wt.poststratify(data, frame, by=("role", "region"), weights="w0")
    assert_close(result.weights, poststratified().weights, 1e-14)


def test_poststratify_errors() -> None:
    """Empty cells, unknown cells and malformed tables are typed errors."""
    data = {"score": [9, 3], "a": ["x", "y"]}
    with pytest.raises(EmptyCellError, match="a = 'z'"):
        wt.poststratify(data, {"x": 1, "y": 1, "z": 1}, by="a")
    with pytest.raises(MissingTargetError, match="a = 'y'"):
        wt.poststratify(data, {"x": 1}, by="a")
    with pytest.raises(TargetError, match="has 2 levels but by has 1"):
        wt.poststratify(data, {("x", "p"): 1}, by="a")
    with pytest.raises(TargetError, match="exactly one more column"):
        wt.poststratify(data, {"a": ["x", "y"]}, by="a")
    with pytest.raises(InvalidWeightsError, match="base weights are zero"):
        wt.poststratify(data, {"x": 1, "y": 1}, by="a", weights=[1.0, 0.0])


def test_poststratify_by_role_to_target_shares() -> None:
    """B2B: weighting roles to 50/50 gives decision makers half the weight."""
    result = wt.poststratify(sample(), {"decision_maker": 0.5, "end_user": 0.5}, by="role")
    role = sample()["role"]
    share = result.weights[role == "decision_maker"].sum() / result.weights.sum()
    assert share == pytest.approx(0.5)
    assert result.diagnostics.total == pytest.approx(len(role))


# --------------------------------------------------------------------- trimming


def test_trim_plain_weights_keeps_total_and_cap() -> None:
    """Trimming plain weights keeps the total and caps every weight."""
    w = np.random.default_rng(3).lognormal(0, 1, 500)
    result = wt.trim(w, upper=4.0, relative_to="mean")
    assert result.weights.sum() == pytest.approx(w.sum(), rel=1e-12)
    assert result.weights.max() <= 4.0 * w.mean() * (1 + 1e-12)
    assert result.weighted is None
    assert result.n_trimmed > 0


def test_trim_equal_weights_at_their_mean_is_a_no_op() -> None:
    """Equal weights capped at the mean sit on the cap up to rounding: no error, no change."""
    w = np.full(3, 171.63459083413971)
    result = wt.trim(w, upper=1.0, relative_to="mean")
    assert result.converged
    assert result.weights.sum() == pytest.approx(w.sum(), rel=1e-12)
    assert np.allclose(result.weights, w, rtol=1e-12)


def test_trim_errors() -> None:
    """Impossible bounds are clear errors."""
    with pytest.raises(InvalidParameterError, match="below the mean weight"):
        wt.trim([1.0, 2.0, 3.0], upper=1.5)
    with pytest.raises(InvalidParameterError, match="must be below upper"):
        wt.trim([1.0, 2.0, 3.0], upper=2.5, lower=2.5)
    with pytest.raises(InvalidParameterError, match="relative_to"):
        wt.trim([1.0, 2.0], upper=3.0, relative_to="median")  # type: ignore[call-overload]
    with pytest.raises(InvalidParameterError, match="upper must be a number"):
        wt.trim([1.0, 2.0], upper="3")  # type: ignore[call-overload]


def test_trim_keeps_the_design_for_score() -> None:
    """score(weights=trimmed) uses the raking calibration, not plain weights."""
    trimmed = wt.trim(raked(), upper=175.0)
    with_design = nps.score(sample()["score"], weights=trimmed, method="wald")
    plain = nps.score(sample()["score"], weights=trimmed.weights, method="wald")
    assert with_design.se != pytest.approx(plain.se, rel=1e-3)
    assert with_design.design_se == with_design.se


# --------------------------------------------------------------------- score() integration


def test_score_with_result_and_dropped_scores_is_a_domain() -> None:
    """Missing scores dropped from a weighted sample: the rest is a domain of the design."""
    data = sample()
    scores = data["score"].astype(np.float64)
    scores[:10] = np.nan
    result = nps.score(scores, weights=raked(), missing="drop", method="wald")
    kept = np.ones(len(scores), dtype=bool)
    kept[:10] = False
    expected = raked().design_se(data["score"], codes=kept.astype(np.intp), n_groups=2)[1]
    assert result.se == pytest.approx(expected, rel=1e-12)
    assert result.n_missing == 10


def test_score_with_result_adjusted_wald_uses_design_size() -> None:
    """Adjusted Wald with a design: interval from the design's effective size."""
    result = nps.score(sample()["score"], weights=raked())
    assert result.method == "adjusted_wald"
    assert result.ci == result.confidence_interval()
    wald = nps.score(sample()["score"], weights=raked(), method="wald")
    assert result.se == pytest.approx(wald.se, rel=0.02)


def test_score_rejects_misaligned_result() -> None:
    """Scores of other rows than those weighted are refused."""
    with pytest.raises(InvalidWeightsError, match="got 2000 weights for 1999 scores"):
        nps.score(sample()["score"][:1999], weights=raked())


# --------------------------------------------------------------------- diagnostics


def test_diagnostics_kish_and_design_effect() -> None:
    """Kish n_eff and design effect agree with R's sum(w)^2 / sum(w^2)."""
    d = raked().diagnostics
    assert d.effective_n == pytest.approx(case("rake_role_region_spend")["kish_n_eff"], rel=1e-9)
    assert d.design_effect == pytest.approx(d.n / d.effective_n)
    assert d.design_effect == pytest.approx(1 + d.cv**2, rel=1e-9)
    assert d.p1 is not None
    assert d.median is not None
    assert d.p99 is not None
    assert d.min <= d.p1 <= d.median <= d.p99 <= d.max


def test_result_is_frozen_and_weights_read_only() -> None:
    """Results cannot be changed in place."""
    result = raked()
    with pytest.raises(ValueError, match="read-only"):
        result.weights[0] = 1.0
    with pytest.raises(ValueError, match="frozen"):
        result.n = 3  # type: ignore[misc]


def test_result_repr_html_and_dicts() -> None:
    """The result prints briefly and renders its tables."""
    result = raked()
    assert repr(result).startswith("WeightingResult(rake, n=2,000")
    assert "Kish n_eff" in result._repr_html_()
    assert result.to_dicts()[0]["dimension"] == "role"


# --------------------------------------------------------------------- B2B


def test_account_weights_give_each_account_one_voice() -> None:
    """Each account's weights sum to 1; the SE is clustered by account."""
    result = wt.account_weights(sample())
    accounts = sample()["account_id"]
    totals = {a: result.weights[accounts == a].sum() for a in np.unique(accounts)[:20]}
    assert all(t == pytest.approx(1.0) for t in totals.values())
    assert result.cluster == "account_id"
    assert result.weighted is not None
    assert result.weighted.se > 0


def test_account_weights_by_spend() -> None:
    """Accounts weigh by their (mean) spend."""
    data = {"score": [10, 9, 2], "account_id": ["a", "a", "b"], "spend": [300.0, 300.0, 100.0]}
    result = wt.account_weights(data, spend="spend")
    assert result.weights.tolist() == pytest.approx([150.0, 150.0, 100.0])
    with pytest.raises(InvalidWeightsError, match="zero spend"):
        wt.account_weights({**data, "spend": [0.0, 0.0, 1.0]}, spend="spend")


def test_spend_weights_errors_name_the_column() -> None:
    """Negative or missing spend is reported with the column name."""
    with pytest.raises(InvalidWeightsError, match="spend column 'spend'"):
        wt.spend_weights({"score": [9, 3], "spend": [1.0, -1.0]})
    with pytest.raises(InvalidWeightsError, match="every value"):
        wt.spend_weights({"score": [9, 3], "spend": [0.0, 0.0]})


# --------------------------------------------------------------------- response rates


def test_response_rates_b2b_targets_and_overall() -> None:
    """B2B default target is 30 %; the overall row adds the segments."""
    r = wt.response_rates({"a": 100, "b": 50}, {"a": 40, "b": 5}, customer_type="b2b")
    assert [x.below_target for x in r.rates] == [False, True]
    assert r.flagged == ("b",)
    assert r.overall.rate == pytest.approx(45 / 150)
    assert r.overall.target == pytest.approx(0.3)
    assert r.rates[0].nps_margin_of_error == pytest.approx(
        100 * 1.959963984540054 * math.sqrt(60 / (40 * 99))
    )
    assert "below target" in r._repr_html_()


def test_response_rates_custom_targets_and_errors() -> None:
    """Targets per segment; impossible counts are errors."""
    r = wt.response_rates({"a": 10}, {"a": 1}, target={"a": 0.05})
    assert not r.rates[0].below_target
    with pytest.raises(InvalidParameterError, match="cannot exceed"):
        wt.response_rates({"a": 10}, {"a": 11})
    with pytest.raises(InvalidParameterError, match="never invited"):
        wt.response_rates({"a": 10}, {"b": 1})
    with pytest.raises(InvalidParameterError, match="0 invited"):
        wt.response_rates({"a": 0}, {})
    with pytest.raises(InvalidParameterError, match="between 0 and 1"):
        wt.response_rates({"a": 10}, {"a": 1}, target=20)


# --------------------------------------------------------------------- composition


def test_composition_matches_r_chisq_test() -> None:
    """The goodness-of-fit tests are R's chisq.test(table(x), p = shares)."""
    result = wt.composition(sample(), {"role": margins()["role"], "region": margins()["region"]})
    for test in result.tests:
        expected = golden()["composition"][test.dimension]
        assert test.chi_square == pytest.approx(expected["statistic"], rel=1e-12)
        assert test.df == expected["df"]
        assert test.p_value == pytest.approx(expected["p_value"], rel=1e-9)
    assert result.tests[0].most_under == "decision_maker"
    assert result.most_under.level == "west"
    assert result.most_over.ratio > 1


def test_composition_after_weighting_is_representative() -> None:
    """Weighted shares of a raked sample equal the population shares."""
    result = wt.composition(sample(), {"role": margins()["role"]}, weights=raked())
    assert [r.ratio for r in result.rows] == pytest.approx([1.0, 1.0])
    assert result.weighted


def test_composition_unknown_level_is_an_error() -> None:
    """A sample level the population lacks is reported."""
    with pytest.raises(MissingTargetError, match="role = 'end_user'"):
        wt.composition(sample(), {"role": {"decision_maker": 1}})


@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_grouped_quantiles_equal_numpy(n: int) -> None:
    """Quantiles from distinct values and counts equal np.quantile on the expansion."""
    rng = np.random.default_rng(n)
    values = rng.lognormal(size=5)
    counts = rng.multinomial(n, [0.2] * 5).astype(np.int64)
    keep = counts > 0
    expanded = np.repeat(values[keep], counts[keep])
    expected = np.quantile(expanded, wt_diagnostics._QUANTILES)
    np.testing.assert_allclose(
        wt_diagnostics._grouped_quantiles(values[keep], counts[keep]), expected, rtol=1e-14
    )


def test_unit_base_diagnostics_use_the_grouped_path_exactly() -> None:
    """Raking without base weights gives the same quantiles as a full partition."""
    result = wt.rake(sample(), margins())
    full = wt.WeightDiagnostics.of(result.weights)
    assert result.diagnostics.model_dump() == pytest.approx(full.model_dump(), rel=1e-12)


# --------------------------------------------------------------------- more edges

SMALL = {"score": [9, 3, 7, 10], "a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "q"]}


def test_missing_scores_are_weighted_but_left_out_of_the_nps() -> None:
    """missing='drop': every row gets a weight; the NPS uses the scored rows."""
    data = {**SMALL, "score": [9.0, math.nan, 7.0, 10.0]}
    result = wt.rake(data, {"a": {"x": 1, "y": 1}}, missing="drop")
    assert result.weights.tolist() == pytest.approx([0.5, 0.5, 0.5, 0.5])
    assert result.weighted is not None
    assert result.weighted.n == 3
    assert result.weighted.n_missing == 1
    with pytest.raises(nps.InvalidScoreError, match="missing"):
        wt.rake(data, {"a": {"x": 1, "y": 1}})


def test_score_none_skips_nps_diagnostics() -> None:
    """Without a score column, weights and diagnostics only."""
    result = wt.rake({"a": ["x", "y"]}, {"a": {"x": 1, "y": 3}}, score=None)
    assert result.weighted is None
    assert result.unweighted is None
    assert result.weights.tolist() == [1.0, 3.0]


def test_design_se_checks_alignment() -> None:
    """design_se refuses scores of other rows, and accepts a rows mask."""
    result = wt.rake(SMALL, {"a": {"x": 1, "y": 1}})
    scores = np.asarray(SMALL["score"], dtype=np.int8)
    with pytest.raises(InvalidWeightsError, match="for 4 rows but 3 scores"):
        result.design_se(scores[:3])
    rows = np.array([True, True, False, True])
    assert np.isfinite(result.design_se(scores[rows], rows=rows)[0])


def test_score_method_score_uses_the_design_size() -> None:
    """The score interval with a design result works and brackets the NPS."""
    result = nps.score(sample()["score"], weights=raked(), method="score")
    assert result.ci[0] < result.nps < result.ci[1]
    assert result.design_se == pytest.approx(case("rake_role_region_spend")["se"], rel=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tol": 0}, "tol must be a number between 0 and 1"),
        ({"tol": 1.5}, "tol must be a number between 0 and 1"),
        ({"max_iter": 0}, "max_iter must be a positive integer"),
        ({"max_iter": True}, "max_iter must be a positive integer"),
    ],
)
def test_rake_option_errors(kwargs: dict[str, Any], match: str) -> None:
    """Out-of-range options are InvalidParameterError."""
    with pytest.raises(InvalidParameterError, match=match):
        wt.rake(SMALL, {"a": {"x": 1, "y": 1}}, **kwargs)


def test_rake_margin_shape_errors() -> None:
    """Margins must be a non-empty mapping of mappings."""
    with pytest.raises(InvalidParameterError, match="at least one column"):
        wt.rake(SMALL, {})
    with pytest.raises(TargetError, match="must map each level"):
        wt.rake(SMALL, {"a": [1, 2]})  # type: ignore[dict-item]


def test_rake_population_total_must_agree_with_count_margins() -> None:
    """A population_total that contradicts count margins is refused; shares use it."""
    with pytest.raises(MarginTotalsError, match="population_total is 5"):
        wt.rake(SMALL, {"a": {"x": 2, "y": 2}}, population_total=5)
    result = wt.rake(SMALL, {"a": {"x": 0.5, "y": 0.5}}, population_total=40)
    assert result.diagnostics.total == pytest.approx(40.0)


def test_poststratify_population_total_and_zero_cells() -> None:
    """Cell shares scale to population_total; a zero count with respondents is refused."""
    result = wt.poststratify(SMALL, {"x": 0.25, "y": 0.75}, by="a", population_total=100)
    assert result.weights.tolist() == pytest.approx([12.5, 12.5, 37.5, 37.5])
    with pytest.raises(MarginTotalsError, match="cell counts sum to 4"):
        wt.poststratify(SMALL, {"x": 2, "y": 2}, by="a", population_total=5)
    with pytest.raises(TargetError, match="count of a = 'y' is 0"):
        wt.poststratify(SMALL, {"x": 2, "y": 0}, by="a")
    with pytest.raises(TargetError, match="cells must map each cell"):
        wt.poststratify(SMALL, [1, 2], by="a")
    with pytest.raises(TargetError, match="lists a = 'x' twice"):
        wt.poststratify(SMALL, {"a": ["x", "x", "y"], "N": [1, 1, 2]}, by="a")


def test_by_errors() -> None:
    """The by argument must name distinct columns."""
    with pytest.raises(InvalidParameterError, match="column name or a list"):
        wt.poststratify(SMALL, {"x": 1, "y": 1}, by=[])
    with pytest.raises(InvalidParameterError, match="names a column twice"):
        wt.poststratify(SMALL, {("x", "x"): 1}, by=["a", "a"])


def test_trim_convergence_and_argument_errors() -> None:
    """Too few passes, negative bounds or non-sequences are clear errors."""
    w = np.array([2.9, 2.9, 1.0, 10.0])
    with pytest.raises(ConvergenceError, match="after 1 passes"):
        wt.trim(w, upper=1.05, relative_to="mean", max_iter=1)
    assert wt.trim(w, upper=1.05, relative_to="mean").iterations > 1
    with pytest.raises(InvalidParameterError, match="max_iter"):
        wt.trim(w, upper=2.0, relative_to="mean", max_iter=0)
    with pytest.raises(InvalidParameterError, match="non-negative"):
        wt.trim(w, upper=-1.0)
    with pytest.raises(InvalidWeightsError, match="sequence of numbers"):
        wt.trim(3.0, upper=2.0)  # type: ignore[call-overload]
    with pytest.raises(InvalidParameterError, match="above the mean weight"):
        wt.trim(w, upper=math.inf, lower=100.0)


def test_response_rates_repr_and_count_errors() -> None:
    """Counts must be whole numbers; the result prints briefly."""
    r = wt.response_rates({"a": 10, "b": 1}, {"a": 0, "b": 1})
    assert r.rates[0].nps_margin_of_error == math.inf
    assert r.rates[1].nps_margin_of_error == 0.0
    assert repr(r).startswith("ResponseRateResult(overall 9.1% of 11 invited")
    assert len(r.to_dicts()) == 3
    with pytest.raises(InvalidParameterError, match="whole number"):
        wt.response_rates({"a": 10.5}, {"a": 1})  # type: ignore[dict-item]
    with pytest.raises(InvalidParameterError, match="whole number"):
        wt.response_rates({"a": "10"}, {"a": 1})  # type: ignore[dict-item]
    with pytest.raises(InvalidParameterError, match="customer_type"):
        wt.response_rates({"a": 10}, {"a": 1}, customer_type="b2g")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="invited is empty"):
        wt.response_rates({}, {})


def test_composition_repr_html_and_errors() -> None:
    """The composition result prints and renders; bad populations are errors."""
    c = wt.composition(sample(), {"role": margins()["role"]})
    assert repr(c).startswith("CompositionResult(most over-represented role='end_user'")
    assert "χ² p" in c._repr_html_()
    assert c.to_dicts()[0]["level"] == "decision_maker"
    with pytest.raises(InvalidParameterError, match="at least one column"):
        wt.composition(sample(), {})
    with pytest.raises(TargetError, match="sums to 0"):
        wt.composition(sample(), {"role": {"decision_maker": 0, "end_user": 0}})


def test_composition_lists_population_levels_absent_from_the_sample() -> None:
    """A population level nobody in the sample has shows with ratio 0."""
    c = wt.composition({"a": ["x", "x"]}, {"a": {"x": 1, "y": 1}})
    assert [(r.level, r.respondents, r.ratio) for r in c.rows] == [("x", 2, 2.0), ("y", 0, 0.0)]
    assert c.most_under.level == "y"


def test_poststratified_result_renders_targets() -> None:
    """The HTML view lists the targets with their adjustments."""
    page = poststratified()._repr_html_()
    assert "decision_maker × east" in page
    assert "Adjustment" in page


def test_rows_without_an_account_are_an_error() -> None:
    """A respondent with no account cannot be rolled up or clustered."""
    data = {"score": [9, 3, 7], "account_id": ["a", None, "b"]}
    with pytest.raises(WeightingError, match="1 rows have no account_id"):
        wt.account_weights(data)
    with pytest.raises(WeightingError, match="no account_id"):
        wt.spend_weights({**data, "spend": [1.0, 2.0, 3.0]}, cluster="account_id")


def test_results_compare_and_hash_by_value() -> None:
    """Two identical weightings are equal and hash alike; a different one is not."""
    a = wt.rake(SMALL, {"a": {"x": 1, "y": 1}})
    b = wt.rake(SMALL, {"a": {"x": 1, "y": 1}})
    c = wt.rake(SMALL, {"a": {"x": 1, "y": 3}})
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert a != "a"


def test_weighting_a_list_of_responses() -> None:
    """Responses carry role, account and segments: they can be weighted directly."""
    responses = [
        nps.Response(score=s, role=r, account_id=acc, segments={"region": g})
        for s, r, acc, g in [
            (10, "decision_maker", "A", "n"),
            (3, "end_user", "A", "s"),
            (8, "end_user", "B", "n"),
            (9, "end_user", "B", "s"),
            (6, "decision_maker", "B", "s"),
        ]
    ]
    result = wt.rake(
        responses,
        {"role": {"decision_maker": 0.5, "end_user": 0.5}, "region": {"n": 0.5, "s": 0.5}},
        cluster="account_id",
    )
    assert result.converged
    assert result.weighted is not None
    rolled = wt.account_weights(responses)
    assert rolled.weights.tolist() == pytest.approx([0.5, 0.5, 1 / 3, 1 / 3, 1 / 3])


def test_rake_without_a_solution_does_not_converge() -> None:
    """Margins that force an occupied crossed cell to zero cannot be met: an error."""
    data = {"score": [10, 3, 8, 9], "r": ["dm", "eu", "eu", "eu"], "g": ["n", "s", "n", "s"]}
    with pytest.raises(ConvergenceError, match="did not converge"):
        wt.rake(data, {"r": {"dm": 2, "eu": 2}, "g": {"n": 2, "s": 2}}, max_iter=200)


def test_raked_nps_equals_r_calibrate_raking() -> None:
    """calibrate(calfun = "raking") reaches the same weights, so the same NPS."""
    expected = golden()["calibrate_raking"]
    assert expected["max_abs_weight_difference_to_rake"] < 1e-9
    weighted = raked().weighted
    assert weighted is not None
    assert weighted.nps == pytest.approx(expected["nps"], rel=1e-8)


def test_poststratifying_one_column_labels_each_level_by_its_value() -> None:
    """One column: each target row's level is the value itself, not a one-element tuple."""
    data = {"score": [9, 3, 10, 7, 8, 2], "region": ["n", "s", "n", "s", "s", "n"]}
    result = wt.poststratify(data, {"n": 0.4, "s": 0.6}, by="region")
    assert sorted(str(row.level) for row in result.targets) == ["n", "s"]
    assert result.iterations == 0
    assert result.converged


def test_trim_accepts_a_lower_bound_of_zero() -> None:
    """lower=0 is a valid bound (no floor): the same weights as without it."""
    w = np.random.default_rng(4).lognormal(0, 1, 300)
    floored = wt.trim(w, upper=4.0, lower=0.0, relative_to="mean")
    plain = wt.trim(w, upper=4.0, relative_to="mean")
    np.testing.assert_allclose(floored.weights, plain.weights, rtol=1e-12)
