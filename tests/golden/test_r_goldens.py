"""Every statistic checked against R: the ``NPS`` package and ``survey``.

Expected values and the exact R call behind each sit in ``r_nps.json`` and ``r_survey.json``
(made by ``r/make_goldens.R``; see their ``notes``). R reports NPS on the -1..1 scale, so
expected values are multiplied by 100. Closed-form quantities match to 1e-9 (relative),
the score interval to 1e-3 points (R's ``iterative`` stops its bisection at 1e-7..1e-6).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from netpromoter import SmallSampleWarning, compare, compare_to_benchmark, score
from netpromoter.inference import DifferenceMethod

HERE = Path(__file__).parent
R_NPS = json.loads((HERE / "r_nps.json").read_text(encoding="utf-8"))["cases"]
R_SURVEY = json.loads((HERE / "r_survey.json").read_text(encoding="utf-8"))["cases"]
CLOSE = 1e-9


def scores_of(data: dict[str, Any]) -> list[int]:
    """A golden input's scores: given raw, or as counts per score (``rep(0:10, counts)``)."""
    if "score_counts" in data:
        return [int(v) for v in np.repeat(np.arange(11), data["score_counts"])]
    return list(data["scores"])


def close(actual: float, expected: float, tol: float = CLOSE) -> bool:
    """Relative closeness, absolute near zero."""
    return math.isclose(actual, expected, rel_tol=tol, abs_tol=tol)


def cases(*parts: str) -> list[dict[str, Any]]:
    """The R NPS cases whose name contains every part."""
    return [c for c in R_NPS if all(p in c["name"] for p in parts)]


def ids(selected: list[dict[str, Any]]) -> list[str]:
    """Test ids: the case names."""
    return [c["name"] for c in selected]


