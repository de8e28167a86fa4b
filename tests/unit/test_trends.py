"""trend(): periods, changes, verdicts, respondents, transitions and decomposition."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

import netpromoter as nps
from netpromoter import _stats, trends
from netpromoter._tally import tally
from netpromoter.exceptions import (
    EmptyDataError,
    FirstTimeRespondentWarning,
    InvalidParameterError,
    InvalidTimeError,
)
from reference import t_margin, t_p_value, welch_df

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "trend"


def _read(name: str) -> dict[str, list[Any]]:
    with (GOLDEN / name).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    data: dict[str, list[Any]] = {k: [r[k] for r in rows] for k in rows[0]}
    data["score"] = [int(x) for x in data["score"]]
    return data


@pytest.fixture
def monthly() -> dict[str, list[Any]]:
    """The hand-made monthly programme of tests/golden/trend/README.md."""
    return _read("monthly.csv")


def _wald_se(p: float, d: float, n: int) -> float:
    return 100 * math.sqrt((p + d - (p - d) ** 2) / n)


def test_every_month_appears_with_counts(monthly: dict[str, list[Any]]) -> None:
    """Months run from first to last; March, with no answers, has n = 0 and no score."""
    result = trends.trend(monthly, method="wald")
    assert result.periods == ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
    assert [r.n for r in result] == [40, 40, 0, 40, 40]
    assert [r.nps for r in result] == [25.0, 25.0, None, 85.0, -65.0]
    march = result.get("2026-03")
    assert (march.ci, march.se, march.promoter_share) == (None, None, None)
    assert march.small_sample
    assert (march.start, march.end) == (date(2026, 3, 1), date(2026, 3, 31))


def test_known_changes_and_verdicts(monthly: dict[str, list[Any]]) -> None:
    """No change Jan→Feb, no reference for April (March empty), a significant fall in May."""
    result = trends.trend(monthly, method="wald")
    feb, mar, apr, may = (result.get(p) for p in ("2026-02", "2026-03", "2026-04", "2026-05"))
    assert feb.vs_previous is not None
    assert feb.vs_previous.delta == 0.0
    assert feb.vs_previous.p_value == 1.0
    assert feb.vs_previous.verdict == "no significant change"
    assert mar.vs_previous is not None
    assert mar.vs_previous.verdict == "not enough data"
    assert apr.vs_previous is not None
    assert apr.vs_previous.verdict == "not enough data"
    assert apr.vs_previous.delta is None
    assert may.vs_previous is not None
    # April: 36/2/2 of 40, May: 4/6/30 of 40; Wald SE of the difference by hand, and
    # Student's t with Welch's degrees of freedom (39 per month).
    var_a, var_b = _wald_se(0.9, 0.05, 40) ** 2, _wald_se(0.1, 0.75, 40) ** 2
    se = math.sqrt(var_a + var_b)
    df = welch_df(var_a, var_b, 39, 39)
    assert may.vs_previous.delta == pytest.approx(-150.0, abs=1e-12)
    assert may.vs_previous.se == pytest.approx(se, rel=1e-12)
    assert may.vs_previous.df == df
    lower, upper = may.vs_previous.ci  # type: ignore[misc]
    assert lower == pytest.approx(-150.0 - t_margin(se, df), rel=1e-9)
    assert upper == pytest.approx(-150.0 + t_margin(se, df), rel=1e-9)
    assert may.vs_previous.p_value == pytest.approx(t_p_value(-150.0 / se, df), rel=1e-9)
    assert may.vs_previous.verdict == "significant fall"
    assert result.get("2026-01").vs_previous is None


def test_a_rise_is_called_a_rise() -> None:
    """A big enough increase gets the verdict "significant rise"."""
    data = {
        "score": [0] * 40 + [10] * 40,
        "submitted_at": ["2026-01-15T12:00:00Z"] * 40 + ["2026-02-15T12:00:00Z"] * 40,
    }
    change = trends.trend(data).get("2026-02").vs_previous
    assert change is not None
    assert change.verdict == "significant rise"
    assert change.delta == 200.0


def test_rows_carry_the_same_estimates_as_score(monthly: dict[str, list[Any]]) -> None:
    """Each period's NPS and interval equal score() on that period's answers."""
    result = trends.trend(monthly)
    january = [
        s for s, t in zip(monthly["score"], monthly["submitted_at"], strict=True) if t < "2026-02"
    ]
    expected = nps.score(january)
    row = result.get("2026-01")
    assert row.nps == expected.nps
    assert row.ci == expected.ci
    assert row.se == expected.se


def test_segments_one_series_each_and_overall(monthly: dict[str, list[Any]]) -> None:
    """With by, each region has every period, and the overall series is kept apart."""
    result = trends.trend(monthly, by="region", min_n=5)
    assert result.keys == (("north",), ("south",))
    north = result.series("north")
    assert [r.n for r in north] == [20, 10, 0, 20, 20]
    assert north[0].nps == 75.0
    assert [r.n for r in result.series()] == [40, 40, 0, 40, 40]
    assert result.overall[0].key == ("(all)",)
    with pytest.raises(KeyError):
        result.series("west")


def test_decomposition_worked_example(monthly: dict[str, list[Any]]) -> None:
    """Jan→Feb: no change overall, but mix −21.67 and within +21.67 (README table)."""
    d = trends.trend(monthly, by="region").decompose("2026-01", "2026-02")
    assert d.change == pytest.approx(0.0, abs=1e-12)
    north, south = d.rows
    # north: share 0.5 → 0.25, NPS 75 → 80; south: 0.5 → 0.75, NPS −25 → 20/3.
    assert north.mix == pytest.approx(-0.25 * (75 + 80) / 2, abs=1e-12)
    assert north.within == pytest.approx(5 * 0.75 / 2, abs=1e-12)
    assert south.mix == pytest.approx(0.25 * (-25 + 20 / 3) / 2, abs=1e-12)
    assert south.within == pytest.approx((20 / 3 + 25) * 1.25 / 2, abs=1e-12)
    assert d.mix == pytest.approx(-65 / 3, abs=1e-9)
    assert d.mix + d.within == pytest.approx(d.change, abs=1e-9)
    assert "mix" in repr(d)
    assert "<table" in d._repr_html_()
    assert d.to_dicts()[0]["region"] == "north"


def test_decomposition_defaults_to_the_last_two_periods(monthly: dict[str, list[Any]]) -> None:
    """Without labels, the last period is compared with the one before."""
    d = trends.trend(monthly, by="region").decompose()
    assert (d.from_period, d.to_period) == ("2026-04", "2026-05")
    assert d.change == pytest.approx(-150.0)
    assert d.mix == pytest.approx(0.0, abs=1e-12)


def test_decomposition_bad_requests(monthly: dict[str, list[Any]]) -> None:
    """Decompose needs by, known periods with answers."""
    with pytest.raises(InvalidParameterError, match="needs segments"):
        trends.trend(monthly).decompose()
    result = trends.trend(monthly, by="region")
    with pytest.raises(InvalidParameterError, match="not a period"):
        result.decompose("2025-12", "2026-01")
    with pytest.raises(InvalidParameterError, match="no responses"):
        result.decompose("2026-02", "2026-03")


def test_segment_missing_in_one_period_counts_as_mix() -> None:
    """A segment that appears only later contributes only mix, and the terms still add up."""
    data = {
        "score": [10, 0, 10, 0, 9],
        "submitted_at": ["2026-01-02T00:00Z"] * 2 + ["2026-02-02T00:00Z"] * 3,
        "team": ["a", "a", "a", "a", "b"],
    }
    d = trends.trend(data, by="team", min_n=1).decompose()
    b = d.rows[1]
    assert b.nps_from is None
    assert b.within == 0.0
    assert b.mix == pytest.approx(100 / 3)
    assert d.mix + d.within == pytest.approx(d.change, abs=1e-12)


def test_time_zone_moves_answers_across_a_month_boundary() -> None:
    """23:30 UTC on 31 January is February in Amsterdam (UTC+1)."""
    data = {"score": [10, 9], "submitted_at": ["2026-01-31T23:30:00Z", "2026-01-15T10:00:00Z"]}
    assert [r.n for r in trends.trend(data, min_n=1)] == [2]
    amsterdam = trends.trend(data, timezone="Europe/Amsterdam", min_n=1)
    assert [(r.period, r.n) for r in amsterdam] == [("2026-01", 1), ("2026-02", 1)]
    assert amsterdam.timezone == "Europe/Amsterdam"


def test_aware_datetimes_in_any_zone() -> None:
    """Aware datetimes from different zones are placed by their instant."""
    tokyo = ZoneInfo("Asia/Tokyo")
    data = {
        "score": [10, 0],
        "submitted_at": [
            datetime(2026, 3, 1, 8, 0, tzinfo=tokyo),  # 28 Feb 23:00 UTC
            datetime(2026, 3, 1, 9, 30, tzinfo=tokyo),  # 1 Mar 00:30 UTC
        ],
    }
    result = trends.trend(data, period="day", min_n=1)
    assert [(r.period, r.n) for r in result] == [("2026-02-28", 1), ("2026-03-01", 1)]


def test_naive_timestamps_need_a_zone() -> None:
    """Naive datetimes are refused, naming the rows, unless naive_timezone is given."""
    data = {
        "score": [10, 9, 3],
        "submitted_at": [
            datetime(2026, 1, 5, 12, 0),  # noqa: DTZ001 - naive on purpose
            datetime(2026, 1, 6, 12, 0, tzinfo=timezone.utc),
            datetime(2026, 2, 1, 0, 30),  # noqa: DTZ001
        ],
    }
    with pytest.raises(InvalidTimeError, match=r"2 values .* naive .*position 0, position 2") as e:
        trends.trend(data)
    assert e.value.positions == (0, 2)
    assert isinstance(e.value, ValueError)
    # 00:30 on 1 Feb in Amsterdam is 23:30 UTC on 31 January.
    result = trends.trend(data, naive_timezone="Europe/Amsterdam", min_n=1)
    assert [r.n for r in result] == [3]


def test_numpy_datetime64_is_naive() -> None:
    """A numpy datetime64 column has no zone: it needs naive_timezone."""
    data = {
        "score": np.array([10, 3]),
        "submitted_at": np.array(["2026-01-01T10:00", "2026-02-01T10:00"], dtype="M8[s]"),
    }
    with pytest.raises(InvalidTimeError, match="naive"):
        trends.trend(data)
    assert [r.n for r in trends.trend(data, naive_timezone="UTC", min_n=1)] == [1, 1]


def test_unparseable_and_missing_times_are_named() -> None:
    """Text that is not a timestamp, and missing times, are reported with their rows."""
    times: list[str | None] = ["2026-01-01T00:00Z", "yesterday", "2026-13-01T00:00Z", None]
    data = {"score": [10, 9, 8, 7], "submitted_at": times}
    with pytest.raises(InvalidTimeError, match=r"2 values .* not timestamps: position 1") as e:
        trends.trend(data)
    assert e.value.positions == (1, 2)
    times[1:3] = ["2026-01-02T00:00Z", "2026-01-03T00:00Z"]
    with pytest.raises(InvalidTimeError, match=r"missing: position 3"):
        trends.trend(data)


def test_dates_are_calendar_days() -> None:
    """Plain dates need no zone: they are the calendar day itself."""
    data = {"score": [10, 3], "submitted_at": [date(2026, 1, 31), "2026-02-01"]}
    result = trends.trend(data, timezone="Pacific/Auckland", min_n=1)
    assert [(r.period, r.n) for r in result] == [("2026-01", 1), ("2026-02", 1)]


def test_unknown_period_and_zone() -> None:
    """Unknown period names and zones are parameter errors naming the value."""
    data = {"score": [10], "submitted_at": ["2026-01-01T00:00Z"]}
    with pytest.raises(InvalidParameterError, match="unknown period 'fortnight'"):
        trends.trend(data, period="fortnight")
    with pytest.raises(InvalidParameterError, match="Mars/Olympus"):
        trends.trend(data, timezone="Mars/Olympus")
    with pytest.raises(InvalidParameterError, match="rolling"):
        trends.trend(data, rolling=0)
    with pytest.raises(InvalidParameterError, match="alpha"):
        trends.trend(data, alpha=1.5)
    with pytest.raises(InvalidParameterError, match="method"):
        trends.trend(data, method="bogus")  # type: ignore[arg-type]


def test_all_rows_in_one_period() -> None:
    """A single period is a result, with nothing to compare against."""
    data = {"score": [10, 9, 3], "submitted_at": ["2026-01-05T00:00Z"] * 3}
    result = trends.trend(data, respondent=None)
    assert len(result) == 1
    assert result[0].vs_previous is None
    assert result[0].small_sample
    # Daily periods of the same day, with a rolling window: still one row.
    assert len(trends.trend(data, period="day", rolling=7)) == 1


def test_not_enough_data_verdict_for_small_periods() -> None:
    """Two tiny periods are compared, but the verdict says not enough data."""
    data = {"score": [10, 0], "submitted_at": ["2026-01-05T00:00Z", "2026-02-05T00:00Z"]}
    change = trends.trend(data).get("2026-02").vs_previous
    assert change is not None
    assert change.verdict == "not enough data"
    assert change.delta == -200.0


def test_empty_data_is_an_error() -> None:
    """No scores at all is an EmptyDataError."""
    with pytest.raises(EmptyDataError):
        trends.trend({"score": [], "submitted_at": []})


def test_iso_weeks_and_labels() -> None:
    """ISO weeks run Monday to Sunday; 2027-01-01 is in 2026-W53."""
    data = {
        "score": [10, 10, 10],
        "submitted_at": ["2026-12-27T12:00Z", "2026-12-28T12:00Z", "2027-01-03T12:00Z"],
    }
    result = trends.trend(data, period="week", min_n=1)
    assert [(r.period, r.n) for r in result] == [("2026-W52", 1), ("2026-W53", 2)]
    assert result[1].start == date(2026, 12, 28)
    assert result[1].end == date(2027, 1, 3)


def test_quarters_years_and_fixed_windows() -> None:
    """Quarter, year and N-day windows (from the first day, or an origin)."""
    data = {
        "score": [10, 0, 9],
        "submitted_at": ["2025-12-31T00:00Z", "2026-01-01T00:00Z", "2026-04-01T00:00Z"],
    }
    assert trends.trend(data, period="quarter", min_n=1).periods == (
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    )
    assert trends.trend(data, period="year", min_n=1).periods == ("2025", "2026")
    fixed = trends.trend(data, period="30D", min_n=1)
    assert fixed.period == "30D"
    assert fixed.periods[:2] == ("2025-12-31", "2026-01-30")
    assert [r.n for r in fixed] == [2, 0, 0, 1]
    shifted = trends.trend(data, period=timedelta(days=30), origin=date(2025, 12, 15), min_n=1)
    assert shifted.periods[0] == "2025-12-15"
    assert [r.n for r in shifted] == [2, 0, 0, 1]
    assert trends.trend(data, period=91, min_n=1).period == "91D"


def test_year_ago_comparison() -> None:
    """Months are compared with the same month a year earlier when it is in the data."""
    data = {
        "score": [10] * 40 + [0] * 40 + [5] * 40,
        "submitted_at": ["2025-03-10T00:00Z"] * 40
        + ["2026-03-10T00:00Z"] * 40
        + ["2026-02-10T00:00Z"] * 40,
    }
    result = trends.trend(data)
    march = result.get("2026-03")
    assert march.vs_year_ago is not None
    assert march.vs_year_ago.reference == "2025-03"
    assert march.vs_year_ago.verdict == "significant fall"
    assert march.vs_previous is not None
    assert march.vs_previous.reference == "2026-02"
    assert result.get("2025-04").vs_year_ago is None


def test_rolling_windows_pool_periods() -> None:
    """Rolling 3 months pools each month with the two before; changes skip 3 months back."""
    data = {
        "score": [10, 0, 9, 6, 10, 10],
        "submitted_at": [f"2026-0{m}-10T00:00Z" for m in range(1, 7)],
    }
    result = trends.trend(data, rolling=3, min_n=1, method="wald")
    assert [r.n for r in result] == [1, 2, 3, 3, 3, 3]
    march = result.get("2026-03")
    assert march.start == date(2026, 1, 1)
    assert march.nps == pytest.approx(100 / 3)
    june = result.get("2026-06")
    assert june.vs_previous is not None
    assert june.vs_previous.reference == "2026-03"
    assert result.get("2026-03").vs_previous is None
    assert result.rolling == 3


def test_weighted_trend_uses_weights_and_weighting_objects() -> None:
    """Weights (a column, or an object with .weights) give weighted counts and SEs."""

    class Weighting:
        weights = np.array([3.0, 1.0, 1.0, 1.0])

    data = {
        "score": [10, 0, 10, 0],
        "submitted_at": ["2026-01-01T00:00Z"] * 2 + ["2026-02-01T00:00Z"] * 2,
        "w": [3.0, 1.0, 1.0, 1.0],
    }
    by_column = trends.trend(data, weights="w", min_n=1)
    by_object = trends.trend(data, weights=Weighting(), min_n=1)
    assert by_column.weighted
    assert by_column[0].nps == 50.0
    assert by_column[0].promoters == 3.0
    assert by_column.to_dicts() == by_object.to_dicts()


def test_overlap_change_matches_r_survey() -> None:
    """With respondent ids, the change SE is R survey's clustered SE (× (C − 1) / C)."""
    data = _read("overlap.csv")
    expected = json.loads((GOLDEN / "overlap_r.json").read_text(encoding="utf-8"))
    result = trends.trend(data, respondent="respondent_id", method="wald", min_n=1)
    feb = result.get("2026-02")
    assert [r.nps for r in result] == pytest.approx(expected["nps"], rel=1e-12)
    change = feb.vs_previous
    assert change is not None
    assert change.n_overlap == 20
    assert change.delta == pytest.approx(expected["delta"], rel=1e-12)
    c = expected["clusters"]
    assert change.se is not None
    assert change.se * math.sqrt(c / (c - 1)) == pytest.approx(expected["se_delta"], rel=1e-9)
    independent = trends.trend(data, method="wald", min_n=1).get("2026-02").vs_previous
    assert independent is not None
    assert independent.n_overlap == 0
    assert independent.ci[1] - independent.ci[0] > change.ci[1] - change.ci[0]  # type: ignore[index]


