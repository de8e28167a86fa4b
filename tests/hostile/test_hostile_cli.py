"""Hostile command lines: every subcommand, every bad value, never a traceback.

Usage errors (a missing file, a directory, an option value out of range, a file of
options that is not what it should be, an output that cannot be written) exit 2; data
errors exit 1. Each is one line on stderr naming the value, the file or the option.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netpromoter.cli import EXAMPLE_CONTEXT, example_path, main

GOOD = (
    "respondent_id,score,submitted_at,region,first_name\n"
    "r1,9,2026-01-05T10:00:00+01:00,north,Jan\n"
    "r2,3,2026-01-06T10:00:00+01:00,south,Piet\n"
)
FILES = {
    "ok.csv": GOOD.encode(),
    "ok.jsonl": b'{"score": 9}\n',
    "bad.parquet": b"score\n9\n",
    "latin.csv": "score,comment\n9,ok\n3,café\n".encode("latin-1"),
    "empty.csv": b"",
    "messy.csv": b"score\n9\nten\n11\n",
    "unclosed.csv": b'score,comment\n9,"never closed\n3,x\n',
    "dupes.csv": (GOOD + "r1,5,2026-01-07T10:00:00+01:00,north,Jan\n").encode(),
    "big.csv": b"score,comment\n9," + b"x" * (1 << 20) + b"\n",
    "list.json": b"[1, 2]",
    "latin.json": '{"company": "Café"}'.encode("latin-1"),
    "numbers.json": b'{"company": 5}',
    "negative.json": b'{"region": {"north": -1, "south": 1}}',
}


@pytest.fixture
def place(tmp_path: Path) -> Path:
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "folder").mkdir()
    return tmp_path


CONTEXT = str(example_path(EXAMPLE_CONTEXT))
USAGE, DATA = 2, 1
# (arguments with {d} for the folder of files, exit code, text the message must hold,
#  whether the message is one line, rather than a listing of rejected rows)
CASES = [
    ("score {d}/folder", USAGE, "is a directory", True),
    ("score {d}/missing.csv", USAGE, "missing.csv: no such file", True),
    ("score", USAGE, "one of the arguments", True),
    ("score {d}/bad.parquet", DATA, "bad.parquet: not a readable Parquet file", True),
    ("score {d}/latin.csv", DATA, "latin.csv, line 3: not valid utf-8", True),
    ("score {d}/empty.csv", DATA, "empty.csv: the file is empty", True),
    ("score {d}/ok.csv --column nope", DATA, "'nope'", True),
    ("score {d}/ok.csv --by nope", DATA, "no column 'nope'", True),
    ("score {d}/ok.csv --weights nope", DATA, "no column 'nope'", True),
    ("score {d}/ok.csv --confidence-level 1.5", USAGE, "1.5", True),
    ("score {d}/ok.csv --confidence-level nan", USAGE, "nan", True),
    ("score {d}/ok.csv --confidence-level x", USAGE, "'x'", True),
    ("score {d}/ok.csv --engine spark", USAGE, "'spark'", True),
    ("score {d}/ok.csv --method exact", USAGE, "'exact'", True),
    ("score {d}/ok.jsonl --stream", USAGE, "use read_responses for JSON Lines", True),
    ("score {d}/messy.csv", DATA, "2 of 3 rows rejected", False),
    ("score {d}/unclosed.csv", DATA, "opens a quote that is never closed", False),
    ("report {d}/folder", USAGE, "is a directory", True),
    ("report {d}/missing.csv", USAGE, "no such file", True),
    ("report {d}/bad.parquet", DATA, "not a readable Parquet file", True),
    ("report {d}/ok.csv --weights {d}/folder", USAGE, "margins", True),
    ("report {d}/ok.csv --weights {d}/list.json", USAGE, "got a JSON list", True),
    ("report {d}/ok.csv --weights {d}/latin.json", USAGE, "not a readable UTF-8 JSON", True),
    ("report {d}/ok.csv --weights {d}/negative.json", DATA, "-1", True),
    ("report {d}/ok.csv --followups {d}/list.json", USAGE, "got a JSON list", True),
    ("report {d}/ok.csv --followups {d}/numbers.json", USAGE, "'company' is not text", True),
    ("report {d}/ok.csv --by nope", DATA, "no column 'nope'", True),
    ("report {d}/ok.csv --min-n -5", USAGE, "-5", True),
    ("report {d}/ok.csv --period decade", USAGE, "'decade'", True),
    ("report {d}/ok.csv --html {d}/folder", USAGE, "cannot write", True),
    ("report {d}/ok.csv --map score", USAGE, "--map takes FIELD=HEADER", True),
    ("report {d}/ok.csv --map rating=score", USAGE, "'rating'", True),
    ("report {d}/ok.csv --map score=Nope", DATA, "'Nope'", True),
    ("report {d}/ok.csv --format xml", USAGE, "'xml'", True),
    ("report {d}/dupes.csv --duplicates error", DATA, "more than once", True),
    ("report {d}/messy.csv", DATA, "fix them or pass --drop-invalid", False),
    ("followups {d}/ok.csv --channel fax", USAGE, "'fax'", True),
    ("followups {d}/ok.csv --days -3", USAGE, "'-3'", True),
    ("followups {d}/ok.csv --days many", USAGE, "'many'", True),
    ("followups {d}/ok.csv --now yesterday", USAGE, "'yesterday'", True),
    ("followups {d}/ok.csv --now 2026-01-07T00:00:00", USAGE, "no time zone", True),
    ("followups {d}/ok.csv --days 3 --now 2026-01-05T09:00", USAGE, "no time zone", True),
    ("followups {d}/ok.csv --context {d}/latin.json", USAGE, "latin.json", True),
    ("followups {d}/ok.csv --context {d}/folder", USAGE, "is a directory", True),
    ("followups {d}/ok.csv --context {d}/list.json", USAGE, "got a JSON list", True),
    ("followups {d}/ok.csv --context {d}/missing.json", USAGE, "no such file", True),
    (f"followups {{d}}/ok.csv --context {CONTEXT} --out {{d}}/folder", USAGE, "cannot write", True),
    # One line per response that cannot be planned, then the count.
    ("followups {d}/ok.csv", DATA, "2 responses of 2 could not be planned", False),
    ("followups {d}/missing.csv", USAGE, "no such file", True),
    ("demo --html {d}/folder", USAGE, "cannot write", True),
    ("demo --format xml", USAGE, "'xml'", True),
    ("frobnicate", USAGE, "'frobnicate'", True),
    ("", USAGE, "required", True),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] or "nothing" for c in CASES])
def test_every_error_is_one_named_line(
    place: Path, capsys: pytest.CaptureFixture[str], case: tuple[str, int, str, bool]
) -> None:
    """The exit code is 1 for data and 2 for usage; stderr names the value, no traceback."""
    command, code, text, one_line = case
    args = command.replace("{d}", str(place)).split()
    assert main(args) == code
    err = capsys.readouterr().err
    assert text in err
    assert "Traceback" not in err
    assert "unexpected error" not in err
    if one_line:  # the error is the last line; lines before it can only be rejected rows
        *before, last = err.strip().splitlines()
        assert text in last
        assert all(": line " in line for line in before), err


def test_a_one_megabyte_comment_is_read(place: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A comment longer than the csv module's field limit is just a comment."""
    for engine in ("csv", "pyarrow"):
        assert main(["score", str(place / "big.csv"), "--engine", engine, "--quiet"]) == 0
        assert "Responses   1 (0 rejected)" in capsys.readouterr().out
    assert main(["report", str(place / "big.csv"), "--format", "json", "--period", "none"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_read"] == 1


@pytest.mark.parametrize(
    ("command", "code", "text"),
    [
        ("score {d}/folder", USAGE, "is a directory"),
        ("followups {d}/ok.csv --channel fax", USAGE, "invalid choice: 'fax'"),
        ("score {d}/bad.parquet", DATA, "not a readable Parquet file"),
        ("followups {d}/ok.csv --context {d}/latin.json", USAGE, "not a readable UTF-8 JSON"),
        ("score {d}/big.csv --engine csv", 0, ""),
    ],
)
def test_the_installed_command(place: Path, command: str, code: int, text: str) -> None:
    """The real entry point, in its own process: the same codes and no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "netpromoter", *command.replace("{d}", str(place)).split()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == code, done.stderr
    assert text in done.stderr
    assert "Traceback" not in done.stderr