def quiet_score(x: list[int], **kwargs: Any) -> Any:
    """``score`` without the zero-width Wald warning (expected for one-category samples)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return score(x, **kwargs)


POINT = [c for c in R_NPS if c["name"].endswith(("/v1_1/nps", "/dev/nps_"))]


@pytest.mark.parametrize("case", POINT, ids=ids(POINT))
def test_nps_matches_r(case: dict[str, Any]) -> None:
    """nps(x) and nps_(table(npc(x))) equal our NPS / 100 (R's last ulp may differ)."""
    assert close(score(scores_of(case["input"])).nps, 100 * case["expected"]["value"], 1e-12)


SE = [c for c in R_NPS if c["name"].endswith(("/nps.se", "/nps_se_", "/nps.var", "/nps_var_"))]


@pytest.mark.parametrize("case", SE, ids=ids(SE))
def test_wald_se_and_variance_match_r(case: dict[str, Any]) -> None:
    """nps.se / nps_se_ is our Wald SE / 100; nps.var / nps_var_ is n (SE / 100)²."""
    x = scores_of(case["input"])
    result = quiet_score(x, method="wald")
    expected = case["expected"]["value"]
    if "var" in case["name"]:
        assert close(len(x) * (result.se / 100) ** 2, expected)
    else:
        assert close(result.se / 100, expected)


def check_p_value(actual: float, expected: float | str) -> None:
    """Equal p-values; where R's ``1 - (2 pnorm(z) - 1)`` lost all digits, ours is tiny.

    R gives NaN for ``0 / 0`` (estimate equal to the null with a zero SE); we give 1.
    """
    if isinstance(expected, str):
        assert (expected, actual) == ("NaN", 1.0)
    elif expected > 1e-12:
        assert close(actual, expected)
    else:
        assert actual < 1e-12


def check_interval(
    actual: tuple[float, float], expected: list[float], estimate: float | None = None
) -> None:
    """Equal limits once R's unclipped limits are clipped to [-100, 100] like ours.

    R's adjusted Wald interval is centred on the adjusted estimate and can end short of
    the raw NPS (+100 for one promoter, interval up to +48.5); ours is widened to reach
    it, so R's limits are widened to ``estimate`` too.
    """
    lower, upper = sorted(100 * x for x in expected)
    lower, upper = max(lower, -100.0), min(upper, 100.0)
    if estimate is not None:
        lower, upper = min(lower, estimate), max(upper, estimate)
    assert close(actual[0], lower)
    assert close(actual[1], upper)


ONE_SAMPLE_WALD = cases("/one_sample/") + cases("/nps_test_/wald/")
ONE_SAMPLE_WALD = [c for c in ONE_SAMPLE_WALD if c["expected"]["type"] == "One sample"]


@pytest.mark.parametrize("case", ONE_SAMPLE_WALD, ids=ids(ONE_SAMPLE_WALD))
def test_one_sample_wald_test_matches_r(case: dict[str, Any]) -> None:
    """nps.test(x) and nps_test_(..., "wald"): SE, interval and the p-value of NPS = 0."""
    expected = case["expected"]
    x = scores_of(case["input"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        test = compare_to_benchmark(x, 0, method="wald", confidence_level=expected["conf"])
    assert close(test.result.se, 100 * expected["se.hat"])
    check_interval(test.result.ci, expected["int"])
    check_p_value(test.p_value, expected["p.value"])
    assert test.significant == bool(expected["sig"])


ONE_SAMPLE_ADJUSTED = [
    c for c in cases("/nps_test_/adjusted.wald/") if c["expected"]["type"] == "One sample"
]


@pytest.mark.parametrize("case", ONE_SAMPLE_ADJUSTED, ids=ids(ONE_SAMPLE_ADJUSTED))
def test_one_sample_adjusted_wald_matches_r(case: dict[str, Any]) -> None:
    """nps_test_(..., "adjusted.wald"): adjusted estimate, SE, interval, p; raw NPS kept.

    R reports the absolute value of the adjusted estimate as ``delta.hat``.
    """
    expected = case["expected"]
    test = compare_to_benchmark(
        scores_of(case["input"]), 0, method="adjusted_wald", confidence_level=expected["conf"]
    )
    assert close(test.result.nps, 100 * expected["nps.x"])
    assert close(abs(test.estimate), 100 * expected["delta.hat"])
    assert close(test.result.se, 100 * expected["se.hat"])
    check_interval(test.result.ci, expected["int"], estimate=test.result.nps)
    check_p_value(test.p_value, expected["p.value"])
    assert test.significant == expected["sig"]


SCORE_INTERVAL = cases("/iterative_intended/")


@pytest.mark.parametrize("case", SCORE_INTERVAL, ids=ids(SCORE_INTERVAL))
def test_score_interval_matches_r_iterative(case: dict[str, Any]) -> None:
    """The score interval equals R NPS's iterative(table(npc(x)), 1 - alpha/2) to 1e-3 points.

    ``nps_test_(..., test = "iterative")`` itself passes alpha where 1 - alpha/2 is meant
    and returns a zero-width interval (see the JSON notes), so the internal function is
    the reference.
    """
    level = float(case["name"].rsplit("conf", 1)[1])
    result = score(scores_of(case["input"]), method="score", confidence_level=level)
    lower, upper = (100 * x for x in case["expected"]["int"])
    assert result.ci[0] == pytest.approx(lower, abs=1e-3)
    assert result.ci[1] == pytest.approx(upper, abs=1e-3)


TWO_SAMPLE = [
    c for c in cases("/nps_test_/") + cases("/two_sample/") if c["expected"]["type"] == "Two sample"
]


@pytest.mark.parametrize("case", TWO_SAMPLE, ids=ids(TWO_SAMPLE))
def test_two_sample_comparison_matches_r(case: dict[str, Any]) -> None:
    """nps.test(x, y) and nps_test_(x, y): R drops the sign of delta; we keep y − x."""
    expected = case["expected"]
    method: DifferenceMethod = "adjusted_wald" if "adjusted" in case["name"] else "wald"
    result = compare(
        scores_of(case["input"]["x"]),
        scores_of(case["input"]["y"]),
        method=method,
        confidence_level=expected["conf"],
    )
    r_delta = expected.get("delta.hat", expected.get("delta"))
    assert close(abs(result.delta), 100 * r_delta)
    assert close(result.raw_delta, 100 * (expected["nps.y"] - expected["nps.x"]))
    assert close(result.se, 100 * expected["se.hat"])
    # R's interval is centred on |delta|: mirror ours when delta < 0.
    sign = math.copysign(1.0, result.delta)
    lower, upper = sorted((sign * result.ci[0], sign * result.ci[1]))
    assert close(lower, 100 * expected["int"][0])
    assert close(upper, 100 * expected["int"][1])
    check_p_value(result.p_value, expected["p.value"])
    assert result.significant == expected["sig"]
    assert (result.a.n, result.b.n) == (expected["n.x"], expected["n.y"])


SIMPLE_DESIGNS = [c for c in R_SURVEY if "account_id" not in c["input"]]


@pytest.mark.parametrize("case", SIMPLE_DESIGNS, ids=ids(SIMPLE_DESIGNS))
def test_weighted_nps_and_se_match_survey(case: dict[str, Any]) -> None:
    """svycontrast(svymean(~promoter + detractor, design), c(1, -1)): estimate, SE, CI, Kish."""
    data, expected = case["input"], case["expected"]
    result = score(data["score"], weights=data["w"], method="wald", population_size=data.get("N"))
    assert close(result.nps, expected["coef_x100"])
    assert close(result.se, expected["se_x100"])
    check_interval(result.ci, expected["ci95"])
    assert close(result.effective_n, expected["kish_n_eff"])
    assert result.n == expected["n"]


def test_equal_weights_differ_from_unweighted_by_the_n_minus_1_factor() -> None:
    """The survey SE with equal weights is sqrt(n / (n − 1)) times R NPS's (divisor n)."""
    case = next(c for c in R_SURVEY if c["name"] == "n50_equal_weights")
    x, w = case["input"]["score"], case["input"]["w"]
    weighted = score(x, weights=w, method="wald")
    plain = score(x, method="wald")
    n = len(x)
    assert close(weighted.se, plain.se * math.sqrt(n / (n - 1)))
    assert close(plain.se / 100, case["expected"]["unweighted_reference"]["se_divisor_n"])
