"""trend() on calibrated designs, against R survey.

Expected values: tests/golden/r_trend_weighting.json, written by
tests/golden/r/make_trend_weighting_goldens.R (each value beside its R call), on the
sample of tests/golden/r/make_weighting_goldens.R with answer dates added there.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np
import pytest

from netpromoter import score, trend
from netpromoter.exceptions import FirstTimeRespondentWarning, InvalidParameterError
from netpromoter.weighting import WeightingResult, account_weights, poststratify, rake
from reference import t_margin, t_p_value
from weighting_sample import GOLDEN, population, role_region_cells
from weighting_sample import sample as base_sample


@cache
def golden() -> dict[str, Any]:
    """R survey reference values (tests/golden/r/make_trend_weighting_goldens.R)."""
    text = (GOLDEN / "r_trend_weighting.json").read_text(encoding="utf-8")
    values: dict[str, Any] = json.loads(text)
    return values


@cache
def sample() -> dict[str, Any]:
    """The 2,000-row sample, with the answer dates of the R script."""
    columns: dict[str, Any] = dict(base_sample())
    start = date(2026, 1, 1)
    columns["date"] = [
        (start + timedelta(days=(int(i) * 37) % 150)).isoformat() for i in columns["id"]
    ]
    return columns


@cache
def poststratified() -> WeightingResult:
    return poststratify(sample(), role_region_cells(), by=("role", "region"), weights="w0")


@cache
def raked() -> WeightingResult:
    margins = {name: population()[name] for name in ("role", "region", "spend_band")}
    return rake(sample(), margins, weights="w0", tol=1e-13)


def case(name: str) -> dict[str, Any]:
    return next(c for c in golden()["cases"] if c["name"] == name)


@pytest.mark.parametrize(
    ("name", "design"),
    [("poststratify_by_month", poststratified), ("rake_by_month", raked)],
)
def test_period_nps_and_se_match_r_svyby(name: str, design: Any) -> None:
    """Each month is a domain of the design: R's NPS and calibration-aware SE."""
    expected = case(name)
    t = trend(sample(), time="date", weights=design(), method="wald", min_n=1)
    assert [r.period for r in t] == expected["keys"]
    for row, nps, se in zip(t, expected["nps"], expected["se"], strict=True):
        assert row.nps == pytest.approx(nps, rel=1e-8, abs=1e-8)
        assert row.se == pytest.approx(se, rel=1e-8)
        z = 1.959963984540054
        assert row.ci == pytest.approx((nps - z * se, nps + z * se), rel=1e-8)
    # Each month against the one before: the domain contrast of R, calibration covariance in.
    for row, delta, se, p in zip(
        list(t)[1:],
        expected["change_delta"],
        expected["change_se"],
        expected["change_p_value"],
        strict=True,
    ):
        change = row.vs_previous
        assert change is not None
        assert change.df is not None
        assert change.delta == pytest.approx(delta, rel=1e-8, abs=1e-8)
        assert change.se == pytest.approx(se, rel=1e-8)
        # R's p is 2 pnorm(-|z|); changes refer to Student's t, whose tails are heavier.
        assert change.p_value > p
        m = t_margin(se, change.df)
        assert change.ci == pytest.approx((delta - m, delta + m), rel=1e-8)
        assert change.p_value == pytest.approx(t_p_value(delta / se, change.df), rel=1e-7)


def test_period_by_region_series_match_r_svyby() -> None:
    """Every period × segment row is a domain of the raked design."""
    expected = case("rake_by_month_and_region")
    t = trend(sample(), time="date", by="region", weights=raked(), method="wald", min_n=1)
    got = {f"{r.period}|{r.key[0]}": r for r in t}
    for key, nps, se in zip(expected["keys"], expected["nps"], expected["se"], strict=True):
        assert got[key].nps == pytest.approx(nps, rel=1e-8, abs=1e-8)
        assert got[key].se == pytest.approx(se, rel=1e-8)
    # The overall series is the same as without segments.
    alone = trend(sample(), time="date", weights=raked(), method="wald", min_n=1)
    assert [r.se for r in t.overall] == pytest.approx([r.se for r in alone], rel=1e-12)


