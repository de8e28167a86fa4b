"""Lazy and distributed frames: the engine tallies, and every number equals in-memory."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import netpromoter as nps
from netpromoter._input import prepare
from netpromoter._input.engine import engine_tally
from netpromoter._input.frames import is_frame, is_lazy
from netpromoter.exceptions import (
    ColumnNotFoundError,
    InvalidParameterError,
    InvalidScoreError,
    InvalidWeightsError,
)
from netpromoter.segmentation import SegmentCounts, SegmentResult, segment

if TYPE_CHECKING:
    from collections.abc import Callable

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
dd = pytest.importorskip("dask.dataframe")
nw = pytest.importorskip("narwhals.stable.v2")

ENGINES = ["polars-lazy", "dask", "duckdb"]
SPEND_BANDS = {"spend": [0, 100, 1000]}


def lazy(frame: Any, engine: str) -> Any:
    """The pandas ``frame`` as a lazy frame of ``engine``."""
    if engine == "polars-lazy":
        return pl.from_pandas(frame, nan_to_null=False).lazy()
    if engine == "dask":
        return dd.from_pandas(frame, npartitions=3)
    return pytest.importorskip("duckdb").from_df(frame)


@pytest.fixture(scope="module")
def survey() -> Any:
    """20,000 responses: float scores with 5% NaN, weights, 1,000 agents, regions, spend."""
    rng = np.random.default_rng(20)
    n = 20_000
    score = rng.integers(0, 11, n).astype(np.float64)
    score[rng.random(n) < 0.05] = np.nan
    spend = rng.random(n) * 2_000
    spend[rng.random(n) < 0.1] = np.nan
    region = np.array(["north", "south", "east", None], dtype=object)[rng.integers(0, 4, n)]
    return pd.DataFrame(
        {
            "score": score,
            "w": rng.gamma(2.0, 0.5, n),
            "agent": rng.integers(0, 1_000, n),
            "region": region,
            "spend": spend,
        }
    )


def assert_same_result(expected: nps.NPSResult, actual: nps.NPSResult) -> None:
    """Counts equal exactly; scores, shares and SEs to 1e-12."""
    assert (expected.n, expected.n_missing) == (actual.n, actual.n_missing)
    assert expected.category_counts == actual.category_counts
    for name in ("nps", "se", "promoter_share", "detractor_share", "effective_n"):
        assert getattr(expected, name) == pytest.approx(getattr(actual, name), rel=1e-12), name
    assert expected.ci == pytest.approx(actual.ci, rel=1e-12)


def assert_same_segments(expected: SegmentResult, actual: SegmentResult) -> None:
    """Same segments and counts exactly; NPS, SE, intervals and p-values to 1e-12."""
    assert expected.counts.levels == actual.counts.levels
    assert expected.counts.count == actual.counts.count
    assert expected.counts.n_missing == actual.counts.n_missing
    rows = {"expected": [*expected, expected.overall], "actual": [*actual, actual.overall]}
    assert [r.key for r in rows["expected"]] == [r.key for r in rows["actual"]]
    assert [r.n for r in rows["expected"]] == [r.n for r in rows["actual"]]

    def column(side: str, name: str) -> Any:
        return np.array([getattr(r, name) for r in rows[side]], dtype=np.float64)

    for name in ("nps", "se", "ci", "effective_n", "vs_rest", "p_value", "p_adjusted"):
        np.testing.assert_allclose(
            column("actual", name), column("expected", name), rtol=1e-12, atol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("weighted", [False, True])
def test_score_equals_in_memory(survey: Any, engine: str, weighted: bool) -> None:
    """score() of a lazy frame equals score() of the numpy columns."""
    w = survey["w"].to_numpy() if weighted else None
    expected = nps.score(survey["score"].to_numpy(), weights=w, missing="drop")
    actual = nps.score(
        lazy(survey, engine), score="score", weights="w" if weighted else None, missing="drop"
    )
    assert_same_result(expected, actual)


KEYS = ["agent"]


def segment_options(weighted: bool) -> dict[str, Any]:
    """Options of the segment tables: weights or not, missing scores dropped."""
    return {"weights": "w" if weighted else None, "missing": "drop", "min_n": 5}


@pytest.fixture(scope="module")
def in_memory_tables(survey: Any) -> dict[bool, SegmentResult]:
    """The in-memory segment tables (unweighted, weighted) the engines must reproduce."""
    return {w: segment(survey, KEYS, **segment_options(w)) for w in (False, True)}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("weighted", [False, True])
def test_segment_1000_agents_equals_in_memory(
    survey: Any, in_memory_tables: dict[bool, SegmentResult], engine: str, weighted: bool
) -> None:
    """segment() over 1,000 agents equals the in-memory table."""
    actual = segment(lazy(survey, engine), KEYS, **segment_options(weighted))
    assert_same_segments(in_memory_tables[weighted], actual)
    assert len(actual) == 1_000


@pytest.mark.parametrize("engine", ENGINES)
def test_segment_by_several_keys_and_bands(survey: Any, engine: str) -> None:
    """Two keys, one of them banded, with weights, equal the in-memory table."""
    options = segment_options(weighted=True) | {"bands": SPEND_BANDS}
    expected = segment(survey, ["region", "spend"], **options)
    actual = segment(lazy(survey, engine), ["region", "spend"], **options)
    assert_same_segments(expected, actual)
    assert len(actual) == 4 * 4


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_keys_form_the_missing_group(engine: str) -> None:
    """Null keys, and NaN float keys, are the "(missing)" group, last, as in memory."""
    frame = pd.DataFrame({"score": [10, 9, 3, 7, 8], "grade": [1.0, np.nan, 2.0, 1.0, np.nan]})
    expected = segment(frame, "grade", min_n=1)
    actual = segment(lazy(frame, engine), "grade", min_n=1)
    assert [row.key for row in actual] == [(1.0,), (2.0,), ("(missing)",)]
    assert_same_segments(expected, actual)


def test_enum_keys_keep_their_declared_order() -> None:
    """A polars Enum key lists its levels in declared order, as the eager frame does."""
    tier = pl.Enum(["gold", "silver", "bronze"])
    frame = pl.DataFrame(
        {"score": [10, 3, 9, 6], "tier": pl.Series(["bronze", "gold", "silver", "gold"])}
    ).with_columns(pl.col("tier").cast(tier))
    expected = segment(frame, "tier", min_n=1)
    actual = segment(frame.lazy(), "tier", min_n=1)
    assert [row.key for row in actual] == [("gold",), ("silver",), ("bronze",)]
    assert_same_segments(expected, actual)


def test_dask_categoricals_keep_their_declared_order() -> None:
    """A Dask categorical with known categories lists them in declared order, as pandas."""
    tiers = pd.Categorical(["bronze", "gold", "silver", "gold"], ["gold", "silver", "bronze"])
    frame = pd.DataFrame({"score": [10, 3, 9, 6], "tier": tiers})
    expected = segment(frame, "tier", min_n=1)
    actual = segment(dd.from_pandas(frame, npartitions=2), "tier", min_n=1)
    assert [row.key for row in actual] == [("gold",), ("silver",), ("bronze",)]
    assert_same_segments(expected, actual)


def test_dask_categoricals_of_unknown_categories_are_sorted() -> None:
    """Without known categories (nothing declared) the levels are sorted."""
    tiers = pd.Categorical(["silver", "gold", "bronze", "gold"])
    frame = dd.from_pandas(pd.DataFrame({"score": [10, 3, 9, 6], "tier": tiers}), npartitions=2)
    frame = frame.assign(tier=frame["tier"].cat.as_unknown())
    actual = segment(frame, "tier", min_n=1)
    assert [row.key for row in actual] == [("bronze",), ("gold",), ("silver",)]


def test_integer_scores_with_nulls_are_missing() -> None:
    """Nulls in an integer score column are missing scores, as None is in memory."""
    frame = pl.LazyFrame({"score": [10, None, 3]}, schema={"score": pl.Int64})
    result = nps.score(frame, missing="drop")
    assert (result.n, result.n_missing, result.promoters) == (2, 1, 1)


def test_polars_categoricals_are_sorted_as_in_memory() -> None:
    """A polars Categorical (no declared order) gives the eager frame's segment order."""
    frame = pl.DataFrame({"score": [10, 3, 9, 6], "tier": ["silver", "gold", "bronze", "gold"]})
    frame = frame.with_columns(pl.col("tier").cast(pl.Categorical))
    assert_same_segments(segment(frame, "tier", min_n=1), segment(frame.lazy(), "tier", min_n=1))


