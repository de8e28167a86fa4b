"""A Dutch survey export through ``score``, ``report`` and ``followups`` with documented options.

The file (tests/golden/cli/klanttevredenheid_nl.csv) is as Dutch survey tools and Excel
write it: UTF-8 with a byte-order mark, CRLF, ``;``-separated, amounts with a decimal
comma (``1.234,56``), local times as ``dd-mm-yyyy HH:MM``, Dutch headers and channel
names, quoted comments holding ``;`` and line breaks, and a bad row of every kind. The
expected rows below were read off the file by hand.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from netpromoter.cli import main
from netpromoter.cli._parser import _parser

EXPORT = Path(__file__).resolve().parents[1] / "golden" / "cli" / "klanttevredenheid_nl.csv"
OPTIONS = [
    "--map", "score=Cijfer",
    "--map", "first_name=Voornaam",
    "--map", "spend=Omzet",
    "--decimal", ",",
    "--date-format", "%d-%m-%Y %H:%M",
    "--timezone", "Europe/Amsterdam",
    "--channel-map", "whatsapp=chat",
]  # fmt: skip
#: The accepted rows: respondent, score, channel (read off the file).
ACCEPTED = [
    ("R001", 9, "email"),
    ("R003", 6, "sms"),
    ("R004", 3, "web"),
    ("R005", 8, "in_app"),
    ("R012", 9, "other"),  # "fax": read as other, with a warning
    ("R002", 9, "phone"),  # line 20; its earlier answer on line 3 is a duplicate
    ("R016", 2, "email"),
    ("R017", 5, "in_app"),
    ("R018", 10, "chat"),  # "WhatsApp", by --channel-map
    ("R019", 9, "sms"),  # "Tekst"
    ("R020", 0, "phone"),
    ("R021", 7, "web"),
    ("R023", 10, "email"),  # read again after the unclosed quote of line 27
]
#: Every rejected row by the line it starts on, and the column at fault ("" for the row).
REJECTED = [
    (3, "Respondent"),  # duplicate of line 20 in January
    (8, "Cijfer"),  # 7,5
    (9, "Cijfer"),  # tien
    (10, "Cijfer"),  # 11
    (11, "Cijfer"),  # empty
    (12, "Datum"),  # 31-02-2026
    (13, "Datum"),  # 9 januari 2026
    (15, "Omzet"),  # abc, after a comment spanning lines 15-17
    (18, ""),  # 5 fields
    (19, ""),  # 9 fields
    (27, ""),  # a quote that is never closed
]
CONTEXT = {
    "company": "Acme",
    "agent_name": "Mark de Vries",
    "referral_link": "https://acme.example/r",
    "feedback_link": "https://acme.example/feedback",
    "help_link": "https://acme.example/hulp",
    "review_link": "https://acme.example/review",
}
_LINE = re.compile(r": line (\d+)(?:, column '([^']*)')?: ")


def _nps(scores: list[int]) -> float:
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return 100 * (promoters - detractors) / len(scores)


def _run(capsys: pytest.CaptureFixture[str], command: str, *args: str) -> tuple[int, str, str]:
    code = main([command, str(EXPORT), *OPTIONS, "--drop-invalid", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _rejected(err: str) -> list[tuple[int, str]]:
    return [(int(m[1]), m[2] or "") for m in _LINE.finditer(err)]


def test_the_file_is_shaped_like_a_dutch_export() -> None:
    """BOM, CRLF line ends, ; as delimiter and a decimal comma, as the test relies on."""
    data = EXPORT.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == data.count(b"\n")
    assert b";Omzet;" in data
    assert b"1.234,56" in data


def test_three_commands_agree_on_rows_and_nps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """score, report and followups accept the same rows and give the NPS of those rows."""
    expected_nps = _nps([score for _, score, _ in ACCEPTED])
    code, out, err = _run(capsys, "score", "--format", "json")
    assert code == 0, err
    scored = json.loads(out)
    assert (scored["n"], scored["rows_read"]) == (len(ACCEPTED), len(ACCEPTED) + len(REJECTED))
    assert scored["nps"] == pytest.approx(expected_nps, abs=1e-12)
    assert _rejected(err) == REJECTED
    assert "1 row with an unknown channel, read as 'other': 'fax' (1)" in err

    code, out, err = _run(capsys, "report", "--format", "json", "--period", "none")
    assert code == 0, err
    report = json.loads(out)
    assert report["overall"]["n"] == len(ACCEPTED)
    assert report["overall"]["nps"] == pytest.approx(expected_nps, abs=1e-12)
    assert _rejected(err) == REJECTED

    context = tmp_path / "context.json"
    context.write_text(json.dumps(CONTEXT), encoding="utf-8")
    plan_file = tmp_path / "plan.json"
    code, out, err = _run(
        capsys, "followups", "--language", "nl", "--context", str(context), "--out", str(plan_file)
    )
    assert code == 0, err
    assert _rejected(err) == REJECTED
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    assert sorted(item["respondent_id"] for item in plan) == sorted(r for r, _, _ in ACCEPTED)
    sent_on = {item["respondent_id"]: item["channel"] for item in plan}
    # Answered by sms, chat or app: answered there; phone, web and other get an email.
    assert [sent_on[r] for r in ("R003", "R018", "R005", "R002", "R004", "R012")] == [
        "sms", "chat", "in_app", "email", "email", "email"
    ]  # fmt: skip
    bodies = {item["respondent_id"]: item["body"] for item in plan}
    assert bodies["R001"].startswith("Hoi Sanne,")
    assert bodies["R003"].startswith("Hoi,")  # no first name: greeted without one
    assert bodies["R017"].startswith("Hoi,")
    assert all("{" not in body for body in bodies.values())


def test_by_takes_the_header_or_the_field_name(capsys: pytest.CaptureFixture[str]) -> None:
    """--by Kanaal and --by channel give the same segments, in score and in report."""
    expected: dict[str, list[int]] = {}
    for _, score, channel in ACCEPTED:
        expected.setdefault(channel, []).append(score)
    for column in ("Kanaal", "channel"):
        code, out, err = _run(capsys, "score", "--by", column, "--format", "json")
        assert code == 0, err
        segments = json.loads(out)["segments"]
        got = {row[column]: (row["n"], row["nps"]) for row in segments}
        want = {c: (len(s), pytest.approx(_nps(s), abs=1e-12)) for c, s in expected.items()}
        assert got == want
        code, out, err = _run(capsys, "report", "--by", column, "--format", "json")
        assert code == 0, err
        rows = json.loads(out)["segments"]["channel"]
        assert {row["channel"]: row["n"] for row in rows} == {
            c: len(s) for c, s in expected.items()
        }


def test_report_periods_follow_the_time_zone(capsys: pytest.CaptureFixture[str]) -> None:
    """R020 answered at 00:30 on 1 February in Amsterdam: February there, January in UTC."""
    code, out, err = _run(capsys, "report", "--format", "json", "--period", "month")
    assert code == 0, err
    periods = {row["period"]: row["n"] for row in json.loads(out)["trend"]}
    assert periods == {"2026-01": 10, "2026-02": 3}


def test_score_csv_output(capsys: pytest.CaptureFixture[str]) -> None:
    """--format csv prints one row per segment, with a header, no Python repr."""
    code, out, err = _run(capsys, "score", "--by", "Regio", "--format", "csv")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("Regio,n,")
    assert len(lines) == 1 + 4  # Noord, Zuid, Oost, West
    assert "Result(" not in out


@pytest.mark.parametrize("engine", ["csv", "pyarrow"])
def test_streaming_engines_give_exact_starting_lines(
    capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    """--stream checks the score cells only, with the same exact lines on every engine."""
    code = main(["score", str(EXPORT), "--stream", "--engine", engine, "--column", "Cijfer"])
    _, err = capsys.readouterr()
    assert code == 1
    score_and_row = [(line, column) for line, column in REJECTED if column in {"", "Cijfer"}]
    assert _rejected(err) == score_and_row
    assert f"{len(score_and_row)} of 24 rows rejected" in err


def test_singular_and_plural(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """One rejected row of one is "1 of 1 row", not "1 of 1 rows"."""
    path = tmp_path / "one.csv"
    path.write_text("score\nten\n", encoding="utf-8")
    assert main(["score", str(path)]) == 1
    assert "1 of 1 row rejected" in capsys.readouterr().err


def test_days_without_now_and_negative_days(capsys: pytest.CaptureFixture[str]) -> None:
    """--days counts back from the current time; a negative number is a usage error."""
    code = main(["followups", str(EXPORT), *OPTIONS, "--drop-invalid", "--days", "-3"])
    assert code == 2
    assert "at least 0" in capsys.readouterr().err
    window = ["--days", "7", "--now", "2026-02-05T12:00:00+01:00", "--format", "json"]
    code = main(["followups", str(EXPORT), *OPTIONS, "--drop-invalid", *window])
    out, err = capsys.readouterr()
    assert code == 0  # --drop-invalid: go on past what cannot be used
    # R020, R021 and R023; without a context they cannot be rendered, and say so.
    assert "3 responses of 3 could not be planned" in err
    assert json.loads(out) == []


def test_score_text_by_is_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The segment table of score --by is printed under its caption, not as a repr."""
    code, out, err = _run(capsys, "score", "--by", "Regio")
    assert code == 0, err
    assert "\nBy Regio\n" in out
    assert "Regio  n     NPS    95% interval  vs rest  p (adj.)" in out
    assert "SegmentResult(" not in out


