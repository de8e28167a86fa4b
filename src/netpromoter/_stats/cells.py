"""The design of weights set per cell of a lazy frame, and its SEs from cell aggregates.

Post-stratifying or raking a lazy or distributed frame gives every row of a cell ``c``
the weight ``w_i = d_i t_c`` (``d`` the base weights, 1 without them; ``t_c`` the
cell's factor, after any trimming) and the calibrated weight ``w*_i = d_i f_c`` (the
factor before trimming). The calibration-aware SE of ``design_se`` needs, per (group,
cell, category), ``Σ w``, ``Σ w²``, ``Σ w / w*`` and ``Σ w w*``, and per cell ``Σ w*``
and ``Σ w*²``: the influence value of a row is ``w_i`` times a value of its group and
category, and its residual subtracts ``w*_i`` times an offset of its group and cell
(within post-strata, or from backfitting over the raking margins), so the squared
residuals sum cell by cell. With the factors these sums are

* ``Σ w = t_c Σ d``, ``Σ w² = t_c² Σ d²``, ``Σ w / w* = (t_c / f_c) n``,
  ``Σ w w* = t_c f_c Σ d²``, ``Σ w* = f_c Σ d``, ``Σ w*² = f_c² Σ d²``,

so the engine only counts, per (group, cell, score), the rows ``n``, ``Σ d`` and ``Σ d²``
(what it tallies anyway with ``d`` as the weights column); nothing per row leaves it.
Trimming a lazy frame's cell weights needs every row of a cell to carry the same weight,
so it is for frames without base weights or with base weights equal within each cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from netpromoter._stats.design import (
    CategorySums,
    CellCalibration,
    CellTotals,
    Kind,
    _partners,
    design_of,
    sums_se,
)
from netpromoter.exceptions import InvalidWeightsError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._stats.design import Domain


@dataclass(frozen=True, eq=False)
class CellDesign:
    """Weights set per cell of a lazy frame: the cells, their factors and calibration.

    Attributes:
        columns: The weighting columns whose crossed levels are the cells.
        base: The base weights column (``None``: every base weight is 1).
        labels: The levels of each cell, one per column (``"(missing)"`` for nulls).
        factors: Per cell, the final weight per unit of base weight (after trimming).
        calibrated: Per cell, the calibrated factor before any trimming.
        kind: ``"poststratify"`` or ``"rake"``.
        margins: For raking, the level of each cell in each margin.
        n: The number of rows weighted.
    """

    columns: tuple[str, ...]
    base: str | None
    labels: tuple[tuple[object, ...], ...]
    factors: NDArray[np.float64]
    calibrated: NDArray[np.float64]
    kind: Kind
    margins: tuple[NDArray[np.intp], ...]
    n: int

    def __post_init__(self) -> None:
        for array in (self.factors, self.calibrated, *self.margins):
            array.flags.writeable = False

    def index(self, labels: tuple[object, ...]) -> int:
        """The cell of one combination of levels.

        Raises:
            InvalidWeightsError: When no row of the weighted frame was in that cell.
        """
        found = self._lookup.get(labels)
        if found is None:
            shown = " × ".join(map(str, labels))
            msg = (
                f"no weighted row has {' × '.join(self.columns)} = {shown!r}: these cell "
                "weights are for another frame; weight this frame, or score the frame "
                "that was weighted"
            )
            raise InvalidWeightsError(msg)
        return found

    @cached_property
    def _lookup(self) -> dict[tuple[object, ...], int]:
        return {label: i for i, label in enumerate(self.labels)}


@dataclass(frozen=True)
class CellCounts:
    """What the engine counted per (group, cell, category), for the SE.

    Attributes:
        count: ``(G, C, 3)`` rows per group, cell and category.
        sum_d: ``(G, C, 3)`` their sums of base weights.
        sum_d2: ``(G, C, 3)`` their sums of squared base weights.
        missing: ``(3, C)`` rows with a missing score per cell (left out of every
            group, still weighted): count, ``Σ d``, ``Σ d²``.
    """

    count: NDArray[np.float64]
    sum_d: NDArray[np.float64]
    sum_d2: NDArray[np.float64]
    missing: NDArray[np.float64]

    def take(self, groups: NDArray[np.intp]) -> CellCounts:
        """The counts of some groups, in that order (the missing rows stay)."""
        return CellCounts(self.count[groups], self.sum_d[groups], self.sum_d2[groups], self.missing)

    def merged(self) -> CellCounts:
        """Every group as one."""
        return CellCounts(
            self.count.sum(axis=0, keepdims=True),
            self.sum_d.sum(axis=0, keepdims=True),
            self.sum_d2.sum(axis=0, keepdims=True),
            self.missing,
        )


def as_cells(weights: object) -> CellDesign | None:
    """The cell design of a lazy weighting result (or a ``CellDesign``), else ``None``.

    Examples:
        >>> as_cells("weight") is None
        True
    """
    return design_of(weights, CellDesign)


def cell_se(
    design: CellDesign,
    counts: CellCounts,
    *,
    domain: Domain = "group",
    partner: NDArray[np.integer] | None = None,
) -> NDArray[np.float64]:
    """SE of the weighted NPS of each group, as ``domain_se`` gives it for these rows.

    Args:
        design: The cell design.
        counts: The engine's counts per (group, cell, category).
        domain: ``"group"``, ``"rest"`` or ``"group_minus_rest"`` (see ``domain_se``).
        partner: Optional partner group per group (see ``domain_se``).

    Returns:
        The SE per group, in points.

    Raises:
        InvalidWeightsError: When the frame does not have the rows that were weighted.
    """
    n_groups = counts.count.shape[0]
    count, sum_d, sum_d2 = counts.count, counts.sum_d, counts.sum_d2
    n = float(count.sum() + counts.missing[0].sum())
    if round(n) != design.n:
        msg = (
            f"these weights are for {design.n} rows but the frame has {round(n)}: score "
            "the same rows that were weighted"
        )
        raise InvalidWeightsError(msg)
    if counts.missing[0].any():  # rows left out are one more group, as in domain_se
        extra = np.zeros((3, 1, len(design.factors), 3))
        extra[:, 0, :, 0] = counts.missing
        count, sum_d, sum_d2 = (
            np.concatenate([part, more])
            for part, more in zip((count, sum_d, sum_d2), extra, strict=True)
        )
    groups = count.shape[0]
    t, f = design.factors, design.calibrated
    sums = CategorySums(
        sw=t[None, :, None] * sum_d,
        sw2=(t * t)[None, :, None] * sum_d2,
        sr=(t / f)[None, :, None] * count,
        sx=(t * f)[None, :, None] * sum_d2,
        cells=CellTotals(
            n=count.sum(axis=(0, 2)),
            p=f * sum_d.sum(axis=(0, 2)),
            p2=f * f * sum_d2.sum(axis=(0, 2)),
        ),
    )
    se = sums_se(
        sums,
        CellCalibration(design.kind, design.margins),
        n,
        complement=None if domain == "group" or partner is not None else n_groups,
        contrast=domain == "group_minus_rest",
        partner=None if partner is None else _partners(partner, groups),
    )
    return se[:n_groups]
