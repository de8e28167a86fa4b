"""Calibration kernels on cell totals: post-stratification and raking factors, trimming.

Everything here works on integer cell codes and weights (numpy arrays), never on user
data: the public functions of [`netpromoter.weighting`][netpromoter.weighting] read and
check the input, then call these kernels. Rows are collapsed to the crossed cells of the
calibration dimensions first, so raking a million rows iterates over a few dozen cell
totals.

Formulas (``w`` the weights, ``d`` the base weights, ``c`` a cell, ``N_c`` its
population count):

* Post-stratification: ``w_i = d_i N_c / Σ_{j∈c} d_j`` (R ``survey::postStratify``).
* Raking (iterative proportional fitting, Deming and Stephan 1940): per sweep, for each
  margin ``m`` and level ``l``, multiply the weights in ``l`` by ``N_{m,l} / Σ_{i∈l} w_i``;
  stop when every margin total is within ``tol × Σ N`` of its target.
* Trimming (R ``survey::trimWeights(strict = TRUE)``): cap weights to ``[lower, upper]``,
  share the trimmed amount equally among the weights inside the bounds, repeat until
  none is outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from netpromoter._count import CHUNK

if TYPE_CHECKING:
    from numpy.typing import NDArray


#: Trimmed amounts below this fraction of the total are rounding noise, not redistributed.
ROUNDING = 1e-13


def expand(
    cells: NDArray[np.intp], factors: NDArray[np.float64], base: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Row weights ``base_i × factors[cell_i]``, chunk by chunk."""
    out = np.empty(len(cells), dtype=np.float64)
    for start in range(0, len(cells), CHUNK):
        stop = start + CHUNK
        np.multiply(base[start:stop], factors[cells[start:stop]], out=out[start:stop])
    return out


@dataclass(frozen=True)
class RakeFit:
    """Outcome of raking cell totals.

    Attributes:
        factors: Adjustment factor per cell (final weight = base weight × factor).
        iterations: Full sweeps over the margins performed.
        converged: Whether every margin total is within tolerance of its target.
        max_error: Largest absolute difference between a margin total and its target.
    """

    factors: NDArray[np.float64]
    iterations: int
    converged: bool
    max_error: float


def margin_error(
    totals: NDArray[np.float64],
    margins: tuple[NDArray[np.intp], ...],
    targets: tuple[NDArray[np.float64], ...],
) -> float:
    """Largest absolute difference between a weighted margin total and its target."""
    worst = 0.0
    for levels, target in zip(margins, targets, strict=True):
        got = np.bincount(levels, weights=totals, minlength=len(target))
        worst = max(worst, float(np.max(np.abs(got - target))))
    return worst


def rake_cells(
    base_totals: NDArray[np.float64],
    margins: tuple[NDArray[np.intp], ...],
    targets: tuple[NDArray[np.float64], ...],
    *,
    tol: float,
    max_iter: int,
) -> RakeFit:
    """Iterative proportional fitting on crossed-cell totals.

    Args:
        base_totals: Sum of base weights per crossed cell (all positive).
        margins: Level of each cell in each margin.
        targets: Population total of each level of each margin (all margins sum alike).
        tol: Convergence tolerance relative to the total target weight.
        max_iter: Largest number of sweeps.

    Returns:
        Cell factors, sweeps used, convergence and the remaining margin error.

    Examples:
        >>> fit = rake_cells(
        ...     np.array([1.0, 1.0, 1.0, 1.0]),
        ...     (np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])),
        ...     (np.array([3.0, 1.0]), np.array([2.0, 2.0])),
        ...     tol=1e-12,
        ...     max_iter=50,
        ... )
        >>> fit.factors.tolist(), fit.converged
        ([1.5, 1.5, 0.5, 0.5], True)
    """
    factors = np.ones_like(base_totals)
    threshold = tol * float(targets[0].sum())
    current = base_totals.copy()
    error = margin_error(current, margins, targets)
    iterations = 0
    while error > threshold and iterations < max_iter:
        for levels, target in zip(margins, targets, strict=True):
            got = np.bincount(levels, weights=current, minlength=len(target))
            ratio = target / got
            factors *= ratio[levels]
            current = base_totals * factors
        iterations += 1
        error = margin_error(current, margins, targets)
    return RakeFit(factors, iterations, error <= threshold, error)


def trim(
    weights: NDArray[np.float64],
    *,
    upper: float,
    lower: float,
    max_iter: int,
    counts: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.float64], int, bool]:
    """Cap weights to ``[lower, upper]`` and share the trimmed amount, as R ``trimWeights``.

    Each pass caps the weights outside the bounds and adds the trimmed total, in equal
    parts, to every weight inside them (R ``trimWeights(..., strict = TRUE)``); passes
    repeat until no weight is outside, or only rounding noise (below ``ROUNDING`` times
    the total) would be shared, in which case the weights stop at the bounds. With
    ``counts``, each weight stands for that many equal weights (the cells of a lazy
    frame): the same passes, without expanding them.

    Returns:
        The trimmed weights (same total), the passes made, and whether none is outside.

    Examples:
        >>> w, passes, done = trim(np.array([1.0, 1.0, 1.0, 5.0]), upper=3.0, lower=0.0,
        ...                        max_iter=100)
        >>> w.round(4).tolist(), passes, done
        ([1.6667, 1.6667, 1.6667, 3.0], 1, True)
        >>> trim(np.array([1.0, 5.0]), upper=3.0, lower=0.0, max_iter=100,
        ...      counts=np.array([3, 1]))[0].round(4).tolist()
        [1.6667, 3.0]
    """
    current = weights.copy()
    many = np.ones(len(weights)) if counts is None else counts.astype(np.float64)
    total = float(np.abs(weights).sum()) if counts is None else float(np.abs(weights) @ many)
    size = float(many.sum())
    passes = 0
    while passes < max_iter:
        outside = (current < lower) | (current > upper)
        n_outside = float(many[outside].sum())
        if n_outside == 0:
            return current, passes, True
        capped = np.clip(current, lower, upper)
        trimmed = current - capped
        if counts is not None:
            trimmed *= many
        if float(np.abs(trimmed).sum()) <= ROUNDING * total:
            # Only rounding noise is left to share (a bound at the mean weight would
            # otherwise cycle forever, and equal weights capped at their mean sit just
            # above it): stop at the bounds, the total kept to rounding.
            return capped, passes + 1, True
        if n_outside == size:
            return current, passes, False
        passes += 1
        share = float(trimmed.sum()) / (size - n_outside)
        capped[~outside] += share
        current = capped
    outside = (current < lower) | (current > upper)
    return current, passes, not bool(outside.any())
