"""The columnar scan of a CSV file gives what reading it row by row gives.

Every file here is read twice: by ``read_columns``/``read_responses`` (a model or a
dict per row) and by ``scan_csv`` (chunks, distinct cells, numpy), on both engines and
with chunks and blocks small enough that every file spans many of them. Accepted rows,
their values, rejections with their lines and reasons, and duplicates must agree.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from netpromoter.io import _blocks, _checked, read_columns, read_responses, tally_file
from netpromoter.io._chunks import ArrowCells
from netpromoter.io._read import ReadOptions, _CellError, _parse_datetime
from netpromoter.io._scan import NAT, between, fast_times, scan_csv
from netpromoter.report import build_report
from netpromoter.report.inputs import Rescan, responses_of, scanned_rows

if TYPE_CHECKING:
    from pathlib import Path

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TIMES = (
    "2025-03-{d:02d}T10:00:00Z",
    "2025-03-{d:02d}T23:30:00+01:00",
    "2025-03-{d:02d}t01:15:00-05:30",
    "2025-03-{d:02d} 08:00:00+00:00",
    "2025-04-{d:02d}T00:00:00z",
    " 2025-03-{d:02d}T10:00:00Z ",
    "2025-03-{d:02d}T10:00:00.250Z",
    "2025-03-{d:02d}T10:00Z",
    "2025-03-{d:02d}T10:00:00+0100",
    "2025-03-{d:02d}",
    "2025-03-{d:02d}T10:00:00",
    "2025-02-30T10:00:00Z",
    "2025-03-{d:02d}T24:00:00Z",
    "2025-03-{d:02d}T10:00:00+24:00",
    "0999-03-{d:02d}T10:00:00Z",
    "31-03-2025 10:00",
    "",
    "  ",
)
_SCORES = ("0", "6", "7", "8", "9", "10", "10", "9", " 9", "9.0", "ten", "", "11", "7,5", "-1")
_CHANNELS = ("email", "sms", "E-mail", " web ", "app", "fax", "", "phone")
_LANGUAGES = ("nl", "en", "EN-gb", "", "english", "nl")
_REGIONS = ("north", "south", " east", "", "west ", "zuid-oost", "north")
_SPEND = ("12.50", "", "3", "-4", "abc", "1e3")


def _csv(seed: int, rows: int = 60) -> str:
    """A file of responses with every kind of cell, good and bad, and repeated ids."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    lines = ["respondent_id,submitted_at,channel,language,region,spend,first_name,score"]
    for i in range(rows):
        day = rng.randint(1, 28)
        when = rng.choice(_TIMES).format(d=day)
        respondent = rng.choice(["r1", "r2", "r3", "", f"x{i}", " r1 ", "12"])
        fields = [
            respondent,
            when,
            rng.choice(_CHANNELS),
            rng.choice(_LANGUAGES),
            rng.choice(_REGIONS),
            rng.choice(_SPEND),
            rng.choice(["Anna", '"Bram, jr."', "", '"Eva ""E"""']),
            rng.choice(_SCORES),
        ]
        line = ",".join(fields)
        roll = rng.random()
        if roll < 0.03:
            line += ",extra"
        elif roll < 0.05:
            line = ",".join(fields[:-2])
        elif roll < 0.07:
            fields[6] = '"two\nlines"'
            line = ",".join(fields)
        lines.append(line)
    newline = "\r\n" if seed % 3 == 0 else "\n"
    return newline.join(lines) + newline


def _micros(when: object) -> int:
    if when is None:
        return int(NAT)
    assert isinstance(when, datetime)
    return (when - _EPOCH) // timedelta(microseconds=1)


