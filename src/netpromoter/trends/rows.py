"""The rows of a trend: one period of one series, its changes, respondents and transitions."""

from __future__ import annotations

import math
from datetime import date  # noqa: TC003 - pydantic resolves the annotation
from typing import Any, Literal

from netpromoter import _stats
from netpromoter._model import Model
from netpromoter._results import ConfidenceInterval, EstimateFields
from netpromoter.exceptions import (
    InvalidParameterError,
)

Method = _stats.Method
Verdict = Literal[
    "significant rise", "significant fall", "no significant change", "not enough data"
]
#: Label of every key column in the overall series.
ALL = "(all)"
_CATEGORIES = ("detractor", "passive", "promoter")


class DifferenceFields(Model):
    """The test of a change in NPS: its size, SE, interval and p-values.

    Shared by [`Change`][netpromoter.trends.Change] and
    [`TransitionRow`][netpromoter.trends.TransitionRow], which document each field.
    """

    delta: float | None
    se: float | None = None
    df: float | None = None
    ci: ConfidenceInterval | None
    p_value: float | None
    p_adjusted: float | None = None


class _Reference(Model):
    """The period a change is measured from: the first field of a change."""

    reference: str


class Change(DifferenceFields, _Reference):
    """The change of one period's NPS against a reference period.

    Attributes:
        reference: The label of the reference period (the previous one, or a year before).
        delta: NPS minus the reference's NPS, in points, as observed.
        se: Standard error of the method's estimate of the change (of the difference of
            the adjusted estimates for the adjusted Wald method), in points.
        df: Degrees of freedom of the Student t the test and interval refer to
            (Welch–Satterthwaite, rounded down; see
            [`difference`][netpromoter._stats.difference]).
        ci: Confidence interval of the change, ``estimate ± t · se`` (for the adjusted
            Wald method, centred on the difference of the adjusted estimates, and
            widened where needed to include ``delta``).
        p_value: Two-sided p-value of "no change", for this comparison alone.
        p_adjusted: ``p_value`` adjusted for every comparison of the trend that gets a
            verdict (``TrendResult.correction``); ``None`` where ``p_value`` is.
        n_overlap: Respondents who answered in both periods (0 without respondent ids);
            their answers are paired, which the interval and p-value account for.
        verdict: ``"significant rise"``, ``"significant fall"`` (``p_adjusted < alpha``),
            ``"no significant change"``, or ``"not enough data"`` when either period has
            fewer than ``min_n`` responses.
    """

    n_overlap: int
    verdict: Verdict


class PeriodFields(Model):
    """Which series and which local dates a trend row covers (see ``TrendRow``)."""

    key: tuple[Any, ...]
    period: str
    start: date
    end: date


class TrendRow(EstimateFields, PeriodFields):
    """One period of one series: the estimate of its responses and its changes.

    Attributes:
        key: The segment's labels (one per ``by`` column; ``"(all)"`` in the overall
            series; empty without ``by``).
        period: The period's label: ``2026-01-31``, ``2026-W05``, ``2026-01``,
            ``2026-Q1``, ``2026``, or the first day of a fixed window.
        start: First local date the row covers (of the whole window when rolling).
        end: Last local date the row covers.
        n: Number of responses (0 for a period nobody answered).
        detractors: Detractor count, or sum of their weights when weighted.
        passives: Passive count, or sum of weights.
        promoters: Promoter count, or sum of weights.
        detractor_share: Detractor share 0..1 (``None`` when ``n = 0``).
        passive_share: Passive share.
        promoter_share: Promoter share.
        nps: Net Promoter Score, -100..100 (``None`` when ``n = 0``).
        se: Standard error of the method's estimate, in points.
        ci: Confidence interval, clipped to [-100, 100].
        effective_n: Kish's effective sample size (``n`` when unweighted).
        small_sample: ``n < min_n``.
        vs_previous: Change against the previous period (the previous non-overlapping
            window when rolling); ``None`` for the first.
        vs_year_ago: Change against the same period a year earlier, when in the data.
    """

    detractor_share: float | None  # type: ignore[assignment] # None for an empty period
    passive_share: float | None  # type: ignore[assignment]
    promoter_share: float | None  # type: ignore[assignment]
    nps: float | None  # type: ignore[assignment]
    se: float | None  # type: ignore[assignment]
    ci: ConfidenceInterval | None  # type: ignore[assignment]
    small_sample: bool
    vs_previous: Change | None = None
    vs_year_ago: Change | None = None


class RespondentRow(Model):
    """First-time versus returning respondents in one period.

    A respondent is first-time in the period of their first answer in the data and
    returning in every later period they answer in.

    Attributes:
        period: The period's label.
        n_first_time: Answers from first-time respondents.
        n_returning: Answers from returning respondents.
        first_time_share: Weighted share of the period's answers from first-time
            respondents (``None`` when nobody answered).
        first_time_nps: NPS of the first-time respondents' answers.
        returning_nps: NPS of the returning respondents' answers.
        mostly_first_time: A later period whose score rests mostly (more than half) on
            first-time respondents: they cannot show a change, only a different sample.
    """

    period: str
    n_first_time: int
    n_returning: int
    first_time_share: float | None
    first_time_nps: float | None
    returning_nps: float | None
    mostly_first_time: bool


class _Transition(Model):
    """Who a transition counts and their NPS before and after: its first fields."""

    from_period: str
    to_period: str
    n: int
    matrix: tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]
    nps_from: float | None
    nps_to: float | None


class TransitionRow(DifferenceFields, _Transition):
    """How the respondents who answered in two consecutive periods moved.

    Each respondent counts once, with their last answer in each period (answers at the
    same second: the highest category).

    Attributes:
        from_period: The earlier period.
        to_period: The later period.
        n: Respondents who answered in both.
        matrix: Counts, rows the earlier category and columns the later one, each in
            the order detractor, passive, promoter.
        nps_from: These respondents' NPS in the earlier period.
        nps_to: Their NPS in the later period.
        delta: ``nps_to − nps_from``, as observed.
        se: SE of the method's estimate of the paired difference, from the
            per-respondent changes.
        df: Degrees of freedom of its t reference.
        ci: Interval of the paired difference (centred as for ``Change.ci``).
        p_value: Two-sided p-value of "no change" for these respondents.
        p_adjusted: ``p_value`` adjusted over the trend's transitions
            (``TrendResult.correction``).
    """

    def count(self, before: str, after: str) -> int:
        """Respondents who went from one category to another, e.g. ``("passive", "promoter")``.

        Raises:
            InvalidParameterError: For an unknown category name.
        """
        for name in (before, after):
            if not (isinstance(name, str) and name in _CATEGORIES):
                msg = f"unknown category {name!r}; expected one of {list(_CATEGORIES)!r}"
                raise InvalidParameterError(msg, name="category", value=name)
        return self.matrix[_CATEGORIES.index(before)][_CATEGORIES.index(after)]


def none_if_nan(x: float) -> float | None:
    """``None`` for NaN (an undefined statistic), else the value."""
    return None if math.isnan(x) else x


def interval_or_none(lower: float, upper: float) -> ConfidenceInterval | None:
    """The interval, or ``None`` when it is undefined (a weighted SE from one answer)."""
    return None if math.isnan(lower) or math.isnan(upper) else ConfidenceInterval(lower, upper)