def _panel() -> dict[str, list[Any]]:
    """Four respondents in January and February, two new ones in February."""
    return {
        "score": [7, 8, 3, 10, 9, 10, 3, 10, 10, 2],
        "respondent": ["a", "b", "c", "d", "a", "b", "c", "d", "e", "f"],
        "submitted_at": ["2026-01-10T00:00Z"] * 4 + ["2026-02-10T00:00Z"] * 6,
    }


def test_respondents_split_first_time_and_returning() -> None:
    """February has four returning and two first-time respondents."""
    result = trends.trend(_panel(), respondent="respondent", min_n=1)
    jan, feb = result.respondents
    assert (jan.n_first_time, jan.n_returning, jan.first_time_share) == (4, 0, 1.0)
    assert (feb.n_first_time, feb.n_returning) == (2, 4)
    assert feb.first_time_share == pytest.approx(1 / 3)
    assert feb.first_time_nps == 0.0
    assert feb.returning_nps == 50.0
    assert not feb.mostly_first_time


def test_mostly_first_time_periods_warn() -> None:
    """A later period resting mostly on new respondents warns and is flagged."""
    data = _panel()
    data["respondent"] = ["a", "b", "c", "d", "a", "x", "y", "z", "e", "f"]
    with pytest.warns(FirstTimeRespondentWarning, match=r"1 periods .*2026-02"):
        result = trends.trend(data, respondent="respondent", min_n=1)
    assert result.respondents[1].mostly_first_time


