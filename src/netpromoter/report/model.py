"""What the shared report holds: frozen results, and their plain JSON-ready form."""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - pydantic needs it at runtime
from typing import Any

from netpromoter._model import Model
from netpromoter.core import NPSResult  # noqa: TC001 - pydantic needs it at runtime
from netpromoter.io._rejection import Rejection  # noqa: TC001 - pydantic needs it at runtime
from netpromoter.io._write import plain
from netpromoter.report import sections
from netpromoter.report.parts import (
    FollowUpWorkload,  # noqa: TC001 - pydantic needs it at runtime
    ReportPeriod,  # noqa: TC001 - pydantic needs it at runtime
    WeightingSummary,  # noqa: TC001 - pydantic needs it at runtime
)
from netpromoter.report.words import ReportLanguage, Words
from netpromoter.segmentation import SegmentResult  # noqa: TC001 - pydantic needs it at runtime
from netpromoter.trends import TrendResult  # noqa: TC001 - pydantic needs it at runtime


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
        language: The language of every text of the report (``"en"`` or ``"nl"``).
    """

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
    language: ReportLanguage = "en"

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
            "language": self.language,
        }
        return {key: plain(value) for key, value in data.items()}

    def _repr_html_(self) -> str:
        """The report's sections as HTML (the body of its page)."""
        w = Words(self.language)
        level = w.share(self.overall.confidence_level, 0)
        parts = sections.title(self.title)
        parts += sections.meta(
            self.source, self.overall.n, self.rows_read, len(self.rejected), self.generated_at, w=w
        )
        parts += sections.answers(self.overall, self.score_counts, w)
        for table in self.segments:
            parts += sections.segments(table, self.overall.nps, self.min_n, level, w)
        if self.trend is not None and self.period is not None:
            parts += sections.over_time(self.trend, self.period, self.undated, level, w)
        if self.weighting is not None:
            parts += sections.weighting(self.weighting, w)
        if self.followups is not None:
            parts += sections.followups(self.followups, w)
        parts += sections.rejections(self.rejected, w)
        return "\n".join(parts)
