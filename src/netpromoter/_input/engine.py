"""Lazy and distributed frames: the engine tallies, numpy does the statistics.

Dask and PySpark DataFrames, polars ``LazyFrame`` and DuckDB relations are read through
``narwhals`` (imported only when such a frame is given). The engine computes only the
small aggregate the tally engine would compute in memory, per group and per score
0..10: the count, the sum of weights and the sum of squared weights, together with the
number of missing scores, invalid scores and invalid weights. That aggregate is
collected and becomes a [`Tally`][netpromoter._tally.Tally], which the same statistics
code as for in-memory data turns into results: there is no second statistics path.

The shapes are the plainest every backend supports. Typed columns are derived row by
row first: the score bin ``b`` (``Int64``: the score 0..10 when it is one, 11 when it is
missing, 12 when it is invalid), a ``1`` (``Int64``) to count with, the weight ``w`` and
``w²`` (``Float64``) and an invalid-weight indicator (``Int64``). Then one
``group_by(keys + [b]).agg(sum)`` gives, per group and per score, the count, the sum of
weights and the sum of squared weights: at most ``13 × groups`` rows. Booleans are never
summed, no ``when/then`` sits inside an aggregation and no UDF runs on the workers. A
score is binned as ``k`` only when it is a number equal to ``k``, compared after NaN is
ruled out, so NaN (which several engines order above every number) is never a promoter.

Grouping by the bin keeps the plan to a handful of expressions; the equivalent shape with
one indicator column per score (33 columns, each summed) measured about 7 times slower on
Dask (2·10⁴ to 10⁶ rows), whose query planner and pandas partitions pay for every column,
for the same aggregate.

Validation is counted on the engine and reported with the messages of
[`_validation`][netpromoter._validation]; rows of a distributed frame have no positions,
so the messages show a few offending values instead (fetched by a second, filtered
query only when something is wrong).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter._input.factors import _is_missing, band_labels, check_edges, check_labels
from netpromoter._input.frames import from_native
from netpromoter._labels import MISSING
from netpromoter._scale import N_SCORES
from netpromoter._tally import Tally, squares_fit, weight_exponent
from netpromoter._validation import (
    MAX_SCORE,
    MissingPolicy,
    check_choice,
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
    ParameterTypeError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from numpy.typing import NDArray


#: Bins of the derived score column: 0..10 the scores, then missing and invalid.
MISSING_BIN = N_SCORES


INVALID_BIN = N_SCORES + 1


_BIN = "__nps_bin"


_ONE = "__nps_one"


_WEIGHT = "__nps_weight"


_WEIGHT2 = "__nps_weight2"


_BAD_W = "__nps_bad_weight"


_MAX_W = "__nps_max_weight"


_ZERO_W = "__nps_zero_weight"


_MIN_W = "__nps_min_weight"


_SHOWN = 5


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
        missing_w: Per group, the sums of the weights and of the squared weights of the
            rows with a missing score (their counts when unweighted).
        n_zero_weights: Rows whose weight is 0 (counted only when asked for, else 0).
        weight_range: Per group, the smallest and the largest weight of its rows (the
            rows with a missing score too; only when asked for, else ``None``).
    """

    tally: Tally
    n_missing: NDArray[np.int64]
    keys: tuple[str, ...]
    levels: tuple[tuple[object, ...], ...]
    key_codes: NDArray[np.intp]
    weighted: bool
    missing_w: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
    n_zero_weights: int = 0
    weight_range: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None

    def labels(self, group: int) -> tuple[object, ...]:
        """The level labels of one group, one per key."""
        return tuple(
            levels[int(c)] for levels, c in zip(self.levels, self.key_codes[group], strict=True)
        )


