"""Lazy and distributed frames: the engine tallies, numpy does the statistics.

Dask and PySpark DataFrames, polars ``LazyFrame`` and DuckDB relations are read through
``narwhals`` (imported only when such a frame is given). The engine computes only the
small aggregate the tally engine would compute in memory, per group and per score
0..10: the count, the sum of weights and the sum of squared weights, together with the
number of missing scores, invalid scores and invalid weights. That aggregate is
collected and becomes a [`Tally`][netpromoter._tally.Tally], which the same statistics
code as for in-memory data turns into results: there is no second statistics path.

The shapes are the plainest every backend supports: typed ``Int64`` / ``Float64``
indicator columns are derived row by row first (``c_k = int(score == k)``,
``w_k = c_k · w``, ``q_k = w_k · w``), then summed with ``group_by(keys).agg(sum)``.
Booleans are never summed and no ``when/then`` sits inside an aggregation. No UDF runs on
the workers. A score counts for ``k`` only when it *equals* ``k``, so NaN (which several
engines order above every number) is never a promoter; NaN and null are missing.

Validation is counted on the engine and reported with the messages of
[`_validation`][netpromoter._validation]; rows of a distributed frame have no positions,
so the messages show a few offending values instead (fetched by a second, filtered
query only when something is wrong).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter._columns import MISSING, band_labels, check_edges, read_table
from netpromoter._tally import N_SCORES, Tally, tally
from netpromoter._validation import (
    MissingPolicy,
    describe_values,
    invalid_scores_message,
    invalid_weights_message,
    missing_scores_message,
)
from netpromoter.exceptions import (
    ColumnNotFoundError,
    InvalidParameterError,
    InvalidScoreError,
    InvalidWeightsError,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from numpy.typing import NDArray

#: Top-level modules whose frames may be lazy (checked before importing narwhals).
_FRAME_MODULES = frozenset({"dask", "pyspark", "duckdb", "sqlframe", "ibis", "polars", "narwhals"})
_EAGER_MODULES = frozenset({"pandas", "pyarrow", "modin", "cudf"})
_SCORES = range(N_SCORES)
_MISSING = "__nps_missing"
_BAD = "__nps_bad"
_BAD_W = "__nps_bad_w"
_SHOWN = 5


def _count(k: int) -> str:
    return f"__nps_c{k}"


def _sum_w(k: int) -> str:
    return f"__nps_w{k}"


def _sum_w2(k: int) -> str:
    return f"__nps_q{k}"


def is_frame(data: object) -> bool:
    """Whether ``data`` is a dataframe ``narwhals`` reads, eager or lazy (not a series).

    Examples:
        >>> import numpy as np
        >>> is_frame(np.arange(3)), is_frame([9, 10])
        (False, False)
    """
    if type(data).__module__.split(".")[0] not in _FRAME_MODULES | _EAGER_MODULES:
        return False
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    try:
        nw.from_native(data)  # type: ignore[call-overload]
    except TypeError:
        return False
    return True


def is_lazy(data: object) -> bool:
    """Whether ``data`` is a lazy or distributed frame (Dask, Spark, polars lazy, DuckDB).

    Examples:
        >>> is_lazy({"score": [9]})
        False
    """
    if type(data).__module__.split(".")[0] not in _FRAME_MODULES:
        return False
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    try:
        frame = nw.from_native(data)  # type: ignore[call-overload]
    except TypeError:
        return False
    return isinstance(frame, nw.LazyFrame)


@dataclass(frozen=True)
class EngineTally:
    """The collected aggregate of a lazy frame: a tally per group, with its labels.

    Groups are the key combinations that occur, ordered by their key codes, so they come
    in the order of the in-memory grouping (which numbers combinations in mixed radix).

    Attributes:
        tally: ``(G, 11)`` counts, sums of weights and of squared weights.
        n_missing: Missing scores per group (dropped with ``missing="drop"``).
        keys: The key column names.
        levels: Per key, its level labels as the in-memory ``Factor`` has them: sorted
            (declared order for enums), with ``"(missing)"`` last when null keys occur.
        key_codes: ``(G, n_keys)``: the level code of each key in each group.
        weighted: Whether the tally carries weights.
    """

    tally: Tally
    n_missing: NDArray[np.int64]
    keys: tuple[str, ...]
    levels: tuple[tuple[object, ...], ...]
    key_codes: NDArray[np.intp]
    weighted: bool

    def labels(self, group: int) -> tuple[object, ...]:
        """The level labels of one group, one per key."""
        return tuple(
            levels[int(c)] for levels, c in zip(self.levels, self.key_codes[group], strict=True)
        )


def _missing_expr(name: str, dtype: Any) -> Any:  # noqa: ANN401 - narwhals objects
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    column = nw.col(name)
    missing = column.is_null()
    if dtype.is_float():
        missing = missing | column.is_nan()
    return missing.fill_null(value=True).cast(nw.Int64)


def _indicator_columns(
    schema: Any,  # noqa: ANN401 - a narwhals schema
    score: str,
    weights: str | None,
) -> tuple[list[Any], list[Any]]:
    """Typed per-row columns, in two stages (the second uses the first).

    First ``c_k`` (``Int64``, 1 when the score equals ``k``) and the missing indicator;
    then the invalid-score indicator ``1 - Σ c_k - missing`` and, with weights,
    ``w_k = c_k · w``, ``q_k = c_k · w²`` and the invalid-weight indicator.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    dtype = schema[score]
    column = nw.col(score)
    # Only numbers can be scores: booleans and text are invalid whatever their value.
    numeric = dtype.is_numeric()
    first = [
        ((column == k).fill_null(value=False) if numeric else nw.lit(value=False))
        .cast(nw.Int64)
        .alias(_count(k))
        for k in _SCORES
    ]
    first.append(_missing_expr(score, dtype).alias(_MISSING))
    valid = nw.sum_horizontal(*(nw.col(_count(k)) for k in _SCORES))
    second = [(1 - valid - nw.col(_MISSING)).alias(_BAD)]
    if weights is not None:
        w = nw.col(weights).cast(nw.Float64)
        second += [(nw.col(_count(k)) * w).alias(_sum_w(k)) for k in _SCORES]
        second += [(nw.col(_count(k)) * (w * w)).alias(_sum_w2(k)) for k in _SCORES]
        # NaN >= 0 holds where NaN sorts above every number, so NaN is excluded first.
        ok = (~w.is_nan() & (w >= 0) & (w < float("inf"))).fill_null(value=False)
        second.append((1 - ok.cast(nw.Int64)).alias(_BAD_W))
    return first, second


