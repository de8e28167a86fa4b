"""Dataframes: what is one (decided here only), and their columns read natively."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from netpromoter._count import CHUNK
from netpromoter._input.factors import (
    DENSE_LIMIT,
    Factor,
    _display_order,
    _factor_floats,
    _with_missing,
    code_dtype,
    factorise,
)
from netpromoter._models import Response
from netpromoter._validation import (
    check_type,
)
from netpromoter.exceptions import InvalidParameterError, ParameterTypeError

if TYPE_CHECKING:
    from numpy.typing import NDArray


def frame_kind(data: object) -> Literal["eager", "lazy"] | None:
    """Whether ``data`` is a dataframe: ``"eager"``, ``"lazy"`` (or distributed), else ``None``.

    A pandas or polars ``DataFrame`` or pyarrow ``Table`` is known by its exact type,
    without importing ``narwhals``. Any other object that is not a mapping, a sequence or
    an array is a frame when ``narwhals`` reads it as one (``from_native``): Dask and
    PySpark DataFrames, polars ``LazyFrame``, DuckDB relations and subclasses of the
    eager frames, whatever module their library defines them in. A series is not a frame.

    Examples:
        >>> frame_kind({"score": [9]}), frame_kind([9, 10]), frame_kind(np.arange(3))
        (None, None, None)
    """
    if native_columns(data) is not None:
        return "eager"
    if isinstance(data, Mapping | Sequence | np.ndarray):
        return None
    try:
        import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency
    except ImportError:  # without narwhals no other frame can be read
        return None
    frame = from_native(data, pass_through=True)
    if isinstance(frame, nw.LazyFrame):
        return "lazy"
    if isinstance(frame, nw.DataFrame):
        return "eager"
    return None


#: The notice narwhals gives on every Dask frame it reads (Dask support moves to the
#: ``narwhals-dask`` package); the frame works as is, so users are not told at each call.
_DASK_NOTICE = "Dask support is moving out of Narwhals"


def from_native(data: object, **options: bool) -> Any:  # noqa: ANN401 - a narwhals object
    """``narwhals.from_native(data, **options)``, without narwhals' Dask notice.

    narwhals announces on every call with a Dask frame that Dask support moves to a
    separate package; reading the frame works the same, so the notice is not passed on.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_DASK_NOTICE, category=FutureWarning)
        return nw.from_native(data, **options)


def native_columns(data: object) -> tuple[str, ...] | None:
    """The column names of a pandas or polars ``DataFrame`` or pyarrow ``Table``, else ``None``.

    Read from the frame itself, without wrapping it in ``narwhals`` (exact types only).

    Examples:
        >>> native_columns({"score": [9]}) is None
        True
    """
    module = type(data).__module__.split(".")[0]
    kind = type(data).__name__
    if module == "pandas" and kind == "DataFrame":
        return tuple(data.columns.tolist())  # type: ignore[attr-defined]
    if module == "polars" and kind == "DataFrame":
        return tuple(data.columns)  # type: ignore[attr-defined]
    if module == "pyarrow" and kind == "Table":
        return tuple(data.column_names)  # type: ignore[attr-defined]
    return None


def _is_categorical(dtype: Any) -> bool:  # noqa: ANN401 - a narwhals dtype
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    return bool(dtype in (nw.Categorical, nw.Enum))


def _series_to_numpy(series: Any) -> NDArray[Any]:  # noqa: ANN401 - a narwhals series
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    if _is_categorical(series.dtype):
        series = series.cast(nw.String)
    elif series.dtype.is_float() and _has_nulls(series):
        # The same NaN-filled floats as to_numpy makes, three times faster (polars).
        series = series.fill_null(float("nan"))
    return np.asarray(series.to_numpy())


def _has_nulls(series: Any) -> bool:  # noqa: ANN401 - a narwhals series
    """Whether a series has nulls; a numpy-backed pandas column has none (NaN is a value)."""
    if isinstance(getattr(series.to_native(), "dtype", None), np.dtype):
        return False
    return bool(series.null_count())


def _integer_nulls(series: Any) -> NDArray[np.bool_] | None:  # noqa: ANN401 - a narwhals series
    """The null mask of an integer series that has nulls, else ``None``.

    A numpy-backed pandas column cannot hold nulls: it is not scanned for them.
    """
    if not series.dtype.is_integer() or not _has_nulls(series):
        return None
    return np.asarray(series.is_null().to_numpy(), dtype=bool)


