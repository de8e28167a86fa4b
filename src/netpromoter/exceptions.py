"""Errors and warnings raised by netpromoter.

Every error derives from [`NetPromoterError`][netpromoter.exceptions.NetPromoterError]
and from the matching builtin, so ``except ValueError`` keeps working in code that does
not know this library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic_core import ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "AmbiguousLabelError",
    "ColumnLengthError",
    "ColumnNotFoundError",
    "ConvergenceError",
    "DataFileError",
    "DuplicateResponseError",
    "EmptyCellError",
    "EmptyDataError",
    "ExportTypeError",
    "FirstTimeRespondentWarning",
    "InsufficientDataError",
    "InvalidParameterError",
    "InvalidScoreError",
    "InvalidTallyError",
    "InvalidTimeError",
    "InvalidWeightsError",
    "MarginTotalsError",
    "MissingTargetError",
    "MixedWeightsWarning",
    "ModelValidationError",
    "NetPromoterError",
    "NetPromoterWarning",
    "NoTemplateError",
    "NotFoundError",
    "ParameterTypeError",
    "RejectedRowError",
    "RenderError",
    "SmallSampleWarning",
    "TargetError",
    "TemplateError",
    "WeightingError",
]


class NetPromoterError(Exception):
    """Base class of every error raised by netpromoter."""


class InvalidScoreError(NetPromoterError, ValueError):
    """A value is not a score on the 0..10 recommendation scale.

    Attributes:
        value: The first offending value, as received.
        positions: Zero-based positions of all offending values in the input, when the
            input was a collection (empty for a single value).
    """

    def __init__(
        self, message: str, *, value: object = None, positions: Sequence[int] = ()
    ) -> None:
        super().__init__(message)
        self.value = value
        self.positions: tuple[int, ...] = tuple(positions)


class EmptyDataError(NetPromoterError, ValueError):
    """There is nothing to score: no responses, or none left after dropping missing ones."""


class InsufficientDataError(NetPromoterError, ValueError):
    """The data cannot support the analysis asked for.

    For example fewer complete respondents than a regression has coefficients, or
    aspects that are exact linear combinations of each other.

    Attributes:
        n: The number of usable rows.
        needed: The number of rows the analysis needs (``0`` when the problem is not the
            number of rows).
    """

    def __init__(self, message: str, *, n: int, needed: int = 0) -> None:
        super().__init__(message)
        self.n = n
        self.needed = needed


class InvalidWeightsError(NetPromoterError, ValueError):
    """Weights are not finite, negative, all zero, or not aligned with the scores.

    Attributes:
        positions: Zero-based positions of the offending weights (empty when the problem
            is not tied to single values, such as a length mismatch).
    """

    def __init__(self, message: str, *, positions: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.positions: tuple[int, ...] = tuple(positions)


class InvalidParameterError(NetPromoterError, ValueError):
    """An option is outside its valid range (a confidence level of 1.2, say).

    Attributes:
        name: The name of the parameter.
        value: The value received.
    """

    def __init__(self, message: str, *, name: str, value: object) -> None:
        super().__init__(message)
        self.name = name
        self.value = value


class ParameterTypeError(InvalidParameterError, TypeError):
    """An argument is of the wrong kind (a number where a column name goes, say).

    An [`InvalidParameterError`][netpromoter.exceptions.InvalidParameterError] that is
    also a ``TypeError``, as Python raises for the wrong type.
    """


class TemplateError(NetPromoterError, ValueError):
    """A follow-up template, or a template file, is invalid.

    Attributes:
        path: The file the template came from, if any.
        line: The 1-based line in that file the problem was found on, if known.
        template_id: The id of the offending template, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        template_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.template_id = template_id


class NoTemplateError(NetPromoterError, LookupError):
    """No template in the library fits a response, even after the documented fall-backs.

    Attributes:
        category: The response's category (``"promoter"``, ...).
        has_comment: Whether the response has a comment.
        channel: The channel asked for.
        language: The language asked for.
        purpose: The kind of message asked for (``"follow_up"``, ...).
    """

    def __init__(
        self,
        message: str,
        *,
        category: str,
        has_comment: bool,
        channel: str,
        language: str,
        purpose: str,
    ) -> None:
        super().__init__(message)
        self.category = category
        self.has_comment = has_comment
        self.channel = channel
        self.language = language
        self.purpose = purpose


