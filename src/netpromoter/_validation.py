"""Input checks shared by every entry point: scores, weights and options.

Everything here turns user input into validated numpy columns, or raises a typed error
that names the offending values and their positions. Nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NoReturn

import numpy as np

from netpromoter.exceptions import (
    InvalidParameterError,
    InvalidScoreError,
    InvalidTallyError,
    InvalidWeightsError,
    MixedWeightsWarning,
    ParameterTypeError,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

MIN_SCORE = 0
MAX_SCORE = 10
SCORE_RANGE = "an integer from 0 to 10"
MissingPolicy = Literal["raise", "drop"]
_SHOWN = 5


def describe_positions(positions: NDArray[np.intp], values: Sequence[object] = ()) -> str:
    """Say where offending values sit, listing at most a few of them (with their values)."""
    shown = ", ".join(
        f"position {int(p)}" + (f" ({values[i]!r})" if i < len(values) else "")
        for i, p in enumerate(positions[:_SHOWN])
    )
    rest = len(positions) - _SHOWN
    return shown + (f" and {rest} more" if rest > 0 else "")


def _python_value(value: object) -> object:
    """Unwrap numpy scalars so messages show plain values."""
    return value.item() if isinstance(value, np.generic) else value


def validate_score_value(value: object) -> int:
    """Return ``value`` as an int if it is a score on the 0..10 scale, else raise.

    Integers, numpy integer scalars and integral floats (``9.0``) are accepted; booleans,
    text, ``None``, NaN, fractions and values outside 0..10 are not.
    """
    shown = _python_value(value)
    if isinstance(value, bool | np.bool_):
        msg = f"invalid NPS score {shown!r}: a boolean is not a score; expected {SCORE_RANGE}"
        raise InvalidScoreError(msg, value=shown)
    if isinstance(value, int | np.integer):
        number = int(value)
    elif isinstance(value, float | np.floating):
        as_float = float(value)
        if math.isnan(as_float):
            msg = f"missing NPS score (NaN): expected {SCORE_RANGE}"
            raise InvalidScoreError(msg, value=shown)
        if not as_float.is_integer():
            msg = f"invalid NPS score {shown!r}: not a whole number; expected {SCORE_RANGE}"
            raise InvalidScoreError(msg, value=shown)
        number = int(as_float)
    else:
        hint = " (convert text to numbers first)" if isinstance(value, str | bytes) else ""
        msg = f"invalid NPS score {shown!r}: expected {SCORE_RANGE}{hint}"
        raise InvalidScoreError(msg, value=shown)
    if not MIN_SCORE <= number <= MAX_SCORE:
        msg = f"invalid NPS score {shown!r}: out of range; expected {SCORE_RANGE}"
        raise InvalidScoreError(msg, value=shown)
    return number


#: Characters ignored around a score written as text: ASCII spaces, tabs and line breaks.
SCORE_PADDING = " \t\r\n\x0b\x0c"
#: A score written as text: ASCII digits, optionally with a decimal point and zeros only
#: (``"9"``, ``"09"``, ``"9.0"``). ``re`` with a ``str`` pattern: ``[0-9]`` is ASCII only.
_SCORE_TEXT = re.compile(r"[0-9]+(?:\.0+)?")
#: Text that is no score, tried in order, with the reason why (the text is not repeated).
_NOT_SCORES = (
    (re.compile(r"-(?:0*[1-9][0-9]*(?:\.[0-9]+)?|0*\.[0-9]*[1-9][0-9]*)"), "out of range"),
    (re.compile(r"[0-9]+\.[0-9]+"), "not a whole number"),
    (re.compile(r"[+-]?[0-9]+,[0-9]+"), "not a number (a decimal comma is not a score)"),
    (re.compile(r"[+-][0-9]+(?:\.0+)?"), "has a sign: write the score as plain digits"),
)


def parse_score_text(text: str) -> int | str:
    """The score written in a file cell, or the reason it is not one (without the text).

    The one rule for scores written as text, shared by every file reader and engine:
    ASCII digits ``0``-``9``, optionally followed by a decimal point and zeros only
    (``"9"``, ``"09"``, ``"9.0"``), with ASCII spaces, tabs or line breaks around them
    ignored, whose value is 0 to 10. Nothing else is a score: no sign (``"+9"``), no digit
    group separator (``"1_0"``), no exponent (``"9e0"``), no hexadecimal (``"0x9"``), no
    digits of other scripts (``"٩"``), no words (``"ten"``), no decimal comma (``"7,5"``).

    The reason never repeats the text, so it can go into reports that are shared.

    Examples:
        >>> [parse_score_text(t) for t in ["9", " 10 ", "9.0"]]
        [9, 10, 9]
        >>> parse_score_text("1_0")
        'not a number written in the digits 0-9; expected an integer from 0 to 10'
    """
    stripped = text.strip(SCORE_PADDING)
    if not stripped:
        return f"missing NPS score (empty): expected {SCORE_RANGE}"
    if _SCORE_TEXT.fullmatch(stripped):
        digits = stripped.partition(".")[0].lstrip("0") or "0"
        # At most two digits can be a score: longer ones are out of range without int(),
        # whose digit limit a hostile cell could otherwise reach.
        if len(digits) <= 2 and int(digits) <= MAX_SCORE:  # noqa: PLR2004 - "10" has two digits
            return int(digits)
        return f"out of range; expected {SCORE_RANGE}"
    why = next((why for form, why in _NOT_SCORES if form.fullmatch(stripped)), None)
    if why is None:
        has_digits = any(char.isdigit() for char in stripped)  # "1_0", "٩", "0x9", "9e0"
        why = "not a number written in the digits 0-9" if has_digits else "not a number"
    return f"{why}; expected {SCORE_RANGE}"


def score_from_text(text: str) -> int:
    """Return the score written in ``text`` (a file cell), or raise saying why it is not one.

    The rule is [`parse_score_text`][netpromoter._validation.parse_score_text]'s.

    Raises:
        InvalidScoreError: Naming the text and what was expected.
    """
    parsed = parse_score_text(text)
    if isinstance(parsed, int):
        return parsed
    msg = f"invalid NPS score {text!r}: {parsed}"
    raise InvalidScoreError(msg, value=text)


@dataclass(frozen=True)
class ScoreColumn:
    """Validated scores, with which input rows they came from.

    Attributes:
        scores: Integer array of scores, every value in 0..10, of the input's own integer
            dtype where it had one (int8 stays int8).
        kept: Boolean mask over the input rows that were kept, or ``None`` when all were.
        n_missing: Number of missing rows that were dropped.
    """

    scores: NDArray[np.integer]
    kept: NDArray[np.bool_] | None
    n_missing: int


def describe_values(values: Sequence[object], n_total: int) -> str:
    """List at most a few offending values (for data whose rows have no positions)."""
    shown = ", ".join(repr(_python_value(v)) for v in values[:_SHOWN])
    rest = n_total - min(len(values), _SHOWN)
    return shown + (f" and {rest} more" if rest > 0 else "")


def invalid_scores_message(n_bad: int, total: int, where: str) -> str:
    """The message for ``n_bad`` invalid scores out of ``total``, found at ``where``."""
    verb = "is" if n_bad == 1 else "are"
    return (
        f"{n_bad} of {total} values {verb} not a valid NPS score (expected {SCORE_RANGE}): {where}"
    )


def missing_scores_message(n_missing: int, total: int, where: str) -> str:
    """The message for ``n_missing`` missing scores out of ``total``; ``where`` says where."""
    verb = "is" if n_missing == 1 else "are"
    return (
        f"{n_missing} of {total} scores {verb} missing (NaN or None) {where}; pass "
        "missing='drop' to drop them and count them in n_missing"
    )


def invalid_weights_message(n_bad: int, where: str) -> str:
    """The message for ``n_bad`` weights that are not finite, non-negative numbers."""
    return f"{n_bad} weights are not finite, non-negative numbers: {where}"


def _raise_invalid(bad: NDArray[np.intp], values: Sequence[object], total: int) -> None:
    first = _python_value(values[0]) if len(values) else None
    where = describe_positions(bad, [_python_value(v) for v in values[:_SHOWN]])
    msg = invalid_scores_message(len(bad), total, where)
    raise InvalidScoreError(msg, value=first, positions=bad.tolist())


def _handle_missing(
    missing_mask: NDArray[np.bool_], policy: MissingPolicy
) -> NDArray[np.bool_] | None:
    """Return the kept-rows mask, or raise when missing values are not allowed."""
    positions = np.flatnonzero(missing_mask)
    if len(positions) == 0:
        return None
    if policy == "raise":
        where = f"at {describe_positions(positions)}"
        msg = missing_scores_message(len(positions), len(missing_mask), where)
        raise InvalidScoreError(msg, value=None, positions=positions.tolist())
    return ~missing_mask


def _out_of_range(arr: NDArray[np.integer]) -> bool:
    """Whether any integer is outside 0..10, in one pass for one-byte dtypes.

    Read as unsigned bytes, negative int8 values are 128 or more, so a single ``max``
    checks both bounds.
    """
    if arr.dtype.itemsize == 1:
        return bool(arr.view(np.uint8).max() > MAX_SCORE)
    return bool(arr.min() < MIN_SCORE or arr.max() > MAX_SCORE)


def _validate_integer_array(arr: NDArray[np.integer]) -> ScoreColumn:
    if arr.size and _out_of_range(arr):
        bad = np.flatnonzero((arr < MIN_SCORE) | (arr > MAX_SCORE))
        _raise_invalid(bad, arr[bad[:_SHOWN]].tolist(), len(arr))
    return ScoreColumn(arr, None, 0)


def _validate_float_array(arr: NDArray[np.floating], policy: MissingPolicy) -> ScoreColumn:
    missing_mask = np.isnan(arr)
    valid = (arr >= MIN_SCORE) & (arr <= MAX_SCORE) & (np.floor(arr) == arr)
    bad = np.flatnonzero(~valid & ~missing_mask)
    if len(bad):
        _raise_invalid(bad, arr[bad[:_SHOWN]].tolist(), len(arr))
    kept = _handle_missing(missing_mask, policy)
    values = arr if kept is None else arr[kept]
    return ScoreColumn(values.astype(np.int8), kept, len(arr) - len(values))


def _validate_objects(items: Sequence[object], policy: MissingPolicy) -> ScoreColumn:
    out = np.empty(len(items), dtype=np.int8)
    missing_mask = np.zeros(len(items), dtype=bool)
    bad: list[int] = []
    for i, item in enumerate(items):
        if item is None or (isinstance(item, float | np.floating) and math.isnan(item)):
            missing_mask[i] = True
            continue
        try:
            out[i] = validate_score_value(item)
        except InvalidScoreError:
            bad.append(i)
    if bad:
        bad_arr = np.asarray(bad, dtype=np.intp)
        _raise_invalid(bad_arr, [items[i] for i in bad[:_SHOWN]], len(items))
    kept = _handle_missing(missing_mask, policy)
    values = out if kept is None else out[kept]
    return ScoreColumn(values, kept, len(items) - len(values))


def validate_scores(values: Iterable[object], *, missing: MissingPolicy = "raise") -> ScoreColumn:
    """Validate a one-dimensional collection of scores.

    Args:
        values: A numpy array of any integer or float dtype, or any iterable of scores.
        missing: ``"raise"`` (default) to reject NaN/``None``, ``"drop"`` to drop and
            count them.

    Returns:
        The validated scores and which rows were kept.

    Raises:
        InvalidScoreError: Naming how many values are invalid or missing, and where.
    """
    check_choice(missing, "missing", ("raise", "drop"))
    arr = values if isinstance(values, np.ndarray) else None
    if arr is None:
        items = values if isinstance(values, Sequence) else list(values)
        if any(isinstance(v, bool | np.bool_) for v in items):
            return _validate_objects(items, missing)
        try:
            arr = np.asarray(items) if len(items) else np.empty(0, dtype=np.int8)
        except (ValueError, TypeError, OverflowError):  # ragged or odd items: one by one
            return _validate_objects(items, missing)
        if arr.dtype.kind not in "iuf" or arr.ndim != 1:
            return _validate_objects(items, missing)
    if arr.ndim != 1:
        msg = f"scores must be one-dimensional, got an array of shape {arr.shape}"
        raise InvalidScoreError(msg, value=None)
    kind = arr.dtype.kind
    if kind in "iu":
        return _validate_integer_array(arr)
    if kind == "f":
        return _validate_float_array(arr, missing)
    if kind == "O":
        return _validate_objects(arr.tolist(), missing)
    positions = np.arange(len(arr), dtype=np.intp)
    _raise_invalid(positions, arr[:_SHOWN].tolist(), len(arr))
    raise AssertionError  # pragma: no cover - _raise_invalid always raises


def validate_nullable_scores(
    values: NDArray[np.integer], nulls: NDArray[np.bool_], *, missing: MissingPolicy = "raise"
) -> ScoreColumn:
    """Validate an integer score column whose missing values are marked by a null mask.

    This is how a nullable integer column of a dataframe is read (pandas ``Int8``,
    pyarrow-backed or polars integers with nulls): its values and its null mask, rather
    than floats with NaN at the nulls. The result, the errors and their positions are
    those of [`validate_scores`][netpromoter._validation.validate_scores] on the same
    column with NaN at the nulls, except that kept scores keep the integer dtype.

    Args:
        values: The integer values; whatever sits under the mask is ignored.
        nulls: True where the score is missing, one per value.
        missing: ``"raise"`` (default) to reject nulls, ``"drop"`` to drop and count them.

    Returns:
        The validated scores and which rows were kept.

    Raises:
        InvalidScoreError: Naming how many values are invalid or missing, and where.

    Examples:
        >>> values, nulls = np.array([10, 0, 3], dtype=np.int8), np.array([False, True, False])
        >>> column = validate_nullable_scores(values, nulls, missing="drop")
        >>> column.scores.tolist(), column.n_missing
        ([10, 3], 1)
    """
    check_choice(missing, "missing", ("raise", "drop"))
    if values.size and _out_of_range(values):  # also true when a null hides such a value
        bad = np.flatnonzero(((values < MIN_SCORE) | (values > MAX_SCORE)) & ~nulls)
        if len(bad):
            _raise_invalid(bad, values[bad[:_SHOWN]].tolist(), len(values))
    kept = _handle_missing(nulls, missing)
    scores = values if kept is None else values[kept]
    return ScoreColumn(scores, kept, len(values) - len(scores))


def validate_weights(
    weights: object, n_rows: int, *, check_values: bool = True
) -> NDArray[np.float64]:
    """Check weights are one finite, non-negative number per input row.

    Args:
        weights: Array-like of weights, aligned with the input rows (before any missing
            scores are dropped).
        n_rows: Number of input rows.
        check_values: ``False`` checks only the type, shape and length, for a caller that
            checks the values on its way through them (``tally(check_weights=True)``)
            and calls this again with ``True`` to report what is wrong.

    Returns:
        The weights as a float64 array.

    Raises:
        InvalidWeightsError: When the length differs, or a weight is NaN, infinite,
            negative or not a number.
    """
    arr, original = _float_weights(weights)
    if arr.ndim != 1:
        msg = f"weights must be one-dimensional, got an array of shape {arr.shape}"
        raise InvalidWeightsError(msg)
    if len(arr) != n_rows:
        msg = f"got {len(arr)} weights for {n_rows} scores; give exactly one weight per score"
        raise InvalidWeightsError(msg)
    if not check_values:
        return arr
    # Fast path: two SIMD reductions; NaN fails ``>= 0`` and an infinity makes the sum
    # infinite. Only when they fail are the offending positions looked up.
    with np.errstate(over="ignore", invalid="ignore"):
        fine = arr.size == 0 or (arr.min() >= 0 and np.isfinite(arr.sum()))
    if not fine:
        raise_invalid_weights(arr, original)
    return arr


def _float_weights(weights: object) -> tuple[NDArray[np.float64], list[object] | None]:
    """Weights as float64, and the values as given when they were Python objects.

    Numbers (``None`` becomes NaN, reported as missing later) are accepted; text, complex
    numbers and other objects are not: ``"1_0"`` is not the weight 10.

    Raises:
        InvalidWeightsError: Naming what is not a number, and where.
    """
    try:
        raw = weights if isinstance(weights, np.ndarray) else np.asarray(weights)
    except (TypeError, ValueError, OverflowError) as exc:
        msg = f"weights must be numbers, got {shown(weights)} ({type(weights).__name__}): {exc}"
        raise InvalidWeightsError(msg) from exc
    if raw.dtype.kind in "iufb":
        return raw.astype(np.float64, copy=False), None
    if raw.dtype.kind != "O" or raw.ndim != 1:
        msg = f"weights must be numbers, got {shown(weights)} (values of type {raw.dtype})"
        raise InvalidWeightsError(msg)
    items = raw.tolist()
    out = np.empty(len(items), dtype=np.float64)
    bad: list[int] = []
    for i, item in enumerate(items):
        if item is None:
            out[i] = np.nan
        elif isinstance(item, int | float | np.number) and not isinstance(item, bool | complex):
            try:
                out[i] = float(item)
            except OverflowError:
                out[i] = np.inf
        else:
            bad.append(i)
    if bad:
        positions = np.asarray(bad, dtype=np.intp)
        where = describe_positions(positions, [items[i] for i in bad[:_SHOWN]])
        msg = f"{len(bad)} weights are not numbers: {where}"
        raise InvalidWeightsError(msg, positions=bad)
    return out, items


def raise_invalid_weights(
    arr: NDArray[np.float64], original: Sequence[object] | None = None
) -> NoReturn:
    """Raise the ``InvalidWeightsError`` of weights known to be invalid (positions named).

    Args:
        arr: The weights as floats.
        original: The weights as given, when they were Python objects (so that a
            ``None`` is shown as ``None``, not NaN).

    Raises:
        InvalidWeightsError: Always: naming NaN, infinite or negative weights and where,
            or else saying that their sum overflows.
    """
    bad = np.flatnonzero(~(np.isfinite(arr) & (arr >= 0)))
    if len(bad):
        shown_values = (
            arr[bad[:_SHOWN]].tolist()
            if original is None
            else [original[int(i)] for i in bad[:_SHOWN]]
        )
        msg = invalid_weights_message(len(bad), describe_positions(bad, shown_values))
        raise InvalidWeightsError(msg, positions=bad.tolist())
    msg = "the weights are finite but their sum overflows; rescale them (e.g. divide by the mean)"
    raise InvalidWeightsError(msg)


def shown(value: object, limit: int = 60) -> str:
    """A value as a message shows it: its ``repr``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of the ``choices`` (text), else raise naming them.

    Raises:
        InvalidParameterError: Naming the parameter, the value and the choices.

    Examples:
        >>> check_choice("bh", "correction", ("holm", "bh", "none"))
        'bh'
    """
    if isinstance(value, str) and value in choices:
        return value
    listed = ", ".join(map(repr, choices))
    msg = f"unknown {name} {shown(value)}; {name} must be one of {listed}"
    raise InvalidParameterError(msg, name=name, value=value)


def check_int(value: object, name: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """Return ``value`` if it is a whole number (not a bool) within ``[minimum, maximum]``.

    Raises:
        ParameterTypeError: When it is not an integer.
        InvalidParameterError: When it is outside the range.

    Examples:
        >>> check_int(30, "min_n")
        30
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        msg = f"{name} must be a whole number, got {shown(value)} ({type(value).__name__})"
        raise ParameterTypeError(msg, name=name, value=value)
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        upper = f" and at most {maximum:,}" if maximum is not None else ""
        msg = f"{name} must be at least {minimum:,}{upper}, got {shown(value)}"
        raise InvalidParameterError(msg, name=name, value=value)
    return number


