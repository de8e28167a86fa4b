"""The report as one self-contained HTML page: inline CSS and SVG, no scripts.

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
    from netpromoter._results import TableView
    from netpromoter.report.model import FollowUpWorkload, Report, WeightingSummary
    from netpromoter.segmentation import SegmentResult

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1c2833;margin:0;
background:#f4f6f6}
main{max-width:760px;margin:0 auto;padding:24px 20px 48px;background:#fff}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.15rem;margin:32px 0 8px;
border-bottom:1px solid #e5e8e8;padding-bottom:4px}
.meta{color:#7f8c8d;font-size:.85rem}
.headline{display:flex;gap:28px;align-items:baseline;margin:18px 0 6px}
.nps{font-size:3.2rem;font-weight:700}
.ci{font-size:1rem;color:#566573}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:8px 0}
th,td{padding:4px 8px;border-bottom:1px solid #eaeded;text-align:left}
.num{text-align:right}
table.flagged td:last-child{color:#c0392b;text-align:left}
p.note{color:#566573;font-size:.85rem}
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(view: TableView, css: str = "netpromoter-table") -> str:
    """A whole table (never shortened: a report shows every row it lists)."""
    return render_table(view, edge=max(len(view.rows), 1), css=css)


def _file_name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def _headline(report: Report) -> list[str]:
    o = report.overall
    level = fmt.share(o.confidence_level, 0)
    return [
        f"<h1>{_esc(report.title)}</h1>",
        (
            f"<p class='meta'>{_esc(_file_name(report.source))} · {fmt.count(o.n)} responses "
            f"of {fmt.count(report.rows_read)} rows read · {fmt.count(len(report.rejected))} "
            f"rejected · generated {_esc(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>"
        ),
        (
            "<div class='headline'>"
            f"<span class='nps'>{fmt.signed(o.nps)}</span>"
            f"<span class='ci'>NPS, {level} interval {_esc(fmt.interval(o.ci))}<br>"
            f"margin of error ±{fmt.number(o.margin_of_error)} points ({_esc(o.method)})"
            "</span></div>"
        ),
        "<h2>How people answered</h2>",
        _svg.category_bar(
            (o.detractor_share, o.passive_share, o.promoter_share), "Share of each category"
        ),
        _svg.score_histogram(report.score_counts, "Answers per score, 0 to 10"),
    ]


def _segments(table: SegmentResult, report: Report, level: str) -> list[str]:
    name = " / ".join(table.by)
    intervals = [
        _svg.Interval(views.key_label(row.key), row.nps, *row.ci, row.n, row.small_sample)
        for row in table
    ]
    view = views.segment_view(table, level, f"fewer than {report.min_n}")
    return [
        f"<h2>NPS by {_esc(name)}</h2>",
        _svg.forest(intervals, report.overall.nps, f"NPS by {name} with {level} intervals"),
        _table(view, "netpromoter-table flagged"),
    ]


def _trend(report: Report, level: str) -> list[str]:
    if report.trend is None:
        return []
    period = str(report.period)
    undated = (
        f" {fmt.count(report.undated)} responses without a date are left out."
        if report.undated
        else ""
    )
    return [
        f"<h2>NPS per {_esc(period)}</h2>",
        report.trend.to_svg(width=720, height=300),
        (
            f"<p class='note'>The band is each {_esc(period)}'s {level} interval; "
            f"changes are tested against the previous {_esc(period)}.{undated}</p>"
        ),
        _table(views.trend_view(report.trend, period, level)),
    ]


def _weighting(w: WeightingSummary) -> list[str]:
    rows = [
        _svg.Interval(
            "unweighted", w.unweighted.nps, *w.unweighted.ci, w.unweighted.n, flagged=False
        ),
        _svg.Interval(
            "weighted", w.weighted.nps, *w.weighted.ci, round(w.effective_n), flagged=False
        ),
    ]
    return [
        "<h2>Weighted and unweighted</h2>",
        _svg.forest(rows, None, "Weighted and unweighted NPS"),
        (
            f"<p class='note'>Raked to population margins of {_esc(', '.join(w.by))}: "
            f"effective sample size {fmt.number(w.effective_n, 0)} (design effect "
            f"{fmt.number(w.design_effect, 2)})"
            f"{'' if w.converged else '; raking did not converge'}.</p>"
        ),
    ]


def _followups(f: FollowUpWorkload) -> list[str]:
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
            f"{_esc(f.since.date().isoformat())}, planned at "
            f"{_esc(f.planned_at.strftime('%Y-%m-%d %H:%M %Z'))}; "
            f"{fmt.count(f.overdue)} overdue.</p>"
        ),
        _svg.stacked_columns(labels, series, "Follow-ups per due date"),
        _table(views.channel_view(f)),
    ]


def _rejections(report: Report) -> list[str]:
    n = len(report.rejected)
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
        _table(views.rejection_view(report.rejected)),
    ]


def body(report: Report) -> str:
    """The report's sections as HTML (the page's ``<main>``; a notebook shows this)."""
    level = fmt.share(report.overall.confidence_level, 0)
    parts = _headline(report)
    for table in report.segments:
        parts += _segments(table, report, level)
    parts += _trend(report, level)
    if report.weighting is not None:
        parts += _weighting(report.weighting)
    if report.followups is not None:
        parts += _followups(report.followups)
    parts += _rejections(report)
    return "\n".join(parts)


def render_html(report: Report) -> str:
    """One self-contained HTML page: inline CSS and SVG, no scripts, no external assets.

    Every text from the data (segment labels, file names, rejected values) is escaped.

    Examples:
        >>> from netpromoter import Response
        >>> from netpromoter.report import build_report
        >>> page = render_html(build_report([Response(score=9, segments={"t": "<b>"})],
        ...                                 by=["t"], period=None, min_n=1))
        >>> "<b>" in page, "&lt;b&gt;" in page
        (False, True)
    """
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_esc(report.title)}</title><style>{_CSS}</style></head>"
        f"<body><main>\n{body(report)}\n</main></body></html>\n"
    )