def test_rank_reads_lazy_frames(survey: Any) -> None:
    """rank(), which tallies through SegmentCounts, gives the same ranking lazily."""
    small = survey.iloc[:3_000]
    expected = nps.segmentation.rank(small, "agent", missing="drop", draws=200)
    actual = nps.segmentation.rank(lazy(small, "polars-lazy"), "agent", missing="drop", draws=200)
    assert [r.key for r in expected] == [r.key for r in actual]
    assert [r.shrunken_nps for r in expected] == pytest.approx(
        [r.shrunken_nps for r in actual], rel=1e-12
    )


BAD_SCORES = pd.DataFrame({"score": [1.0, 2.0, 11.0, 7.5, np.nan, -1.0]})


@pytest.mark.parametrize("engine", ENGINES)
def test_invalid_scores_raise_as_in_memory(engine: str) -> None:
    """Out-of-range and fractional scores raise InvalidScoreError with count and values."""
    with pytest.raises(InvalidScoreError) as in_memory:
        nps.score(BAD_SCORES, score="score")
    with pytest.raises(InvalidScoreError) as on_engine:
        nps.score(lazy(BAD_SCORES, engine), score="score")
    head = "score column 'score': 3 of 6 values are not a valid NPS score (expected an integer"
    assert str(in_memory.value).startswith(head)
    assert str(on_engine.value).startswith(head)
    assert "values 11.0, 7.5, -1.0" in str(on_engine.value)
    assert on_engine.value.value in {11.0, 7.5, -1.0}


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_scores_raise_unless_dropped(engine: str) -> None:
    """NaN and null scores raise by default and are counted in n_missing when dropped."""
    frame = pd.DataFrame({"score": [10.0, np.nan, 3.0, None, 9.0]})
    with pytest.raises(InvalidScoreError, match=r"2 of 5 scores are missing \(NaN or None\)"):
        nps.score(lazy(frame, engine), score="score")
    result = nps.score(lazy(frame, engine), score="score", missing="drop")
    assert (result.n, result.n_missing, result.promoters) == (3, 2, 2)


