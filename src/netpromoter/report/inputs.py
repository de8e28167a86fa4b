"""What a report is built from: responses, or a file read into columns.

Either way the report's sections get the same rows in one form the public functions take
(a list of ``Response`` or a mapping of columns), the submission time of each row, and
``Response`` objects only for the few rows a follow-up plan needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netpromoter.io._columns import ReadColumns
from netpromoter.io._read import ReadResult

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

    from netpromoter._models import Response
    from netpromoter.io._rejection import Rejection


@dataclass(frozen=True)
class Rows:
    """The accepted rows of a report's input, and where they came from.

    Attributes:
        source: Where the rows came from.
        rows_read: Rows read from the source.
        rejected: Rows that were not used.
        data: The accepted rows as the public functions take them.
        scores: The score of each accepted row.
        times: The submission time of each accepted row (``None`` when undated).
        subset: The ``data`` of the rows at some positions.
        responses: ``Response`` objects of the rows at some positions.
    """

    source: str
    rows_read: int
    rejected: tuple[Rejection, ...]
    data: object
    scores: Sequence[Any]
    times: Sequence[datetime | None]
    subset: Callable[[list[int]], object]
    responses: Callable[[list[int]], list[Response]]

    def where(self, keep: Callable[[datetime], bool]) -> list[int]:
        """Positions of the dated rows whose time ``keep`` accepts."""
        return [i for i, when in enumerate(self.times) if when is not None and keep(when)]


def rows_of(data: ReadColumns | ReadResult | Iterable[Response]) -> Rows:
    """The rows of a file read into columns, a read file of responses, or responses."""
    if isinstance(data, ReadColumns):
        columns = dict(data.data)
        return Rows(
            data.source,
            data.rows_read,
            data.rejected,
            columns,
            columns["score"],
            columns["submitted_at"],
            data.take,
            data.responses,
        )
    if isinstance(data, ReadResult):
        responses = list(data.responses)
        source, rows_read, rejected = data.source, data.rows_read, data.rejected
    else:
        responses = list(data)
        source, rows_read, rejected = "responses", len(responses), ()

    def pick(rows: list[int]) -> list[Response]:
        return [responses[i] for i in rows]

    return Rows(
        source,
        rows_read,
        tuple(rejected),
        responses,
        responses,
        [r.submitted_at for r in responses],
        pick,
        pick,
    )
