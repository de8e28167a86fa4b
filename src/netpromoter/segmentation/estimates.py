"""Every statistic of a segment table, vectorised over the segments, from its tally.

The tally's groups are the segments (labelled, in display order); each is tested against
its complement, "the rest" ([`Tally.complement`][netpromoter._tally.Tally.complement]).
With a calibrated design, every SE comes from the statistics layer's
[`domain_se`][netpromoter._stats.design.domain_se] on the rows behind the tally (for a
lazy frame weighted per cell, [`cell_se`][netpromoter._stats.cells.cell_se] on the
engine's per-cell counts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

import numpy as np

from netpromoter import _stats
from netpromoter._results import ConfidenceInterval
from netpromoter._stats.cells import CellCounts, CellDesign, cell_se
from netpromoter._stats.design import Design, Domains, domain_se
from netpromoter.exceptions import EmptyDataError, InvalidWeightsError
from netpromoter.segmentation.rows import ALL, Correction, HomogeneityTest, SegmentRow, _trusted

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray

    from netpromoter._stats.design import Domain
    from netpromoter._tally import Tally


class DesignSE(NamedTuple):
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


def design_ses(
    design: Design,
    scores: NDArray[np.integer],
    kept: NDArray[np.bool_] | None,
    codes: NDArray[np.intp],
    n_segments: int,
) -> DesignSE:
    """The design's domain SEs of every segment, of every segment's rest, and overall.

    ``codes`` places each row used in its segment (see ``EagerSource.codes``); ``kept``
    says which rows of the design's sample those are.
    """

    def se_of(
        domain: Domain = "group",
        partner: NDArray[np.intp] | None = None,
    ) -> NDArray[np.float64]:
        return domain_se(design, Domains(scores, kept, codes, n_segments, domain, partner))

    return domain_ses(se_of, domain_se(design, Domains(scores, kept)), n_segments)


def cell_design_ses(design: CellDesign, counts: CellCounts) -> DesignSE:
    """``design_ses`` of a lazy frame's cell design, from the engine's per-cell counts."""

    def se_of(
        domain: Domain = "group",
        partner: NDArray[np.intp] | None = None,
    ) -> NDArray[np.float64]:
        return cell_se(design, counts, domain=domain, partner=partner)

    overall = cell_se(design, counts.merged())
    return domain_ses(se_of, overall, counts.count.shape[0])


def domain_ses(
    se_of: Callable[[Domain, NDArray[np.intp] | None], NDArray[np.float64]],
    overall: NDArray[np.float64],
    n_segments: int,
) -> DesignSE:
    """Every segment's SE, its rest's, their covariance and the pairs' covariance matrix.

    ``se_of(domain, partner)`` is the design's domain SE of the segments.
    """
    segments = se_of("group", None)
    rest, contrast = se_of("rest", None), se_of("group_minus_rest", None)
    # Every pair (g, g + k mod G): one call per shift k pairs each segment with another.
    variance = segments * segments
    matrix = np.diag(variance)
    own = np.arange(n_segments)
    for shift in range(1, n_segments):
        partner = (own + shift) % n_segments
        pair = se_of("group", partner)
        matrix[own, partner] = (variance + variance[partner] - pair * pair) / 2.0
    return DesignSE(
        segments=segments,
        rest=rest,
        covariance=(segments * segments + rest * rest - contrast * contrast) / 2.0,
        overall=overall,
        matrix=(matrix + matrix.T) / 2.0,
    )


class Table(NamedTuple):
    """The statistics of a segment table: its rows, the overall row and the omnibus test."""

    rows: tuple[SegmentRow, ...]
    overall: SegmentRow
    homogeneity: HomogeneityTest | None


class Settings(TypedDict):
    """The options of a segment table: computed with them, and shown by its result."""

    min_n: int
    method: _stats.Method
    confidence_level: float
    correction: Correction


def table(
    counted: Tally,
    *,
    min_n: int,
    method: _stats.Method,
    confidence_level: float,
    correction: Correction,
    design: DesignSE | None = None,
) -> Table:
    """Every statistic of the segment table of ``counted`` (one labelled group a segment).

    With ``design`` (a calibrated design's SEs), every SE, interval and test uses them.

    Raises:
        EmptyDataError: When nothing was counted.
        InvalidWeightsError: When every weight is zero.
    """
    weighted = counted.weighted
    total = counted.total()
    n_total = total.n
    if n_total == 0:
        n_missing = counted.n_missing
        detail = f" (all {n_missing} scores were missing)" if n_missing else ""
        msg = f"no scores to segment{detail}; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    if weighted and total.sum_w.sum() <= 0:
        msg = f"all {n_total} weights are zero; at least one weight must be positive"
        raise InvalidWeightsError(msg)
    options: dict[str, Any] = {"weighted": weighted, "confidence_level": confidence_level}
    est = _stats.estimate(
        counted, method=method, design_se=None if design is None else design.segments, **options
    )
    whole = _stats.estimate(
        total, method=method, design_se=None if design is None else design.overall, **options
    )
    diff = _stats.difference(
        counted.complement(),
        counted,
        method=_stats.difference_method(method),
        design_se=None if design is None else (design.rest, design.segments),
        covariance=None if design is None else design.covariance,
        **options,
    )
    p_adjusted = _stats.adjust(diff.p_value, correction)
    tests = (est.nps - float(whole.nps[0]), diff.raw_delta, diff.p_value, p_adjusted)
    levels = counted.labels or ()
    rows = _rows(counted, est, levels, min_n=min_n, tests=tests)
    (overall,) = _rows(total, whole, [(ALL,) * len(counted.by)], min_n=min_n)
    return Table(tuple(rows), overall, _homogeneity(counted, est, design))


def _homogeneity(
    counted: Tally, est: _stats.Estimate, design: DesignSE | None
) -> HomogeneityTest | None:
    """The omnibus test over the segments with a defined NPS (None for fewer than two)."""
    variance = _stats.domain_variance(counted) if design is None else np.diag(design.matrix)
    keep = np.flatnonzero(~np.isnan(est.nps) & ~np.isnan(variance))
    if len(keep) < 2:  # noqa: PLR2004 - a comparison needs two segments
        return None
    covariance = variance[keep] if design is None else design.matrix[np.ix_(keep, keep)]
    working = counted.sum_w.sum(axis=1)[keep]
    test = _stats.rao_scott_homogeneity(est.nps[keep], covariance, working, counted.n - len(keep))
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
    tests: tuple[NDArray[np.float64], ...] | None = None,
) -> list[SegmentRow]:
    """Rows from per-group arrays (built without re-validation: the arrays are ours)."""
    n = counted.count.sum(axis=1)
    totals = _stats.by_category(counted.weight_sums())
    if not counted.weighted:
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
                "n": size,
                "detractors": t_d,
                "passives": t_n,
                "promoters": t_p,
                "detractor_share": s_d,
                "passive_share": s_n,
                "promoter_share": s_p,
                "nps": nps,
                "se": se,
                "ci": ConfidenceInterval(lo, hi),
                "effective_n": e,
                "key": key,
                "small_sample": size < min_n,
                "vs_overall": vo,
                "vs_rest": vr,
                "p_value": p,
                "p_adjusted": pa,
            },
        )
        for key, size, t_d, t_n, t_p, s_d, s_n, s_p, nps, se, lo, hi, e, vo, vr, p, pa in columns
    ]
