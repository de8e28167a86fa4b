"""Cell weights on the engine's aggregate: a lazy frame's tally with a cell design.

A lazy frame weighted per cell (see [`CellDesign`][netpromoter._stats.cells.CellDesign])
is tallied per group *and* cell, with the base weights (or none) as the weights: per
(group, cell, score) the engine counts the rows, ``Σ d`` and ``Σ d²``. Every row of cell
``c`` has the weight ``d t_c``, so the weighted tally of a group is ``Σ_c t_c Σ d`` and
``Σ_c t_c² Σ d²``: the cell factors are applied to the aggregate, exactly as summing
the weights row by row would (up to rounding), and the per-cell counts are kept for the
design's SE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from netpromoter._input.engine import EngineTally
from netpromoter._scale import by_category
from netpromoter._stats.cells import CellCounts, CellDesign
from netpromoter._tally import Tally

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray


def engine_keys(keys: Sequence[str], design: CellDesign) -> tuple[str, ...]:
    """The keys to tally by: the given ones, then the cell columns not among them."""
    return (*keys, *(c for c in design.columns if c not in keys))


def fold(
    engine: EngineTally, design: CellDesign, keys: Sequence[str]
) -> tuple[EngineTally, CellCounts]:
    """The weighted tally per group of ``keys`` and the counts per (group, cell).

    Args:
        engine: The engine's tally by ``engine_keys(keys, design)`` (and any derived
            keys after them), weighted by the base weights column when there is one.
        design: The cell design.
        keys: The keys of the groups wanted (derived keys follow them).

    Returns:
        The tally per group of ``keys`` and derived keys, with the cell weights applied,
        and the per (group, cell, category) counts for the SE.
    """
    names = list(engine.keys)
    n_plain = len(engine_keys(keys, design))
    shown = [names.index(k) for k in keys] + list(range(n_plain, len(names)))
    positions = [names.index(c) for c in design.columns]
    cell = np.fromiter(
        (
            design.index(tuple(engine.levels[p][engine.key_codes[g, p]] for p in positions))
            for g in range(len(engine.key_codes))
        ),
        dtype=np.intp,
        count=len(engine.key_codes),
    )
    if shown:
        key_codes, group = np.unique(engine.key_codes[:, shown], axis=0, return_inverse=True)
        group = group.reshape(-1)
    else:
        key_codes = np.zeros((1, 0), dtype=np.intp)
        group = np.zeros(len(engine.key_codes), dtype=np.intp)
    n_groups, n_cells = len(key_codes), len(design.factors)
    t = design.factors[cell][:, None]
    tallied = engine.tally
    count = _by_group(group, tallied.count, n_groups).astype(np.int64)
    sum_w = _by_group(group, t * tallied.sum_w, n_groups)
    sum_w2 = _by_group(group, t * t * tallied.sum_w2, n_groups)
    per_cell = group * n_cells + cell
    size = n_groups * n_cells
    count_c, sum_d, sum_d2 = (
        _by_group(per_cell, by_category(a), size).reshape(n_groups, n_cells, 3)
        for a in (tallied.count, tallied.sum_w, tallied.sum_w2)
    )
    missing: NDArray[np.float64] = np.stack(
        [
            np.bincount(cell, weights=a, minlength=n_cells)
            for a in (engine.n_missing, *(engine.missing_w or (engine.n_missing,) * 2))
        ]
    )
    counts = CellCounts(count_c, sum_d, sum_d2, missing)
    folded = EngineTally(
        tally=Tally(count, sum_w, sum_w2, tallied.exponent),
        n_missing=np.bincount(group, weights=engine.n_missing, minlength=n_groups).astype(np.int64),
        keys=tuple(names[p] for p in shown),
        levels=tuple(engine.levels[p] for p in shown),
        key_codes=key_codes.astype(np.intp),
        weighted=True,
    )
    return folded, counts


def regroup_cells(
    counts: CellCounts,
    group: NDArray[np.intp],
    n_groups: int,
    member: NDArray[np.bool_] | None = None,
) -> CellCounts:
    """The per (group, cell) counts added into new groups: group ``i`` goes to ``group[i]``.

    Groups outside ``member`` go to no new group: their rows are in no domain but still
    weighted, as rows with a missing score are, so they add to ``missing``.

    Examples:
        >>> ones = CellCounts(*[np.ones((3, 1, 3))] * 3, np.zeros((3, 1)))
        >>> c = regroup_cells(ones, np.array([1, 0, 1]), 2)
        >>> c.count[:, 0].tolist(), c.missing.tolist()
        ([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]], [[0.0], [0.0], [0.0]])
    """
    keep = np.ones(len(group), dtype=bool) if member is None else member
    n_cells = counts.count.shape[1]
    arrays = (counts.count, counts.sum_d, counts.sum_d2)
    count, sum_d, sum_d2 = (
        _by_group(group[keep], a[keep].reshape(int(keep.sum()), -1), n_groups).reshape(
            n_groups, n_cells, 3
        )
        for a in arrays
    )
    left_out = np.stack([a[~keep].sum(axis=(0, 2)) for a in arrays])
    return CellCounts(count, sum_d, sum_d2, counts.missing + left_out)


def _by_group(
    group: NDArray[np.intp], values: NDArray[np.floating] | NDArray[np.integer], n_groups: int
) -> NDArray[np.float64]:
    """Sums of the rows of ``values`` (2-D) per group."""
    out = np.zeros((n_groups, values.shape[1]))
    np.add.at(out, group, values)
    return out
