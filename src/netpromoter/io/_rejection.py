"""The rejection report of a file: line, column, reason, and a value only when shareable."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from pydantic import ConfigDict

from netpromoter._model import Model
from netpromoter._redaction import ValueKind, scrub, shareable_value
from netpromoter.exceptions import RejectedRowError


class Rejection(Model):
    """A row that was read but not used, and why.

    A rejection is safe to share: it names where the row is and what is wrong with it,
    and shows the offending value only when that value cannot identify anyone (a score,
    a weight, an amount, a date, a channel or a language of a plausible shape). Ids,
    comments, segment cells and whole raw rows are never shown: look them up by line.

    Attributes:
        line: Where the row starts: its line in a CSV or JSON Lines file (the CSV header
            is line 1), or its 1-based row number in a Parquet file.
        column: The column (as headed in the file) that held the bad value; empty when the
            row as a whole is malformed.
        value: The offending value as read (JSON values as JSON text, ``null`` for a JSON
            null), or ``None`` when it is withheld.
        reason: Why it was rejected; it never repeats a withheld value.

    Examples:
        >>> str(Rejection(line=7, column="score", value="7,5", reason="not a score"))
        "line 7, column 'score': '7,5' not a score"
        >>> str(Rejection(line=9, column="", reason="has 3 fields where the header has 2"))
        'line 9: has 3 fields where the header has 2'
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    line: int
    column: str
    value: str | None = None
    reason: str

    def __str__(self) -> str:
        """One line for a terminal: ``line 7, column 'score': '7,5' not a score``."""
        where = f", column {self.column!r}" if self.column else ""
        shown = "" if self.value is None else f"{self.value!r} "
        return f"line {self.line}{where}: {shown}{self.reason}"


class Problem(NamedTuple):
    """A rejected row before it is reported: with the raw value, which is never shared.

    ``rejection()`` applies the privacy rule; ``error()`` is the strict-mode exception,
    which names the raw value for the user's own terminal.
    """

    line: int
    column: str
    reason: str
    raw: str | None = None
    kind: ValueKind = "personal"

    def rejection(self) -> Rejection:
        """The shareable report of this row."""
        shown = shareable_value(self.kind, self.raw)
        reason = scrub(self.reason, self.raw, shown)
        return Rejection(line=self.line, column=self.column, value=shown, reason=reason)

    def error(self, source: str) -> RejectedRowError:
        """The exception of strict mode, naming the value as read."""
        where = f", column {self.column!r}" if self.column else ""
        shown = "" if self.raw is None else f"{self.raw!r} "
        msg = (
            f"{source}: line {self.line}{where}: {shown}{self.reason} "
            "(strict mode stops at the first bad row)"
        )
        return RejectedRowError(msg, line=self.line, column=self.column, value=self.raw or "")
