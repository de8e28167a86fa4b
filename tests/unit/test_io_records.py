"""The record rule's splitter: quoted fields, limits, widths and line breaks."""

from __future__ import annotations

import io

from netpromoter.io._records import Record, Splitter, split_records
from netpromoter.io._source import universal_lines


def _split(text: str, width: int | None = 2, *, max_chars: int = 1 << 20) -> list[Record]:
    lines = io.StringIO(text, newline="")
    return list(split_records(lines, ",", width, first_line=2, max_chars=max_chars))


def test_a_quoted_field_may_span_lines_and_escape_quotes() -> None:
    """A quoted field keeps its line breaks and reads "" as one quote."""
    assert _split('9,"a\r\nsaid ""hi"""\n3,x\n') == [
        Record(2, ["9", 'a\r\nsaid "hi"'], ""),
        Record(4, ["3", "x"], ""),
    ]


def test_a_quote_that_runs_past_the_limit_is_given_up() -> None:
    """Past max_chars a quoted field's row is rejected and the lines after it read again."""
    records = _split('9,"open\n1,a\n2,b\n3,c\n4,d\n', max_chars=12)
    assert records[0].line == 2
    assert records[0].fields is None
    assert "runs on past 12 characters, to line 4" in records[0].problem
    assert [(r.line, r.fields) for r in records[1:]] == [
        (3, ["1", "a"]),
        (4, ["2", "b"]),
        (5, ["3", "c"]),
        (6, ["4", "d"]),
    ]


def test_a_long_unquoted_line_is_no_problem() -> None:
    """The limit applies to quoted fields spanning lines, not to one long line."""
    assert _split("9," + "x" * 100 + "\n", max_chars=12) == [Record(2, ["9", "x" * 100], "")]


def test_the_header_width_checks_rows_already_split() -> None:
    """Rows finished before the width was known are checked when it is set."""
    splitter = Splitter(",", None)
    for number, line in enumerate(["a,b\r", "1\r", "1,2\n"], start=1):
        splitter.feed(number, line)
    splitter.out.popleft()
    splitter.set_width(2)
    assert [(r.line, r.fields is None) for r in splitter.out] == [(2, True), (3, False)]


def test_clean_only_between_records() -> None:
    """The splitter is clean between records, not inside a quoted field."""
    splitter = Splitter(",", 2)
    splitter.feed(1, '1,"a\n')
    assert not splitter.clean
    splitter.feed(2, 'b"\n')
    assert splitter.clean
    assert splitter.out.popleft() == Record(1, ["1", "a\nb"], "")


def test_universal_lines_split_at_a_lone_carriage_return() -> None:
    """Lines from a stream that splits at LF only are split at a lone CR too."""
    assert list(universal_lines(["a\rb\n", "c\r\n", "d\r"])) == ["a\r", "b\n", "c\r\n", "d\r"]
