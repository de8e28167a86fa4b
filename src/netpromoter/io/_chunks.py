"""A CSV file as chunks of encoded text columns, by either engine.

One reading of a CSV file for every bulk path: pyarrow's parser on the regions the
record rule vouches for ([`BlockReader`][netpromoter.io._blocks.BlockReader]) and the
standard-library splitter for the rest (or for the whole file without pyarrow). Each
chunk holds the line of each record and, per wanted column, its distinct cells and the
index of each record's cell: per-value work (parsing, checking) is then done once per
distinct value, per-row work with numpy. Malformed records come with their line and
reason, in file order within the chunk.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import numpy as np

from netpromoter.io._blocks import BlockReader
from netpromoter.io._source import csv_table

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from numpy.typing import NDArray

    from netpromoter.io._records import Record

Codes = tuple["Sequence[str]", "NDArray[np.intp]"]
"""A column of a chunk: its distinct cells and, per row, the index of its cell."""


class TextChunk(NamedTuple):
    """Records of a file, as encoded text columns.

    Attributes:
        lines: The line each record starts on.
        columns: Per wanted column (in the order asked), its distinct cells and indices.
        malformed: ``(line, reason)`` of each record that could not be split.
    """

    lines: NDArray[np.int64]
    columns: list[Codes]
    malformed: list[tuple[int, str]]

    def cell(self, column: int, row: int) -> str:
        """The text of one cell."""
        values, index = self.columns[column]
        return values[int(index[row])]


def encode(values: Sequence[str]) -> Codes:
    """Distinct values and per-row indices of a column of text, first seen first."""
    seen: dict[str, int] = {}
    index = np.fromiter(
        (seen.setdefault(v, len(seen)) for v in values), dtype=np.intp, count=len(values)
    )
    return list(seen), index


class _Records:
    """Records of the standard-library splitter, gathered into chunks."""

    def __init__(self, wanted: Sequence[int]) -> None:
        self.wanted = list(wanted)
        self._clear()

    def _clear(self) -> None:
        self.lines: list[int] = []
        self.cells: list[list[str]] = [[] for _ in self.wanted]
        self.malformed: list[tuple[int, str]] = []

    def __len__(self) -> int:
        return len(self.lines) + len(self.malformed)

    def add(self, records: Iterable[Record], limit: int | None = None) -> bool:
        """Take records (until ``limit`` are gathered); ``False`` when they ran out."""
        columns = list(zip(self.cells, self.wanted, strict=True))
        for line, fields, problem in records:
            if fields is None:
                self.malformed.append((line, problem))
            else:
                self.lines.append(line)
                for cells, j in columns:
                    cells.append(fields[j])
            if limit is not None and len(self) >= limit:
                return True
        return False

    def take(self) -> TextChunk | None:
        if not len(self):
            return None
        chunk = TextChunk(
            np.asarray(self.lines, dtype=np.int64),
            [encode(cells) for cells in self.cells],
            self.malformed,
        )
        self._clear()
        return chunk


class ArrowCells(Sequence[str]):
    """The cells of one Arrow string column, one per row (for a column of distinct cells).

    Reads as a sequence of text; ``positions`` gives the cells' bytes as a matrix for
    vectorised parsing without a Python string per row.
    """

    def __init__(self, array: Any) -> None:  # noqa: ANN401 - a pyarrow StringArray
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: int) -> str:  # type: ignore[override]  # cells by position only
        return str(self.array[i].as_py())

    def _parts(self) -> tuple[NDArray[np.int32], NDArray[np.uint8] | None]:
        n = len(self.array)
        buffers = self.array.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int32)[self.array.offset :][: n + 1]
        data = None if buffers[2] is None else np.frombuffer(buffers[2], dtype=np.uint8)
        return offsets, data

    def lengths(self) -> NDArray[np.intp]:
        """The length of each cell in bytes."""
        return np.diff(self._parts()[0]).astype(np.intp)

    def positions(self, width: int) -> tuple[NDArray[np.uint8], NDArray[np.intp]]:
        """The first ``width`` bytes of each cell, one row per position, and each length.

        Row ``k`` holds the ``k``-th byte of every cell (zero past a cell's end), so a
        check of one position is a pass over contiguous bytes.
        """
        offsets, data = self._parts()
        n = len(offsets) - 1
        lengths = np.diff(offsets).astype(np.intp)
        out = np.zeros((width, n), dtype=np.uint8)
        if data is None or not len(data) or not n:
            return out, lengths
        size = int(lengths[0])
        if size <= width and np.all(lengths == size):  # cells of one length: one slice
            start = int(offsets[0])
            out[:size] = data[start : start + n * size].reshape(n, size).T
            return out, lengths
        starts = offsets[:-1]
        for k in range(width):
            inside = lengths > k
            out[k, inside] = data[starts[inside] + k]
        return out, lengths


def _arrow_chunk(
    table: Any,  # noqa: ANN401 - a pyarrow Table
    lines: NDArray[np.int64],
    wanted: Sequence[int],
    distinct: Sequence[int],
) -> TextChunk:
    """The chunk of a region's table: its dictionary-encoded and its distinct columns.

    Indices are read from the Arrow buffers with numpy (``to_numpy`` would import pandas).
    """
    columns: list[Codes] = []
    for j in wanted:
        cells = table.column(f"c{j}")
        if j in distinct:
            cells = cells.combine_chunks()
            columns.append((ArrowCells(cells), np.arange(len(cells), dtype=np.intp)))
            continue
        if cells.num_chunks != 1:  # one block per region: one chunk, or none when empty
            cells = cells.unify_dictionaries()
        encoded = cells.combine_chunks()
        values = [str(v) for v in encoded.dictionary.to_pylist()]
        n, offset, buffer = len(encoded), encoded.offset, encoded.indices.buffers()[1]
        codes = np.zeros(0, np.int32) if not n else np.frombuffer(buffer, dtype=np.int32)
        columns.append((values, codes[offset : offset + n].astype(np.intp)))
    return TextChunk(lines, columns, [])


class CsvChunks:
    """A CSV file's header, and its records as chunks of the wanted columns.

    Attributes:
        header: The header's cells, stripped.
        done: Bytes of the file read so far (for a progress bar).
    """

    def __init__(self, raw: IO[bytes], name: str, delimiter: str | None, *, arrow: bool) -> None:
        self._raw = raw
        self._reader: BlockReader | None = None
        if arrow:
            self._reader = BlockReader(raw, name, delimiter)
            self.header = self._reader.header
            return
        self._handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        expected = "a header row with a score column"
        self._table = csv_table(self._handle, delimiter, name=name, expected=expected)
        self.header = self._table.header

    @property
    def done(self) -> int:
        """Bytes of the file read so far."""
        if self._reader is not None:
            return self._reader.consumed
        return self._raw.tell()

    def chunks(
        self, wanted: Sequence[int], chunk_rows: int, distinct: Sequence[int] = ()
    ) -> Iterator[TextChunk]:
        """The records after the header, in file order, in chunks of the wanted columns.

        Columns in ``distinct`` (mostly distinct cells, such as times) are not encoded
        by pyarrow's engine: their cells are [`ArrowCells`][netpromoter.io._chunks.ArrowCells].
        """
        rows = _Records(wanted)
        if self._reader is None:
            while rows.add(self._table.records, chunk_rows):
                chunk = rows.take()
                if chunk is not None:
                    yield chunk
        else:
            encoded = [j for j in wanted if j not in distinct]
            for region in self._reader.regions(wanted, encoded):
                if isinstance(region, list):
                    rows.add(region)
                    if len(rows) >= chunk_rows:
                        chunk = rows.take()
                        if chunk is not None:
                            yield chunk
                    continue
                pending = rows.take()  # records before this region come first
                if pending is not None:
                    yield pending
                yield _arrow_chunk(region.table, region.lines, wanted, distinct)
        last = rows.take()
        if last is not None:
            yield last


@contextmanager
def csv_chunks(
    raw: IO[bytes], name: str, delimiter: str | None, *, arrow: bool
) -> Iterator[CsvChunks]:
    """Open a binary CSV stream for reading in chunks (the text wrapper left detached)."""
    reader = CsvChunks(raw, name, delimiter, arrow=arrow)
    try:
        yield reader
    finally:
        handle = getattr(reader, "_handle", None)
        if handle is not None:
            handle.detach()
