"""The input layer: turn user data into validated numpy columns.

Every function that takes a table of responses (segmentation, trends, weighting, drivers,
distributed tallies) reads it through [`read_table`][netpromoter._columns.read_table]:

* ``data`` is a list of [`Response`][netpromoter.core.Response] (columns are its fields,
  then the keys of its ``segments``), a mapping of column name to array or list, or a
  dataframe (pandas, polars eager or lazy, pyarrow ``Table``) read through ``narwhals``,
  which is imported only when a dataframe is given (extra ``dataframes``); number columns
  without nulls of eager pandas, polars and pyarrow frames are taken from their own
  library (zero-copy where it allows), which costs far less than wrapping the frame;
* scores are validated by [`validate_scores`][netpromoter._validation.validate_scores]
  and weights by [`validate_weights`][netpromoter._validation.validate_weights], exactly
  as [`score`][netpromoter.core.score] does;
* key columns become a [`Factor`][netpromoter._columns.Factor]: small unsigned integer
  codes and their level labels, with missing values as an explicit ``"(missing)"`` level
  (never dropped). Pandas and polars categoricals (and pyarrow dictionaries) use their own
  integer codes; strings are factorised by their own library; integers by value range;
* [`band`][netpromoter._columns.band] cuts a numeric column at edges into labelled bands;
* [`combine`][netpromoter._columns.combine] groups rows by several keys (mixed radix),
  as code arrays the tally engine combines chunk by chunk, never holding an
  8-byte-per-row temporary over the whole input.

The typical use, as in ``segmentation``: read, validate, factorise, combine, then count
with the one tally engine and compute statistics with ``_stats``. Rows dropped for a
missing score (``missing="drop"``) must be dropped from the keys and weights too, with
``ScoreColumn.kept``.

Examples:
    >>> table = read_table({"score": [10, 3, 9], "region": ["n", None, "n"]}, ["score", "region"])
    >>> column = table.scores("score")
    >>> column.scores.tolist()
    [10, 3, 9]
    >>> f = table.factor("region").take(column.kept)
    >>> f.codes.tolist(), f.levels
    ([0, 1, 0], ('n', '(missing)'))
    >>> from netpromoter._tally import tally
    >>> grouping = combine([f])
    >>> tally(column.scores, None, grouping.codes, grouping.sizes).count.sum(axis=1).tolist()
    [2, 1]
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from netpromoter._tally import CHUNK
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
    AmbiguousLabelError,
    ColumnLengthError,
    ColumnNotFoundError,
    InvalidParameterError,
    InvalidWeightsError,
    ParameterTypeError,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Label of the level that holds missing key values (``None``, NaN, null).
MISSING = "(missing)"
#: Largest integer range factorised with a lookup table instead of a sort.
_RANGE_LIMIT = 1 << 20
#: Largest number of key combinations coded densely; beyond it, codes are compacted.
DENSE_LIMIT = 1 << 16
#: Largest number of key combinations compacted with a bitmap (and an int32 table).
_BITMAP_LIMIT = 1 << 24
_SHOWN = 8


@dataclass(frozen=True)
class Factor:
    """A key column as integer codes and the labels they stand for.

    Attributes:
        codes: One code per row, ``0 <= code < len(levels)``, in the smallest unsigned
            dtype that holds them.
        levels: The label of each code: plain Python values (``str``, ``int``, ``float``,
            ``bool``...), with missing values gathered in the ``"(missing)"`` level, last.
            Levels may include labels no row has (every value of a small integer range,
            unused categories of a categorical): count, then drop empty groups, or call
            ``compact()``.
        name: The column the factor was read from.
        order: When the levels are not in display order (codes taken as they come
            from a dataframe library), the display position of each level: labels
            sorted, ``"(missing)"`` last. ``None`` when the level order is the display
            order. Reorder results, not codes: it costs per group, not per row.
    """

    codes: NDArray[np.unsignedinteger[Any]]
    levels: tuple[object, ...]
    name: str = ""
    order: NDArray[np.intp] | None = None

    def take(self, mask: NDArray[np.bool_] | None) -> Factor:
        """The factor restricted to the rows where ``mask`` is true (all when ``None``)."""
        if mask is None:
            return self
        return Factor(self.codes[mask], self.levels, self.name, self.order)

    def ranks(self) -> NDArray[np.intp]:
        """The display position of each level (``order``, or the level order itself)."""
        if self.order is not None:
            return self.order
        return np.arange(len(self.levels), dtype=np.intp)

    def compact(self) -> Factor:
        """The factor with only the levels that some row has (codes renumbered).

        Examples:
            >>> f = Factor(np.array([2, 0, 2], dtype=np.uint8), ("a", "b", "c"))
            >>> g = f.compact()
            >>> g.codes.tolist(), g.levels
            ([1, 0, 1], ('a', 'c'))
        """
        used = np.zeros(len(self.levels), dtype=bool)
        for start in range(0, len(self.codes), CHUNK):
            # numpy < 2.2.4 refuses uint64 (the codes of int64 columns) in bincount.
            chunk = self.codes[start : start + CHUNK].astype(np.intp, copy=False)
            used |= np.bincount(chunk, minlength=len(used)) > 0
        if used.all():
            return self
        dtype = code_dtype(int(used.sum()))
        lut = (np.cumsum(used, dtype=np.int64) - 1).astype(dtype)
        codes = np.empty(len(self.codes), dtype=dtype)
        for start in range(0, len(self.codes), CHUNK):
            codes[start : start + CHUNK] = lut[self.codes[start : start + CHUNK]]
        levels = tuple(label for label, keep in zip(self.levels, used, strict=True) if keep)
        order = None
        if self.order is not None:
            order = np.argsort(np.argsort(self.order[used], kind="stable")).astype(np.intp)
        return Factor(codes, levels, self.name, order)


@dataclass(frozen=True)
class Grouping:
    """Several factors combined into one group per row, as the tally engine reads it.

    Pass ``codes`` and ``sizes`` straight to ``tally(scores, weights, codes, sizes)``:
    the group of a row is the mixed-radix combination of its codes, formed chunk by
    chunk inside the engine.

    Attributes:
        codes: Code arrays, one per radix (the factors' own codes when dense, else one
            array of compact codes).
        sizes: The radix of each code array.
        key_codes: ``(n_groups, n_keys)`` array: the code of each factor in each group.
        factors: The combined factors, in order.
    """

    codes: tuple[NDArray[np.unsignedinteger[Any]], ...]
    sizes: tuple[int, ...]
    key_codes: NDArray[np.intp]
    factors: tuple[Factor, ...]

    @property
    def n_groups(self) -> int:
        """Number of groups: every combination when dense, else those that occur."""
        return math.prod(self.sizes)

    def labels(self, group: int) -> tuple[object, ...]:
        """The level labels of one group, one per factor."""
        return tuple(
            f.levels[int(c)] for f, c in zip(self.factors, self.key_codes[group], strict=True)
        )

    def all_labels(self, groups: NDArray[np.integer[Any]]) -> list[tuple[object, ...]]:
        """The level labels of many groups at once (one tuple per group)."""
        columns = []
        for i, f in enumerate(self.factors):
            levels = np.empty(len(f.levels), dtype=object)
            levels[:] = list(f.levels)
            columns.append(levels[self.key_codes[groups, i]].tolist())
        return list(zip(*columns, strict=True))

    def group_codes(self) -> NDArray[np.unsignedinteger[Any]]:
        """One group code per row, ``0 <= code < n_groups`` (computed chunk by chunk)."""
        if len(self.codes) == 1:
            return self.codes[0]
        out = np.empty(len(self.codes[0]), dtype=code_dtype(self.n_groups))
        for start in range(0, len(out), CHUNK):
            out[start : start + CHUNK] = _chunk_codes(self.codes, self.sizes, start)
        return out


def _chunk_codes(
    codes: Sequence[NDArray[Any]], sizes: Sequence[int], start: int
) -> NDArray[np.int64]:
    """Mixed-radix codes ``((c1 · s2 + c2) · s3 + c3) ...`` of one chunk of rows."""
    stop = start + CHUNK
    out = codes[0][start:stop].astype(np.int64)
    for part, size in zip(codes[1:], sizes[1:], strict=True):
        out *= size
        out += part[start:stop].astype(np.int64)  # uint64 + int64 would be float64
    return out


def code_dtype(n_levels: int) -> np.dtype[np.unsignedinteger[Any]]:
    """The smallest unsigned integer dtype holding codes ``0..n_levels-1``.

    Examples:
        >>> code_dtype(256), code_dtype(257), code_dtype(70_000)
        (dtype('uint8'), dtype('uint16'), dtype('uint32'))
    """
    for dtype in (np.uint8, np.uint16, np.uint32):
        if n_levels <= np.iinfo(dtype).max + 1:
            return np.dtype(dtype)
    return np.dtype(np.uint64)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _with_missing(
    codes: NDArray[np.integer[Any]], missing: NDArray[np.bool_] | None, levels: list[object]
) -> tuple[NDArray[np.unsignedinteger[Any]], tuple[object, ...]]:
    """Cast codes to the smallest dtype; rows flagged missing get a last "(missing)" level."""
    has_missing = missing is not None and bool(missing.any())
    n_levels = len(levels) + has_missing
    if not has_missing and codes.dtype.kind == "u":
        return codes, tuple(levels)  # type: ignore[return-value]
    out = np.empty(len(codes), dtype=code_dtype(n_levels))
    for start in range(0, len(codes), CHUNK):
        stop = start + CHUNK
        out[start:stop] = codes[start:stop]
        if has_missing and missing is not None:
            part = out[start:stop]
            part[missing[start:stop]] = len(levels)
    return out, tuple(levels) + ((MISSING,) if has_missing else ())


def _display_order(levels: Sequence[object]) -> NDArray[np.intp] | None:
    """Display position of each level (sorted labels), or ``None`` if already sorted.

    Labels that cannot be compared keep their order.
    """
    try:
        order = sorted(range(len(levels)), key=lambda i: levels[i])  # type: ignore[arg-type,return-value]
    except TypeError:
        return None
    if order == list(range(len(levels))):
        return None
    ranks = np.empty(len(levels), dtype=np.intp)
    ranks[np.asarray(order, dtype=np.intp)] = np.arange(len(levels))
    return ranks


def _reorder(
    codes: NDArray[np.integer[Any]], levels: list[object]
) -> tuple[NDArray[np.integer[Any]], list[object]]:
    """Sort levels (when they are mutually comparable) and remap codes through a table.

    Codes are remapped chunk by chunk into the smallest dtype, never widened as a whole.
    """
    try:
        order = sorted(range(len(levels)), key=lambda i: levels[i])  # type: ignore[arg-type,return-value]
    except TypeError:
        return codes, levels
    dtype = code_dtype(len(levels))
    lut = np.empty(max(len(levels), 1), dtype=dtype)
    lut[np.asarray(order, dtype=np.intp)] = np.arange(len(levels))
    out = np.empty(len(codes), dtype=dtype)
    for start in range(0, len(codes), CHUNK):
        out[start : start + CHUNK] = lut[codes[start : start + CHUNK]]
    return out, [levels[i] for i in order]


def _factor_integers(arr: NDArray[np.integer[Any]]) -> tuple[NDArray[Any], list[object]]:
    """Factorise integers by value range, or for wide ranges a lookup table or a sort.

    A range of at most ``DENSE_LIMIT`` values is used as is: the code is ``x − min``
    (no copy at all for values in ``0..DENSE_LIMIT-1``: the array is viewed as unsigned
    and every value from 0 is a level), and every value of the range is a level, used or
    not.
    """
    if arr.size == 0:
        return np.zeros(0, dtype=np.uint8), []
    if arr.dtype.kind == "b":
        return arr.view(np.uint8), [False, True]
    lo, hi = int(arr.min()), int(arr.max())
    if hi - lo < DENSE_LIMIT:
        if lo >= 0 and hi < DENSE_LIMIT:
            # Non-negative values read the same as unsigned integers of the same width.
            codes = arr.view(arr.dtype.newbyteorder("=").str.replace("i", "u"))
            return codes, list(range(hi + 1))
        out = np.empty(len(arr), dtype=code_dtype(hi - lo + 1))
        offset = arr.dtype.type(lo)
        for start in range(0, len(arr), CHUNK):
            np.subtract(
                arr[start : start + CHUNK], offset, out=out[start : start + CHUNK], casting="unsafe"
            )
        return out, list(range(lo, hi + 1))
    if hi - lo >= _RANGE_LIMIT:
        uniq, inverse = np.unique(arr, return_inverse=True)
        return inverse.reshape(-1).astype(code_dtype(len(uniq))), [_plain(v) for v in uniq]
    present = np.zeros(hi - lo + 1, dtype=bool)
    for start in range(0, len(arr), CHUNK):
        present[(arr[start : start + CHUNK] - lo).astype(np.intp)] = True
    values = np.flatnonzero(present)
    lut = np.cumsum(present) - 1
    out = np.empty(len(arr), dtype=code_dtype(len(values)))
    for start in range(0, len(arr), CHUNK):
        out[start : start + CHUNK] = lut[(arr[start : start + CHUNK] - lo).astype(np.intp)]
    return out, [lo + int(v) for v in values]


def _factor_floats(
    arr: NDArray[np.floating[Any]], *, as_int: bool
) -> tuple[NDArray[np.unsignedinteger[Any]], tuple[object, ...]]:
    missing = np.isnan(arr)
    has_missing = bool(missing.any())
    present = arr[~missing] if has_missing else arr
    if present.size and np.all(np.floor(present) == present):
        lo, hi = present.min(), present.max()
        if hi - lo < _RANGE_LIMIT:
            # Integral floats in a small range: as integers (int32 holds the range), with
            # missing rows parked on the minimum until they get the "(missing)" code.
            whole = np.empty(
                len(arr), dtype=np.int32 if max(abs(lo), abs(hi)) < 2**31 else np.int64
            )
            for start in range(0, len(arr), CHUNK):
                part = arr[start : start + CHUNK]
                whole[start : start + CHUNK] = (
                    np.where(np.isnan(part), lo, part) if has_missing else part
                )
            codes, levels = _factor_integers(whole)
            if not as_int:
                levels = [float(v) for v in levels]  # type: ignore[arg-type]
            return _with_missing(codes, missing if has_missing else None, levels)
    uniq, inverse = np.unique(present, return_inverse=True)
    codes = np.zeros(len(arr), dtype=np.intp)
    codes[~missing] = inverse.reshape(-1)
    return _with_missing(codes, missing if has_missing else None, [_plain(v) for v in uniq])


def _factor_objects(
    items: NDArray[Any],
) -> tuple[NDArray[np.unsignedinteger[Any]], tuple[object, ...]]:
    """Factorise Python objects with a dictionary (levels then sorted when comparable)."""
    # Booleans are told apart from the numbers they equal (True == 1 in Python).
    index: dict[tuple[bool, object], int] = {}
    codes = np.empty(len(items), dtype=np.intp)
    missing = np.zeros(len(items), dtype=bool)
    for i, value in enumerate(items.tolist()):
        if _is_missing(value):
            missing[i] = True
            codes[i] = 0
        else:
            codes[i] = index.setdefault((isinstance(value, bool), value), len(index))
    sorted_codes, levels = _reorder(codes, [value for _, value in index])
    if missing.any():
        sorted_codes[missing] = 0
    return _with_missing(sorted_codes, missing, levels)


def printed(label: object) -> str:
    """How a label shows in tables and reports: its text, in Unicode normal form NFC.

    Examples:
        >>> printed(1) == printed("1"), printed("cafe\u0301") == printed("caf\u00e9")
        (True, True)
    """
    return unicodedata.normalize("NFC", str(label))


def _describe_label(label: object) -> str:
    if isinstance(label, str) and not unicodedata.is_normalized("NFC", label):
        return f"{label!r} (Unicode form NFD, decomposed)"
    return f"{label!r} ({type(label).__name__})"


def check_labels(levels: Sequence[object], column: str, *, missing: bool = False) -> None:
    """Refuse key values that differ but would show as the same label.

    ``1`` and ``"1"``, ``True`` and ``"True"``, the same text in two Unicode forms (NFC
    and NFD), or the text ``"(missing)"`` next to missing values would become separate
    groups that print alike, so a reader could not tell them apart. Numbers never
    collide with each other (``1`` and ``1.0`` are one value), nor do distinct ASCII texts.

    Args:
        levels: The distinct values of the column (``"(missing)"`` last for missing
            values when ``missing`` is false and the column has any); values that are
            equal count once (``1`` and ``1.0`` are one level).
        column: The column name, for the message.
        missing: Whether the column also has missing values that are not in ``levels``.

    Raises:
        AmbiguousLabelError: Naming the column and two colliding values, with a hint.

    Examples:
        >>> check_labels(["a", "b", MISSING], "region")
        >>> try:
        ...     check_labels([1, "1"], "region")
        ... except AmbiguousLabelError as exc:
        ...     print(str(exc)[:61])
        key column 'region' has values that show as the same label: 1
    """
    values: Sequence[Any] = [*levels, MISSING] if missing else levels
    if len(values) < 2:  # noqa: PLR2004 - a pair is needed to collide
        return
    # Fast paths, C loops only: distinct numbers never print alike, and distinct ASCII
    # texts only when one is "(missing)" twice (the text and the missing values).
    kinds = set(map(type, values))
    if kinds <= {int, float}:
        return
    if kinds == {str} and all(map(str.isascii, values)) and values.count(MISSING) < 2:  # noqa: PLR2004
        return
    seen: dict[str, object] = {}
    for label in values:
        key = printed(label)
        if key not in seen:
            seen[key] = label
            continue
        first = seen[key]
        if key == MISSING:
            msg = (
                f"key column {column!r} has the text '(missing)' and missing values (None, "
                "NaN, null), which would both show as '(missing)'; rename that text, or "
                "fill the missing values"
            )
            raise AmbiguousLabelError(msg, column=column, labels=[MISSING, None])
        if isinstance(first, str) and isinstance(label, str):
            hint = (
                "the same text in two Unicode forms: normalise the column, e.g. "
                "unicodedata.normalize('NFC', text)"
            )
        else:
            hint = "give the column one type, e.g. all text (astype(str))"
        msg = (
            f"key column {column!r} has values that show as the same label: "
            f"{_describe_label(first)} and {_describe_label(label)}; {hint}"
        )
        raise AmbiguousLabelError(msg, column=column, labels=[first, label])


def factorise(values: NDArray[Any], name: str = "") -> Factor:
    """Factorise a numpy column into codes and levels (missing values as ``"(missing)"``).

    Integers within a range of ``DENSE_LIMIT`` values are their own codes (offset by the
    minimum; every value of the range is a level), wider ranges use a lookup table or a
    sort; booleans are ``False``/``True``; floats (NaN is missing), fixed-width strings
    and dates are numbered by value, keeping only the values that occur; Python objects
    use a dictionary. Levels are sorted when comparable, with ``"(missing)"`` last.

    Args:
        values: A one-dimensional numpy array.
        name: The column name, kept on the factor.

    Returns:
        The factor.

    Examples:
        >>> f = factorise(np.array([3.0, np.nan, 1.0, 3.0]))
        >>> f.codes.tolist(), f.levels
        ([1, 2, 0, 1], (1.0, 3.0, '(missing)'))
    """
    kind = values.dtype.kind
    if kind in "iub":
        codes, levels = _factor_integers(values)
        return Factor(codes, tuple(levels), name)
    if kind == "f":
        codes_f, levels_f = _factor_floats(values, as_int=False)
        return Factor(codes_f, levels_f, name).compact()
    if kind == "O":
        codes_o, levels_o = _factor_objects(values)
        return Factor(codes_o, levels_o, name)
    missing = np.isnat(values) if kind in "mM" else None
    uniq, inverse = np.unique(values, return_inverse=True)
    levels = [_plain(v) for v in uniq]
    if missing is not None and missing.any():
        levels = levels[: int((~np.isnat(uniq)).sum())]
        inverse = np.where(missing, 0, inverse.reshape(-1))
    codes_u, labels = _with_missing(inverse.reshape(-1), missing, levels)
    return Factor(codes_u, labels, name)


def _format_edge(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def check_edges(edges: Sequence[float], name: str = "edges") -> NDArray[np.float64]:
    """Validate band edges: at least two numbers, strictly increasing, none NaN."""
    try:
        arr = np.asarray(edges, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"{name} must be numbers, got {edges!r}"
        raise InvalidParameterError(msg, name=name, value=edges) from exc
    if arr.ndim != 1 or len(arr) < 2 or np.isnan(arr).any() or np.any(np.diff(arr) <= 0):  # noqa: PLR2004
        msg = (
            f"{name} must be at least two strictly increasing numbers, such as "
            f"[0, 100, 1000, inf]; got {list(edges)!r}"
        )
        raise InvalidParameterError(msg, name=name, value=edges)
    return arr


def band_labels(cuts: NDArray[np.float64]) -> list[str]:
    """Labels of the band codes of validated edges: below, each band, at/above, missing.

    Examples:
        >>> band_labels(np.array([0.0, 10.0, math.inf]))
        ['< 0', '[0, 10)', '[10, inf)', '>= inf', '(missing)']
    """
    bands = [f"[{_format_edge(a)}, {_format_edge(b)})" for a, b in itertools.pairwise(cuts)]
    return [f"< {_format_edge(cuts[0])}", *bands, f">= {_format_edge(cuts[-1])}", MISSING]


def band(
    values: NDArray[Any] | Sequence[float | None], edges: Sequence[float], name: str = ""
) -> Factor:
    """Cut numbers into half-open bands ``[a, b)`` at the given edges.

    Values below the first edge form a band ``"< a"``, values at or above the last a band
    ``">= b"`` (each only when such values occur), and missing values (``None``, NaN) the
    ``"(missing)"`` level: nothing is dropped.

    Args:
        values: Numbers, one per row.
        edges: At least two strictly increasing edges, e.g. ``[0, 100, 1000, inf]``.
        name: The column name, kept on the factor.

    Returns:
        The banded factor; its levels are the band labels in order.

    Raises:
        InvalidParameterError: When the edges are not strictly increasing numbers.
        ParameterTypeError: When the values are not numbers (a ``TypeError``).

    Examples:
        >>> f = band([5, 250.0, None, 12_000], [0, 100, 1000, math.inf])
        >>> [f.levels[c] for c in f.codes]
        ['[0, 100)', '[100, 1000)', '(missing)', '[1000, inf)']
    """
    cuts = check_edges(edges)
    try:
        arr = np.asarray(
            [np.nan if _is_missing(v) else v for v in values]
            if not isinstance(values, np.ndarray)
            else values,
            dtype=np.float64,
        )
    except (TypeError, ValueError) as exc:
        msg = f"cannot band column {name!r}: its values are not numbers ({exc})"
        raise ParameterTypeError(msg, name=name, value=None) from exc
    all_labels = band_labels(cuts)
    # searchsorted(side="right") - 1 puts x in the band [edge_i, edge_{i+1}); -1 is below.
    # Codes: 0 below, 1..k bands, k+1 at/above the last edge, k+2 missing.
    k = len(all_labels) - 3
    raw = np.empty(len(arr), dtype=code_dtype(k + 3))
    for start in range(0, len(arr), CHUNK):
        part = arr[start : start + CHUNK]
        idx = np.searchsorted(cuts, part, side="right")
        idx[np.isnan(part)] = k + 2
        raw[start : start + CHUNK] = idx
    used = np.zeros(k + 3, dtype=bool)
    used[1 : k + 1] = True
    for extra in (0, k + 1, k + 2):
        used[extra] = bool((raw == extra).any())
    lut = (np.cumsum(used) - 1).astype(raw.dtype)
    codes = np.empty_like(raw)
    for start in range(0, len(raw), CHUNK):
        codes[start : start + CHUNK] = lut[raw[start : start + CHUNK]]
    levels = tuple(label for label, keep in zip(all_labels, used, strict=True) if keep)
    return Factor(codes.astype(code_dtype(len(levels)), copy=False), levels, name)


def combine(factors: Sequence[Factor]) -> Grouping:
    """Combine several factors into one group code per row (mixed radix).

    The group of a row is ``((c1 * s2 + c2) * s3 + c3) ...`` with ``s_i`` the number of
    levels of factor ``i``. When there are at most ``DENSE_LIMIT`` combinations (or one
    factor), every combination is a group (empty ones included) and nothing is computed
    here: the tally engine combines the codes chunk by chunk. Beyond that, the
    combinations that occur are found chunk by chunk and numbered compactly, so no
    8-byte-per-row array is ever held over the whole input.

    Args:
        factors: One or more factors of equal length.

    Returns:
        The grouping.

    Raises:
        InvalidParameterError: When no factor is given.

    Examples:
        >>> a = Factor(np.array([0, 1, 1], dtype=np.uint8), ("x", "y"))
        >>> b = Factor(np.array([2, 0, 2], dtype=np.uint8), ("p", "q", "r"))
        >>> g = combine([a, b])
        >>> g.group_codes().tolist(), g.n_groups, g.labels(5)
        ([2, 3, 5], 6, ('y', 'r'))
    """
    if not factors:
        msg = "give at least one key to group by"
        raise InvalidParameterError(msg, name="by", value=[])
    sizes = tuple(max(len(f.levels), 1) for f in factors)
    parts = tuple(f.codes for f in factors)
    total = math.prod(sizes)
    if total <= DENSE_LIMIT or len(factors) == 1:
        keys = np.stack(np.unravel_index(np.arange(total), sizes), axis=1).astype(np.intp)
        return Grouping(parts, sizes, keys, tuple(factors))
    n_rows = len(parts[0])
    if total <= _BITMAP_LIMIT:
        # Mark the combinations that occur in a bitmap, then number them through a table.
        used = np.zeros(total, dtype=bool)
        for start in range(0, n_rows, CHUNK):
            used[_chunk_codes(parts, sizes, start)] = True
        seen = np.flatnonzero(used)
        lut = np.cumsum(used, dtype=np.int32) - 1
        del used
        codes = np.empty(n_rows, dtype=code_dtype(len(seen)))
        for start in range(0, n_rows, CHUNK):
            codes[start : start + CHUNK] = lut[_chunk_codes(parts, sizes, start)]
    else:
        # Too many combinations for a bitmap: merge the sorted distinct codes of chunks.
        seen = np.zeros(0, dtype=np.int64)
        for start in range(0, n_rows, CHUNK):
            seen = _sorted_distinct(np.concatenate([seen, _chunk_codes(parts, sizes, start)]))
        codes = np.empty(n_rows, dtype=code_dtype(len(seen)))
        for start in range(0, n_rows, CHUNK):
            codes[start : start + CHUNK] = np.searchsorted(seen, _chunk_codes(parts, sizes, start))
    keys = np.stack(np.unravel_index(seen, sizes), axis=1).astype(np.intp)
    return Grouping((codes,), (len(seen),), keys, tuple(factors))


def _sorted_distinct(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """The distinct values, sorted (a sort and a comparison; no hashing)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _describe_available(names: Sequence[str]) -> str:
    shown = ", ".join(map(repr, names[:20]))
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""  # noqa: PLR2004
    return shown + more if names else "none"