def test_nan_is_never_a_promoter() -> None:
    """Polars orders NaN above every number; a NaN score is still missing, not a promoter."""
    frame = pl.LazyFrame({"score": [float("nan"), 10.0, float("nan"), 3.0]})
    result = nps.score(frame, missing="drop")
    assert (result.promoters, result.detractors, result.n_missing) == (1, 1, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_invalid_weights_raise_as_in_memory(engine: str) -> None:
    """NaN, negative and infinite weights raise InvalidWeightsError naming the column."""
    frame = pd.DataFrame({"score": [9, 9, 3, 8], "w": [1.0, -1.0, np.nan, np.inf]})
    with pytest.raises(InvalidWeightsError) as in_memory:
        nps.score(frame, score="score", weights="w")
    with pytest.raises(InvalidWeightsError) as on_engine:
        nps.score(lazy(frame, engine), score="score", weights="w")
    head = "weights column 'w': 3 weights are not finite, non-negative numbers: "
    assert str(in_memory.value).startswith(head)
    assert str(on_engine.value).startswith(head)


def test_weights_of_dropped_rows_are_still_checked() -> None:
    """As in memory, a bad weight on a row with a missing score is reported."""
    frame = pl.LazyFrame({"score": [9.0, None], "w": [1.0, -2.0]})
    with pytest.raises(InvalidWeightsError, match="1 weights are not finite"):
        nps.score(frame, score="score", weights="w", missing="drop")


@pytest.mark.parametrize(
    ("values", "first"),
    [(["9", "10", None], "9"), ([True, False, True], True)],
)
def test_text_and_boolean_scores_are_invalid(values: list[object], first: object) -> None:
    """Text and booleans are not scores, on the engine as in memory."""
    frame = pl.LazyFrame({"score": values})
    with pytest.raises(InvalidScoreError, match=r"of 3 values are not a valid NPS score") as err:
        nps.score(frame, score="score")
    assert err.value.value == first


def test_all_zero_weights_raise() -> None:
    """All-zero weights are rejected by the shared result builder."""
    frame = pl.LazyFrame({"score": [9, 3], "w": [0.0, 0.0]})
    with pytest.raises(InvalidWeightsError, match="all 2 weights are zero"):
        nps.score(frame, score="score", weights="w")


def test_one_column_frame_needs_no_column_name() -> None:
    """score() of a one-column frame uses that column; with several it asks for one."""
    assert nps.score(pl.LazyFrame({"answer": [10, 9, 3]})).nps == pytest.approx(100 / 3)
    assert nps.score(pd.DataFrame({"answer": [10, 9, 3]})).nps == pytest.approx(100 / 3)
    with pytest.raises(InvalidParameterError, match=r"name the score column"):
        nps.score(pl.LazyFrame({"a": [9], "b": [10]}))


def test_unknown_columns_are_named() -> None:
    """A missing score, weights or key column raises ColumnNotFoundError with the choices."""
    frame = pl.LazyFrame({"score": [9], "region": ["n"]})
    with pytest.raises(ColumnNotFoundError, match=r"no column 'nps'; available.*'region'"):
        nps.score(frame, score="nps")
    with pytest.raises(ColumnNotFoundError, match="'w'"):
        nps.score(frame, score="score", weights="w")
    with pytest.raises(ColumnNotFoundError, match="'tier'"):
        segment(frame, "tier")


def test_weights_of_a_lazy_frame_are_a_column() -> None:
    """An array of weights cannot be aligned with a distributed frame's rows."""
    frame = pl.LazyFrame({"score": [9, 3]})
    with pytest.raises(InvalidParameterError, match="must be the name of a column"):
        nps.score(frame, score="score", weights=[1.0, 2.0])


def test_options_are_checked() -> None:
    """Unknown missing policies, keys equal to the score column and bad bands raise."""
    frame = pl.LazyFrame({"score": [9, 3], "spend": [1.0, 2.0], "region": ["a", "b"]})
    with pytest.raises(InvalidParameterError, match="missing must be"):
        engine_tally(frame, score="score", missing="keep")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="cannot group by 'score'"):
        engine_tally(frame, score="score", by=["score"])
    with pytest.raises(InvalidParameterError, match="not in by"):
        segment(frame, "region", bands={"spend": [0, 1]})
    with pytest.raises(InvalidParameterError, match="strictly increasing"):
        segment(frame, "spend", bands={"spend": [1, 0]})
    with pytest.raises(TypeError, match="cannot band column 'region'"):
        segment(frame, "region", bands={"region": [0, 1]})
    with pytest.raises(InvalidWeightsError, match="must hold numbers"):
        nps.score(frame, score="score", weights="region")


