"""Key columns as factors: integer codes and their labels, bands, and several keys combined."""

from __future__ import annotations

import itertools
import math
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter._labels import MISSING
from netpromoter._tally import CHUNK
from netpromoter.exceptions import (
    AmbiguousLabelError,
    InvalidParameterError,
    ParameterTypeError,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray


#: Largest integer range factorised with a lookup table instead of a sort.
_RANGE_LIMIT = 1 << 20


#: Largest number of key combinations coded densely; beyond it, codes are compacted.
DENSE_LIMIT = 1 << 16


#: Largest number of key combinations compacted with a bitmap (and an int32 table).
_BITMAP_LIMIT = 1 << 24


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