def check_number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
) -> float:
    """Return ``value`` as a float if it is a finite number (not a bool) within bounds.

    Args:
        value: The value received.
        name: The parameter, for the message.
        minimum: The smallest value allowed (``None``: no bound).
        maximum: The largest value allowed (``None``: no bound).
        strict: Exclude the bounds themselves.

    Raises:
        ParameterTypeError: When it is not a number.
        InvalidParameterError: When it is NaN, infinite or out of bounds.

    Examples:
        >>> check_number(2, "upper", minimum=0, strict=True)
        2.0
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"{name} must be a number, got {shown(value)} ({type(value).__name__})"
        raise ParameterTypeError(msg, name=name, value=value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf if value > 0 else -math.inf
    below = minimum is not None and (number <= minimum if strict else number < minimum)
    above = maximum is not None and (number >= maximum if strict else number > maximum)
    if not math.isfinite(number) or below or above:
        low = "" if minimum is None else f"{'above' if strict else 'at least'} {minimum:g}"
        high = "" if maximum is None else f"{'below' if strict else 'at most'} {maximum:g}"
        bounds = " and ".join(b for b in (low, high) if b)
        msg = f"{name} must be a finite number{' ' + bounds if bounds else ''}, got {shown(value)}"
        raise InvalidParameterError(msg, name=name, value=value)
    return number


def check_flag(value: object, name: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (numpy booleans too), else raise.

    Raises:
        ParameterTypeError: Naming the parameter and the value.
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    msg = f"{name} must be True or False, got {shown(value)} ({type(value).__name__})"
    raise ParameterTypeError(msg, name=name, value=value)


def check_type(value: object, name: str, types: type | tuple[type, ...], what: str) -> None:
    """Raise unless ``value`` is an instance of ``types`` (``what`` describes them).

    Raises:
        ParameterTypeError: Naming the parameter, what was expected and what came.
    """
    if not isinstance(value, types):
        msg = f"{name} must be {what}, got {shown(value)} ({type(value).__name__})"
        raise ParameterTypeError(msg, name=name, value=value)


def check_names(value: object, name: str = "by", *, allow_empty: bool = False) -> tuple[str, ...]:
    """Column names from one name or a sequence of names: text, distinct, at least one.

    Raises:
        ParameterTypeError: When it is neither text nor a sequence of text.
        InvalidParameterError: When it is empty (unless allowed) or names a column twice.

    Examples:
        >>> check_names("region"), check_names(["region", "tier"])
        (('region',), ('region', 'tier'))
    """
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Sequence | np.ndarray) or not all(
        isinstance(item, str) for item in value
    ):
        msg = (
            f"{name} must be a column name or a list of column names (text), got "
            f"{shown(value)} ({type(value).__name__})"
        )
        raise ParameterTypeError(msg, name=name, value=value)
    names = tuple(str(item) for item in value)
    if not names and not allow_empty:
        msg = (
            f"{name} must be a column name or a list of column names, and name at least "
            f"one column (e.g. {name}='region' or {name}=['region', 'tier']); got none"
        )
        raise InvalidParameterError(msg, name=name, value=value)
    if len(set(names)) != len(names):
        msg = f"{name} must be distinct, but names a column twice: {list(names)!r}"
        raise InvalidParameterError(msg, name=name, value=value)
    return names


def check_confidence_level(value: float) -> float:
    """Return ``value`` if it is a confidence level strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        msg = f"confidence_level must be a number between 0 and 1, got {value!r}"
        raise InvalidParameterError(msg, name="confidence_level", value=value)
    level = float(value)
    if not 0.0 < level < 1.0:
        msg = f"confidence_level must be strictly between 0 and 1 (e.g. 0.95), got {value!r}"
        raise InvalidParameterError(msg, name="confidence_level", value=value)
    return level


