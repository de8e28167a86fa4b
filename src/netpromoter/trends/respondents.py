"""Repeat respondents: first-time versus returning answers, and category transitions.

With respondent ids, a trend splits each period's answers into first-time and returning
respondents, counts how the respondents who answered in two consecutive periods moved
between categories (with a paired test), and builds the per-respondent sums the paired
change test of every row uses ([`RespondentSums`][netpromoter.trends.overlap.RespondentSums]).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from netpromoter import _stats
from netpromoter._input.factors import Factor
from netpromoter._labels import MISSING
from netpromoter._scale import CATEGORY_VALUE, category_values
from netpromoter._tally import Tally
from netpromoter.exceptions import FirstTimeRespondentWarning
from netpromoter.trends.overlap import RespondentSums
from netpromoter.trends.rows import Method, RespondentRow, TransitionRow, none_if_nan

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._validation import Correction
    from netpromoter.trends.counts import Counts, Rows

#: A period whose weighted share of first-time respondents exceeds this is flagged.
FIRST_TIME_LIMIT = 0.5
#: Flagged periods named in the warning.
_SHOWN = 6


class Panel(NamedTuple):
    """What respondent ids add to a trend.

    Attributes:
        overall: Per-respondent sums of the overall series.
        segments: Per-respondent sums per segment (``None`` without ``by``).
        respondents: First-time versus returning answers per period.
        transitions: Category transitions between consecutive periods.
    """

    overall: RespondentSums
    segments: RespondentSums | None
    respondents: tuple[RespondentRow, ...]
    transitions: tuple[TransitionRow, ...]


def panel(
    counts: Counts,
    respondent: str,
    *,
    exponent: int,
    method: Method,
    test_method: _stats.DifferenceMethod,
    confidence_level: float,
    correction: Correction,
) -> Panel:
    """Respondents, transitions and paired sums of a trend's rows.

    Args:
        counts: The trend's tally and rows.
        respondent: The respondent id column.
        exponent: The tally's power of two, so the paired sums match its weight sums.
        method: The interval method of each period.
        test_method: The method of the paired tests.
        confidence_level: Two-sided confidence level.
        correction: Adjustment of the transitions' p-values.

    Warns:
        FirstTimeRespondentWarning: When a period after the first rests mostly on
            first-time respondents.
    """
    rows = counts.rows_for(f"respondent={respondent!r}")
    source = rows.source
    unit = units(source.factor(respondent))
    periods = rows.periods.astype(np.int64)
    labels = counts.periods.labels
    overall, segments = RespondentSums.build(
        units=unit,
        periods=periods,
        series=None if rows.segments is None else rows.segments.astype(np.int64),
        n_series=counts.n_segments,
        times=rows.local,
        s=category_values(source.scores),
        weights=None if source.weights is None else np.ldexp(source.weights, -exponent),
        n_periods=counts.periods.n_periods,
    )
    firsts = respondent_rows(
        rows,
        unit,
        labels,
        weighted=counts.weighted,
        method=method,
        confidence_level=confidence_level,
    )
    _warn_first_time(firsts)
    moves = transition_rows(
        overall,
        labels,
        method=test_method,
        confidence_level=confidence_level,
        correction=correction,
    )
    return Panel(overall, segments, firsts, moves)


def _warn_first_time(rows: tuple[RespondentRow, ...]) -> None:
    flagged = [r.period for r in rows if r.mostly_first_time]
    if flagged:
        shown = ", ".join(flagged[:_SHOWN]) + (
            f" and {len(flagged) - _SHOWN} more" if len(flagged) > _SHOWN else ""
        )
        warnings.warn(
            f"{len(flagged)} periods rest mostly on first-time respondents ({shown}): "
            "their change reflects a different sample more than changed opinions; "
            "see TrendResult.respondents",
            FirstTimeRespondentWarning,
            stacklevel=4,
        )


def units(ids: Factor) -> NDArray[np.int64]:
    """One integer per respondent; each answer without an id is its own respondent."""
    unit = ids.codes.astype(np.int64)
    if ids.levels and ids.levels[-1] == MISSING:
        unknown = unit == len(ids.levels) - 1
        unit[unknown] = len(ids.levels) + np.arange(int(unknown.sum()))
    return unit


def respondent_rows(
    rows: Rows,
    unit: NDArray[np.int64],
    labels: tuple[str, ...],
    *,
    weighted: bool,
    method: Method,
    confidence_level: float,
) -> tuple[RespondentRow, ...]:
    """First-time versus returning answers per period, counted by the tally engine."""
    periods = rows.periods.astype(np.int64)
    n_units = int(unit.max()) + 1 if len(unit) else 0
    first_seen = np.full(n_units, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_seen, unit, periods)
    returning = (periods > first_seen[unit]).astype(np.uint8)
    status = Factor(returning, ("first_time", "returning"), "status")
    flat = rows.source.tally([Factor(rows.periods, labels, "period"), status], dense=True)
    est = _stats.estimate(flat, weighted=weighted, method=method, confidence_level=confidence_level)
    n = flat.count.sum(axis=1).reshape(-1, 2)
    weight = flat.sum_w.sum(axis=1).reshape(-1, 2)
    nps = est.nps.reshape(-1, 2)
    out = []
    for i, label in enumerate(labels):
        total = float(weight[i].sum())
        share = float(weight[i, 0] / total) if total > 0 else None
        out.append(
            RespondentRow(
                period=label,
                n_first_time=int(n[i, 0]),
                n_returning=int(n[i, 1]),
                first_time_share=share,
                first_time_nps=none_if_nan(float(nps[i, 0])) if n[i, 0] else None,
                returning_nps=none_if_nan(float(nps[i, 1])) if n[i, 1] else None,
                mostly_first_time=bool(i > 0 and share is not None and share > FIRST_TIME_LIMIT),
            )
        )
    return tuple(out)


def transition_rows(
    overlap: RespondentSums,
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
    t_a = Tally.of_counts(before)
    t_b = Tally.of_counts(after)
    value = CATEGORY_VALUE
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
