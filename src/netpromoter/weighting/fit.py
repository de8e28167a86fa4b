"""Calibrating cell totals: the targets checked against the cells, and the cell factors.

Shared by the in-memory weighting functions (cells of the rows) and their lazy-frame
path (cells counted on the engine): both reach the same cell counts and base-weight
totals, and from there the same checks and the same factors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from netpromoter.exceptions import ConvergenceError, MarginTotalsError, TargetError
from netpromoter.weighting import kernels as _calibration
from netpromoter.weighting.result import _label
from netpromoter.weighting.targets import (
    TOTAL_TOLERANCE,
    _empty_cell,
    _is_share,
    _margin_arrays,
    _missing_target,
    _number,
    _reconcile,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray


@dataclass(frozen=True)
class RakeOptions:
    """The options of ``rake`` that the fit itself uses."""

    tol: float
    max_iter: int
    normalise: bool
    population_total: float | None
    strict: bool


def poststratify_factors(
    targets_raw: dict[tuple[object, ...], float],
    labels: Sequence[tuple[object, ...]],
    counts: NDArray[np.int64],
    base_totals: NDArray[np.float64],
    *,
    names: tuple[str, ...],
    population_total: float | None,
    base_total: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The population count and the factor ``N_c / Σ_{c} d`` of each occupied cell.

    Shares are scaled to ``population_total``, else to ``base_total`` (the total base
    weight; by default the sum of ``base_totals``).

    Raises:
        MissingTargetError: A cell with respondents has no population count.
        EmptyCellError: A cell with a positive population count has no respondents.
        TargetError: A cell with respondents has a count of 0.
        MarginTotalsError: ``population_total`` disagrees with the cell counts.
    """
    dimension = " × ".join(names)
    sample_cells = set(labels)
    for level, count in zip(labels, counts, strict=True):
        if level not in targets_raw:
            raise _missing_target(dimension, level, int(count), names)
        if targets_raw[level] == 0:
            msg = (
                f"the population count of {dimension} = {_label(level)!r} is 0 but "
                f"{int(count)} respondents are in it: their weights would be 0; drop "
                "them explicitly or give the cell's count"
            )
            raise TargetError(msg, dimension=dimension, level=level)
    for level, value in targets_raw.items():
        if value > 0 and level not in sample_cells:
            raise _empty_cell(dimension, level, value)
    total = float(sum(targets_raw.values()))
    scale = 1.0
    if _is_share(total):
        reference = base_total if population_total is None else population_total
        if reference is None:
            reference = float(base_totals.sum())
        scale = _number(reference, "population_total", None) / total
    elif population_total is not None and abs(population_total - total) > TOTAL_TOLERANCE * total:
        msg = (
            f"population_total is {population_total:,.10g} but the cell counts sum to "
            f"{total:,.10g}; give one or the other"
        )
        raise MarginTotalsError(
            msg, totals={dimension: total, "population_total": population_total}
        )
    target = np.array([targets_raw[level] for level in labels]) * scale
    return target, target / base_totals


def rake_fit(
    names: tuple[str, ...],
    raw: dict[str, dict[object, float]],
    levels: Sequence[Sequence[object]],
    keys: NDArray[np.intp],
    *,
    counts: NDArray[np.int64],
    base_totals: NDArray[np.float64],
    options: RakeOptions,
    base_total: float,
) -> tuple[list[NDArray[np.float64]], _calibration.RakeFit, tuple[NDArray[np.intp], ...]]:
    """The margin targets, the raking fit and each cell's level in each margin.

    Args:
        names: The margin columns.
        raw: Column -> level -> target, as given.
        levels: Each column's levels.
        keys: ``(C, m)``: the level code of each occupied cell in each column.
        counts: Respondents per cell.
        base_totals: Base weight per cell.
        options: Tolerance, sweeps, normalising, population total, strictness.
        base_total: The total base weight.

    Raises:
        ConvergenceError: Raking did not converge and ``options.strict``.
    """
    targets = []
    for j, (name, own) in enumerate(zip(names, levels, strict=True)):
        present = np.bincount(keys[:, j], weights=counts, minlength=len(own))
        targets.append(_margin_arrays(name, own, raw[name], present.astype(np.int64)))
    totals = {name: float(sum(raw[name].values())) for name in names}
    targets = _reconcile(
        targets,
        totals,
        normalise=options.normalise,
        population_total=options.population_total,
        base_total=base_total,
    )
    member = tuple(keys[:, j].astype(np.intp) for j in range(len(names)))
    tol = options.tol
    fit = _calibration.rake_cells(
        base_totals, member, tuple(targets), tol=tol, max_iter=options.max_iter
    )
    if not fit.converged and options.strict:
        msg = (
            f"raking did not converge in {fit.iterations} sweeps: a margin total is still "
            f"{fit.max_error:.3g} from its target (tolerance {tol:g} × total = "
            f"{tol * float(targets[0].sum()):.3g}); raise max_iter, loosen tol, or collapse "
            "sparse levels (raking cannot converge when the margins conflict with empty "
            "crossed cells)"
        )
        raise ConvergenceError(msg, iterations=fit.iterations, max_error=fit.max_error)
    return targets, fit, member