def test_transitions_between_consecutive_periods() -> None:
    """Passive→promoter twice, detractor stays, promoter stays; the paired test is exact."""
    result = trends.trend(_panel(), respondent="respondent", min_n=1, method="wald")
    (t,) = result.transitions
    assert (t.from_period, t.to_period, t.n) == ("2026-01", "2026-02", 4)
    assert t.count("passive", "promoter") == 2
    assert t.count("detractor", "detractor") == 1
    assert t.count("promoter", "promoter") == 1
    assert t.matrix == ((1, 0, 0), (0, 0, 2), (0, 0, 1))
    assert (t.nps_from, t.nps_to) == (0.0, 50.0)
    # Per-respondent changes d = (0, +1, +1, 0): mean 0.5, paired SE 100 sd(d) / sqrt(n)
    # with the n divisor: sd = 0.5, so SE = 25; t with n - 1 = 3 degrees of freedom.
    assert t.delta == 50.0
    assert t.se == pytest.approx(25.0)
    assert t.df == 3.0
    assert t.ci == pytest.approx((50 - t_margin(25.0, 3), 50 + t_margin(25.0, 3)))
    with pytest.raises(InvalidParameterError, match="unknown category"):
        t.count("fan", "promoter")


def test_respondent_overlap_per_segment() -> None:
    """Segment series count overlap only for respondents in that segment both times."""
    data = _panel()
    data["team"] = ["x", "x", "y", "y", "x", "y", "y", "y", "x", "x"]
    result = trends.trend(data, respondent="respondent", by="team", min_n=1)
    x_feb = result.get("2026-02", "x").vs_previous
    y_feb = result.get("2026-02", "y").vs_previous
    assert x_feb is not None
    assert y_feb is not None
    assert (x_feb.n_overlap, y_feb.n_overlap) == (1, 2)
    overall = result.get("2026-02").vs_previous
    assert overall is not None
    assert overall.n_overlap == 4


