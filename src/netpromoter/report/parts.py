"""The parts of a report beyond the public results: weighting and follow-up summaries."""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - pydantic needs it at runtime
from typing import Any, Literal

from netpromoter._model import Model
from netpromoter.core import NPSResult  # noqa: TC001 - pydantic needs it at runtime

#: The period of a report's trend.
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

    planned_at: datetime
    since: datetime
    n: int
    by_category: dict[str, int]
    by_channel: dict[str, int]
    by_due_date: tuple[tuple[str, int, int, int], ...]
    overdue: int