def _check_columns(available: Sequence[str], names: Sequence[str]) -> None:
    for name in names:
        if name not in available:
            raise ColumnNotFoundError(name, available)


def _as_int(values: Any) -> NDArray[np.int64]:  # noqa: ANN401 - a narwhals series
    return np.asarray(values.to_numpy(), dtype=np.int64)


def _as_float(values: Any) -> NDArray[np.float64]:  # noqa: ANN401 - a narwhals series
    return np.asarray(values.to_numpy(), dtype=np.float64)


def _examples(frame: Any, column: str, condition: Any) -> list[object]:  # noqa: ANN401
    """A few values of ``column`` on rows where ``condition`` holds (the error path only)."""
    rows = frame.filter(condition).select(column).head(_SHOWN).collect()
    return list(rows.get_column(column).to_list())


def _validate(
    frame: Any,  # noqa: ANN401 - a narwhals LazyFrame with the indicator columns
    sums: Any,  # noqa: ANN401 - the collected aggregate
    *,
    score: str,
    weights: str | None,
    missing: MissingPolicy,
) -> None:
    """Raise exactly as in-memory validation does: invalid scores, missing, weights."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    bad = int(_as_int(sums.get_column(_BAD)).sum())
    n_missing = int(_as_int(sums.get_column(_MISSING)).sum())
    counted = sum(int(_as_int(sums.get_column(_count(k))).sum()) for k in _SCORES)
    total = bad + n_missing + counted
    if bad:
        values = _examples(frame, score, nw.col(_BAD) == 1)
        where = f"values {describe_values(values, bad)} (rows of a lazy frame have no positions)"
        msg = f"score column {score!r}: {invalid_scores_message(bad, total, where)}"
        raise InvalidScoreError(msg, value=values[0] if values else None)
    if n_missing and missing == "raise":
        msg = f"score column {score!r}: " + missing_scores_message(
            n_missing, total, "(rows of a lazy frame have no positions)"
        )
        raise InvalidScoreError(msg, value=None)
    if weights is not None:
        bad_w = int(_as_int(sums.get_column(_BAD_W)).sum())
        if bad_w:
            values = _examples(frame, weights, nw.col(_BAD_W) == 1)
            where = describe_values(values, bad_w)
            msg = f"weights column {weights!r}: {invalid_weights_message(bad_w, where)}"
            raise InvalidWeightsError(msg)


def _levels(values: list[object], dtype: Any) -> list[object]:  # noqa: ANN401
    """Sorted distinct non-missing key values (declared order for enums)."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    from netpromoter._columns import _is_missing  # noqa: PLC0415 - shared private helper

    if isinstance(dtype, nw.Enum):
        return list(dtype.categories)
    present = list(dict.fromkeys(v for v in values if not _is_missing(v)))
    try:
        return sorted(present)  # type: ignore[type-var]
    except TypeError:
        return present