def test_rolling_overlap_counts_distinct_respondents() -> None:
    """With rolling windows, overlap is the respondents present in both windows."""
    data = {
        "score": [10, 9, 8, 7, 10, 9],
        "respondent": ["a", "a", "b", "a", "b", "c"],
        "submitted_at": [f"2026-0{m}-10T00:00Z" for m in (1, 2, 2, 3, 4, 4)],
    }
    result = trends.trend(data, respondent="respondent", rolling=2, min_n=1)
    change = result.get("2026-04").vs_previous
    assert change is not None
    assert change.reference == "2026-02"
    assert change.n_overlap == 2


def test_outputs(monthly: dict[str, list[Any]]) -> None:
    """to_dicts flattens changes; repr and HTML show the table; the SVG escapes text."""
    result = trends.trend(monthly, by="region")
    rows = result.to_dicts()
    assert len(rows) == 10
    assert rows[1]["region"] == "north"
    assert rows[1]["vs_previous_verdict"] == "not enough data"
    assert rows[0]["vs_previous_verdict"] is None
    assert len(result.to_dicts(overall=True)) == 15
    assert "TrendResult(NPS by month by region (UTC)" in repr(result)
    page = result._repr_html_()
    assert page.count("<svg") == 1
    assert "<table" in page
    svg = result.to_svg(segments=False)
    assert "(all)" in svg
    assert "<polygon" in svg


