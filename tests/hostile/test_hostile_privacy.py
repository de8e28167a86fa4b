"""Nothing personal leaks into a shareable output.

E-mail addresses, telephone numbers, customer numbers and respondent ids are planted in
every column of a file: in the id, contact and comment columns of good rows, and in the
score, date, channel, language, spend and segment columns of rows that are rejected for
it (plus a ragged row, a row with an unclosed quote, a duplicate and a bad JSON line).
Every output meant to be shared is then built, from Python and from the command line,
and none may contain any planted string.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from netpromoter import plan
from netpromoter.cli import EXAMPLE_CONTEXT, example_path, main
from netpromoter.io import read_responses, tally_file, write_csv, write_json
from netpromoter.report import build_report, placeholder_context, render_html, render_text

PLANTED = (
    "jan.jansen@example.com",
    "piet+nps@example.org",
    "+31 6 1234 5678",
    "0612345678",
    "CUST-0042817",
    "r-7731-jansen",
    "NL91ABNA0417164300",
    "acct-55-9021",
)
HEADER = (
    "respondent_id,email,phone,score,submitted_at,channel,language,comment,region,spend,"
    "first_name,account_id"
)
ROWS = [
    # good rows: personal data where it belongs
    (
        "r-7731-jansen,jan.jansen@example.com,+31 6 1234 5678,9,2026-01-05T10:00:00+01:00,"
        'email,nl,"Bel me: 0612345678 of mail jan.jansen@example.com",north,120,Jan,acct-55-9021'
    ),
    (
        "CUST-0042817,piet+nps@example.org,0612345678,3,2026-01-06T10:00:00+01:00,sms,en,"
        "IBAN NL91ABNA0417164300,south,80,Piet,acct-55-9021"
    ),
    "u3,,,10,2026-01-07T10:00:00+01:00,web,en,,north,10,Ann,",
    "u4,,,6,2026-01-08T10:00:00+01:00,web,en,,south,10,Bo,",
    # the same respondent again: a duplicate, rejected with the id column named
    "r-7731-jansen,jan.jansen@example.com,,8,2026-01-20T10:00:00+01:00,email,nl,,north,5,Jan,",
    # personal data in every column that is checked, each making its row rejected
    "u5,,,jan.jansen@example.com,2026-01-09T10:00:00+01:00,web,en,,north,1,A,",
    "u6,,,0612345678,2026-01-09T10:00:00+01:00,web,en,,north,1,A,",
    "u7,,,7,+31 6 1234 5678,web,en,,north,1,A,",
    "u8,,,7,2026-01-09T10:00:00+01:00,CUST-0042817,en,,north,1,A,",
    "u9,,,7,2026-01-09T10:00:00+01:00,web,piet+nps@example.org,,north,1,A,",
    "u10,,,7,2026-01-09T10:00:00+01:00,web,en,,north,NL91ABNA0417164300,A,",
    "u11,,,eleven,2026-01-09T10:00:00+01:00,web,en,,r-7731-jansen,1,A,",
    # a whole raw row that is malformed: ragged, and a quote that is never closed last
    "jan.jansen@example.com,0612345678,9",
    'u12,,,9,2026-01-09T10:00:00+01:00,web,en,"CUST-0042817 never closed,north,1,A,',
]


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def context() -> dict[str, str]:
    data: dict[str, str] = json.loads(example_path(EXAMPLE_CONTEXT).read_text(encoding="utf-8"))
    return data


def _assert_clean(name: str, text: str) -> None:
    for planted in PLANTED:
        assert planted not in text, f"{planted!r} in {name}"


def test_the_file_is_hostile_as_intended(survey: Path) -> None:
    """Every planted string is in the file, and every bad row is indeed rejected."""
    text = survey.read_text(encoding="utf-8")
    assert all(planted in text for planted in PLANTED)
    read = read_responses(survey)
    assert len(read.responses) == 5  # an unknown channel is read as "other", not rejected
    assert read.rows_read == len(ROWS)
    assert {r.column for r in read.rejected} >= {
        "respondent_id",
        "score",
        "submitted_at",
        "language",
        "spend",
        "",
    }
    (note,) = read.notes
    assert note.startswith("column 'channel': 1 row with an unknown channel")
    assert "a value withheld (1)" in note


def test_python_outputs_carry_nothing_personal(survey: Path, context: dict[str, str]) -> None:
    """Report (HTML, text, JSON), exports of results and rejections, plans: all clean."""
    read = read_responses(survey)
    margins = {"region": {"north": 0.5, "south": 0.5}}
    report = build_report(
        read, by=["region"], period="month", margins=margins, followups=context, min_n=1
    )
    outputs = {
        "report html": render_html(report),
        "report text": render_text(report),
        "report json": json.dumps(report.to_dict(), ensure_ascii=False),
        "report repr": report._repr_html_(),
        "read summary": read.summary() + repr(read),
        "read notebook": read._repr_html_(),
        "rejections": "\n".join(str(r) for r in read.rejected),
    }
    for name, data in {
        "rejected": read.rejected,
        "overall": report.overall,
        "segments": report.segments[0],
        "trend": report.trend,
    }.items():
        csv_out, json_out = io.StringIO(), io.StringIO()
        write_csv(data, csv_out)
        write_json(data, json_out)
        outputs[f"{name} csv"] = csv_out.getvalue()
        outputs[f"{name} json"] = json_out.getvalue()
    tallied = tally_file(survey, by=["region"], progress=False)
    outputs["file tally"] = repr(tallied) + tallied._repr_html_() + str(tallied.rejected)
    key = "a secret of at least sixteen bytes"
    planned = plan(read.responses, context=placeholder_context(context))
    outputs["shared plan"] = json.dumps(
        [item.to_dict(key) for item in planned], default=str, ensure_ascii=False
    )
    for name, text in outputs.items():
        _assert_clean(name, text)


@pytest.mark.parametrize("engine", ["csv", "pyarrow"])
def test_streamed_rejections_carry_nothing_personal(survey: Path, engine: str) -> None:
    """The streaming reader's rejections withhold personal values with both engines."""
    tallied = tally_file(survey, engine=engine, progress=False)  # type: ignore[arg-type]
    out = io.StringIO()
    write_csv(tallied.rejected, out)
    _assert_clean(engine, out.getvalue() + "".join(map(str, tallied.rejected)))


