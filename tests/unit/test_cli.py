"""The command line, run as a user would: through subprocess and main()."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netpromoter.cli import example_path, main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netpromoter", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_score_example_runs() -> None:
    """The README's main command scores the bundled data and exits 0."""
    done = run("score", "--example")
    assert done.returncode == 0, done.stderr
    assert "NPS" in done.stdout
    assert "3,000" in done.stdout


def test_score_json_output() -> None:
    """--format json prints the result for machines."""
    done = run("score", "--example", "--format", "json")
    payload = json.loads(done.stdout)
    assert payload["n"] == 3000
    assert payload["rows_rejected"] == 0


def test_rejected_rows_exit_1_with_report(tmp_path: Path) -> None:
    """Bad rows are listed on stderr with line and reason; the exit code is 1."""
    path = tmp_path / "scores.csv"
    path.write_text("id;score\na;9\nb;7,5\nc;\nd;11\ne;ten\nf;3\n", encoding="utf-8")
    done = run("score", str(path))
    assert done.returncode == 1
    assert "line 3, column 'score': '7,5' is not a whole number" in done.stderr
    assert "line 4, column 'score': '' is empty" in done.stderr
    assert "line 5, column 'score': '11' is out of range" in done.stderr
    assert "line 6, column 'score': 'ten'" in done.stderr
    assert "4 of 6 rows rejected" in done.stderr


def test_drop_invalid_scores_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--drop-invalid scores the valid rows and still reports the rejected ones."""
    path = tmp_path / "scores.csv"
    path.write_bytes("\ufeffscore\n10\n0\nx\n".encode())
    assert main(["score", str(path), "--drop-invalid", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["nps"] == 0.0
    assert "line 4" in captured.err


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    """Unknown options and missing files are usage errors."""
    assert run("score", "--nope").returncode == 2
    assert run("score", str(tmp_path / "missing.csv")).returncode == 2


def test_missing_column_is_a_data_error(tmp_path: Path) -> None:
    """A file without the score column names the columns it has."""
    path = tmp_path / "scores.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    done = run("score", str(path))
    assert done.returncode == 1
    assert "no column 'score'" in done.stderr


def test_example_file_is_packaged() -> None:
    """The bundled example data ships with the package."""
    assert example_path().is_file()