def test_dataframes(monthly: dict[str, list[Any]]) -> None:
    """Pandas and polars inputs (aware datetime columns) give the same trend."""
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    frame = pd.DataFrame(monthly)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True).dt.tz_convert(
        "Europe/Amsterdam"
    )
    expected = trends.trend(monthly, by="region").to_dicts()
    assert trends.trend(frame, by="region").to_dicts() == expected
    polars_frame = pl.from_pandas(frame)
    assert trends.trend(polars_frame, by="region").to_dicts() == expected
    out = trends.trend(frame).to_pandas()
    assert list(out["n"]) == [40, 40, 0, 40, 40]
    assert trends.trend(frame).to_polars()["n"].to_list() == [40, 40, 0, 40, 40]
    naive = frame.assign(submitted_at=frame["submitted_at"].dt.tz_localize(None))
    with pytest.raises(InvalidTimeError, match="naive"):
        trends.trend(naive)


def test_responses_list() -> None:
    """A list of Response objects is read through its fields."""
    responses = [
        nps.Response(score=s, submitted_at=datetime(2026, m, 3, tzinfo=timezone.utc))
        for s, m in ((10, 1), (3, 1), (9, 2))
    ]
    result = trends.trend(responses, min_n=1)
    assert [r.n for r in result] == [2, 1]


