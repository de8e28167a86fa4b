"""The result of a key-driver analysis: one row per aspect."""

from __future__ import annotations

from typing import ClassVar

from netpromoter._model import Model
from netpromoter._results import Column, TableResult, TableView
from netpromoter._results import format as fmt
from netpromoter.drivers.fields import QUADRANTS, Interval, Method, Quadrant
from netpromoter.exceptions import NotFoundError

#: Interval fields and the prefix of their ``_lower`` / ``_upper`` columns.
INTERVALS = {
    name: name
    for name in (
        "scale",
        "performance_ci",
        "pearson_ci",
        "spearman_ci",
        "nps_low_ci",
        "nps_high_ci",
        "nps_gap_ci",
        "importance_ci",
        "importance_share_ci",
        "rank_ci",
    )
}


def _rank(row: DriverRow) -> str:
    if row.rank is None:
        return ""
    shown = "" if row.rank_ci is None else f" ({row.rank_ci[0]}–{row.rank_ci[1]})"
    return f"{row.rank}{shown}"


def _percent(value: float | None) -> str:
    return fmt.share(value, 0)


class DriverRow(Model):
    """One aspect in a key-driver analysis.

    Attributes:
        aspect: The aspect's name.
        n: Respondents who rated the aspect (pairs used for its correlations).
        n_missing: Respondents who did not rate it.
        scale: The rating scale ``(lowest, highest)``: as given, or the lowest and highest
            rating observed (``None`` when there are no ratings).
        mean: Mean rating.
        performance: Mean rating on a 0..1 scale: ``(mean - lowest) / (highest - lowest)``.
        performance_ci: Its confidence interval: the t interval of the mean rating
            (``mean ± t · sd / sqrt(n)``) on the same 0..1 scale.
        pearson: Pearson correlation with the recommend score (pairwise complete).
        pearson_ci: Its Fisher-z confidence interval.
        spearman: Spearman rank correlation with the recommend score.
        spearman_ci: Its Fisher-z confidence interval (Fieller's variance 1.06 / (n - 3)).
        n_low: Respondents who rated the aspect low: below the middle of the scale.
        nps_low: NPS of those respondents.
        nps_low_ci: Its confidence interval.
        n_high: Respondents who rated the aspect high: above the middle of the scale.
        nps_high: NPS of those respondents.
        nps_high_ci: Its confidence interval.
        nps_gap: ``nps_high - nps_low``, in points.
        nps_gap_ci: Its confidence interval (independent samples,
            ``sqrt(se_low² + se_high²)``, centred on the method's estimate; under
            ``method="score"``, which is one-sample only, the adjusted Wald difference).
        importance: Johnson's relative weight: the part of the model's R² attributed to
            the aspect (``None`` when the aspect is not in the model, see ``flag``).
        importance_share: ``importance / R²``, 0..1; the shares of the model add up to 1.
        importance_ci: Bootstrap percentile interval of ``importance``: approximate (a
            percentile bootstrap of a weight bounded by 0 is not exact; near 0 or for
            few respondents it can miss on either side).
        importance_share_ci: Bootstrap percentile interval of ``importance_share``,
            equally approximate.
        rank: Rank by importance, 1 = most important.
        rank_ci: Bootstrap percentile interval of the rank (approximate).
        quadrant: Importance × performance: ``"fix first"`` (importance share above the
            average, performance below the average of the model's aspects),
            ``"keep up"`` (both above), ``"low priority"`` (both below) or
            ``"possible overkill"`` (importance below, performance above).
        quadrant_note: Why the quadrant is not settled, when it is not: the importance
            share's interval holds the average share, or the performance's interval
            holds the average performance (the aspect could lie on the other side of
            that line); ``None`` when both intervals are clear of the averages.
        flag: Why the aspect is left out of the model or has no interval, if it is.
    """

    aspect: str
    n: int
    n_missing: int
    scale: tuple[float, float] | None
    mean: float | None
    performance: float | None
    performance_ci: Interval | None = None
    pearson: float | None
    pearson_ci: Interval | None
    spearman: float | None
    spearman_ci: Interval | None
    n_low: int
    nps_low: float | None
    nps_low_ci: Interval | None
    n_high: int
    nps_high: float | None
    nps_high_ci: Interval | None
    nps_gap: float | None
    nps_gap_ci: Interval | None
    importance: float | None
    importance_share: float | None
    importance_ci: Interval | None
    importance_share_ci: Interval | None
    rank: int | None
    rank_ci: tuple[int, int] | None
    quadrant: Quadrant | None
    quadrant_note: str | None = None
    flag: str | None


