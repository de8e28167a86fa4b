"""Building the report: every section is a public function's result on the same rows.

[`build_report`][netpromoter.report.build_report] composes
[`score`][netpromoter.core.score], [`segment`][netpromoter.segmentation.segment],
[`trend`][netpromoter.trends.trend], [`rake`][netpromoter.weighting.rake] and
[`plan`][netpromoter.followup.plan]; nothing is computed here that those do not compute.
A file counted chunk by chunk (``Tallied``) gets the same sections from its tallies:
``NPSCounts.result``, ``SegmentCounts.result`` and
[`trend_from_tally`][netpromoter.trends.trend_from_tally].
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from datetime import timezone as _timezone
from typing import TYPE_CHECKING, Any

from netpromoter.core import NPSCounts, score
from netpromoter.exceptions import InvalidParameterError
from netpromoter.report.followups import workload as followup_workload
from netpromoter.report.inputs import Accepted, Rows, Tallied, rows_of
from netpromoter.report.model import Report
from netpromoter.report.parts import FollowUpWorkload, ReportPeriod, WeightingSummary
from netpromoter.report.words import ReportLanguage, Words, language_of
from netpromoter.segmentation import SegmentCounts, segment
from netpromoter.trends import TrendResult, trend, trend_from_tally
from netpromoter.weighting import rake

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from netpromoter._models import Response
    from netpromoter.core import NPSResult
    from netpromoter.io._columns import ReadColumns
    from netpromoter.io._read import ReadResult
    from netpromoter.segmentation import SegmentResult


def _trend(
    rows: Rows, period: ReportPeriod, min_n: int, confidence_level: float, zone: str | tzinfo
) -> tuple[TrendResult | None, int]:
    if not rows.n_dated:
        return None, rows.n_rows
    data = rows.data if rows.n_dated == rows.n_rows else rows.dated()
    result = trend(
        data, period=period, min_n=min_n, confidence_level=confidence_level, timezone=zone
    )
    return result, rows.n_rows - rows.n_dated


def _languages(data: object) -> Iterable[object]:
    """The language of each row (none when the data has no language column)."""
    names = getattr(data, "column_names", None)  # a pyarrow Table of a scanned file
    if names is not None:
        return data.column("language").to_pylist() if "language" in names else ()  # type: ignore[attr-defined]
    if isinstance(data, dict):
        values: Iterable[object] = data.get("language", ())
        return values
    return (r.language for r in data) if isinstance(data, list) else ()


def _weighting(data: object, margins: Mapping[str, Mapping[Any, float]]) -> WeightingSummary:
    result = rake(data, margins)
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


def _followups(
    rows: Accepted, now: datetime | None, days: int, context: Mapping[str, str]
) -> FollowUpWorkload:
    moment = now or rows.latest or datetime.now(_timezone.utc)
    since = moment - timedelta(days=days)
    recent = rows.recent(since, moment)
    return followup_workload(recent, now=moment, since=since, context=context)


def _tallied(
    counted: Tallied,
    by: Sequence[str],
    period: ReportPeriod | None,
    min_n: int,
    confidence_level: float,
) -> tuple[NPSResult, Sequence[object], tuple[SegmentResult, ...], TrendResult | None, int]:
    """The sections of a file counted chunk by chunk, from its tallies alone.

    Each is the result ``score``, ``segment`` and ``trend`` give of the rows, through the
    same code: ``NPSCounts.result``, ``SegmentCounts.result`` and ``trend_from_tally``.
    """
    overall = NPSCounts.from_tally(counted.overall, weighted=False)
    result = overall.result(confidence_level=confidence_level)  # no scores: score's error
    segments = tuple(
        SegmentCounts.from_tally(counted.segments[column]).result(
            min_n=min_n, confidence_level=confidence_level
        )
        for column in by
    )
    over_time = None
    if period is not None and counted.days is not None:
        over_time = trend_from_tally(
            counted.days,
            period=period,
            min_n=min_n,
            confidence_level=confidence_level,
            timezone=counted.zone,
        )
    undated = 0 if period is None else counted.n_rows - counted.n_dated
    return (
        result,
        overall.count,
        segments,
        over_time,
        undated,
    )


def build_report(
    data: ReadColumns | ReadResult | Iterable[Response] | Rows | Tallied,
    *,
    by: Sequence[str] = (),
    period: ReportPeriod | None = "month",
    margins: Mapping[str, Mapping[Any, float]] | None = None,
    followups: Mapping[str, str] | None = None,
    followup_days: int = 14,
    now: datetime | None = None,
    min_n: int = 30,
    confidence_level: float = 0.95,
    title: str | None = None,
    language: ReportLanguage | None = None,
    timezone: str | tzinfo = "UTC",
) -> Report:
    """Compute everything a shared report shows.

    Args:
        data: A file read by [`read_columns`][netpromoter.io.read_columns] or
            [`read_responses`][netpromoter.io.read_responses] (its rejection report is
            carried along), responses, the rows of a file scanned in chunks
            (``netpromoter.report.inputs.scanned_rows``), or its tallies counted chunk by
            chunk (``netpromoter.report.inputs.ChunkTally``; no margins then: raking
            needs the rows; the trend's zone is the one the days were counted in).
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
        title: The report's title (default: "Net Promoter Score report" in its language).
        language: ``"en"`` or ``"nl"``: the language of every text of the report. By
            default the data's own when its ``language`` column holds one language (``nl``,
            ``nl-BE``...), else English.
        timezone: The zone whose calendar makes the trend's periods, such as
            ``"Europe/Amsterdam"`` (as in [`trend`][netpromoter.trends.trend]).

    Returns:
        The report.

    Raises:
        EmptyDataError: There are no responses.
        ColumnNotFoundError: A ``by`` column does not exist.
        WeightingError: The margins do not fit the data (see ``rake``).
        RenderError: A follow-up message lacks a placeholder value.

    Examples:
        >>> from datetime import datetime, timedelta, timezone
        >>> from netpromoter import Response
        >>> when = datetime(2026, 1, 5, tzinfo=timezone.utc)
        >>> rs = [Response(score=s, submitted_at=when, segments={"team": t})
        ...       for s, t in [(10, "a"), (9, "a"), (3, "b"), (8, "b")]]
        >>> report = build_report(rs, by=["team"], min_n=1)
        >>> round(report.overall.nps), [row.key for row in report.segments[0]]
        (25, [('a',), ('b',)])
    """
    if isinstance(data, Tallied):
        if margins is not None:
            msg = "margins need the rows: give the rows of the file, not its tallies"
            raise InvalidParameterError(msg, name="margins", value=sorted(margins))
        spoken = language or language_of(data.values("language"))
        overall, score_counts, segments, over_time, undated = _tallied(
            data, by, period, min_n, confidence_level
        )
        weighting = None
        moment: Accepted = data
    else:
        rows = rows_of(data)
        spoken = language or language_of(_languages(rows.data))
        overall = score(rows.data, confidence_level=confidence_level)
        score_counts = NPSCounts.from_scores(rows.scores).count
        segments = tuple(
            segment(rows.data, column, min_n=min_n, confidence_level=confidence_level)
            for column in by
        )
        over_time, undated = (
            (None, 0) if period is None else _trend(rows, period, min_n, confidence_level, timezone)
        )
        weighting = None if margins is None else _weighting(rows.data, margins)
        moment = rows
    workload = None if followups is None else _followups(moment, now, followup_days, followups)
    source, rows_read, rejected = moment.source, moment.rows_read, moment.rejected
    return Report(
        title=Words(spoken)("default_title") if title is None else title,
        source=source,
        generated_at=datetime.now(_timezone.utc).replace(microsecond=0),
        rows_read=rows_read,
        rejected=rejected,
        overall=overall,
        score_counts=score_counts,
        segments=segments,
        period=period,
        trend=over_time,
        undated=undated,
        weighting=weighting,
        followups=workload,
        min_n=min_n,
        language=spoken,
    )