def test_overlap_covariance_against_direct_computation() -> None:
    """The covariance equals Σ u_a u_b computed respondent by respondent."""
    rng = np.random.default_rng(3)
    s_a = rng.integers(0, 11, 50)
    s_b = rng.integers(0, 11, 60)
    shared = 25  # the first 25 respondents of each sample are the same people
    a, b = tally(s_a.astype(np.int8)), tally(s_b.astype(np.int8))

    def value(x: np.ndarray) -> np.ndarray:
        return (x >= 9).astype(float) - (x <= 6)

    v_a, v_b = value(s_a), value(s_b)
    u_a = (v_a - v_a.mean()) / len(v_a)
    u_b = (v_b - v_b.mean()) / len(v_b)
    direct = 1e4 * float(np.sum(u_a[:shared] * u_b[:shared]))
    one = np.ones(1)
    cross = _stats.CrossSums(
        ss=one * float(np.sum(v_a[:shared] * v_b[:shared])),
        sw=one * float(np.sum(v_a[:shared])),
        ws=one * float(np.sum(v_b[:shared])),
        ww=one * shared,
        n=np.array([shared]),
    )
    got = _stats.overlap_covariance(a, b, cross, weighted=False)
    assert float(got[0]) == pytest.approx(direct, rel=1e-12)
    none = cross._replace(n=np.array([0]), ss=one * 0, sw=one * 0, ws=one * 0, ww=one * 0)
    assert float(_stats.overlap_covariance(a, b, none, weighted=False)[0]) == 0.0


