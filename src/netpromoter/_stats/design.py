"""The standard errors of a weighting design: calibration-aware, per domain and contrast.

A [`Design`][netpromoter._stats.design.Design] says how weights were calibrated
(post-stratified or raked, on which cells, with which calibrated weights before any
trimming, and which rows form clusters); weighting results carry one, and the features
(``score``, ``segment``, ``trend``...) hand it to this module instead of calling back up
into ``weighting``.

Standard error of the weighted NPS (Taylor linearisation, R ``svymean`` then
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
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar

import numpy as np

from netpromoter._count import CHUNK, tally
from netpromoter._scale import CATEGORY_VALUE, DETRACTOR_MAX, PROMOTER_MIN, by_category
from netpromoter._tally import scaled_weights
from netpromoter.exceptions import InvalidWeightsError

if TYPE_CHECKING:
    from numpy.typing import NDArray


Kind = Literal["poststratify", "rake"]
#: Backfitting sweeps R ``survey::svyrecvar`` uses to residualise on raking margins.
BACKFIT_SWEEPS = 10
#: Relative rounding error of a sum of squares of influence values (64 machine epsilons).
ROUNDING_SS = 64 * float(np.finfo(np.float64).eps)


@dataclass(frozen=True, eq=False)
class Design:
    """How a sample was weighted, as its standard errors need to know it.

    Built by the weighting functions and carried by their results; the features hand it
    to [`domain_se`][netpromoter._stats.design.domain_se] for every standard error, so no
    statistic calls back up into ``weighting``. Frozen, its arrays read-only.

    Attributes:
        weights: The final weights (after any trimming), one per row.
        kind: ``"poststratify"``, ``"rake"``, or ``None`` for weights without a
            calibration (trimmed plain weights, account and spend weights).
        cells: Crossed cell code of each row, ``0 <= code < n_cells`` (only occupied
            cells are numbered); ``None`` without a calibration.
        n_cells: Number of occupied cells.
        margins: For raking, the level of each cell in each margin (one length
            ``n_cells`` array per margin); empty otherwise.
        calibrated: The calibrated weights before any trimming (``w*`` above), per row.
        clusters: The cluster (account) code of each row for a cluster-robust SE, or
            ``None``.
    """

    weights: NDArray[np.float64]
    kind: Kind | None = None
    cells: NDArray[np.intp] | None = None
    n_cells: int = 0
    margins: tuple[NDArray[np.intp], ...] = ()
    calibrated: NDArray[np.float64] | None = None
    clusters: NDArray[np.intp] | None = None

    def __post_init__(self) -> None:
        for array in (self.weights, self.cells, self.calibrated, self.clusters, *self.margins):
            if array is not None:
                array.flags.writeable = False

    @property
    def n(self) -> int:
        """Number of weighted rows."""
        return len(self.weights)

    @property
    def calibration(self) -> Calibration | None:
        """The calibration alone (``None`` for plain weights), as ``design_se`` takes it."""
        if self.kind is None or self.cells is None or self.calibrated is None:
            return None
        return Calibration(self.kind, self.cells, self.n_cells, self.margins, self.calibrated)

    def trimmed(self, weights: NDArray[np.float64]) -> Design:
        """The same calibration and clusters with other final weights (after trimming)."""
        return replace(self, weights=weights)


@dataclass(frozen=True)
class Calibration:
    """A calibration's cells, margins and calibrated weights (see ``Design``)."""

    kind: Kind
    cells: NDArray[np.intp]
    n_cells: int
    margins: tuple[NDArray[np.intp], ...]
    calibrated: NDArray[np.float64]


Domain = Literal["group", "rest", "group_minus_rest"]
_DesignT = TypeVar("_DesignT")


class Domains(NamedTuple):
    """Which domains of a design's rows ``domain_se`` gives the SE of.

    Attributes:
        scores: Validated scores of the rows used, in row order.
        rows: Which of the design's rows the scores belong to (``None``: all).
        codes: Optional group code per score (``0..n_groups-1``).
        n_groups: Number of groups.
        domain: ``"group"`` (default): the SE of each group's NPS. ``"rest"``: of the
            NPS of all other groups' rows (R ``subset(d, group != g)``; rows left out by
            ``rows`` belong to none). ``"group_minus_rest"``: of the difference
            NPS(group) − NPS(rest), with the covariance the calibration induces between
            the two domains.
        partner: Optional group index per group (−1 for none); overrides ``domain``: the
            SE of the difference NPS(group) − NPS(partner group), two disjoint domains,
            with the covariance the calibration induces between them (R
            ``svycontrast(svytotal(~ys + s + yr + r, d), quote(ys / s - yr / r))`` for
            the two groups' indicators ``s``, ``r``); NaN without a partner.
    """

    scores: NDArray[np.integer]
    rows: NDArray[np.bool_] | None = None
    codes: NDArray[np.integer] | None = None
    n_groups: int = 1
    domain: Domain = "group"
    partner: NDArray[np.integer] | None = None


