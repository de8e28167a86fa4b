"""Every statistic of a segment table, vectorised over the segments, from its tally."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

from netpromoter import _stats
from netpromoter._stats.design import Design, domain_se
from netpromoter.segmentation.rows import HomogeneityTest, SegmentRow, _trusted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from netpromoter._input.factors import Grouping
    from netpromoter._tally import Tally


class _RowCodes(NamedTuple):
    """The rows behind a segment table, as a design's SE needs them."""

    scores: NDArray[np.integer]
    kept: NDArray[np.bool_] | None
    grouping: Grouping
    present: NDArray[np.intp]

    def codes(self) -> NDArray[np.intp]:
        """Each kept row's segment position (one integer per row: built on demand)."""
        return _positions(self.grouping, self.present)


def _positions(grouping: Grouping, present: NDArray[np.intp]) -> NDArray[np.intp]:
    """Each row's segment position in ``present`` (the tally engine's mixed-radix code)."""
    position = np.full(grouping.n_groups, -1, dtype=np.intp)
    position[present] = np.arange(len(present))
    out: NDArray[np.intp] = position[grouping.group_codes()]
    return out


class _DesignSE(NamedTuple):
    """A calibrated design's SEs in points: per segment, of its rest, and overall.

    ``covariance`` is ``Cov(NPS_rest, NPS_segment)`` per segment (points²), from the SE
    of their difference: ``(se_segment² + se_rest² − se_difference²) / 2``; ``matrix``
    is the covariance matrix of the segments' NPS, the same way from the SE of every
    pair's difference.
    """

    segments: NDArray[np.float64]
    rest: NDArray[np.float64]
    covariance: NDArray[np.float64]
    overall: NDArray[np.float64]
    matrix: NDArray[np.float64]


def _design_ses(design: Design, rows: _RowCodes, n_segments: int) -> _DesignSE:
    """The design's domain SEs of every segment, of every segment's rest, and overall."""
    codes = rows.codes()

    def se_of(domain: Literal["group", "rest", "group_minus_rest"]) -> NDArray[np.float64]:
        return domain_se(
            design, rows.scores, rows=rows.kept, codes=codes, n_groups=n_segments, domain=domain
        )

    segments, rest, contrast = se_of("group"), se_of("rest"), se_of("group_minus_rest")
    # Every pair (g, g + k mod G): one call per shift k pairs each segment with another.
    variance = segments * segments
    matrix = np.diag(variance)
    own = np.arange(n_segments)
    for shift in range(1, n_segments):
        partner = (own + shift) % n_segments
        pair = domain_se(
            design, rows.scores, rows=rows.kept, codes=codes, n_groups=n_segments, partner=partner
        )
        matrix[own, partner] = (variance + variance[partner] - pair * pair) / 2.0
    return _DesignSE(
        segments=segments,
        rest=rest,
        covariance=(segments * segments + rest * rest - contrast * contrast) / 2.0,
        overall=domain_se(design, rows.scores, rows=rows.kept),
        matrix=(matrix + matrix.T) / 2.0,
    )


def _homogeneity(
    counted: Tally, est: _stats.Estimate, design: _DesignSE | None
) -> HomogeneityTest | None:
    """The omnibus test over the segments with a defined NPS (None for fewer than two)."""
    variance = _stats.domain_variance(counted) if design is None else np.diag(design.matrix)
    keep = np.flatnonzero(~np.isnan(est.nps) & ~np.isnan(variance))
    if len(keep) < 2:  # noqa: PLR2004 - a comparison needs two segments
        return None
    covariance = variance[keep] if design is None else design.matrix[np.ix_(keep, keep)]
    working = counted.sum_w.sum(axis=1)[keep]
    n = float(counted.count.sum())
    test = _stats.rao_scott_homogeneity(est.nps[keep], covariance, working, n - len(keep))
    return HomogeneityTest(
        statistic=test.statistic,
        df=test.df,
        df_denominator=test.df_denominator,
        p_value=test.p_value,
        segments=len(keep),
        design="linearisation" if design is None else "calibrated",
    )


def _rows(
    counted: Tally,
    est: _stats.Estimate,
    levels: Sequence[tuple[Any, ...]],
    *,
    min_n: int,
    weighted: bool,
    tests: tuple[NDArray[np.float64], ...] | None = None,
) -> list[SegmentRow]:
    """Rows from per-group arrays (built without re-validation: the arrays are ours)."""
    n = counted.count.sum(axis=1)
    totals = _stats.by_category(counted.weight_sums())
    if not weighted:
        totals = totals.astype(np.int64)
    share = _stats.shares(counted)
    eff = _stats.effective_n(counted)
    none = [None] * len(n)
    vs_overall, vs_rest, p_value, p_adjusted = (
        [a.tolist() for a in tests] if tests is not None else [none] * 4
    )
    columns = zip(
        levels,
        n.tolist(),
        totals[:, 0].tolist(),
        totals[:, 1].tolist(),
        totals[:, 2].tolist(),
        share[:, 0].tolist(),
        share[:, 1].tolist(),
        share[:, 2].tolist(),
        est.nps.tolist(),
        est.se.tolist(),
        est.lower.tolist(),
        est.upper.tolist(),
        eff.tolist(),
        vs_overall,
        vs_rest,
        p_value,
        p_adjusted,
        strict=True,
    )
    return [
        _trusted(
            SegmentRow,
            {
                "key": key,
                "n": size,
                "detractors": t_d,
                "passives": t_n,
                "promoters": t_p,
                "detractor_share": s_d,
                "passive_share": s_n,
                "promoter_share": s_p,
                "nps": nps,
                "se": se,
                "ci": (lo, hi),
                "effective_n": e,
                "small_sample": size < min_n,
                "vs_overall": vo,
                "vs_rest": vr,
                "p_value": p,
                "p_adjusted": pa,
            },
        )
        for key, size, t_d, t_n, t_p, s_d, s_n, s_p, nps, se, lo, hi, e, vo, vr, p, pa in columns
    ]