def test_weighted_overlap_covariance_through_trend() -> None:
    """Weighted: the change SE uses Σ u_a u_b with u = w (s − ȳ) / W, scaled like the SEs."""
    rng = np.random.default_rng(11)
    n_a, n_b, shared = 30, 40, 26
    ids_a = [f"r{i}" for i in range(n_a)]
    ids_b = [f"r{i}" for i in range(shared)] + [f"n{i}" for i in range(n_b - shared)]
    s_a, s_b = rng.integers(0, 11, n_a), rng.integers(0, 11, n_b)
    w_a, w_b = rng.uniform(0.5, 3.0, n_a), rng.uniform(0.5, 3.0, n_b)
    data = {
        "score": [*s_a.tolist(), *s_b.tolist()],
        "who": ids_a + ids_b,
        "w": [*w_a.tolist(), *w_b.tolist()],
        "submitted_at": ["2026-01-10T00:00Z"] * n_a + ["2026-02-10T00:00Z"] * n_b,
    }
    paired = trends.trend(data, weights="w", respondent="who", method="wald", min_n=1)
    alone = trends.trend(data, weights="w", method="wald", min_n=1)

    def value(x: np.ndarray) -> np.ndarray:
        return (x >= 9).astype(float) - (x <= 6)

    v_a, v_b = value(s_a), value(s_b)
    mean_a, mean_b = np.average(v_a, weights=w_a), np.average(v_b, weights=w_b)
    u_a = w_a * (v_a - mean_a) / w_a.sum()
    u_b = w_b * (v_b - mean_b) / w_b.sum()
    factor = math.sqrt(n_a * n_b / ((n_a - 1) * (n_b - 1)))
    cov = 1e4 * float(np.sum(u_a[:shared] * u_b[:shared])) * factor
    se_alone = alone[1].vs_previous.se  # type: ignore[union-attr]
    se_paired = paired[1].vs_previous.se  # type: ignore[union-attr]
    assert se_alone is not None
    assert se_paired is not None
    assert se_paired**2 == pytest.approx(se_alone**2 - 2 * cov, rel=1e-10)
    assert paired[1].vs_previous.n_overlap == shared  # type: ignore[union-attr]