@pytest.mark.parametrize(
    ("name", "design"),
    [("poststratify_rolling_2", poststratified), ("rake_rolling_3", raked)],
)
def test_rolling_window_is_the_union_domain(name: str, design: Any) -> None:
    """A rolling row's domain is all rows of its window's periods (R subset)."""
    expected = case(name)
    t = trend(
        sample(),
        time="date",
        weights=design(),
        rolling=expected["rolling"],
        method="wald",
        min_n=1,
    )
    assert [r.period for r in t] == expected["keys"]
    for row, nps, se in zip(t, expected["nps"], expected["se"], strict=True):
        assert row.nps == pytest.approx(nps, rel=1e-8, abs=1e-8)
        assert row.se == pytest.approx(se, rel=1e-8)


def test_plain_weights_keep_the_linearisation_se() -> None:
    """An array of weights is not a design: the plain weighted SE, as before."""
    data = sample()
    design = poststratified()
    t = trend(data, time="date", weights=design.weights, method="wald", min_n=1)
    january = np.array([d.startswith("2026-01") for d in data["date"]])
    plain = score(data["score"][january], weights=design.weights[january], method="wald")
    assert t[0].se == pytest.approx(plain.se, rel=1e-12)
    assert t[0].se != pytest.approx(case("poststratify_by_month")["se"][0], rel=1e-3)


def test_dropped_scores_stay_in_the_design() -> None:
    """Missing scores dropped: a single period equals score() on the same design."""
    data = dict(sample())
    scores = data["score"].astype(np.float64)
    scores[::89] = np.nan
    data["score"] = scores
    design = poststratified()
    t = trend(data, time="date", period="year", weights=design, missing="drop", method="wald")
    whole = score(data["score"], weights=design, missing="drop", method="wald")
    (row,) = t
    assert row.se == pytest.approx(whole.se, rel=1e-12)
    assert row.nps == pytest.approx(whole.nps, rel=1e-12)


def test_account_clusters_give_the_cluster_robust_domain_se() -> None:
    """With account weights each period's SE is the design's clustered domain SE."""
    data = sample()
    design = account_weights(data, account="account_id", weights="w0")
    t = trend(data, time="date", weights=design, method="wald", min_n=1)
    months = np.array([d[:7] for d in data["date"]])
    labels = sorted(set(months.tolist()))
    codes = np.searchsorted(labels, months)
    se = design.design_se(data["score"], codes=codes, n_groups=len(labels))
    assert [r.se for r in t] == pytest.approx(se.tolist(), rel=1e-12)


def test_segment_series_change_is_the_domain_contrast() -> None:
    """A segment's change uses the contrast of its two period domains."""
    data = sample()
    design = raked()
    t = trend(data, time="date", by="region", weights=design, method="wald", min_n=1)
    row = next(r for r in t if r.key == ("north",) and r.period == "2026-03")
    change = row.vs_previous
    assert change is not None
    assert change.ci is not None
    months = np.array([d[:7] for d in data["date"]])
    member = (data["region"] == "north") & np.isin(months, ["2026-02", "2026-03"])
    codes = (months[member] == "2026-03").astype(np.intp)
    se = design.design_se(
        data["score"][member], rows=member, codes=codes, n_groups=2, domain="group_minus_rest"
    )[1]
    assert change.se == pytest.approx(se, rel=1e-10)
    assert change.df is not None
    assert (change.ci[1] - change.ci[0]) / 2 == pytest.approx(t_margin(se, change.df), rel=1e-10)


