"""The report as plain-text tables for a terminal."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from netpromoter._results import format as fmt
from netpromoter._results import render_text as render_table
from netpromoter.report import views

if TYPE_CHECKING:
    from netpromoter._results import TableView
    from netpromoter.report.model import Report


def _table(caption: str, view: TableView) -> list[str]:
    """A blank line, then the captioned table with every row (never shortened)."""
    shown = render_table(replace(view, caption=caption), edge=max(len(view.rows), 1))
    return ["", *(line.rstrip() for line in shown.splitlines())]


def _headline(report: Report) -> list[str]:
    o = report.overall
    level = fmt.share(o.confidence_level, 0)
    return [
        report.title,
        "=" * len(report.title),
        f"NPS          {fmt.signed(o.nps):>6}  ({level} interval {fmt.interval(o.ci)}, {o.method})",
        (
            f"Responses    {fmt.count(o.n)} of {fmt.count(report.rows_read)} rows "
            f"({fmt.count(len(report.rejected))} rejected)"
        ),
        (
            f"Promoters    {fmt.share(o.promoter_share):>6}   "
            f"Passives {fmt.share(o.passive_share)}   "
            f"Detractors {fmt.share(o.detractor_share)}"
        ),
    ]


def render_text(report: Report) -> str:
    """The report as plain-text tables for a terminal.

    Examples:
        >>> from netpromoter import Response
        >>> from netpromoter.report import build_report
        >>> print(render_text(build_report([Response(score=9), Response(score=4)],
        ...                                period=None)).splitlines()[2])
        NPS            +0.0  (95% interval [-73.3, +73.3], adjusted_wald)
    """
    level = fmt.share(report.overall.confidence_level, 0)
    out = _headline(report)
    for table in report.segments:
        view = views.segment_view(table, level, "small sample")
        out += _table(f"By {' / '.join(table.by)}", view)
    if report.trend is not None:
        undated = (
            f" ({fmt.count(report.undated)} without a date left out)" if report.undated else ""
        )
        view = views.trend_view(report.trend, str(report.period), level)
        out += _table(f"Per {report.period}{undated or ''}", view)
    if report.weighting is not None:
        w = report.weighting
        caption = (
            f"Weighted to population margins of {', '.join(w.by)} "
            f"(design effect {fmt.number(w.design_effect, 2)})"
        )
        out += _table(caption, views.weighting_view(w, level))
    if report.followups is not None:
        f = report.followups
        caption = (
            f"Follow-ups: {fmt.count(f.n)} for responses since {f.since.date().isoformat()} "
            f"({fmt.count(f.overdue)} overdue)"
        )
        out += _table(caption, views.due_view(f))
    if report.rejected:
        shown = views.SHOWN_REJECTIONS
        n = len(report.rejected)
        listed = f"first {shown}" if n > shown else "all listed"
        out += ["", f"{fmt.count(n)} rejected {'row' if n == 1 else 'rows'} ({listed}):"]
        out += [f"  {r}" for r in report.rejected[:shown]]
    return "\n".join(out) + "\n"
