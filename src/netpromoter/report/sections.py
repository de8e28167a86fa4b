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
from netpromoter._results import render_html as render_table
from netpromoter.report import views
from netpromoter.report.words import Words, plain

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
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
    """A whole table (never shortened) in a box that scrolls sideways when it is too wide."""
    shown = render_table(view, edge=max(len(view.rows), 1), css=css)
    return f"<div class='scroll'>{shown}</div>"


def _chart(draw: Callable[[int], str]) -> str:
    """A chart drawn twice, for wide screens and for phones; the page shows one of them."""
    return (
        f"<div class='chart'><div class='wide'>{draw(_svg.WIDE)}</div>"
        f"<div class='narrow'>{draw(_svg.NARROW)}</div></div>"
    )


def _file_name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def title(text: str) -> list[str]:
    """The report's title."""
    return [f"<h1>{esc(text)}</h1>"]


def meta(
    source: str, n: int, rows_read: int, n_rejected: int, generated_at: datetime, *, w: Words
) -> list[str]:
    """Where the rows came from, how many were used, and when the report was made."""
    line = w(
        "meta",
        source=esc(_file_name(source)),
        used=w("responses", n=w.count(n)),
        read=w.count(rows_read),
        rejected=w.count(n_rejected),
        when=esc(generated_at.strftime("%Y-%m-%d %H:%M UTC")),
    )
    return [f"<p class='meta'>{line}</p>"]


def answers(o: NPSResult, score_counts: Sequence[int], w: Words) -> list[str]:
    """The NPS with its interval, the categories' shares and the answers per score."""
    level = w.share(o.confidence_level, 0)
    shares = [
        (share, w.share(share), w.share(share, 0))
        for share in (o.detractor_share, o.passive_share, o.promoter_share)
    ]
    names = (w("detractors"), w("passives"), w("promoters"))
    counts = [w.count(n) for n in score_counts]
    return [
        (
            "<div class='headline'>"
            f"<span class='nps'>{w.signed(o.nps)}</span>"
            f"<span class='ci'>{esc(w('headline', level=level, ci=w.interval(o.ci)))}<br>"
            f"{esc(w('margin', moe=w.decimal(o.margin_of_error), method=w.method(o.method)))}"
            "</span></div>"
        ),
        f"<h2>{w('how_answered')}</h2>",
        _chart(lambda width: _svg.category_bar(shares, names, w("category_title"), width)),
        _chart(
            lambda width: _svg.score_histogram(score_counts, counts, w("histogram_title"), width)
        ),
    ]


def segments(table: SegmentResult, reference: float, min_n: int, level: str, w: Words) -> list[str]:
    """One segment table: a forest of intervals around ``reference`` and the table."""
    name = " / ".join(plain(by) for by in table.by)
    intervals = [
        _svg.Interval(
            views.key_label(row.key, table.by, w),
            row.nps,
            *row.ci,
            f"n = {w.count(row.n)}",
            row.small_sample,
            f"{w.signed(row.nps)} {w.interval(row.ci)}",
        )
        for row in table
    ]
    view = views.segment_view(table, level, w("fewer_than", n=min_n), w)
    chart_title = w("forest_title", name=name, level=level)
    return [
        f"<h2>{esc(w('nps_by', name=name))}</h2>",
        _chart(
            lambda width: _svg.forest(
                intervals,
                reference,
                chart_title,
                width=width,
                words=_svg.ForestText(w("overall", value=w.signed(reference)), w("small")),
            )
        ),
        _table(view, "netpromoter-table flagged"),
    ]


def _trend_chart(result: TrendResult, title: str, width: int) -> str:
    rows = result.overall
    line = _svg.Series(
        name="NPS",
        values=[r.nps for r in rows],
        lower=[r.ci[0] if r.ci else None for r in rows],
        upper=[r.ci[1] if r.ci else None for r in rows],
        n=[r.n for r in rows],
    )
    return _svg.line_chart(
        [r.period for r in rows],
        [line],
        title=title,
        y_label="NPS",
        width=width,
        height=300 if width == _svg.WIDE else 280,
        font_size=_svg.FONT_SIZE,
        scalable=True,
    )


def over_time(result: TrendResult, period: str, undated: int, level: str, w: Words) -> list[str]:
    """The trend: its chart, how to read it, and its table."""
    left_out = w("undated_html", n=w.count(undated)) if undated else ""
    name = w(period)
    title_text = w("trend_title", period=name, level=level)
    return [
        f"<h2>{esc(w('nps_per', period=name))}</h2>",
        _chart(lambda width: _trend_chart(result, title_text, width)),
        f"<p class='note'>{esc(w('trend_note', period=name, level=level) + left_out)}</p>",
        _table(views.trend_view(result, period, level, w)),
    ]


def _estimate(label: str, o: NPSResult, n: str, w: Words) -> _svg.Interval:
    """One NPS as a forest row, with its written ``n``."""
    shown = f"{w.signed(o.nps)} {w.interval(o.ci)}"
    return _svg.Interval(label, o.nps, *o.ci, n, flagged=False, shown=shown)


def weighting(s: WeightingSummary, w: Words) -> list[str]:
    """Weighted against unweighted NPS, with the weights' effective sample size."""
    u, v = s.unweighted, s.weighted
    rows = [
        _estimate(w("unweighted"), u, f"n = {w.count(u.n)}", w),
        _estimate(w("weighted"), v, f"{w('effective_n')} = {w.decimal(s.effective_n, 0)}", w),
    ]
    note = w(
        "weighting_note",
        by=", ".join(plain(by) for by in s.by),
        eff=w.decimal(s.effective_n, 0),
        deff=w.decimal(s.design_effect, 2),
        converged="" if s.converged else w("not_converged"),
    )
    return [
        f"<h2>{w('weighted_title')}</h2>",
        _chart(lambda width: _svg.forest(rows, None, w("weighted_chart"), width=width)),
        f"<p class='note'>{esc(note)}</p>",
    ]


def followups(f: FollowUpWorkload, w: Words) -> list[str]:
    """The follow-up workload per due date and channel."""
    labels = [day[5:] for day, *_ in f.by_due_date]
    series = [
        (w("detractors"), _svg.DETRACTOR, [d for _, d, _, _ in f.by_due_date]),
        (w("passives"), _svg.PASSIVE, [p for _, _, p, _ in f.by_due_date]),
        (w("promoters"), _svg.PROMOTER, [p for _, _, _, p in f.by_due_date]),
    ]
    note = w(
        "followup_note",
        n=w.count(f.n),
        since=f.since.date().isoformat(),
        at=f.planned_at.strftime("%Y-%m-%d %H:%M %Z"),
        overdue=w.count(f.overdue),
    )
    return [
        f"<h2>{w('followup_title')}</h2>",
        f"<p class='note'>{esc(note)}</p>",
        _chart(lambda width: _svg.stacked_columns(labels, series, w("followup_chart"), width)),
        _table(views.channel_view(f, w)),
    ]


def rejections(rejected: Sequence[Rejection], w: Words) -> list[str]:
    """The rows not used (the first of them), with what may be shown of them."""
    n = len(rejected)
    if not n:
        return []
    shown = min(n, views.SHOWN_REJECTIONS)
    note = (
        (w("rejected_one") if n == 1 else w("rejected_many", n=w.count(n)))
        + (w("rejected_first", n=shown) if n > shown else "")
        + w("rejected_privacy")
    )
    return [
        f"<h2>{w('rejected_title')}</h2>",
        f"<p class='note'>{esc(note)}</p>",
        _table(views.rejection_view(rejected, w), "netpromoter-table reasons"),
    ]
