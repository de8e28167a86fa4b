"""NPS over time: a series per period, period-over-period change, and why it changed.

[`trend`][netpromoter.trends.trend] buckets every response into a period (day, ISO week,
month, quarter, year, or a fixed ``N``-day window; optionally pooled over a rolling
window) in a time zone the caller chooses, and counts period × segment × score in one
pass of the tally engine, exactly as [`segment`][netpromoter.segmentation.segment] counts
segments. Every period between the first and the last appears, with ``n = 0`` where
nobody answered. Each period is compared with the previous one and with the same period
a year earlier, with a plain verdict.

With respondent ids, each period is split into first-time and returning respondents,
respondents who answered in two consecutive periods get a transition table (passive →
promoter, ...), and the change test accounts for the overlap (the same people answering
twice are not two independent samples).

[`TrendResult.decompose`][netpromoter.trends.TrendResult.decompose] splits a change into
the part due to segment mix and the part due to scores changing within segments.

Time zones: timestamps must be timezone-aware (``datetime`` with ``tzinfo``, ISO 8601
text with an offset, a dataframe column with a zone), or the caller names the zone of
naive ones with ``naive_timezone``. Responses are bucketed by their local calendar date in
``timezone`` (default UTC): a response at 2026-01-31 23:30 UTC is in February for
``timezone="Europe/Amsterdam"``. Dates without a time are taken as calendar dates.
"""

from __future__ import annotations

from netpromoter.trends.decomposition import DecompositionResult, DecompositionRow
from netpromoter.trends.pipeline import trend, trend_from_tally
from netpromoter.trends.result import TrendResult
from netpromoter.trends.rows import Change, RespondentRow, TransitionRow, TrendRow

__all__ = [
    "Change",
    "DecompositionResult",
    "DecompositionRow",
    "RespondentRow",
    "TransitionRow",
    "TrendResult",
    "TrendRow",
    "trend",
    "trend_from_tally",
]
