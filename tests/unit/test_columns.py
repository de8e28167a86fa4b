"""The input layer: reading responses, mappings and dataframes into validated columns."""

from __future__ import annotations

import math

import numpy as np
import pytest

from netpromoter._input.columns import read_table
from netpromoter._input.factors import (
    _BITMAP_LIMIT,
    DENSE_LIMIT,
    Factor,
    band,
    combine,
    factorise,
)
from netpromoter._input.frames import native_columns
from netpromoter._labels import MISSING
from netpromoter._tally import CHUNK
from netpromoter.core import Response
from netpromoter.exceptions import (
    ColumnLengthError,
    ColumnNotFoundError,
    InvalidParameterError,
    InvalidScoreError,
    InvalidWeightsError,
)

DATA = {
    "score": [10, 3, 9, 7],
    "region": ["n", None, "s", "n"],
    "spend": [5.0, 200.0, None, 5000.0],
}


def _frames() -> list[object]:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    table = pa.table(DATA)
    return [
        DATA,
        pd.DataFrame(DATA),
        pd.DataFrame(DATA).astype({"region": "category"}),
        pl.DataFrame(DATA),
        pl.DataFrame(DATA).lazy(),
        pl.DataFrame(DATA).with_columns(pl.col("region").cast(pl.Categorical)),
        table,
        table.set_column(1, "region", table["region"].dictionary_encode()),
    ]


@pytest.mark.parametrize("index", range(8))
def test_every_input_kind_gives_the_same_columns(index: int) -> None:
    """Mappings, pandas, polars (eager, lazy, categorical) and pyarrow read alike."""
    table = read_table(_frames()[index], ["score", "region", "spend"])
    region = table.factor("region")
    spend = table.factor("spend", edges=[0, 100, 1000, math.inf])
    assert table.scores("score").scores.tolist() == [10, 3, 9, 7]
    assert [region.levels[c] for c in region.codes] == ["n", MISSING, "s", "n"]
    assert [spend.levels[c] for c in spend.codes] == [
        "[0, 100)",
        "[100, 1000)",
        MISSING,
        "[1000, inf)",
    ]


