"""What the shared report holds: frozen results, and their plain JSON-ready form."""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - pydantic needs it at runtime
from typing import Any, Literal

from pydantic import ConfigDict

from netpromoter._model import Model
from netpromoter.core import NPSResult  # noqa: TC001 - pydantic needs it at runtime
from netpromoter.io._rejection import Rejection  # noqa: TC001 - pydantic needs it at runtime
from netpromoter.io._write import plain
from netpromoter.report.page import body
from netpromoter.segmentation import SegmentResult  # noqa: TC001 - pydantic needs it at runtime
from netpromoter.trends import TrendResult  # noqa: TC001 - pydantic needs it at runtime

ReportPeriod = Literal["week", "month", "quarter"]


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

    def to_dict(self) -> dict[str, Any]:
        """Plain values: the two NPS results as their dicts."""
        return {
            "by": list(self.by),
            "unweighted": self.unweighted.to_dict(),
            "weighted": self.weighted.to_dict(),
            "effective_n": self.effective_n,
            "design_effect": self.design_effect,
            "converged": self.converged,
        }


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
            "weighting": None if self.weighting is None else self.weighting.to_dict(),
            "followups": None if self.followups is None else self.followups.model_dump(mode="json"),
        }
        return {key: plain(value) for key, value in data.items()}

    def _repr_html_(self) -> str:
        return body(self)
