"""SegmentResult.homogeneity against R survey's Rao-Scott regTermTest(svyglm(...)).

Expected values: tests/golden/r_homogeneity.json, written by
tests/golden/r/make_homogeneity_goldens.R (each value beside its R call), on the sample
of tests/golden/r/make_weighting_goldens.R.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pytest

from netpromoter import segment
from weighting_sample import GOLDEN, poststratified, raked, sample


@cache
def golden() -> dict[str, Any]:
    text = (GOLDEN / "r_homogeneity.json").read_text(encoding="utf-8")
    values: dict[str, Any] = json.loads(text)
    return values


def case(name: str) -> dict[str, Any]:
    return next(c for c in golden()["cases"] if c["name"] == name)


def _check(result: Any, expected: dict[str, Any]) -> None:
    test = result.homogeneity
    assert test is not None
    assert test.statistic == pytest.approx(expected["F"], rel=1e-9)
    assert test.df == pytest.approx(expected["ndf"], rel=1e-9)
    assert test.df_denominator == expected["ddf"]
    assert test.p_value == pytest.approx(expected["p_value"], rel=1e-8)


@pytest.mark.parametrize(
    ("name", "rows"),
    [("unweighted_by_region", None), ("unweighted_first_300_by_spend_band", 300)],
)
def test_unweighted_homogeneity_matches_r(name: str, rows: int | None) -> None:
    """Unweighted: every weight 1, each segment a domain of the whole sample."""
    expected = case(name)
    data = sample()
    if rows is not None:
        data = {k: v[data["id"] <= rows] for k, v in data.items()}
    result = segment(data, expected["by"])
    assert result.homogeneity is not None
    assert result.homogeneity.design == "linearisation"
    _check(result, expected)


@pytest.mark.parametrize("name", ["weighted_by_region", "weighted_by_spend_band"])
def test_weighted_homogeneity_matches_r(name: str) -> None:
    """Plain weights: the linearisation variance of each weighted segment NPS."""
    expected = case(name)
    _check(segment(sample(), expected["by"], weights="w0"), expected)


@pytest.mark.parametrize(
    ("name", "design"),
    [("poststratify_by_spend_band", poststratified), ("rake_by_region", raked)],
)
def test_calibrated_homogeneity_matches_r(name: str, design: Any) -> None:
    """Calibrated designs: the segments' covariance matrix the calibration induces."""
    expected = case(name)
    result = segment(sample(), expected["by"], weights=design())
    assert result.homogeneity is not None
    assert result.homogeneity.design == "calibrated"
    _check(result, expected)
    assert "all equal? F(" in repr(result)


def test_segments_alike_and_apart() -> None:
    """Equal NPS in every segment: F = 0, p = 1; one segment apart: p small."""
    same = {"score": [10, 8, 3] * 40, "team": np.repeat(["a", "b", "c", "d"], 30)}
    test = segment(same, "team").homogeneity
    assert test is not None
    assert test.statistic == pytest.approx(0.0, abs=1e-20)
    assert test.df == pytest.approx(3.0)  # equal variances: G − 1
    assert (test.df_denominator, test.p_value) == (116.0, 1.0)
    apart = {"score": [10, 8, 3] * 40 + [0] * 30, "team": np.repeat(["a", "b", "c", "d", "e"], 30)}
    test = segment(apart, "team").homogeneity
    assert test is not None
    assert test.segments == 5
    assert test.p_value < 1e-6
    single = segment({"score": [10, 3], "team": ["a", "a"]}, "team")
    assert single.homogeneity is None