def test_score_and_plan_summaries_speak_dutch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--language nl: the score summary and the plan's header in Dutch, numbers too."""
    code, out, err = _run(capsys, "score", "--by", "Regio", "--language", "nl")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1] == "Antwoorden    13 (11 afgewezen)"
    assert lines[2] == "NPS           +7,7"  # 6 promoters, 5 detractors of 13
    assert lines[3] == "95%-BI        [-37,0; +49,5] (aangepaste Wald)"
    assert "\nPer Regio\n" in out
    assert "kleine steekproef" in out
    context = tmp_path / "context.json"
    context.write_text(json.dumps(CONTEXT), encoding="utf-8")
    code, out, err = _run(capsys, "followups", "--language", "nl", "--context", str(context))
    assert code == 0, err
    assert out.splitlines()[0] == f"{len(ACCEPTED)} opvolgacties, meest dringend eerst"
    code, out, err = _run(capsys, "followups", "--context", str(context))
    assert out.splitlines()[0] == f"{len(ACCEPTED)} follow-ups, most urgent first"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--timezone", "Europe/Amsterdm"], "not a known time zone"),
        (["--encoding", "klingon"], "not a known text encoding"),
        (["--delimiter", ";;"], "one character"),
        (["--map", "Cijfer"], "FIELD=HEADER"),
        (["--channel-map", "whatsapp=fax"], "not one of email"),
        (["--stream", "--decimal", ","], "--stream checks the score"),
    ],
)
def test_reading_options_are_checked(
    capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    """A wrong reading option is a usage error (exit 2) that names it."""
    assert main(["score", str(EXPORT), "--map", "score=Cijfer", *options]) == 2
    assert message in capsys.readouterr().err


def test_encoding_and_delimiter(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A cp1252 file with tabs reads with --encoding and --delimiter tab, in every command."""
    path = tmp_path / "export.txt"
    path.write_bytes(
        "Cijfer\tKanaal\tOpmerking\n9\tTelefoon\tPrima geholpen, één keer\n3\tweb\t\n".encode(
            "cp1252"
        )
    )
    options = ["--map", "score=Cijfer", "--encoding", "cp1252", "--delimiter", "tab"]
    assert main(["score", str(path), *options, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["nps"] == 0.0
    assert main(["report", str(path), *options, "--format", "json", "--period", "none"]) == 0
    assert json.loads(capsys.readouterr().out)["overall"]["n"] == 2


def test_every_option_has_help() -> None:
    """Every option and argument of every command says what it does in --help."""
    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for command, sub in action.choices.items():
                    walk(sub, command)
            elif not action.help:
                missing.append(f"{name} {action.option_strings or action.dest}")

    walk(_parser(), "netpromoter")
    assert missing == []


def test_report_counts_one_rejected_row_in_the_singular(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The report's text says "1 rejected row (all listed)", then the row."""
    path = tmp_path / "one.csv"
    path.write_text("score\n9\nten\n", encoding="utf-8")
    assert main(["report", str(path), "--drop-invalid", "--period", "none"]) == 0
    out = capsys.readouterr().out
    assert "1 rejected row (all listed):" in out
    assert "  line 3, column 'score': 'ten' not a number" in out


def test_a_byte_order_mark_is_read_with_any_utf8_name(capsys: pytest.CaptureFixture[str]) -> None:
    """--encoding utf-8 (or UTF8) still reads past the byte-order mark of the first header."""
    for name in ("utf-8", "UTF8"):
        code, out, err = _run(capsys, "score", "--encoding", name, "--format", "json")
        assert code == 0, err
        assert json.loads(out)["n"] == len(ACCEPTED)
