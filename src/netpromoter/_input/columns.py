"""Reading columns: a list of responses, a mapping of columns or a dataframe as one table."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter._input.factors import Factor, _is_missing, band, check_labels, factorise
from netpromoter._input.frames import (
    _factor_series,
    _integer_nulls,
    _series_to_numpy,
    frame_kind,
    from_native,
    is_records,
)
from netpromoter._models import Response
from netpromoter._validation import (
    MissingPolicy,
    ScoreColumn,
    check_type,
    shown,
    validate_nullable_scores,
    validate_scores,
    validate_weights,
)
from netpromoter.exceptions import (
    ColumnLengthError,
    ColumnNotFoundError,
    InvalidWeightsError,
    ParameterTypeError,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray


_SHOWN = 8


def _describe_available(names: Sequence[str]) -> str:
    shown = ", ".join(map(repr, names[:20]))
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""  # noqa: PLR2004
    return shown + more if names else "none"


@dataclass(frozen=True)
class Table:
    """The columns of the input that a computation asked for, with their row count.

    Build it with [`read_table`][netpromoter._input.columns.read_table].

    Attributes:
        columns: Column name to a numpy array (or, from a dataframe, a narwhals series).
        n_rows: Number of rows.
        available: Every column name of the input, for error messages.
    """

    columns: Mapping[str, Any]
    n_rows: int
    available: tuple[str, ...]

    def _get(self, name: str) -> Any:  # noqa: ANN401 - numpy array or narwhals series
        try:
            return self.columns[name]
        except KeyError:
            raise ColumnNotFoundError(name, self.available) from None

    def values(self, name: str) -> NDArray[Any]:
        """The column as a numpy array."""
        column = self._get(name)
        return column if isinstance(column, np.ndarray) else _series_to_numpy(column)

    def scores(self, name: str, *, missing: MissingPolicy = "raise") -> ScoreColumn:
        """Validate a score column exactly as [`score`][netpromoter.core.score] does.

        A nullable integer column (pandas ``Int8``, pyarrow-backed, polars or pyarrow
        integers with nulls) is read as its values and null mask, not converted to floats
        with NaN: nulls are missing scores all the same, kept scores keep their dtype.

        Raises:
            InvalidScoreError: Naming the column, how many values are invalid and where.
        """
        column = self._get(name)
        if not isinstance(column, np.ndarray):
            nulls = _integer_nulls(column)
            if nulls is not None:  # values and null mask, not floats with NaN
                values = np.asarray(column.fill_null(0).to_numpy())
                return validate_nullable_scores(values, nulls, missing=missing)
        return validate_scores(self.values(name), missing=missing)

    def weights(self, weights: object, *, check_values: bool = True) -> NDArray[np.float64] | None:
        """Validated weights from a column name, an array, or an object with ``.weights``.

        Args:
            weights: ``None``, a column name, an array-like with one weight per row, or
                any object with a numpy ``weights`` attribute (a weighting result).
            check_values: ``False`` leaves the values to be checked by the tally engine
                on its way through them (``tally(check_weights=True)``), saving two
                passes over the column; on failure call this again with ``True`` for
                the error that names the column and the rows.

        Returns:
            The weights as float64, or ``None`` when unweighted.

        Raises:
            ColumnNotFoundError: When a named weights column does not exist.
            InvalidWeightsError: When a weight is NaN, infinite or negative (the column
                is named) or the length differs from the number of rows.
        """
        if weights is None:
            return None
        if isinstance(weights, str):
            try:
                return validate_weights(
                    self.values(weights), self.n_rows, check_values=check_values
                )
            except InvalidWeightsError as exc:
                msg = f"weights column {weights!r}: {exc}"
                raise InvalidWeightsError(msg, positions=exc.positions) from None
        attribute = getattr(weights, "weights", None)
        if isinstance(attribute, np.ndarray):
            weights = attribute
        return validate_weights(weights, self.n_rows, check_values=check_values)

    def factor(self, name: str, *, edges: Sequence[float] | None = None) -> Factor:
        """The column as a factor; with ``edges``, banded first (see ``band``).

        Raises:
            ColumnNotFoundError: When the column does not exist.
            AmbiguousLabelError: When different values would show as the same label
                (see ``check_labels``).
        """
        column = self._get(name)
        if edges is not None:
            return band(self.values(name), edges, name)
        if isinstance(column, np.ndarray):
            factor = factorise(column, name)
        else:
            factor = _factor_series(column, name)
        check_labels(factor.levels, name)
        return factor


class _ResponseColumns(Mapping[str, Any]):
    """Columns of a list of ``Response``, built on demand."""

    def __init__(self, responses: Sequence[Any]) -> None:

        self._rows = responses
        fields = [f for f in Response.model_fields if f != "segments"]
        extra: dict[str, None] = {}
        for position, r in enumerate(responses):
            if not isinstance(r, Response):
                expected = "a list of Response objects (or a mapping of columns, or a dataframe)"
                raise _item_error(position, r, expected)
            extra.update(dict.fromkeys(r.segments))
        self.names = tuple(fields) + tuple(k for k in extra if k not in fields)
        self._fields = frozenset(fields)

    def __getitem__(self, name: str) -> NDArray[Any]:
        if name not in self.names:
            raise KeyError(name)
        if name in self._fields:
            items = [getattr(r, name) for r in self._rows]
        else:
            items = [r.segments.get(name) for r in self._rows]
        return _list_to_numpy([getattr(v, "value", v) for v in items])

    def __iter__(self) -> Any:  # noqa: ANN401 - iterator of names
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _list_to_numpy(items: Sequence[object]) -> NDArray[Any]:
    """A list as a numpy array: ints -> int64, floats (``None`` -> NaN) -> float64, else objects.

    Integers mixed with ``None`` stay Python objects, so their levels stay integers.
    """
    if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        try:
            return np.asarray(items, dtype=np.int64) if items else np.zeros(0, dtype=np.int64)
        except OverflowError:  # beyond 64 bits: kept as Python integers
            pass
    if any(isinstance(v, float) and not math.isnan(v) for v in items) and all(
        _is_missing(v) or (isinstance(v, int | float) and not isinstance(v, bool)) for v in items
    ):
        return np.asarray([np.nan if _is_missing(v) else v for v in items], dtype=np.float64)
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


def _as_array(name: str, column: object) -> NDArray[Any]:
    if hasattr(column, "__array__") and not isinstance(column, list | tuple | np.ndarray):
        column = np.asarray(column)
    if isinstance(column, np.ndarray):
        if column.ndim != 1:
            msg = f"column {name!r} must be one-dimensional, got shape {column.shape}"
            raise ParameterTypeError(msg, name=name, value=column)
        return column
    if isinstance(column, Sequence) and not isinstance(column, str | bytes):
        return _list_to_numpy(column)
    msg = (
        f"column {name!r} must be an array or a list, got {shown(column)} ({type(column).__name__})"
    )
    raise ParameterTypeError(msg, name=name, value=column)


def read_table(data: object, columns: Sequence[str]) -> Table:
    """Read the named columns of ``data`` (responses, a mapping or a dataframe).

    Only the named columns are converted (a lazy polars frame collects just those).

    Args:
        data: A sequence of ``Response``, records (a sequence of dicts; a key a record
            lacks is a missing value), a mapping of column name to array/list, or a
            pandas, polars (eager or lazy) or pyarrow table.
        columns: The column names needed.

    Returns:
        The table of those columns.

    Raises:
        ColumnNotFoundError: When a name is not a column, listing the available ones.
        ColumnLengthError: When mapping columns differ in length, naming them.
        ParameterTypeError: When ``data`` is none of the accepted kinds, a column is not
            a one-dimensional array or list, or a column name is not text.

    Examples:
        >>> read_table({"score": [9]}, ["nps"])
        Traceback (most recent call last):
        ...
        netpromoter.exceptions.ColumnNotFoundError: no column 'nps'; available columns: 'score'
    """
    for name in columns:
        check_type(name, "column name", str, "text (the name of a column)")
    needed = list(dict.fromkeys(columns))
    if frame_kind(data) is not None:
        return _read_frame(data, needed)
    if isinstance(data, Sequence) and not isinstance(data, str | bytes) and not data:
        # No responses: every column asked for is empty (scoring then reports no data).
        return Table({name: np.zeros(0, dtype=np.int8) for name in needed}, 0, tuple(needed))
    source, available = _columns_of(data, needed)
    for name in needed:
        if name not in source:
            raise ColumnNotFoundError(name, available)
    arrays = {name: _as_array(name, source[name]) for name in needed}
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ColumnLengthError(lengths)
    n_rows = next(iter(lengths.values())) if lengths else len(data)  # type: ignore[arg-type]
    return Table(arrays, n_rows, available)


def _columns_of(data: object, needed: list[str]) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    """The columns of in-memory data that is not a dataframe, and every column name."""
    if isinstance(data, Mapping):
        return data, tuple(str(k) for k in data)
    if is_records(data):
        return _record_columns(data, needed)  # type: ignore[arg-type]
    if isinstance(data, Sequence) and not isinstance(data, str | bytes):
        responses = _ResponseColumns(data)
        return responses, responses.names
    if _is_series(data):
        msg = f"data must be a whole table (a dataframe), got a {type(data).__name__}"
        raise TypeError(msg)
    msg = (
        "data must be a list of Response, records (a list of dicts), a mapping of column "
        "name to values, or a pandas/polars/pyarrow dataframe; got "
        f"{shown(data)} ({type(data).__name__})"
    )
    raise ParameterTypeError(msg, name="data", value=data)


def _item_error(position: int, item: object, expected: str) -> ParameterTypeError:
    """The error for an item of ``data`` that is not what the first item says it is."""
    msg = f"data must be {expected}, but item {position} is {shown(item)} ({type(item).__name__})"
    return ParameterTypeError(msg, name="data", value=item)


def _record_columns(
    records: Sequence[Mapping[str, Any]], needed: list[str]
) -> tuple[dict[str, list[Any]], tuple[str, ...]]:
    """The needed columns of records, and every key the records have (in order seen).

    A column is there when some record has its key; a record without it gives a missing
    value (``None``).

    Raises:
        ParameterTypeError: When an item is not a mapping, naming its position.
    """
    keys: dict[str, None] = {}
    for position, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise _item_error(position, record, "records: mappings of column name to value")
        keys.update(dict.fromkeys(map(str, record)))
    columns = {name: [r.get(name) for r in records] for name in needed if name in keys}
    return columns, tuple(keys)


def _read_frame(data: object, needed: list[str]) -> Table:
    numbers = _read_numbers(data, needed)
    if numbers is not None:
        return numbers
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    frame = from_native(data, pass_through=True)
    if not isinstance(frame, nw.DataFrame | nw.LazyFrame):
        msg = f"data must be a whole table (a dataframe), got a {type(data).__name__}"
        raise ParameterTypeError(msg, name="data", value=data)
    if isinstance(frame, nw.LazyFrame):
        available = tuple(frame.collect_schema().names())
        missing = [n for n in needed if n not in available]
        if missing:
            raise ColumnNotFoundError(missing[0], available)
        frame = frame.select(needed).collect()
    available = tuple(frame.columns)
    for name in needed:
        if name not in available:
            raise ColumnNotFoundError(name, available)
    series = {name: frame.get_column(name) for name in needed}
    return Table(series, len(frame), available)


def _is_series(data: object) -> bool:
    """Whether ``data`` is a single column (a series) of a dataframe library."""
    try:
        import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency
    except ImportError:
        return False
    return isinstance(from_native(data, series_only=True, pass_through=True), nw.Series)


def _read_numbers(data: object, needed: list[str]) -> Table | None:
    """The needed columns of an eager pandas, polars or pyarrow frame, when all are numbers.

    The fast path of [`read_table`][netpromoter._input.columns.read_table]: when every needed
    column holds floats (nulls become NaN) or integers without nulls, its numpy array is
    taken from the frame's own library, as ``narwhals``' ``to_numpy`` would give it
    (zero-copy where the library allows), without wrapping the frame: that wrapping costs
    more than scoring a few hundred thousand int8 scores, and narwhals' ``to_numpy`` of a
    pandas nullable or pyarrow-backed column took 3.5-4 times as long as scoring it
    (10^7 int8 rows, ``benchmarks/bench_lazy.py``). Anything else (integers with
    nulls, text, categoricals, other libraries, unknown or duplicated names) returns
    ``None`` and is read through ``narwhals``, which also reports missing columns.
    """
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        return _pandas_numbers(data, needed)
    if module == "polars":
        return _polars_numbers(data, needed)
    if module == "pyarrow":
        return _arrow_numbers(data, needed)
    return None


def _pandas_numbers(data: Any, needed: list[str]) -> Table | None:  # noqa: ANN401 - a pandas frame
    import pandas as pd  # noqa: PLC0415 - optional dependency

    if type(data) is not pd.DataFrame or not data.columns.is_unique:
        return None
    arrays: dict[str, NDArray[Any]] = {}
    for name in needed:
        values = _pandas_values(data[name]) if name in data.columns else None
        if values is None:
            return None
        arrays[name] = values
    return Table(arrays, len(data), tuple(data.columns.tolist()))


def _pandas_values(series: Any) -> NDArray[Any] | None:  # noqa: ANN401 - a pandas Series
    """The numpy array of a pandas number column, as narwhals reads it, else ``None``."""
    import pandas as pd  # noqa: PLC0415 - optional dependency

    dtype = series.dtype
    if isinstance(dtype, np.dtype):  # numpy-backed: no nulls (NaN is a value)
        return series.to_numpy() if dtype.kind in "iuf" else None
    if isinstance(series.array, pd.arrays.IntegerArray | pd.arrays.FloatingArray):
        try:  # no copy; NaN at the nulls of floats; integers with nulls raise
            return np.asarray(series.array.to_numpy(dtype=dtype.numpy_dtype))
        except ValueError:
            return None
    if isinstance(dtype, pd.ArrowDtype):
        return _arrow_values(series.array.__arrow_array__())
    return None


def _polars_numbers(data: Any, needed: list[str]) -> Table | None:  # noqa: ANN401 - a polars frame
    import polars as pl  # noqa: PLC0415 - optional dependency

    if type(data) is not pl.DataFrame:
        return None
    available = tuple(data.columns)
    arrays: dict[str, NDArray[Any]] = {}
    for name in needed:
        if name not in available:
            return None
        series = data.get_column(name)
        if series.dtype.is_float() and series.null_count():
            series = series.fill_null(float("nan"))  # faster than to_numpy filling NaN
        if not (series.dtype.is_integer() or series.dtype.is_float()) or series.null_count():
            return None
        arrays[name] = series.to_numpy()
    return Table(arrays, data.height, available)


def _arrow_numbers(data: Any, needed: list[str]) -> Table | None:  # noqa: ANN401 - a pyarrow table
    import pyarrow as pa  # noqa: PLC0415 - optional dependency

    if type(data) is not pa.Table:
        return None
    arrays: dict[str, NDArray[Any]] = {}
    for name in needed:
        index = data.schema.get_field_index(name)  # -1 when absent or duplicated
        values = None if index < 0 else _arrow_values(data.column(index))
        if values is None:
            return None
        arrays[name] = values
    return Table(arrays, data.num_rows, tuple(data.column_names))


def _arrow_values(chunked: Any) -> NDArray[Any] | None:  # noqa: ANN401 - a pyarrow ChunkedArray
    """The numpy array of a float or null-free integer pyarrow column, else ``None``.

    Nulls of a float column become NaN, as ``narwhals`` reads them.
    """
    import pyarrow as pa  # noqa: PLC0415 - optional dependency

    kind = chunked.type
    if pa.types.is_floating(kind) or (pa.types.is_integer(kind) and not chunked.null_count):
        return np.asarray(chunked.to_numpy())
    return None