def domain_se(design: Design, domains: Domains) -> NDArray[np.float64]:
    """SE of the weighted NPS of ``domains.scores`` per group, for this design, in points.

    As R ``svycontrast(svymean(~promoter + detractor, d), c(1, -1))`` on the design ``d``;
    a group (and rows left out by ``rows``) is a domain, as R's ``subset(d, ...)``.

    Returns:
        The SE per group.

    Raises:
        InvalidWeightsError: When the scores do not line up with the weighted rows.
    """
    scores, rows, codes, n_groups, domain, partner = domains
    n = design.n
    n_used = n if rows is None else int(np.count_nonzero(rows))
    if len(scores) != n_used or (rows is not None and len(rows) != n):
        msg = (
            f"these weights are for {n} rows but {len(scores)} scores were given; "
            "score the same rows that were weighted"
        )
        raise InvalidWeightsError(msg)
    full_scores = np.asarray(scores)
    full_codes = None if codes is None else np.asarray(codes, dtype=np.intp)
    groups = n_groups
    if rows is not None:
        full_scores = np.zeros(n, dtype=np.int8)
        full_scores[rows] = scores
        full_codes = np.full(n, n_groups, dtype=np.intp)
        full_codes[rows] = 0 if codes is None else codes
        groups = n_groups + 1
    se = design_se(
        full_scores,
        design.weights,
        design.calibration,
        codes=full_codes,
        n_groups=groups,
        clusters=design.clusters,
        complement=None if domain == "group" or partner is not None else n_groups,
        contrast=domain == "group_minus_rest",
        partner=None if partner is None else _partners(partner, groups),
    )
    return se[:n_groups]


def _partners(partner: NDArray[np.integer], n_groups: int) -> NDArray[np.intp]:
    """Partner group per group, −1 for none, padded with −1 to ``n_groups``."""
    given = np.asarray(partner, dtype=np.intp)
    out = np.full(n_groups, -1, dtype=np.intp)
    out[: len(given)] = np.where(given >= 0, given, -1)
    return out


def design_of(weights: object, kind: type[_DesignT]) -> _DesignT | None:
    """The design of kind ``kind`` of a weighting result (or such a design itself), else ``None``.

    Examples:
        >>> design_of([1.0, 2.0], Design) is None
        True
    """
    if isinstance(weights, kind):
        return weights
    design = getattr(weights, "design", None)
    return design if isinstance(design, kind) else None


def as_design(weights: object) -> Design | None:
    """The design of a weighting result (or a ``Design`` itself), else ``None``.

    Examples:
        >>> as_design([1.0, 2.0]) is None
        True
    """
    return design_of(weights, Design)


def cell_totals(
    cells: NDArray[np.intp], weights: NDArray[np.float64], n_cells: int
) -> NDArray[np.float64]:
    """Sum of ``weights`` per cell, chunk by chunk."""
    out = np.zeros(n_cells, dtype=np.float64)
    for start in range(0, len(cells), CHUNK):
        stop = start + CHUNK
        out += np.bincount(cells[start:stop], weights=weights[start:stop], minlength=n_cells)
    return out


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
    design: Calibration | CellCalibration,
    u_sum: NDArray[np.float64],
    n_cell: NDArray[np.float64],
    p_cell: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per (group, cell) offset ``a`` such that residualised ``x_i = x_i − w*_i a``.

    Args:
        design: The calibration (its kind and margins).
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
    design: Calibration | None,
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
    sums = CategorySums(sw, sw2, sr, sx, CellTotals(n_cell, p_cell, p2_cell))
    return sums_se(sums, design, n, complement=complement, contrast=contrast, partner=partner)


@dataclass(frozen=True)
class CellCalibration:
    """What the residualisation needs of a calibration: its kind and raking margins."""

    kind: Kind
    margins: tuple[NDArray[np.intp], ...]


class CellTotals(NamedTuple):
    """Per cell totals over every group and category, ``(C,)`` each: what residualises.

    Attributes:
        n: Rows per cell.
        p: Σ w* per cell (``w*`` the calibrated weights before trimming).
        p2: Σ w*² per cell.
    """

    n: NDArray[np.float64]
    p: NDArray[np.float64]
    p2: NDArray[np.float64]


@dataclass(frozen=True)
class CategorySums:
    """Per (group, cell, category) sums the linearisation SE is computed from.

    Attributes:
        sw: Σ w (final weights).
        sw2: Σ w².
        sr: Σ w / w* (``w*`` the calibrated weights before trimming).
        sx: Σ w w*.
        cells: The totals per cell.
    """

    sw: NDArray[np.float64]
    sw2: NDArray[np.float64]
    sr: NDArray[np.float64]
    sx: NDArray[np.float64]
    cells: CellTotals


def sums_se(
    sums: CategorySums,
    design: Calibration | CellCalibration | None,
    n: float,
    *,
    complement: int | None = None,
    contrast: bool = False,
    partner: NDArray[np.intp] | None = None,
) -> NDArray[np.float64]:
    """``design_se`` from the per (group, cell, category) sums of ``n`` rows.

    Every influence value is ``w_i`` times a value of its group and category, and its
    residual is ``w_i`` times that minus ``w*_i`` times an offset of its group and cell,
    so the sum of squared residuals needs only these sums (see ``design_se``).
    """
    shape = sums.sw.shape[:2]
    n_groups = shape[0]
    n_cell, p_cell, p2_cell = sums.cells
    parts = _domain_parts((sums.sw, sums.sw2, sums.sr, sums.sx), complement, contrast, partner)
    x_sum = x_sq = u_sum = x_psw = np.zeros(shape)
    empty = np.zeros(n_groups, dtype=bool)
    for (w1, w2, r1, wp), sign in parts:
        # Per category first: a domain of one category has a mean of exactly -1, 0 or 1
        # and influence values of exactly 0, however its cells' sums were rounded.
        per_category = w1.sum(axis=1)
        total = per_category.sum(axis=1)
        empty |= ~(total > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (per_category @ CATEGORY_VALUE) / total
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
    design: Calibration | None,
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
