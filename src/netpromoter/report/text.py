"""The report as plain-text tables for a terminal."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from netpromoter._results import render_text as render_table
from netpromoter.report import views
from netpromoter.report.words import Words, plain

if TYPE_CHECKING:
    from netpromoter._results import TableView
    from netpromoter.core import NPSResult
    from netpromoter.report.model import Report
    from netpromoter.report.words import ReportLanguage
    from netpromoter.segmentation import SegmentResult


def _table(caption: str, view: TableView) -> list[str]:
    """A blank line, then the captioned table with every row (never shortened)."""
    shown = render_table(replace(view, caption=caption), edge=max(len(view.rows), 1))
    return ["", *(line.rstrip() for line in shown.splitlines())]


def _headline(report: Report, w: Words) -> list[str]:
    o = report.overall
    level = w.share(o.confidence_level, 0)
    rejected = len(report.rejected)
    promoters = w("promoters")
    label = max(len(w("text_responses")), len(promoters)) + 4
    interval = w("text_interval", level=level, ci=w.interval(o.ci), method=w.method(o.method))
    of_rows = w(
        "text_of_rows",
        n=w.count(o.n),
        read=w.count(report.rows_read),
        rejected=w("rejected_n", n=w.count(rejected)),
    )
    return [
        report.title,
        "=" * len(report.title),
        f"{'NPS':<{label}}{w.signed(o.nps):>6}  ({interval})",
        f"{w('text_responses'):<{label}}{of_rows}",
        (
            f"{promoters:<{label}}{w.share(o.promoter_share):>6}   "
            f"{w('passives')} {w.share(o.passive_share)}   "
            f"{w('detractors')} {w.share(o.detractor_share)}"
        ),
    ]


def render_text(report: Report) -> str:
    """The report as plain-text tables for a terminal, in the report's language.

    Examples:
        >>> from netpromoter import Response
        >>> from netpromoter.report import build_report
        >>> rs = [Response(score=9), Response(score=4)]
        >>> print(render_text(build_report(rs, period=None)).splitlines()[2])
        NPS            +0.0  (95% interval [-73.3, +73.3], adjusted Wald)
        >>> print(render_text(build_report(rs, period=None, language="nl")).splitlines()[2])
        NPS             +0,0  (95%-interval [-73,3; +73,3], aangepaste Wald)
    """
    w = Words(report.language)
    level = w.share(report.overall.confidence_level, 0)
    out = _headline(report, w)
    for table in report.segments:
        view = views.segment_view(table, level, w("small_sample"), w)
        out += _table(w("by", name=" / ".join(plain(by) for by in table.by)), view)
    if report.trend is not None and report.period is not None:
        undated = w("undated_text", n=w.count(report.undated)) if report.undated else ""
        view = views.trend_view(report.trend, report.period, level, w)
        out += _table(w("per", period=w(report.period)) + undated, view)
    if report.weighting is not None:
        s = report.weighting
        caption = w(
            "weighting_caption",
            by=", ".join(plain(by) for by in s.by),
            deff=w.decimal(s.design_effect, 2),
        )
        out += _table(caption, views.weighting_view(s, level, w))
    if report.followups is not None:
        f = report.followups
        caption = w(
            "followup_caption",
            n=w.count(f.n),
            since=f.since.date().isoformat(),
            overdue=w.count(f.overdue),
        )
        out += _table(caption, views.due_view(f, w))
    if report.rejected:
        shown = min(len(report.rejected), views.SHOWN_REJECTIONS)
        n = len(report.rejected)
        rows = w("rejected_row" if n == 1 else "rejected_rows", n=w.count(n))
        listed = w("first_shown", n=shown) if n > shown else w("all_listed")
        out += ["", rows + listed]
        out += [f"  {r}" for r in report.rejected[:shown]]
    return "\n".join(out) + "\n"


def render_score_text(
    result: NPSResult,
    source: str,
    rejected: int,
    segments: SegmentResult | None = None,
    language: ReportLanguage = "en",
) -> str:
    """The summary ``netpromoter score`` prints: the NPS of a file, and its segments.

    Examples:
        >>> from netpromoter import score
        >>> text = render_score_text(score([10, 9, 3]), "a.csv", 1, language="nl")
        >>> print(text.splitlines()[1])
        Antwoorden    3 (1 afgewezen)
    """
    w = Words(language)
    level = w.share(result.confidence_level, 0)
    rows = [
        (w("text_file"), source),
        (w("text_responses"), f"{w.count(result.n)} ({w('rejected_n', n=w.count(rejected))})"),
        (w("text_nps"), w.signed(result.nps)),
        (w("text_ci", level=level), f"{w.interval(result.ci)} ({w.method(result.method)})"),
        (w("promoters"), f"{w.count(result.promoters)} ({w.share(result.promoter_share)})"),
        (w("passives"), f"{w.count(result.passives)} ({w.share(result.passive_share)})"),
        (w("detractors"), f"{w.count(result.detractors)} ({w.share(result.detractor_share)})"),
    ]
    width = max(len(label) for label, _ in rows) + 2
    out = [f"{label:<{width}}{value}" for label, value in rows]
    if segments is not None:
        view = views.segment_view(segments, level, w("small_sample"), w)
        out += _table(w("by", name=" / ".join(plain(by) for by in segments.by)), view)
    return "\n".join(out) + "\n"
