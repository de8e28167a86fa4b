"""The trend's result: every series' rows, with conversions, lookups and rendering."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from netpromoter import _svg
from netpromoter._results import Column, TableResult, flatten, frame_records
from netpromoter._results import format as fmt
from netpromoter._results.chart import Chart
from netpromoter._validation import (
    Correction,
    check_flag,
    check_int,
    check_type,
)
from netpromoter.exceptions import (
    InvalidParameterError,
    NotFoundError,
)
from netpromoter.trends.decomposition import DecompositionResult, decompose
from netpromoter.trends.rows import (
    ALL,
    Change,
    Method,
    RespondentRow,
    TransitionRow,
    TrendRow,
)

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

#: The changes a row carries, each flattened into columns with its name as prefix.
_CHANGES = ("vs_previous", "vs_year_ago")


def _change_record(prefix: str, change: Change | None) -> dict[str, Any]:
    """A change as flat columns named ``<prefix>_<field>`` (all ``None`` without one)."""
    fields = dict.fromkeys(Change.model_fields) if change is None else change.model_dump()
    return {f"{prefix}_{name}": value for name, value in flatten(fields, {"ci": "ci"}).items()}


class _NoChange(NamedTuple):
    """The cells of a row without a change (the first period): all blank."""

    delta: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    verdict: str | None = None


def _previous(row: TrendRow) -> Change | _NoChange:
    return _NoChange() if row.vs_previous is None else row.vs_previous


class TrendResult(TableResult[TrendRow]):
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

    COLUMNS: ClassVar[tuple[Column[TrendRow], ...]] = (
        Column("period", lambda r: r.period, numeric=False),
        Column("n", lambda r: fmt.count(r.n)),
        Column("nps", lambda r: fmt.signed(r.nps)),
        Column("ci", lambda r: fmt.interval(r.ci)),
        Column("vs_previous", lambda r: fmt.signed(_previous(r).delta)),
        Column("p", lambda r: fmt.p_value(_previous(r).p_value)),
        Column("p_adjusted", lambda r: fmt.p_value(_previous(r).p_adjusted)),
        Column("verdict", lambda r: fmt.label(_previous(r).verdict), numeric=False),
        Column("small", lambda r: fmt.flag(r.small_sample, "small"), numeric=False),
    )

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

    def _record(self, row: TrendRow) -> dict[str, Any]:
        """Key columns, period, statistics, then each change flattened behind its prefix."""
        out = super()._record(row)
        for name in _CHANGES:
            del out[name]
            out.update(_change_record(name, getattr(row, name)))
        return out

    def to_dicts(self, *, overall: bool = False) -> list[dict[str, Any]]:
        """One flat dictionary per row: key columns, period, statistics, then changes.

        Args:
            overall: With ``by``, append the overall series (keys ``"(all)"``).
        """
        rows = list(self.rows)
        if check_flag(overall, "overall") and self.by:
            rows += self.overall
        return [self._record(r) for r in rows]

    def to_pandas(self, *, overall: bool = False) -> pd.DataFrame:
        """The rows as a pandas DataFrame (needs pandas)."""
        frame: pd.DataFrame = frame_records(self.to_dicts(overall=overall), "pandas")
        return frame

    def to_polars(self, *, overall: bool = False) -> pl.DataFrame:
        """The rows as a polars DataFrame (needs polars)."""
        frame: pl.DataFrame = frame_records(self.to_dicts(overall=overall), "polars")
        return frame

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
            >>> from netpromoter.trends import trend
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

        return decompose(self.by, keys, (start, end), before, after)

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

    def plot(self, *, segments: bool = True) -> Chart:
        """The NPS per period as a line with its confidence band (see ``to_svg``).

        Args:
            segments: With ``by``, one line per segment (at most 7) instead of the
                overall series.
        """
        return Chart(self.to_svg(segments=segments))

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

    def _repr_html_(self) -> str:
        table = super()._repr_html_()
        return f"<div class='netpromoter-trend'>{self.to_svg()}{table}</div>"


def _check_labels_given(**labels: object) -> None:
    """Period labels given as arguments must be text (or ``None``: the default)."""
    for name, value in labels.items():
        if value is not None:
            check_type(value, name, str, "a period label such as '2026-01'")
