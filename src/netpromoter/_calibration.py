"""Calibration numerics: post-stratification, raking, trimming and their standard errors.

Everything here works on integer cell codes and weights (numpy arrays), never on user
data: [`netpromoter.weighting`][netpromoter.weighting] reads and checks the input, then
calls these kernels. Rows are collapsed to the crossed cells of the calibration
dimensions first, so raking a million rows iterates over a few dozen cell totals.

Formulas (``w`` the weights, ``d`` the base weights, ``c`` a cell, ``N_c`` its
population count):

* Post-stratification: ``w_i = d_i N_c / Σ_{j∈c} d_j`` (R ``survey::postStratify``).
* Raking (iterative proportional fitting, Deming and Stephan 1940): per sweep, for each
  margin ``m`` and level ``l``, multiply the weights in ``l`` by ``N_{m,l} / Σ_{i∈l} w_i``;
  stop when every margin total is within ``tol × Σ N`` of its target.
* Trimming (R ``survey::trimWeights(strict = TRUE)``): cap weights to ``[lower, upper]``,
  share the trimmed amount equally among the weights inside the bounds, repeat until
  none is outside.
* Standard error of the weighted NPS (Taylor linearisation, R ``svymean`` then
  ``svycontrast``): influence values ``x_i = w_i (y_i − ȳ) / Σw`` with ``y`` +1 / 0 / −1,
  residualised as R's ``svyrecvar`` does — within post-strata by
  ``x_i − w*_i Σ_{j∈c} x_j / Σ_{j∈c} w*_j`` (``w*`` the calibrated weights before any
  trimming), and for raking by ten backfitting sweeps of
  ``x ← x − w* · mean_level(x / w*)`` over the margins — then
  ``Var = n / (n − 1) Σ (x_i − x̄)²`` (with clusters: over cluster totals, with
  ``K / (K − 1)`` for ``K`` clusters).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from netpromoter._stats import CATEGORY_VALUE, by_category
from netpromoter._tally import CHUNK, scaled_weights, tally

if TYPE_CHECKING:
    from numpy.typing import NDArray

Kind = Literal["poststratify", "rake"]
#: Backfitting sweeps R ``survey::svyrecvar`` uses to residualise on raking margins.
BACKFIT_SWEEPS = 10
#: Trimmed amounts below this fraction of the total are rounding noise, not redistributed.
ROUNDING = 1e-13
#: Relative rounding error of a sum of squares of influence values (64 machine epsilons).
ROUNDING_SS = 64 * float(np.finfo(np.float64).eps)
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


@dataclass(frozen=True)
class Design:
    """How weights were calibrated, as the standard error needs to know it.

    Attributes:
        kind: ``"poststratify"`` or ``"rake"``.
        cells: Crossed cell code of each row, ``0 <= code < n_cells`` (only occupied
            cells are numbered).
        n_cells: Number of occupied cells.
        margins: For raking, the level of each cell in each margin (one length
            ``n_cells`` array per margin); empty for post-stratification.
        calibrated: The calibrated weights before any trimming (``w*`` above), per row.
    """

    kind: Kind
    cells: NDArray[np.intp]
    n_cells: int
    margins: tuple[NDArray[np.intp], ...]
    calibrated: NDArray[np.float64]


def cell_totals(
    cells: NDArray[np.intp], weights: NDArray[np.float64], n_cells: int
) -> NDArray[np.float64]:
    """Sum of ``weights`` per cell, chunk by chunk."""
    out = np.zeros(n_cells, dtype=np.float64)
    for start in range(0, len(cells), CHUNK):
        stop = start + CHUNK
        out += np.bincount(cells[start:stop], weights=weights[start:stop], minlength=n_cells)
    return out


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
    weights: NDArray[np.float64], *, upper: float, lower: float, max_iter: int
) -> tuple[NDArray[np.float64], int, bool]:
    """Cap weights to ``[lower, upper]`` and share the trimmed amount, as R ``trimWeights``.

    Each pass caps the weights outside the bounds and adds the trimmed total, in equal
    parts, to every weight inside them (R ``trimWeights(..., strict = TRUE)``); passes
    repeat until no weight is outside, or only rounding noise (below ``ROUNDING`` times
    the total) would be shared, in which case the weights stop at the bounds.

    Returns:
        The trimmed weights (same total), the passes made, and whether none is outside.

    Examples:
        >>> w, passes, done = trim(np.array([1.0, 1.0, 1.0, 5.0]), upper=3.0, lower=0.0,
        ...                        max_iter=100)
        >>> w.round(4).tolist(), passes, done
        ([1.6667, 1.6667, 1.6667, 3.0], 1, True)
    """
    current = weights.copy()
    total = float(np.abs(weights).sum())
    passes = 0
    while passes < max_iter:
        outside = (current < lower) | (current > upper)
        n_outside = int(np.count_nonzero(outside))
        if n_outside == 0:
            return current, passes, True
        capped = np.clip(current, lower, upper)
        if float(np.abs(current - capped).sum()) <= ROUNDING * total:
            # Only rounding noise is left to share (a bound at the mean weight would
            # otherwise cycle forever, and equal weights capped at their mean sit just
            # above it): stop at the bounds, the total kept to rounding.
            return capped, passes + 1, True
        if n_outside == len(current):
            return current, passes, False
        passes += 1
        share = float((current - capped).sum()) / (len(current) - n_outside)
        capped[~outside] += share
        current = capped
    outside = (current < lower) | (current > upper)
    return current, passes, not bool(outside.any())


def _category_sums(
    scores: NDArray[np.integer],
    weights: NDArray[np.float64] | None,
    codes: NDArray[np.intp],
    shape: tuple[int, int],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Per (group, cell, category): count, Σ weights, Σ squared weights, from one tally."""
    t = tally(scores, weights, codes=codes, n_groups=shape[0] * shape[1])
    count = by_category(t.count).reshape(*shape, 3)
    return count, by_category(t.sum_w).reshape(*shape, 3), by_category(t.sum_w2).reshape(*shape, 3)