def _factor_series(series: Any, name: str) -> Factor:  # noqa: ANN401 - a narwhals series
    """Factorise a narwhals series with its own library's codes (categorical or cast).

    Categorical levels keep their declared order (pandas categories, polars ``Enum``);
    strings (cast to categorical by their own library) and polars ``Categorical`` and
    pyarrow dictionaries, whose order is that of first appearance, are sorted.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    dtype = series.dtype
    categorical = _is_categorical(dtype)
    if not categorical and (dtype.is_numeric() or dtype == nw.Boolean):
        arr = _series_to_numpy(series)
        if arr.dtype.kind == "f" and dtype.is_integer():
            codes_f, levels_f = _factor_floats(arr, as_int=True)
            return Factor(codes_f, levels_f, name).compact()
        return factorise(arr, name)
    if not categorical and dtype != nw.String:
        return factorise(_series_to_numpy(series), name)
    cast = series if categorical else series.cast(nw.Categorical)
    raw, levels, missing, declared = _native_codes(nw.to_native(cast))
    out, labels = _with_missing(raw, missing, levels)
    if categorical and declared:
        return Factor(out, labels, name)
    order = _display_order(levels)
    if order is not None and len(labels) > len(levels):
        order = np.append(order, len(levels))  # "(missing)" stays last
    return Factor(out, labels, name, order)


def _native_codes(
    native: Any,  # noqa: ANN401 - pandas/polars/pyarrow column
) -> tuple[NDArray[np.integer[Any]], list[object], NDArray[np.bool_] | None, bool]:
    """Codes, levels, missing mask of a native categorical, and if its order is declared."""
    module = type(native).__module__.split(".")[0]
    if module == "pandas":
        raw = np.asarray(native.cat.codes.to_numpy())
        levels = list(native.cat.categories.tolist())
        missing = raw < 0
        return (np.where(missing, 0, raw) if missing.any() else raw), levels, missing, True
    if module == "polars":
        return _polars_codes(native)
    import pyarrow as pa  # noqa: PLC0415 - optional dependency
    import pyarrow.compute as pc  # noqa: PLC0415 - optional dependency

    chunked = native if isinstance(native, pa.ChunkedArray) else pa.chunked_array([native])
    unified = chunked.unify_dictionaries()
    dictionary = unified.chunk(0).dictionary if unified.num_chunks else pa.array([], pa.string())
    indices = pa.chunked_array([c.indices for c in unified.chunks], type=unified.type.index_type)
    missing_arr = np.asarray(pc.is_null(indices).to_numpy(zero_copy_only=False))
    has_missing = bool(missing_arr.any())
    raw = pc.fill_null(indices, 0).to_numpy() if has_missing else indices.to_numpy()
    return np.asarray(raw), dictionary.to_pylist(), missing_arr if has_missing else None, False


def _polars_codes(
    native: Any,  # noqa: ANN401 - a polars Series
) -> tuple[NDArray[np.integer[Any]], list[object], NDArray[np.bool_] | None, bool]:
    import polars as pl  # noqa: PLC0415 - optional dependency

    physical = native.to_physical()
    missing_s = physical.is_null()
    has_missing = bool(missing_s.any())
    raw = np.asarray((physical.fill_null(0) if has_missing else physical).to_numpy())
    missing = np.asarray(missing_s.to_numpy()) if has_missing else None
    if isinstance(native.dtype, pl.Enum):
        return raw, native.dtype.categories.to_list(), missing, True
    # polars >= 1.43 shows the category mapping that physical codes index; when it is
    # small, use the codes as they are.
    mapping = getattr(getattr(native.dtype, "categories", None), "to_series", None)
    categories = mapping() if mapping is not None else None
    if categories is not None and len(categories) <= DENSE_LIMIT:
        return raw, categories.to_list(), missing, False
    # Otherwise (a large mapping, or a polars that does not show it) number the
    # categories that occur compactly through a lookup table.
    present = native.drop_nulls().unique()
    present_codes = np.asarray(present.to_physical().to_numpy(), dtype=np.intp)
    lut = np.zeros(int(present_codes.max()) + 1 if len(present_codes) else 1, dtype=np.intp)
    lut[present_codes] = np.arange(len(present_codes))
    codes = np.empty(len(raw), dtype=code_dtype(len(present_codes)))
    for start in range(0, len(raw), CHUNK):
        codes[start : start + CHUNK] = lut[raw[start : start + CHUNK]]
    return codes, present.cast(pl.String).to_list(), missing, False


def is_frame(data: object) -> bool:
    """Whether ``data`` is a dataframe ``narwhals`` reads, eager or lazy (not a series).

    Examples:
        >>> import numpy as np
        >>> is_frame(np.arange(3)), is_frame([9, 10])
        (False, False)
    """
    return frame_kind(data) is not None


def is_table(data: object, score: object) -> bool:
    """Whether scores come as a table: a dataframe, a mapping of columns, or ``score=`` given.

    Raises:
        ParameterTypeError: When ``score`` is given but is not a column name.

    Examples:
        >>> is_table([9, 10], None), is_table({"s": [9]}, None), is_table({"s": [9]}, "s")
        (False, True, True)
    """
    if score is not None:
        check_type(score, "score", str, "the name of the score column")
        if not (
            isinstance(data, Mapping) or is_frame(data) or _is_responses(data) or is_records(data)
        ):
            msg = (
                f"score={score!r} names a column, but the scores are not a table "
                f"({type(data).__name__}); pass the scores alone, or a table with a "
                f"column {score!r}"
            )
            raise ParameterTypeError(msg, name="score", value=score)
        return True
    return isinstance(data, Mapping) or is_frame(data) or is_records(data)


def is_records(data: object) -> bool:
    """Whether ``data`` is records: a non-empty sequence starting with a mapping (a dict).

    Examples:
        >>> is_records([{"score": 9}]), is_records([9]), is_records([])
        (True, False, False)
    """
    return _starts_with(data, Mapping)


def _is_responses(data: object) -> bool:
    """Whether ``data`` is a non-empty sequence starting with a ``Response``."""
    return _starts_with(data, Response)


def _starts_with(data: object, kind: type) -> bool:
    """Whether ``data`` is a non-empty sequence (not text) whose first item is a ``kind``."""
    return (
        isinstance(data, Sequence)
        and not isinstance(data, str | bytes)
        and len(data) > 0
        and isinstance(data[0], kind)
    )


def is_lazy(data: object) -> bool:
    """Whether ``data`` is a lazy or distributed frame (Dask, Spark, polars lazy, DuckDB).

    Examples:
        >>> is_lazy({"score": [9]})
        False
    """
    return frame_kind(data) == "lazy"


def column_names(data: object) -> list[str]:
    """The column names of a mapping of columns or a dataframe (eager or lazy)."""
    if isinstance(data, Mapping):
        return [str(name) for name in data]
    if is_records(data):
        records: Sequence[object] = data  # type: ignore[assignment]
        seen = (str(k) for r in records if isinstance(r, Mapping) for k in r)
        return list(dict.fromkeys(seen))
    names = native_columns(data)
    if names is not None:
        return list(names)

    frame = from_native(data)
    return list(frame.collect_schema().names())


#: The score column a table is read from when none is named.
DEFAULT_SCORE = "score"


def score_column(data: object, score: str | None) -> str:
    """The score column of a table: the one named, else ``"score"``, else the only column.

    Raises:
        InvalidParameterError: When none is named, there is no ``"score"`` column and the
            table has no column or several.

    Examples:
        >>> score_column({"score": [9], "region": ["n"]}, None), score_column({"x": [9]}, None)
        ('score', 'x')
    """
    if score is not None:
        return score
    names = column_names(data)
    if DEFAULT_SCORE in names:
        return DEFAULT_SCORE
    if len(names) == 1:
        return names[0]
    if not names:
        msg = "this table has no columns; give scores, or a table with a score column"
        raise InvalidParameterError(msg, name="score", value=None)
    shown = ", ".join(map(repr, names[:20])) or "none"
    msg = (
        f"this table has {len(names)} columns ({shown}) and none is called "
        f"{DEFAULT_SCORE!r}; name the score column, e.g. score(frame, score='nps')"
    )
    raise InvalidParameterError(msg, name="score", value=None)