def _bin_expr(name: str, dtype: Any) -> Any:  # noqa: ANN401 - narwhals objects
    """The score bin of each row: the score 0..10, 11 when missing, 12 when invalid.

    A value is a score when it is a number, not NaN, within 0..10 and whole. NaN is ruled
    out before any comparison, since several engines order NaN above every number.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    column = nw.col(name)
    missing = column.is_null()
    if not dtype.is_numeric():  # text and booleans are never scores
        return nw.when(missing).then(MISSING_BIN).otherwise(INVALID_BIN).cast(nw.Int64)
    x = column.cast(nw.Float64)
    if dtype.is_float():
        missing = missing | x.is_nan()
    missing = missing.fill_null(value=True)
    valid = (~missing & (x >= 0) & (x <= MAX_SCORE) & (x.round(0) == x)).fill_null(value=False)
    other = nw.when(missing).then(float(MISSING_BIN)).otherwise(float(INVALID_BIN))
    return nw.when(valid).then(x).otherwise(other).cast(nw.Int64)


def _derive(
    frame: Any,  # noqa: ANN401 - a narwhals LazyFrame
    schema: Any,  # noqa: ANN401 - its schema
    *,
    score: str,
    weights: str | None,
    keys: list[Any],
    keep: Sequence[str] = (),
    exponent: int = 0,
    zeros: bool = False,
) -> Any:  # noqa: ANN401 - a narwhals LazyFrame
    """The typed per-row columns the aggregate sums, next to the (derived) keys.

    The score bin and ``1`` (``Int64``) and, with weights, ``w`` and ``w²`` (``Float64``)
    and the invalid-weight indicator (``Int64``: 1 unless ``w`` is a finite number
    ``>= 0``), with ``zeros`` also a zero-weight indicator (``Int64``: 1 when ``w`` is
    0). Only the keys and the ``keep`` columns are carried along. With
    ``exponent``, ``w`` is the weight divided by ``2**exponent`` (exact), as the
    in-memory engine sums weights so large or small that their squares would not fit.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    derived = [
        _bin_expr(score, schema[score]).alias(_BIN),
        nw.lit(1).cast(nw.Int64).alias(_ONE),
    ]
    if weights is not None:
        w = nw.col(weights).cast(nw.Float64)
        if exponent:
            w = w * math.ldexp(1.0, -exponent)
        # NaN >= 0 holds where NaN sorts above every number, so NaN is ruled out first.
        ok = (~w.is_nan() & (w >= 0) & (w < float("inf"))).fill_null(value=False)
        derived += [
            w.alias(_WEIGHT),
            (w * w).alias(_WEIGHT2),
            (1 - ok.cast(nw.Int64)).alias(_BAD_W),
        ]
        if zeros:
            derived.append((w == 0).fill_null(value=False).cast(nw.Int64).alias(_ZERO_W))
    return frame.select(*keys, *keep, *derived)


def check_columns(available: Sequence[str], names: Sequence[str]) -> None:
    """Raise ``ColumnNotFoundError`` for the first of ``names`` not in ``available``."""
    for name in names:
        if name not in available:
            raise ColumnNotFoundError(name, available)


def _as_int(values: Any) -> NDArray[np.int64]:  # noqa: ANN401 - a narwhals series
    return np.asarray(values.to_numpy(), dtype=np.int64)


def _as_float(values: Any) -> NDArray[np.float64]:  # noqa: ANN401 - a narwhals series
    return np.asarray(values.to_numpy(), dtype=np.float64)


def _examples(derive: Callable[[Sequence[str]], Any], column: str, condition: Any) -> list[object]:  # noqa: ANN401
    """A few values of ``column`` on rows where ``condition`` holds (the error path only)."""
    rows = derive([column]).filter(condition).select(column).head(_SHOWN).collect()
    return list(rows.get_column(column).to_list())