def test_json_lines_rejections_carry_nothing_personal() -> None:
    """A bad JSON line (a whole raw row) and a repeated key are reported without values."""
    text = (
        '{"score": 9, "respondent_id": "r-7731-jansen"}\n'
        '{"score": 9, "email": "jan.jansen@example.com"\n'
        '{"score": 9, "note": "0612345678", "note": "CUST-0042817"}\n'
        '["acct-55-9021"]\n'
    )
    read = read_responses(io.StringIO(text), format="jsonl")
    assert len(read.rejected) == 3
    out = io.StringIO()
    write_json(read.rejected, out)
    _assert_clean("json lines", out.getvalue() + read._repr_html_())


def test_command_line_outputs_carry_nothing_personal(
    survey: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Report (text, JSON, HTML), score, and followups --share in every format: all clean."""
    context = str(example_path(EXAMPLE_CONTEXT))
    html = tmp_path / "report.html"
    runs = [
        ["report", str(survey), "--by", "region", "--drop-invalid", "--min-n", "1"],
        ["report", str(survey), "--format", "json", "--drop-invalid", "--html", str(html)],
        ["score", str(survey), "--by", "region", "--drop-invalid", "--engine", "csv"],
        ["score", str(survey), "--format", "json", "--drop-invalid"],
    ]
    share = ["followups", str(survey), "--share", "--drop-invalid", "--context", context]
    runs += [share, [*share, "--format", "json"]]
    for suffix in ("csv", "json", "jsonl"):
        runs.append([*share, "--out", str(tmp_path / f"plan.{suffix}")])
    for args in runs:
        code = main(args)
        captured = capsys.readouterr()
        assert code == 0, (args, captured.err)
        _assert_clean(" ".join(args[:1]), captured.out + captured.err)
    for written in (html, *(tmp_path / f"plan.{s}" for s in ("csv", "json", "jsonl"))):
        _assert_clean(written.name, written.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("score", "7,5", True),
        ("score", "eleven", True),
        ("score", "jan.jansen@example.com", False),
        ("score", "0612345678", False),
        ("score", "r-7731", False),
        ("weight", "-1", True),
        ("weight", "+31 6 1234 5678", False),
        ("date", "2026-01-08T09:00:00", True),
        ("date", "31-13-2026", True),
        ("date", "+31 6 1234 5678", False),
        ("channel", "fax", True),
        ("channel", "CUST-0042817", False),
        ("language", "piet+nps@example.org", False),
        ("personal", "u5", False),
    ],
)
def test_the_rule_for_showing_a_value(kind: str, value: str, shown: bool) -> None:
    """A value is shown only for a non-personal kind and a shape that cannot identify."""
    from netpromoter._redaction import shareable_value  # noqa: PLC0415 - the rule itself

    assert (shareable_value(kind, value) == value) is shown  # type: ignore[arg-type]
