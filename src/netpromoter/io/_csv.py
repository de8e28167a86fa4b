"""CSV input of a score column, with a rejection report."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from netpromoter._validation import MAX_SCORE, MIN_SCORE
from netpromoter.exceptions import NetPromoterError

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass(frozen=True)
class Rejection:
    """A row that was read but not used, and why.

    Attributes:
        line: Line number in the file (the header is line 1).
        column: The column that held the bad value.
        value: The text as read.
        reason: Why it was rejected.
    """

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        """One line for a terminal: ``line 7, column 'score': '7,5' is not ...``."""
        return f"line {self.line}, column {self.column!r}: {self.value!r} {self.reason}"


@dataclass(frozen=True)
class ScoreColumnFile:
    """The scores read from a file, and the rows that were rejected.

    Attributes:
        scores: The valid scores, in file order, as int8.
        rejected: Every row that was not used, with its reason.
        rows_read: Data rows read; always ``len(scores) + len(rejected)``.
    """

    scores: NDArray[np.int8]
    rejected: tuple[Rejection, ...]
    rows_read: int


def _parse(text: str) -> int | str:
    """Return the score in ``text``, or the reason it is not one."""
    stripped = text.strip()
    if not stripped:
        return "is empty: no score given"
    try:
        value = int(stripped)
    except ValueError:
        return f"is not a whole number from {MIN_SCORE} to {MAX_SCORE}"
    if not MIN_SCORE <= value <= MAX_SCORE:
        return f"is out of range: expected {MIN_SCORE} to {MAX_SCORE}"
    return value


def read_scores(path: str | Path, *, column: str = "score") -> ScoreColumnFile:
    """Read one score column from a CSV file (UTF-8, with or without BOM; any delimiter).

    Args:
        path: The CSV file.
        column: The header of the score column.

    Returns:
        The valid scores and the rejected rows.

    Raises:
        NetPromoterError: When the file has no header or no such column.
    """
    scores: list[int] = []
    rejected: list[Rejection] = []
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(handle, dialect)
        header = next(reader, None)
        if header is None:
            msg = f"{path}: the file is empty; expected a header row with a {column!r} column"
            raise NetPromoterError(msg)
        names = [h.strip() for h in header]
        if column not in names:
            msg = f"{path}: no column {column!r}; the header has {', '.join(map(repr, names))}"
            raise NetPromoterError(msg)
        index = names.index(column)
        rows_read = 0
        for rows_read, row in enumerate(reader, start=1):  # noqa: B007 - counted after the loop
            text = row[index] if index < len(row) else ""
            parsed = _parse(text)
            if isinstance(parsed, int):
                scores.append(parsed)
            else:
                rejected.append(Rejection(reader.line_num, column, text, parsed))
    return ScoreColumnFile(np.asarray(scores, dtype=np.int8), tuple(rejected), rows_read)
