r"""The pyarrow CSV engine: pyarrow's parser on regions the record rule vouches for.

The file is read in blocks of bytes. Each block is cut after the last line break that
ends a record, found with numpy from the quote characters' positions: a line break ends
a record when an even number of quotes precedes it. That count equals the record rule of
[`netpromoter.io._records`][netpromoter.io._records] exactly when every run of quotes in
the region is one the rule reads as structure (an opening quote at the start of a
field, escaped ``""`` pairs, a closing quote before a delimiter or line break); numpy
checks that too. Such a region, without lone ``\r`` line breaks or lines of only spaces,
goes to pyarrow, and a record's line is known from the positions of its line breaks.

Anything else (a stray quote, a quote never closed, a lone ``\r``, a line of spaces, a
row with the wrong number of fields, a record pyarrow cannot take) is read by the
standard-library splitter from the region's first line, on until it is between two
records again. Both paths count, number and reject rows identically.
"""

from __future__ import annotations

import io
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import numpy as np

from netpromoter.exceptions import DataFileError
from netpromoter.io._records import BLANK, MAX_RECORD_CHARS, Record, Splitter
from netpromoter.io._source import check_delimiter, sniff_delimiter, undecodable_message

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from numpy.typing import NDArray

#: Bytes read per block. The engine holds about one block and pyarrow's table of it, so
#: this bounds memory; pyarrow parses each block on its threads in 1 MiB pieces.
BLOCK_BYTES = 4 << 20
_ARROW_PIECE = 1 << 20
_NL, _CR, _QUOTE, _SPACE, _TAB = 10, 13, 34, 32, 9
_BOM = b"\xef\xbb\xbf"


class _Region(NamedTuple):
    """A region of the file that pyarrow may parse, with where its lines and records start."""

    data: bytes
    first: int
    lines: int
    breaks: Any
    starts: Any


class ArrowRegion(NamedTuple):
    """Records parsed by pyarrow: a table of the wanted columns, and each record's line."""

    table: Any
    line: Callable[[int], int]