def check_population_size(value: object, n: int) -> int | None:
    """Return ``value`` if it is ``None`` or a whole number of people at least ``n``.

    Raises:
        InvalidParameterError: For a non-integer, a size below 1, or one smaller than the
            ``n`` responses counted (a sample cannot be larger than its population).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float | np.floating):
        msg = f"population_size must be a whole number of people, got {value!r}"
        raise InvalidParameterError(msg, name="population_size", value=value)
    if not float(value).is_integer() or value < 1:
        msg = f"population_size must be a whole number of at least 1, got {value!r}"
        raise InvalidParameterError(msg, name="population_size", value=value)
    size = int(value)
    if size < n:
        msg = (
            f"population_size {size:,} is smaller than the sample (n = {n:,}); the population "
            "must include everyone who answered"
        )
        raise InvalidParameterError(msg, name="population_size", value=value)
    return size


def validate_ratings(values: object, name: str) -> NDArray[np.float64]:
    """Check a column of ratings on any numeric scale; missing answers become NaN.

    Integers and floats are accepted, ``None`` and NaN mean "not answered"; booleans,
    text and infinite values are rejected with their positions.

    Args:
        values: A numpy array or a sequence, one rating per row.
        name: The column name, for messages.

    Returns:
        The ratings as float64, NaN where missing.

    Raises:
        InvalidParameterError: Naming the column and the positions of values that are not
            finite numbers.

    Examples:
        >>> validate_ratings([4, None, 2.5], "support").tolist()
        [4.0, nan, 2.5]
    """
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if arr.ndim != 1:
        msg = f"ratings {name!r} must be one-dimensional, got an array of shape {arr.shape}"
        raise InvalidParameterError(msg, name=name, value=None)
    if arr.dtype.kind in "iuf":
        out = arr.astype(np.float64)
        bad = np.flatnonzero(np.isinf(out))
        shown: list[object] = out[bad[:_SHOWN]].tolist()
    else:
        items = arr.tolist()
        out = np.empty(len(items), dtype=np.float64)
        bad_list: list[int] = []
        for i, item in enumerate(items):
            if item is None or type(item).__name__ == "NAType":
                out[i] = np.nan
            elif isinstance(item, int | float | np.integer | np.floating) and not isinstance(
                item, bool | np.bool_
            ):
                out[i] = float(item)
                if math.isinf(out[i]):
                    bad_list.append(i)
            else:
                bad_list.append(i)
        bad = np.asarray(bad_list, dtype=np.intp)
        shown = [_python_value(items[i]) for i in bad_list[:_SHOWN]]
    if len(bad):
        msg = (
            f"ratings {name!r}: {len(bad)} of {len(arr)} values are not finite numbers "
            f"(missing answers may be None or NaN): {describe_positions(bad, shown)}"
        )
        raise InvalidParameterError(msg, name=name, value=shown[0])
    return out


#: Relative slack of the checks of stored weight sums: the rounding of sums of up to
#: 10**9 weights is far below it, a sum of squares that claims more precision than
#: the weights can give is far above it.
TALLY_RTOL = 1e-6
#: Absolute slack (in the tally's units), for squares of tiny weights that underflow.
_TALLY_ATOL = 1e-300


def check_tally_sums(
    count: NDArray[np.integer],
    sum_w: NDArray[np.floating],
    sum_w2: NDArray[np.floating],
    *,
    where: Sequence[str] = (),
) -> None:
    """Check that stored per-score weight sums can come from non-negative weights.

    For ``c`` responses with weights ``w_i >= 0`` in one bin, ``Σw = Σw² = 0`` when
    ``c = 0``, and otherwise ``Σw² <= (Σw)² <= c · Σw²`` (the square of a sum of
    non-negative numbers is at least the sum of their squares; Cauchy–Schwarz bounds it
    from above). A tally breaking either bound (beyond rounding, ``TALLY_RTOL``) would
    give false precision: a too small ``Σw²`` makes the effective sample size larger than
    the number of responses. The bounds hold whatever power of two the sums are stored
    at.

    Args:
        count: ``(G, 11)`` counts.
        sum_w: ``(G, 11)`` sums of weights.
        sum_w2: ``(G, 11)`` sums of squared weights.
        where: One description per group (e.g. its segment label), for the message.

    Raises:
        InvalidTallyError: Naming the first bin that breaks a bound, with its values.

    Examples:
        >>> c = np.zeros((1, 11), dtype=np.int64); c[0, 10] = 2
        >>> w, w2 = c * 2.0, c * 1e-9
        >>> try:
        ...     check_tally_sums(c, w, w2)
        ... except InvalidTallyError as exc:
        ...     print(str(exc)[:63])
        score 10: 2 responses with sum_weights 4.0 cannot have sum_squa
    """
    n = np.asarray(count, dtype=np.float64)
    w = np.asarray(sum_w, dtype=np.float64)
    w2 = np.asarray(sum_w2, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        square = w * w
        empty = (n == 0) & ((w != 0) | (w2 != 0))
        too_big = w2 > square * (1 + TALLY_RTOL) + _TALLY_ATOL
        too_small = square > n * w2 * (1 + TALLY_RTOL) + n * _TALLY_ATOL
    bad = np.argwhere(empty | too_big | too_small)
    if not len(bad):
        return
    group, score = (int(i) for i in bad[0])
    c, total, squares = int(n[group, score]), float(w[group, score]), float(w2[group, score])
    prefix = f"{where[group]}, " if group < len(where) else ""
    if empty[group, score]:
        msg = (
            f"{prefix}score {score}: no responses, but sum_weights {total!r} and "
            f"sum_squared_weights {squares!r}; both must be 0 where the count is 0"
        )
    else:
        msg = (
            f"{prefix}score {score}: {c} responses with sum_weights {total!r} cannot have "
            f"sum_squared_weights {squares!r}; non-negative weights give between "
            f"(sum_weights)² / count = {total * total / c!r} and (sum_weights)² = "
            f"{total * total!r}"
        )
    raise InvalidTallyError(msg, field="sum_squared_weights", score=score)


def warn_mixed_weights(weighted_a: bool, n_a: int, weighted_b: bool, n_b: int) -> None:  # noqa: FBT001
    """Warn when a weighted tally is merged with an unweighted one that has responses.

    The unweighted responses count as weights of 1 (the documented rule of ``+`` on
    tallies); an empty unweighted tally (the identity ``NPSCounts()``) merges silently.

    Warns:
        MixedWeightsWarning: Saying how many responses count as weights of 1.
    """
    unweighted = (
        n_b if weighted_a and not weighted_b else n_a if weighted_b and not weighted_a else 0
    )
    if unweighted:
        msg = (
            f"merging a weighted tally with an unweighted one: its {unweighted:,} responses "
            "count as weights of 1; if the weights are not relative to 1 (population "
            "counts, say), tally both parts with weights on the same scale"
        )
        warnings.warn(msg, MixedWeightsWarning, stacklevel=3)


Correction = Literal["holm", "bh", "none"]
CORRECTIONS: tuple[Correction, ...] = ("holm", "bh", "none")


def check_correction(value: object) -> Correction:
    """Return ``value`` if it is a multiple-comparison correction: holm, bh or none."""
    return check_choice(value, "correction", CORRECTIONS)  # type: ignore[return-value]
