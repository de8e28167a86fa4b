"""A calibrated design's SEs of every row of a trend and of every change."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from netpromoter._stats.cells import as_cells
from netpromoter._stats.design import Design, as_design, domain_se
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter.trends.counts import Counts


class DesignRows(NamedTuple):
    """The rows of a calibrated design, coded by period and segment, as ``trend`` saw them.

    Every row of the trend (a period, or a rolling window of periods, of one series) is
    a domain of the design, as R ``svyby(~I(promoter - detractor), ~period, d, svymean)``.

    Attributes:
        design: The design of the weighting result.
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
        ``_partitions`` is one call of ``domain_se``: ``rolling`` calls (twice with
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


def design_rows(weights: object, counts: Counts, rolling: int) -> DesignRows | None:
    """The rows of the design ``weights`` carries (a weighting result), else ``None``."""
    if as_cells(weights) is not None:
        msg = (
            "the calibration-aware SEs of a trend need the period of every weighted row, "
            "which a frame weighted per cell keeps on its engine: add the weights as a "
            "column with frame = result.apply(frame) and pass weights='weight' (plain "
            "weights), or collect the frame and weight it in memory"
        )
        raise InvalidParameterError(msg, name="weights", value=type(weights).__name__)
    design = as_design(weights)
    if design is None:
        return None
    rows = counts.rows_for("a weighting result as weights")
    return DesignRows(
        design,
        rows.source.scores,
        rows.source.kept,
        rows.periods.astype(np.intp),
        None if rows.segments is None else rows.segments.astype(np.intp),
        n_periods=counts.periods.n_periods,
        n_segments=counts.n_segments if counts.segments is not None else 0,
        rolling=rolling,
    )