class BlockReader:
    """Read a UTF-8 CSV file as pyarrow regions and standard-library records, in order."""

    def __init__(self, raw: IO[bytes], name: str, delimiter: str | None) -> None:
        self.raw = raw
        self.name = name
        self.buffer = b""
        self.eof = False
        self.consumed = 0  # bytes of the file handed out so far
        self.line = 1  # the number of the next physical line
        first = self._first_line()
        self.delimiter = check_delimiter(delimiter) or sniff_delimiter(first)
        self.splitter = Splitter(self.delimiter, None)
        header = self._header()
        self.header = [h.strip() for h in header]
        self.splitter.set_width(len(header))
        code = self.delimiter.encode("utf-8")
        self._delimiter_byte = code[0] if len(code) == 1 else None

    # -- reading ---------------------------------------------------------------------

    def _fill(self, size: int) -> None:
        """Read until the buffer holds ``size`` bytes or the file ends."""
        parts = [self.buffer]
        have = len(self.buffer)
        while have < size and not self.eof:
            chunk = self.raw.read(max(size - have, BLOCK_BYTES))
            if not chunk:
                self.eof = True
                break
            parts.append(chunk)
            have += len(chunk)
        self.buffer = b"".join(parts)

    def _take(self, end: int) -> bytes:
        taken, self.buffer = self.buffer[:end], self.buffer[end:]
        self.consumed += end
        return taken

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            from netpromoter.io._source import line_breaks  # noqa: PLC0415 - error path

            line = self.line + line_breaks(data[: exc.start].decode("utf-8"))
            msg = undecodable_message(self.name, "utf-8", exc, line)
            raise DataFileError(msg, path=self.name) from exc

    def _first_line(self) -> str:
        """The first non-blank line (for the delimiter), without the byte-order mark."""
        self._fill(BLOCK_BYTES)
        if self.buffer.startswith(_BOM):
            self._take(len(_BOM))
        while True:
            text = self.buffer.decode("utf-8", errors="replace")
            for line in io.StringIO(text, newline=""):
                if line.strip(BLANK) and (line.endswith(("\n", "\r")) or self.eof):
                    return line
            if self.eof:
                return ""
            self._fill(len(self.buffer) + BLOCK_BYTES)

    def _header(self) -> list[str]:
        """Feed lines to the splitter until it yields the header record."""
        while not self.splitter.out:
            if not self._python_line():
                self.splitter.finish()
                break
        if not self.splitter.out:
            msg = f"{self.name}: the file is empty; expected a header row with a score column"
            raise DataFileError(msg, path=self.name)
        header = self.splitter.out.popleft()
        if header.fields is None:
            msg = f"{self.name}: the header (line {header.line}) {header.problem}"
            raise DataFileError(msg, path=self.name)
        return header.fields

    def _python_line(self) -> bool:
        r"""Feed the splitter one line (up to ``\n``); ``False`` at the end of the file."""
        end = self.buffer.find(b"\n")
        while end < 0 and not self.eof:
            self._fill(len(self.buffer) + BLOCK_BYTES)
            end = self.buffer.find(b"\n")
        if not self.buffer:
            return False
        text = self._decode(self._take(end + 1 if end >= 0 else len(self.buffer)))
        for line in io.StringIO(text, newline=""):
            self.splitter.feed(self.line, line)
            self.line += 1
        return True

    # -- regions ---------------------------------------------------------------------

    def regions(self, wanted: Sequence[int]) -> Iterator[ArrowRegion | list[Record]]:
        """Everything after the header, in file order: pyarrow regions or records.

        pyarrow parses the next region on a worker thread while the caller counts the
        current one; the splitter's records come as lists.
        """
        pending: deque[tuple[Future[Any], _Region]] = deque()
        with ThreadPoolExecutor(max_workers=1) as worker:
            while True:
                self._fill(BLOCK_BYTES)
                if not self.buffer:
                    break
                end = self._region_end()
                region = None if end is None else self._region(self.buffer[:end])
                if region is None:
                    while pending:
                        yield self._collect(*pending.popleft())
                    target = len(self.buffer) if end is None and self.eof else end or 1
                    yield self._python(target)
                    continue
                self._take(len(region.data))
                self.line += region.lines
                table = worker.submit(
                    _arrow_table, region.data, self.delimiter, len(self.header), wanted
                )
                pending.append((table, region))
                if len(pending) > 1:
                    yield self._collect(*pending.popleft())
            while pending:
                yield self._collect(*pending.popleft())
        self.splitter.finish()
        if self.splitter.out:
            yield self._drain()

    def _collect(self, table: Future[Any], region: _Region) -> ArrowRegion | list[Record]:
        """The table pyarrow made of a region, or the splitter's records if it balked."""
        parsed = table.result()
        if parsed is not None and parsed.num_rows == len(region.starts):
            breaks, starts, first = region.breaks, region.starts, region.first

            def line(i: int) -> int:
                return first + int(np.searchsorted(breaks, starts[i]))

            return ArrowRegion(parsed, line)
        splitter = Splitter(self.delimiter, len(self.header))
        text = region.data.decode("utf-8")
        for number, piece in enumerate(io.StringIO(text, newline=""), start=region.first):
            splitter.feed(number, piece)
        splitter.finish()
        return list(splitter.out)

    def _python(self, end: int) -> list[Record]:
        """Read with the splitter past byte ``end``, on until it is between records."""
        target = self.consumed + end
        while (self.consumed < target or not self.splitter.clean) and self._python_line():
            pass
        return self._drain()

    def _drain(self) -> list[Record]:
        records = list(self.splitter.out)
        self.splitter.out.clear()
        return records

    def _region_end(self) -> int | None:
        """Where the buffer's last whole record ends, growing it for a long quoted field.

        ``None`` when the standard-library splitter must take over here: a quoted field
        longer than the splitter's limit, or one still open at the end of the file.
        """
        while True:
            if b'"' not in self.buffer:  # no quotes: every line break ends a record
                if self.eof:
                    return len(self.buffer)
                last = self.buffer.rfind(b"\n")
                if last >= 0:
                    return last + 1
            else:
                data = np.frombuffer(self.buffer, dtype=np.uint8)
                quotes = np.flatnonzero(data == _QUOTE)
                if self.eof:
                    return len(self.buffer) if quotes.size % 2 == 0 else None
                breaks = np.flatnonzero(data == _NL)
                breaks = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
                if breaks.size:
                    return int(breaks[-1]) + 1
            if len(self.buffer) > MAX_RECORD_CHARS:
                return None
            self._fill(2 * len(self.buffer))

    def _region(self, data: bytes) -> _Region | None:
        """A region for pyarrow, or ``None`` when the splitter must read it."""
        if self._delimiter_byte is None:
            return None
        array = np.frombuffer(data, dtype=np.uint8)
        breaks = np.flatnonzero(array == _NL)
        starts = self._record_starts(array, breaks, data)
        if starts is None:
            return None
        self._decode(data)  # every byte must be UTF-8, in every column
        lines = len(breaks) + (0 if data.endswith(b"\n") else 1)
        return _Region(data, self.line, lines, breaks, starts)

    def _record_starts(
        self, data: NDArray[np.uint8], breaks: NDArray[np.intp], region: bytes
    ) -> Any:  # noqa: ANN401 - an index array or None
        """The byte offsets where records start, or ``None`` if pyarrow cannot be trusted."""
        n = len(data)
        if b"\r" in region:
            carriage = np.flatnonzero(data == _CR)
            if carriage[-1] + 1 >= n or np.any(data[carriage + 1] != _NL):
                return None  # a lone \r: a line break pyarrow and numpy count differently
        ends = breaks
        if b'"' in region:
            quotes = np.flatnonzero(data == _QUOTE)
            if not _quotes_are_structure(data, quotes, self._delimiter_byte or 0):
                return None
            ends = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
        starts = np.concatenate(([0], ends + 1))
        if starts[-1] >= n:
            starts = starts[:-1]
        first = data[starts]
        empty = first == _NL
        if b"\r" in region:
            empty |= (first == _CR) & (data[np.minimum(starts + 1, n - 1)] == _NL)
        spaced = (first == _SPACE) | (first == _TAB)
        for i in np.flatnonzero(spaced).tolist() if spaced.any() else ():
            stop = region_line_end(data, int(starts[i]))
            if not bytes(data[int(starts[i]) : stop]).strip(BLANK.encode()):
                return None  # a line of spaces: no row for the splitter, a row for pyarrow
        return starts[~empty] if empty.any() else starts


