"""segment() and compare() on calibrated designs, against R survey.

Expected values: tests/golden/r_segment_weighting.json, written by
tests/golden/r/make_segment_weighting_goldens.R (each value beside its R call), on the
sample of tests/golden/r/make_weighting_goldens.R.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pytest

from netpromoter import _stats, compare, compare_to_benchmark, score, segment
from netpromoter.weighting import poststratify
from weighting_sample import GOLDEN, poststratified, raked, role_region_cells, sample


@cache
def golden() -> dict[str, Any]:
    """R survey reference values (tests/golden/r/make_segment_weighting_goldens.R)."""
    text = (GOLDEN / "r_segment_weighting.json").read_text(encoding="utf-8")
    values: dict[str, Any] = json.loads(text)
    return values


def case(name: str) -> dict[str, Any]:
    return next(c for c in golden()["segments"] if c["name"] == name)


CASES = [("poststratify_by_spend_band", poststratified), ("rake_by_region", raked)]


@pytest.mark.parametrize(("name", "design"), CASES)
def test_segment_nps_and_se_match_r_svyby(name: str, design: Any) -> None:
    """Per segment and overall: the NPS and the calibration-aware domain SE of R."""
    expected = case(name)
    table = segment(sample(), expected["by"], weights=design(), method="wald")
    assert [row.key[0] for row in table] == expected["levels"]
    for row, nps, se in zip(table, expected["nps"], expected["se"], strict=True):
        assert row.nps == pytest.approx(nps, rel=1e-8, abs=1e-8)
        assert row.se == pytest.approx(se, rel=1e-8)
        assert row.ci == pytest.approx((nps - 1.959963984540054 * se, nps + 1.959963984540054 * se))
    assert table.overall.nps == pytest.approx(expected["overall_nps"], rel=1e-8)
    assert table.overall.se == pytest.approx(expected["overall_se"], rel=1e-8)


@pytest.mark.parametrize(("name", "design"), CASES)
def test_segment_vs_rest_is_the_domain_contrast_of_r(name: str, design: Any) -> None:
    """The test against the rest uses the SE of R's domain contrast (covariance included)."""
    expected = case(name)
    table = segment(sample(), expected["by"], weights=design(), method="wald", correction="none")
    for row, delta, se in zip(table, expected["vs_rest"], expected["vs_rest_se"], strict=True):
        assert row.vs_rest == pytest.approx(delta, rel=1e-8)
        z = delta / se
        assert row.p_value == pytest.approx(float(_stats.normal_sf(abs(z))) * 2, rel=1e-7)


@pytest.mark.parametrize(("name", "design"), CASES)
def test_design_se_of_the_rest_matches_r_subset(name: str, design: Any) -> None:
    """``domain="rest"`` is R's ``subset(d, segment != l)``; the contrast lies between."""
    expected = case(name)
    data = sample()
    levels = expected["levels"]
    codes = np.searchsorted(np.array(levels), data[expected["by"]])
    kwargs: dict[str, Any] = {"codes": codes, "n_groups": len(levels)}
    rest = design().design_se(data["score"], domain="rest", **kwargs)
    np.testing.assert_allclose(rest, expected["rest_se"], rtol=1e-8)
    contrast = design().design_se(data["score"], domain="group_minus_rest", **kwargs)
    np.testing.assert_allclose(contrast, expected["vs_rest_se"], rtol=1e-8)


def test_segment_with_plain_weights_keeps_the_linearisation_se() -> None:
    """An array of weights is not a design: the plain weighted (linearisation) SE."""
    data = sample()
    design = poststratified()
    table = segment(data, "spend_band", weights=design.weights, method="wald")
    high = data["spend_band"] == "high"
    plain = score(data["score"][high], weights=design.weights[high], method="wald")
    assert table.get("high").se == pytest.approx(plain.se, rel=1e-12)
    assert table.get("high").se != pytest.approx(case("poststratify_by_spend_band")["se"][0])