def _group_cell_codes(
    cells: NDArray[np.intp], n_cells: int, codes: NDArray[np.integer] | None
) -> NDArray[np.intp]:
    if codes is None:
        return cells
    out = np.empty(len(cells), dtype=np.intp)
    for start in range(0, len(cells), CHUNK):
        stop = start + CHUNK
        np.multiply(codes[start:stop], n_cells, out=out[start:stop], casting="unsafe")
        out[start:stop] += cells[start:stop]
    return out


def _offsets(
    design: Design,
    u_sum: NDArray[np.float64],
    n_cell: NDArray[np.float64],
    p_cell: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per (group, cell) offset ``a`` such that residualised ``x_i = x_i − w*_i a``.

    Args:
        design: The calibration.
        u_sum: ``(G, C)`` sums of ``x / w*`` per group and cell (rows of the group only).
        n_cell: ``(C,)`` number of rows per cell (all groups).
        p_cell: ``(C,)`` sums of ``w*`` per cell (all groups).
    """
    if design.kind == "poststratify":
        # Σ_{i∈c} x_i / Σ_{i∈c} w*_i; x_i = w*_i u_i is w* u only when untrimmed, so the
        # caller passes Σ x (not Σ u) here for post-strata.
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(p_cell > 0, u_sum / p_cell, 0.0)
    offsets = np.zeros_like(u_sum)
    for _ in range(BACKFIT_SWEEPS):
        for levels in design.margins:
            n_levels = int(levels.max()) + 1 if len(levels) else 0
            count = np.bincount(levels, weights=n_cell, minlength=n_levels)
            remaining = u_sum - n_cell * offsets
            level_sum = np.stack(
                [np.bincount(levels, weights=row, minlength=n_levels) for row in remaining]
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(count > 0, level_sum / count, 0.0)
            offsets += mean[:, levels]
    return offsets


def design_se(
    scores: NDArray[np.integer],
    weights: NDArray[np.float64],
    design: Design | None,
    *,
    codes: NDArray[np.integer] | None = None,
    n_groups: int = 1,
    clusters: NDArray[np.integer] | None = None,
    complement: int | None = None,
    contrast: bool = False,
    partner: NDArray[np.intp] | None = None,
) -> NDArray[np.float64]:
    """Linearisation SE of the weighted NPS per group, calibration-aware, in points.

    Matches R ``survey``: ``svycontrast(svymean(~promoter + detractor, d), c(1, -1))`` on
    the post-stratified, raked or trimmed design ``d`` (``ids = ~1``, or ``ids =
    ~cluster`` when ``clusters`` is given), and for a group the same on
    ``subset(d, group)``. Without clusters everything is computed from per (group, cell,
    score) tallies; with clusters, from per-row influence values summed per cluster.

    Args:
        scores: Validated scores.
        weights: Final weights (after any trimming), positive.
        design: The calibration, or ``None`` for plain weights.
        codes: Optional group code per row (``0..n_groups-1``), for domain estimates.
        n_groups: Number of groups.
        clusters: Optional cluster (account) code per row.
        complement: When given, for each group ``g < complement`` the SE of the NPS of
            its complement among the first ``complement`` groups (the rows of the other
            groups, R ``subset(d, group != g)``) instead of the group's own.
        contrast: With ``complement``, the SE of NPS(group) − NPS(complement) instead:
            the domain difference, with the covariance the calibration induces between
            the two (R ``svycontrast(svytotal(~I(y*s) + s + I(y*(1-s)) + I(1-s), d),
            quote(I(y*s)/s - I(y*(1-s))/I(1-s)))`` for a group indicator ``s``).
        partner: Instead of ``complement``: one group index per group (−1 for none);
            the SE of NPS(group) − NPS(partner group), two disjoint domains, with the
            covariance the calibration induces between them (the same R contrast with
            ``s`` and ``r`` the two groups' indicators). NaN where there is no partner.

    Returns:
        SE per group, in NPS points; NaN for a group with no weight.
    """
    # Every term is a ratio of sums of the same degree in the weights: computed at a
    # power of two where their squares fit (results identical; see ``weight_exponent``).
    weights, exponent = scaled_weights(weights)
    if exponent and design is not None:
        design = replace(design, calibrated=np.ldexp(design.calibrated, -exponent))
    if clusters is not None:
        return _clustered_se(
            scores,
            weights,
            design,
            codes=codes,
            n_groups=n_groups,
            clusters=clusters,
            complement=complement,
            contrast=contrast,
            partner=partner,
        )
    n = float(len(scores))
    if design is None:
        cells = np.zeros(len(scores), dtype=np.intp)
        n_cells = 1
    else:
        cells, n_cells = design.cells, design.n_cells
    shape = (n_groups, n_cells)
    gc = _group_cell_codes(cells, n_cells, codes)
    count, sw, sw2 = _category_sums(scores, weights, gc, shape)
    n_cell = count.sum(axis=(0, 2))
    p_cell, p2_cell = sw.sum(axis=(0, 2)), sw2.sum(axis=(0, 2))
    # Per (group, cell, category): Σ w, Σ w², Σ w / w* and Σ w w* (w = w* untrimmed).
    sr, sx = count, sw2
    if design is not None and not (
        design.calibrated is weights or np.array_equal(design.calibrated, weights)
    ):
        _, sp, sp2 = _category_sums(scores, design.calibrated, gc, shape)
        _, sr, _ = _category_sums(scores, weights / design.calibrated, gc, shape)
        _, sx, _ = _category_sums(scores, weights * design.calibrated, gc, shape)
        p_cell, p2_cell = sp.sum(axis=(0, 2)), sp2.sum(axis=(0, 2))
    parts = _domain_parts((sw, sw2, sr, sx), complement, contrast, partner)
    x_sum = x_sq = u_sum = x_psw = np.zeros(shape)
    empty = np.zeros(n_groups, dtype=bool)
    for (w1, w2, r1, wp), sign in parts:
        total = w1.sum(axis=(1, 2))
        empty |= ~(total > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (w1 @ CATEGORY_VALUE).sum(axis=1) / total
            # (G, 1, 3): influence value per unit weight, ±(y_k − ȳ_g) / W_g.
            unit = (sign * (CATEGORY_VALUE[None, :] - mean[:, None]) / total[:, None])[:, None, :]
        x_sum = x_sum + (w1 * unit).sum(axis=2)  # Σ x per (g, c)
        x_sq = x_sq + (w2 * unit * unit).sum(axis=2)  # Σ x² per (g, c)
        u_sum = u_sum + (r1 * unit).sum(axis=2)  # Σ x / w* per (g, c)
        x_psw = x_psw + (wp * unit).sum(axis=2)  # Σ x w* per (g, c)
    if design is None:
        sum_x, sum_x2 = x_sum.sum(axis=1), x_sq.sum(axis=1)
        scale = sum_x2
    else:
        source = x_sum if design.kind == "poststratify" else u_sum
        a = _offsets(design, source, n_cell, p_cell)
        sum_x = (x_sum - a * p_cell).sum(axis=1)
        sum_x2 = (x_sq - 2.0 * a * x_psw + a * a * p2_cell).sum(axis=1)
        scale = (x_sq + np.abs(2.0 * a * x_psw) + a * a * p2_cell).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ss = sum_x2 - sum_x * sum_x / n
        # A residual sum of squares within rounding of its own terms is 0: the calibration
        # explains every influence value (e.g. the NPS is constant within raking levels).
        ss = np.where(ss <= ROUNDING_SS * (scale + sum_x * sum_x / n), 0.0, ss)
        out: NDArray[np.float64] = 100.0 * np.sqrt(n / (n - 1.0) * ss)
    out[empty] = np.nan
    if partner is not None:
        out[partner < 0] = np.nan
    return out


def _domain_parts(
    own: tuple[NDArray[np.float64], ...],
    complement: int | None,
    contrast: bool,  # noqa: FBT001
    partner: NDArray[np.intp] | None,
) -> list[tuple[tuple[NDArray[np.float64], ...], float]]:
    """The per-group sums of each domain whose influence values add up, with their sign.

    The group itself, its complement (negated for the contrast), or its partner group
    (negated). They share no rows, so their squares add without cross terms.
    """
    parts: list[tuple[tuple[NDArray[np.float64], ...], float]] = []
    if complement is None or contrast:
        parts.append((own, 1.0))
    if complement is not None:
        parts.append((tuple(_rest(a, complement) for a in own), -1.0 if contrast else 1.0))
    if partner is not None:
        index = np.where(partner >= 0, partner, np.arange(len(partner)))
        parts.append((tuple(a[index] for a in own), -1.0))
    return parts


def _rest(sums: NDArray[np.float64], complement: int | None) -> NDArray[np.float64]:
    """Per-group sums replaced, for groups below ``complement``, by their complement's."""
    if complement is None:
        return sums
    out: NDArray[np.float64] = sums.copy()
    out[:complement] = sums[:complement].sum(axis=0) - sums[:complement]
    return out


def _clustered_se(
    scores: NDArray[np.integer],
    weights: NDArray[np.float64],
    design: Design | None,
    *,
    codes: NDArray[np.integer] | None,
    n_groups: int,
    clusters: NDArray[np.integer],
    complement: int | None = None,
    contrast: bool = False,
    partner: NDArray[np.intp] | None = None,
) -> NDArray[np.float64]:
    """Cluster-robust variant: residualised influence values summed per cluster."""
    y = np.where(scores >= PROMOTER_MIN, 1.0, np.where(scores > DETRACTOR_MAX, 0.0, -1.0))
    group = np.zeros(len(scores), dtype=np.intp) if codes is None else codes.astype(np.intp)
    n_clusters = int(clusters.max()) + 1 if len(clusters) else 0
    k = float(len(np.unique(clusters)))
    out = np.full(n_groups, np.nan)

    def influence(member: NDArray[np.bool_]) -> NDArray[np.float64] | None:
        """Residualised influence values of the NPS of the rows in ``member``."""
        w_g = np.where(member, weights, 0.0)
        total = float(w_g.sum())
        if total <= 0:
            return None
        mean = float((w_g * y).sum()) / total
        x = w_g * (y - mean) / total
        if design is not None:
            psw = design.calibrated
            if design.kind == "poststratify":
                a = cell_totals(design.cells, x, design.n_cells) / cell_totals(
                    design.cells, psw, design.n_cells
                )
            else:
                u = cell_totals(design.cells, x / psw, design.n_cells)[None, :]
                n_cell = np.bincount(design.cells, minlength=design.n_cells).astype(np.float64)
                a = _offsets(design, u, n_cell, cell_totals(design.cells, psw, design.n_cells))[0]
            x = x - psw * a[design.cells]
        return x

    for g in range(n_groups):
        own = group == g
        if partner is not None:
            mine = influence(own) if partner[g] >= 0 else None
            other = None if mine is None else influence(group == partner[g])
            x = None if mine is None or other is None else mine - other
        elif complement is None or g >= complement:
            x = influence(own)
        else:
            rest = influence((group < complement) & ~own)
            x = rest
            if contrast:
                mine = influence(own)
                x = None if mine is None or rest is None else mine - rest
        if x is None:
            continue
        per_cluster = np.bincount(clusters, weights=x, minlength=n_clusters)
        present = np.bincount(clusters, minlength=n_clusters) > 0
        totals = per_cluster[present]
        ss = float(((totals - totals.mean()) ** 2).sum())
        out[g] = 100.0 * np.sqrt(k / (k - 1.0) * ss)
    return out
