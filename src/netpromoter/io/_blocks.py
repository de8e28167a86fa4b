r"""The pyarrow CSV engine: pyarrow's parser on regions the record rule vouches for.

The file is read in blocks of bytes. Each block is cut after the last line break that
ends a record: a line break ends one when an even number of quotes precedes it. That
count equals the record rule of [`netpromoter.io._records`][netpromoter.io._records]
exactly when every run of quotes in the region is one the rule reads as structure (an
opening quote at the start of a field, escaped ``""`` pairs, a closing quote before a
delimiter or line break). Worker threads check that with numpy, with the rest of what
pyarrow and the rule could disagree on (a lone ``\r`` line break, a line of only spaces,
bytes that are not UTF-8), and parse the regions that pass; a record's line is known
from the positions of the line breaks.

Anything else (a stray quote, a quote never closed, a lone ``\r``, a line of spaces, a
row with the wrong number of fields, a record pyarrow cannot take) is read by the
standard-library splitter: a region whose quotes are in order exactly (its end is then
the end of a record), else everything from the region's first line on until the
splitter is between two records again. Both paths count, number and reject rows
identically.
"""

from __future__ import annotations

import io
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import numpy as np

from netpromoter.exceptions import DataFileError
from netpromoter.io._records import BLANK, MAX_RECORD_CHARS, Record, Splitter
from netpromoter.io._source import (
    check_delimiter,
    line_breaks,
    sniff_delimiter,
    undecodable_message,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from numpy.typing import NDArray

#: Bytes read per block. The engine holds a few blocks and pyarrow's tables of them, so
#: this bounds memory.
BLOCK_BYTES = 4 << 20
#: Regions checked and parsed at once, each on a thread of its own.
_WORKERS = 2
#: Lines walked back from a block's end to find where a record ends, before numpy
#: finds it for the whole block.
_WALK = 64
_NL, _CR, _QUOTE, _SPACE, _TAB = 10, 13, 34, 32, 9
_BOM = b"\xef\xbb\xbf"


class ArrowRegion(NamedTuple):
    """Records parsed by pyarrow: a table of the wanted columns, and each record's line."""

    table: Any
    lines: NDArray[np.int64]

    def line(self, i: int) -> int:
        """The line record ``i`` starts on."""
        return int(self.lines[i])


class _Parsed(NamedTuple):
    """A region after a worker: pyarrow's table, or why the splitter must read it.

    ``table`` is ``None`` when the splitter must read the region: exactly the region
    when its quotes are in order (``rewind`` false), else from its start on.
    """

    data: bytes
    lines: int
    table: Any
    breaks: Any
    record_lines: Any  # per record of the table, its line counted from the region's first
    rewind: bool = False
    undecodable: UnicodeDecodeError | None = None


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
            raise self._undecodable(data, exc) from exc

    def _undecodable(self, data: bytes, exc: UnicodeDecodeError) -> DataFileError:
        """The error of bytes that are not UTF-8, naming their line (from ``self.line``)."""
        line = self.line + line_breaks(data[: exc.start].decode("utf-8"))
        return DataFileError(undecodable_message(self.name, "utf-8", exc, line), path=self.name)

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

    def regions(
        self, wanted: Sequence[int], encoded: Sequence[int] = ()
    ) -> Iterator[ArrowRegion | list[Record]]:
        """Everything after the header, in file order: pyarrow regions or records.

        Worker threads check and parse the next regions while the caller counts the
        current one; the splitter's records come as lists. The ``encoded`` columns of a
        region's table are dictionary-encoded text (pyarrow encodes them as it parses),
        the other wanted columns text.
        """
        pending: deque[Future[_Parsed]] = deque()
        width = len(self.header)
        if self.splitter.out or not self.splitter.clean:  # the header's last line held more
            yield self._python(0)
        with ThreadPoolExecutor(max_workers=_WORKERS) as workers:
            while True:
                self._fill(BLOCK_BYTES)
                end = None
                if self.buffer and self._delimiter_byte is not None:
                    end = self._region_end()
                if end is None:
                    if pending:  # settle what was cut before: the buffer may grow back
                        yield self._settle(pending)
                        continue
                    if not self.buffer:
                        break
                    yield self._python(len(self.buffer) if self.eof else 1)
                    continue
                data = self._take(end)
                delimiter_byte = self._delimiter_byte or 0
                pending.append(
                    workers.submit(
                        _parse_region,
                        data,
                        self.delimiter,
                        delimiter_byte,
                        width,
                        (wanted, encoded),
                    )
                )
                if len(pending) > _WORKERS:
                    yield self._settle(pending)
        self.splitter.finish()
        if self.splitter.out:
            yield self._drain()

    def _settle(self, pending: deque[Future[_Parsed]]) -> ArrowRegion | list[Record]:
        """The first pending region, numbered; read by the splitter if pyarrow could not.

        A region whose quotes are not in order may not end where a record ends: it and
        every region cut after it go back into the buffer, and the splitter reads on
        from its first line until it is between records.
        """
        parsed = pending.popleft().result()
        if parsed.undecodable is not None:
            raise self._undecodable(parsed.data, parsed.undecodable)
        if parsed.rewind:
            later = [future.result().data for future in pending]
            pending.clear()
            back = parsed.data + b"".join(later)
            self.buffer = back + self.buffer
            self.consumed -= len(back)
            return self._python(len(parsed.data))
        first = self.line
        if parsed.table is not None:
            self.line += parsed.lines
            return ArrowRegion(parsed.table, first + parsed.record_lines)
        splitter = Splitter(self.delimiter, len(self.header))
        lines = io.StringIO(parsed.data.decode("utf-8"), newline="")
        for number, piece in enumerate(lines, start=first):  # a lone \r ends a line too
            splitter.feed(number, piece)
            self.line = number + 1
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
            buffer = self.buffer
            if b'"' not in buffer:  # no quotes: every line break ends a record
                if self.eof:
                    return len(buffer)
                last = buffer.rfind(b"\n")
                if last >= 0:
                    return last + 1
            else:
                data = np.frombuffer(buffer, dtype=np.uint8)
                if self.eof:
                    return len(buffer) if np.count_nonzero(data == _QUOTE) % 2 == 0 else None
                end = _last_record_end(buffer, data)
                if end is not None:
                    return end
            if len(buffer) > MAX_RECORD_CHARS:
                return None
            self._fill(2 * len(buffer))


def _last_record_end(buffer: bytes, data: NDArray[np.uint8]) -> int | None:
    """The offset after the last line break preceded by an even number of quotes."""
    at = buffer.rfind(b"\n")
    if at < 0:
        return None
    odd = int(np.count_nonzero(data[:at] == _QUOTE)) % 2
    for _ in range(_WALK):
        if not odd:
            return at + 1
        before = buffer.rfind(b"\n", 0, at)
        if before < 0:
            return None
        odd ^= buffer.count(b'"', before, at) % 2
        at = before
    breaks = np.flatnonzero(data == _NL)
    quotes = np.flatnonzero(data == _QUOTE)
    ends = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
    return int(ends[-1]) + 1 if ends.size else None


def _parse_region(
    data: bytes,
    delimiter: str,
    delimiter_byte: int,
    width: int,
    columns: tuple[Sequence[int], Sequence[int]],
) -> _Parsed:
    """Check a region and parse it with pyarrow (on a worker thread)."""
    array = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(array == _NL)
    lines = len(breaks) + (0 if data.endswith(b"\n") else 1)
    try:
        data.decode("utf-8")  # every byte must be UTF-8, in every column
    except UnicodeDecodeError as exc:
        return _Parsed(data, lines, None, breaks, None, undecodable=exc)
    ends = breaks
    if b'"' in data:
        quotes = np.flatnonzero(array == _QUOTE)
        if not _quotes_are_structure(array, quotes, delimiter_byte):
            return _Parsed(data, lines, None, breaks, None, rewind=True)
        ends = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
    starts = _record_starts(array, ends, data)
    if starts is None:
        return _Parsed(data, lines, None, breaks, None)
    table = _arrow_table(data, delimiter, width, *columns)
    if table is not None and table.num_rows != len(starts):
        table = None
    # The line of each record, counted from the region's first: the line breaks before it.
    before = None if table is None else np.searchsorted(breaks, starts).astype(np.int64)
    return _Parsed(data, lines, table, breaks, before)


def _record_starts(data: NDArray[np.uint8], ends: NDArray[np.intp], region: bytes) -> Any:  # noqa: ANN401 - an index array or None
    r"""The offsets where records start, given the line breaks that end records.

    ``None`` when pyarrow and the record rule would differ: a lone ``\r`` line break,
    or a line of only spaces or tabs (no row for the rule, a row for pyarrow). Empty
    lines are no rows for either.
    """
    n = len(data)
    carriage = b"\r" in region
    if carriage:
        positions = np.flatnonzero(data == _CR)
        if positions[-1] + 1 >= n or np.any(data[positions + 1] != _NL):
            return None
    starts = np.concatenate(([0], ends + 1))
    if starts[-1] >= n:
        starts = starts[:-1]
    heads = data[starts]
    empty = heads == _NL
    if carriage:
        empty |= (heads == _CR) & (data[np.minimum(starts + 1, n - 1)] == _NL)
    spaced = (heads == _SPACE) | (heads == _TAB)
    for i in np.flatnonzero(spaced).tolist() if spaced.any() else ():
        start = int(starts[i])
        stop = region.find(b"\n", start)
        if not region[start : stop if stop >= 0 else n].strip(BLANK.encode()):
            return None
    return starts[~empty] if empty.any() else starts


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
    before = data[np.maximum(quotes - 1, 0)]
    after = data[np.minimum(quotes + 1, n - 1)]
    first = before != _QUOTE
    first[quotes == 0] = True
    last = after != _QUOTE
    last[quotes == n - 1] = True
    run_first = np.flatnonzero(first)
    run_last = np.flatnonzero(last)
    even = (run_last - run_first) % 2 == 1
    opening = before[run_first]
    at_field_start = (opening == delimiter) | (opening == _NL) | (quotes[run_first] == 0)
    closing = after[run_last]
    closes = (closing == delimiter) | (closing == _NL) | (closing == _CR)
    closes |= quotes[run_last] == n - 1
    outside = run_first % 2 == 0
    fine_outside = np.where(at_field_start, ~even | closes, even)
    fine_inside = even | closes
    return bool(np.all(np.where(outside, fine_outside, fine_inside)))


def _arrow_table(
    region: bytes, delimiter: str, width: int, wanted: Sequence[int], encoded: Sequence[int]
) -> Any:  # noqa: ANN401 - a pyarrow Table or None
    """Pyarrow's table of the wanted columns, or ``None`` if it found bad rows.

    The ``encoded`` columns are dictionary-encoded text, the others text. One region is
    parsed on one thread: regions are parsed side by side instead.
    """
    import pyarrow as pa  # noqa: PLC0415 - optional dependency
    from pyarrow import csv as pa_csv  # noqa: PLC0415 - optional dependency

    malformed: list[object] = []

    def on_invalid(row: object) -> str:
        malformed.append(row)
        return "skip"

    names = [f"c{i}" for i in range(width)]
    keep = [names[i] for i in dict.fromkeys(wanted)]
    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {names[i]: dictionary if i in encoded else pa.string() for i in dict.fromkeys(wanted)}
    try:
        table = pa_csv.read_csv(
            io.BytesIO(region),
            read_options=pa_csv.ReadOptions(
                column_names=names, block_size=len(region) + 1, use_threads=False
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=b'"' in region,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                include_columns=keep,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    return None if malformed else table