def test_weights_name_needs_a_frame() -> None:
    """A weights column name with plain scores is a clear error."""
    with pytest.raises(InvalidWeightsError, match="names a column"):
        nps.score([9, 10], weights="w")


def test_bands_below_above_and_missing() -> None:
    """Band extras (below, at/above the last edge, missing) match band() exactly."""
    frame = pd.DataFrame(
        {"score": [10, 9, 3, 7, 8, 6], "spend": [-5.0, 50.0, 500.0, math.inf, np.nan, 1e9]}
    )
    bands = {"spend": [0, 100, 1000]}
    expected = segment(frame, "spend", bands=bands, min_n=1)
    for engine in ENGINES:
        actual = segment(lazy(frame, engine), "spend", bands=bands, min_n=1)
        assert_same_segments(expected, actual)
    assert [r.key[0] for r in expected] == [
        "< 0",
        "[0, 100)",
        "[100, 1000)",
        ">= 1000",
        "(missing)",
    ]


def test_counts_from_partitions_merge_to_the_whole(survey: Any) -> None:
    """Daily NPSCounts of a lazy frame, serialised and merged, equal the whole's."""
    frame = pl.from_pandas(survey, nan_to_null=False).lazy()
    days = frame.with_columns(day=pl.col("agent") % 7)
    parts = [
        round_trip(
            nps.NPSCounts.from_scores(
                days.filter(pl.col("day") == d), score="score", weights="w", missing="drop"
            )
        )
        for d in range(7)
    ]
    whole = nps.NPSCounts.from_scores(frame, score="score", weights="w", missing="drop")
    merged = sum(parts, nps.NPSCounts())
    assert whole.count == merged.count
    assert whole.n_missing == merged.n_missing
    assert merged.result().nps == pytest.approx(whole.result().nps, rel=1e-12)
    assert merged.result().se == pytest.approx(whole.result().se, rel=1e-12)


