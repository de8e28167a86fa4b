"""The command line, run as a user would: through subprocess and main()."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from netpromoter.cli import EXAMPLE_CONTEXT, EXAMPLE_TARGETS, example_path, main

MESSY = "id;score\na;9\nb;7,5\nc;\nd;11\ne;ten\nf;3\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netpromoter", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run main() in-process (fast); subprocess tests cover the real entry point."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_score_example_runs() -> None:
    """The README's first command scores the bundled data and exits 0.

    Of its 3,000 rows, the earlier of one respondent's two answers in 2025-12 (line 214)
    is set aside as a duplicate, as ``report`` and ``followups`` do.
    """
    done = run("score", "--example")
    assert done.returncode == 0, done.stderr
    assert "NPS" in done.stdout
    assert "2,999 (1 rejected)" in done.stdout
    assert "line 214, column 'respondent_id': duplicate" in done.stderr


def test_score_json_output_with_segments(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints the result and the segment rows for machines."""
    code, out, _ = call(capsys, "score", "--example", "--by", "region", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["n"] == 2999  # one duplicate answer set aside, as report does
    assert payload["rows_rejected"] == 1
    assert sum(row["n"] for row in payload["segments"]) == 2999


def test_score_rejected_rows_exit_1_with_report(tmp_path: Path) -> None:
    """Bad rows are listed on stderr with line and reason; the exit code is 1."""
    path = tmp_path / "scores.csv"
    path.write_text(MESSY, encoding="utf-8")
    done = run("score", str(path), "--engine", "csv")
    assert done.returncode == 1
    assert "line 3, column 'score': '7,5' not a number" in done.stderr
    assert "line 4, column 'score': '' missing NPS score (empty)" in done.stderr
    assert "line 5, column 'score': '11' out of range" in done.stderr
    assert "line 6, column 'score': 'ten'" in done.stderr
    assert "4 of 6 rows rejected" in done.stderr
    assert done.stdout == ""


def test_score_drop_invalid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--drop-invalid scores the valid rows and still reports the rejected ones."""
    path = tmp_path / "scores.csv"
    path.write_bytes("\ufeffscore\n10\n0\nx\n".encode())
    assert main(["score", str(path), "--drop-invalid", "--format", "json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["nps"] == 0.0
    assert "line 4" in captured.err


def test_bad_usage_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown options, missing files and malformed --map are usage errors."""
    assert run("score", "--nope").returncode == 2
    assert call(capsys, "frobnicate")[0] == 2
    assert call(capsys, "score", str(tmp_path / "missing.csv"))[0] == 2
    assert call(capsys, "report", str(tmp_path / "missing.csv"))[0] == 2
    code, _, err = call(capsys, "report", str(example_path()), "--map", "score")
    assert (code, "--map takes FIELD=HEADER" in err) == (2, True)
    code, _, err = call(capsys, "score", "--example", "--confidence-level", "1.5")
    assert (code, "confidence_level" in err) == (2, True)
    code, _, err = call(capsys, "report", str(example_path()), "--map", "rating=score")
    assert (code, "unknown field" in err) == (2, True)


def test_missing_column_is_a_data_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file without a score column names what it expected; exit code 1."""
    path = tmp_path / "scores.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = call(capsys, "score", str(path))
    assert code == 1
    assert "no score column" in err


def test_example_files_are_packaged() -> None:
    """The bundled example data, margins and context ship with the package."""
    for name in ("example_responses.csv", EXAMPLE_TARGETS, EXAMPLE_CONTEXT):
        assert example_path(name).is_file()


def test_demo_runs_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo command prints every section and writes the HTML report."""
    out = tmp_path / "demo.html"
    code, stdout, _ = call(capsys, "demo", "--html", str(out))
    assert code == 0
    for heading in ("By region", "By customer type", "Per month", "Weighted to", "Follow-ups"):
        assert heading in stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") >= 6


def test_report_without_file_is_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    """Report with no file runs on the bundled example data."""
    code, out, _ = call(capsys, "report", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["overall"]["n"] == 2999
    assert payload["rows_read"] == 3000
    assert payload["rows_rejected"] == 1


def test_report_file_by_period_json(tmp_path: Path) -> None:
    """Report on a file: segments, quarterly trend and weighting, as JSON."""
    margins = tmp_path / "margins.json"
    margins.write_text(json.dumps({"customer_type": {"B2B": 0.5, "B2C": 0.5}}), encoding="utf-8")
    done = run(
        "report",
        str(example_path()),
        "--by",
        "agent",
        "--period",
        "quarter",
        "--weights",
        str(margins),
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert len(payload["segments"]["agent"]) == 24
    assert [row["period"] for row in payload["trend"]][:2] == ["2025-Q4", "2026-Q1"]
    assert payload["weighting"]["by"] == ["customer_type"]
    assert payload["followups"] is None


def test_report_rejections_exit_1(tmp_path: Path) -> None:
    """Invalid rows stop the report with exit code 1 and the rejection report on stderr."""
    path = tmp_path / "messy.csv"
    path.write_text(MESSY, encoding="utf-8")
    done = run("report", str(path))
    assert done.returncode == 1
    assert "line 3, column 'score'" in done.stderr
    assert done.stdout == ""


def test_report_drop_invalid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--drop-invalid reports on the valid rows and counts the rejected ones."""
    path = tmp_path / "messy.csv"
    path.write_text(MESSY, encoding="utf-8")
    code, out, err = call(capsys, "report", str(path), "--drop-invalid", "--period", "none")
    assert code == 0
    assert "Responses    2 of 6 rows (4 rejected)" in out
    assert "line 6, column 'score': 'ten'" in err


def test_followups_writes_the_plan(tmp_path: Path) -> None:
    """Followups writes one row per recent response, in Dutch, most urgent first."""
    out = tmp_path / "plan.csv"
    done = run(
        "followups",
        str(example_path()),
        "--language",
        "nl",
        "--context",
        str(example_path(EXAMPLE_CONTEXT)),
        "--now",
        "2026-12-01T09:00:00Z",
        "--days",
        "7",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 55
    assert {row["language"] for row in rows} == {"nl"}
    assert [int(row["priority"]) for row in rows] == sorted(int(row["priority"]) for row in rows)
    assert rows[0]["respondent_id"].startswith("R")


def test_followups_share_pseudonymises(capsys: pytest.CaptureFixture[str]) -> None:
    """--share replaces ids by pseudonyms and leaves message texts out; JSON on stdout."""
    code, out, _ = call(
        capsys,
        "followups",
        str(example_path()),
        "--context",
        str(example_path(EXAMPLE_CONTEXT)),
        "--now",
        "2026-12-01T09:00:00Z",
        "--days",
        "3",
        "--share",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert rows
    assert all(not row["respondent_id"].startswith("R") for row in rows)
    assert all("body" not in row for row in rows)


def test_followups_missing_placeholder_is_a_data_error() -> None:
    """Without the context, messages cannot be rendered: exit code 1 with the reasons."""
    done = run("followups", str(example_path()), "--now", "2026-12-01T09:00:00Z", "--days", "2")
    assert done.returncode == 1
    assert "needs a value for" in done.stderr


def test_followups_bad_now_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """An unparseable --now, a --now without zone, or a negative --days is a usage error."""
    assert call(capsys, "followups", str(example_path()), "--now", "tomorrow")[0] == 2
    assert call(capsys, "followups", str(example_path()), "--now", "2026-12-01T09:00")[0] == 2
    code, _, err = call(capsys, "followups", str(example_path()), "--days", "-3")
    assert code == 2
    assert "at least 0" in err


def test_readme_main_command_runs(tmp_path: Path) -> None:
    """The README's set-up command ends in the demo, which runs and writes the report."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    command = readme.split("```bash\n", 1)[1].split("\n", 1)[0]
    last = command.rsplit("&&", 1)[1].split()
    assert last[0].endswith("bin/netpromoter")
    assert last[1:] == ["demo", "--html", "report.html"]
    done = subprocess.run(
        [sys.executable, "-m", "netpromoter", *last[1:]],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.html").stat().st_size > 10_000
