"""Unit tests of the statistics layer's comparison and multiple-testing functions."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from netpromoter import _stats
from netpromoter._tally import Tally, tally
from netpromoter.exceptions import InvalidParameterError

GOLDEN = Path(__file__).parents[1] / "golden"


def _r_nps_cases() -> dict[str, Any]:
    data = json.loads((GOLDEN / "r_nps.json").read_text())
    return {case["name"]: case for case in data["cases"]}


def _tally_of(scores: list[int]) -> Tally:
    return tally(np.asarray(scores, dtype=np.int8))


def _input_tally(data: dict[str, Any]) -> Tally:
    """The tally of a golden input: raw ``scores`` or ``score_counts`` per score 0..10."""
    if "score_counts" in data:
        return _tally_of(np.repeat(np.arange(11), data["score_counts"]).tolist())
    return _tally_of(data["scores"])


def _stack(*tallies: Tally) -> Tally:
    return Tally(
        np.vstack([t.count for t in tallies]),
        np.vstack([t.sum_w for t in tallies]),
        np.vstack([t.sum_w2 for t in tallies]),
    )


TWO_SAMPLE = [
    name
    for name in _r_nps_cases()
    if "/dev/nps_test_/" in name and _r_nps_cases()[name]["expected"]["type"] == "Two sample"
]


@pytest.mark.parametrize("name", TWO_SAMPLE)
def test_difference_matches_r_nps_two_sample(name: str) -> None:
    """Wald and adjusted-Wald differences equal R NPS nps_test_ (up to R's dropped sign)."""
    case = _r_nps_cases()[name]
    expected = case["expected"]
    method: _stats.DifferenceMethod = "wald" if "/wald/" in name else "adjusted_wald"
    a = _input_tally(case["input"]["x"])
    b = _input_tally(case["input"]["y"])
    got = _stats.difference(a, b, weighted=False, method=method, confidence_level=expected["conf"])
    # R reports |delta| and centres its interval on it; our delta is signed (b − a).
    assert math.isclose(abs(got.delta[0]), 100 * expected["delta.hat"], rel_tol=1e-12)
    assert math.isclose(got.se[0], 100 * expected["se.hat"], rel_tol=1e-12)
    sign = math.copysign(1.0, got.delta[0])
    lower, upper = sorted((sign * got.lower[0], sign * got.upper[0]))
    assert math.isclose(lower, 100 * expected["int"][0], rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(upper, 100 * expected["int"][1], rel_tol=1e-9, abs_tol=1e-9)
    raw = 100 * (expected["nps.y"] - expected["nps.x"])
    assert math.isclose(got.raw_delta[0], raw, rel_tol=1e-12, abs_tol=1e-12)
    if expected["p.value"] > 1e-12:  # R's 1 - (2 pnorm - 1) loses everything below ~1e-16
        assert math.isclose(got.p_value[0], expected["p.value"], rel_tol=1e-9)
    assert bool(got.p_value[0] < 1 - expected["conf"]) == expected["sig"]


def test_difference_is_vectorised_over_groups() -> None:
    """Row g of a stacked comparison equals the comparison of the g-th pair alone."""
    x = [[10, 9, 3], [7, 8, 9, 10, 0], [10]]
    y = [[6, 6, 9, 10], [10, 10], [0, 1, 2, 9]]
    stacked = _stats.difference(
        _stack(*map(_tally_of, x)), _stack(*map(_tally_of, y)), weighted=False
    )
    for g, (xs, ys) in enumerate(zip(x, y, strict=True)):
        alone = _stats.difference(_tally_of(xs), _tally_of(ys), weighted=False)
        for field in _stats.Difference._fields:
            assert getattr(alone, field)[0] == getattr(stacked, field)[g]


def test_difference_is_antisymmetric() -> None:
    """Swapping the samples negates delta, z and the interval, and keeps se and p."""
    a, b = _tally_of([10, 9, 3, 7, 2]), _tally_of([10, 10, 9, 8])
    ab = _stats.difference(a, b, weighted=False)
    ba = _stats.difference(b, a, weighted=False)
    assert ab.delta[0] == -ba.delta[0]
    assert ab.lower[0] == -ba.upper[0]
    assert ab.se[0] == ba.se[0]
    assert ab.p_value[0] == ba.p_value[0]


def test_difference_of_identical_single_category_samples_is_not_significant() -> None:
    """Two all-promoter samples under Wald: se 0 and delta 0 give z 0 and p 1, not NaN."""
    a = _tally_of([10, 9])
    got = _stats.difference(a, a, weighted=False, method="wald")
    assert (got.z[0], got.p_value[0]) == (0.0, 1.0)


def test_difference_interval_is_clipped_to_200() -> None:
    """A difference interval may exceed ±100 but is clipped to ±200."""
    got = _stats.difference(
        _tally_of([0, 0, 0, 0, 10]), _tally_of([10] * 5), weighted=False, method="wald"
    )
    assert (got.delta[0], got.upper[0]) == (160.0, 200.0)
    assert 0.0 < got.lower[0] < 160.0


def test_difference_weighted_uses_linearisation_se() -> None:
    """Weighted Wald differences combine the two design-based SEs."""
    a = tally(np.array([10, 9, 7, 5, 0], dtype=np.int8), np.array([1, 2, 1.5, 0.5, 3.0]))
    b = _tally_of([10, 9, 8])
    got = _stats.difference(a, b, weighted=(True, False), method="wald")
    se_a = _stats.linearisation_se(a)[0]
    se_b = 100 * math.sqrt((2 / 3 - (2 / 3) ** 2) / 3)
    assert math.isclose(got.se[0], math.hypot(se_a, se_b), rel_tol=1e-12)


def test_complement_is_the_rest_of_the_data() -> None:
    """complement(t)[g] is the tally of every response outside group g."""
    scores = np.array([10, 3, 9, 7, 0, 10], dtype=np.int8)
    codes = np.array([0, 1, 1, 2, 0, 2])
    w = np.array([1.0, 2.0, 0.5, 1.5, 3.0, 1.0])
    got = _stats.complement(tally(scores, w, codes, 3))
    for g in range(3):
        rest = tally(scores[codes != g], w[codes != g])
        np.testing.assert_array_equal(got.count[g], rest.count[0])
        np.testing.assert_allclose(got.sum_w[g], rest.sum_w[0], rtol=1e-15)
        np.testing.assert_allclose(got.sum_w2[g], rest.sum_w2[0], rtol=1e-15)


# Expected values from R 4.2.2, p <- c(0.001, 0.04, 0.03, 0.2, NA, 0.0125, 0.5, 0.04), then
# print(p.adjust(p, "holm"), digits = 17) and print(p.adjust(p, "BH"), digits = 17).
P_VALUES = [0.001, 0.04, 0.03, 0.2, math.nan, 0.0125, 0.5, 0.04]
R_HOLM = [0.007, 0.16, 0.15, 0.4, math.nan, 0.075, 0.5, 0.16]
R_BH = [0.007, 0.056, 0.056, 0.23333333333333336, math.nan, 0.04375, 0.5, 0.056]


def test_holm_matches_r_p_adjust() -> None:
    """Holm adjustment equals R's p.adjust(p, "holm"), NaN kept in place."""
    np.testing.assert_allclose(_stats.holm(P_VALUES), R_HOLM, rtol=1e-12)


def test_benjamini_hochberg_matches_r_p_adjust() -> None:
    """BH adjustment equals R's p.adjust(p, "BH"), NaN kept in place."""
    np.testing.assert_allclose(_stats.benjamini_hochberg(P_VALUES), R_BH, rtol=1e-12)


def test_adjustments_work_row_by_row() -> None:
    """A (k, m) array is adjusted independently along its last axis."""
    rows = np.array([[0.01, 0.5, 0.02], [0.2, 0.001, 0.04]])
    for adjust in (_stats.holm, _stats.benjamini_hochberg):
        got = adjust(rows)
        for i in range(2):
            np.testing.assert_array_equal(got[i], adjust(rows[i]))


def test_p_values_keep_precision_in_the_tail() -> None:
    """A two-sided p-value at z = 37 is about 1.1e-299, not 0."""
    assert math.isclose(_stats.p_values(37.0)[()], 2 * 0.5 * math.erfc(37 / math.sqrt(2)))
    assert _stats.p_values(37.0)[()] > 1e-300


def test_one_sided_p_values() -> None:
    """'greater' is P(Z > z) and 'less' is P(Z < z)."""
    assert math.isclose(_stats.p_values(1.0, "greater")[()], 0.15865525393145707)
    assert math.isclose(_stats.p_values(1.0, "less")[()], 0.8413447460685429)


def test_unknown_alternative_is_rejected() -> None:
    """An unknown alternative raises InvalidParameterError naming it."""
    with pytest.raises(InvalidParameterError, match="'bigger'"):
        _stats.p_values(1.0, "bigger")  # type: ignore[arg-type]


def test_student_t_matches_scipy() -> None:
    """P(T > t) and its quantile equal scipy's, far into the tail and for huge df."""
    stats = pytest.importorskip("scipy.stats")
    t = np.array([0.0, 0.4, 1.5, 2.0, 3.5, 8.0, 40.0, -2.5, 5.0, 2.0])
    df = np.array([1.0, 2.0, 5.0, 10.0, 30.0, 100.0, 7.0, 12.0, 2e6, np.inf])
    np.testing.assert_allclose(_stats.student_sf(t, df), stats.t.sf(t, df), rtol=1e-8)
    for p in (0.4, 0.025, 0.0005, 1e-9):
        np.testing.assert_allclose(_stats.student_quantile(p, df), stats.t.isf(p, df), rtol=1e-8)
    np.testing.assert_allclose(
        _stats.student_quantiles(0.025, np.array([[3.0, 9.0], [3.0, 50.0]])),
        stats.t.isf(0.025, [[3.0, 9.0], [3.0, 50.0]]),
        rtol=1e-8,
    )


def test_incomplete_beta_matches_scipy() -> None:
    """I_x(a, b) equals scipy's regularised incomplete beta on both sides of the switch."""
    special = pytest.importorskip("scipy.special")
    a = np.array([0.5, 2.0, 30.0, 5e5, 3.0, 1.0])
    b = np.array([0.5, 3.0, 0.5, 0.5, 200.0, 1.0])
    x = np.array([0.1, 0.4, 0.2, 0.99999, 0.01, 0.0])
    np.testing.assert_allclose(_stats.beta_incomplete(a, b, x), special.betainc(a, b, x), rtol=1e-9)


def test_t_reference_widens_the_difference_interval() -> None:
    """reference='t': p and interval from Welch's t; the SE and estimate are unchanged."""
    stats = pytest.importorskip("scipy.stats")
    a, b = _tally_of([10, 9, 3, 7, 0, 10, 8, 2]), _tally_of([10, 10, 9, 8, 9, 6, 10])
    normal = _stats.difference(a, b, weighted=False, method="wald")
    welch = _stats.difference(a, b, weighted=False, method="wald", reference="t")
    var_a = (5 / 8 - (1 / 8) ** 2) / 8  # shares (promoters − detractors) of each sample
    var_b = (6 / 7 - (4 / 7) ** 2) / 7
    df = math.floor((var_a + var_b) ** 2 / (var_a**2 / 7 + var_b**2 / 6))
    assert float(welch.df[0]) == df
    assert float(welch.se[0]) == float(normal.se[0])
    z = float(welch.z[0])
    assert float(welch.p_value[0]) == pytest.approx(2 * stats.t.sf(abs(z), df), rel=1e-9)
    half = float(welch.upper[0] - welch.lower[0]) / 2
    assert half == pytest.approx(stats.t.isf(0.025, df) * float(welch.se[0]), rel=1e-9)
    assert float(normal.df[0]) == math.inf


@pytest.mark.parametrize("method", ["wald", "adjusted_wald", "score"])
def test_every_interval_contains_its_estimate(method: Any) -> None:
    """Over every sample of 1..25 answers, lower ≤ NPS ≤ upper, and the SE fits the width."""
    rows = []
    for n in range(1, 26):
        d, p = np.divmod(np.arange((n + 1) ** 2), n + 1)
        ok = d + p <= n
        rows.append(np.stack([d[ok], n - d[ok] - p[ok], p[ok]], axis=1))
    counts = np.vstack(rows)
    count = np.zeros((len(counts), 11), dtype=np.int64)
    count[:, [0, 7, 10]] = counts
    t = Tally(count, count.astype(float), count.astype(float))
    est = _stats.estimate(t, weighted=False, method=method, confidence_level=0.95)
    assert np.all(est.lower <= est.nps)
    assert np.all(est.nps <= est.upper)
    z = 1.959963984540054
    if method == "score":
        np.testing.assert_allclose(est.se, (est.upper - est.lower) / (2 * z))
    else:
        # centre ± z se, clipped to the scale, then widened to reach the raw NPS
        _, centre, _ = _stats._centre_and_se(t, weighted=False, method=method)
        lower = np.minimum(np.clip(centre - z * est.se, -100, 100), est.nps)
        upper = np.maximum(np.clip(centre + z * est.se, -100, 100), est.nps)
        np.testing.assert_allclose(est.lower, lower)
        np.testing.assert_allclose(est.upper, upper)


def test_one_promoter_interval_reaches_plus_100() -> None:
    """One promoter: +100 inside an adjusted Wald interval that used to end at +48.5."""
    est = _stats.estimate(
        _tally_of([10]), weighted=False, method="adjusted_wald", confidence_level=0.95
    )
    assert float(est.nps[0]) == 100.0
    assert float(est.upper[0]) == 100.0
    assert float(est.lower[0]) == pytest.approx(-48.49864942025201)


def test_difference_interval_contains_the_raw_difference() -> None:
    """12 promoters against 12 detractors: −200 lies inside the adjusted interval."""
    d = _stats.difference(_tally_of([10] * 12), _tally_of([0] * 12), weighted=False)
    assert float(d.raw_delta[0]) == -200.0
    assert float(d.lower[0]) == -200.0
    assert float(d.delta[0]) == pytest.approx(-160.0)
    assert float(d.upper[0]) == pytest.approx(-160.0 + 1.959963984540054 * float(d.se[0]))


def test_adjust_names_each_correction() -> None:
    """adjust() dispatches to Holm, BH or nothing."""
    p = np.array([0.01, 0.04, 0.03, np.nan])
    np.testing.assert_array_equal(_stats.adjust(p, "holm"), _stats.holm(p))
    np.testing.assert_array_equal(_stats.adjust(p, "bh"), _stats.benjamini_hochberg(p))
    np.testing.assert_array_equal(_stats.adjust(p, "none"), p)


def test_rao_scott_homogeneity_against_its_eigenvalues() -> None:
    """F from two moments of the eigenvalues, computed here with numpy, for both forms."""
    stats = pytest.importorskip("scipy.stats")
    theta = np.array([12.0, 30.0, 25.0, -4.0])
    var = np.array([40.0, 25.0, 90.0, 60.0])
    work = np.array([50.0, 80.0, 20.0, 40.0])
    contrast = np.hstack([np.eye(3), -np.ones((3, 1))])
    v0 = contrast @ np.diag(1 / work) @ contrast.T
    diff = contrast @ theta
    q = diff @ np.linalg.solve(v0, diff)
    lam = np.linalg.eigvals(np.linalg.solve(v0, contrast @ np.diag(var) @ contrast.T)).real
    t, r = lam.mean(), (lam**2).mean() / lam.mean() ** 2
    df = 3 / r
    expected_f = q / (df * t * r)
    for cov in (var, np.diag(var)):
        test = _stats.rao_scott_homogeneity(theta, cov, work, 186.0)
        assert test.statistic == pytest.approx(expected_f, rel=1e-12)
        assert test.df == pytest.approx(df, rel=1e-12)
        assert test.p_value == pytest.approx(stats.f.sf(expected_f, df, 186.0), rel=1e-9)
    # Segments known exactly that differ: infinite; equal estimates: F = 0, p = 1.
    exact = _stats.rao_scott_homogeneity(theta, np.zeros(4), work, 10.0)
    assert (exact.statistic, exact.p_value) == (math.inf, 0.0)
    same = _stats.rao_scott_homogeneity(np.full(4, 7.0), var, work, 10.0)
    assert same.statistic == pytest.approx(0.0, abs=1e-20)
    assert same.p_value == 1.0