def _decode_values(
    values: list[object],
    dtype: Any,  # noqa: ANN401 - a narwhals dtype
) -> tuple[tuple[object, ...], list[int]]:
    """Levels of a plain key (``"(missing)"`` last when null keys occur) and row codes."""
    from netpromoter._columns import _is_missing  # noqa: PLC0415 - shared private helper

    present = _levels(values, dtype)
    index = {v: i for i, v in enumerate(present)}
    codes = [len(present) if _is_missing(v) else index[v] for v in values]
    has_missing = any(_is_missing(v) for v in values)
    return tuple(present) + ((MISSING,) if has_missing else ()), codes


def _decode_bands(values: list[object], labels: list[str]) -> tuple[tuple[object, ...], list[int]]:
    """Levels of a banded key as ``band`` makes them, and row codes, from band indices.

    Indices are 0 below the first edge, 1..k the bands, k+1 at or above the last edge,
    k+2 missing; the bands are always levels, the three extras only when they occur.
    """
    k = len(labels) - 3
    used = np.zeros(k + 3, dtype=bool)
    used[1 : k + 1] = True
    raw = np.asarray(values, dtype=np.intp)
    used[raw] = True
    lut = np.cumsum(used) - 1
    levels = tuple(label for label, keep in zip(labels, used, strict=True) if keep)
    return levels, lut[raw].tolist()