def test_segment_counts_from_partitions_merge_to_the_whole(survey: Any) -> None:
    """SegmentCounts of Dask partitions, through JSON, merge to the in-memory table."""
    frame = dd.from_pandas(survey, npartitions=4)
    parts = [
        SegmentCounts.model_validate_json(
            SegmentCounts.from_data(
                frame.get_partition(i), "region", weights="w", missing="drop"
            ).model_dump_json()
        )
        for i in range(frame.npartitions)
    ]
    merged = parts[0] + parts[1] + parts[2] + parts[3]
    expected = segment(survey, "region", weights="w", missing="drop")
    assert_same_segments(expected, merged.result())


def round_trip(counts: nps.NPSCounts) -> nps.NPSCounts:
    """Serialise a tally as JSON and load it back, as a job between stages would."""
    return nps.NPSCounts.model_validate_json(counts.model_dump_json())


def test_eager_frames_read_through_the_input_layer() -> None:
    """An eager frame's tally names the score column in its errors and drops with weights."""
    frame = pd.DataFrame({"score": [9.0, np.nan, 3.0], "w": [2.0, 5.0, 1.0]})
    tallied = prepare(frame, score="score", weights="w", missing="drop").tally()
    assert (tallied.sum_w[0, 9], tallied.sum_w[0, 3], tallied.n_missing) == (2.0, 1.0, 1)
    with pytest.raises(InvalidScoreError, match=r"^score column 'score': 1 of 3 scores"):
        prepare(frame, score="score")


class _PandasSubclass(pd.DataFrame):  # type: ignore[misc,name-defined]
    """A frame of a library built on pandas (defined in another module than pandas)."""


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: [9, 10], (False, False)),
        (lambda: np.arange(3), (False, False)),
        (lambda: pd.Series([9, 10]), (False, False)),
        (lambda: pl.Series([9, 10]), (False, False)),
        (lambda: pd.DataFrame({"s": [9]}), (True, False)),
        (lambda: pl.DataFrame({"s": [9]}), (True, False)),
        (lambda: pl.LazyFrame({"s": [9]}), (True, True)),
        (lambda: dd.from_pandas(pd.DataFrame({"s": [9]}), npartitions=1), (True, True)),
        (lambda: pytest.importorskip("duckdb").sql("select 9 as s"), (True, True)),
        (lambda: _PandasSubclass({"s": [9]}), (True, False)),
        (lambda: nw.from_native(pl.LazyFrame({"s": [9]})), (True, True)),
    ],
)
def test_frames_are_recognised(make: Callable[[], object], expected: tuple[bool, bool]) -> None:
    """is_frame / is_lazy tell frames (eager, lazy) from other inputs."""
    data = make()
    assert expected == (is_frame(data), is_lazy(data))


def test_integer_and_decimal_scores() -> None:
    """Integer and decimal score columns are tallied without NaN checks."""
    expected = nps.score([10, 9, 3, 7])
    assert_same_result(
        expected, nps.score(pl.LazyFrame({"s": pl.Series([10, 9, 3, 7], dtype=pl.Int8)}))
    )
    decimal = pytest.importorskip("duckdb").sql(
        "select cast(s as decimal(4, 1)) as s from (values (10), (9), (3), (7)) t(s)"
    )
    assert_same_result(expected, nps.score(decimal))


def test_mappings_and_eager_frames_name_their_score_column() -> None:
    """score= also names the score column of a mapping; weights may be a column or array."""
    weights = [1.0, 2.0, 1.0, 4.0]
    data = {"s": [10, 9, 3, 7], "w": weights}
    expected = nps.score([10, 9, 3, 7], weights=weights)
    assert_same_result(expected, nps.score(data, score="s", weights="w"))
    assert_same_result(expected, nps.score(pd.DataFrame(data), score="s", weights=weights))


def test_a_weighting_design_scores_an_eager_frame_and_refuses_a_lazy_one() -> None:
    """A weighting result keeps its design SE with an eager frame; a lazy frame needs a column."""
    data = {"score": [10, 9, 3, 8, 6, 10], "region": ["n", "n", "n", "n", "s", "s"]}
    design = nps.poststratify(data, {"n": 500, "s": 500}, by="region")
    expected = nps.score(data["score"], weights=design)
    assert_same_result(expected, nps.score(pd.DataFrame(data), score="score", weights=design))
    with pytest.raises(InvalidParameterError, match="must be the name of a column"):
        nps.score(pl.LazyFrame(data), score="score", weights=design)
