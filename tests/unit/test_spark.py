"""PySpark in local mode: the same numbers as in memory (run in CI; needs Java).

One local Spark session (``local[2]``, two shuffle partitions) serves the whole test
session. The default local run skips these tests (``-m "not spark"``); CI runs them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import lazy_weighting_cases
import netpromoter as nps
from netpromoter.exceptions import InvalidScoreError, InvalidWeightsError
from netpromoter.segmentation import SegmentCounts, segment

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.spark

N_ROWS = 10_000


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local Spark session for the whole test run, stopped at the end."""
    sql = pytest.importorskip("pyspark.sql")
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("netpromoter-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def columns() -> dict[str, list[Any]]:
    """10,000 rows: scores with NaN and null, weights, 100 agents, regions with nulls."""
    rng = np.random.default_rng(9)
    scores: list[float | None] = rng.integers(0, 11, N_ROWS).astype(float).tolist()
    for i in rng.choice(N_ROWS, 300, replace=False).tolist():
        scores[i] = math.nan if i % 2 else None
    regions = np.array(["north", "south", "east", ""], dtype=object)[rng.integers(0, 4, N_ROWS)]
    return {
        "score": scores,
        "w": rng.gamma(2.0, 0.5, N_ROWS).tolist(),
        "agent": rng.integers(0, 100, N_ROWS).tolist(),
        "region": [r or None for r in regions.tolist()],
    }


@pytest.fixture(scope="module")
def frame(spark: Any, columns: dict[str, list[Any]]) -> Any:
    """The columns as a cached Spark DataFrame (rows from Python, so NaN stays NaN)."""
    schema = "score double, w double, agent long, region string"
    rows = list(zip(*columns.values(), strict=True))
    return spark.createDataFrame(rows, schema=schema).cache()


def test_score_equals_in_memory(frame: Any, columns: dict[str, list[Any]]) -> None:
    """Weighted score() on Spark equals score() of the numpy columns."""
    scores = np.array([np.nan if s is None else s for s in columns["score"]])
    expected = nps.score(scores, weights=np.array(columns["w"]), missing="drop")
    actual = nps.score(frame, score="score", weights="w", missing="drop")
    assert (expected.n, expected.n_missing) == (actual.n, actual.n_missing)
    assert expected.category_counts == actual.category_counts
    assert actual.nps == pytest.approx(expected.nps, rel=1e-12)
    assert actual.se == pytest.approx(expected.se, rel=1e-12)


def test_segment_equals_in_memory(frame: Any, columns: dict[str, list[Any]]) -> None:
    """segment() by region × agent on Spark equals the in-memory table."""
    expected = segment(columns, ["region", "agent"], weights="w", missing="drop", min_n=5)
    actual = segment(frame, ["region", "agent"], weights="w", missing="drop", min_n=5)
    assert expected.counts.levels == actual.counts.levels
    assert expected.counts.count == actual.counts.count
    assert expected.counts.n_missing == actual.counts.n_missing
    for name in ("nps", "se", "p_adjusted"):
        np.testing.assert_allclose(
            [getattr(r, name) for r in actual],
            [getattr(r, name) for r in expected],
            rtol=1e-12,
            atol=1e-12,
        )


def test_partial_tallies_merge(frame: Any, columns: dict[str, list[Any]]) -> None:
    """Per-agent-parity SegmentCounts from Spark, through JSON, merge to the whole."""
    from pyspark.sql import functions as f  # noqa: PLC0415 - optional dependency

    parts = [
        SegmentCounts.model_validate_json(
            SegmentCounts.from_data(
                frame.filter(f.col("agent") % 2 == parity), "region", missing="drop"
            ).model_dump_json()
        )
        for parity in (0, 1)
    ]
    expected = SegmentCounts.from_data(columns, "region", missing="drop")
    merged = parts[0] + parts[1]
    assert expected.levels == merged.levels
    assert expected.count == merged.count


def test_nan_is_missing_never_a_promoter(spark: Any) -> None:
    """Spark orders NaN above every number; NaN is still a missing score."""
    frame = spark.createDataFrame([(math.nan,), (10.0,), (math.nan,), (3.0,)], "score double")
    with pytest.raises(InvalidScoreError, match=r"2 of 4 scores are missing"):
        nps.score(frame, score="score")
    result = nps.score(frame, score="score", missing="drop")
    assert (result.promoters, result.detractors, result.n_missing) == (1, 1, 2)


def test_invalid_values_raise_as_in_memory(spark: Any) -> None:
    """Invalid scores and weights (NaN weights included) raise the in-memory errors."""
    frame = spark.createDataFrame(
        [(9.0, 1.0), (11.0, 1.0), (7.5, math.nan), (3.0, -1.0)], "score double, w double"
    )
    with pytest.raises(InvalidScoreError, match=r"2 of 4 values are not a valid NPS score"):
        nps.score(frame, score="score")
    valid = frame.filter("score <= 10 and score = floor(score)")
    with pytest.raises(InvalidWeightsError, match=r"weights column 'w': 1 weights are not"):
        nps.score(valid, score="score", weights="w")


@pytest.fixture(scope="module")
def timed(spark: Any, columns: dict[str, list[Any]]) -> tuple[Any, dict[str, list[Any]]]:
    """The columns with answer times: UTC timestamps over two years, and ISO 8601 text."""
    from datetime import datetime, timedelta, timezone  # noqa: PLC0415 - only here

    rng = np.random.default_rng(10)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    seconds = rng.integers(0, 2 * 365 * 86_400, N_ROWS).tolist()
    times = [start + timedelta(seconds=s) for s in seconds]
    data = {
        **columns,
        "t": times,
        "text": [
            t.astimezone(timezone(timedelta(hours=-3, minutes=-30))).isoformat() for t in times
        ],
    }
    schema = "score double, w double, agent long, region string, t timestamp, text string"
    rows = list(zip(*data.values(), strict=True))
    return spark.createDataFrame(rows, schema=schema).cache(), data


@pytest.mark.parametrize(
    ("time", "zone", "period"),
    [("t", "Europe/Amsterdam", "week"), ("t", "Asia/Kathmandu", "month"), ("text", "UTC", 30)],
)
def test_trend_equals_in_memory(
    timed: tuple[Any, dict[str, list[Any]]], time: str, zone: str, period: str | int
) -> None:
    """trend() by region on Spark equals the in-memory trend, row for row."""
    frame, data = timed
    kwargs: dict[str, Any] = {
        "time": time,
        "timezone": zone,
        "period": period,
        "by": "region",
        "weights": "w",
        "missing": "drop",
        "min_n": 5,
    }
    expected = nps.trend(data, **kwargs).to_dicts(overall=True)
    actual = nps.trend(frame, **kwargs).to_dicts(overall=True)
    assert len(expected) == len(actual)
    for want, got in zip(expected, actual, strict=True):
        for name, value in want.items():
            if isinstance(value, float):
                assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
            else:
                assert got[name] == value, name


@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_extreme_weights_equal_unit_weights(spark: Any, scale: float) -> None:
    """Weights of 1e300 or 1e-300 on Spark give the segment table of unit weights."""
    data: dict[str, list[Any]] = {"score": [10, 9, 3, 8, 7, 2], "g": ["a", "a", "b", "b", "a", "b"]}
    rows = [(s, scale, g) for s, g in zip(data["score"], data["g"], strict=True)]
    frame = spark.createDataFrame(rows, schema="score long, w double, g string")
    expected = segment(data, "g", weights=[1.0] * 6, min_n=1).to_dicts(overall=True)
    actual = segment(frame, "g", weights="w", min_n=1).to_dicts(overall=True)
    for want, got in zip(expected, actual, strict=True):
        for key in ("nps", "se", "ci_lower", "ci_upper", "effective_n", "p_value"):
            if want[key] is None:  # the overall row is not tested against a rest
                assert got[key] is None
            else:
                assert got[key] == pytest.approx(want[key], rel=1e-12, abs=1e-12)


@pytest.fixture(scope="module")
def weighting_frames(spark: Any) -> tuple[Any, Any]:
    """The weighting sample in memory (pandas) and as a cached Spark DataFrame."""
    pd = pytest.importorskip("pandas")
    data = lazy_weighting_cases.columns()
    rows = list(zip(*data.values(), strict=True))
    frame = spark.createDataFrame(rows, schema=lazy_weighting_cases.SPARK_SCHEMA)
    return pd.DataFrame(data), frame.cache()


@pytest.mark.parametrize("case", ["rake", "poststratify-base", "trim-base"])
def test_weighted_trend_equals_in_memory(spark: Any, case: str) -> None:
    """A weighted trend by segment, rolling too, with every change: as in memory."""
    pd = pytest.importorskip("pandas")
    data = {**lazy_weighting_cases.columns(), "at": lazy_weighting_cases.times()}
    schema = f"{lazy_weighting_cases.SPARK_SCHEMA}, at timestamp"
    frame = spark.createDataFrame(list(zip(*data.values(), strict=True)), schema=schema)
    eager = pd.DataFrame(data)
    weigh = lazy_weighting_cases.WEIGHTINGS[case]
    lazy_weighting_cases.check_trend(weigh(eager), weigh(frame), eager, frame)


@pytest.mark.parametrize("case", list(lazy_weighting_cases.WEIGHTINGS))
def test_weighting_equals_in_memory(weighting_frames: tuple[Any, Any], case: str) -> None:
    """Post-stratified, raked, trimmed, base-weighted: as in memory, with score/segment/rank."""
    eager, frame = weighting_frames
    weigh = lazy_weighting_cases.WEIGHTINGS[case]
    expected, actual = weigh(eager), weigh(frame)
    lazy_weighting_cases.check_result(expected, actual, frame)
    lazy_weighting_cases.check_features(expected, actual, eager, frame)


@pytest.mark.parametrize("bad", [0.0, -1.5, None, math.nan])
def test_bad_base_weights_are_refused_as_in_memory(
    spark: Any, weighting_frames: tuple[Any, Any], bad: float | None
) -> None:
    """Zero, negative, null and NaN base weights: the in-memory error, counted on Spark."""
    eager, _ = weighting_frames
    data = eager.astype({"d": "object"})
    data.loc[[3, 50], "d"] = bad
    rows = list(data.itertuples(index=False, name=None))
    frame = spark.createDataFrame(rows, schema=lazy_weighting_cases.SPARK_SCHEMA)
    weigh = lazy_weighting_cases.WEIGHTINGS["rake-base"]
    with pytest.raises(InvalidWeightsError) as in_memory:
        weigh(data.astype({"d": "float64"}))
    with pytest.raises(InvalidWeightsError) as on_engine:
        weigh(frame)
    expected, actual = str(in_memory.value), str(on_engine.value)
    assert lazy_weighting_cases.without_places(actual) == lazy_weighting_cases.without_places(
        expected
    )
