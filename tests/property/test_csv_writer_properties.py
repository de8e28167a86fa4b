"""The CSV writing rule: any text survives a round trip, and no line can start a formula."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter.io import neutralise, read_responses, write_csv
from netpromoter.io._source import csv_table

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
_TEXT = st.one_of(
    st.text(_CHARS, max_size=25),
    st.tuples(
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "'", '"', " ", "\x85"]),
        st.text(_CHARS, max_size=12),
        st.sampled_from(["", "\r=1+1", "\n@x", "\r\n-cmd", "\u2028+1", "\x0b=2"]),
    ).map("".join),
)


def _starts_a_formula(text: str) -> bool:
    return text.startswith(_TRIGGERS) and not _NUMBER.fullmatch(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=4), st.sampled_from([",", ";", "\t", "|"]))
def test_cells_read_back_and_start_no_formula(cells: list[str], delimiter: str) -> None:
    """Any cells read back as neutralised; no cell, nor line of a cell, starts a formula."""
    record = {f"c{i}": cell for i, cell in enumerate(cells)}
    out = io.StringIO()
    write_csv([record], out, delimiter=delimiter)
    text = out.getvalue().removeprefix("\ufeff")
    expected = [neutralise(cell) for cell in cells]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert rows == [list(record), expected]
    table = csv_table(io.StringIO(text, newline=""), delimiter, name="x", expected="cells")
    assert [fields for _, fields, _ in table.records] == [expected]
    for cell in rows[1]:
        assert not _starts_a_formula(cell)
        assert not any(_starts_a_formula(line) for line in cell.splitlines())


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_comments_read_back_by_read_responses(comment: str) -> None:
    """A comment written with write_csv is read back by read_responses, neutralised."""
    out = io.StringIO()
    write_csv([{"score": 9, "comment": comment}, {"score": 3, "comment": "x"}], out)
    read = read_responses(io.StringIO(out.getvalue()))
    assert read.rejected == ()
    written = neutralise(comment)
    assert read.responses[0].comment == (written if written.strip() else None)
    assert [r.score for r in read.responses] == [9, 3]
