"""A report to share: NPS, segments, trend, weighting and follow-up work in one place.

[`build_report`][netpromoter.report.build_report] composes the public functions —
[`score`][netpromoter.core.score], [`segment`][netpromoter.segmentation.segment],
[`trend`][netpromoter.trends.trend], [`rake`][netpromoter.weighting.rake] and
[`plan`][netpromoter.followup.plan] — into one
frozen [`Report`][netpromoter.report.Report]; nothing is computed here that those do not
compute. [`render_html`][netpromoter.report.render_html] turns it into one
self-contained HTML file (inline CSS and SVG charts, no scripts, no network, every text
escaped); [`render_text`][netpromoter.report.render_text] into terminal tables.
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict

from netpromoter import _svg
from netpromoter._model import Model
from netpromoter._tables import format_p
from netpromoter.core import Category, NPSCounts, NPSResult, Response, score
from netpromoter.followup import PLACEHOLDERS, plan
from netpromoter.io._read import ReadResult
from netpromoter.io._rejection import Rejection  # noqa: TC001 - pydantic needs it at runtime
from netpromoter.io._write import plain
from netpromoter.segmentation import SegmentResult, SegmentRow, segment
from netpromoter.trends import TrendResult, trend
from netpromoter.weighting import rake

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "FollowUpWorkload",
    "Report",
    "WeightingSummary",
    "build_report",
    "placeholder_context",
    "render_html",
    "render_text",
]

ReportPeriod = Literal["week", "month", "quarter"]
_SHOWN_REJECTIONS = 20


class WeightingSummary(Model):
    """Weighted against unweighted NPS, from raking to population margins.

    Attributes:
        by: The weighting dimensions.
        unweighted: The NPS with equal weights.
        weighted: The NPS with the raked weights (design-based, calibration-aware SE).
        effective_n: Kish's effective sample size of the weights.
        design_effect: Kish's design effect ``n / effective_n``.
        converged: Whether raking met every margin.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: tuple[str, ...]
    unweighted: NPSResult
    weighted: NPSResult
    effective_n: float
    design_effect: float
    converged: bool


