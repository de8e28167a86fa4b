r"""Splitting delimited text into records: one rule for every CSV reader and engine.

The rule (RFC 4180 with the leniency of spreadsheets' own exports):

- Lines end at ``\n``, ``\r\n`` or a lone ``\r``; line 1 is the header.
- A line holding nothing but spaces and tabs (or nothing) between records is no row: it
  is skipped and not counted.
- A field that starts with ``"`` is quoted: it runs to the next lone ``"``, may span
  lines, and ``""`` inside it stands for one ``"``; characters after its closing quote
  up to the delimiter are kept as they are (``"ab"c`` reads ``abc``). A ``"`` inside an
  unquoted field is an ordinary character (``27" monitor``).
- A quote that is never closed does not swallow the rest of the file: at the end of the
  file, or once the quoted field has grown past
  [`MAX_RECORD_CHARS`][netpromoter.io._records.MAX_RECORD_CHARS], the row where it was
  opened is rejected ("a quote opened on this line is never closed") and the lines after
  it are read again as rows of their own.
- A row whose number of fields differs from the header's is rejected as a whole.

So every non-blank line is accounted for: it starts a row that is accepted or rejected
(with that line's number), or it belongs to a quoted field of such a row. Nothing here
depends on the csv module's global field size limit.
"""

from __future__ import annotations

import re
from collections import deque
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

#: A quoted field may grow to this many characters (32 Mi, spread over any number of
#: lines) before its quote is taken to be one that is never closed.
MAX_RECORD_CHARS = 32 << 20
#: Characters of a line that make it blank (besides its line break).
BLANK = " \t\r\n"
_QUOTED = re.compile(r'(?:[^"]|"")*')


class Record(NamedTuple):
    """One row of a delimited file.

    Attributes:
        line: The line the row starts on (the header is line 1).
        fields: The row's fields, or ``None`` when the row is malformed.
        problem: Why the row is malformed (empty when it is not).
    """

    line: int
    fields: list[str] | None
    problem: str = ""


def unterminated(line: int, end: int, *, limit: int | None = None) -> str:
    """The reason given for a row whose quote is never closed (``limit``: chars exceeded)."""
    how = (
        f"it would run to the end of the file, line {end}"
        if limit is None
        else f"it runs on past {limit:,} characters, to line {end}"
    )
    return (
        f"opens a quote that is never closed ({how}); close it, or double a quote "
        f'inside text as ""; the lines after line {line} are read as rows of their own'
    )


