"""Two-sample comparisons and benchmark tests against closed forms and one-group runs.

References: the adjusted-Wald covariance of repeat respondents written out per respondent,
the same test run group by group, and relations that hold exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from netpromoter import trends as trends_module
from netpromoter._stats import compare
from netpromoter._tally import Tally
from netpromoter.exceptions import FirstTimeRespondentWarning

ADJUSTMENT = (0.75, 1.5, 0.75)


def _values(scores: list[int]) -> np.ndarray:
    arr = np.asarray(scores)
    return (arr >= 9).astype(float) - (arr <= 6)


def _adjusted(scores: list[int]) -> tuple[float, float]:
    """Adjusted mean share difference (a proportion) and adjusted variance (points²)."""
    v = _values(scores)
    n = len(v)
    d, p = float(np.sum(v < 0)), float(np.sum(v > 0))
    det, pro = (d + ADJUSTMENT[0]) / (n + 3.0), (p + ADJUSTMENT[2]) / (n + 3.0)
    return pro - det, 1e4 * (pro + det - (pro - det) ** 2) / (n + 3.0)


# Three monthly samples. Respondent "a0" answers in January and February, "a3" only in
# January: the first change has one repeat respondent, the second none.
JAN = [10, 9, 3, 7, 0, 10, 8, 5, 9, 2]
FEB = [9, 10, 10, 6, 8, 7, 10, 4, 9, 10, 1, 8]
MAR = [10, 10, 7, 9, 3, 9, 10, 8]


def _three_months(repeats: int) -> dict[str, list[int] | list[str]]:
    who_feb = [f"a{i}" for i in range(repeats)] + [f"b{i}" for i in range(len(FEB) - repeats)]
    return {
        "score": JAN + FEB + MAR,
        "who": [f"a{i}" for i in range(len(JAN))] + who_feb + [f"c{i}" for i in range(len(MAR))],
        "submitted_at": ["2026-01-10T00:00Z"] * len(JAN)
        + ["2026-02-10T00:00Z"] * len(FEB)
        + ["2026-03-10T00:00Z"] * len(MAR),
    }


@pytest.mark.parametrize("repeats", [1, 3])
def test_adjusted_change_subtracts_the_repeat_respondents_covariance(repeats: int) -> None:
    """The covariance is Σ_c x_c y_c / ((n_a + 3)(n_b + 3)), about the adjusted means."""
    with pytest.warns(FirstTimeRespondentWarning):
        result = trends_module.trend(
            _three_months(repeats), respondent="who", method="adjusted_wald", min_n=1
        )
    feb, mar = result[1].vs_previous, result[2].vs_previous
    assert feb is not None
    assert mar is not None
    assert feb.n_overlap == repeats
    (mean_j, var_j), (mean_f, var_f), (_, var_m) = _adjusted(JAN), _adjusted(FEB), _adjusted(MAR)
    x = _values(JAN)[:repeats] - mean_j
    y = _values(FEB)[:repeats] - mean_f
    cov = 1e4 * float(np.sum(x * y)) / ((len(JAN) + 3) * (len(FEB) + 3))
    assert cov != 0.0
    assert feb.se == pytest.approx(math.sqrt(var_j + var_f - 2.0 * cov), rel=1e-10)
    # No one answers in both February and March: the samples are independent.
    assert mar.se == pytest.approx(math.sqrt(var_f + var_m), rel=1e-12)


def _tally_of(*groups: tuple[int, int, int]) -> Tally:
    """Unweighted tally of groups given as (detractors, passives, promoters)."""
    count = np.zeros((len(groups), 11), dtype=np.int64)
    for row, (d, pa, pr) in enumerate(groups):
        count[row, [3, 8, 10]] = (d, pa, pr)
    return Tally.of_counts(count)


GROUPS = ((5, 9, 11), (12, 3, 5), (1, 2, 17), (8, 8, 8))


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_exact_benchmark_of_many_groups_is_each_group_on_its_own(alternative: str) -> None:
    """Testing four groups at once gives each group's own exact test."""
    together = compare.benchmark_test(
        _tally_of(*GROUPS),
        np.array([10.0, -20.0, 50.0, 0.0]),
        weighted=False,
        method="exact",
        alternative=alternative,  # type: ignore[arg-type]
    )
    for g, (group, benchmark) in enumerate(zip(GROUPS, (10.0, -20.0, 50.0, 0.0), strict=True)):
        alone = compare.benchmark_test(
            _tally_of(group),
            benchmark,
            weighted=False,
            method="exact",
            alternative=alternative,  # type: ignore[arg-type]
        )
        assert together.p_value[g] == alone.p_value[0]
        assert together.z[g] == alone.z[0]
    assert len(set(together.p_value.tolist())) == len(GROUPS)


def test_a_design_covariance_enters_the_adjusted_difference_as_a_correlation() -> None:
    """cov_adj = r · se_a se_b / sqrt((1 + π_a)(1 + π_b)) for raw correlation r."""
    a, b = _tally_of((5, 9, 11)), _tally_of((12, 3, 5))
    independent = compare.difference(a, b, weighted=False, method="adjusted_wald")
    r = 0.3
    raw_a = 100.0 * math.sqrt((16 / 25 - (6 / 25) ** 2) / 25)  # Wald SE, divisor n
    raw_b = 100.0 * math.sqrt((17 / 20 - (7 / 20) ** 2) / 20)
    got = compare.difference(
        a, b, weighted=False, method="adjusted_wald", covariance=np.array([r * raw_a * raw_b])
    )

    def pi(d: int, pa: int, pr: int) -> float:
        """Pseudo-responses' squares about the adjusted mean over the real responses'."""
        n = d + pa + pr
        mean = ((pr + 0.75) - (d + 0.75)) / (n + 3.0)
        pseudo = 0.75 * (-1 - mean) ** 2 + 1.5 * mean**2 + 0.75 * (1 - mean) ** 2
        real = d * (-1 - mean) ** 2 + pa * mean**2 + pr * (1 - mean) ** 2
        return pseudo / real

    (_, var_a), (_, var_b) = (
        _adjusted([3] * 5 + [8] * 9 + [10] * 11),
        _adjusted([3] * 12 + [8] * 3 + [10] * 5),
    )
    assert independent.se[0] == pytest.approx(math.sqrt(var_a + var_b), rel=1e-12)
    cov = r * math.sqrt(var_a * var_b / ((1 + pi(5, 9, 11)) * (1 + pi(12, 3, 5))))
    assert got.se[0] == pytest.approx(math.sqrt(var_a + var_b - 2.0 * cov), rel=1e-10)


def test_a_difference_interval_stays_within_minus_and_plus_200() -> None:
    """Nine promoters in ten against nine detractors: the margin passes -200, the limit not."""
    a, b = _tally_of((1, 0, 9)), _tally_of((9, 0, 1))
    down = compare.difference(a, b, weighted=False, method="wald")
    up = compare.difference(b, a, weighted=False, method="wald")
    # By hand: delta ∓160, each variance (1 − 0.8²) / 10, so the margin is 1.96 × 26.8.
    se = 100.0 * math.sqrt(2 * (1 - 0.8**2) / 10)
    assert down.delta[0] == pytest.approx(-160.0, rel=1e-12)
    assert down.se[0] == pytest.approx(se, rel=1e-12)
    assert -160.0 - 1.959963984540054 * se < -200.0
    assert down.lower[0] == -200.0
    assert up.upper[0] == 200.0
    assert down.upper[0] == -up.lower[0]