def _validate(
    derive: Callable[[Sequence[str]], Any],
    bins: NDArray[np.int64],
    rows: NDArray[np.int64],
    bad_weights: int,
    *,
    score: str,
    weights: str | None,
    missing: MissingPolicy,
) -> None:
    """Raise exactly as in-memory validation does: invalid scores, missing, weights.

    Args:
        derive: Builds the derived frame, keeping the given original columns.
        bins: The score bin of each aggregate row.
        rows: The number of input rows of each aggregate row.
        bad_weights: The number of invalid weights.
        score: The score column.
        weights: The weights column, if any.
        missing: The missing-score policy.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    total = int(rows.sum())
    bad = int(rows[bins == INVALID_BIN].sum())
    n_missing = int(rows[bins == MISSING_BIN].sum())
    if bad:
        values = _examples(derive, score, nw.col(_BIN) == INVALID_BIN)
        where = f"values {describe_values(values, bad)} (rows of a lazy frame have no positions)"
        msg = f"score column {score!r}: {invalid_scores_message(bad, total, where)}"
        raise InvalidScoreError(msg, value=values[0] if values else None)
    if n_missing and missing == "raise":
        msg = f"score column {score!r}: " + missing_scores_message(
            n_missing, total, "(rows of a lazy frame have no positions)"
        )
        raise InvalidScoreError(msg, value=None)
    if weights is not None and bad_weights:
        values = _examples(derive, weights, nw.col(_BAD_W) == 1)
        where = describe_values(values, bad_weights)
        msg = f"weights column {weights!r}: {invalid_weights_message(bad_weights, where)}"
        raise InvalidWeightsError(msg)


def _declared_categories(frame: Any, key: str, dtype: Any) -> tuple[object, ...] | None:  # noqa: ANN401
    """The declared level order of a categorical key, as in memory, or ``None`` to sort.

    A polars ``Enum`` declares its categories in the schema; a Dask categorical with
    known categories in its (pandas) metadata, read without computing anything.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    if isinstance(dtype, nw.Enum):
        return tuple(dtype.categories)
    native = nw.to_native(frame)
    if isinstance(dtype, nw.Categorical) and frame.implementation is nw.Implementation.DASK:
        categories = getattr(native[key].dtype, "categories", None)
        if categories is not None and "__UNKNOWN_CATEGORIES__" not in categories:
            return tuple(categories.tolist())
    return None


def _decode_values(
    values: list[object], declared: tuple[object, ...] | None
) -> tuple[tuple[object, ...], list[int]]:
    """Levels of a plain key and row codes.

    Levels are the declared categories, or the distinct values sorted (in order of
    appearance when they cannot be compared), with ``"(missing)"`` last when null keys
    occur.
    """
    if declared is not None:
        present = list(declared)
    else:
        present = list(dict.fromkeys(v for v in values if not _is_missing(v)))
        with contextlib.suppress(TypeError):  # incomparable values keep their order
            present = sorted(present)  # type: ignore[type-var]
    index = {v: i for i, v in enumerate(present)}
    codes = [len(present) if _is_missing(v) else index[v] for v in values]
    has_missing = any(_is_missing(v) for v in values)
    return tuple(present) + ((MISSING,) if has_missing else ()), codes


def _decode_numbers(column: Any) -> tuple[tuple[object, ...], NDArray[np.intp]] | None:  # noqa: ANN401
    """``_decode_values`` of a numeric key, vectorised; ``None`` for other keys.

    Levels are the distinct numbers sorted, as Python numbers of the column's own kind,
    with ``"(missing)"`` last for nulls and NaN. An integer column whose nulls turned it
    into floats is left to ``_decode_values``, which keeps its levels integers.
    """
    dtype = column.dtype
    if not dtype.is_numeric():
        return None
    values = np.asarray(column.to_numpy())
    if values.dtype.kind not in "iuf" or (dtype.is_integer() and values.dtype.kind == "f"):
        return None
    missing = np.isnan(values) if values.dtype.kind == "f" else np.zeros(len(values), bool)
    present, inverse = np.unique(values[~missing], return_inverse=True)
    codes = np.full(len(values), len(present), dtype=np.intp)
    codes[~missing] = inverse.reshape(-1)
    levels = tuple(present.tolist()) + ((MISSING,) if missing.any() else ())
    return levels, codes


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
            raise ParameterTypeError(msg, name=name, value=str(schema[name]))
    return cuts


