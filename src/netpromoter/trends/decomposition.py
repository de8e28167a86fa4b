"""A change of the overall NPS split into segment mix and within-segment change."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from netpromoter import _stats
from netpromoter._model import Model
from netpromoter._results import Column, TableResult
from netpromoter._results import format as fmt

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from netpromoter.trends.rows import TrendRow


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

    key: tuple[Any, ...]
    share_from: float
    share_to: float
    nps_from: float | None
    nps_to: float | None
    mix: float
    within: float
    total: float


class DecompositionResult(TableResult[DecompositionRow]):
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

    by: tuple[str, ...]
    from_period: str
    to_period: str
    nps_from: float
    nps_to: float
    change: float
    mix: float
    within: float
    rows: tuple[DecompositionRow, ...]

    COLUMNS: ClassVar[tuple[Column[DecompositionRow], ...]] = (
        Column("share_from", lambda r: fmt.share(r.share_from)),
        Column("share_to", lambda r: fmt.share(r.share_to)),
        Column("nps_from", lambda r: fmt.signed(r.nps_from)),
        Column("nps_to", lambda r: fmt.signed(r.nps_to)),
        Column("mix", lambda r: fmt.signed(r.mix, 2)),
        Column("within", lambda r: fmt.signed(r.within, 2)),
    )
    INTERVALS: ClassVar[Mapping[str, str]] = {}

    def _caption(self) -> str:
        return (
            f"NPS {self.from_period} {fmt.signed(self.nps_from)} → {self.to_period} "
            f"{fmt.signed(self.nps_to)}: change {fmt.signed(self.change)} = mix "
            f"{fmt.signed(self.mix)} + within {fmt.signed(self.within)}"
        )


def decompose(
    by: tuple[str, ...],
    keys: Sequence[tuple[Any, ...]],
    periods: tuple[str, str],
    before: Sequence[TrendRow],
    after: Sequence[TrendRow],
) -> DecompositionResult:
    """Shift-share of the overall change between two periods, from each segment's rows.

    Args:
        by: The segment columns.
        keys: The segments' labels.
        periods: The earlier and the later period's labels.
        before: Each segment's row in the earlier period (in ``keys`` order).
        after: Each segment's row in the later period.
    """

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
        by=by,
        from_period=periods[0],
        to_period=periods[1],
        nps_from=nps_from,
        nps_to=nps_to,
        change=nps_to - nps_from,
        mix=float(mix.sum()),
        within=float(within.sum()),
        rows=rows,
    )