def test_pandas_categorical_keeps_declared_order() -> None:
    """Pandas categories keep their declared order; missing comes last."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"step": pd.Categorical(["pay", None, "browse"], ["browse", "pay"])})
    factor = read_table(frame, ["step"]).factor("step")
    assert factor.levels == ("browse", "pay", MISSING)
    assert factor.codes.tolist() == [1, 2, 0]


def test_responses_read_fields_and_segments() -> None:
    """A list of Response exposes its fields and segment keys as columns."""
    responses = [
        Response(score=9, channel="email", segments={"region": "n"}),
        Response(score=2, segments={"agent": "a7"}),
    ]
    table = read_table(responses, ["score", "channel", "region", "agent"])
    assert table.scores("score").scores.tolist() == [9, 2]
    assert table.factor("channel").levels == ("email", MISSING)
    assert table.factor("region").codes.tolist() == [0, 1]
    assert table.factor("agent").levels == ("a7", MISSING)


def test_unknown_column_lists_the_available_ones() -> None:
    """An unknown name raises ColumnNotFoundError, also a KeyError, naming the columns."""
    with pytest.raises(ColumnNotFoundError, match="no column 'regio'; available columns: 'score'"):
        read_table(DATA, ["regio"])
    with pytest.raises(KeyError):
        read_table(DATA, ["regio"])


def test_unknown_column_of_a_lazy_frame() -> None:
    """A lazy frame is checked against its schema before anything is collected."""
    pl = pytest.importorskip("polars")
    with pytest.raises(ColumnNotFoundError, match="'nope'"):
        read_table(pl.DataFrame(DATA).lazy(), ["nope"])


def test_mismatched_lengths_name_the_columns() -> None:
    """Columns of different lengths raise ColumnLengthError naming each length."""
    with pytest.raises(ColumnLengthError, match="'score' has 3, 'region' has 2"):
        read_table({"score": [1, 2, 3], "region": ["a", "b"]}, ["score", "region"])


def test_invalid_scores_are_reported_as_score_does() -> None:
    """Scores are validated by the shared validation, with positions."""
    with pytest.raises(InvalidScoreError, match="position 1"):
        read_table({"score": [9, 11]}, ["score"]).scores("score")


def test_weights_column_with_nan_names_the_column() -> None:
    """NaN in a weights column is an InvalidWeightsError naming that column."""
    table = read_table({"score": [9, 8], "w": [1.0, math.nan]}, ["score", "w"])
    with pytest.raises(InvalidWeightsError, match=r"weights column 'w'.*position 1"):
        table.weights("w")


def test_weights_from_an_object_with_a_weights_array() -> None:
    """Any object with a numpy ``weights`` attribute supplies weights."""

    class Weighting:
        weights = np.array([0.5, 2.0])

    table = read_table({"score": [9, 8]}, ["score"])
    assert table.weights(Weighting()).tolist() == [0.5, 2.0]  # type: ignore[union-attr]


def test_factorise_integers_uses_value_levels() -> None:
    """Integer keys are numbered in value order."""
    factor = factorise(np.array([30, 10, 30, 20], dtype=np.int16)).compact()
    assert factor.levels == (10, 20, 30)
    assert factor.codes.tolist() == [2, 0, 2, 1]
    assert factor.codes.dtype == np.uint8


def test_int64_keys_compact_on_every_numpy() -> None:
    """The codes of an int64 key (uint64, viewed without a copy) compact on numpy 1.x too."""
    values = np.array([7, 0, 7, 2], dtype=np.int64)
    factor = factorise(values).compact()
    levels, inverse = np.unique(values, return_inverse=True)
    assert factor.levels == tuple(levels.tolist())
    assert factor.codes.tolist() == inverse.tolist()


def test_small_non_negative_integers_are_their_own_codes() -> None:
    """Non-negative integers of a small range are used as codes without a copy."""
    values = np.array([3, 0, 3], dtype=np.int16)
    factor = factorise(values)
    assert factor.levels == (0, 1, 2, 3)
    assert np.shares_memory(factor.codes, values)
    negative = factorise(np.array([-2, 1, -2], dtype=np.int64))
    assert negative.levels == (-2, -1, 0, 1)
    assert negative.codes.tolist() == [0, 3, 0]


def test_wide_integer_ranges_number_only_used_values() -> None:
    """Integers spread beyond the dense range get only their used values as levels."""
    factor = factorise(np.array([5, 10**6, 5, 10**12], dtype=np.int64))
    assert factor.levels == (5, 10**6, 10**12)
    assert factor.codes.tolist() == [0, 1, 0, 2]
    mid = factorise(np.array([0, 500_000, 0], dtype=np.int64))
    assert mid.levels == (0, 500_000)
    far = factorise(np.array([2**40 + 2, 2**40], dtype=np.int64))
    assert far.levels == (2**40, 2**40 + 1, 2**40 + 2)
    assert far.codes.tolist() == [2, 0]


def test_factorise_objects_with_missing() -> None:
    """Python objects, with None and NaN gathered in the missing level."""
    factor = factorise(np.array(["b", None, "a", math.nan], dtype=object))
    assert factor.levels == ("a", "b", MISSING)
    assert factor.codes.tolist() == [1, 2, 0, 2]


def test_band_out_of_range_values_are_kept() -> None:
    """Values outside the edges get their own bands instead of being dropped."""
    factor = band([-5.0, 50.0, 500.0], [0, 100])
    assert [factor.levels[c] for c in factor.codes] == ["< 0", "[0, 100)", ">= 100"]


def test_band_rejects_unsorted_edges() -> None:
    """Edges must increase strictly."""
    with pytest.raises(InvalidParameterError, match="strictly increasing"):
        band([1.0], [100, 0])


def test_combine_dense_is_mixed_radix() -> None:
    """Two keys combine to code ``a * size_b + b`` with labels per group."""
    a = Factor(np.array([0, 1, 1], dtype=np.uint8), ("x", "y"))
    b = Factor(np.array([2, 0, 2], dtype=np.uint8), ("p", "q", "r"))
    grouping = combine([a, b])
    assert grouping.group_codes().tolist() == [2, 3, 5]
    assert grouping.labels(3) == ("y", "p")


def test_group_codes_of_uint64_codes_stay_integers() -> None:
    """Integer key columns factorise to uint64 codes; combining them stays integral."""
    a = factorise(np.array([0, 1, 0, 1]), "a")
    b = factorise(np.array([0, 3, 2, 1]), "b")
    assert combine([a, b]).group_codes().tolist() == [0, 7, 2, 5]


def test_combine_sparse_numbers_only_occurring_combinations() -> None:
    """Beyond DENSE_LIMIT combinations, only those that occur become groups."""
    rng = np.random.default_rng(3)
    size = 400
    a = Factor(rng.integers(0, size, 5000).astype(np.uint16), tuple(range(size)))
    b = Factor(rng.integers(0, size, 5000).astype(np.uint16), tuple(range(size)))
    assert size * size > DENSE_LIMIT
    grouping = combine([a, b])
    pairs = {(int(x), int(y)) for x, y in zip(a.codes, b.codes, strict=True)}
    assert grouping.n_groups == len(pairs)
    keys = grouping.key_codes[grouping.group_codes()]
    assert keys[:, 0].tolist() == a.codes.tolist()
    assert keys[:, 1].tolist() == b.codes.tolist()


def test_combine_needs_a_key() -> None:
    """Grouping by nothing is an error."""
    with pytest.raises(InvalidParameterError, match="at least one key"):
        combine([])


def test_combine_very_sparse_merges_sorted_chunks() -> None:
    """Beyond the bitmap limit, occurring combinations are still found exactly."""
    rng = np.random.default_rng(4)
    size = 5000
    n = 3 * CHUNK + 7
    a = Factor(rng.integers(0, size, n).astype(np.uint16), tuple(range(size)))
    b = Factor(rng.integers(0, size, n).astype(np.uint16), tuple(range(size)))
    assert size * size > _BITMAP_LIMIT
    grouping = combine([a, b])
    keys = grouping.key_codes[grouping.group_codes()]
    assert keys[:, 0].tolist() == a.codes.tolist()
    assert keys[:, 1].tolist() == b.codes.tolist()
    expected = np.unique(a.codes.astype(np.int64) * size + b.codes)
    assert grouping.n_groups == len(expected)


def test_empty_response_list_has_empty_columns() -> None:
    """An empty list of responses reads as empty columns of any name."""
    table = read_table([], ["score", "region"])
    assert table.n_rows == 0
    assert table.factor("region").levels == ()


def test_a_series_is_not_a_table() -> None:
    """A single pandas Series is refused with a TypeError."""
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match="whole table"):
        read_table(pd.Series([1, 2]), ["score"])


# --- dataframe score columns: native numbers, nullable integers --------------------------

#: Scores with nulls at positions 1 and 4 (the 0 under each null is never read).
_SCORES = [10, 0, 3, 9, 0, 7, 10, 6]
_NULLS = [False, True, False, False, True, False, False, False]
_W = [1.0, 2.0, 0.5, 1.5, 3.0, 1.0, 0.25, 2.0]


def _nullable_frames(dtype: str, *, nulls: bool) -> dict[str, object]:
    """The same scores and weights as every kind of eager frame, nulls as nulls."""
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    values = np.array(_SCORES, dtype=dtype)
    mask = np.array(_NULLS) if nulls else None
    arrow = pa.array(values, mask=mask)
    if dtype.startswith("float"):
        masked = pd.arrays.FloatingArray(
            values, np.zeros(len(values), bool) if mask is None else mask
        )
    else:
        masked = pd.arrays.IntegerArray(
            values, np.zeros(len(values), bool) if mask is None else mask
        )
    two_chunks = pa.chunked_array([arrow[:3], arrow[3:]])
    frames: dict[str, object] = {
        "pandas nullable": pd.DataFrame({"score": masked, "w": _W}),
        "pandas pyarrow": pd.DataFrame({"score": pd.arrays.ArrowExtensionArray(arrow), "w": _W}),
        "polars": pl.DataFrame({"score": pl.Series(arrow), "w": _W}),
        "pyarrow": pa.table({"score": arrow, "w": _W}),
        "pyarrow, two chunks": pa.table({"score": two_chunks, "w": _W}),
    }
    if not nulls:
        frames["pandas"] = pd.DataFrame({"score": values, "w": _W})
    return frames


def _numpy_reference(*, nulls: bool) -> np.ndarray:
    """The same scores as numpy floats, NaN at the nulls (the direct path)."""
    values = np.array(_SCORES, dtype=np.float64)
    if nulls:
        values[np.array(_NULLS)] = np.nan
    return values


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint8", "float64", "float32"])
@pytest.mark.parametrize("nulls", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_frame_scores_equal_the_numpy_path(dtype: str, *, nulls: bool, weighted: bool) -> None:
    """Every eager frame scores exactly as numpy, nulls counted in n_missing, never lost."""
    import netpromoter as nps  # noqa: PLC0415 - the public API over the input layer

    reference = nps.score(
        _numpy_reference(nulls=nulls), weights=_W if weighted else None, missing="drop"
    )
    for name, frame in _nullable_frames(dtype, nulls=nulls).items():
        result = nps.score(frame, score="score", weights="w" if weighted else None, missing="drop")
        assert result == reference, name
        assert result.n_missing == (2 if nulls else 0), name


@pytest.mark.parametrize("dtype", ["int8", "int64", "float64"])
def test_frame_nulls_raise_with_their_positions(dtype: str) -> None:
    """With missing='raise', nulls of any frame are reported at their positions."""
    for name, frame in _nullable_frames(dtype, nulls=True).items():
        with pytest.raises(InvalidScoreError, match=r"2 of 8 scores are missing") as info:
            read_table(frame, ["score"]).scores("score")
        assert info.value.positions == (1, 4), name


def test_invalid_scores_beside_nulls_are_reported_with_their_values() -> None:
    """An invalid score in a nullable integer column is named with its integer value."""
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    values = np.array([10, 0, 12, 9], dtype=np.int8)
    mask = np.array([False, True, False, False])
    frames = [
        pa.table({"score": pa.array(values, mask=mask)}),
        pl.DataFrame({"score": pl.Series(pa.array(values, mask=mask))}),
        pd.DataFrame({"score": pd.arrays.IntegerArray(values, mask)}),
    ]
    for frame in frames:
        with pytest.raises(InvalidScoreError, match=r"1 of 4 values is not.*position 2 \(12\)"):
            read_table(frame, ["score"]).scores("score", missing="drop")


def test_values_under_nulls_are_never_read() -> None:
    """Whatever a library keeps under a null (here 99) is neither an error nor a score."""
    pa = pytest.importorskip("pyarrow")
    values = np.array([10, 99, 3], dtype=np.int8)
    table = pa.table({"score": pa.array(values, mask=np.array([False, True, False]))})
    column = read_table(table, ["score"]).scores("score", missing="drop")
    assert column.scores.tolist() == [10, 3]
    assert column.kept is not None
    assert column.kept.tolist() == [True, False, True]
    assert column.n_missing == 1


def test_nullable_integer_scores_keep_their_dtype() -> None:
    """Nullable integers are read as their values and null mask, not widened to floats."""
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"score": pl.Series([10, None, 3], dtype=pl.Int8)})
    column = read_table(frame, ["score"]).scores("score", missing="drop")
    assert column.scores.dtype == np.int8
    assert column.scores.tolist() == [10, 3]


def test_number_columns_without_nulls_are_not_copied() -> None:
    """A non-null number column of pandas, polars or pyarrow is read without a copy."""
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    values = np.arange(11, dtype=np.int8)
    pandas_frame = pd.DataFrame({"score": values, "w": np.ones(11)})
    polars_frame = pl.DataFrame({"score": values})
    arrow_table = pa.table({"score": values})
    pairs = [
        (pandas_frame, pandas_frame["score"].to_numpy()),
        (polars_frame, polars_frame.get_column("score").to_numpy()),
        (arrow_table, arrow_table.column("score").chunk(0).to_numpy()),
    ]
    for frame, own in pairs:
        table = read_table(frame, ["score"])
        assert np.shares_memory(table.values("score"), own)
        assert np.shares_memory(table.scores("score").scores, own)
    weights = read_table(pandas_frame, ["w"]).weights("w")
    assert weights is not None
    assert np.shares_memory(weights, pandas_frame["w"].to_numpy())


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_unknown_column_of_an_eager_frame(kind: str) -> None:
    """A missing column of an eager frame is a ColumnNotFoundError naming the others."""
    module = pytest.importorskip(kind)
    frame = module.table({"score": [9]}) if kind == "pyarrow" else module.DataFrame({"score": [9]})
    with pytest.raises(ColumnNotFoundError, match="no column 'nps'; available columns: 'score'"):
        read_table(frame, ["nps"])


def test_number_and_text_columns_of_a_frame_read_alike() -> None:
    """Reading numbers only, or numbers beside text, gives the same scores and factors."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"score": [10, 3, 9, 7], "spend": [5.0, None, 5.0, 7.0], "t": list("abcd")}
    )
    numbers = read_table(frame, ["score", "spend"])
    mixed = read_table(frame, ["score", "spend", "t"])
    assert numbers.n_rows == mixed.n_rows == 4
    assert numbers.available == mixed.available == ("score", "spend", "t")
    assert numbers.scores("score").scores.tolist() == mixed.scores("score").scores.tolist()
    for table in (numbers, mixed):
        spend = table.factor("spend")
        assert [spend.levels[c] for c in spend.codes] == [5.0, MISSING, 5.0, 7.0]


def test_native_columns_and_one_column_frames() -> None:
    """Column names come from the frame itself; a one-column frame scores as numpy."""
    import netpromoter as nps  # noqa: PLC0415 - the public API over the input layer

    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    values = np.array([10, 9, 3, 7, 0], dtype=np.int8)
    frames = [pd.DataFrame({"s": values}), pl.DataFrame({"s": values}), pa.table({"s": values})]
    for frame in frames:
        assert native_columns(frame) == ("s",)
        assert nps.score(frame) == nps.score(values)
    assert native_columns(pl.DataFrame({"s": values}).lazy()) is None
    assert native_columns(pd.Series(values)) is None
    with pytest.raises(InvalidParameterError, match="2 columns"):
        nps.score(pd.DataFrame({"s": values, "t": values}))
