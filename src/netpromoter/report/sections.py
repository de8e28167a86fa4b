"""The report's HTML sections, each from the results it shows.

Every table is rendered by [`render_html`][netpromoter._results.render.render_html]
from the views of [`views`][netpromoter.report.views], which escapes every header and
cell; every other text from the data (title, file name, labels in charts) is escaped here
or by the chart functions.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from netpromoter import _svg
from netpromoter._results import format as fmt
from netpromoter._results import render_html as render_table
from netpromoter.report import views

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from netpromoter._results import TableView
    from netpromoter.core import NPSResult
    from netpromoter.io._rejection import Rejection
    from netpromoter.report.parts import FollowUpWorkload, WeightingSummary
    from netpromoter.segmentation import SegmentResult
    from netpromoter.trends import TrendResult


def esc(value: object) -> str:
    """Text from the data, escaped for HTML (quotes too)."""
    return html.escape(str(value), quote=True)


def _table(view: TableView, css: str = "netpromoter-table") -> str:
    """A whole table (never shortened: a report shows every row it lists)."""
    return render_table(view, edge=max(len(view.rows), 1), css=css)


def _file_name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def title(text: str) -> list[str]:
    """The report's title."""
    return [f"<h1>{esc(text)}</h1>"]


def meta(source: str, n: int, rows_read: int, n_rejected: int, generated_at: datetime) -> list[str]:
    """Where the rows came from, how many were used, and when the report was made."""
    when = esc(generated_at.strftime("%Y-%m-%d %H:%M UTC"))
    line = (
        f"<p class='meta'>{esc(_file_name(source))} · {fmt.count(n)} responses "
        f"of {fmt.count(rows_read)} rows read · {fmt.count(n_rejected)} "
        f"rejected · generated {when}</p>"
    )
    return [line]


def answers(o: NPSResult, score_counts: Sequence[int]) -> list[str]:
    """The NPS with its interval, the categories' shares and the answers per score."""
    level = fmt.share(o.confidence_level, 0)
    return [
        (
            "<div class='headline'>"
            f"<span class='nps'>{fmt.signed(o.nps)}</span>"
            f"<span class='ci'>NPS, {level} interval {esc(fmt.interval(o.ci))}<br>"
            f"margin of error ±{fmt.number(o.margin_of_error)} points ({esc(o.method)})"
            "</span></div>"
        ),
        "<h2>How people answered</h2>",
        _svg.category_bar(
            (o.detractor_share, o.passive_share, o.promoter_share), "Share of each category"
        ),
        _svg.score_histogram(score_counts, "Answers per score, 0 to 10"),
    ]


def segments(table: SegmentResult, reference: float, min_n: int, level: str) -> list[str]:
    """One segment table: a forest of intervals around ``reference`` and the table."""
    name = " / ".join(table.by)
    intervals = [
        _svg.Interval(views.key_label(row.key), row.nps, *row.ci, row.n, row.small_sample)
        for row in table
    ]
    view = views.segment_view(table, level, f"fewer than {min_n}")
    return [
        f"<h2>NPS by {esc(name)}</h2>",
        _svg.forest(intervals, reference, f"NPS by {name} with {level} intervals"),
        _table(view, "netpromoter-table flagged"),
    ]


def over_time(result: TrendResult, period: str, undated: int, level: str) -> list[str]:
    """The trend: its chart, how to read it, and its table."""
    left_out = f" {fmt.count(undated)} responses without a date are left out." if undated else ""
    return [
        f"<h2>NPS per {esc(period)}</h2>",
        result.to_svg(width=720, height=300),
        (
            f"<p class='note'>The band is each {esc(period)}'s {level} interval; "
            f"changes are tested against the previous {esc(period)}.{left_out}</p>"
        ),
        _table(views.trend_view(result, period, level)),
    ]


def weighting(w: WeightingSummary) -> list[str]:
    """Weighted against unweighted NPS, with the weights' effective sample size."""
    u, v = w.unweighted, w.weighted
    rows = [
        _svg.Interval("unweighted", u.nps, *u.ci, u.n, flagged=False),
        _svg.Interval("weighted", v.nps, *v.ci, round(w.effective_n), flagged=False),
    ]
    return [
        "<h2>Weighted and unweighted</h2>",
        _svg.forest(rows, None, "Weighted and unweighted NPS"),
        (
            f"<p class='note'>Raked to population margins of {esc(', '.join(w.by))}: "
            f"effective sample size {fmt.number(w.effective_n, 0)} (design effect "
            f"{fmt.number(w.design_effect, 2)})"
            f"{'' if w.converged else '; raking did not converge'}.</p>"
        ),
    ]


def followups(f: FollowUpWorkload) -> list[str]:
    """The follow-up workload per due date and channel."""
    labels = [day[5:] for day, *_ in f.by_due_date]
    series = [
        ("detractors", _svg.DETRACTOR, [d for _, d, _, _ in f.by_due_date]),
        ("passives", _svg.PASSIVE, [p for _, _, p, _ in f.by_due_date]),
        ("promoters", _svg.PROMOTER, [p for _, _, _, p in f.by_due_date]),
    ]
    return [
        "<h2>Follow-up workload</h2>",
        (
            f"<p class='note'>{fmt.count(f.n)} follow-ups for responses since "
            f"{esc(f.since.date().isoformat())}, planned at "
            f"{esc(f.planned_at.strftime('%Y-%m-%d %H:%M %Z'))}; "
            f"{fmt.count(f.overdue)} overdue.</p>"
        ),
        _svg.stacked_columns(labels, series, "Follow-ups per due date"),
        _table(views.channel_view(f)),
    ]


def rejections(rejected: Sequence[Rejection]) -> list[str]:
    """The rows not used (the first of them), with what may be shown of them."""
    n = len(rejected)
    if not n:
        return []
    shown = min(n, views.SHOWN_REJECTIONS)
    return [
        "<h2>Rows not used</h2>",
        f"<p class='note'>{fmt.count(n)} "
        + ("row was" if n == 1 else "rows were")
        + " not used"
        + (f"; the first {shown} are listed" if n > shown else "")
        + ". Values that could identify someone (ids, comments, whole rows) are not "
        "shown: look them up by line.</p>",
        _table(views.rejection_view(rejected)),
    ]
