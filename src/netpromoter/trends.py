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

import math
import warnings
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
from pydantic import ConfigDict

from netpromoter import _stats, _svg
from netpromoter._input import engine as _engine
from netpromoter._input import engine_times, frames, times
from netpromoter._input.columns import Table, read_table
from netpromoter._input.factors import Factor, Grouping, code_dtype, combine
from netpromoter._labels import MISSING
from netpromoter._model import Model
from netpromoter._scale import N_SCORES
from netpromoter._stats.design import Design, as_design, domain_se
from netpromoter._tables import format_p, html_table, text_table
from netpromoter._tally import Tally, retally, tally
from netpromoter._validation import (
    Correction,
    check_choice,
    check_correction,
    check_flag,
    check_int,
    check_names,
    check_type,
    describe_values,
)
from netpromoter.exceptions import (
    EmptyDataError,
    FirstTimeRespondentWarning,
    InvalidParameterError,
    InvalidWeightsError,
    NotFoundError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import timedelta, tzinfo

    from numpy.typing import NDArray

    from netpromoter._validation import MissingPolicy

__all__ = [
    "Change",
    "DecompositionResult",
    "DecompositionRow",
    "RespondentRow",
    "TransitionRow",
    "TrendResult",
    "TrendRow",
    "trend",
]

Method = _stats.Method
Verdict = Literal[
    "significant rise", "significant fall", "no significant change", "not enough data"
]
#: Label of every key column in the overall series.
ALL = "(all)"
#: A period whose weighted share of first-time respondents exceeds this is flagged.
FIRST_TIME_LIMIT = 0.5
#: Largest number of period × segment cells a trend may have.
MAX_CELLS = 1 << 22
#: Most periods a trend spans, first to last (27 years of days, 833 years of months):
#: beyond it a typo or placeholder date would build millions of empty periods.
MAX_PERIODS = 10_000
_CATEGORIES = ("detractor", "passive", "promoter")
_REPR_ROWS = 24
_SHOWN = 6


class Change(Model):
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

    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: str
    delta: float | None
    se: float | None = None
    df: float | None = None
    ci: tuple[float, float] | None
    p_value: float | None
    p_adjusted: float | None = None
    n_overlap: int
    verdict: Verdict


class TrendRow(Model):
    """One period of one series.

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

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: tuple[Any, ...]
    period: str
    start: date
    end: date
    n: int
    detractors: int | float
    passives: int | float
    promoters: int | float
    detractor_share: float | None
    passive_share: float | None
    promoter_share: float | None
    nps: float | None
    se: float | None
    ci: tuple[float, float] | None
    effective_n: float
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

    model_config = ConfigDict(frozen=True, extra="forbid")

    period: str
    n_first_time: int
    n_returning: int
    first_time_share: float | None
    first_time_nps: float | None
    returning_nps: float | None
    mostly_first_time: bool


class TransitionRow(Model):
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

    model_config = ConfigDict(frozen=True, extra="forbid")

    from_period: str
    to_period: str
    n: int
    matrix: tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]
    nps_from: float | None
    nps_to: float | None
    delta: float | None
    se: float | None = None
    df: float | None = None
    ci: tuple[float, float] | None
    p_value: float | None
    p_adjusted: float | None = None

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


class DecompositionRow(Model):
    """One segment's part in a change of the overall NPS.

    Attributes:
        key: The segment's labels.
        share_from: The segment's (weighted) share of responses in the earlier period.
        share_to: Its share in the later period.
        nps_from: Its NPS in the earlier period (``None`` when absent).
        nps_to: Its NPS in the later period.
        mix: Points of the change due to the segment's share changing.
        within: Points due to the segment's own NPS changing.
        total: ``mix + within``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: tuple[Any, ...]
    share_from: float
    share_to: float
    nps_from: float | None
    nps_to: float | None
    mix: float
    within: float
    total: float


class DecompositionResult(Model):
    """A change in NPS split into segment mix and within-segment change.

    ``mix + within == change`` exactly (up to floating point), and each equals the sum of
    its per-segment terms. See [`shift_share`][netpromoter._stats.shift_share].

    Attributes:
        by: The segment columns.
        from_period: The earlier period.
        to_period: The later period.
        nps_from: Overall NPS in the earlier period.
        nps_to: Overall NPS in the later period.
        change: ``nps_to − nps_from``.
        mix: Part of the change due to segment mix.
        within: Part due to scores changing within segments.
        rows: Per-segment terms.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: tuple[str, ...]
    from_period: str
    to_period: str
    nps_from: float
    nps_to: float
    change: float
    mix: float
    within: float
    rows: tuple[DecompositionRow, ...]

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dictionary per segment."""
        out = []
        for r in self.rows:
            row: dict[str, Any] = dict(zip(self.by, r.key, strict=True))
            row.update(r.model_dump(exclude={"key"}))
            out.append(row)
        return out

    def _caption(self) -> str:
        return (
            f"NPS {self.from_period} {_fmt(self.nps_from)} → {self.to_period} "
            f"{_fmt(self.nps_to)}: change {self.change:+.1f} = mix {self.mix:+.1f} "
            f"+ within {self.within:+.1f}"
        )

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        header = [*self.by, "share_from", "share_to", "nps_from", "nps_to", "mix", "within"]
        cells = [
            [
                *(str(k) for k in r.key),
                f"{r.share_from:.1%}",
                f"{r.share_to:.1%}",
                _fmt(r.nps_from),
                _fmt(r.nps_to),
                f"{r.mix:+.2f}",
                f"{r.within:+.2f}",
            ]
            for r in self.rows
        ]
        return header, cells

    def __repr__(self) -> str:
        """The caption and the per-segment table."""
        header, cells = self._cells()
        return f"DecompositionResult({self._caption()})\n{text_table(header, cells)}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        header, cells = self._cells()
        return html_table(header, cells, caption=self._caption())


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    if math.isnan(value):
        return "nan"
    return f"{value:.1f}"


def _change_dict(prefix: str, change: Change | None) -> dict[str, Any]:
    if change is None:
        return {
            f"{prefix}_reference": None,
            f"{prefix}_delta": None,
            f"{prefix}_se": None,
            f"{prefix}_df": None,
            f"{prefix}_ci_lower": None,
            f"{prefix}_ci_upper": None,
            f"{prefix}_p_value": None,
            f"{prefix}_p_adjusted": None,
            f"{prefix}_n_overlap": None,
            f"{prefix}_verdict": None,
        }
    return {
        f"{prefix}_reference": change.reference,
        f"{prefix}_delta": change.delta,
        f"{prefix}_se": change.se,
        f"{prefix}_df": change.df,
        f"{prefix}_ci_lower": change.ci[0] if change.ci else None,
        f"{prefix}_ci_upper": change.ci[1] if change.ci else None,
        f"{prefix}_p_value": change.p_value,
        f"{prefix}_p_adjusted": change.p_adjusted,
        f"{prefix}_n_overlap": change.n_overlap,
        f"{prefix}_verdict": change.verdict,
    }


def _row_dict(by: tuple[str, ...], row: TrendRow) -> dict[str, Any]:
    out: dict[str, Any] = dict(zip(by, row.key, strict=True))
    out.update(row.model_dump(exclude={"key", "ci", "vs_previous", "vs_year_ago"}))
    out["ci_lower"], out["ci_upper"] = row.ci if row.ci is not None else (None, None)
    out.update(_change_dict("vs_previous", row.vs_previous))
    out.update(_change_dict("vs_year_ago", row.vs_year_ago))
    return out


class TrendResult(Model):
    """NPS per period (and per segment), with changes, respondents and transitions.

    Iterating gives the rows of every series (``TrendRow``), period by period within
    each segment; ``overall`` is the series of all responses (the same as ``rows``
    without ``by``).

    Attributes:
        time: The time column.
        period: The period (``"month"``, ..., or ``"30D"``).
        timezone: The zone the periods are calendar periods of.
        rolling: Number of periods pooled in each row (1: no pooling).
        by: The segment columns (empty for a single series).
        rows: Every series' rows.
        overall: The overall series.
        respondents: First-time versus returning respondents per period (empty without
            respondent ids).
        transitions: Category transitions between consecutive periods (empty without
            respondent ids).
        min_n: The small-sample threshold (also of the "not enough data" verdict).
        alpha: The significance level of the verdicts.
        correction: How the p-values behind the verdicts are adjusted for their number:
            ``"holm"`` (family-wise error), ``"bh"`` (false discovery rate) or
            ``"none"``.
        n_comparisons: The comparisons adjusted together: every change (against the
            previous period and a year before, in every series) that gets a verdict.
        method: The interval method.
        confidence_level: The confidence level of every interval.
        weighted: Whether weights were used.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    time: str
    period: str
    timezone: str
    rolling: int
    by: tuple[str, ...]
    rows: tuple[TrendRow, ...]
    overall: tuple[TrendRow, ...]
    respondents: tuple[RespondentRow, ...] = ()
    transitions: tuple[TransitionRow, ...] = ()
    min_n: int
    alpha: float
    correction: Correction = "holm"
    n_comparisons: int = 0
    method: Method
    confidence_level: float
    weighted: bool

    def __iter__(self) -> Iterator[TrendRow]:  # type: ignore[override]
        """Iterate over the rows of every series."""
        return iter(self.rows)

    def __len__(self) -> int:
        """Number of rows (periods × series)."""
        return len(self.rows)

    def __getitem__(self, index: int) -> TrendRow:
        """The row at a position."""
        return self.rows[index]

    @property
    def periods(self) -> tuple[str, ...]:
        """The period labels, in order."""
        return tuple(r.period for r in self.overall)

    @property
    def keys(self) -> tuple[tuple[Any, ...], ...]:
        """The key of each segment series, in order (``((),)`` without ``by``)."""
        return tuple(dict.fromkeys(r.key for r in self.rows))

    def series(self, *key: object) -> tuple[TrendRow, ...]:
        """The rows of one segment (its labels, one per ``by`` column), or the overall.

        Raises:
            NotFoundError: When no series has these labels (a ``KeyError``).
        """
        if not key or key == (ALL,) * len(self.by):
            return self.overall
        rows = tuple(r for r in self.rows if r.key == key)
        if not rows:
            raise NotFoundError("segment", key, self.keys)
        return rows

    def get(self, period: str, *key: object) -> TrendRow:
        """The row of one period (of the overall series, or of a segment).

        Raises:
            NotFoundError: When there is no such period or segment (a ``KeyError``).
        """
        check_type(period, "period", str, "a period label such as '2026-01'")
        rows = self.series(*key)
        for row in rows:
            if row.period == period:
                return row
        raise NotFoundError("period", period, [row.period for row in rows])

    def to_dicts(self, *, overall: bool = False) -> list[dict[str, Any]]:
        """One flat dictionary per row: key columns, period, statistics, then changes.

        Args:
            overall: With ``by``, append the overall series (keys ``"(all)"``).
        """
        rows = list(self.rows)
        if check_flag(overall, "overall") and self.by:
            rows += self.overall
        return [_row_dict(self.by, r) for r in rows]

    def to_pandas(self, *, overall: bool = False) -> Any:  # noqa: ANN401 - optional dependency
        """The rows as a pandas DataFrame (needs pandas)."""
        import pandas as pd  # noqa: PLC0415 - optional dependency

        return pd.DataFrame.from_records(self.to_dicts(overall=overall))

    def to_polars(self, *, overall: bool = False) -> Any:  # noqa: ANN401 - optional dependency
        """The rows as a polars DataFrame (needs polars)."""
        import polars as pl  # noqa: PLC0415 - optional dependency

        return pl.DataFrame(self.to_dicts(overall=overall), strict=False)

    def decompose(
        self, from_period: str | None = None, to_period: str | None = None
    ) -> DecompositionResult:
        """Split the change of the overall NPS between two periods into mix and within.

        ``change = mix + within`` exactly (see
        [`shift_share`][netpromoter._stats.shift_share]): *mix* is what the change would
        be if only the segments' shares of responses had moved, each segment keeping
        its (average) score; *within* is what it would be if only the segments' scores
        had moved at their (average) shares. A segment missing from one period counts
        entirely as mix.

        Args:
            from_period: The earlier period's label (default: the last but one).
            to_period: The later period's label (default: the last).

        Returns:
            The decomposition, one row per segment.

        Raises:
            InvalidParameterError: Without ``by``, for an unknown period, or when either
                period has no responses.

        Examples:
            >>> data = {
            ...     "score": [10, 10, 0, 0] + [10, 0, 0, 0, 0, 0],
            ...     "submitted_at": ["2026-01-05T10:00Z"] * 4 + ["2026-02-05T10:00Z"] * 6,
            ...     "region": ["n", "n", "s", "s"] + ["n", "s", "s", "s", "s", "s"],
            ... }
            >>> d = trend(data, by="region", min_n=1).decompose()
            >>> round(d.change, 2), round(d.mix, 2), round(d.within, 2)
            (-66.67, -66.67, 0.0)
        """
        _check_labels_given(from_period=from_period, to_period=to_period)
        if not self.by:
            msg = "decompose needs segments: call trend(..., by='region') first"
            raise InvalidParameterError(msg, name="by", value=())
        periods = self.periods
        if len(periods) < 2 and (from_period is None or to_period is None):  # noqa: PLR2004
            msg = "decompose needs two periods; the trend has only one"
            raise InvalidParameterError(msg, name="from_period", value=from_period)
        start = periods[-2] if from_period is None else from_period
        end = periods[-1] if to_period is None else to_period
        for name, label in (("from_period", start), ("to_period", end)):
            if label not in periods:
                msg = f"{name} {label!r} is not a period of this trend; periods: {list(periods)!r}"
                raise InvalidParameterError(msg, name=name, value=label)
        keys = self.keys
        before = [self.get(start, *k) for k in keys]
        after = [self.get(end, *k) for k in keys]
        for label, side in ((start, before), (end, after)):
            if sum(r.n for r in side) == 0:
                msg = f"period {label!r} has no responses to decompose"
                raise InvalidParameterError(msg, name="period", value=label)

        def weight(r: TrendRow) -> float:
            return r.detractors + r.passives + r.promoters

        def score(r: TrendRow) -> float:
            return math.nan if r.nps is None else r.nps

        w_a = np.array([weight(r) for r in before])
        w_b = np.array([weight(r) for r in after])
        n_a = np.array([score(r) for r in before])
        n_b = np.array([score(r) for r in after])
        mix, within = _stats.shift_share(w_a, n_a, w_b, n_b)
        rows = tuple(
            DecompositionRow(
                key=k,
                share_from=float(w_a[i] / w_a.sum()),
                share_to=float(w_b[i] / w_b.sum()),
                nps_from=before[i].nps,
                nps_to=after[i].nps,
                mix=float(mix[i]),
                within=float(within[i]),
                total=float(mix[i] + within[i]),
            )
            for i, k in enumerate(keys)
        )
        nps_from = float(np.nansum(w_a * np.nan_to_num(n_a)) / w_a.sum())
        nps_to = float(np.nansum(w_b * np.nan_to_num(n_b)) / w_b.sum())
        return DecompositionResult(
            by=self.by,
            from_period=start,
            to_period=end,
            nps_from=nps_from,
            nps_to=nps_to,
            change=nps_to - nps_from,
            mix=float(mix.sum()),
            within=float(within.sum()),
            rows=rows,
        )

    def to_svg(self, *, segments: bool = True, width: int = 720, height: int = 320) -> str:
        """The NPS per period as an SVG line chart with its confidence band and n.

        Args:
            segments: With ``by``, draw one line per segment (at most 7) instead of the
                overall series.
            width: Width in pixels.
            height: Height in pixels.

        Returns:
            A standalone ``<svg>`` element (no plotting library needed).
        """
        check_flag(segments, "segments")
        check_int(width, "width", minimum=100, maximum=10_000)
        check_int(height, "height", minimum=100, maximum=10_000)
        keys = self.keys if self.by and segments else ((ALL,) * len(self.by),)
        lines = []
        for key in keys[: len(_svg.PALETTE)]:
            rows = self.series(*key)
            lines.append(
                _svg.Series(
                    name=" / ".join(map(str, key)) if key else "NPS",
                    values=[r.nps for r in rows],
                    lower=[r.ci[0] if r.ci else None for r in rows],
                    upper=[r.ci[1] if r.ci else None for r in rows],
                    n=[r.n for r in rows],
                )
            )
        window = f", rolling {self.rolling}" if self.rolling > 1 else ""
        title = (
            f"NPS by {self.period}{window} ({self.timezone}), {self.confidence_level:.0%} interval"
        )
        return _svg.line_chart(
            self.periods, lines, title=title, y_label="NPS", width=width, height=height
        )

    def _cells(self, limit: int) -> tuple[list[str], list[list[str]]]:
        header = [
            *self.by,
            "period",
            "n",
            "nps",
            "ci",
            "vs_previous",
            "p",
            "p_adjusted",
            "verdict",
            "small",
        ]
        cells = []
        for r in self.rows[:limit]:
            change = r.vs_previous
            cells.append(
                [
                    *(str(k) for k in r.key),
                    r.period,
                    f"{r.n:,}",
                    _fmt(r.nps),
                    f"[{_fmt(r.ci[0])}, {_fmt(r.ci[1])}]" if r.ci else "",
                    f"{change.delta:+.1f}" if change and change.delta is not None else "",
                    format_p(change.p_value) if change else "",
                    format_p(change.p_adjusted) if change else "",
                    change.verdict if change else "",
                    "small" if r.small_sample else "",
                ]
            )
        return header, cells

    def _caption(self) -> str:
        window = f", rolling {self.rolling} periods" if self.rolling > 1 else ""
        series = f" by {', '.join(self.by)}" if self.by else ""
        if self.correction == "none":
            adjusted = "p not adjusted for multiple comparisons"
        else:
            adjusted = (
                f"p adjusted ({self.correction}) over {self.n_comparisons} "
                f"comparison{'s' if self.n_comparisons != 1 else ''}"
            )
        return (
            f"NPS by {self.period}{window}{series} ({self.timezone}): "
            f"{len(self.overall)} periods, {self.confidence_level:.0%} CI ({self.method}), "
            f"verdicts at alpha = {self.alpha:g} on {adjusted}, min_n = {self.min_n}"
        )

    def __repr__(self) -> str:
        """The caption and the first rows as a text table."""
        header, cells = self._cells(_REPR_ROWS)
        more = len(self.rows) - _REPR_ROWS
        tail = f"\n... {more} more rows" if more > 0 else ""
        return f"TrendResult({self._caption()})\n{text_table(header, cells)}{tail}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        header, cells = self._cells(len(self.rows))
        table = html_table(header, cells, caption=self._caption())
        return f"<div class='netpromoter-trend'>{self.to_svg()}{table}</div>"


# --- computation ---------------------------------------------------------------------


def _check_labels_given(**labels: object) -> None:
    """Period labels given as arguments must be text (or ``None``: the default)."""
    for name, value in labels.items():
        if value is not None:
            check_type(value, name, str, "a period label such as '2026-01'")


def _check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    return check_int(value, name, minimum=minimum, maximum=maximum)


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        msg = f"alpha must be a number strictly between 0 and 1 (e.g. 0.05), got {alpha!r}"
        raise InvalidParameterError(msg, name="alpha", value=alpha)
    return float(alpha)


def _keys(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    return check_names(by, "by", allow_empty=True)


def _dense_tally(
    factors: Sequence[Factor],
    scores: NDArray[np.integer] | None = None,
    weights: NDArray[np.float64] | None = None,
    *,
    counted: Tally | None = None,
) -> Tally:
    """One pass of the tally engine over combined factors, as a dense ``(*levels, 11)`` tally.

    With ``counted`` (a tally with one row per element of the factors, e.g. a lazy
    frame's aggregate), its rows are added up by group instead of counting scores.
    """
    grouping = combine(factors)
    if counted is None:
        if scores is None:  # pragma: no cover - internal misuse
            msg = "give scores or a tally"
            raise ValueError(msg)
        counted = tally(scores, weights, grouping.codes, grouping.sizes)
    else:
        counted = retally(counted, grouping.codes, grouping.sizes)
    shape = tuple(max(len(f.levels), 1) for f in factors)
    if len(grouping.codes) == len(factors):  # dense: every combination, mixed-radix order
        return counted.map(lambda a: a.reshape(*shape, N_SCORES))
    # Compact: only the combinations that occur; put them in their dense places.
    index = np.ravel_multi_index(tuple(grouping.key_codes.T), shape)

    def scatter(a: NDArray[Any]) -> NDArray[Any]:
        out = np.zeros((math.prod(shape), N_SCORES), dtype=a.dtype)
        out[index] = a
        return out.reshape(*shape, N_SCORES)

    return counted.map(scatter)


def _window(t: Tally, length: int) -> Tally:
    """Pool each period with the ``length − 1`` before it (along the period axis 1)."""
    if length == 1:
        return t

    def pooled(a: NDArray[Any]) -> NDArray[Any]:
        out: NDArray[Any] = a.copy()
        for lag in range(1, length):
            out[:, lag:] += a[:, :-lag]
        return out

    return t.map(pooled)


class _Overlap:
    """Per respondent, base period and series: sums of weights and of weight × s.

    ``keys`` are sorted and unique, ``(unit · P + period) · S + series``: a respondent's
    group one period later is ``key + S``, found with ``searchsorted``.
    """

    def __init__(
        self,
        keys: NDArray[np.int64],
        w: NDArray[np.float64],
        s: NDArray[np.float64],
        *,
        n_periods: int,
        n_series: int,
        last: NDArray[np.int64] | None = None,
    ) -> None:
        self.keys = keys
        self.w = w
        self.s = s
        self.last = np.zeros(len(keys), dtype=np.int64) if last is None else last
        self.n_periods = n_periods
        self.n_series = n_series
        self.series = keys % n_series
        self.period = (keys // n_series) % n_periods
        self.units = keys // n_series // n_periods
        self._cache: dict[int, tuple[NDArray[np.float64], ...]] = {}

    @classmethod
    def build(
        cls,
        *,
        units: NDArray[np.int64],
        periods: NDArray[np.int64],
        series: NDArray[np.int64] | None,
        n_series: int,
        times: NDArray[np.int64],
        s: NDArray[np.int8],
        weights: NDArray[np.float64] | None,
        n_periods: int,
    ) -> tuple[_Overlap, _Overlap | None]:
        """The overall and (with ``series``) the per-segment sums, from one sort.

        Sorting by ``(unit, period, segment)`` makes both the segment groups and the
        overall ``(unit, period)`` groups contiguous runs. Sums and maxima within a run do
        not depend on the order inside it, so the input order never matters.
        """
        size = n_series if series is not None else 1
        key = units * n_periods + periods
        if series is not None:
            key = key * size + series
        order = np.argsort(key)
        key = key[order]
        w = np.ones(len(key)) if weights is None else weights[order]
        sv = s[order]
        new = np.r_[True, key[1:] != key[:-1]]
        starts = np.flatnonzero(new)
        fine_keys, fine_w, fine_s = (
            key[starts],
            np.add.reduceat(w, starts),
            np.add.reduceat(w * sv, starts),
        )
        # Overall groups: runs of (unit, period).
        coarse = key // size
        new_coarse = np.r_[True, coarse[1:] != coarse[:-1]]
        row_starts = np.flatnonzero(new_coarse)
        run = np.flatnonzero(np.r_[True, fine_keys[1:] // size != fine_keys[:-1] // size])
        # The last answer: the latest time in the group; at the same second, the highest.
        t = times[order]
        group = np.cumsum(new_coarse) - 1
        latest = np.maximum.reduceat(t, row_starts)[group] == t
        last = np.maximum.reduceat(np.where(latest, sv, -1), row_starts).astype(np.int64)
        overall = cls(
            fine_keys[run] // size,
            np.add.reduceat(fine_w, run),
            np.add.reduceat(fine_s, run),
            n_periods=n_periods,
            n_series=1,
            last=last,
        )
        if series is None:
            return overall, None
        return overall, cls(fine_keys, fine_w, fine_s, n_periods=n_periods, n_series=size)

    def pairs(self, lag: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Positions (in ``keys``) of (unit, p) and (unit, p + lag) both present."""
        target = self.keys + lag * self.n_series
        pos = np.searchsorted(self.keys, target)
        pos = np.minimum(pos, max(len(self.keys) - 1, 0))
        hit = (self.period + lag < self.n_periods) & (self.keys[pos] == target)
        return np.flatnonzero(hit), pos[hit]

    def by_lag(self, lag: int) -> tuple[NDArray[np.float64], ...]:
        """Per (series, earlier period): SS, SW, WS, WW and count, for one lag."""
        if lag not in self._cache:
            a, b = self.pairs(lag)
            index = self.series[a] * self.n_periods + self.period[a]
            size = self.n_series * self.n_periods
            sums: tuple[NDArray[np.float64], ...] = tuple(
                np.bincount(index, weights=x, minlength=size)
                .astype(np.float64)
                .reshape(self.n_series, self.n_periods)
                for x in (
                    self.s[a] * self.s[b],
                    self.s[a] * self.w[b],
                    self.w[a] * self.s[b],
                    self.w[a] * self.w[b],
                    np.ones(len(a)),
                )
            )
            self._cache[lag] = sums
        return self._cache[lag]

    def cross(
        self, earlier: NDArray[np.intp], later: NDArray[np.intp], window: int
    ) -> _stats.CrossSums:
        """Overlap sums for every series and pair of windows ending at ``earlier``/``later``."""
        shape = (self.n_series, len(earlier))
        out: list[NDArray[np.float64]] = [np.zeros(shape) for _ in range(4)]
        count: NDArray[np.int64] = np.zeros(shape, dtype=np.int64)
        for i in range(window):
            for j in range(window):
                p = later - i
                q = earlier - j
                ok = (p >= 0) & (q >= 0) & (p > q)
                if not ok.any():
                    continue
                for lag in np.unique(p[ok] - q[ok]).tolist():
                    pick = ok & (p - q == lag)
                    sums = self.by_lag(int(lag))
                    for total, part in zip(out, sums[:4], strict=True):
                        total[:, pick] += part[:, q[pick]]
                    if window == 1:
                        count[:, pick] += sums[4][:, q[pick]].astype(np.int64)
        if window > 1:
            count = self._distinct(earlier, later, window)
        return _stats.CrossSums(out[0], out[1], out[2], out[3], n=count)

    def own(self, ends: NDArray[np.intp], window: int) -> _stats.OwnSums:
        """Per-respondent sums within every series' window ending at each of ``ends``.

        A respondent's sums over a window add their sums over its periods, so
        ``Σ_c S_c²`` over a window is the sum over pairs of its periods ``p, q`` of
        ``Σ_c S_cp S_cq`` (lag ``|p − q|``; lag 0 within one period).
        """
        shape = (self.n_series, len(ends))
        ss, sw, ww = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        for i in range(window):
            for j in range(window):
                p = ends - i
                q = ends - j
                ok = (p >= 0) & (q >= 0)
                if not ok.any():
                    continue
                lag = np.abs(p - q)
                for value in np.unique(lag[ok]).tolist():
                    pick = ok & (lag == value)
                    sums = self.by_lag(int(value))
                    first = np.minimum(p, q)[pick]
                    ss[:, pick] += sums[0][:, first]
                    # S of period p times W of period q: "sw" when p is the earlier one.
                    sw[:, pick] += sums[1][:, first] if i >= j else sums[2][:, first]
                    ww[:, pick] += sums[3][:, first]
        return _stats.OwnSums(ss, sw, ww)

    def _distinct(
        self, earlier: NDArray[np.intp], later: NDArray[np.intp], window: int
    ) -> NDArray[np.int64]:
        """Distinct units present in both windows (rolling windows only)."""
        members = self.units * self.n_series + self.series
        count = np.zeros((self.n_series, len(earlier)), dtype=np.int64)
        for k, (e, lt) in enumerate(zip(earlier.tolist(), later.tolist(), strict=True)):
            in_a = (self.period > e - window) & (self.period <= e)
            in_b = (self.period > lt - window) & (self.period <= lt)
            both = np.intersect1d(members[in_a], members[in_b])
            count[:, k] = np.bincount(both % self.n_series, minlength=self.n_series)
        return count


def _paired_sums(
    overlap: _Overlap,
    overlap_seg: _Overlap | None,
    earlier: NDArray[np.intp],
    later: NDArray[np.intp],
    window: int,
) -> _stats.Overlap:
    """Cross and own sums of every series (segments first, then overall), flattened."""
    parts = [overlap] if overlap_seg is None else [overlap_seg, overlap]
    crosses = [o.cross(earlier, later, window) for o in parts]
    joined = [np.concatenate([c[k] for c in crosses]).ravel() for k in range(5)]
    cross = _stats.CrossSums(joined[0], joined[1], joined[2], joined[3], joined[4].astype(np.int64))

    def own(ends: NDArray[np.intp]) -> _stats.OwnSums:
        sums = [o.own(ends, window) for o in parts]
        return _stats.OwnSums(*(np.concatenate([x[k] for x in sums]).ravel() for k in range(3)))

    return _stats.Overlap(cross, own(earlier), own(later))


class _Tested(NamedTuple):
    """The comparisons of one kind (previous period or a year ago) in every series."""

    name: str
    ref: NDArray[np.intp]
    valid: NDArray[np.intp]
    diff: _stats.Difference
    has: NDArray[np.bool_]
    enough: NDArray[np.bool_]
    n_overlap: NDArray[np.int64]


def _verdict(
    delta: NDArray[np.float64],
    p: NDArray[np.float64],
    enough: NDArray[np.bool_],
    alpha: float,
) -> list[Verdict]:
    out: list[Verdict] = []
    for d, pv, ok in zip(delta.tolist(), p.tolist(), enough.tolist(), strict=True):
        if not ok or math.isnan(d) or math.isnan(pv):
            out.append("not enough data")
        elif pv < alpha:
            out.append("significant rise" if d > 0 else "significant fall")
        else:
            out.append("no significant change")
    return out


def _none(x: float) -> float | None:
    return None if math.isnan(x) else x


def _interval(lower: float, upper: float) -> tuple[float, float] | None:
    """The interval, or ``None`` when it is undefined (a weighted SE from one answer)."""
    return None if math.isnan(lower) or math.isnan(upper) else (lower, upper)


def trend(  # noqa: C901, PLR0912, PLR0915 - one pipeline, read top to bottom
    data: object,
    *,
    time: str = "submitted_at",
    period: str | int | timedelta = "month",
    by: str | Sequence[str] | None = None,
    weights: object = None,
    score: str = "score",
    respondent: str | None = None,
    timezone: str | tzinfo = "UTC",
    naive_timezone: str | tzinfo | None = None,
    rolling: int = 1,
    origin: date | None = None,
    missing: MissingPolicy = "raise",
    min_n: int = 30,
    alpha: float = 0.05,
    correction: Correction = "holm",
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
) -> TrendResult:
    """NPS per period, with the change against the previous period and a year before.

    Each response is bucketed by its local calendar date in ``timezone``; the keys
    period × segment are combined into one code per row and counted by the tally engine
    in one pass, as ``segment`` does. Every period from the first to the last appears.

    Changes: each period is compared with the previous one (with ``rolling = k``, with
    the window ``k`` periods back, so the two windows share no period) and with the same
    period a year earlier when that is in the data (months 12 back, quarters 4, ISO
    weeks by week number, days by date; fixed windows have none). The test is the
    two-sample z test of ``method``; with ``respondent``, the covariance of the two
    periods' scores from respondents who answered in both is subtracted from the
    variance (see [`adjusted_covariance`][netpromoter._stats.adjusted_covariance]).

    Verdicts are corrected for multiple comparisons: a table of 8 regions × 13 months
    makes over a hundred comparisons, and at ``alpha = 0.05`` uncorrected p-values call
    about five of them significant when nothing changed at all. The p-values of every
    comparison that gets a verdict (both kinds, every series, the overall one included)
    are adjusted together (Holm by default, as ``segment``), and the verdict compares
    the adjusted p-value with ``alpha``; ``Change.p_value`` keeps the raw one.

    With a weighting result as ``weights`` (from
    [`poststratify`][netpromoter.weighting.poststratify],
    [`rake`][netpromoter.weighting.rake], [`trim`][netpromoter.weighting.trim],
    [`account_weights`][netpromoter.weighting.account_weights]...), each row (a period,
    a rolling window of periods, of the overall series or of one segment) is a domain of
    that calibrated design: its SE is the one R ``survey`` gives for
    ``svyby(~I(promoter - detractor), ~period, d, svymean)`` (``~period + segment`` for
    the segment series; a rolling row's domain is all answers of its window's periods),
    cluster-robust for account weights. A change is the domain contrast of its two rows,
    with the covariance the calibration induces between them (the two rows share no
    answer; R ``svycontrast(svytotal(~ys + s + yr + r, d), quote(ys / s - yr / r))``),
    not two independent samples; with ``respondent`` too, the overlap covariance of
    repeat respondents is added to the calibration's. Plain weights (an
    array or a column) keep the plain linearisation SE and independent periods.

    Args:
        data: A list of ``Response``, a mapping of column name to array/list, a
            pandas, polars or pyarrow table, or a lazy or distributed frame (polars
            ``LazyFrame``, Dask, PySpark, DuckDB), which is tallied on its own engine
            per time bucket × segment × score (see the how-to "Running on Spark and
            Dask"); the results are those of the same rows in memory.
        time: The time column: timezone-aware datetimes, ISO 8601 text with an offset
            (``2026-01-31T09:00:00+01:00``, ``...Z``), or dates.
        period: ``"day"``, ``"week"`` (ISO, Monday to Sunday), ``"month"``,
            ``"quarter"``, ``"year"``, or a fixed window of ``N`` days (``30``,
            ``"30D"``, ``timedelta(days=30)``) counted from ``origin``.
        by: Optional segment column(s): one series per segment.
        weights: ``None``, a weights column, an array, or an object with a numpy
            ``weights`` attribute; a weighting result (with a ``design_se`` method) also
            gives its design-based SEs.
        score: The score column.
        respondent: Optional respondent id column: enables first-time/returning splits,
            transitions and the paired change test. An answer without an id counts as
            a first-time respondent of its own (it never pairs with another).
        timezone: Zone whose calendar the periods follow (IANA name or ``tzinfo``).
        naive_timezone: Zone of naive timestamps; without it they are an error.
        rolling: Pool each row with the ``rolling − 1`` periods before it.
        origin: First day of the first fixed window (default: the first day in the data).
        missing: ``"raise"`` (default) or ``"drop"`` for missing scores.
        min_n: Rows with fewer responses are flagged ``small_sample``, and changes
            involving one get the verdict ``"not enough data"``.
        alpha: Significance level of the verdicts.
        correction: ``"holm"`` (default; family-wise error), ``"bh"`` (Benjamini–
            Hochberg, false discovery rate) or ``"none"`` (each comparison on its own).
        method: Interval method of each period, ``"adjusted_wald"`` (default),
            ``"wald"``, ``"score"`` or ``"exact"`` (unweighted only); changes are tested
            with Wald for ``"wald"`` and adjusted Wald otherwise (the score and exact
            intervals are one-sample only).
        confidence_level: Two-sided confidence level of every interval.

    Returns:
        The trend.

    Raises:
        ColumnNotFoundError: A named column does not exist.
        InvalidTimeError: Time values are missing, unparseable or naive (rows named).
        InvalidParameterError: An unknown period, zone or option; ``respondent`` or
            weights that are not a column with a lazy frame (they need in-memory data).
        InvalidScoreError: A score is invalid.
        InvalidWeightsError: Weights are invalid or all zero, or a weighting result
            is for other rows than ``data``'s.
        EmptyDataError: There are no scores.

    Warns:
        FirstTimeRespondentWarning: With ``respondent``, when a period after the first
            rests mostly on first-time respondents.

    Examples:
        >>> data = {
        ...     "score": [9, 10, 6, 10, 3, 2],
        ...     "submitted_at": [
        ...         "2026-01-10T09:00:00+01:00", "2026-01-31T23:30:00Z",
        ...         "2026-01-20T12:00:00Z", "2026-03-02T08:00:00Z",
        ...         "2026-03-05T08:00:00Z", "2026-03-09T08:00:00Z",
        ...     ],
        ... }
        >>> t = trend(data, min_n=1)
        >>> [(r.period, r.n, None if r.nps is None else round(r.nps, 1)) for r in t]
        [('2026-01', 3, 33.3), ('2026-02', 0, None), ('2026-03', 3, -33.3)]
        >>> [r.period for r in trend(data, timezone="Europe/Amsterdam", min_n=1)][:2]
        ['2026-01', '2026-02']
        >>> trend(data, timezone="Europe/Amsterdam", min_n=1)[1].n
        1
    """
    keys = _keys(by)
    the_period = times.check_period(period)
    zone = times.check_zone(timezone)
    naive_zone = (
        None if naive_timezone is None else times.check_zone(naive_timezone, "naive_timezone")
    )
    rolling = _check_int("rolling", rolling, 1, MAX_PERIODS)
    min_n = _check_int("min_n", min_n, 0)
    alpha = _check_alpha(alpha)
    correction = check_correction(correction)
    _stats.z_value(confidence_level)
    check_choice(method, "method", _stats.METHODS)
    # The score interval is one-sample only; changes are then tested with adjusted Wald.
    test_method = _stats.difference_method(method)
    if origin is not None and (not isinstance(origin, date) or isinstance(origin, datetime)):
        msg = f"origin must be a date (a calendar day, not a datetime), got {origin!r}"
        raise InvalidParameterError(msg, name="origin", value=origin)

    if frames.is_lazy(data):
        if respondent is not None:
            msg = (
                f"respondent={respondent!r} needs every answer of each respondent (first-time "
                "and returning respondents, transitions, the paired test), so it needs "
                "in-memory data: collect the columns it needs first (a lazy frame's trend "
                "without respondent runs on its engine)"
            )
            raise InvalidParameterError(msg, name="respondent", value=respondent)
        counts = _engine_counts(
            data,
            time=time,
            score=score,
            weights=weights,
            keys=keys,
            missing=missing,
            zone=zone,
            naive_zone=naive_zone,
            period=the_period,
            origin=origin,
        )
    else:
        counts = _memory_counts(
            data,
            time=time,
            score=score,
            weights=weights,
            keys=keys,
            respondent=respondent,
            missing=missing,
            zone=zone,
            naive_zone=naive_zone,
            period=the_period,
            origin=origin,
        )
    base, segments, n_segments = counts.base, counts.segments, counts.n_segments
    n_periods, first, origin_day, labels = (
        counts.n_periods,
        counts.first,
        counts.origin_day,
        counts.labels,
    )
    # Series × periods: segments first (when any), the overall series last.
    if segments is not None:
        stacked = base.map(lambda a: np.concatenate([np.swapaxes(a, 0, 1), a.sum(axis=1)[None]]))
    else:
        stacked = base.map(lambda a: a[None])
    pooled = _window(stacked, rolling)
    n_series = pooled.count.shape[0]
    flat = pooled.map(lambda a: a.reshape(-1, a.shape[-1]))
    weighted = counts.weighted
    design = as_design(weights)
    design_rows = design_se = None
    if design is not None:
        rows_used = _in_memory(counts.rows, "a weighting result as weights")
        design_rows = _DesignRows(
            design,
            rows_used.scores,
            rows_used.kept,
            rows_used.periods.astype(np.intp),
            None if rows_used.segments is None else rows_used.segments.astype(np.intp),
            n_periods=n_periods,
            n_segments=n_segments if segments is not None else 0,
            rolling=rolling,
        )
        design_se = design_rows.ses()
    est = _stats.estimate(
        flat,
        weighted=weighted,
        method=method,
        confidence_level=confidence_level,
        design_se=design_se,
    )
    n = flat.count.sum(axis=1)
    totals = _stats.by_category(flat.weight_sums())
    share = _stats.shares(flat)
    eff = _stats.effective_n(flat)

    # Comparisons: previous (non-overlapping) window and a year before.
    later = np.arange(n_periods, dtype=np.intp)
    previous = later - rolling
    year: list[int] = []
    for i in range(n_periods):
        before = times.year_before(first + i, the_period)
        idx = -1 if before is None else before - first
        year.append(idx if 0 <= idx <= i - rolling else -1)
    year_ago = np.asarray(year, dtype=np.intp)

    overlap: _Overlap | None = None
    overlap_seg: _Overlap | None = None
    respondent_rows: tuple[RespondentRow, ...] = ()
    transition_rows: tuple[TransitionRow, ...] = ()
    if respondent is not None:
        used = _in_memory(counts.rows, f"respondent={respondent!r}")
        unit = _units(used.table.factor(respondent).take(used.kept))
        s = (used.scores >= 9).astype(np.int8) - (used.scores <= 6).astype(np.int8)  # noqa: PLR2004
        base_codes = used.periods.astype(np.int64)
        overlap, overlap_seg = _Overlap.build(
            units=unit,
            periods=base_codes,
            series=None if used.segments is None else used.segments.astype(np.int64),
            n_series=n_segments,
            times=used.local,
            s=s,
            # At the tally's power of two, so the overlap sums match its weight sums.
            weights=None if used.weights is None else np.ldexp(used.weights, -flat.exponent),
            n_periods=n_periods,
        )
        respondent_rows = _respondents(
            unit=unit,
            periods=base_codes,
            labels=labels,
            scores=used.scores,
            weights=used.weights,
            period_factor=Factor(used.periods, labels, time),
            weighted=weighted,
            method=method,
            confidence_level=confidence_level,
        )
        transition_rows = _transitions(
            overlap,
            labels,
            method=test_method,
            confidence_level=confidence_level,
            correction=correction,
        )
        flagged = [r.period for r in respondent_rows if r.mostly_first_time]
        if flagged:
            shown = ", ".join(flagged[:_SHOWN]) + (
                f" and {len(flagged) - _SHOWN} more" if len(flagged) > _SHOWN else ""
            )
            warnings.warn(
                f"{len(flagged)} periods rest mostly on first-time respondents ({shown}): "
                "their change reflects a different sample more than changed opinions; "
                "see TrendResult.respondents",
                FirstTimeRespondentWarning,
                stacklevel=2,
            )

    tested: list[_Tested] = []
    for name, ref in (("previous", previous), ("year", year_ago)):
        valid = np.flatnonzero(ref >= 0)
        if not len(valid):
            continue
        b_idx = (np.arange(n_series)[:, None] * n_periods + valid[None, :]).ravel()
        a_idx = (np.arange(n_series)[:, None] * n_periods + ref[valid][None, :]).ravel()
        a = flat.take(a_idx)
        b = flat.take(b_idx)
        covariance = paired = None
        n_overlap = np.zeros((n_series, len(valid)), dtype=np.int64)
        if overlap is not None:
            paired = _paired_sums(overlap, overlap_seg, ref[valid], valid, rolling)
            n_overlap = paired.cross.n.reshape(n_series, len(valid))
        if design_rows is not None and design_se is not None:
            contrast = design_rows.contrast_ses(ref)[b_idx]
            se_a, se_b = design_se[a_idx], design_se[b_idx]
            covariance = np.nan_to_num((se_a * se_a + se_b * se_b - contrast * contrast) / 2.0)
        diff = _stats.difference(
            a,
            b,
            weighted=weighted,
            method=test_method,
            confidence_level=confidence_level,
            covariance=covariance,
            overlap=paired,
            design_se=None if design_se is None else (design_se[a_idx], design_se[b_idx]),
            reference="t",
        )
        has = (n[a_idx] > 0) & (n[b_idx] > 0)
        enough = (n[a_idx] >= max(min_n, 1)) & (n[b_idx] >= max(min_n, 1))
        tested.append(_Tested(name, ref, valid, diff, has, enough, n_overlap))
    # One family: every comparison that can get a verdict, in every series and both kinds.
    none = np.zeros(0)
    raw_p = np.concatenate([none, *(t.diff.p_value for t in tested)])
    family = np.concatenate([none > 0, *(t.enough & ~np.isnan(t.diff.p_value) for t in tested)])
    adjusted = np.full(len(raw_p), np.nan)
    adjusted[family] = _stats.adjust(raw_p[family], correction)
    n_tests = int(family.sum())
    changes: dict[str, list[list[Change | None]]] = {
        name: [[None] * n_periods for _ in range(n_series)] for name in ("previous", "year")
    }
    start = 0
    for t in tested:
        p_adjusted = adjusted[start : start + len(t.diff.p_value)]
        start += len(t.diff.p_value)
        verdicts = _verdict(t.diff.delta, p_adjusted, t.enough, alpha)
        grid = changes[t.name]
        k = 0
        for series_index in range(n_series):
            for j, later_index in enumerate(t.valid.tolist()):
                has = bool(t.has[k])
                grid[series_index][later_index] = Change(
                    reference=labels[int(t.ref[later_index])],
                    delta=float(t.diff.raw_delta[k]) if has else None,
                    se=_none(float(t.diff.se[k])) if has else None,
                    df=_none(float(t.diff.df[k])) if has else None,
                    ci=_interval(float(t.diff.lower[k]), float(t.diff.upper[k])) if has else None,
                    p_value=_none(float(t.diff.p_value[k])) if has else None,
                    p_adjusted=_none(float(p_adjusted[k])) if has else None,
                    n_overlap=int(t.n_overlap[series_index, j]),
                    verdict=verdicts[k],
                )
                k += 1

    bounds = [times.period_bounds(first + i, the_period, origin_day) for i in range(n_periods)]
    if segments is not None:
        series_keys = [segments.labels(g) for g in range(n_segments)] + [(ALL,) * len(keys)]
    else:
        series_keys = [()]
    rows: list[list[TrendRow]] = []
    for si, key in enumerate(series_keys):
        series_rows = []
        for i in range(n_periods):
            g = si * n_periods + i
            size = int(n[g])
            has = size > 0
            t = totals[g]
            series_rows.append(
                TrendRow.model_construct(
                    key=key,
                    period=labels[i],
                    start=bounds[max(i - rolling + 1, 0)][0],
                    end=bounds[i][1],
                    n=size,
                    detractors=float(t[0]) if weighted else int(t[0]),
                    passives=float(t[1]) if weighted else int(t[1]),
                    promoters=float(t[2]) if weighted else int(t[2]),
                    detractor_share=float(share[g, 0]) if has else None,
                    passive_share=float(share[g, 1]) if has else None,
                    promoter_share=float(share[g, 2]) if has else None,
                    nps=_none(float(est.nps[g])) if has else None,
                    se=_none(float(est.se[g])) if has else None,
                    ci=_interval(float(est.lower[g]), float(est.upper[g])) if has else None,
                    effective_n=float(eff[g]) if has else 0.0,
                    small_sample=size < min_n,
                    vs_previous=changes["previous"][si][i],
                    vs_year_ago=changes["year"][si][i],
                )
            )
        rows.append(series_rows)
    overall_rows = tuple(rows[-1])
    if segments is not None:
        # Segments in display order (labels sorted, "(missing)" last), empty ones left out.
        ranks = [f.ranks() for f in segments.factors]
        display = sorted(
            range(n_segments),
            key=lambda g: tuple(
                int(r[c]) for r, c in zip(ranks, segments.key_codes[g], strict=True)
            ),
        )
        present = [rows[g] for g in display if any(x.n for x in rows[g])]
        all_rows = tuple(x for r in present for x in r)
    else:
        all_rows = overall_rows
    return TrendResult(
        time=time,
        period=the_period.name,
        timezone=str(getattr(zone, "key", zone)),
        rolling=rolling,
        by=keys,
        rows=all_rows,
        overall=overall_rows,
        respondents=respondent_rows,
        transitions=transition_rows,
        min_n=min_n,
        alpha=alpha,
        correction=correction,
        n_comparisons=n_tests,
        method=method,
        confidence_level=confidence_level,
        weighted=weighted,
    )


class _Rows(NamedTuple):
    """The rows of an in-memory trend, for what needs them beyond the tally.

    Attributes:
        table: The columns read.
        scores: Validated scores of the rows used.
        kept: Which input rows they are (``None``: all).
        weights: Their weights, or ``None``.
        periods: Period code per score.
        segments: Segment code per score, or ``None`` without ``by``.
        local: Local wall-clock seconds per score.
    """

    table: Table
    scores: NDArray[np.integer]
    kept: NDArray[np.bool_] | None
    weights: NDArray[np.float64] | None
    periods: NDArray[np.unsignedinteger[Any]]
    segments: NDArray[np.unsignedinteger[Any]] | None
    local: NDArray[np.int64]


class _Counts(NamedTuple):
    """What ``trend`` computes everything else from: the period × segment × score tally.

    Attributes:
        base: Dense tally, ``(n_periods, 11)`` or ``(n_periods, n_segments, 11)``.
        segments: The segment grouping, or ``None`` without ``by``.
        n_segments: Number of segments (1 without ``by``).
        n_periods: Number of periods, from the first in the data to the last.
        first: Number of the first period (since the epoch).
        origin_day: First day of the first fixed window (days since the epoch).
        labels: Period labels.
        weighted: Whether weights were used.
        rows: The rows (in-memory data only; ``None`` for a lazy frame).
    """

    base: Tally
    segments: Grouping | None
    n_segments: int
    n_periods: int
    first: int
    origin_day: int
    labels: tuple[str, ...]
    weighted: bool
    rows: _Rows | None


def _in_memory(rows: _Rows | None, option: str) -> _Rows:
    if rows is None:  # pragma: no cover - lazy frames are refused before
        msg = f"{option} needs in-memory data"
        raise InvalidParameterError(msg, name="data", value=None)
    return rows


class _Periods(NamedTuple):
    numbers: NDArray[np.int64]
    first: int
    n_periods: int
    origin_day: int
    labels: tuple[str, ...]


def _periods(days: NDArray[np.int64], period: times.Period, origin: date | None) -> _Periods:
    """Period numbers of local days, and the span of periods from the first to the last.

    Raises:
        InvalidParameterError: When the span has more than ``MAX_PERIODS`` periods,
            naming the first and last dates found.
    """
    origin_day = int(days.min()) if origin is None else times.date_number(origin)
    numbers = times.period_numbers(days, period, origin_day)
    first, last = int(numbers.min()), int(numbers.max())
    n_periods = last - first + 1
    if n_periods > MAX_PERIODS:
        earliest, latest = times.day_date(int(days.min())), times.day_date(int(days.max()))
        msg = (
            f"the time column runs from {earliest} to {latest}: {n_periods:,} periods of "
            f"{period.name!r}, more than the {MAX_PERIODS:,} a trend shows; use a coarser "
            "period (e.g. period='month' or 'year'), or check the time column for "
            "outlying dates such as placeholders (0001-01-01, 9999-12-31)"
        )
        raise InvalidParameterError(msg, name="period", value=period.name)
    labels = tuple(times.period_label(first + i, period, origin_day) for i in range(n_periods))
    return _Periods(numbers, first, n_periods, origin_day, labels)


def _check_cells(n_periods: int, n_segments: int, period: times.Period) -> None:
    if n_periods * n_segments > MAX_CELLS:
        msg = (
            f"{n_periods:,} periods × {n_segments:,} segments is too many cells; use a "
            "coarser period, fewer segments, or check the time column for outlying dates"
        )
        raise InvalidParameterError(msg, name="period", value=period.name)


def _check_totals(n_total: int, n_missing: int, sum_w: float | None) -> None:
    """No scores, or weights all zero: the errors of both paths, in the same words."""
    if n_total == 0:
        detail = f" (all {n_missing} scores were missing)" if n_missing else ""
        msg = f"no scores for a trend{detail}; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    if sum_w is not None and not sum_w > 0:
        msg = f"all {n_total} weights are zero; at least one weight must be positive"
        raise InvalidWeightsError(msg)


def _memory_counts(
    data: object,
    *,
    time: str,
    score: str,
    weights: object,
    keys: tuple[str, ...],
    respondent: str | None,
    missing: MissingPolicy,
    zone: tzinfo,
    naive_zone: tzinfo | None,
    period: times.Period,
    origin: date | None,
) -> _Counts:
    """Read, validate and tally in-memory data, one pass of the tally engine."""
    needed = [score, time, *keys]
    needed += [respondent] if respondent is not None else []
    needed += [weights] if isinstance(weights, str) else []
    table = read_table(data, needed)
    column = table.scores(score, missing=missing)
    w = table.weights(weights)
    kept = column.kept
    if w is not None and kept is not None:
        w = w[kept]
    n_total = len(column.scores)
    _check_totals(n_total, column.n_missing, None if w is None else float(w.sum()))
    local = times.local_seconds(
        table.columns[time], name=time, zone=zone, naive_zone=naive_zone, rows=kept
    )
    # Periods: numbers since the epoch, then codes from the first period in the data.
    spans = _periods(local // times.DAY, period, origin)
    factors = [table.factor(name).take(kept) for name in keys]
    segments = combine(factors) if factors else None
    n_segments = segments.n_groups if segments is not None else 1
    _check_cells(spans.n_periods, n_segments, period)
    codes = np.empty(n_total, dtype=code_dtype(spans.n_periods))
    for start in range(0, n_total, 1 << 17):
        codes[start : start + (1 << 17)] = spans.numbers[start : start + (1 << 17)] - spans.first
    parts = [Factor(codes, spans.labels, time)]
    segment_codes = segments.group_codes() if segments is not None else None
    if segment_codes is not None:
        parts.append(Factor(segment_codes, tuple(range(n_segments)), "segment"))
    return _Counts(
        base=_dense_tally(parts, column.scores, w),
        segments=segments,
        n_segments=n_segments,
        n_periods=spans.n_periods,
        first=spans.first,
        origin_day=spans.origin_day,
        labels=spans.labels,
        weighted=w is not None,
        rows=_Rows(table, column.scores, kept, w, codes, segment_codes, local),
    )


_NO_POSITIONS = "(rows of a lazy frame have no positions)"


def _engine_counts(
    data: object,
    *,
    time: str,
    score: str,
    weights: object,
    keys: tuple[str, ...],
    missing: MissingPolicy,
    zone: tzinfo,
    naive_zone: tzinfo | None,
    period: times.Period,
    origin: date | None,
) -> _Counts:
    """Tally a lazy frame on its engine per time bucket × segment × score; periods locally.

    The engine groups by the ``by`` keys, a time key (see
    [`engine_times`][netpromoter._input.engine_times]) and the score bin, and returns one row
    per group (validation counted alongside, as for ``segment``). Locally, each time
    key becomes local seconds and a period with the in-memory time code, and the
    engine's tallies are added per period × segment by
    [`retally`][netpromoter._tally.retally]. When some bucket straddles a local day
    (an offset that is not whole quarter hours), the engine is asked again per second.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    frame = nw.from_native(data)  # type: ignore[call-overload]
    schema = frame.collect_schema()
    needed = [score, time, *keys, *([weights] if isinstance(weights, str) else [])]
    _engine.check_columns(list(schema.names()), needed)
    is_naive = getattr(schema[time], "time_zone", "") is None
    cuts = engine_times.cuts_for(zone, naive_zone if is_naive else None)
    steps = [0] if len(cuts) < 10 else []  # noqa: PLR2004 - one digit per piece
    for step in [*steps, engine_times.COARSE, engine_times.FINE]:
        key = engine_times.time_key(schema, time, step=step, cuts=cuts)
        engine_times.check_utc(frame, key)
        engine = _engine.engine_tally(
            data,
            score=score,
            weights=weights,
            by=keys,
            missing=missing,
            derived={engine_times.TIME_KEY: key.expr},
        )
        counted = engine.tally
        n_rows = counted.count.sum(axis=1)
        _check_totals(
            int(n_rows.sum()),
            int(engine.n_missing.sum()),
            float(counted.sum_w.sum()) if engine.weighted else None,
        )
        parsed, lengths = engine_times.decode(engine.levels[-1], key)
        level = engine.key_codes[:, -1]
        values = parsed.values[level]  # noqa: PD011 - a numpy array, not pandas
        kinds = times.mark_out_of_range(values, np.asarray(parsed.kind, dtype=np.uint8)[level])
        per_kind = np.bincount(kinds, weights=n_rows, minlength=times.N_KINDS).astype(np.int64)
        text_bad = (kinds == times.BAD) & (n_rows > 0) & (key.kind == "text")
        bad = [engine.levels[-1][i] for i in np.unique(level[text_bad]).tolist()]
        times.check_kind_counts(
            per_kind,
            time,
            naive_allowed=naive_zone is not None,
            where=_NO_POSITIONS,
            examples={times.BAD: "values " + describe_values(bad, int(per_kind[times.BAD]))}
            if bad
            else None,
        )
        used = n_rows > 0  # groups of missing scores only are not checked, as in memory
        local = np.zeros(len(level), dtype=np.int64)
        local[used] = times.localise(values[used], kinds[used], zone=zone, naive_zone=naive_zone)
        if not key.bucketed:
            break
        # Exact when each bucket's last second is on the local day of its first.
        timed = used & (kinds != times.DATE)
        last = values[timed] + lengths[level][timed] - 1
        end = times.localise(last, kinds[timed], zone=zone, naive_zone=naive_zone)
        if (end // times.DAY == local[timed] // times.DAY).all():
            break
    spans = _periods(local[used] // times.DAY, period, origin)
    codes = np.zeros(len(level), dtype=code_dtype(spans.n_periods))
    codes[used] = spans.numbers - spans.first
    factors = [
        Factor(engine.key_codes[:, j].astype(code_dtype(len(levels))), levels, name)
        for j, (name, levels) in enumerate(zip(keys, engine.levels, strict=False))
    ]
    segments = combine(factors) if factors else None
    n_segments = segments.n_groups if segments is not None else 1
    _check_cells(spans.n_periods, n_segments, period)
    parts = [Factor(codes, spans.labels, time)]
    if segments is not None:
        parts.append(Factor(segments.group_codes(), tuple(range(n_segments)), "segment"))
    return _Counts(
        base=_dense_tally(parts, counted=counted),
        segments=segments,
        n_segments=n_segments,
        n_periods=spans.n_periods,
        first=spans.first,
        origin_day=spans.origin_day,
        labels=spans.labels,
        weighted=engine.weighted,
        rows=None,
    )


class _DesignRows(NamedTuple):
    """The rows of a calibrated design, coded by period and segment, as ``trend`` saw them.

    Every row of the trend (a period, or a rolling window of periods, of one series) is
    a domain of the design, as R ``svyby(~I(promoter - detractor), ~period, d, svymean)``.

    Attributes:
        design: The weighting result.
        scores: Validated scores of the rows used.
        kept: Which input rows the scores belong to (``None``: all).
        periods: Period code per score, ``0..n_periods-1``.
        segments: Segment code per score, or ``None`` without ``by``.
        n_periods: Number of periods.
        n_segments: Number of segments (0 without ``by``).
        rolling: Number of periods pooled per row.
    """

    design: Design
    scores: NDArray[np.integer]
    kept: NDArray[np.bool_] | None
    periods: NDArray[np.intp]
    segments: NDArray[np.intp] | None
    n_periods: int
    n_segments: int
    rolling: int

    def _partitions(
        self, offset: int
    ) -> tuple[NDArray[np.intp], list[tuple[NDArray[np.intp], int, int]]]:
        """The windows ending at ``offset, offset + k, ...`` (``k = rolling``) as groups.

        Those windows share no period, so they partition the rows: each row goes to the
        first of them ending at or after its period, rows whose window ends after the
        last period to one extra group per series (left out). Returns the window ends
        and, per partition (the segment series, then the overall series), the group code
        per row, the number of groups (``n_periods + 1`` per series) and the first
        series it fills.
        """
        n_periods, rolling = self.n_periods, self.rolling
        window = self.periods + (offset - self.periods) % rolling
        window[window >= n_periods] = n_periods
        ends = np.arange(offset, n_periods, rolling, dtype=np.intp)
        partitions = [(window, n_periods + 1, self.n_segments)]
        if self.segments is not None:
            joined = self.segments * (n_periods + 1) + window
            partitions.insert(0, (joined, self.n_segments * (n_periods + 1), 0))
        return ends, partitions

    def ses(self) -> NDArray[np.float64]:
        """The design's SE of every row of every series, in points, in ``flat`` order.

        A domain's SE depends only on which rows are in it, so each partition of
        ``_partitions`` is one call of ``design_se``: ``rolling`` calls (twice with
        segments) cover every window.

        Returns:
            SE per (series, period), segments first and the overall series last,
            flattened; NaN where a row has no weight.
        """
        out = np.full((self.n_segments + 1, self.n_periods), np.nan)
        for offset in range(self.rolling):
            ends, partitions = self._partitions(offset)
            for codes, n_groups, first in partitions:
                se = domain_se(
                    self.design, self.scores, rows=self.kept, codes=codes, n_groups=n_groups
                )
                per_series = se.reshape(-1, self.n_periods + 1)[:, ends]
                out[first : first + len(per_series), ends] = per_series
        flat: NDArray[np.float64] = out.ravel()
        return flat

    def contrast_ses(self, reference: NDArray[np.intp]) -> NDArray[np.float64]:
        """SE of NPS(row) − NPS(its reference row) per row, in points, in ``flat`` order.

        ``reference[i]`` is the period whose row period ``i`` is compared with (−1: none),
        in the same series. The two rows are disjoint domains of one design, which the
        calibration correlates: the SE is that of the domain contrast (``design_se``
        with ``partner``; R ``svycontrast(svytotal(~ys + s + yr + r, d), quote(ys / s -
        yr / r))``). A reference in the same partition as its row (always without
        rolling, and for the previous window) is paired in the partition's one call;
        any other pair (a year-ago window ``rolling`` does not divide) gets a call of
        its own on just the two rows' answers.
        """
        n_periods, rolling = self.n_periods, self.rolling
        out = np.full((self.n_segments + 1, n_periods), np.nan)
        later = np.flatnonzero(reference >= 0)
        aligned = later[(later - reference[later]) % rolling == 0]
        for offset in range(rolling):
            _, partitions = self._partitions(offset)
            pick = aligned[aligned % rolling == offset]
            if not len(pick):
                continue
            for codes, n_groups, first in partitions:
                blocks = n_groups // (n_periods + 1)
                base = (np.arange(blocks, dtype=np.intp) * (n_periods + 1))[:, None]
                partner = np.full((blocks, n_periods + 1), -1, dtype=np.intp)
                partner[:, pick] = base + reference[pick][None, :]
                se = domain_se(
                    self.design,
                    self.scores,
                    rows=self.kept,
                    codes=codes,
                    n_groups=n_groups,
                    partner=partner.ravel(),
                )
                out[first : first + blocks, pick] = se.reshape(blocks, -1)[:, pick]
        for i in np.setdiff1d(later, aligned).tolist():
            for series in range(self.n_segments + 1):
                out[series, i] = self._pair_contrast(series, int(reference[i]), i)
        flat: NDArray[np.float64] = out.ravel()
        return flat

    def _pair_contrast(self, series: int, earlier: int, later: int) -> float:
        """SE of NPS(later window) − NPS(earlier window) of one series, on their answers."""
        n_rows = len(self.scores) if self.kept is None else len(self.kept)
        in_a = (self.periods > earlier - self.rolling) & (self.periods <= earlier)
        in_b = (self.periods > later - self.rolling) & (self.periods <= later)
        member = in_a | in_b
        if self.segments is not None and series < self.n_segments:
            member &= self.segments == series
        rows = np.zeros(n_rows, dtype=bool)
        rows[member if self.kept is None else np.flatnonzero(self.kept)[member]] = True
        se = domain_se(
            self.design,
            self.scores[member],
            rows=rows,
            codes=in_b[member].astype(np.intp),
            n_groups=2,
            domain="group_minus_rest",
        )
        return float(se[1])


def _units(ids: Factor) -> NDArray[np.int64]:
    """One integer per respondent; each answer without an id is its own respondent."""
    unit = ids.codes.astype(np.int64)
    if ids.levels and ids.levels[-1] == MISSING:
        unknown = unit == len(ids.levels) - 1
        unit[unknown] = len(ids.levels) + np.arange(int(unknown.sum()))
    return unit


def _respondents(
    *,
    unit: NDArray[np.int64],
    periods: NDArray[np.int64],
    labels: tuple[str, ...],
    scores: NDArray[np.integer],
    weights: NDArray[np.float64] | None,
    period_factor: Factor,
    weighted: bool,
    method: Method,
    confidence_level: float,
) -> tuple[RespondentRow, ...]:
    """First-time versus returning answers per base period, counted by the tally engine."""
    n_units = int(unit.max()) + 1 if len(unit) else 0
    first_seen = np.full(n_units, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_seen, unit, periods)
    returning = (periods > first_seen[unit]).astype(np.uint8)
    status = Factor(returning, ("first_time", "returning"), "status")
    counted = _dense_tally([period_factor, status], scores, weights)
    flat = counted.map(lambda a: a.reshape(-1, N_SCORES))
    est = _stats.estimate(flat, weighted=weighted, method=method, confidence_level=confidence_level)
    n = flat.count.sum(axis=1).reshape(-1, 2)
    weight = flat.sum_w.sum(axis=1).reshape(-1, 2)
    nps = est.nps.reshape(-1, 2)
    rows = []
    for i, label in enumerate(labels):
        total = float(weight[i].sum())
        share = float(weight[i, 0] / total) if total > 0 else None
        rows.append(
            RespondentRow(
                period=label,
                n_first_time=int(n[i, 0]),
                n_returning=int(n[i, 1]),
                first_time_share=share,
                first_time_nps=_none(float(nps[i, 0])) if n[i, 0] else None,
                returning_nps=_none(float(nps[i, 1])) if n[i, 1] else None,
                mostly_first_time=bool(i > 0 and share is not None and share > FIRST_TIME_LIMIT),
            )
        )
    return tuple(rows)


def _transitions(
    overlap: _Overlap,
    labels: tuple[str, ...],
    *,
    method: _stats.DifferenceMethod,
    confidence_level: float,
    correction: Correction,
) -> tuple[TransitionRow, ...]:
    """Category transitions of respondents in consecutive periods, with a paired test."""
    a, b = overlap.pairs(1)
    n_periods = len(labels)
    if n_periods < 2:  # noqa: PLR2004
        return ()
    index = overlap.period[a] * 9 + (overlap.last[a] + 1) * 3 + (overlap.last[b] + 1)
    matrix = np.bincount(index, minlength=n_periods * 9).reshape(n_periods, 3, 3)[:-1]
    # The panel's own tallies per category (unweighted: one answer per respondent).
    before = matrix.sum(axis=2)
    after = matrix.sum(axis=1)
    t_a = Tally(before, before.astype(np.float64), before.astype(np.float64))
    t_b = Tally(after, after.astype(np.float64), after.astype(np.float64))
    value = _stats.CATEGORY_VALUE
    m = matrix.astype(np.float64)
    cross = _stats.CrossSums(
        ss=np.einsum("pij,i,j->p", m, value, value),
        sw=np.einsum("pij,i->p", m, value),
        ws=np.einsum("pij,j->p", m, value),
        ww=m.sum(axis=(1, 2)),
        n=matrix.sum(axis=(1, 2)),
    )
    squares = value * value

    def own(margin: NDArray[np.int64]) -> _stats.OwnSums:
        m = margin.astype(np.float64)
        return _stats.OwnSums(m @ squares, m @ value, m.sum(axis=1))

    diff = _stats.difference(
        t_a,
        t_b,
        weighted=False,
        method=method,
        confidence_level=confidence_level,
        overlap=_stats.Overlap(cross, own(before), own(after)),
        reference="t",
    )
    nps_a = _stats.estimate(
        t_a, weighted=False, method="wald", confidence_level=confidence_level
    ).nps
    nps_b = _stats.estimate(
        t_b, weighted=False, method="wald", confidence_level=confidence_level
    ).nps
    tested = cross.n > 0
    p_adjusted = np.full(len(tested), np.nan)
    p_adjusted[tested] = _stats.adjust(diff.p_value[tested], correction)
    rows = []
    for i in range(n_periods - 1):
        size = int(cross.n[i])
        has = size > 0
        rows.append(
            TransitionRow(
                from_period=labels[i],
                to_period=labels[i + 1],
                n=size,
                matrix=tuple(tuple(int(x) for x in r) for r in matrix[i]),
                nps_from=float(nps_a[i]) if has else None,
                nps_to=float(nps_b[i]) if has else None,
                delta=float(diff.raw_delta[i]) if has else None,
                se=float(diff.se[i]) if has else None,
                df=float(diff.df[i]) if has else None,
                ci=(float(diff.lower[i]), float(diff.upper[i])) if has else None,
                p_value=float(diff.p_value[i]) if has else None,
                p_adjusted=float(p_adjusted[i]) if has else None,
            )
        )
    return tuple(rows)
