"""CSV input of a single score column, with a rejection report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from netpromoter._renamed import renamed
from netpromoter._validation import parse_score_text
from netpromoter.exceptions import DataFileError
from netpromoter.io._rejection import Problem, Rejection
from netpromoter.io._source import Source, csv_table, decode_errors, open_text, source_name

if TYPE_CHECKING:
    from numpy.typing import NDArray


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


def read_scores(
    path: Source,
    *,
    score: str | None = None,
    encoding: str = "utf-8-sig",
    column: str | None = None,
) -> ScoreColumnFile:
    r"""Read one score column from a CSV file (UTF-8, with or without BOM; any delimiter).

    The light-weight reader behind ``netpromoter score``: scores only, no other fields.
    Cells are checked exactly as by [`read_responses`][netpromoter.io.read_responses].

    Args:
        path: The CSV file (a path or an open file).
        score: The header of the score column (``"score"`` by default).
        encoding: Text encoding.
        column: The former name of ``score`` (deprecated: it warns).

    Returns:
        The valid scores and the rejected rows.

    Raises:
        DataFileError: When the file has no header or no such column.
        InvalidParameterError: When both ``score`` and its former name ``column`` are given.

    Examples:
        >>> import io
        >>> read_scores(io.StringIO("score\n10\n\n7,5\n")).rows_read
        2
    """
    column = renamed("column", column, "score", score) or "score"
    name = source_name(path)
    scores: list[int] = []
    rejected: list[Rejection] = []
    rows_read = 0
    with decode_errors(path, encoding), open_text(path, encoding) as handle:
        expected = f"a header row with a {column!r} column"
        header, _, records = csv_table(handle, None, name=name, expected=expected)
        if column not in header:
            msg = f"{name}: no column {column!r}; the header has {', '.join(map(repr, header))}"
            raise DataFileError(msg, path=name)
        index = header.index(column)
        for line, fields, problem in records:
            rows_read += 1
            if fields is None:
                rejected.append(Problem(line, "", problem).rejection())
                continue
            parsed = parse_score_text(fields[index])
            if isinstance(parsed, int):
                scores.append(parsed)
            else:
                rejected.append(Problem(line, column, parsed, fields[index], "score").rejection())
    return ScoreColumnFile(np.asarray(scores, dtype=np.int8), tuple(rejected), rows_read)
