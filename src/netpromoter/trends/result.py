"""The trend's result: every series' rows, with conversions, lookups and rendering."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ConfigDict

from netpromoter import _stats, _svg
from netpromoter._model import Model
from netpromoter._tables import format_p, html_table, text_table
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
from netpromoter.trends.decomposition import DecompositionResult, DecompositionRow
from netpromoter.trends.rows import (
    ALL,
    Change,
    Method,
    RespondentRow,
    TransitionRow,
    TrendRow,
    _fmt,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


_REPR_ROWS = 24


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


def _check_labels_given(**labels: object) -> None:
    """Period labels given as arguments must be text (or ``None``: the default)."""
    for name, value in labels.items():
        if value is not None:
            check_type(value, name, str, "a period label such as '2026-01'")
