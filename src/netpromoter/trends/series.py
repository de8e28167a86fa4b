"""The rows of every series: one ``TrendRow`` per period, segments in display order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter import _stats
from netpromoter.trends.rows import ALL, TrendRow, interval_or_none, none_if_nan

if TYPE_CHECKING:
    from netpromoter._tally import Tally
    from netpromoter.trends.counts import Counts
    from netpromoter.trends.verdicts import Grid


def series_rows(
    counts: Counts,
    flat: Tally,
    estimate: _stats.Estimate,
    changes: Grid,
    *,
    rolling: int,
    min_n: int,
) -> tuple[tuple[TrendRow, ...], tuple[TrendRow, ...]]:
    """Every series' rows, and the overall series' rows.

    ``flat`` has one row per series × period (segments first, the overall series last),
    ``estimate`` its estimates. Segments come in display order (labels sorted,
    ``"(missing)"`` last); segments nobody in the trend belongs to are left out.

    Returns:
        The rows of every series (the overall one alone without ``by``), and the
        overall series.
    """
    spans, segments = counts.periods, counts.segments
    n_periods = spans.n_periods
    dates = spans.dates(rolling)
    n = flat.count.sum(axis=1)
    totals = _stats.by_category(flat.weight_sums())
    share = _stats.shares(flat)
    eff = _stats.effective_n(flat)
    n_keys = 0 if segments is None else len(segments.factors)
    keys = [] if segments is None else [segments.labels(g) for g in range(counts.n_segments)]
    series_keys = [*keys, (ALL,) * n_keys]

    def number(value: float) -> int | float:
        return float(value) if counts.weighted else int(value)

    def row(series: int, i: int) -> TrendRow:
        g = series * n_periods + i
        size = int(n[g])
        has = size > 0
        return TrendRow.model_construct(
            key=series_keys[series],
            period=spans.labels[i],
            start=dates[i][0],
            end=dates[i][1],
            n=size,
            detractors=number(totals[g, 0]),
            passives=number(totals[g, 1]),
            promoters=number(totals[g, 2]),
            detractor_share=float(share[g, 0]) if has else None,
            passive_share=float(share[g, 1]) if has else None,
            promoter_share=float(share[g, 2]) if has else None,
            nps=none_if_nan(float(estimate.nps[g])) if has else None,
            se=none_if_nan(float(estimate.se[g])) if has else None,
            ci=interval_or_none(float(estimate.lower[g]), float(estimate.upper[g]))
            if has
            else None,
            effective_n=float(eff[g]) if has else 0.0,
            small_sample=size < min_n,
            vs_previous=changes["previous"][series][i],
            vs_year_ago=changes["year"][series][i],
        )

    rows = [[row(s, i) for i in range(n_periods)] for s in range(len(series_keys))]
    overall = tuple(rows[-1])
    if segments is None:
        return overall, overall
    ranks = [f.ranks() for f in segments.factors]
    display = sorted(
        range(counts.n_segments),
        key=lambda g: tuple(int(r[c]) for r, c in zip(ranks, segments.key_codes[g], strict=True)),
    )
    present = [rows[g] for g in display if any(x.n for x in rows[g])]
    return tuple(x for r in present for x in r), overall