def region_line_end(data: NDArray[np.uint8], start: int) -> int:
    """The offset of the line break after ``start`` (or the end)."""
    after = np.flatnonzero(data[start:] == _NL)
    return start + int(after[0]) if after.size else len(data)


def _quotes_are_structure(
    data: NDArray[np.uint8], quotes: NDArray[np.intp], delimiter: int
) -> bool:
    """Whether every run of quotes is one the record rule reads as structure.

    Outside a quoted field (an even number of quotes before the run): a run at the start
    of a field opens one (odd length) or is a closed empty one (even length, followed by
    a delimiter or line break); elsewhere it is text of an unquoted field and must have
    even length to keep the count. Inside a quoted field: escaped pairs (even length), or
    pairs and a closing quote followed by a delimiter or line break.
    """
    n = len(data)
    first = np.ones(len(quotes), dtype=bool)
    first[1:] = np.diff(quotes) != 1
    run_index = np.flatnonzero(first)
    run_start = quotes[run_index]
    length = np.diff(np.append(run_index, len(quotes)))
    run_end = run_start + length
    before = data[np.maximum(run_start - 1, 0)]
    after = data[np.minimum(run_end, n - 1)]
    at_field_start = (run_start == 0) | (before == delimiter) | (before == _NL)
    closes = (run_end >= n) | (after == delimiter) | (after == _NL) | (after == _CR)
    even = length % 2 == 0
    outside = run_index % 2 == 0
    fine_outside = np.where(at_field_start, ~even | closes, even)
    fine_inside = even | closes
    return bool(np.all(np.where(outside, fine_outside, fine_inside)))


def _arrow_table(region: bytes, delimiter: str, width: int, wanted: Sequence[int]) -> Any:  # noqa: ANN401 - a pyarrow Table or None
    """Pyarrow's table of the wanted columns (as text), or ``None`` if it found bad rows."""
    import pyarrow as pa  # noqa: PLC0415 - optional dependency
    from pyarrow import csv as pa_csv  # noqa: PLC0415 - optional dependency

    malformed: list[object] = []

    def on_invalid(row: object) -> str:
        malformed.append(row)
        return "skip"

    names = [f"c{i}" for i in range(width)]
    keep = [names[i] for i in dict.fromkeys(wanted)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(region),
            read_options=pa_csv.ReadOptions(
                column_names=names, block_size=max(_ARROW_PIECE, len(region) // 4 + 1)
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(keep, pa.string()),
                include_columns=keep,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    return None if malformed else table
