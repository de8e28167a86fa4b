"""Exact accounting of every CSV reader and engine on generated malformed files.

Files are built from raw pieces (digits, delimiters, stray quotes, line breaks of every
kind, blank lines, a byte-order mark) without quoting them properly, so unclosed quotes,
quoted line breaks, ragged rows and lone carriage returns all occur. A reference
splitter written here, character by character, says which rows the file holds and
which of them must be rejected; ``read_responses``, ``read_scores`` and ``tally_file``
with both engines (and with tiny pyarrow blocks, so records straddle blocks) must agree
with it row for row: rows in = accepted + rejected, and the same rejected lines.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpromoter.io import _blocks as blocks
from netpromoter.io import read_responses, read_scores, tally_file

_SCORE = re.compile(r"0*(?:[0-9]|10)(?:\.0+)?")
_BREAKS = ("\r\n", "\n", "\r")


def _physical_lines(text: str) -> list[str]:
    r"""Lines ending at \n, \r\n or a lone \r (each keeps its break)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$", text)


def _step(state: str, char: str, delimiter: str) -> tuple[str, str, bool]:
    """One character: the next state, the text it adds to the field, whether it ends one.

    States: "start" of a field, "unquoted", "quoted", "quote" (a quote inside quotes).
    """
    if state == "quoted":
        return ("quote", "", False) if char == '"' else ("quoted", char, False)
    if char == delimiter:
        return "start", "", True
    if state == "quote":
        return ("quoted", '"', False) if char == '"' else ("unquoted", char, False)
    if state == "start" and char == '"':
        return "quoted", "", False
    return "unquoted", char, False


def _one_record(lines: list[str], start: int, delimiter: str) -> tuple[list[str], int] | None:
    """The fields of the record starting at ``lines[start]`` and the next line's index.

    ``None`` when a quote opened in it is never closed.
    """
    fields: list[str] = []
    field, state = "", "start"
    for index in range(start, len(lines)):
        body = lines[index].rstrip("\r\n")
        for char in body:
            state, text, ends = _step(state, char, delimiter)
            field += text
            if ends:
                fields.append(field)
                field = ""
        if state != "quoted":
            return [*fields, field], index + 1
        field += lines[index][len(body) :]  # a quoted line break is part of the field
    return None


def reference(text: str, delimiter: str) -> tuple[int, list[int], list[str] | None, list[int]]:
    """Rows, rejected lines, the header, and the lines of the accepted rows."""
    lines = _physical_lines(text.removeprefix("\ufeff"))
    index, header = 0, None
    rows = 0
    rejected: list[int] = []
    accepted: list[int] = []
    while index < len(lines):
        if not lines[index].strip(" \t\r\n"):
            index += 1
            continue
        found = _one_record(lines, index, delimiter)
        if header is None:
            if found is None:
                return 0, [], None, []
            header, index = [h.strip() for h in found[0]], found[1]
            continue
        rows += 1
        line = index + 1
        if found is None:
            rejected.append(line)
            index += 1
            continue
        fields, index = found
        if len(fields) != len(header) or not _SCORE.fullmatch(
            fields[header.index("score")].strip(" \t\r\n\x0b\x0c")
        ):
            rejected.append(line)
        else:
            accepted.append(line)
    return rows, rejected, header, accepted


_PIECES = st.sampled_from(
    ["9", "10", "3", "x", "", " ", '"', '""', ",", "\n", "\r\n", "\r", "7,5", "ab", "\t"]
)


@st.composite
def malformed_csv(draw: st.DrawFn) -> tuple[str, str]:
    r"""A file's text and its delimiter ("\x1f" for a one-column file)."""
    header = draw(st.sampled_from(["score,comment", "score", "id,score,team"]))
    break_ = draw(st.sampled_from(_BREAKS))
    rows = draw(st.lists(st.lists(_PIECES, max_size=6).map("".join), max_size=14))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    tail = draw(st.sampled_from(["", break_]))
    return bom + header + break_ + break_.join(rows) + tail, "," if "," in header else "\x1f"


def _tally(text: str, engine: str, block: int | None) -> tuple[int, list[int], int]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.csv"
        path.write_bytes(text.encode("utf-8"))
        with pytest.MonkeyPatch.context() as patch:
            if block is not None:
                patch.setattr(blocks, "BLOCK_BYTES", block)
            tallied = tally_file(path, engine=engine, progress=False)  # type: ignore[arg-type]
    return tallied.rows_read, [r.line for r in tallied.rejected], tallied.counts.n


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(malformed_csv())
def test_every_reader_accounts_for_every_row(file: tuple[str, str]) -> None:
    """Each reader and engine finds the reference's rows, rejects its lines, and loses none."""
    text, delimiter = file
    rows, rejected, header, accepted = reference(text, delimiter)
    assert header is not None
    read = read_responses(io.StringIO(text), duplicates="keep_all")
    assert (read.rows_read, [r.line for r in read.rejected]) == (rows, rejected)
    assert len(read.responses) == len(accepted) == rows - len(rejected)
    scores = read_scores(io.StringIO(text))
    assert (scores.rows_read, [r.line for r in scores.rejected]) == (rows, rejected)
    assert len(scores.scores) == rows - len(rejected)
    for engine, block in (("csv", None), ("pyarrow", None), ("pyarrow", 7), ("pyarrow", 64)):
        assert _tally(text, engine, block) == (rows, rejected, rows - len(rejected)), engine


@settings(max_examples=100, deadline=None)
@given(malformed_csv())
def test_reading_from_bytes_and_text_agree(file: tuple[str, str]) -> None:
    """A file read as bytes or as text (split at any line break) gives the same report."""
    text, _ = file
    as_text = read_responses(io.StringIO(text), duplicates="keep_all")
    as_bytes = read_responses(io.BytesIO(text.encode("utf-8")), duplicates="keep_all")
    assert as_text.rejected == as_bytes.rejected
    assert as_text.responses == as_bytes.responses