class FollowUpWorkload(Model):
    """How much follow-up the recent responses ask for, and by when.

    Attributes:
        planned_at: The moment the plan was made for.
        since: Responses submitted from this moment on were planned.
        n: Follow-ups planned.
        by_category: Follow-ups per category (detractor, passive, promoter).
        by_channel: Follow-ups per channel.
        by_due_date: ``(date, detractors, passives, promoters)`` per due date.
        overdue: Follow-ups already past their due moment at ``planned_at``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    planned_at: datetime
    since: datetime
    n: int
    by_category: dict[str, int]
    by_channel: dict[str, int]
    by_due_date: tuple[tuple[str, int, int, int], ...]
    overdue: int


class Report(Model):
    """Everything the shared report shows, as plain results.

    Attributes:
        title: The report's title.
        source: Where the responses came from.
        generated_at: When the report was built.
        rows_read: Data rows read from the source.
        rejected: Rows that were not used, with their reasons.
        overall: The NPS of all accepted responses.
        score_counts: Number of answers per score 0..10.
        segments: One segment table per ``by`` column.
        period: The period of the trend, if any.
        trend: The NPS per period with changes, if asked (dated responses only).
        undated: Responses left out of the trend for want of a date.
        weighting: Weighted against unweighted NPS, if margins were given.
        followups: The follow-up workload, if asked.
        min_n: Segments and periods with fewer responses are flagged.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    source: str
    generated_at: datetime
    rows_read: int
    rejected: tuple[Rejection, ...]
    overall: NPSResult
    score_counts: tuple[int, ...]
    segments: tuple[SegmentResult, ...]
    period: ReportPeriod | None
    trend: TrendResult | None
    undated: int
    weighting: WeightingSummary | None
    followups: FollowUpWorkload | None
    min_n: int

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready values (dates and datetimes as ISO text)."""
        data = {
            "title": self.title,
            "source": self.source,
            "generated_at": self.generated_at.isoformat(),
            "rows_read": self.rows_read,
            "rows_rejected": len(self.rejected),
            "rejected": [r.model_dump() for r in self.rejected],
            "overall": self.overall.to_dict(),
            "score_counts": list(self.score_counts),
            "segments": {"/".join(s.by): s.to_dicts(overall=False) for s in self.segments},
            "period": self.period,
            "trend": self.trend.to_dicts() if self.trend is not None else None,
            "undated": self.undated,
            "weighting": None
            if self.weighting is None
            else {
                "by": list(self.weighting.by),
                "unweighted": self.weighting.unweighted.to_dict(),
                "weighted": self.weighting.weighted.to_dict(),
                "effective_n": self.weighting.effective_n,
                "design_effect": self.weighting.design_effect,
                "converged": self.weighting.converged,
            },
            "followups": None if self.followups is None else self.followups.model_dump(mode="json"),
        }
        return {key: plain(value) for key, value in data.items()}

    def _repr_html_(self) -> str:
        return _body(self)


def _trend(
    responses: Sequence[Response], period: ReportPeriod, min_n: int, confidence_level: float
) -> tuple[TrendResult | None, int]:
    dated = [r for r in responses if r.submitted_at is not None]
    if not dated:
        return None, len(responses)
    result = trend(dated, period=period, min_n=min_n, confidence_level=confidence_level)
    return result, len(responses) - len(dated)


def _weighting(
    responses: Sequence[Response], margins: Mapping[str, Mapping[Any, float]]
) -> WeightingSummary:
    result = rake(list(responses), margins)
    if result.weighted is None or result.unweighted is None:  # pragma: no cover - score given
        msg = "raking returned no NPS"
        raise AssertionError(msg)
    return WeightingSummary(
        by=result.by,
        unweighted=result.unweighted,
        weighted=result.weighted,
        effective_n=result.diagnostics.effective_n,
        design_effect=result.diagnostics.design_effect,
        converged=result.converged,
    )


def placeholder_context(static: Mapping[str, str]) -> Callable[[Response], dict[str, str]]:
    """A follow-up context: ``static`` values plus each response's own placeholder columns.

    A response whose ``segments`` hold a column named like a placeholder (``first_name``,
    ``referral_code``, ...) fills that placeholder with its own non-empty value. Pass the
    result as ``context`` to [`plan`][netpromoter.followup.plan].

    Examples:
        >>> context = placeholder_context({"company": "Acme"})
        >>> context(Response(score=9, segments={"first_name": "Sanne"}))
        {'company': 'Acme', 'first_name': 'Sanne'}
    """
    names = [name for name in PLACEHOLDERS if name not in {"comment", "score"}]

    def context(response: Response) -> dict[str, str]:
        values = dict(static)
        for name in names:
            value = response.segments.get(name)
            if value:
                values[name] = value
        return values

    return context


def _followups(
    responses: Sequence[Response],
    *,
    now: datetime,
    days: int,
    context: Mapping[str, str],
) -> FollowUpWorkload:
    since = now - timedelta(days=days)
    recent = [r for r in responses if r.submitted_at is not None and since <= r.submitted_at <= now]
    planned = plan(recent, now=now, context=placeholder_context(context))
    due: dict[str, Counter[str]] = {}
    for item in planned:
        due.setdefault(item.due.date().isoformat(), Counter())[str(item.category)] += 1
    categories = Counter(str(item.category) for item in planned)
    return FollowUpWorkload(
        planned_at=now,
        since=since,
        n=len(planned),
        by_category={c.value: categories.get(c.value, 0) for c in Category},
        by_channel=dict(sorted(Counter(str(item.channel) for item in planned).items())),
        by_due_date=tuple(
            (day, c["detractor"], c["passive"], c["promoter"]) for day, c in sorted(due.items())
        ),
        overdue=sum(item.overdue for item in planned),
    )


def build_report(
    data: ReadResult | Iterable[Response],
    *,
    by: Sequence[str] = (),
    period: ReportPeriod | None = "month",
    margins: Mapping[str, Mapping[Any, float]] | None = None,
    followups: Mapping[str, str] | None = None,
    followup_days: int = 14,
    now: datetime | None = None,
    min_n: int = 30,
    confidence_level: float = 0.95,
    title: str = "Net Promoter Score report",
) -> Report:
    """Compute everything a shared report shows.

    Args:
        data: A [`ReadResult`][netpromoter.io.ReadResult] (its rejection report is
            carried along) or responses.
        by: Segment columns: one table each, with intervals and small-sample flags.
        period: ``"week"``, ``"month"`` (default) or ``"quarter"`` for the trend, or
            ``None`` for no trend. Responses without a date are left out of the trend
            and counted in ``undated``.
        margins: Population margins to rake to (``{"region": {"north": 0.3, ...}}``),
            for the weighted-against-unweighted section; ``None`` leaves it out.
        followups: Placeholder values for follow-up messages (``company``,
            ``agent_name``, links...); each response's own columns named like a
            placeholder (such as ``first_name``) are used too. ``None`` leaves the
            workload out.
        followup_days: Plan follow-ups for responses of the last this many days.
        now: The moment to plan for (default: the latest submission in the data, so a
            report of old data is reproducible).
        min_n: Segments and periods with fewer responses are flagged.
        confidence_level: Interval level of every estimate.
        title: The report's title.

    Returns:
        The report.

    Raises:
        EmptyDataError: There are no responses.
        ColumnNotFoundError: A ``by`` column does not exist.
        WeightingError: The margins do not fit the data (see ``rake``).
        RenderError: A follow-up message lacks a placeholder value.

    Examples:
        >>> from datetime import datetime, timezone
        >>> when = datetime(2026, 1, 5, tzinfo=timezone.utc)
        >>> rs = [Response(score=s, submitted_at=when, segments={"team": t})
        ...       for s, t in [(10, "a"), (9, "a"), (3, "b"), (8, "b")]]
        >>> report = build_report(rs, by=["team"], min_n=1)
        >>> round(report.overall.nps), [row.key for row in report.segments[0]]
        (25, [('a',), ('b',)])
    """
    if isinstance(data, ReadResult):
        responses, source, rows_read, rejected = (
            list(data.responses),
            data.source,
            data.rows_read,
            data.rejected,
        )
    else:
        responses = list(data)
        source, rows_read, rejected = "responses", len(responses), ()
    overall = score(responses, confidence_level=confidence_level)
    segments = tuple(
        segment(responses, column, min_n=min_n, confidence_level=confidence_level) for column in by
    )
    over_time, undated = (
        (None, 0) if period is None else _trend(responses, period, min_n, confidence_level)
    )
    weighting = None if margins is None else _weighting(responses, margins)
    workload = None
    if followups is not None:
        dated = [r.submitted_at for r in responses if r.submitted_at is not None]
        moment = now or (max(dated) if dated else datetime.now(timezone.utc))
        workload = _followups(responses, now=moment, days=followup_days, context=followups)
    return Report(
        title=title,
        source=source,
        generated_at=datetime.now(timezone.utc).replace(microsecond=0),
        rows_read=rows_read,
        rejected=tuple(rejected),
        overall=overall,
        score_counts=NPSCounts.from_scores(responses).count,
        segments=segments,
        period=period,
        trend=over_time,
        undated=undated,
        weighting=weighting,
        followups=workload,
        min_n=min_n,
    )


# --------------------------------------------------------------------------------------
# Terminal tables
# --------------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ).rstrip()

    rule = line(["-" * w if w else "" for w in widths])
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _ci(lower: float, upper: float) -> str:
    return f"{lower:+.1f} to {upper:+.1f}"


def _segment_rows(table: SegmentResult) -> list[list[str]]:
    return [
        [
            " / ".join(str(k) for k in row.key),
            f"{row.n:,}",
            f"{row.nps:+.1f}",
            _ci(*row.ci),
            f"{row.promoter_share:.0%}",
            f"{row.detractor_share:.0%}",
            "small sample" if row.small_sample else "",
        ]
        for row in table
    ]


def _trend_cells(result: TrendResult) -> list[list[str]]:
    rows = []
    for row in result:
        change = row.vs_previous
        rows.append(
            [
                row.period,
                f"{row.n:,}",
                "" if row.nps is None else f"{row.nps:+.1f}",
                "" if row.ci is None else _ci(*row.ci),
                "" if change is None or change.delta is None else f"{change.delta:+.1f}",
                "" if change is None else change.verdict,
            ]
        )
    return rows


def _trend_table(result: TrendResult) -> str:
    header = ("", "n", "NPS", "interval", "change", "")
    return _table(header, _trend_cells(result), (False, True, True, True, True, False))


_SEGMENT_HEADER = ("", "n", "NPS", "interval", "prom.", "detr.", "")
_SEGMENT_RIGHT = (False, True, True, True, True, True, False)


def render_text(report: Report) -> str:
    """The report as plain-text tables for a terminal.

    Examples:
        >>> print(render_text(build_report([Response(score=9), Response(score=4)],
        ...                                period=None)).splitlines()[2])
        NPS            +0.0  (95% interval -73.3 to +73.3, adjusted_wald)
    """
    o = report.overall
    level = f"{o.confidence_level:.0%}"
    out = [
        report.title,
        "=" * len(report.title),
        f"NPS          {o.nps:+6.1f}  ({level} interval {_ci(*o.ci)}, {o.method})",
        f"Responses    {o.n:,} of {report.rows_read:,} rows ({len(report.rejected):,} rejected)",
        (
            f"Promoters    {o.promoter_share:6.1%}   Passives {o.passive_share:.1%}   "
            f"Detractors {o.detractor_share:.1%}"
        ),
    ]
    for table in report.segments:
        out += [
            "",
            f"By {' / '.join(table.by)}",
            _table(_SEGMENT_HEADER, _segment_rows(table), _SEGMENT_RIGHT),
        ]
    if report.trend is not None:
        undated = f" ({report.undated:,} without a date left out)" if report.undated else ""
        out += ["", f"Per {report.period}{undated}", _trend_table(report.trend)]
    if report.weighting is not None:
        w = report.weighting
        rows = [
            [
                "unweighted",
                f"{w.unweighted.n:,}",
                f"{w.unweighted.nps:+.1f}",
                _ci(*w.unweighted.ci),
            ],
            [
                "weighted",
                f"{w.effective_n:,.0f} eff.",
                f"{w.weighted.nps:+.1f}",
                _ci(*w.weighted.ci),
            ],
        ]
        out += [
            "",
            (
                f"Weighted to population margins of {', '.join(w.by)} "
                f"(design effect {w.design_effect:.2f})"
            ),
            _table(("", "n", "NPS", "interval"), rows, (False, True, True, True)),
        ]
    if report.followups is not None:
        f = report.followups
        rows = [[day, str(d), str(p), str(pr), str(d + p + pr)] for day, d, p, pr in f.by_due_date]
        out += [
            "",
            (
                f"Follow-ups: {f.n:,} for responses since {f.since.date().isoformat()} "
                f"({f.overdue:,} overdue)"
            ),
            _table(
                ("due", "detr.", "pass.", "prom.", "total"), rows, (False, True, True, True, True)
            ),
        ]
    if report.rejected:
        out += ["", f"{len(report.rejected):,} rejected rows (first {_SHOWN_REJECTIONS}):"]
        out += [f"  {r}" for r in report.rejected[:_SHOWN_REJECTIONS]]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------

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
td.flag{color:#c0392b;text-align:left}
p.note{color:#566573;font-size:.85rem}
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()
) -> str:
    def cell(tag: str, i: int, value: str) -> str:
        css = " class='num'" if i in numeric else ""
        if tag == "td" and value.startswith("fewer than"):
            css = " class='flag'"
        return f"<{tag}{css}>{_esc(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _intervals(rows: Iterable[SegmentRow]) -> list[_svg.Interval]:
    return [
        _svg.Interval(
            " / ".join(str(k) for k in row.key),
            row.nps,
            row.ci[0],
            row.ci[1],
            row.n,
            row.small_sample,
        )
        for row in rows
    ]


def _file_name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def _body(report: Report) -> str:
    o = report.overall
    level = f"{o.confidence_level:.0%}"
    parts = [
        f"<h1>{_esc(report.title)}</h1>",
        (
            f"<p class='meta'>{_esc(_file_name(report.source))} · {o.n:,} responses of "
            f"{report.rows_read:,} rows "
            f"read · {len(report.rejected):,} rejected · generated "
            f"{_esc(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>"
        ),
        (
            "<div class='headline'>"
            f"<span class='nps'>{o.nps:+.1f}</span>"
            f"<span class='ci'>NPS, {level} interval {_esc(_ci(*o.ci))}<br>"
            f"margin of error ±{o.margin_of_error:.1f} points ({_esc(o.method)})</span></div>"
        ),
        "<h2>How people answered</h2>",
        _svg.category_bar(
            (o.detractor_share, o.passive_share, o.promoter_share), "Share of each category"
        ),
        _svg.score_histogram(report.score_counts, "Answers per score, 0 to 10"),
    ]
    for table in report.segments:
        name = " / ".join(table.by)
        parts += [
            f"<h2>NPS by {_esc(name)}</h2>",
            _svg.forest(_intervals(table), o.nps, f"NPS by {name} with {level} intervals"),
            _html_table(
                (name, "n", "NPS", f"{level} interval", "vs rest", "p (adj.)", ""),
                [
                    [
                        " / ".join(str(k) for k in row.key),
                        f"{row.n:,}",
                        f"{row.nps:+.1f}",
                        _ci(*row.ci),
                        "" if row.vs_rest is None else f"{row.vs_rest:+.1f}",
                        format_p(row.p_adjusted),
                        f"fewer than {report.min_n}" if row.small_sample else "",
                    ]
                    for row in table
                ],
                numeric=(1, 2, 3, 4, 5),
            ),
        ]
    if report.trend is not None:
        undated = (
            f" {report.undated:,} responses without a date are left out." if report.undated else ""
        )
        parts += [
            f"<h2>NPS per {_esc(report.period)}</h2>",
            report.trend.to_svg(width=720, height=300),
            (
                f"<p class='note'>The band is each {_esc(report.period)}'s {level} interval; "
                f"changes are tested against the previous {_esc(report.period)}.{undated}</p>"
            ),
            _html_table(
                (str(report.period), "n", "NPS", f"{level} interval", "change", ""),
                _trend_cells(report.trend),
                numeric=(1, 2, 3, 4),
            ),
        ]
    if report.weighting is not None:
        w = report.weighting
        parts += [
            "<h2>Weighted and unweighted</h2>",
            _svg.forest(
                [
                    _svg.Interval(
                        "unweighted",
                        w.unweighted.nps,
                        *w.unweighted.ci,
                        w.unweighted.n,
                        flagged=False,
                    ),
                    _svg.Interval(
                        "weighted",
                        w.weighted.nps,
                        *w.weighted.ci,
                        round(w.effective_n),
                        flagged=False,
                    ),
                ],
                None,
                "Weighted and unweighted NPS",
            ),
            (
                f"<p class='note'>Raked to population margins of {_esc(', '.join(w.by))}: "
                f"effective sample size {w.effective_n:,.0f} (design effect {w.design_effect:.2f})"
                f"{'' if w.converged else '; raking did not converge'}.</p>"
            ),
        ]
    if report.followups is not None:
        f = report.followups
        labels = [day[5:] for day, *_ in f.by_due_date]
        series = [
            ("detractors", _svg.DETRACTOR, [d for _, d, _, _ in f.by_due_date]),
            ("passives", _svg.PASSIVE, [p for _, _, p, _ in f.by_due_date]),
            ("promoters", _svg.PROMOTER, [p for _, _, _, p in f.by_due_date]),
        ]
        parts += [
            "<h2>Follow-up workload</h2>",
            (
                f"<p class='note'>{f.n:,} follow-ups for responses since "
                f"{_esc(f.since.date().isoformat())}, planned at "
                f"{_esc(f.planned_at.strftime('%Y-%m-%d %H:%M %Z'))}; {f.overdue:,} overdue.</p>"
            ),
            _svg.stacked_columns(labels, series, "Follow-ups per due date"),
            _html_table(
                ("channel", "follow-ups"),
                [[c, f"{n:,}"] for c, n in f.by_channel.items()],
                numeric=(1,),
            ),
        ]
    if report.rejected:
        shown = report.rejected[:_SHOWN_REJECTIONS]
        parts += [
            "<h2>Rows not used</h2>",
            f"<p class='note'>{len(report.rejected):,} "
            + ("row was" if len(report.rejected) == 1 else "rows were")
            + " not used"
            + (f"; the first {len(shown)} are listed" if len(report.rejected) > len(shown) else "")
            + ". Values that could identify someone (ids, comments, whole rows) are not "
            "shown: look them up by line.</p>",
            _html_table(
                ("line", "column", "value", "reason"),
                [[str(r.line), r.column, r.value or "", r.reason] for r in shown],
                numeric=(0,),
            ),
        ]
    return "\n".join(parts)


def render_html(report: Report) -> str:
    """One self-contained HTML page: inline CSS and SVG, no scripts, no external assets.

    Every text from the data (segment labels, file names, rejected values) is escaped.

    Examples:
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
        f"<body><main>\n{_body(report)}\n</main></body></html>\n"
    )
