"""Hostile exports: cells that try to become formulas, rows or broken files.

Every case writes with ``write_csv`` and reads the file back three ways: with the csv
module, by splitting the text at every line break the way a careless importer does, and
with ``read_responses``. No piece may start a formula, and the cells must come back
(neutralised, as documented).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from netpromoter import Response, score
from netpromoter.exceptions import DataFileError, ExportTypeError, InvalidParameterError
from netpromoter.io import neutralise, read_responses, write_csv, write_json

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _formula(piece: str) -> bool:
    return piece.startswith(("=", "+", "-", "@", "\t", "\r")) and not _NUMBER.fullmatch(piece)


CELLS = [
    pytest.param("great\r=cmd|' /C calc'!A0", "great\r'=cmd|' /C calc'!A0", id="bare-cr-formula"),
    pytest.param("ok\n=1+1", "ok\n'=1+1", id="lf-formula"),
    pytest.param("ok\r\n@SUM(A1)", "ok\r\n'@SUM(A1)", id="crlf-at-formula"),
    pytest.param("ok\u2028+cmd", "ok\u2028'+cmd", id="line-separator-formula"),
    pytest.param("ok\x0b-2+3", "ok\x0b'-2+3", id="vertical-tab-formula"),
    pytest.param("ok\x85=x", "ok\x85'=x", id="next-line-formula"),
    pytest.param("ok\n\t=x", "ok\n'\t=x", id="tab-after-break"),
    pytest.param("=1+1", "'=1+1", id="leading-equals"),
    pytest.param("+31 6 12345678", "'+31 6 12345678", id="leading-plus-phone"),
    pytest.param("-north", "'-north", id="leading-minus"),
    pytest.param("@handle", "'@handle", id="leading-at"),
    pytest.param("\t=1", "'\t=1", id="leading-tab"),
    pytest.param("\r=1", "'\r'=1", id="leading-cr"),
    pytest.param("-12.5", "-12.5", id="negative-number-text-kept"),
    pytest.param("ok\n-5", "ok\n-5", id="number-after-break-kept"),
    pytest.param('say "hi", then =go', 'say "hi", then =go', id="quote-and-delimiter"),
    pytest.param("a\r\r\r=b", "a\r\r\r'=b", id="many-bare-crs"),
]


@pytest.mark.parametrize(("cell", "written"), CELLS)
def test_cells_cannot_become_formulas_or_rows(cell: str, written: str) -> None:
    """The cell is quoted, neutralised after every break, and read back whole."""
    out = io.StringIO()
    assert write_csv([{"score": 9, "comment": cell}, {"score": 3, "comment": "x"}], out) == 2
    text = out.getvalue()
    assert neutralise(cell) == written
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows == [["score", "comment"], ["9", written], ["3", "x"]]
    careless = re.split(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text)
    for piece in careless:
        for part in piece.split(","):
            assert not _formula(part.strip('"')), part
    read = read_responses(io.StringIO(text))
    assert [r.comment for r in read.responses] == [written, "x"]


def test_a_formula_header_is_neutralised() -> None:
    """A column named like a formula is neutralised in the header too."""
    out = io.StringIO()
    write_csv([{"=cmd\r@x": "v"}], out)
    assert next(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff")))) == ["'=cmd\r'@x"]


def test_a_blank_single_cell_is_not_a_blank_line() -> None:
    """In a one-column export an empty or blank cell is quoted, so no row is lost."""
    out = io.StringIO()
    write_csv([{"score": ""}, {"score": "  "}, {"score": 9}], out)
    assert out.getvalue().splitlines()[1:] == ['""', '"  "', "9"]
    assert read_responses(io.StringIO(out.getvalue())).rows_read == 3


def test_numbers_stay_numbers_and_nan_is_empty() -> None:
    """Negative numbers are not neutralised; NaN and infinity become empty cells."""
    out = io.StringIO()
    write_csv([{"nps": -12.5, "n": -3, "x": math.nan, "y": math.inf}], out)
    assert out.getvalue().splitlines()[1] == "-12.5,-3,,"


@pytest.mark.parametrize("delimiter", ['"', "\n", "", ";;"])
def test_a_delimiter_that_breaks_the_file_is_refused(delimiter: str) -> None:
    """A delimiter that is a quote, a line break or not one character is refused."""
    with pytest.raises(InvalidParameterError, match="delimiter"):
        write_csv([{"a": 1}], io.StringIO(), delimiter=delimiter)


def test_semicolon_delimiter_quotes_semicolons() -> None:
    """With ';' as delimiter a cell holding ';' is quoted and reads back whole."""
    out = io.StringIO()
    write_csv([{"score": 9, "comment": "a;b"}], out, delimiter=";")
    assert read_responses(io.StringIO(out.getvalue())).responses[0].comment == "a;b"


@pytest.mark.parametrize("data", [42, "text", b"bytes", [1, 2], object()])
def test_unexportable_data_is_a_typed_error(data: object) -> None:
    """What cannot be exported is an ExportTypeError, also a TypeError, naming the type."""
    for write in (write_csv, write_json):
        with pytest.raises(ExportTypeError, match="cannot export a") as info:
            write(data, io.StringIO())
        assert isinstance(info.value, TypeError)


def test_writing_to_a_directory_is_a_data_file_error(tmp_path: Path) -> None:
    """An export path that is a directory is a DataFileError naming it."""
    for write in (write_csv, write_json):
        with pytest.raises(DataFileError, match="cannot be written"):
            write([{"a": 1}], tmp_path)


def test_writing_into_a_missing_folder_is_file_not_found(tmp_path: Path) -> None:
    """An export into a folder that does not exist is the builtin FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        write_csv([{"a": 1}], tmp_path / "no" / "such.csv")


@pytest.mark.parametrize(
    ("options", "text"),
    [
        ({"respondent_ids": "hash"}, "respondent_ids must be"),
        ({"key": "short"}, "key is 5 bytes"),
        ({"key": 12345}, "key must be str or bytes"),
    ],
)
def test_bad_id_options(options: dict[str, object], text: str) -> None:
    """Unknown id policies and weak keys are InvalidParameterErrors."""
    rows = [Response(score=9, respondent_id="r1")]
    for write in (write_csv, write_json):
        with pytest.raises(InvalidParameterError, match=text):
            write(rows, io.StringIO(), **options)  # type: ignore[arg-type]


def test_json_export_is_valid_json_whatever_the_text() -> None:
    """Control characters, NaN and dates come out as valid JSON."""
    when = datetime(2026, 1, 5, tzinfo=timezone.utc)
    out = io.StringIO()
    write_json(
        [{"comment": "\x00\x1b[31m\u2028", "nps": math.nan, "when": when}, score([10, 6])], out
    )
    data = json.loads(out.getvalue())
    assert data[0] == {"comment": "\x00\x1b[31m\u2028", "nps": None, "when": when.isoformat()}
    assert data[1]["nps"] == 0.0