class Splitter:
    """The record rule as a push parser: feed it lines, collect finished records.

    Feeding is by physical line (each with its line break, as a text file opened with
    ``newline=""`` yields them). ``clean`` says whether every line fed so far belongs to
    a finished record, which is where a reader may switch to another parser.
    """

    def __init__(
        self, delimiter: str, width: int | None, *, max_chars: int = MAX_RECORD_CHARS
    ) -> None:
        self.delimiter = delimiter
        self.width = width
        self.max_chars = max_chars
        self._unquoted = re.compile(f"[^{re.escape(delimiter)}\\r\\n]*")
        self._lines: list[tuple[int, str]] = []  # lines of the open record
        self._chars = 0
        self._fields: list[str] = []
        self._piece: list[str] = []
        self._quoted = False
        self._pending: deque[tuple[int, str]] = deque()
        self.out: deque[Record] = deque()

    def set_width(self, width: int) -> None:
        """Set the header's width, checking the records already finished against it."""
        self.width = width
        finished = list(self.out)
        self.out.clear()
        for line, fields, problem in finished:
            if fields is None:
                self.out.append(Record(line, None, problem))
            else:
                self._finish(line, fields)

    @property
    def clean(self) -> bool:
        """Whether no record is open."""
        return not self._lines and not self._pending

    def feed(self, number: int, line: str) -> None:
        """Add one physical line (with its line break); finished records go to ``out``."""
        self._line(number, line)
        if self._pending:
            self._drain()

    def finish(self) -> None:
        """Close the input: a record still open has a quote that is never closed."""
        self._drain()
        while self._lines:
            self._give_up(self._lines[-1][0], limit=None)
            self._drain()

    def _drain(self) -> None:
        """Read again the lines a record that was given up had taken."""
        while self._pending:
            self._line(*self._pending.popleft())

    def _line(self, number: int, line: str) -> None:
        if not self._lines:
            if not line.strip(BLANK):
                return
            if '"' not in line:  # the common case: a whole record on one line
                self._finish(number, line.rstrip("\r\n").split(self.delimiter))
                return
        self._lines.append((number, line))
        self._chars += len(line)
        if self._scan(line):
            start = self._lines[0][0]
            self._reset()
            self._finish(start, self._take_fields())
        elif self._chars > self.max_chars:
            self._give_up(number, limit=self.max_chars)

    def _give_up(self, end: int, *, limit: int | None) -> None:
        """Reject the open record's first line and read the lines after it again."""
        (start, _), *rest = self._lines
        self._reset()
        self._take_fields()
        self.out.append(Record(start, None, unterminated(start, end, limit=limit)))
        self._pending.extendleft(reversed(rest))

    def _reset(self) -> None:
        self._lines = []
        self._chars = 0
        self._quoted = False

    def _take_fields(self) -> list[str]:
        fields, self._fields, self._piece = self._fields, [], []
        return fields

    def _finish(self, line: int, fields: list[str]) -> None:
        if self.width is not None and len(fields) != self.width:
            problem = (
                f"has {len(fields)} fields where the header has {self.width}; check the "
                "delimiter and quoting"
            )
            self.out.append(Record(line, None, problem))
        else:
            self.out.append(Record(line, fields))

    def _scan(self, line: str) -> bool:
        """Parse one line into the open record; ``True`` when the record ends with it."""
        position, end, piece = 0, len(line), self._piece
        while True:
            if self._quoted:
                body = _QUOTED.match(line, position)
                piece.append(body.group().replace('""', '"'))  # type: ignore[union-attr]
                position = body.end()  # type: ignore[union-attr]
                if position >= end:
                    return False  # the quoted field goes on on the next line
                self._quoted = False
                position += 1  # the closing quote; what follows it is kept as it is
            elif position < end and line[position] == '"':
                self._quoted = True
                position += 1
                continue
            rest = self._unquoted.match(line, position)
            piece.append(rest.group())  # type: ignore[union-attr]
            position = rest.end()  # type: ignore[union-attr]
            if position < end and line[position] == self.delimiter:
                self._fields.append("".join(piece))
                piece.clear()
                position += 1
                continue
            self._fields.append("".join(piece))
            piece.clear()
            return True


def split_records(
    lines: Iterable[str],
    delimiter: str,
    width: int | None,
    *,
    first_line: int = 1,
    max_chars: int = MAX_RECORD_CHARS,
) -> Iterator[Record]:
    r"""The records of a sequence of physical lines, numbered from ``first_line``.

    Examples:
        >>> text = 'score,comment\n9,"unclosed\n3,x\n\n10,"a\nb"\n'
        >>> for record in split_records(text.splitlines(keepends=True), ",", 2):
        ...     print(record.line, record.fields or record.problem[:33])
        1 ['score', 'comment']
        2 ['9', 'unclosed\n3,x\n\n10,a']
        6 has 1 fields where the header has
        >>> text = 'score,comment\n9,"unclosed\n3,x\n\n10,y\n'
        >>> for record in split_records(text.splitlines(keepends=True), ",", 2):
        ...     print(record.line, record.fields or record.problem[:33])
        1 ['score', 'comment']
        2 opens a quote that is never close
        3 ['3', 'x']
        5 ['10', 'y']
    """
    splitter = Splitter(delimiter, width, max_chars=max_chars)
    number = first_line - 1
    for number, line in enumerate(lines, start=first_line):
        splitter.feed(number, line)
        while splitter.out:
            yield splitter.out.popleft()
    splitter.finish()
    yield from splitter.out
