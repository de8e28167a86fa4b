"""Building the report: every section is a public function's result on the same rows.

[`build_report`][netpromoter.report.build_report] composes
[`score`][netpromoter.core.score], [`segment`][netpromoter.segmentation.segment],
[`trend`][netpromoter.trends.trend], [`rake`][netpromoter.weighting.rake] and
[`plan`][netpromoter.followup.plan]; nothing is computed here that those do not compute.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from netpromoter.core import NPSCounts, score
from netpromoter.io._read import ReadResult
from netpromoter.report.followups import workload as followup_workload
from netpromoter.report.model import Report, ReportPeriod, WeightingSummary
from netpromoter.segmentation import segment
from netpromoter.trends import TrendResult, trend
from netpromoter.weighting import rake

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from netpromoter._models import Response


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
        >>> from netpromoter import Response
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
        workload = followup_workload(responses, now=moment, days=followup_days, context=followups)
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
