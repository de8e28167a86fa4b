"""A report of a CSV file counted chunk by chunk equals the report of its rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from test_io_scan import _csv

from netpromoter.core import score
from netpromoter.exceptions import EmptyDataError, InvalidParameterError
from netpromoter.io import _blocks
from netpromoter.io._read import ReadOptions
from netpromoter.io._scan import scan_csv
from netpromoter.report import build_report
from netpromoter.report.inputs import ChunkTally, Rescan, scanned_rows

if TYPE_CHECKING:
    from pathlib import Path

_KEEP = ["region", "channel", "language"]
_CONTEXT = {
    "company": "Acme",
    "agent_name": "Sam",
    "review_link": "https://e.example/r",
    "feedback_link": "https://e.example/f",
    "help_link": "https://e.example/h",
    "referral_link": "https://e.example/v",
    "referral_code": "A1",
}


def _reports(
    path: Path,
    options: ReadOptions,
    zone: str,
    chunk_rows: int,
    keep: list[str] = _KEEP,
    **report: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of the rows of the whole file, and of its chunks' tallies."""
    whole = scan_csv(path, options, keep=keep, progress=False)
    expected = build_report(scanned_rows(whole, Rescan(path, options)), timezone=zone, **report)
    counter = ChunkTally(keep, ZoneInfo(zone))
    scanned = scan_csv(
        path, options, keep=keep, progress=False, chunk_rows=chunk_rows, sink=counter
    )
    if not scanned.streamed:
        scanned.feed(counter, chunk_rows)
    got = build_report(counter.rows(scanned, Rescan(path, options)), timezone=zone, **report)
    out = got.to_dict(), expected.to_dict()
    for part in out:
        part.pop("generated_at")
    return out


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "case",
    [
        ("keep_all", "month", "UTC", None),
        ("keep_latest", "week", "Europe/Amsterdam", None),
        ("keep_all", "quarter", "America/St_Johns", "Asia/Kolkata"),
        ("keep_all", "week", "Europe/Amsterdam", "Europe/Amsterdam"),
    ],
)
def test_report_of_seven_row_chunks_equals_the_report_of_the_rows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    case: tuple[str, str, str, str | None],
) -> None:
    duplicates, period, zone, naive = case
    monkeypatch.setattr(_blocks, "BLOCK_BYTES", 256)  # many pyarrow regions too
    path = tmp_path / "responses.csv"
    text = _csv(seed, rows=300).replace("0999-", "2024-")
    path.write_text(text, encoding="utf-8", newline="")
    options = ReadOptions(
        duplicates=duplicates,  # type: ignore[arg-type]
        naive_timezone=None if naive is None else ZoneInfo(naive),
    )
    got, expected = _reports(
        path,
        options,
        zone,
        7,
        by=["region", "channel"],
        period=period,
        followups=_CONTEXT,
        min_n=5,
    )
    assert got == expected
    assert got["trend"] is not None
    assert len(got["segments"]) == 2


def test_language_of_the_data_and_undated_rows_come_from_the_tallies(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    lines = ["submitted_at,language,region,score"]
    lines += [f"2026-01-{d:02d}T10:00:00Z,nl-BE,{r},{s}" for d, r, s in [(3, "a", 9), (9, "", 3)]]
    lines += [",nl,b,10", "2026-03-01T00:30:00+01:00,,a,7"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, expected = _reports(
        path, ReadOptions(), "UTC", 1, ["region", "language"], by=["region"], min_n=1
    )
    assert got == expected
    assert got["language"] == "nl"
    assert got["undated"] == 1
    assert [row["n"] for row in got["trend"]] == [2, 1]  # January; February 28 in UTC


def test_tallies_refuse_margins(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    path.write_text("score,region\n9,a\n", encoding="utf-8")
    counter = ChunkTally(["region"], ZoneInfo("UTC"))
    scanned = scan_csv(path, ReadOptions(), keep=["region"], progress=False, sink=counter)
    tallied = counter.rows(scanned, Rescan(path, ReadOptions()))
    with pytest.raises(InvalidParameterError, match="margins need the rows"):
        build_report(tallied, margins={"region": {"a": 1.0}})


def test_no_accepted_score_gives_the_error_of_score(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    path.write_text("score,region\nten,a\n", encoding="utf-8")
    counter = ChunkTally(["region"], ZoneInfo("UTC"))
    scanned = scan_csv(path, ReadOptions(), keep=["region"], progress=False, sink=counter)
    with pytest.raises(EmptyDataError, match="no scores to score"):
        build_report(counter.rows(scanned, Rescan(path, ReadOptions())), by=["region"])


def test_a_segment_column_without_values_is_one_missing_segment(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    path.write_text("score,region,submitted_at\n9,,2026-01-01T00:00:00Z\n3,,\n", "utf-8")
    counter = ChunkTally(["region"], ZoneInfo("UTC"))
    scanned = scan_csv(path, ReadOptions(), keep=["region"], progress=False, sink=counter)
    tallied = counter.rows(scanned, Rescan(path, ReadOptions()))
    report = build_report(tallied, by=["region"], min_n=1)
    assert [(row.key, row.n) for row in report.segments[0]] == [(("(missing)",), 2)]
    assert report.overall == score([9, 3])
    assert report.undated == 1
    got, of_rows = _reports(path, ReadOptions(), "UTC", 1, ["region"], by=["region"], min_n=1)
    assert got == of_rows  # the rows' Arrow table of a column without values too
