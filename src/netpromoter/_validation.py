"""Input checks shared by every entry point: scores, weights and options.

Everything here turns user input into validated numpy columns, or raises a typed error
that names the offending values and their positions. Nothing is dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NoReturn

import numpy as np

from netpromoter.exceptions import (
    InvalidParameterError,
    InvalidScoreError,
    InvalidWeightsError,
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


def score_from_text(text: str) -> int:
    """Return the score written in ``text`` (a file cell), or raise saying why it is not one.

    Surrounding whitespace is ignored and integral decimals (``"9.0"``) are accepted, as in
    [`validate_score_value`][netpromoter._validation.validate_score_value]; a decimal comma
    (``"7,5"``), words (``"ten"``), fractions, values outside 0..10 and empty cells are not.

    Raises:
        InvalidScoreError: Naming the text and what was expected.
    """
    stripped = text.strip()
    if not stripped:
        msg = f"missing NPS score (empty): expected {SCORE_RANGE}"
        raise InvalidScoreError(msg, value=text)
    try:
        number: object = int(stripped)
    except ValueError:
        try:
            number = float(stripped)
        except ValueError:
            comma = " (a decimal comma is not a score)" if "," in stripped else ""
            msg = f"invalid NPS score {text!r}: not a number{comma}; expected {SCORE_RANGE}"
            raise InvalidScoreError(msg, value=text) from None
        if not math.isfinite(number):
            msg = f"invalid NPS score {text!r}: not a number; expected {SCORE_RANGE}"
            raise InvalidScoreError(msg, value=text) from None
    try:
        return validate_score_value(number)
    except InvalidScoreError as exc:
        msg = str(exc).replace(repr(number), repr(text), 1)
        raise InvalidScoreError(msg, value=text) from None


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
    if missing not in ("raise", "drop"):
        msg = f"missing must be 'raise' or 'drop', got {missing!r}"
        raise InvalidParameterError(msg, name="missing", value=missing)
    arr = values if isinstance(values, np.ndarray) else None
    if arr is None:
        items = values if isinstance(values, Sequence) else list(values)
        if any(isinstance(v, bool | np.bool_) for v in items):
            return _validate_objects(items, missing)
        arr = np.asarray(items) if len(items) else np.empty(0, dtype=np.int8)
        if arr.dtype.kind not in "iuf":
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
    if missing not in ("raise", "drop"):
        msg = f"missing must be 'raise' or 'drop', got {missing!r}"
        raise InvalidParameterError(msg, name="missing", value=missing)
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
    try:
        arr = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"weights must be numbers, got {type(weights).__name__}: {exc}"
        raise InvalidWeightsError(msg) from exc
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
        raise_invalid_weights(arr)
    return arr


def raise_invalid_weights(arr: NDArray[np.float64]) -> NoReturn:
    """Raise the ``InvalidWeightsError`` of weights known to be invalid (positions named).

    Raises:
        InvalidWeightsError: Always: naming NaN, infinite or negative weights and where,
            or else saying that their sum overflows.
    """
    bad = np.flatnonzero(~(np.isfinite(arr) & (arr >= 0)))
    if len(bad):
        msg = invalid_weights_message(len(bad), describe_positions(bad, arr[bad[:_SHOWN]].tolist()))
        raise InvalidWeightsError(msg, positions=bad.tolist())
    msg = "the weights are finite but their sum overflows; rescale them (e.g. divide by the mean)"
    raise InvalidWeightsError(msg)


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


Correction = Literal["holm", "bh", "none"]
CORRECTIONS: tuple[Correction, ...] = ("holm", "bh", "none")


def check_correction(value: object) -> Correction:
    """Return ``value`` if it is a multiple-comparison correction: holm, bh or none."""
    for correction in CORRECTIONS:
        if value == correction:
            return correction
    msg = f"correction must be one of {', '.join(map(repr, CORRECTIONS))}, got {value!r}"
    raise InvalidParameterError(msg, name="correction", value=value)
