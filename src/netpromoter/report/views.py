"""The report's tables as views: formatted cells, ready for the one renderer.

Every cell is formatted by [`format`][netpromoter._results.format], so an NPS, an
interval, a share or a p-value reads the same here as in every result's table; the text
and HTML pages render these views with [`render`][netpromoter._results.render].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter._results import TableView
from netpromoter._results import format as fmt

if TYPE_CHECKING:
    from collections.abc import Sequence

    from netpromoter.io._rejection import Rejection
    from netpromoter.report.parts import FollowUpWorkload, WeightingSummary
    from netpromoter.segmentation import SegmentResult
    from netpromoter.trends import TrendResult

#: Rejected rows listed in the report (all are in its JSON form).
SHOWN_REJECTIONS = 20


def key_label(key: Sequence[object]) -> str:
    """A segment's labels as one text: ``"north / new"``."""
    return " / ".join(fmt.label(k) for k in key)


def segment_view(table: SegmentResult, level: str, flag: str) -> TableView:
    """NPS per segment: n, NPS, interval, difference to the rest, adjusted p, ``flag``.

    ``flag`` is shown for segments with fewer responses than the report's ``min_n``.
    """
    name = " / ".join(table.by)
    rows = [
        [
            key_label(row.key),
            fmt.count(row.n),
            fmt.signed(row.nps),
            fmt.interval(row.ci),
            fmt.signed(row.vs_rest),
            fmt.p_value(row.p_adjusted),
            fmt.flag(row.small_sample, flag),
        ]
        for row in table
    ]
    header = (name, "n", "NPS", f"{level} interval", "vs rest", "p (adj.)", "")
    return TableView(header, rows, numeric=frozenset({1, 2, 3, 4, 5}))


def trend_view(result: TrendResult, period: str, level: str) -> TableView:
    """NPS per period with its interval and the change from the previous period."""
    rows = [
        [
            row.period,
            fmt.count(row.n),
            fmt.signed(row.nps),
            fmt.interval(row.ci),
            fmt.signed(None if row.vs_previous is None else row.vs_previous.delta),
            "" if row.vs_previous is None else row.vs_previous.verdict,
        ]
        for row in result
    ]
    header = (period, "n", "NPS", f"{level} interval", "change", "")
    return TableView(header, rows, numeric=frozenset({1, 2, 3, 4}))


def weighting_view(weighting: WeightingSummary, level: str) -> TableView:
    """Unweighted and weighted NPS side by side (n: responses, then effective n)."""
    w = weighting
    rows = [
        ["unweighted", fmt.count(w.unweighted.n), fmt.signed(w.unweighted.nps)],
        ["weighted", f"{fmt.number(w.effective_n, 0)} eff.", fmt.signed(w.weighted.nps)],
    ]
    rows[0].append(fmt.interval(w.unweighted.ci))
    rows[1].append(fmt.interval(w.weighted.ci))
    return TableView(("", "n", "NPS", f"{level} interval"), rows, numeric=frozenset({1, 2, 3}))


def due_view(followups: FollowUpWorkload) -> TableView:
    """Follow-ups per due date and category."""
    rows = [
        [day, fmt.count(d), fmt.count(p), fmt.count(pr), fmt.count(d + p + pr)]
        for day, d, p, pr in followups.by_due_date
    ]
    header = ("due", "detr.", "pass.", "prom.", "total")
    return TableView(header, rows, numeric=frozenset({1, 2, 3, 4}))


def channel_view(followups: FollowUpWorkload) -> TableView:
    """Follow-ups per channel."""
    rows = [[channel, fmt.count(n)] for channel, n in followups.by_channel.items()]
    return TableView(("channel", "follow-ups"), rows, numeric=frozenset({1}))


def rejection_view(rejected: Sequence[Rejection]) -> TableView:
    """The first rejected rows: line, column, the value when it may be shown, reason.

    A rejection carries no value that could identify someone (ids, comments, whole rows
    are withheld when it is made), so its fields are shown as they are.
    """
    rows = [[str(r.line), r.column, r.value or "", r.reason] for r in rejected[:SHOWN_REJECTIONS]]
    return TableView(("line", "column", "value", "reason"), rows, numeric=frozenset({0}))
