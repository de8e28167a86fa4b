"""A calibrated design's SEs of every row of a trend and of every change.

In memory the units are the rows: each has its period and segment, and ``domain_se``
sums their influence values. A lazy frame weighted per cell keeps its rows on the
engine; its units are the trend's groups (period × segment), each with the engine's
counts per cell and category, and ``cell_se`` computes the same SE from those sums
(see [`netpromoter._stats.cells`][netpromoter._stats.cells]): a domain (a period, a
rolling window, with its segment) is a union of units either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from netpromoter._input.cells import regroup_cells
from netpromoter._stats.cells import CellCounts, CellDesign, as_cells, cell_se
from netpromoter._stats.design import Design, Domains, as_design, domain_se
from netpromoter.exceptions import InvalidWeightsError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._stats.design import Domain
    from netpromoter.trends.counts import Counts


@dataclass(frozen=True)
class Units:
    """The units whose unions are the domains of a trend, and the design's SE of those.

    In memory the units are the rows (``scores``, ``kept``) of a design with a weight
    per row; for a lazy frame weighted per cell, the groups of the trend's tally
    (``counts``: the engine's counts per group, cell and category).

    Attributes:
        design: The design of the weighting result.
        scores: Validated scores of the rows used (in memory).
        kept: Which input rows the scores belong to (``None``: all).
        counts: The engine's counts per (group, cell, category) (a lazy frame).
    """

    design: Design | CellDesign
    scores: NDArray[np.integer] | None = None
    kept: NDArray[np.bool_] | None = None
    counts: CellCounts | None = None

    def se(
        self,
        codes: NDArray[np.intp],
        n_groups: int,
        *,
        member: NDArray[np.bool_] | None = None,
        domain: Domain = "group",
        partner: NDArray[np.intp] | None = None,
    ) -> NDArray[np.float64]:
        """SE per group of the units grouped by ``codes``; units outside ``member`` in none.

        ``cell_se`` of the engine's counts added per group, or ``domain_se`` of the rows.
        """
        if isinstance(self.design, CellDesign) and self.counts is not None:
            counts = regroup_cells(self.counts, codes, n_groups, member)
            return cell_se(self.design, counts, domain=domain, partner=partner)
        if not isinstance(self.design, Design) or self.scores is None:  # pragma: no cover
            raise AssertionError  # design_rows pairs a Design with rows, cells with counts
        scores, rows = self.scores, self.kept
        if member is not None:
            inside = np.zeros(len(scores) if rows is None else len(rows), dtype=bool)
            inside[member if rows is None else np.flatnonzero(rows)[member]] = True
            scores, codes, rows = scores[member], codes[member], inside
        return domain_se(self.design, Domains(scores, rows, codes, n_groups, domain, partner))


class DesignRows(NamedTuple):
    """The units of a calibrated design, coded by period and segment, as ``trend`` saw them.

    Every row of the trend (a period, or a rolling window of periods, of one series) is
    a domain of the design, as R ``svyby(~I(promoter - detractor), ~period, d, svymean)``.

    Attributes:
        units: The units and the design's SE of their unions.
        periods: Period code per unit, ``0..n_periods-1``.
        segments: Segment code per unit, or ``None`` without ``by``.
        n_periods: Number of periods.
        n_segments: Number of segments (0 without ``by``).
        rolling: Number of periods pooled per row.
    """

    units: Units
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

        A domain's SE depends only on which units are in it, so each partition of
        ``_partitions`` is one call of the design's SE: ``rolling`` calls (twice with
        segments) cover every window.

        Returns:
            SE per (series, period), segments first and the overall series last,
            flattened; NaN where a row has no weight.
        """
        out = np.full((self.n_segments + 1, self.n_periods), np.nan)
        for offset in range(self.rolling):
            ends, partitions = self._partitions(offset)
            for codes, n_groups, first in partitions:
                se = self.units.se(codes, n_groups)
                per_series = se.reshape(-1, self.n_periods + 1)[:, ends]
                out[first : first + len(per_series), ends] = per_series
        flat: NDArray[np.float64] = out.ravel()
        return flat

    def contrast_ses(self, reference: NDArray[np.intp]) -> NDArray[np.float64]:
        """SE of NPS(row) − NPS(its reference row) per row, in points, in ``flat`` order.

        ``reference[i]`` is the period whose row period ``i`` is compared with (−1: none),
        in the same series. The two rows are disjoint domains of one design, which the
        calibration correlates: the SE is that of the domain contrast (``domain_se``
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
                se = self.units.se(codes, n_groups, partner=partner.ravel())
                out[first : first + blocks, pick] = se.reshape(blocks, -1)[:, pick]
        for i in np.setdiff1d(later, aligned).tolist():
            for series in range(self.n_segments + 1):
                out[series, i] = self._pair_contrast(series, int(reference[i]), i)
        flat: NDArray[np.float64] = out.ravel()
        return flat

    def _pair_contrast(self, series: int, earlier: int, later: int) -> float:
        """SE of NPS(later window) − NPS(earlier window) of one series, on their answers."""
        in_a = (self.periods > earlier - self.rolling) & (self.periods <= earlier)
        in_b = (self.periods > later - self.rolling) & (self.periods <= later)
        member = in_a | in_b
        if self.segments is not None and series < self.n_segments:
            member &= self.segments == series
        se = self.units.se(in_b.astype(np.intp), 2, member=member, domain="group_minus_rest")
        return float(se[1])


def design_rows(weights: object, counts: Counts, rolling: int) -> DesignRows | None:
    """The units of the design ``weights`` carries (a weighting result), else ``None``.

    In memory the units are the rows; for a lazy frame weighted per cell, the groups of
    ``counts.base`` (period major, then segment), with the engine's per-cell counts.
    """
    n_periods = counts.periods.n_periods
    n_segments = counts.n_segments if counts.segments is not None else 0
    cells = as_cells(weights)
    if cells is not None:
        if counts.cells is None:  # pragma: no cover - prepare refuses them for other data
            msg = "weights set per cell apply to the lazy frame that was weighted"
            raise InvalidWeightsError(msg)
        units = np.arange(len(counts.base.count), dtype=np.intp)
        return DesignRows(
            Units(cells, counts=counts.cells),
            units // max(n_segments, 1),
            None if counts.segments is None else units % n_segments,
            n_periods=n_periods,
            n_segments=n_segments,
            rolling=rolling,
        )
    design = as_design(weights)
    if design is None:
        return None
    rows = counts.rows_for("a weighting result as weights")
    return DesignRows(
        Units(design, rows.source.scores, rows.source.kept),
        rows.periods.astype(np.intp),
        None if rows.segments is None else rows.segments.astype(np.intp),
        n_periods=n_periods,
        n_segments=n_segments,
        rolling=rolling,
    )