def _band_expr(key: str, cuts: NDArray[np.float64]) -> Any:  # noqa: ANN401
    """The band index of each row on the engine: ``Σ_i [x >= edge_i]`` (searchsorted right).

    Missing values (null, NaN) get index ``k + 2``; since NaN sorts above every number on
    some engines, its comparisons are zeroed by the missing indicator, never trusted.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    x = nw.col(key).cast(nw.Float64)
    missing = (x.is_null() | x.is_nan()).fill_null(value=True).cast(nw.Int64)
    above = nw.sum_horizontal(
        *((x >= float(edge)).fill_null(value=False).cast(nw.Int64) for edge in cuts)
    )
    return (above * (1 - missing) + (len(cuts) + 1) * missing).alias(key)


def _check_bands(
    schema: Any,  # noqa: ANN401 - a narwhals schema
    keys: Sequence[str],
    bands: Mapping[str, Sequence[float]],
) -> dict[str, NDArray[np.float64]]:
    """Validated edges per banded key (the checks and messages of ``band``)."""
    unknown = [name for name in bands if name not in keys]
    if unknown:
        msg = f"bands are given for {unknown!r}, which are not in by={list(keys)!r}"
        raise InvalidParameterError(msg, name="bands", value=dict(bands))
    cuts = {name: check_edges(edges) for name, edges in bands.items()}
    for name in cuts:
        if not schema[name].is_numeric():
            msg = f"cannot band column {name!r}: its values are not numbers ({schema[name]})"
            raise TypeError(msg)
    return cuts


def _check_options(score: str, weights: object, by: Sequence[str], missing: object) -> None:
    if missing not in ("raise", "drop"):
        msg = f"missing must be 'raise' or 'drop', got {missing!r}"
        raise InvalidParameterError(msg, name="missing", value=missing)
    if weights is not None and not isinstance(weights, str):
        msg = (
            "weights of a lazy or distributed frame must be the name of a column of that "
            f"frame, got {type(weights).__name__}"
        )
        raise InvalidParameterError(msg, name="weights", value=weights)
    taken = {score, *(() if weights is None else (weights,))}
    overlap = [k for k in by if k in taken]
    if overlap:
        msg = f"cannot group by {overlap[0]!r}: it is the score or weights column"
        raise InvalidParameterError(msg, name="by", value=list(by))


def engine_tally(
    data: object,
    *,
    score: str,
    weights: object = None,
    by: Sequence[str] = (),
    bands: Mapping[str, Sequence[float]] | None = None,
    missing: MissingPolicy = "raise",
) -> EngineTally:
    """Tally a lazy or distributed frame on its own engine, per group of ``by``.

    Args:
        data: A Dask or PySpark DataFrame, a polars ``LazyFrame``, a DuckDB relation or
            any lazy frame ``narwhals`` reads.
        score: The score column.
        weights: Optional weights column.
        by: Key columns to group by (none for one overall tally).
        bands: Numeric keys to cut into bands first, as
            [`band`][netpromoter._columns.band] does, e.g. ``{"spend": [0, 100, inf]}``.
        missing: ``"raise"`` (default) or ``"drop"`` for null/NaN scores.

    Returns:
        The collected tally per group (one group when ``by`` is empty).

    Raises:
        ColumnNotFoundError: When a named column is not in the frame.
        InvalidScoreError: When scores are invalid, or missing with ``missing="raise"``.
        InvalidWeightsError: When a weight is null, NaN, infinite or negative.
        InvalidParameterError: For an unknown ``missing`` policy, weights that are not
            a column name, or invalid ``bands``.
        TypeError: When a banded key does not hold numbers.

    Examples:
        >>> import polars as pl
        >>> lf = pl.LazyFrame({"score": [10, 9, 3, None], "region": ["n", "s", "n", "s"]})
        >>> t = engine_tally(lf, score="score", by=["region"], missing="drop")
        >>> t.levels, t.tally.count[:, 9:].tolist(), t.n_missing.tolist()
        ((('n', 's'),), [[0, 1], [1, 0]], [0, 1])
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    keys = list(dict.fromkeys(by))
    _check_options(score, weights, keys, missing)
    if not (weights is None or isinstance(weights, str)):  # pragma: no cover - checked above
        raise AssertionError
    frame = nw.from_native(data)  # type: ignore[call-overload]
    schema = frame.collect_schema()
    _check_columns(list(schema.names()), [score, *([] if weights is None else [weights]), *keys])
    if weights is not None and not schema[weights].is_numeric():
        msg = f"weights column {weights!r} must hold numbers, but its type is {schema[weights]}"
        raise InvalidWeightsError(msg)
    cuts = _check_bands(schema, keys, bands or {})
    key_exprs = []
    for key in keys:
        dtype = schema[key]
        if key in cuts:
            key_exprs.append(_band_expr(key, cuts[key]))
        elif dtype.is_float():
            key_exprs.append(nw.col(key).fill_nan(None))  # NaN keys are missing, as in memory
        elif isinstance(dtype, nw.Categorical | nw.Enum):
            key_exprs.append(nw.col(key).cast(nw.String))
    first, second = _indicator_columns(schema, score, weights)
    derived = frame.with_columns(*key_exprs, *first).with_columns(*second)
    summed = [_count(k) for k in _SCORES] + [_MISSING, _BAD]
    if weights is not None:
        summed += [_sum_w(k) for k in _SCORES] + [_sum_w2(k) for k in _SCORES] + [_BAD_W]
    aggregate = nw.col(*summed).sum()
    grouped = derived.group_by(*keys).agg(aggregate) if keys else derived.select(aggregate)
    int_columns = [c for c in summed if not c.startswith(("__nps_w", "__nps_q"))]
    sums = grouped.with_columns(nw.col(*int_columns).cast(nw.Int64)).collect()
    _validate(derived, sums, score=score, weights=weights, missing=missing)
    decoders = [band_labels(cuts[k]) if k in cuts else schema[k] for k in keys]
    return _engine_result(sums, keys, decoders, weighted=weights is not None)


