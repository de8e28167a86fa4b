"""trend() on lazy frames: the engine tallies time buckets, and every number equals in-memory."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from netpromoter._input import engine_times
from netpromoter._input.times import check_zone
from netpromoter.exceptions import (
    ColumnNotFoundError,
    EmptyDataError,
    InvalidParameterError,
    InvalidTimeError,
    InvalidWeightsError,
)
from netpromoter.trends import TrendResult, trend

if TYPE_CHECKING:
    from collections.abc import Iterator

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
dd = pytest.importorskip("dask.dataframe")
duckdb = pytest.importorskip("duckdb")

ENGINES = ["polars-lazy", "dask", "duckdb"]
N_ROWS = 4_000
_UTC = timezone.utc


def lazy(frame: Any, engine: str) -> Any:
    """The pandas ``frame`` as a lazy frame of ``engine``."""
    if engine == "polars-lazy":
        return pl.from_pandas(frame, nan_to_null=False).lazy()
    if engine == "dask":
        return dd.from_pandas(frame, npartitions=3)
    return duckdb.from_df(frame)


def _epoch(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=_UTC).timestamp())


@pytest.fixture(scope="module")
def survey() -> Any:
    """4,000 answers over two years, many near DST switches, in several time columns.

    Scores with 3% NaN, weights, two keys (one with nulls), and the same instants as
    UTC and Amsterdam datetimes, naive New York wall-clock times, ISO text with a
    +05:30 offset and local dates.
    """
    rng = np.random.default_rng(7)
    seconds = _epoch(2024, 1, 1) + rng.integers(0, 2 * 365 * 86_400, N_ROWS)
    # Around the 2025 switches of Europe and North America, and near UTC midnights.
    for k, moment in enumerate(
        (_epoch(2025, 3, 30, 0, 30), _epoch(2025, 10, 26), _epoch(2025, 11, 2, 4))
    ):
        seconds[k * 300 : (k + 1) * 300] = moment + rng.integers(0, 4 * 3_600, 300)
    seconds[900:1_100] = _epoch(2025, 6, 1) + rng.integers(-2_000, 2_000, 200)
    score = rng.integers(0, 11, N_ROWS).astype(np.float64)
    score[rng.random(N_ROWS) < 0.03] = np.nan
    utc = pd.to_datetime(seconds, unit="s", utc=True).as_unit("us")
    region = np.array(["north", "south", "east", None], dtype=object)[rng.integers(0, 4, N_ROWS)]
    text = utc.tz_convert("Asia/Kolkata").strftime("%Y-%m-%dT%H:%M:%S%z")
    return pd.DataFrame(
        {
            "score": score,
            "w": rng.gamma(2.0, 0.5, N_ROWS),
            "region": region,
            "channel": rng.integers(0, 3, N_ROWS),
            "t_utc": utc,
            "t_ams": utc.tz_convert("Europe/Amsterdam"),
            "t_naive": utc.tz_convert("America/New_York").tz_localize(None),
            "t_text": [t[:-2] + ":" + t[-2:] for t in text],
            "t_date": [d.date() for d in utc.tz_convert("Europe/Amsterdam")],
        }
    )


def _pairs(expected: TrendResult, actual: TrendResult) -> Iterator[tuple[str, Any, Any]]:
    for want, got in zip(
        expected.to_dicts(overall=True), actual.to_dicts(overall=True), strict=True
    ):
        assert want.keys() == got.keys()
        for name, value in want.items():
            yield name, value, got[name]


def assert_same_trend(expected: TrendResult, actual: TrendResult) -> None:
    """Every row and field equal: exactly, or to 1e-12 for floats."""
    assert len(expected.rows) == len(actual.rows)
    assert expected.periods == actual.periods
    for name, want, got in _pairs(expected, actual):
        if isinstance(want, float) and isinstance(got, float):
            assert math.isclose(want, got, rel_tol=1e-12, abs_tol=1e-12) or (
                math.isnan(want) and math.isnan(got)
            ), (name, want, got)
        else:
            assert want == got, (name, want, got)
            assert type(want) is type(got), name


CASES: list[tuple[str, str, str | int, dict[str, Any]]] = [
    ("t_utc", "UTC", "month", {}),
    ("t_ams", "Europe/Amsterdam", "day", {}),
    ("t_naive", "Asia/Kathmandu", "week", {"naive_timezone": "America/New_York"}),
    ("t_text", "America/St_Johns", "quarter", {"rolling": 2}),
    ("t_utc", "Australia/Lord_Howe", 30, {"origin": date(2023, 12, 15)}),
    ("t_date", "Europe/Amsterdam", "month", {"rolling": 3}),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_weighted_trend_equals_in_memory(
    survey: Any, engine: str, case: tuple[str, str, str | int, dict[str, Any]]
) -> None:
    """Weights, NaN scores, null keys, zones with DST and :30/:45 offsets, every time type."""
    time, zone, period, options = case
    kwargs: dict[str, Any] = {
        "time": time,
        "timezone": zone,
        "period": period,
        "by": ["region", "channel"],
        "weights": "w",
        "missing": "drop",
        "min_n": 5,
        **options,
    }
    expected = trend(survey, **kwargs)
    actual = trend(lazy(survey, engine), **kwargs)
    assert_same_trend(expected, actual)
    assert any(r.vs_previous is not None for r in actual)


@pytest.mark.parametrize("engine", ENGINES)
def test_unweighted_counts_are_exact(survey: Any, engine: str) -> None:
    """Without weights, every count (n, detractors, ...) is the same integer, year-ago too."""
    kwargs: dict[str, Any] = {
        "time": "t_ams",
        "timezone": "Europe/Amsterdam",
        "by": "region",
        "min_n": 1,
    }
    expected = trend(survey, missing="drop", **kwargs)
    actual = trend(lazy(survey, engine), missing="drop", **kwargs)
    assert_same_trend(expected, actual)
    assert [r.promoters for r in actual] == [r.promoters for r in expected]
    assert any(r.vs_year_ago is not None for r in actual.overall)


@pytest.mark.parametrize("engine", ENGINES)
def test_local_mean_time_falls_back_to_seconds(engine: str) -> None:
    """Amsterdam was 19 min 32 s ahead in 1890: no coarse bucket is exact, seconds are."""
    frame = pd.DataFrame(
        {
            "score": [9.0, 3.0, 10.0, 7.0],
            "t": pd.to_datetime(
                ["1890-01-01 23:35", "1890-01-01 23:45", "1890-01-02 10:00", "1890-01-05 00:00"],
                utc=True,
            ),
        }
    )
    kwargs: dict[str, Any] = {
        "time": "t",
        "timezone": "Europe/Amsterdam",
        "period": "day",
        "min_n": 1,
    }
    expected = trend(frame, **kwargs)
    assert expected.get("1890-01-01").n == 1
    assert_same_trend(expected, trend(lazy(frame, engine), **kwargs))


def test_days_are_cut_at_local_midnights() -> None:
    """No cut for UTC, two for a zone with DST, one per pair of offsets for naive times."""

    def cuts(zone: str, naive: str | None = None) -> tuple[int, ...]:
        return engine_times.cuts_for(check_zone(zone), None if naive is None else check_zone(naive))

    assert cuts("UTC") == ()
    assert cuts("Europe/Amsterdam") == (22 * 3600, 23 * 3600)
    assert cuts("Asia/Kathmandu") == (65_700, 66_600)  # +05:45 since 1986, +05:30 before
    assert cuts("Europe/Amsterdam", "Europe/Amsterdam") == (3600, 23 * 3600)
    assert cuts("UTC", "America/New_York") == (19 * 3600, 20 * 3600)


@pytest.fixture
def broken() -> Any:
    """Three answers: a missing time on a kept score, and one on a missing score."""
    return pd.DataFrame(
        {
            "score": [9.0, 3.0, math.nan, 10.0],
            "t": pd.to_datetime(["2026-01-01", None, None, "2026-02-01"]),
            "text": ["2026-01-01T00:00Z", "yesterday", "2026-01-03", "soon"],
        }
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_time_errors_are_counted_as_in_memory(broken: Any, engine: str) -> None:
    """Naive, missing and unreadable times raise the in-memory error, without positions."""
    frame = lazy(broken, engine)
    naive = broken.drop(index=1)
    with pytest.raises(InvalidTimeError, match="2 values of time column 't' are naive"):
        trend(naive, time="t", missing="drop", min_n=1)
    with pytest.raises(InvalidTimeError, match=r"2 values .* are naive .*: \(rows of a lazy"):
        trend(lazy(naive, engine), time="t", missing="drop", min_n=1)
    # The missing time of the dropped score is not checked, in memory or on the engine.
    for data in (broken, frame):
        with pytest.raises(InvalidTimeError, match="1 values of time column 't' is missing"):
            trend(data, time="t", naive_timezone="UTC", missing="drop", min_n=1)
    with pytest.raises(InvalidTimeError, match="are not timestamps: values 'soon', 'yesterday'"):
        trend(frame, time="text", missing="drop", min_n=1)
    with pytest.raises(InvalidTimeError, match="are not timestamps: position 1, position 3"):
        trend(broken, time="text", missing="drop", min_n=1)


@pytest.mark.parametrize("engine", ENGINES)
def test_other_errors_match_in_memory(survey: Any, engine: str) -> None:
    """Unknown columns, no scores, zero weights; respondent ids need in-memory data."""
    frame = lazy(survey, engine)
    with pytest.raises(ColumnNotFoundError, match="no column 'when'"):
        trend(frame, time="when")
    with pytest.raises(InvalidParameterError, match="respondent='channel' needs"):
        trend(frame, time="t_utc", respondent="channel")
    with pytest.raises(InvalidParameterError, match="weights of a lazy"):
        trend(frame, time="t_utc", weights=np.ones(N_ROWS), missing="drop")
    empty = survey.assign(score=math.nan, w=0.0)
    for data in (empty, lazy(empty, engine)):
        with pytest.raises(EmptyDataError, match=f"all {N_ROWS} scores were missing"):
            trend(data, time="t_utc", missing="drop")
    zero = survey.assign(w=0.0)
    for data in (zero, lazy(zero, engine)):
        with pytest.raises(InvalidWeightsError, match="weights are zero"):
            trend(data, time="t_utc", weights="w", missing="drop")


def test_duckdb_outside_utc_is_refused_with_the_setting_to_change(survey: Any) -> None:
    """DuckDB reads zoned times in its connection zone; outside UTC trend says what to set."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'Europe/Amsterdam'")
    frame = survey[["score", "t_utc"]]
    relation = connection.from_df(frame)
    with pytest.raises(InvalidParameterError, match="SET TimeZone = 'UTC'"):
        trend(relation, time="t_utc", missing="drop")
    connection.execute("SET TimeZone = 'UTC'")
    expected = trend(frame, time="t_utc", missing="drop", min_n=1)
    assert_same_trend(
        expected, trend(connection.from_df(frame), time="t_utc", missing="drop", min_n=1)
    )
    connection.close()