def _check_options(score: str, weights: object, by: Sequence[str], missing: object) -> None:
    check_choice(missing, "missing", ("raise", "drop"))
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
    derived: Mapping[str, Any] | None = None,
    describe_weights: bool = False,
) -> EngineTally:
    """Tally a lazy or distributed frame on its own engine, per group of ``by``.

    Args:
        data: A Dask or PySpark DataFrame, a polars ``LazyFrame``, a DuckDB relation or
            any lazy frame ``narwhals`` reads.
        score: The score column.
        weights: Optional weights column.
        by: Key columns to group by (none for one overall tally).
        bands: Numeric keys to cut into bands first, as
            [`band`][netpromoter._input.factors.band] does, e.g. ``{"spend": [0, 100, inf]}``.
        missing: ``"raise"`` (default) or ``"drop"`` for null/NaN scores.
        derived: Further keys computed on the engine, after ``by``: name to narwhals
            expression (e.g. a time bucket); their levels are their distinct values,
            sorted, with ``"(missing)"`` last for nulls.
        describe_weights: Also count the rows whose weight is 0 and find each group's
            smallest and largest weight, in the same aggregate
            (``EngineTally.n_zero_weights``, ``EngineTally.weight_range``).

    Returns:
        The collected tally per group (one group when ``by`` is empty).

    Raises:
        ColumnNotFoundError: When a named column is not in the frame.
        InvalidScoreError: When scores are invalid, or missing with ``missing="raise"``.
        InvalidWeightsError: When a weight is null, NaN, infinite or negative.
        InvalidParameterError: For an unknown ``missing`` policy, weights that are not
            a column name, or invalid ``bands``.
        ParameterTypeError: When a banded key does not hold numbers (a ``TypeError``).

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
    frame = from_native(data)
    schema = frame.collect_schema()
    check_columns(list(schema.names()), [score, *([] if weights is None else [weights]), *keys])
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
        else:
            key_exprs.append(nw.col(key))
    extra = dict(derived or {})
    key_exprs += [expr.alias(name) for name, expr in extra.items()]
    zeros = describe_weights and weights is not None

    def derive(keep: Sequence[str] = (), exponent: int = 0) -> Any:  # noqa: ANN401 - a LazyFrame
        return _derive(
            frame,
            schema,
            score=score,
            weights=weights,
            keys=key_exprs,
            keep=keep,
            exponent=exponent,
            zeros=zeros,
        )

    groups = [*keys, *extra, _BIN]
    sums = _aggregate(derive(), groups, weighted=weights is not None, zeros=zeros)
    bins = _as_int(sums.get_column(_BIN))
    rows = _as_int(sums.get_column(_ONE))
    bad_weights = 0 if weights is None else int(_as_int(sums.get_column(_BAD_W)).sum())
    n_zero = int(_as_int(sums.get_column(_ZERO_W)).sum()) if zeros else 0
    _validate(derive, bins, rows, bad_weights, score=score, weights=weights, missing=missing)
    exponent = _exponent(sums) if weights is not None else 0
    if exponent:  # the squares overflowed or underflowed: sum again, rescaled
        sums = _aggregate(derive(exponent=exponent), groups, weighted=True, zeros=zeros)
        bins = _as_int(sums.get_column(_BIN))
        rows = _as_int(sums.get_column(_ONE))
    extremes = None
    if zeros:  # the weights' own scale, exactly (a power of two)
        extremes = (
            np.ldexp(_as_float(sums.get_column(_MIN_W)), exponent),
            np.ldexp(_as_float(sums.get_column(_MAX_W)), exponent),
        )
    decoders = [
        band_labels(cuts[k]) if k in cuts else _declared_categories(frame, k, schema[k])
        for k in keys
    ] + [None] * len(extra)
    return _engine_result(
        sums,
        [*keys, *extra],
        decoders,
        bins,
        rows,
        weighted=weights is not None,
        exponent=exponent,
        n_zero_weights=n_zero,
        extremes=extremes,
    )


def _aggregate(derived: Any, groups: list[str], *, weighted: bool, zeros: bool = False) -> Any:  # noqa: ANN401
    """Per group and score bin: the sums of the derived columns, and the largest weight."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    summed = [_ONE, _WEIGHT, _WEIGHT2, _BAD_W] if weighted else [_ONE]
    if zeros:
        summed.append(_ZERO_W)
    aggregates = [nw.col(*summed).sum()]
    if weighted:
        aggregates.append(nw.col(_WEIGHT).max().alias(_MAX_W))
    if zeros:
        aggregates.append(nw.col(_WEIGHT).min().alias(_MIN_W))
    return derived.group_by(*groups).agg(*aggregates).collect()