class KeyDriverResult(TableResult[DriverRow]):
    """What moves NPS: one row per aspect, ranked by relative importance.

    Attributes:
        rows: The aspects, model aspects by decreasing importance, then flagged ones.
        n: Respondents with a valid recommend score.
        n_missing: Respondents whose missing score was dropped (``missing="drop"``).
        n_complete: Respondents who rated every aspect in the model: the rows the
            relative weights use (listwise).
        n_incomplete: Respondents left out of the relative weights because they did not
            rate at least one aspect in the model (they still count in the correlations
            and low/high NPS of the aspects they rated).
        r_squared: R² of the linear regression of the score on the model's aspects.
        r_squared_ci: Its bootstrap percentile interval.
        confidence_level: Confidence level of every interval.
        method: Interval method of the low/high NPS.
        n_resamples: Bootstrap replicates.
        seed: Seed of the bootstrap's random generator.
        n_failed_resamples: Replicates without weights (a resample in which an aspect
            was constant), left out of the bootstrap intervals.
        notes: How the numbers were computed, in words.
    """

    CSS: ClassVar[str] = "netpromoter-drivers"
    INTERVALS: ClassVar[dict[str, str]] = INTERVALS
    COLUMNS: ClassVar[tuple[Column[DriverRow], ...]] = (
        Column("Rank (interval)", _rank),
        Column("Aspect", lambda r: r.aspect, numeric=False),
        Column("Importance (share of R²)", lambda r: _percent(r.importance_share)),
        Column(
            "interval (approximate, bootstrap)",
            lambda r: fmt.between(r.importance_share_ci, _percent),
        ),
        Column("Pearson r", lambda r: fmt.number(r.pearson, 2)),
        Column("Spearman ρ", lambda r: fmt.number(r.spearman, 2)),
        Column("NPS low", lambda r: fmt.signed(r.nps_low)),
        Column("NPS high", lambda r: fmt.signed(r.nps_high)),
        Column("Performance", lambda r: _percent(r.performance)),
        Column(
            "Quadrant",
            lambda r: (r.quadrant or "") + ("" if r.quadrant_note is None else " (unsettled)"),
            numeric=False,
        ),
        Column("n", lambda r: fmt.count(r.n)),
        Column(
            "Note", lambda r: "; ".join(x for x in (r.flag, r.quadrant_note) if x), numeric=False
        ),
    )

    n: int
    n_missing: int
    n_complete: int
    n_incomplete: int
    r_squared: float
    r_squared_ci: Interval | None
    confidence_level: float
    method: Method
    n_resamples: int
    seed: int
    n_failed_resamples: int
    notes: tuple[str, ...]

    def __getitem__(self, aspect: str) -> DriverRow:  # type: ignore[override]
        """The row of one aspect."""
        for row in self.rows:
            if row.aspect == aspect:
                return row
        raise NotFoundError("aspect", aspect, [r.aspect for r in self.rows])

    def fix_first(self) -> tuple[str, ...]:
        """The aspects that are important and poorly rated, most important first."""
        return tuple(r.aspect for r in self.rows if r.quadrant == "fix first")

    def importance_performance(self) -> dict[Quadrant, tuple[str, ...]]:
        """The importance × performance table: the aspects in each quadrant."""
        return {q: tuple(r.aspect for r in self.rows if r.quadrant == q) for q in QUADRANTS}

    def _caption(self) -> str:
        ranked = ", ".join(
            f"{r.aspect} {r.importance_share:.0%}"
            for r in self.rows
            if r.importance_share is not None
        )
        return f"R²={self.r_squared:.3f}, n_complete={self.n_complete:,}, importance: {ranked}"

    def _view(self) -> TableView:
        view = super()._view()
        level = f"{self.confidence_level:.0%} interval (approximate, bootstrap)"
        header = [level if h.startswith("interval") else h for h in view.header]
        notes = [f"R² = {self.r_squared:.3f}; importance is the share of R².", *self.notes]
        return TableView(header, view.rows, view.caption, view.footer, view.numeric, notes)
