"""The shared report: composed from the public functions, self-contained, escaped, renders."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from netpromoter import Response, plan, score, segment
from netpromoter.cli import EXAMPLE_CONTEXT, EXAMPLE_TARGETS, example_path
from netpromoter.io import read_columns, read_responses
from netpromoter.report import build_report, placeholder_context, render_html, render_text
from netpromoter.trends import trend
from netpromoter.weighting import rake

if TYPE_CHECKING:
    from pathlib import Path

    from netpromoter.report import Report

START = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def example_report() -> Report:
    read = read_responses(example_path())
    margins = json.loads(example_path(EXAMPLE_TARGETS).read_text(encoding="utf-8"))
    context = json.loads(example_path(EXAMPLE_CONTEXT).read_text(encoding="utf-8"))
    return build_report(read, by=["region", "customer_type"], margins=margins, followups=context)


def test_sections_are_the_public_results(example_report: Report) -> None:
    """Every number comes from score, segment, rake and plan on the accepted responses."""
    responses = list(read_responses(example_path()).responses)
    assert example_report.overall == score(responses)
    assert example_report.segments[0] == segment(responses, "region")
    margins = json.loads(example_path(EXAMPLE_TARGETS).read_text(encoding="utf-8"))
    raked = rake(responses, margins)
    assert example_report.weighting is not None
    assert example_report.weighting.weighted == raked.weighted
    assert example_report.weighting.effective_n == raked.diagnostics.effective_n
    assert sum(example_report.score_counts) == len(responses)


def test_trend_is_the_trend_function(example_report: Report) -> None:
    """The trend section is trend() on the dated responses: twelve months, all responses."""
    responses = list(read_responses(example_path()).responses)
    assert example_report.trend == trend(responses)
    months = [row.period for row in example_report.trend]
    assert months == sorted(months)
    assert len(months) == 12
    assert sum(row.n for row in example_report.trend) == example_report.overall.n
    assert example_report.undated == 0


def test_followup_workload_matches_plan(example_report: Report) -> None:
    """The workload counts the plan of the last 14 days before the latest response."""
    workload = example_report.followups
    assert workload is not None
    responses = read_responses(example_path()).responses
    now = max(r.submitted_at for r in responses if r.submitted_at)
    recent = [r for r in responses if r.submitted_at and now - timedelta(days=14) <= r.submitted_at]
    context = json.loads(example_path(EXAMPLE_CONTEXT).read_text(encoding="utf-8"))
    planned = plan(recent, now=now, context=placeholder_context(context))
    assert workload.n == len(planned) == sum(workload.by_category.values())
    assert sum(d + p + pr for _, d, p, pr in workload.by_due_date) == workload.n
    assert workload.overdue == sum(item.overdue for item in planned)


def test_html_is_self_contained(example_report: Report) -> None:
    """One file: no scripts, no external references of any kind."""
    page = render_html(example_report)
    lowered = page.lower()
    lowered = lowered.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for forbidden in ("<script", "http://", "https://", "src=", "href=", "url(", "@import"):
        assert forbidden not in lowered
    assert page.count("<div class='chart'>") == 7
    assert page.count("<svg") == 2 * 7  # each chart drawn for wide screens and for phones
    assert "default-src 'none'" in page


def test_html_escapes_everything() -> None:
    """Labels, titles, sources and rejected values from the data never become markup."""
    evil = "<script>alert('x')</script>"
    responses = [
        Response(score=s, submitted_at=START, segments={"team": evil if s > 5 else "a&b"})
        for s in (10, 9, 3, 2, 8)
    ]
    page = render_html(build_report(responses, by=["team"], min_n=1, title=f"T {evil}"))
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "a&amp;b" in page


def test_small_samples_are_flagged() -> None:
    """Segments under min_n are marked in the table and drawn hollow."""
    responses = [
        Response(score=s, submitted_at=START, segments={"team": "big" if i % 10 else "tiny"})
        for i, s in enumerate([10, 9, 8, 7, 6, 5, 9, 10, 3, 9] * 5)
    ]
    report = build_report(responses, by=["team"], min_n=10, period=None)
    page = render_html(report)
    assert "fewer than 10" in page
    assert "fill='#fff'" in page
    assert "small sample" in render_text(report)


def test_text_report_sections(example_report: Report) -> None:
    """The terminal report shows the headline and each section's table."""
    text = render_text(example_report)
    for heading in (
        "NPS ",
        "By region",
        "By customer type",
        "Per month",
        "Weighted to",
        "Follow-ups",
    ):
        assert heading in text


def test_to_dict_is_json(example_report: Report) -> None:
    """The machine form serialises to JSON and keeps the rejection report whole."""
    data = json.loads(json.dumps(example_report.to_dict()))
    assert data["rows_read"] == 3000
    assert data["rows_rejected"] == len(data["rejected"]) == 1
    assert set(data["segments"]) == {"region", "customer_type"}


def test_notebook_display(example_report: Report) -> None:
    """Results show as HTML tables in notebooks."""
    assert "<svg" in example_report._repr_html_()
    read = read_responses(example_path())
    assert "<table" in read._repr_html_() or read.rejected == ()


def _sections(report: Report) -> dict[str, object]:
    """Everything a report shows but the moment it was made."""
    return report.to_dict() | {"generated_at": None}


def test_columns_give_the_report_of_responses(example_report: Report) -> None:
    """A file read into columns gives the same report as the file read into responses."""
    read = read_columns(example_path())
    margins = json.loads(example_path(EXAMPLE_TARGETS).read_text(encoding="utf-8"))
    context = json.loads(example_path(EXAMPLE_CONTEXT).read_text(encoding="utf-8"))
    report = build_report(read, by=["region", "customer_type"], margins=margins, followups=context)
    assert _sections(report) == _sections(example_report)
    assert report.segments == example_report.segments
    assert report.trend == example_report.trend


def test_columns_keep_undated_rows_missing_cells_and_duplicates(tmp_path: Path) -> None:
    """Undated rows, empty segment cells and set-aside duplicates count alike both ways."""
    path = tmp_path / "mixed.csv"
    rows = [
        "respondent_id,score,submitted_at,channel,team,first_name",
        "r1,9,2026-01-05T10:00:00+01:00,email,a,Ann",
        "r1,3,2026-01-06T10:00:00+01:00,e-mail,a,Ann",
        "r2,10,,sms,,",
        "r3,6,2026-02-01T09:00:00Z,,b,Bo",
        "r4,ten,2026-02-02T09:00:00Z,,b,",
        "r5,8,2026-02-03T09:00:00Z,web,,Cy",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    context = json.loads(example_path(EXAMPLE_CONTEXT).read_text(encoding="utf-8"))
    options = {"by": ["team"], "min_n": 1, "followups": context}
    from_columns = build_report(read_columns(path), **options)
    from_responses = build_report(read_responses(path), **options)
    assert _sections(from_columns) == _sections(from_responses)
    assert from_columns.undated == 1
    assert from_columns.followups is not None
    assert from_columns.followups.n == 2  # r3 and r5, of the 14 days before the last answer
    assert from_columns.rows_read == 6
    assert [r.line for r in from_columns.rejected] == [2, 6]
    assert [row.key for row in from_columns.segments[0]] == [("a",), ("b",), ("(missing)",)]
