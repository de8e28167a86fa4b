"""What a report is built from: responses, a file read into columns, or a scanned file.

Either way the report's sections get the same rows in one form the public functions take
(a list of ``Response``, a mapping of columns, or an Arrow table of compact columns), how
many of them are dated and the latest time, and ``Response`` objects only for the few
rows a follow-up plan needs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter._count import tally
from netpromoter._input import times
from netpromoter._labels import MISSING
from netpromoter._tally import Tally
from netpromoter.io._columns import ReadColumns
from netpromoter.io._read import ReadResult, as_response
from netpromoter.io._rejection import Problem
from netpromoter.io._scan import NAT, Scanned, between, scan_csv

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from datetime import tzinfo
    from pathlib import Path

    from numpy.typing import NDArray

    from netpromoter._models import Response
    from netpromoter.io._read import ReadOptions
    from netpromoter.io._rejection import Rejection


@dataclass(frozen=True)
class Accepted:
    """What a report's input holds, whichever way it was read.

    Attributes:
        source: Where the rows came from.
        rows_read: Rows read from the source.
        rejected: Rows that were not used.
        n_rows: Accepted rows.
        n_dated: Accepted rows with a submission time.
        latest: The latest submission time (``None`` when none is dated).
        recent: ``Response`` objects of the rows submitted from one time to another.
    """

    source: str
    rows_read: int
    rejected: tuple[Rejection, ...]
    n_rows: int
    n_dated: int
    latest: datetime | None
    recent: Callable[[datetime, datetime], list[Response]]


@dataclass(frozen=True)
class Rows(Accepted):
    """The accepted rows of a report's input, kept (see ``Accepted`` for the rest).

    Attributes:
        data: The accepted rows as the public functions take them.
        scores: The score of each accepted row.
        dated: The ``data`` of the dated rows.
    """

    data: object
    scores: Sequence[Any] | NDArray[np.int8]
    dated: Callable[[], object]


def _rows(  # noqa: PLR0917 - the parts of a row-by-row input, in order
    source: str,
    rows_read: int,
    rejected: tuple[Rejection, ...],
    data: object,
    scores: Sequence[Any],
    times: Sequence[datetime | None],
    subset: Callable[[list[int]], object],
    responses: Callable[[list[int]], list[Response]],
) -> Rows:
    """The rows of data held row by row, with a time per row."""
    positions = [i for i, when in enumerate(times) if when is not None]

    def recent(since: datetime, until: datetime) -> list[Response]:
        return responses([i for i in positions if since <= times[i] <= until])  # type: ignore[operator]

    return Rows(
        source,
        rows_read,
        rejected,
        len(times),
        len(positions),
        max((times[i] for i in positions), default=None),  # type: ignore[type-var]
        recent,
        data,
        scores,
        lambda: subset(positions),
    )


def rows_of(data: Rows | ReadColumns | ReadResult | Iterable[Response]) -> Rows:
    """The rows of a scanned file, a file read into columns, a read file, or responses."""
    if isinstance(data, Rows):
        return data
    if isinstance(data, ReadColumns):
        columns = dict(data.data)
        return _rows(
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

    times = [r.submitted_at for r in responses]
    return _rows(source, rows_read, tuple(rejected), responses, responses, times, pick, pick)


def _table(scanned: Scanned, rows: NDArray[np.bool_] | None = None) -> object:
    """The scanned columns as an Arrow table (dictionary-encoded text, UTC timestamps).

    Without pyarrow, a mapping of numpy columns (text as objects, times as datetimes).
    """
    scores, times = scanned.scores, scanned.times
    codes = dict(scanned.codes)
    if rows is not None:
        scores, times = scores[rows], times[rows]
        codes = {k: (labels, c[rows]) for k, (labels, c) in codes.items()}
    missing = times == NAT
    try:
        import pyarrow as pa  # noqa: PLC0415 - optional dependency
    except ImportError:
        from datetime import timedelta, timezone  # noqa: PLC0415

        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        columns: dict[str, object] = {
            "score": scores,
            "submitted_at": np.array(
                [None if t == NAT else epoch + timedelta(microseconds=t) for t in times.tolist()],
                dtype=object,
            ),
        }
        for name, (labels, c) in codes.items():
            values = np.array([*labels, None], dtype=object)
            columns[name] = values[c]  # -1 picks the None at the end
        return columns
    # Built from buffers: pa.array of numpy arrays or lists imports pandas.
    n = len(scores)
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    arrays = {
        "score": pa.Array.from_buffers(pa.int8(), n, [None, pa.py_buffer(scores)]),
        "submitted_at": pa.Array.from_buffers(
            pa.timestamp("us", tz="UTC"), n, [valid, pa.py_buffer(times)]
        ),
    }
    for name, (labels, c) in codes.items():
        # In sorted order, as a column of text is factorised: sums run in the same order.
        order = np.argsort(np.array(labels, dtype=object)) if labels else np.zeros(0, np.intp)
        rank = np.zeros(max(len(labels), 1), dtype=np.int32)  # no labels: every cell empty
        rank[order] = np.arange(len(labels), dtype=np.int32)
        empty = c < 0
        indices = pa.Array.from_buffers(
            pa.int32(),
            n,
            [
                pa.py_buffer(np.packbits(~empty, bitorder="little")),
                pa.py_buffer(np.where(empty, 0, rank[np.maximum(c, 0)]).astype(np.int32)),
            ],
        )
        ordered = _strings([labels[i] for i in order.tolist()])
        arrays[name] = pa.DictionaryArray.from_arrays(indices, ordered)
    return pa.table(arrays)


def _strings(texts: Sequence[str]) -> Any:  # noqa: ANN401 - a pyarrow StringArray
    """An Arrow array of texts, from its buffers."""
    import pyarrow as pa  # noqa: PLC0415 - optional dependency

    encoded = [text.encode("utf-8") for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


@dataclass(frozen=True)
class Rescan:
    """Reads a CSV file's rows submitted from one time to another again, whole.

    A report read chunk by chunk keeps no row; the few a follow-up window needs are read
    again when it asks for them, as ``Response`` objects.
    """

    path: Path
    options: ReadOptions
    arrow: bool = True
    progress: bool | None = None

    def __call__(self, since: datetime, until: datetime) -> list[Response]:
        """The ``Response`` of each accepted row submitted from ``since`` to ``until``."""
        again = scan_csv(
            self.path,
            self.options,
            window=between(since, until),
            full=True,
            arrow=self.arrow,
            progress=self.progress,
        )
        return responses_of(again.picked, again.source)


def scanned_rows(scanned: Scanned, recent: Rescan) -> Rows:
    """The rows of a CSV file read chunk by chunk into compact columns.

    Only the score, the time and the kept columns of each accepted row are held; the
    rows of a follow-up window are read again, whole, by ``recent``.
    """
    dated = scanned.times != NAT

    return Rows(
        scanned.source,
        scanned.rows_read,
        scanned.rejected,
        len(scanned.scores),
        int(np.count_nonzero(dated)),
        scanned.latest,
        recent,
        _table(scanned),
        scanned.scores,
        lambda: _table(scanned, dated),
    )


def responses_of(picked: Sequence[tuple[int, dict[str, Any]]], source: str) -> list[Response]:
    """``Response`` objects of validated fields (for the few rows a plan needs)."""
    out: list[Response] = []
    for line, fields in picked:
        response = as_response(fields, line)
        if isinstance(response, Problem):  # pragma: no cover - every field is checked before
            raise response.error(source)
        out.append(response)
    return out


@dataclass(frozen=True)
class Tallied(Accepted):
    """A CSV file's accepted rows counted chunk by chunk: the report's tallies, no rows.

    Attributes:
        overall: The tally of every accepted score (one group).
        segments: Per kept column, its tally per value (an empty cell is ``"(missing)"``).
        days: The tally per local date in ``zone`` of the dated rows (``None``: none dated).
        zone: The zone whose calendar ``days`` follows.
    """

    overall: Tally
    segments: dict[str, Tally]
    days: Tally | None
    zone: tzinfo

    def values(self, column: str) -> list[object]:
        """The distinct values of a kept column among the accepted rows."""
        counted = self.segments.get(column)
        if counted is None or counted.labels is None:
            return []
        return [None if label == MISSING else label for (label,) in counted.labels]


class ChunkTally:
    """Counts each scanned chunk's accepted rows into the report's tallies (a scan's sink).

    Per chunk: the scores with the tally engine, once overall, once per kept column (its
    codes, an empty cell as ``"(missing)"``) and once per local date in ``zone`` (UTC
    microseconds floored to seconds and shifted as ``trend`` shifts them), each added
    to the tallies so far with ``+``. Nothing of a chunk is kept but its counts.
    """

    def __init__(self, keys: Sequence[str], zone: tzinfo, time: str = "submitted_at") -> None:
        self.keys = tuple(keys)
        self.zone = zone
        self.time = time
        self.overall: Tally | None = None
        self.segments = {key: Tally.empty(by=(key,)) for key in self.keys}
        self.days = Tally.empty(by=(time,))
        self.n_rows = 0
        self.n_dated = 0

    def __call__(
        self,
        scores: NDArray[np.int8],
        us: NDArray[np.int64],
        codes: Mapping[str, tuple[list[str], NDArray[np.int32]]],
    ) -> None:
        """Count one chunk's accepted rows."""
        if not len(scores):
            return
        self.n_rows += len(scores)
        counted = tally(scores)
        self.overall = counted if self.overall is None else self.overall + counted
        for key in self.keys:
            labels, coded = codes[key]
            counted = tally(scores, None, coded + 1, len(labels) + 1)
            levels: list[tuple[object, ...]] = [(MISSING,), *((label,) for label in labels)]
            self.segments[key] = self.segments[key] + _labelled(counted, key, levels)
        dated = us != NAT
        n_dated = int(np.count_nonzero(dated))
        if not n_dated:
            return
        self.n_dated += n_dated
        seconds = us[dated] // 1_000_000
        aware = np.full(len(seconds), times.AWARE, dtype=np.uint8)
        days = times.localise(seconds, aware, zone=self.zone, naive_zone=None) // times.DAY
        first = int(days.min())
        counted = tally(scores[dated], None, days - first, int(days.max()) - first + 1)
        dates: list[tuple[object, ...]] = [
            (times.day_date(first + i),) for i in range(counted.n_groups)
        ]
        self.days = self.days + _labelled(counted, self.time, dates)

    def rows(self, scanned: Scanned, recent: Rescan) -> Tallied:
        """The report's input: these tallies and the scan's rejections."""
        return Tallied(
            scanned.source,
            scanned.rows_read,
            scanned.rejected,
            self.n_rows,
            self.n_dated,
            scanned.latest,
            recent,
            tally(np.zeros(0, dtype=np.int8)) if self.overall is None else self.overall,
            {key: t.nonempty() for key, t in self.segments.items()},
            self.days.nonempty() if self.n_dated else None,
            self.zone,
        )


def _labelled(counted: Tally, key: str, levels: Sequence[tuple[object, ...]]) -> Tally:
    """A chunk's tally with its groups labelled (to be added to the others by label)."""
    return dataclasses.replace(counted, by=(key,), labels=tuple(levels))