@pytest.fixture(params=["arrow", "csv"])
def arrow(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both engines; blocks of 256 bytes, so that a file is many pyarrow regions."""
    monkeypatch.setattr(_blocks, "BLOCK_BYTES", 256)
    return bool(request.param == "arrow")


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    ("duplicates", "period"),
    [("keep_latest", "month"), ("keep_all", "month"), ("keep_latest", "week"),
     ("keep_latest", "day"), ("keep_latest", "quarter"), ("keep_latest", "year")],
)  # fmt: skip
def test_scan_reads_like_read_columns(
    tmp_path: Path, seed: int, duplicates: Any, period: Any, arrow: bool
) -> None:
    path = tmp_path / "responses.csv"
    path.write_text(_csv(seed), encoding="utf-8", newline="")
    options = ReadOptions(duplicates=duplicates, duplicate_period=period)
    expected = read_columns(path, duplicates=duplicates, duplicate_period=period)
    keep = ["region", "channel", "language", "respondent_id"]
    got = scan_csv(path, options, keep=keep, arrow=arrow, progress=False, chunk_rows=7)
    assert got.rows_read == expected.rows_read
    assert got.rejected == expected.rejected
    assert got.n_duplicates == expected.n_duplicates
    assert got.notes == expected.notes
    assert got.scores.tolist() == list(expected.data["score"])
    assert got.times.tolist() == [_micros(t) for t in expected.data["submitted_at"]]
    for name in keep:
        labels, codes = got.codes[name]
        assert [labels[c] if c >= 0 else None for c in codes] == list(expected.data[name])
    dated = [t for t in expected.data["submitted_at"] if t is not None]
    latest = max(dated) if dated else None
    assert got.latest == latest
    assert (got.latest.utcoffset() if got.latest else None) == (
        latest.utcoffset() if latest else None
    )


@pytest.mark.parametrize("seed", range(6))
def test_window_builds_the_responses_of_its_rows_only(
    tmp_path: Path, seed: int, arrow: bool
) -> None:
    path = tmp_path / "responses.csv"
    path.write_text(_csv(seed, rows=80), encoding="utf-8", newline="")
    since = datetime(2025, 3, 8, tzinfo=timezone.utc)
    until = datetime(2025, 3, 20, 12, tzinfo=timezone(timedelta(hours=2)))
    read = read_responses(path)
    expected = [r for r in read.responses if r.submitted_at and since <= r.submitted_at <= until]
    got = scan_csv(
        path, ReadOptions(), window=between(since, until), full=True, arrow=arrow, chunk_rows=5
    )
    assert responses_of(got.picked, got.source) == expected
    assert got.rejected == read.rejected
    assert len(got.picked) < len(read.responses)  # the other rows get no fields at all


@pytest.mark.parametrize("seed", range(4))
def test_report_of_a_scanned_file_equals_the_report_of_its_columns(
    tmp_path: Path, seed: int, arrow: bool
) -> None:
    path = tmp_path / "responses.csv"
    text = _csv(seed, rows=300).replace("0999-", "2024-")  # a trend spans at most 10,000 weeks
    path.write_text(text, encoding="utf-8", newline="")
    margins = {"region": {"north": 0.3, "south": 0.2, "east": 0.2, "west": 0.1, "zuid-oost": 0.1,
                          "(missing)": 0.1}}  # fmt: skip
    context = {"company": "Acme", "agent_name": "Sam", "review_link": "https://e.example/r",
               "feedback_link": "https://e.example/f", "help_link": "https://e.example/h",
               "referral_link": "https://e.example/v", "referral_code": "A1"}  # fmt: skip
    options: dict[str, Any] = {
        "by": ["region", "channel"],
        "period": "week",
        "followups": context,
        "min_n": 5,
    }
    columns = read_columns(path)
    expected = build_report(columns, **options).to_dict()
    scanned = scan_csv(path, ReadOptions(), keep=["region", "channel"], arrow=arrow)
    got = build_report(scanned_rows(scanned, Rescan(path, ReadOptions(), arrow=arrow)), **options)
    result = got.to_dict()
    for report in (expected, result):
        report.pop("generated_at")
    assert result == expected
    weighted = build_report(columns, margins=margins, min_n=5).to_dict()
    scanned_rows_ = scanned_rows(scanned, Rescan(path, ReadOptions(), arrow=arrow))
    again = build_report(scanned_rows_, margins=margins, min_n=5).to_dict()
    weighted.pop("generated_at")
    again.pop("generated_at")
    assert again == weighted


def test_fast_times_agree_with_the_row_parser() -> None:
    rng = np.random.default_rng(7)
    seconds = rng.integers(-2_000_000_000, 30_000_000_000, 2_000)
    offsets = rng.integers(-23 * 60, 23 * 60, 2_000) * 60
    texts = []
    expected = []
    for s, o in zip(seconds.tolist(), offsets.tolist(), strict=True):
        zone = timezone(timedelta(seconds=o))
        when = datetime.fromtimestamp(s, tz=zone)
        text = when.strftime("%Y-%m-%dT%H:%M:%S") + (
            "Z" if o == 0 else when.strftime("%z")[:3] + ":" + when.strftime("%z")[3:]
        )
        texts.append(text)
        expected.append((s * 1_000_000, o, 1900 <= when.year <= 2999))
    us, offset, ok = fast_times(texts)
    for i, (micro, off, fine) in enumerate(expected):
        assert bool(ok[i]) == fine, texts[i]
        if fine:
            assert (int(us[i]), int(offset[i])) == (micro, off), texts[i]


def test_fast_times_of_mangled_texts_agree_with_the_row_parser(arrow: bool) -> None:
    """What numpy reads of texts near the usual forms, the row parser reads alike.

    Texts one or two characters off: each one numpy reads is read by the row parser to
    the same instant and offset (those numpy does not read go to the row parser).
    """
    seeds = [
        "2024-02-29T23:59:59Z", "2023-02-29T10:00:00Z", "2100-02-29T00:00:00Z",
        "2000-02-29t00:00:00z", "2025-06-22 17:07:58+01:30", "1900-01-01T00:00:00-23:59",
        "2999-12-31T23:59:59-00:00", "2025-04-31T00:00:00Z", "2025-04-30T24:00:00Z",
        "2025-12-31T23:59:59+23:59", "1899-12-31T23:59:59Z",
    ]  # fmt: skip
    alphabet = "0123456789-:+TtZz /x\u0663\u00e9"
    rng = np.random.default_rng(11)
    texts = list(seeds)
    for _ in range(20_000):
        chars = list(seeds[rng.integers(len(seeds))])
        for _ in range(rng.integers(1, 3)):
            chars[rng.integers(len(chars))] = alphabet[rng.integers(len(alphabet))]
        texts.append("".join(chars))
    cells = ArrowCells(pytest.importorskip("pyarrow").array(texts)) if arrow else texts
    us, offset, ok = fast_times(cells)
    assert ok.sum() > 1_000  # many mangled texts are still times of the usual forms
    for i, text in enumerate(texts):
        try:
            when = _parse_datetime(text, None, None)
        except _CellError:
            when = None
        if ok[i]:
            assert when is not None, text
            shift = when.utcoffset()
            assert shift is not None
            assert int(offset[i]) == shift.total_seconds(), text
            assert int(us[i]) == (when - _EPOCH) // timedelta(microseconds=1), text


def test_duplicates_error_names_the_repeated_respondents(tmp_path: Path, arrow: bool) -> None:
    path = tmp_path / "responses.csv"
    path.write_text(
        "respondent_id,submitted_at,score\nr1,2025-03-01T10:00:00Z,9\nr1,2025-03-02T10:00:00Z,3\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"'r1' in 2025-03 \(lines 2, 3\)"):
        scan_csv(path, ReadOptions(duplicates="error"), arrow=arrow)


@pytest.mark.parametrize("seed", range(3))
def test_followups_command_on_a_csv_file_plans_as_before(
    tmp_path: Path, seed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from netpromoter.cli import main  # noqa: PLC0415
    from netpromoter.followup import plan  # noqa: PLC0415
    from netpromoter.report import placeholder_context  # noqa: PLC0415

    path = tmp_path / "responses.csv"
    path.write_text(_csv(seed, rows=120), encoding="utf-8", newline="")
    context = {"company": "Acme", "agent_name": "Sam", "review_link": "https://e.example/r",
               "feedback_link": "https://e.example/f", "help_link": "https://e.example/h",
               "referral_link": "https://e.example/v", "referral_code": "A1",
               "first_name": "klant"}  # fmt: skip
    (tmp_path / "context.json").write_text(json.dumps(context), encoding="utf-8")
    out = tmp_path / "plan.json"
    now = datetime(2025, 3, 25, tzinfo=timezone.utc)
    code = main([
        "followups", str(path), "--days", "10", "--now", now.isoformat(), "--drop-invalid",
        "--context", str(tmp_path / "context.json"), "--out", str(out), "--quiet",
    ])  # fmt: skip
    assert code == 0
    since = now - timedelta(days=10)
    responses = [
        r
        for r in read_responses(path).responses
        if r.submitted_at and since <= r.submitted_at <= now
    ]
    planned = plan(responses, now=now, context=placeholder_context(context))
    got = json.loads(out.read_text(encoding="utf-8"))
    keys = ("position", "respondent_id", "score", "priority", "template_id", "body")
    assert [tuple(row[k] for k in keys) for row in got] == [
        tuple(item.to_dict()[k] for k in keys) for item in planned
    ]
    assert planned  # the window holds responses
    shown = capsys.readouterr().err.splitlines()
    expected = [f"{path}: {rejection}" for rejection in read_responses(path).rejected]
    assert shown[: len(expected)] == expected


def test_report_without_pyarrow_uses_numpy_columns_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys  # noqa: PLC0415

    path = tmp_path / "responses.csv"
    path.write_text(_csv(5, rows=300).replace("0999-", "2024-"), encoding="utf-8", newline="")
    expected = build_report(read_columns(path), by=["region"], period="month", min_n=5).to_dict()
    monkeypatch.setattr("netpromoter.io._scan.pyarrow_available", lambda: False)
    scanned = scan_csv(path, ReadOptions(), keep=["region"])
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # the columns become numpy arrays
    rows = scanned_rows(scanned, Rescan(path, ReadOptions()))
    assert isinstance(rows.data, dict)
    got = build_report(rows, by=["region"], period="month", min_n=5).to_dict()
    expected.pop("generated_at")
    got.pop("generated_at")
    assert got == expected


@pytest.mark.parametrize("duplicates", ["keep_latest", "keep_all"])
@pytest.mark.parametrize("seed", range(8))
def test_checked_tally_of_a_scanned_file_equals_the_row_reader(
    tmp_path: Path, seed: int, duplicates: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tally_file(read=...)`` counts the same rows whether scanned or read row by row.

    Without the duplicate rule, the scan counts each chunk's rows as it reads them.
    """
    path = tmp_path / "responses.csv"
    path.write_text(_csv(seed), encoding="utf-8", newline="")
    by = ["region", "channel"]
    read: Any = {"duplicates": duplicates}
    scanned = tally_file(path, read=read, by=by, chunk_rows=7, progress=False)
    monkeypatch.setattr(_checked, "scan_keys", lambda *_: None)  # the row reader's path
    rowwise = tally_file(path, read=read, by=by, progress=False)
    assert scanned.rows_read == rowwise.rows_read
    assert scanned.rejected == rowwise.rejected
    assert scanned.notes == rowwise.notes
    assert scanned.tally.labels == rowwise.tally.labels
    np.testing.assert_array_equal(scanned.tally.count, rowwise.tally.count)
    assert scanned.result().nps == rowwise.result().nps