class RenderError(NetPromoterError, ValueError):
    """A message cannot be rendered: a placeholder has no value, or it does not fit.

    Attributes:
        template_id: The template being rendered (``None`` for a whole plan).
        missing: Placeholders that had no value.
        positions: Zero-based positions of the responses that failed (for a plan).
    """

    def __init__(
        self,
        message: str,
        *,
        template_id: str | None = None,
        missing: Sequence[str] = (),
        positions: Sequence[int] = (),
    ) -> None:
        super().__init__(message)
        self.template_id = template_id
        self.missing: tuple[str, ...] = tuple(missing)
        self.positions: tuple[int, ...] = tuple(positions)


class InvalidTimeError(NetPromoterError, ValueError):
    """Timestamps are missing, unparseable, or have no time zone when one is needed.

    Attributes:
        column: The time column.
        positions: Zero-based positions of the offending rows.
    """

    def __init__(self, message: str, *, column: str, positions: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.column = column
        self.positions: tuple[int, ...] = tuple(positions)


_LISTED = 20


def _listing(available: Sequence[object]) -> str:
    """The first ``_LISTED`` of ``available``, quoted, and how many more there are."""
    shown = ", ".join(repr(a) for a in list(available)[:_LISTED]) or "none"
    more = f" and {len(available) - _LISTED} more" if len(available) > _LISTED else ""
    return shown + more


class _LookupError(NetPromoterError, KeyError):
    """A name that is not there: a ``KeyError`` whose message reads as written."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        """The message itself (``KeyError`` would show it quoted)."""
        return self.message


class ColumnNotFoundError(_LookupError):
    """A column name (a score, weights or grouping column) is not in the data.

    Attributes:
        column: The name asked for.
        available: The column names the data has.
    """

    def __init__(self, column: str, available: Sequence[str]) -> None:
        super().__init__(f"no column {column!r}; available columns: {_listing(available)}")
        self.column = column
        self.available: tuple[str, ...] = tuple(available)


class NotFoundError(_LookupError):
    """A segment, period, template, aspect or theme asked for by name is not there.

    Attributes:
        key: What was asked for.
        available: What there is (at most the first 20).
    """

    def __init__(self, what: str, key: object, available: Sequence[object]) -> None:
        super().__init__(f"no {what} {key!r}; there are: {_listing(available)}")
        self.key = key
        self.available: tuple[object, ...] = tuple(available)


class ColumnLengthError(NetPromoterError, ValueError):
    """Columns of one table have different lengths.

    Attributes:
        lengths: Column name to its length.
    """

    def __init__(self, lengths: Mapping[str, int]) -> None:
        listed = ", ".join(f"{name!r} has {n}" for name, n in lengths.items())
        super().__init__(f"columns must all have the same length, but {listed} values")
        self.lengths: dict[str, int] = dict(lengths)


class WeightingError(NetPromoterError, ValueError):
    """Weights cannot be computed as asked: the base of every weighting error.

    Attributes:
        dimension: The weighting dimension (column, or crossed columns joined by
            ``" × "``) concerned, when there is one.
        level: The level of that dimension concerned, when there is one.
    """

    def __init__(self, message: str, *, dimension: str | None = None, level: object = None) -> None:
        super().__init__(message)
        self.dimension = dimension
        self.level = level


class TargetError(WeightingError):
    """A population target is negative, NaN, infinite, not a number, or misplaced zero.

    A target of zero for a level that has respondents is refused too: their weights would
    silently become zero.
    """


class MissingTargetError(WeightingError):
    """A level present in the sample has no population target to weight its respondents to."""


class EmptyCellError(WeightingError):
    """A population level or cell has a positive target but no respondents to weight up."""


class MarginTotalsError(WeightingError):
    """Raking margins do not sum to the same population total.

    Attributes:
        totals: Each margin's name and its total.
    """

    def __init__(self, message: str, *, totals: Mapping[str, float]) -> None:
        super().__init__(message)
        self.totals: dict[str, float] = dict(totals)


class ConvergenceError(WeightingError):
    """Raking or trimming did not reach its targets within the iteration limit.

    Attributes:
        iterations: Iterations (sweeps or passes) performed.
        max_error: The remaining largest distance to the targets.
    """

    def __init__(self, message: str, *, iterations: int, max_error: float) -> None:
        super().__init__(message)
        self.iterations = iterations
        self.max_error = max_error


class DataFileError(NetPromoterError, ValueError):
    """A file cannot be read as responses, or an export cannot be written to it.

    No header, no score column, not UTF-8, a directory, not Parquet, no permission, ...

    Attributes:
        path: The file, as given (``None`` for an unnamed stream).
    """

    def __init__(self, message: str, *, path: object = None) -> None:
        super().__init__(message)
        self.path = path


class ExportTypeError(NetPromoterError, TypeError):
    """Something given to an export (``write_csv``, ``write_json``) cannot be exported.

    Attributes:
        kind: The name of the type that was given.
    """

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class RejectedRowError(NetPromoterError, ValueError):
    """A row of a file is not a valid response (raised in ``strict`` mode).

    Attributes:
        line: The row's line number in the file (the header is line 1).
        column: The column holding the bad value.
        value: The value as read.
    """

    def __init__(self, message: str, *, line: int, column: str, value: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.value = value


class DuplicateResponseError(NetPromoterError, ValueError):
    """The same respondent answered more than once in one period (``duplicates="error"``).

    Attributes:
        lines: Line numbers of every row involved, grouped per respondent and period.
    """

    def __init__(self, message: str, *, lines: Sequence[Sequence[int]] = ()) -> None:
        super().__init__(message)
        self.lines: tuple[tuple[int, ...], ...] = tuple(tuple(group) for group in lines)


class ModelValidationError(NetPromoterError, ValidationError):
    """A value given to one of netpromoter's models (``Response``, ``NPSCounts``, ...) is invalid.

    It is pydantic's ``ValidationError`` (``errors()`` lists every problem, with its field
    and the value received), raised as a ``NetPromoterError``: ``except NetPromoterError``,
    ``except ValueError`` and ``except pydantic.ValidationError`` all catch it.
    """


class InvalidTallyError(NetPromoterError, ValueError):
    """Stored tallies cannot be what a dataset gives, or cannot be merged.

    For example a sum of squared weights that no set of non-negative weights has, or a
    weighted tally added to an unweighted one.

    Attributes:
        field: The field concerned (``"sum_squared_weights"``, ...), when there is one.
        score: The score (0..10) whose bin is concerned, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, score: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.score = score


class AmbiguousLabelError(NetPromoterError, ValueError):
    """Different values of a key column would show as the same label.

    ``1`` and ``"1"``, the same text in two Unicode forms (NFC and NFD), or the text
    ``"(missing)"`` next to missing values would become separate groups that print alike.

    Attributes:
        column: The key column.
        labels: The colliding values, as found.
    """

    def __init__(self, message: str, *, column: str, labels: Sequence[object]) -> None:
        super().__init__(message)
        self.column = column
        self.labels: tuple[object, ...] = tuple(labels)


class NetPromoterWarning(UserWarning):
    """Base class of the statistical caveats netpromoter warns about."""


class SmallSampleWarning(NetPromoterWarning):
    """A result rests on too few responses to be read with confidence."""


class FirstTimeRespondentWarning(NetPromoterWarning):
    """A period's score rests mostly on first-time respondents, who cannot show change."""


class MixedWeightsWarning(NetPromoterWarning):
    """A weighted tally was merged with an unweighted one: its responses count as weights of 1.

    Right when the weighted part's weights are relative (around 1); when they are
    population counts, give the unweighted part weights on the same scale instead.
    """