def _exponent(sums: Any) -> int:  # noqa: ANN401 - the collected narwhals DataFrame
    """The power of two to divide the weights by: as the in-memory engine decides it.

    0 while the sum of squared weights lies within ``[2**-960, 2**960]``; else
    ``weight_exponent`` of the largest weight.
    """
    with np.errstate(over="ignore"):
        total = float(_as_float(sums.get_column(_WEIGHT2)).sum())
    if squares_fit(total):
        return 0
    largest = _as_float(sums.get_column(_MAX_W))
    largest = largest[np.isfinite(largest)]
    return weight_exponent(float(largest.max())) if len(largest) else 0


def _engine_result(
    sums: Any,  # noqa: ANN401 - the collected narwhals DataFrame
    keys: list[str],
    decoders: list[Any],
    bins: NDArray[np.int64],
    rows: NDArray[np.int64],
    *,
    weighted: bool,
    exponent: int = 0,
    n_zero_weights: int = 0,
    extremes: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> EngineTally:
    """Number the collected groups as the in-memory grouping does and build the tally.

    ``decoders`` holds, per key, its band labels (a list), its declared categories (a
    tuple) or ``None`` (levels sorted). Groups
    are numbered by their key codes in lexicographic order, as the mixed-radix codes of
    the in-memory grouping order them; each aggregate row adds into its group's bin.
    """
    all_levels: list[tuple[object, ...]] = []
    codes = np.zeros((len(sums), len(keys)), dtype=np.intp)
    for j, (key, decoder) in enumerate(zip(keys, decoders, strict=True)):
        column = sums.get_column(key)
        fast = _decode_numbers(column) if decoder is None else None
        codes_j: NDArray[np.intp] | list[int]
        if fast is not None:
            levels, codes_j = fast
        elif isinstance(decoder, list):
            levels, codes_j = _decode_bands(list(column.to_list()), decoder)
        else:
            levels, codes_j = _decode_values(list(column.to_list()), decoder)
        check_labels(levels, key)
        codes[:, j] = codes_j
        all_levels.append(levels)
    sizes = [max(len(levels), 1) for levels in all_levels]
    if keys and math.prod(sizes) < 1 << 62:
        # One mixed-radix number per combination: a 1-D unique, in the same order.
        flat, group = np.unique(np.ravel_multi_index(tuple(codes.T), sizes), return_inverse=True)
        key_codes = np.stack(np.unravel_index(flat, sizes), axis=1)
        group = group.reshape(-1)
    elif keys:
        key_codes, group = np.unique(codes, axis=0, return_inverse=True)
        group = group.reshape(-1)
    else:
        key_codes, group = np.zeros((1, 0), dtype=np.intp), np.zeros(len(sums), dtype=np.intp)
    shape = (len(key_codes), N_SCORES + 2)
    cell = group * shape[1] + bins
    size = shape[0] * shape[1]
    count = np.bincount(cell, weights=rows, minlength=size).astype(np.int64).reshape(shape)
    sums_by_cell: list[NDArray[np.float64]] = []
    if weighted:
        for name in (_WEIGHT, _WEIGHT2):
            summed = np.bincount(cell, _as_float(sums.get_column(name)), size)
            sums_by_cell.append(np.asarray(summed, dtype=np.float64).reshape(shape))
        sum_w, sum_w2 = sums_by_cell
    else:
        sum_w = count.astype(np.float64)
        sum_w2 = sum_w.copy()
    scores = slice(0, N_SCORES)
    return EngineTally(
        tally=Tally(count[:, scores], sum_w[:, scores], sum_w2[:, scores], exponent),
        n_missing=count[:, MISSING_BIN],
        keys=tuple(keys),
        levels=tuple(all_levels),
        key_codes=key_codes.astype(np.intp),
        weighted=weighted,
        missing_w=(sum_w[:, MISSING_BIN], sum_w2[:, MISSING_BIN]),
        n_zero_weights=n_zero_weights,
        weight_range=None if extremes is None else _ranges(group, len(key_codes), *extremes),
    )


def _ranges(
    group: NDArray[np.intp], n_groups: int, low: NDArray[np.float64], high: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The smallest and largest weight per group, from those per aggregate row."""
    smallest, largest = np.full(n_groups, np.inf), np.full(n_groups, -np.inf)
    np.minimum.at(smallest, group, low)
    np.maximum.at(largest, group, high)
    return smallest, largest