@dataclass(frozen=True)
class Table:
    """The columns of the input that a computation asked for, with their row count.

    Build it with [`read_table`][netpromoter._columns.read_table].

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
        from netpromoter.core import Response  # noqa: PLC0415 - core imports the engine

        self._rows = responses
        fields = [f for f in Response.model_fields if f != "segments"]
        extra: dict[str, None] = {}
        for position, r in enumerate(responses):
            if not isinstance(r, Response):
                msg = (
                    "data must be a list of Response objects (or a mapping of columns, or a "
                    f"dataframe), but item {position} is {shown(r)} ({type(r).__name__})"
                )
                raise ParameterTypeError(msg, name="data", value=r)
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
    frame = nw.from_native(data, pass_through=True)
    if isinstance(frame, nw.LazyFrame):
        return "lazy"
    if isinstance(frame, nw.DataFrame):
        return "eager"
    return None


def read_table(data: object, columns: Sequence[str]) -> Table:
    """Read the named columns of ``data`` (responses, a mapping or a dataframe).

    Only the named columns are converted (a lazy polars frame collects just those).

    Args:
        data: A sequence of ``Response``, a mapping of column name to array/list, or a
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
    if isinstance(data, Mapping):
        available = tuple(str(k) for k in data)
        source: Mapping[str, Any] = data
    elif isinstance(data, Sequence) and not isinstance(data, str | bytes) and not data:
        # No responses: every column asked for is empty (scoring then reports no data).
        return Table({name: np.zeros(0, dtype=np.int8) for name in needed}, 0, tuple(needed))
    elif isinstance(data, Sequence) and not isinstance(data, str | bytes):
        responses = _ResponseColumns(data)
        source, available = responses, responses.names
    elif _is_series(data):
        msg = f"data must be a whole table (a dataframe), got a {type(data).__name__}"
        raise TypeError(msg)
    else:
        msg = (
            "data must be a list of Response, a mapping of column name to values, or a "
            f"pandas/polars/pyarrow dataframe; got {shown(data)} ({type(data).__name__})"
        )
        raise ParameterTypeError(msg, name="data", value=data)
    for name in needed:
        if name not in source:
            raise ColumnNotFoundError(name, available)
    arrays = {name: _as_array(name, source[name]) for name in needed}
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ColumnLengthError(lengths)
    n_rows = next(iter(lengths.values())) if lengths else len(data)
    return Table(arrays, n_rows, available)


def _read_frame(data: object, needed: list[str]) -> Table:
    numbers = _read_numbers(data, needed)
    if numbers is not None:
        return numbers
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    frame = nw.from_native(data, pass_through=True)
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
    return isinstance(nw.from_native(data, series_only=True, pass_through=True), nw.Series)


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


def _read_numbers(data: object, needed: list[str]) -> Table | None:
    """The needed columns of an eager pandas, polars or pyarrow frame, when all are numbers.

    The fast path of [`read_table`][netpromoter._columns.read_table]: when every needed
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