def test_answers_without_respondent_id_never_pair() -> None:
    """Missing ids are separate first-time respondents, not one shared "(missing)" person."""
    data = _panel()
    data["respondent"] = [None, "b", None, "d", None, "b", None, "d", "e", "f"]
    with pytest.warns(FirstTimeRespondentWarning):
        result = trends.trend(data, respondent="respondent", min_n=1)
    assert result.transitions[0].n == 2
    assert result.respondents[1].n_returning == 2
    change = result.get("2026-02").vs_previous
    assert change is not None
    assert change.n_overlap == 2


def test_many_periods_times_segments_are_counted_compactly() -> None:
    """Over 65,536 period × segment cells, only the ones that occur are counted, same result."""
    rng = np.random.default_rng(5)
    n = 400
    days = rng.integers(0, 1200, n)
    data = {
        "score": rng.integers(0, 11, n).tolist(),
        "submitted_at": [
            (date(2024, 1, 1) + timedelta(days=int(d))).isoformat() + "T12:00Z" for d in days
        ],
        "agent": [f"a{int(i):03d}" for i in rng.integers(0, 80, n)],
    }
    result = trends.trend(data, period="day", by="agent", min_n=1)
    assert len(result.overall) == int(days.max() - days.min()) + 1
    assert sum(r.n for r in result) == n
    first = date(2024, 1, 1) + timedelta(days=int(days[0]))
    row = result.get(first.isoformat(), data["agent"][0])
    expected = [
        s
        for s, d, a in zip(data["score"], days.tolist(), data["agent"], strict=True)
        if d == days[0] and a == data["agent"][0]
    ]
    assert row.n == len(expected)
    assert row.nps == nps.score(expected).nps


def test_weights_from_a_weighting_result() -> None:
    """A post-stratification result weights the counts and gives its domain SEs."""
    scores = [10, 9, 3, 8, 10, 6, 2, 9]
    data = {
        "score": scores,
        "region": ["n", "n", "s", "s", "n", "s", "s", "n"],
        "submitted_at": ["2026-01-05T00:00Z"] * 4 + ["2026-02-05T00:00Z"] * 4,
    }
    weighting = nps.poststratify(data, {"n": 30, "s": 70}, by="region")
    result = trends.trend(data, weights=weighting, min_n=1, method="wald")
    assert result.weighted
    by_array = trends.trend(data, weights=weighting.weights, min_n=1, method="wald")
    same = ("period", "n", "detractors", "passives", "promoters", "nps", "effective_n")
    for got, plain in zip(result.to_dicts(), by_array.to_dicts(), strict=True):
        assert {k: got[k] for k in same} == {k: plain[k] for k in same}
    january = nps.score(scores[:4], weights=weighting.weights[:4])
    assert result[0].nps == pytest.approx(january.nps, abs=1e-12)
    # The SE is the design's domain SE, not the plain weighted one.
    codes = np.array([0] * 4 + [1] * 4)
    design_se = weighting.design_se(np.array(scores), codes=codes, n_groups=2)
    assert [r.se for r in result] == pytest.approx(design_se.tolist(), rel=1e-12)