def _engine_result(
    sums: Any,  # noqa: ANN401 - the collected narwhals DataFrame
    keys: list[str],
    decoders: list[Any],
    *,
    weighted: bool,
) -> EngineTally:
    """Order the collected groups as the in-memory grouping does and build the tally.

    ``decoders`` holds, per key, its band labels (a list) or its narwhals dtype.
    """
    n_rows = len(sums)
    all_levels: list[tuple[object, ...]] = []
    codes = np.zeros((n_rows, len(keys)), dtype=np.intp)
    for j, (key, decoder) in enumerate(zip(keys, decoders, strict=True)):
        values = list(sums.get_column(key).to_list())
        if isinstance(decoder, list):
            levels, codes_j = _decode_bands(values, decoder)
        else:
            levels, codes_j = _decode_values(values, decoder)
        codes[:, j] = codes_j
        all_levels.append(levels)
    order = np.lexsort(codes.T[::-1]) if keys else np.arange(n_rows)
    count = np.stack([_as_int(sums.get_column(_count(k))) for k in _SCORES], axis=1)
    if weighted:
        sum_w = np.stack([_as_float(sums.get_column(_sum_w(k))) for k in _SCORES], axis=1)
        sum_w2 = np.stack([_as_float(sums.get_column(_sum_w2(k))) for k in _SCORES], axis=1)
    else:
        sum_w = count.astype(np.float64)
        sum_w2 = sum_w.copy()
    tallied = Tally(count[order], sum_w[order], sum_w2[order])
    return EngineTally(
        tally=tallied,
        n_missing=_as_int(sums.get_column(_MISSING))[order],
        keys=tuple(keys),
        levels=tuple(all_levels),
        key_codes=codes[order],
        weighted=weighted,
    )


def _frame_columns(data: object) -> list[str]:
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    frame = nw.from_native(data)  # type: ignore[call-overload]
    return list(frame.collect_schema().names())


def _score_column(data: object, score: str | None) -> str:
    """The score column: the one named, or the only column of a one-column frame."""
    if score is not None:
        return score
    names = _frame_columns(data)
    if len(names) != 1:
        shown = ", ".join(map(repr, names[:20]))
        msg = (
            f"this frame has {len(names)} columns ({shown}); name the score column, "
            "e.g. score(frame, score='score')"
        )
        raise InvalidParameterError(msg, name="score", value=None)
    return names[0]


def frame_column(data: object, score: str | None) -> NDArray[Any]:
    """The score column of an eager frame or mapping as a numpy array (not validated).

    Examples:
        >>> frame_column({"s": [9, 3]}, "s").tolist()
        [9, 3]
    """
    column = _score_column(data, score)
    return read_table(data, [column]).values(column)


def frame_tally(
    data: object,
    *,
    score: str | None,
    weights: object = None,
    missing: MissingPolicy = "raise",
) -> tuple[Tally, int]:
    """One overall tally of a dataframe (lazy on its engine, eager through ``read_table``).

    This is the hook of [`score`][netpromoter.core.score] and
    [`NPSCounts.from_scores`][netpromoter.core.NPSCounts.from_scores] for frames.

    Args:
        data: Any dataframe ``narwhals`` reads, lazy or eager.
        score: The score column; ``None`` for a one-column frame.
        weights: ``None``, or the weights column (for eager frames also an array).
        missing: ``"raise"`` (default) or ``"drop"``.

    Returns:
        The one-group tally and the number of missing scores dropped.

    Raises:
        InvalidParameterError: When ``score`` is not given and the frame has several
            columns.

    Examples:
        >>> import polars as pl
        >>> t, n_missing = frame_tally(pl.DataFrame({"s": [9, 10, 3]}), score=None)
        >>> t.count.tolist(), n_missing
        ([[0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]], 0)
    """
    column = _score_column(data, score)
    if is_lazy(data):
        counted = engine_tally(data, score=column, weights=weights, missing=missing)
        return counted.tally, int(counted.n_missing.sum())
    needed = [column, *([weights] if isinstance(weights, str) else [])]
    table = read_table(data, needed)
    try:
        scores = table.scores(column, missing=missing)
    except InvalidScoreError as exc:
        msg = f"score column {column!r}: {exc}"
        raise InvalidScoreError(msg, value=exc.value, positions=exc.positions) from None
    w = table.weights(weights)
    if w is not None and scores.kept is not None:
        w = w[scores.kept]
    return tally(scores.scores, w), scores.n_missing