def test_segment_design_se_with_dropped_scores_and_merged_levels() -> None:
    """Dropped (missing) scores stay in the design; two keys address their cells."""
    data = dict(sample())
    scores = data["score"].astype(np.float64)
    scores[::97] = np.nan
    data["score"] = scores
    design = poststratified()
    table = segment(data, ["role", "spend_band"], weights=design, missing="drop", method="wald")
    kept = ~np.isnan(scores)
    for row in table:
        member = kept & (data["role"] == row.key[0]) & (data["spend_band"] == row.key[1])
        codes = member[kept].astype(np.intp)  # 1 = this segment, 0 = the others
        se = design.design_se(
            data["score"][kept].astype(np.int8), rows=kept, codes=codes, n_groups=2
        )
        assert row.se == pytest.approx(float(se[1]), rel=1e-12)
    whole = score(data["score"], weights=design, missing="drop", method="wald")
    assert table.overall.se == pytest.approx(whole.se, rel=1e-12)


def test_clustered_contrast_agrees_with_the_tally_path() -> None:
    """One cluster per row is the unclustered design: both SE paths agree per domain."""
    from netpromoter._stats import design as _calibration  # noqa: PLC0415 - private kernels under test

    data = sample()
    design = raked()
    codes = np.searchsorted(np.array(["east", "north", "south", "west"]), data["region"])
    for domain, complement, contrast in (("rest", 4, False), ("group_minus_rest", 4, True)):
        kwargs: dict[str, Any] = {"codes": codes, "n_groups": 4, "complement": complement}
        tallied = _calibration.design_se(
            data["score"], design.weights, design.design.calibration, contrast=contrast, **kwargs
        )
        clustered = _calibration.design_se(
            data["score"],
            design.weights,
            design.design.calibration,
            clusters=np.arange(len(codes)),
            contrast=contrast,
            **kwargs,
        )
        np.testing.assert_allclose(clustered, tallied, rtol=1e-10, err_msg=domain)


def halves() -> tuple[Any, Any]:
    data = sample()
    out = []
    for part in (data["id"] <= 1000, data["id"] > 1000):
        columns = {k: v[part] for k, v in data.items()}
        design = poststratify(columns, role_region_cells(), by=("role", "region"), weights="w0")
        out.append(score(columns["score"], weights=design, method="wald"))
    return out[0], out[1]


def test_compare_of_design_based_results_matches_r() -> None:
    """compare() uses each result's design SE: R's SEs combined for independent samples."""
    expected = golden()["compare_halves"]
    first, second = halves()
    assert first.se == pytest.approx(expected["first_se"], rel=1e-8)
    assert second.se == pytest.approx(expected["second_se"], rel=1e-8)
    result = compare(first, second, method="wald")
    assert result.delta == pytest.approx(expected["delta"], rel=1e-8)
    assert result.se == pytest.approx(expected["se"], rel=1e-8)
    assert result.p_value == pytest.approx(expected["p_value"], rel=1e-7)
    assert result.ci == pytest.approx((expected["lower"], expected["upper"]), rel=1e-8)
    assert result.a.se == pytest.approx(first.se, rel=1e-12)


def test_compare_to_benchmark_uses_the_design_se() -> None:
    """The benchmark z is (NPS − benchmark) / design SE."""
    first, _ = halves()
    result = compare_to_benchmark(first, 20.0, method="wald")
    z = (first.nps - 20.0) / first.se
    assert result.p_value == pytest.approx(2 * float(_stats.normal_sf(abs(z))), rel=1e-10)
    plain = first.model_copy(update={"design_se": None})
    assert compare_to_benchmark(plain, 20.0, method="wald").p_value != pytest.approx(result.p_value)


def test_segment_design_se_with_sparse_key_combinations() -> None:
    """Keys whose combinations exceed the dense limit are compacted; SEs still line up."""
    data = dict(sample())
    rng = np.random.default_rng(3)
    data["a"] = rng.integers(0, 300, len(data["score"])) * 1000
    data["b"] = rng.integers(0, 300, len(data["score"]))  # 90,000 combinations
    design = poststratified()
    table = segment(data, ["a", "b"], weights=design, method="wald", min_n=1)
    for row in list(table)[:25]:
        member = (data["a"] == row.key[0]) & (data["b"] == row.key[1])
        se = design.design_se(data["score"], codes=member.astype(np.intp), n_groups=2)
        assert row.se == pytest.approx(float(se[1]), rel=1e-12, nan_ok=True)