def test_respondent_ids_without_repeats_change_nothing() -> None:
    """With ids but no one answering twice, the design's change test is unchanged."""
    data = dict(sample())
    data["respondent"] = np.arange(len(data["score"]))
    design = poststratified()
    plain = trend(data, time="date", weights=design, method="wald", min_n=1)
    with pytest.warns(FirstTimeRespondentWarning):
        paired = trend(
            data, time="date", weights=design, respondent="respondent", method="wald", min_n=1
        )
    for a, b in zip(plain, paired, strict=True):
        if a.vs_previous is None:
            assert b.vs_previous is None
            continue
        assert b.vs_previous is not None
        assert b.vs_previous.n_overlap == 0
        assert b.vs_previous.ci == pytest.approx(a.vs_previous.ci, rel=1e-12)


def _window_contrast(
    design: WeightingResult, data: dict[str, Any], earlier: list[str], later: list[str]
) -> float:
    """SE of NPS(later months) − NPS(earlier months) as a domain contrast of ``design``."""
    months = np.array([d[:7] for d in data["date"]])
    member = np.isin(months, earlier + later)
    codes = np.isin(months[member], later).astype(np.intp)
    se = design.design_se(
        data["score"][member], rows=member, codes=codes, n_groups=2, domain="group_minus_rest"
    )
    return float(se[1])


def test_rolling_change_is_the_contrast_of_the_two_windows() -> None:
    """With rolling windows the previous window shares no month; their domain contrast."""
    data = sample()
    design = poststratified()
    t = trend(data, time="date", weights=design, rolling=2, method="wald", min_n=1)
    change = t[3].vs_previous  # 2026-03..04 against 2026-01..02
    assert change is not None
    assert change.ci is not None
    se = _window_contrast(design, data, ["2026-01", "2026-02"], ["2026-03", "2026-04"])
    assert change.se == pytest.approx(se, rel=1e-10)


@pytest.mark.parametrize("clustered", [False, True])
def test_year_ago_window_out_of_step_with_rolling(clustered: bool) -> None:
    """A year-ago window that ``rolling`` does not divide is paired on its own."""
    data = dict(sample())
    start = date(2025, 1, 1)
    ids = np.arange(1, len(data["score"]) + 1)
    data["date"] = [(start + timedelta(days=int(i * 37) % 480)).isoformat() for i in ids]
    design = (
        account_weights(data, account="account_id", weights="w0") if clustered else poststratified()
    )
    t = trend(data, time="date", weights=design, rolling=5, method="wald", min_n=1)
    row = next(r for r in t if r.period == "2026-03")
    change = row.vs_year_ago
    assert change is not None
    assert change.reference == "2025-03"
    assert change.ci is not None
    earlier = ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    later = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    se = _window_contrast(design, data, earlier, later)
    assert change.se == pytest.approx(se, rel=1e-10)
    previous = row.vs_previous
    assert previous is not None
    assert previous.ci is not None
    before = ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]
    se = _window_contrast(design, data, before, later)
    assert previous.se == pytest.approx(se, rel=1e-10)


@pytest.mark.parametrize("clustered", [False, True])
def test_partner_groups_are_the_two_domain_contrast(clustered: bool) -> None:
    """design_se(partner=...) equals the group-minus-rest SE on just the two groups."""
    data = sample()
    design = account_weights(data, account="account_id", weights="w0") if clustered else raked()
    codes = np.searchsorted(["east", "north", "south", "west"], data["region"])
    partner = np.array([-1, 0, 0, 1])
    se = design.design_se(data["score"], codes=codes, n_groups=4, partner=partner)
    assert np.isnan(se[0])
    for g, p in ((1, 0), (2, 0), (3, 1)):
        member = (codes == g) | (codes == p)
        pair = design.design_se(
            data["score"][member],
            rows=member,
            codes=(codes[member] == g).astype(np.intp),
            n_groups=2,
            domain="group_minus_rest",
        )
        assert se[g] == pytest.approx(float(pair[1]), rel=1e-10)


def test_partner_out_of_range_is_a_clear_error() -> None:
    data = sample()
    with pytest.raises(InvalidParameterError, match="partner"):
        raked().design_se(
            data["score"], codes=np.zeros(2000, dtype=np.intp), n_groups=1, partner=np.array([3])
        )
