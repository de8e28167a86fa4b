"""Hostile files: every reader and engine accounts for every row, or raises a typed error.

Each accounting case is read by ``read_responses``, ``read_columns``, ``read_scores``, and
``tally_file`` with both engines; all five must report the same rows, the same rejected
lines and the same accepted scores. Each error case must raise the named error, with the named text,
from every reader that can open the file.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from netpromoter.exceptions import DataFileError, InvalidParameterError, NetPromoterError
from netpromoter.io import read_columns, read_responses, read_scores, tally_file

MEGABYTE = 1 << 20


@dataclass(frozen=True)
class Rows:
    """What a file must give: its rows, the lines rejected, the scores accepted."""

    rows: int
    rejected: tuple[int, ...]
    scores: tuple[int, ...]


ACCOUNTING = [
    pytest.param(
        b'score,comment\n9,"unterminated\n3,x\n10,y\n2,z\n',
        Rows(4, (2,), (3, 10, 2)),
        id="unclosed-quote-rejects-its-row-and-rereads-the-rest",
    ),
    pytest.param(b'score\n9\n""\n3\n', Rows(3, (3,), (9, 3)), id="quoted-empty-answer"),
    pytest.param(b"score\n9\n\n   \n\t\n3\n", Rows(2, (), (9, 3)), id="blank-lines-are-no-rows"),
    pytest.param(
        b'score,comment\n9,"' + b"x" * MEGABYTE + b'"\n3,ok\n',
        Rows(2, (), (9, 3)),
        id="one-megabyte-quoted-comment",
    ),
    pytest.param(
        b"score,comment\n9," + b"y" * MEGABYTE + b"\n3,ok\n",
        Rows(2, (), (9, 3)),
        id="one-megabyte-unquoted-comment",
    ),
    pytest.param(
        b'score,comment\n9,"a\nb\nc"\nten,x\n',
        Rows(2, (5,), (9,)),
        id="line-of-a-bad-score-after-a-quoted-line-break",
    ),
    pytest.param(
        b'score,comment\r\n9,"a\r\nb"\r\n11,x\r\n',
        Rows(2, (4,), (9,)),
        id="crlf-with-quoted-crlf",
    ),
    pytest.param(
        b"score,comment\r9,a\r10,b\rx,c\r", Rows(3, (4,), (9, 10)), id="lone-cr-line-breaks"
    ),
    pytest.param(
        b"\xef\xbb\xbfscore;comment\r\n9;a\r\n7;b\r\n",
        Rows(2, (), (9, 7)),
        id="bom-semicolon-crlf",
    ),
    pytest.param(b'score,comment\n9,5" x\n3,x\n', Rows(2, (), (9, 3)), id="stray-quote-in-text"),
    pytest.param(b'score,comment\n9,"ab"cd\n', Rows(1, (), (9,)), id="text-after-closing-quote"),
    pytest.param(
        b"score,comment\n9,a,b\n3\n10,c\n", Rows(3, (2, 3), (10,)), id="ragged-rows-both-ways"
    ),
    pytest.param(b"score,comment\n,,,\n", Rows(1, (2,), ()), id="only-delimiters"),
    pytest.param(
        b"score,comment\n9," + b",".join([b"x"] * 10_000) + b"\n",
        Rows(1, (2,), ()),
        id="ten-thousand-fields",
    ),
    pytest.param(b"score,comment\n9,x", Rows(1, (), (9,)), id="no-final-line-break"),
    pytest.param(b"score,comment\n", Rows(0, (), ()), id="header-only"),
    pytest.param(b"\n\n  \nscore\n9\n", Rows(1, (), (9,)), id="blank-lines-before-header"),
    pytest.param(
        b'"sc""ore",score\n1,9\n', Rows(1, (), (9,)), id="quoted-header-with-escaped-quote"
    ),
    pytest.param(
        b'score,comment\n9,"never closed\n"\n10,ok\n',
        Rows(2, (), (9, 10)),
        id="quote-closed-on-a-line-of-its-own",
    ),
    pytest.param(
        b'score,comment\n9,x\n3,"open\n10,y\n8,"z"\n',
        Rows(2, (), (9, 3)),
        id="quote-closed-by-a-later-quote",
    ),
    pytest.param(b"score\n9\x00\n3\n", Rows(2, (2,), (3,)), id="nul-byte-in-a-score"),
    pytest.param(b"score\n\xc2\xa09\n", Rows(1, (2,), ()), id="no-break-space-padding"),
    pytest.param(b"score\n 9 \n\t10\t\n", Rows(2, (), (9, 10)), id="ascii-padding-ignored"),
    pytest.param(b"score\n1_0\n", Rows(1, (2,), ()), id="score-1_0"),
    pytest.param(b"score\n+9\n", Rows(1, (2,), ()), id="score-plus-sign"),
    pytest.param(b"score\n-0\n", Rows(1, (2,), ()), id="score-minus-zero"),
    pytest.param("score\n٩\n".encode(), Rows(1, (2,), ()), id="score-arabic-indic-digit"),
    pytest.param("score\n１０\n".encode(), Rows(1, (2,), ()), id="score-fullwidth-digits"),
    pytest.param(b"score\n0x9\n", Rows(1, (2,), ()), id="score-hexadecimal"),
    pytest.param(b"score\n9e0\n", Rows(1, (2,), ()), id="score-exponent"),
    pytest.param(b"score\n1e1\n", Rows(1, (2,), ()), id="score-exponent-ten"),
    pytest.param(b"score\ninf\nnan\n", Rows(2, (2, 3), ()), id="score-inf-nan"),
    pytest.param(b"score\n9.\n.9\n", Rows(2, (2, 3), ()), id="score-bare-decimal-point"),
    pytest.param(b"score\n9.0\n09\n10.00\n", Rows(3, (), (9, 9, 10)), id="score-plain-forms"),
    pytest.param(b"score\n" + b"9" * 5000 + b"\n", Rows(1, (2,), ()), id="score-5000-digits"),
    pytest.param(b"score\n7,5\n", Rows(1, (2,), ()), id="score-decimal-comma-one-column"),
]


def _read_all(path: Path) -> dict[str, tuple[int, list[int], list[int]]]:
    """Rows, rejected lines and accepted scores from every reader and engine."""
    read = read_responses(path, duplicates="keep_all")
    scores = read_scores(path)
    columns = read_columns(path, duplicates="keep_all")
    out = {
        "read_columns": (
            columns.rows_read,
            [r.line for r in columns.rejected],
            list(columns.data["score"]),
        ),
        "read_responses": (
            read.rows_read,
            [r.line for r in read.rejected],
            [r.score for r in read.responses],
        ),
        "read_scores": (
            scores.rows_read,
            [r.line for r in scores.rejected],
            scores.scores.tolist(),
        ),
    }
    for engine in ("csv", "pyarrow"):
        tallied = tally_file(path, engine=engine, progress=False)
        counted = [s for s, n in enumerate(tallied.counts.count) for _ in range(n)]
        out[engine] = (tallied.rows_read, [r.line for r in tallied.rejected], counted)
    return out


@pytest.mark.parametrize(("content", "expected"), ACCOUNTING)
def test_every_reader_accounts_for_every_row(
    tmp_path: Path, content: bytes, expected: Rows
) -> None:
    """Rows read = accepted + rejected, the same lines and scores from every reader."""
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    want = (expected.rows, list(expected.rejected), sorted(expected.scores))
    for reader, (rows, rejected, scores) in _read_all(path).items():
        assert (rows, rejected, sorted(scores)) == want, reader
        assert rows == len(scores) + len(rejected), reader


ERRORS = [
    pytest.param(b"", "csv", DataFileError, "the file is empty", id="empty-file"),
    pytest.param(b"\n \n\t\n", "csv", DataFileError, "the file is empty", id="only-blank-lines"),
    pytest.param(
        b'"score,comment\n9,x\n', "csv", DataFileError, "header (line 1)", id="unclosed-header"
    ),
    pytest.param(b"a,b\n1,2\n", "csv", DataFileError, "column", id="no-score-column"),
    pytest.param(b"sep=;\nscore;x\n9;a\n", "csv", DataFileError, "column", id="excel-sep-line"),
    pytest.param(
        "score,opmerking\n9,ok\n9,café\n".encode("latin-1"),
        "csv",
        DataFileError,
        "line 3: not valid utf-8",
        id="latin-1-names-the-line",
    ),
    pytest.param("score\n9\n".encode("utf-16"), "csv", DataFileError, "not valid utf", id="utf-16"),
    pytest.param(
        b"score\n9\n", "parquet", DataFileError, "not a readable Parquet file", id="csv-as-parquet"
    ),
    pytest.param(b"", "parquet", DataFileError, "not a readable Parquet file", id="empty-parquet"),
    pytest.param(
        b"PAR1\x00\x00PAR1", "parquet", DataFileError, "Parquet", id="damaged-parquet-footer"
    ),
]


@pytest.mark.parametrize(("content", "suffix", "error", "text"), ERRORS)
def test_unreadable_files_raise_typed_errors(
    tmp_path: Path, content: bytes, suffix: str, error: type[Exception], text: str
) -> None:
    """A file that cannot be read gives the named error, naming the file, from every reader."""
    path = tmp_path / f"hostile.{suffix}"
    path.write_bytes(content)
    readers: list[Callable[[], object]] = [
        lambda: read_responses(path),
        lambda: read_columns(path),
        lambda: tally_file(path, engine="csv", progress=False),
        lambda: tally_file(path, engine="pyarrow", progress=False),
    ]
    if suffix == "csv":
        readers.append(lambda: read_scores(path))
    for read in readers:
        with pytest.raises(error) as info:
            read()
        assert text.lower() in str(info.value).lower()
        assert str(path) in str(info.value)


def test_a_directory_is_named(tmp_path: Path) -> None:
    """A directory given as a file is a DataFileError that says so, from every reader."""
    folder = tmp_path / "answers.parquet"
    folder.mkdir()
    readers: list[Callable[[], object]] = [
        lambda: read_responses(tmp_path),
        lambda: read_scores(tmp_path),
        lambda: tally_file(tmp_path, progress=False),
        lambda: read_responses(folder),
        lambda: tally_file(folder, progress=False),
    ]
    for read in readers:
        with pytest.raises(DataFileError, match="is a directory"):
            read()


def test_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    """A missing file is the builtin FileNotFoundError, from every reader and format."""
    missing = [tmp_path / name for name in ("nope.csv", "nope.jsonl", "nope.parquet")]
    readers: list[Callable[[], object]] = [
        *(functools.partial(read_responses, path) for path in missing),
        functools.partial(read_scores, missing[0]),
        functools.partial(tally_file, missing[0], progress=False),
        functools.partial(tally_file, missing[2], progress=False),
    ]
    for read in readers:
        with pytest.raises(FileNotFoundError):
            read()


@pytest.mark.parametrize(
    ("delimiter", "reader"),
    [
        pytest.param('"', "read_responses", id="quote-as-delimiter"),
        pytest.param("", "read_responses", id="empty-delimiter"),
        pytest.param(",;", "tally_file", id="two-character-delimiter"),
        pytest.param("\n", "tally_file", id="line-break-delimiter"),
    ],
)
def test_bad_delimiters(tmp_path: Path, delimiter: str, reader: str) -> None:
    """A delimiter that cannot split fields is an InvalidParameterError naming it."""
    path = tmp_path / "d.csv"
    path.write_text("score\n9\n", encoding="utf-8")
    read: Callable[[], object] = (
        (lambda: read_responses(path, delimiter=delimiter))
        if reader == "read_responses"
        else (lambda: tally_file(path, delimiter=delimiter, progress=False))
    )
    with pytest.raises(InvalidParameterError, match="delimiter must be one character") as info:
        read()
    assert info.value.value == delimiter


def test_unknown_encoding(tmp_path: Path) -> None:
    """An encoding Python does not know is an InvalidParameterError naming it."""
    path = tmp_path / "e.csv"
    path.write_text("score\n9\n", encoding="utf-8")
    with pytest.raises(InvalidParameterError, match="unknown encoding 'klingon'"):
        read_responses(path, encoding="klingon")


JSONL = [
    pytest.param(
        '{"score": 3}\n{"score": 11, "score": 9}\n',
        [(2, "repeats the key 'score'")],
        id="repeated-key-hides-a-value",
    ),
    pytest.param(
        '{"score": 3}\n{"score": 9, "x": {"a": 1, "a": 2}}\n',
        [(2, "repeats the key 'a'")],
        id="repeated-key-in-a-nested-object",
    ),
    pytest.param(
        '{"score": 3}\n' + "[" * 100_000 + "]" * 100_000 + "\n",
        [(2, "")],
        id="nested-too-deeply",
    ),
    pytest.param(
        '{"score": NaN}\n{"score": Infinity}\n{"score": 9, "spend": Infinity}\n',
        [(1, "missing NPS score"), (2, "expected an integer from 0 to 10"), (3, "not an amount")],
        id="nan-and-infinity",
    ),
    pytest.param(
        '{"score": "1_0"}\n{"score": 1e1}\n{"score": true}\n',
        [(1, "digits 0-9"), (3, "boolean")],
        id="text-scores-follow-the-file-rule-numbers-the-number-rule",
    ),
    pytest.param(
        '{"score": 9}\n"just text"\n42\nnull\n',
        [(2, "not an object"), (3, "not an object"), (4, "not an object")],
        id="lines-that-are-not-objects",
    ),
    pytest.param(
        '{"score": 9, "language": "klingon!"}\n{"score": 9, "channel": "fax"}\n',
        [(1, "not a language tag")],
        id="bad-language-and-channel",
    ),
]


@pytest.mark.parametrize(("text", "expected"), JSONL)
def test_json_lines(text: str, expected: list[tuple[int, str]]) -> None:
    """Each bad JSON line is rejected at its line with its reason; the rest are read."""
    read = read_responses(io.StringIO(text), format="jsonl")
    assert [r.line for r in read.rejected] == [line for line, _ in expected]
    for rejection, (_, reason) in zip(read.rejected, expected, strict=True):
        assert reason in rejection.reason
    assert read.rows_read == len(read.responses) + len(read.rejected)


def test_json_lines_latin_1_is_a_data_file_error(tmp_path: Path) -> None:
    """JSON Lines that are not UTF-8 are a DataFileError naming the line."""
    path = tmp_path / "a.jsonl"
    path.write_bytes(
        json.dumps({"score": 9, "comment": "café"}, ensure_ascii=False).encode("cp1252")
    )
    with pytest.raises(DataFileError, match=r"line 1: not valid utf-8-sig"):
        read_responses(path)


def test_strict_mode_names_the_raw_value_for_the_user_only() -> None:
    """Strict mode's exception carries the raw value; the shared rejection withholds it."""
    text = "respondent_id,score\nr1,jan@example.com\n"
    with pytest.raises(NetPromoterError, match=re.escape("'jan@example.com'")) as info:
        read_responses(io.StringIO(text), strict=True)
    assert info.value.value == "jan@example.com"  # type: ignore[attr-defined]
    lenient = read_responses(io.StringIO(text))
    assert lenient.rejected[0].value is None
    assert "jan@example.com" not in str(lenient.rejected[0])
