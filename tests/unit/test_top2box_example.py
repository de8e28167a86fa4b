"""The architecture page's example feature: a CSAT top-2-box on the spine."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from netpromoter.exceptions import InvalidScoreError

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "top2box.py"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("top2box_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def wald(top: float, total: float, kish_n: float) -> tuple[float, float, float]:
    p = top / total
    half = 1.959963984540054 * math.sqrt(p * (1 - p) / kish_n)
    return 100 * p, max(0.0, 100 * (p - half)), min(100.0, 100 * (p + half))


def test_unweighted_groups_match_the_closed_form(example: ModuleType) -> None:
    data = {"csat": [5, 4, 3, 5, 1, 2, 5, 4, 4], "team": list("aaabbbbaa")}
    result = example.top2box(data, by=["team"])
    assert [row.key for row in result] == [("a",), ("b",)]
    for row, (top, n) in zip(result, [(4, 5), (2, 4)], strict=True):
        share, lower, upper = wald(top, n, n)
        assert row.n == n
        assert row.top2 == pytest.approx(share, abs=1e-12)
        assert row.ci == pytest.approx((lower, upper), abs=1e-9)
    assert result.to_dicts()[0]["ci_lower"] == pytest.approx(result[0].ci[0])


def test_weighted_share_and_kish_interval(example: ModuleType) -> None:
    scores = np.array([5, 4, 3, 5, 1, 2, 5, 4])
    w = np.array([1.0, 2, 1, 1, 1, 1, 3, 1])
    result = example.top2box({"csat": scores}, weights=w)
    n = len(scores)
    p = w[scores >= 4].sum() / w.sum()
    # svymean(~I(csat >= 4), svydesign(ids = ~1, weights = ~w)) in R's survey:
    # the linearisation SE sqrt(n / (n - 1) * sum(w^2 (y - p)^2)) / sum(w).
    se = math.sqrt(n / (n - 1) * float(((w * ((scores >= 4) - p)) ** 2).sum())) / w.sum()
    assert result[0].top2 == pytest.approx(100 * p, abs=1e-12)
    assert result[0].ci[0] == pytest.approx(100 * (p - 1.959963984540054 * se), abs=1e-9)
    assert result[0].ci[1] == 100.0  # p + 1.96 se is above 100: clipped to the scale


def test_answers_off_the_scale_are_refused(example: ModuleType) -> None:
    with pytest.raises(InvalidScoreError, match=r"1 to 5.*\[0, 9\]"):
        example.top2box({"csat": [5, 9, 0, 4]})
