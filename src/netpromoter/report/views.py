"""The report's tables as views: formatted cells, ready for the one renderer.

Every cell is formatted by [`format`][netpromoter._results.format], so an NPS, an
interval, a share or a p-value reads the same here as in every result's table; the text
and HTML pages render these views with [`render`][netpromoter._results.render].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter._results import TableView
from netpromoter._results import format as fmt
from netpromoter.report.words import Words, plain

if TYPE_CHECKING:
    from collections.abc import Sequence

    from netpromoter.io._rejection import Rejection
    from netpromoter.report.parts import FollowUpWorkload, WeightingSummary
    from netpromoter.segmentation import SegmentResult
    from netpromoter.trends import TrendResult

#: Rejected rows listed in the report (all are in its JSON form).
SHOWN_REJECTIONS = 20


def key_label(key: Sequence[object], by: Sequence[str] = (), w: Words | None = None) -> str:
    """A segment's labels as one text: ``"north / new"``; channels in plain words.

    Examples:
        >>> key_label(("north", "in_app"), ("region", "channel"), Words("en"))
        'north / in-app'
    """
    return " / ".join(
        w.channel(k) if w is not None and name == "channel" and isinstance(k, str) else fmt.label(k)
        for k, name in zip(key, [*by, *[""] * (len(key) - len(by))], strict=True)
    )


def segment_view(table: SegmentResult, level: str, flag: str, w: Words) -> TableView:
    """NPS per segment: n, NPS, interval, difference to the rest, adjusted p, ``flag``.

    ``flag`` is shown for segments with fewer responses than the report's ``min_n``.
    """
    rows = [
        [
            key_label(row.key, table.by, w),
            w.count(row.n),
            w.signed(row.nps),
            w.interval(row.ci),
            w.signed(row.vs_rest),
            w.p_value(row.p_adjusted),
            fmt.flag(row.small_sample, flag),
        ]
        for row in table
    ]
    header = (
        " / ".join(plain(by) for by in table.by),
        "n",
        "NPS",
        w("interval", level=level),
        w("vs_rest"),
        w("p_adj"),
        "",
    )
    return TableView(header, rows, numeric=frozenset({1, 2, 3, 4, 5}))


def trend_view(result: TrendResult, period: str, level: str, w: Words) -> TableView:
    """NPS per period with its interval and the change from the previous period."""
    rows = [
        [
            row.period,
            w.count(row.n),
            w.signed(row.nps),
            w.interval(row.ci),
            w.signed(None if row.vs_previous is None else row.vs_previous.delta),
            "" if row.vs_previous is None else w.verdict(row.vs_previous.verdict),
        ]
        for row in result
    ]
    header = (w(period), "n", "NPS", w("interval", level=level), w("change"), "")
    return TableView(header, rows, numeric=frozenset({1, 2, 3, 4}))


def weighting_view(weighting: WeightingSummary, level: str, w: Words) -> TableView:
    """Unweighted and weighted NPS side by side (n: responses, then the effective n)."""
    s = weighting
    rows = [
        [w("unweighted"), w.count(s.unweighted.n), w.signed(s.unweighted.nps)],
        [
            w("weighted"),
            f"{w.decimal(s.effective_n, 0)} ({w('effective_n')})",
            w.signed(s.weighted.nps),
        ],
    ]
    rows[0].append(w.interval(s.unweighted.ci))
    rows[1].append(w.interval(s.weighted.ci))
    header = ("", "n", "NPS", w("interval", level=level))
    return TableView(header, rows, numeric=frozenset({1, 2, 3}))


def due_view(followups: FollowUpWorkload, w: Words) -> TableView:
    """Follow-ups per due date and category."""
    rows = [
        [day, w.count(d), w.count(p), w.count(pr), w.count(d + p + pr)]
        for day, d, p, pr in followups.by_due_date
    ]
    header = (w("due"), w("detr"), w("pass"), w("prom"), w("total"))
    return TableView(header, rows, numeric=frozenset({1, 2, 3, 4}))


def channel_view(followups: FollowUpWorkload, w: Words) -> TableView:
    """Follow-ups per channel, in plain words (``in_app`` → "in-app")."""
    rows = [[w.channel(channel), w.count(n)] for channel, n in followups.by_channel.items()]
    return TableView((w("channel"), w("follow_ups")), rows, numeric=frozenset({1}))


def rejection_view(rejected: Sequence[Rejection], w: Words) -> TableView:
    """The first rejected rows: line, column, the value when it may be shown, reason.

    A rejection carries no value that could identify someone (ids, comments, whole rows
    are withheld when it is made), so its fields are shown as they are.
    """
    rows = [[str(r.line), r.column, r.value or "", r.reason] for r in rejected[:SHOWN_REJECTIONS]]
    header = (w("line"), w("column"), w("value"), w("reason"))
    return TableView(header, rows, numeric=frozenset({0}))
