"""Calibrating weights: post-stratify to cells, rake to margins, trim extreme weights."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, cast, overload

import numpy as np
from numpy.typing import NDArray  # noqa: TC002 - pydantic resolves the weights annotation

from netpromoter._input.factors import combine
from netpromoter._input.frames import is_lazy
from netpromoter._stats import design as _design_se
from netpromoter._validation import (
    MissingPolicy,
    check_choice,
    check_flag,
    validate_weights,
)
from netpromoter.exceptions import (
    ConvergenceError,
    InvalidParameterError,
    InvalidWeightsError,
)
from netpromoter.weighting import kernels as _calibration
from netpromoter.weighting import lazy as _lazy
from netpromoter.weighting.build import _finish, _Layout, _of_table
from netpromoter.weighting.diagnostics import WeightDiagnostics, _distinct
from netpromoter.weighting.fit import RakeOptions, poststratify_factors, rake_fit
from netpromoter.weighting.result import (
    _CROSS,
    CellWeightingResult,
    TargetRow,
    WeightingResult,
)
from netpromoter.weighting.targets import (
    Reading,
    _base_weights,
    _cell_targets,
    _level_targets,
    _names,
    _occupied,
    _population_total,
    _positive,
    _read,
)


class _Collects(Protocol):
    """A polars ``LazyFrame`` or a Spark DataFrame (rows come out with ``collect``)."""

    def collect(self) -> Any: ...  # noqa: ANN401


class _Computes(Protocol):
    """A Dask DataFrame (rows come out with ``compute``)."""

    def compute(self) -> Any: ...  # noqa: ANN401


class _Fetches(Protocol):
    """A DuckDB relation (rows come out with ``fetchall``)."""

    def fetchall(self) -> Any: ...  # noqa: ANN401


#: Lazy and distributed frames: weighting them gives a ``CellWeightingResult``.
LazyData = _Collects | _Computes | _Fetches

_P = ParamSpec("_P")


class _ByFrame(Protocol[_P]):
    """A weighting whose result is per cell for a lazy frame, per row for any other data."""

    @overload
    def __call__(  # type: ignore[overload-overlap]  # lazy frames first
        self, data: LazyData, *args: _P.args, **kwargs: _P.kwargs
    ) -> CellWeightingResult: ...
    @overload
    def __call__(self, data: object, *args: _P.args, **kwargs: _P.kwargs) -> WeightingResult: ...


def _by_frame(
    weighting: Callable[Concatenate[object, _P], WeightingResult | CellWeightingResult],
) -> _ByFrame[_P]:
    """``weighting`` itself, typed by its data: a lazy frame gives a ``CellWeightingResult``."""
    return cast("_ByFrame[_P]", weighting)


@_by_frame
def poststratify(
    data: object,
    cells: object,
    *,
    by: str | Sequence[str],
    score: str | None = "score",
    weights: object = None,
    cluster: str | None = None,
    missing: MissingPolicy = "raise",
    population_total: float | None = None,
) -> WeightingResult | CellWeightingResult:
    """Post-stratify: weight each cell of ``by`` up to its known population count.

    Every respondent in cell ``c`` gets ``w_i = d_i N_c / Σ_{j∈c} d_j`` (``d`` the base
    weights, ``N_c`` the population count), so the weighted cell totals equal the
    population exactly; as R ``postStratify(svydesign(ids = ~1, weights = ~d), ~a + b,
    population)``.

    Args:
        data: The responses: a list of ``Response``, a mapping of columns or a dataframe.
            A lazy or distributed frame (polars ``LazyFrame``, DuckDB, Dask, Spark) is
            counted per cell on its engine and gives a ``CellWeightingResult``.
        cells: Population count per cell, keyed by a tuple of levels in ``by`` order (a
            bare level when ``by`` is one column), or a table (mapping of columns or
            dataframe) with the ``by`` columns and one count column. Shares summing to 1
            are scaled to ``population_total`` (default: the total base weight).
        by: The column (or columns, crossed) that define the cells.
        score: The score column, for the NPS diagnostics (``None`` to skip them).
        weights: Base weights: a column name or an array, all positive (default 1).
        cluster: Optional column of clusters (such as ``"account_id"``) for a
            cluster-robust SE, as R ``svydesign(ids = ~account_id, ...)``.
        missing: ``"raise"`` or ``"drop"`` for missing scores; rows with a missing score
            are still weighted, and left out of the NPS.
        population_total: The total to scale shares to.

    Returns:
        The weights with their targets table and diagnostics.

    Raises:
        MissingTargetError: A cell with respondents has no population count.
        EmptyCellError: A cell with a positive population count has no respondents.
        TargetError: A count is negative, NaN, infinite, or zero for a cell with
            respondents; or ``cells`` is malformed.
        InvalidWeightsError: A base weight is not a positive number.

    Examples:
        >>> data = {"score": [10, 9, 3, 8, 6, 10], "region": ["n", "n", "n", "n", "s", "s"]}
        >>> r = poststratify(data, {"n": 500, "s": 500}, by="region")
        >>> r.weights.tolist()
        [125.0, 125.0, 125.0, 125.0, 250.0, 250.0]
        >>> r.targets[1].weighted_total
        500.0
    """
    names = _names(by)
    _population_total(population_total)
    dimension = _CROSS.join(names)
    targets_raw = _cell_targets(cells, names)
    if is_lazy(data):
        reading = Reading(score, weights, cluster, missing)
        return _lazy.poststratify(data, targets_raw, names, reading, population_total)
    table = _read(data, names, score=score, weights=weights, cluster=cluster)
    base = _base_weights(table, weights)
    grouping = combine([table.factor(name) for name in names])
    row_cells, groups, counts, base_totals = _occupied(
        grouping.group_codes(), grouping.n_groups, base
    )
    labels = [grouping.labels(int(g)) for g in groups]
    target, factors = poststratify_factors(
        targets_raw,
        labels,
        counts,
        base_totals,
        names=names,
        base_total=float(base.sum()),
        population_total=population_total,
    )
    w = _calibration.expand(row_cells, factors, base)
    design = _design_se.Calibration("poststratify", row_cells, len(groups), (), w.copy())
    layout = _Layout(
        [dimension],
        [[lv[0] if len(names) == 1 else lv for lv in labels]],
        [np.arange(len(groups), dtype=np.intp)],
        targets=[target],
        counts=counts,
        base_totals=base_totals,
    )
    rows, worst = layout.rows(_design_se.cell_totals(row_cells, w, len(groups)))
    fields: dict[str, Any] = {
        "method": "poststratify",
        "by": names,
        "weights": w,
        "targets": rows,
        "iterations": 0,
        "converged": True,
        "max_target_error": worst,
        "diagnostics": WeightDiagnostics.of(w, distinct=_distinct(factors, counts, base)),
    }
    return _of_table(table, fields, (design, layout, base), (score, missing, cluster))


@_by_frame
def rake(
    data: object,
    margins: Mapping[str, Mapping[Any, float]],
    *,
    score: str | None = "score",
    weights: object = None,
    cluster: str | None = None,
    missing: MissingPolicy = "raise",
    tol: float = 1e-10,
    max_iter: int = 1000,
    normalise: bool = False,
    population_total: float | None = None,
    strict: bool = True,
) -> WeightingResult | CellWeightingResult:
    """Rake (iterative proportional fitting) to the population margins of several columns.

    Rows are collapsed to the crossed cells of the margins first, so each sweep works on
    cell totals, whatever the number of rows. A sweep multiplies, margin after margin, the
    weights of each level by ``target / weighted total``; raking stops when every margin
    total is within ``tol × Σ target`` of its target (the distance to the targets, not
    the change between sweeps). Final weights are ``base × adjustment``, and rescaling
    the base weights does not change them. As R ``rake(design, list(~a, ~b),
    list(pop_a, pop_b))`` or ``calibrate(..., calfun = "raking")``.

    Args:
        data: The responses: a list of ``Response``, a mapping of columns or a dataframe.
            A lazy or distributed frame (polars ``LazyFrame``, DuckDB, Dask, Spark) is
            counted per cell on its engine and gives a ``CellWeightingResult``.
        margins: Column name -> level -> population count or share. Margins given as
            shares (summing to 1) are scaled to the total of the count margins, else to
            ``population_total``, else to the total base weight.
        score: The score column, for the NPS diagnostics (``None`` to skip them).
        weights: Base weights: a column name or an array, all positive (default 1).
        cluster: Optional cluster column for a cluster-robust SE.
        missing: ``"raise"`` or ``"drop"`` for missing scores (rows are still weighted).
        tol: Tolerance on every margin total, relative to the total target weight.
        max_iter: Largest number of sweeps.
        normalise: Turn every margin into shares of the common total (that of the first
            count margin, or ``population_total``) instead of raising when count margins
            disagree.
        population_total: The total to scale shares to.
        strict: Raise when raking does not converge (default); with ``False``, return
            the last weights with ``converged=False``.

    Returns:
        The weights, with sweeps used, convergence, remaining target error, targets table
        and diagnostics.

    Raises:
        MarginTotalsError: Count margins sum to different totals (names each total).
        MissingTargetError: A level in the sample has no target.
        EmptyCellError: A level with a positive target has no respondents.
        TargetError: A target is negative, NaN, infinite, or 0 for a level with
            respondents.
        ConvergenceError: The targets are not met within ``max_iter`` sweeps.
        InvalidParameterError: ``tol`` or ``max_iter`` is out of range.

    Examples:
        >>> data = {
        ...     "score": [10, 9, 3, 8, 6, 10, 7, 2],
        ...     "role": ["dm", "eu", "eu", "eu", "eu", "eu", "dm", "eu"],
        ...     "region": ["n", "n", "s", "s", "n", "n", "s", "n"],
        ... }
        >>> r = rake(data, {"role": {"dm": 0.5, "eu": 0.5}, "region": {"n": 0.4, "s": 0.6}})
        >>> r.converged, [round(t.weighted_total, 6) for t in r.targets]
        (True, [4.0, 4.0, 3.2, 4.8])
    """
    if not isinstance(margins, Mapping) or not margins:
        msg = "margins must map at least one column to its level targets"
        raise InvalidParameterError(msg, name="margins", value=margins)
    check_flag(normalise, "normalise")
    check_flag(strict, "strict")
    if not (isinstance(tol, int | float) and 0 < tol < 1):
        msg = f"tol must be a number between 0 and 1 (relative to the total weight), got {tol!r}"
        raise InvalidParameterError(msg, name="tol", value=tol)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        msg = f"max_iter must be a positive integer, got {max_iter!r}"
        raise InvalidParameterError(msg, name="max_iter", value=max_iter)
    names = _names(list(margins), "margins")
    _population_total(population_total)
    raw = {name: _level_targets(name, margins[name]) for name in names}
    options = RakeOptions(tol, max_iter, normalise, population_total, strict)
    if is_lazy(data):
        return _lazy.rake(data, raw, names, Reading(score, weights, cluster, missing), options)
    table = _read(data, names, score=score, weights=weights, cluster=cluster)
    base = _base_weights(table, weights)
    factors = [table.factor(name) for name in names]
    grouping = combine(factors)
    row_cells, groups, counts, base_totals = _occupied(
        grouping.group_codes(), grouping.n_groups, base
    )
    keys = grouping.key_codes[groups]
    targets, fit, member = rake_fit(
        names,
        raw,
        [f.levels for f in factors],
        keys,
        counts=counts,
        base_totals=base_totals,
        options=options,
        base_total=float(base.sum()),
    )
    w = _calibration.expand(row_cells, fit.factors, base)
    design = _design_se.Calibration("rake", row_cells, len(groups), member, w.copy())
    layout = _Layout(
        list(names),
        [list(f.levels) for f in factors],
        list(member),
        targets=targets,
        counts=counts,
        base_totals=base_totals,
    )
    rows, worst = layout.rows(_design_se.cell_totals(row_cells, w, len(groups)))
    rows = tuple(r for r in rows if r.respondents > 0 or r.target > 0)
    fields: dict[str, Any] = {
        "method": "rake",
        "by": names,
        "weights": w,
        "targets": rows,
        "iterations": fit.iterations,
        "converged": fit.converged,
        "max_target_error": worst,
        "tol": tol,
        "diagnostics": WeightDiagnostics.of(w, distinct=_distinct(fit.factors, counts, base)),
    }
    return _of_table(table, fields, (design, layout, base), (score, missing, cluster))


@overload
def trim(
    result_or_weights: CellWeightingResult,
    *,
    upper: float,
    lower: float | None = None,
    relative_to: Literal["absolute", "mean"] = "absolute",
    max_iter: int = 10_000,
) -> CellWeightingResult: ...


@overload
def trim(
    result_or_weights: WeightingResult | Sequence[float] | NDArray[np.float64],
    *,
    upper: float,
    lower: float | None = None,
    relative_to: Literal["absolute", "mean"] = "absolute",
    max_iter: int = 10_000,
) -> WeightingResult: ...


def trim(
    result_or_weights: WeightingResult
    | CellWeightingResult
    | Sequence[float]
    | NDArray[np.float64],
    *,
    upper: float,
    lower: float | None = None,
    relative_to: Literal["absolute", "mean"] = "absolute",
    max_iter: int = 10_000,
) -> WeightingResult | CellWeightingResult:
    """Trim weights to ``[lower, upper]`` and share the trimmed amount, keeping the total.

    Each pass caps the weights above ``upper`` (and raises those below ``lower``), then
    adds the trimmed amount in equal parts to the weights inside the bounds; passes
    repeat until no weight is outside (R ``trimWeights(design, upper, lower, strict =
    TRUE)``). A trimmed post-stratified or raked result keeps its calibration for the
    SE, as R does.

    Args:
        result_or_weights: A weighting result, or plain positive weights. The result
            of a lazy frame has its cells' weights trimmed, which is exact when every row
            of a cell has the same weight: without base weights, or with base weights
            equal within each cell; base weights that differ within a cell are refused
            (which rows cross a bound depends on each of them).
        upper: The cap: a weight, or a multiple of the mean weight with
            ``relative_to="mean"`` (such as 5). Use ``math.inf`` for no cap.
        lower: Optional floor, in the same units.
        relative_to: ``"absolute"`` (default) or ``"mean"``.
        max_iter: Largest number of passes.

    Returns:
        A result with the trimmed weights, passes used and how many weights were trimmed.

    Raises:
        InvalidParameterError: The bounds are not numbers, ``lower >= upper``, a
            bound makes keeping the total impossible (a cap below the mean weight), or
            the result of a lazy frame has base weights that differ within a cell.
        ConvergenceError: Weights are still outside after ``max_iter`` passes.
        InvalidWeightsError: Plain weights are not positive numbers.

    Examples:
        >>> r = trim([1.0, 1.0, 1.0, 1.0, 6.0], upper=2.0, relative_to="mean")
        >>> r.weights.tolist(), r.diagnostics.total
        ([1.5, 1.5, 1.5, 1.5, 4.0], 10.0)
    """
    counts = None
    if isinstance(result_or_weights, CellWeightingResult):
        source: WeightingResult | None = None
        w, counts = _lazy.trimmable(result_or_weights)
    elif isinstance(result_or_weights, WeightingResult):
        source = result_or_weights
        w = result_or_weights.weights
    else:
        source = None
        w = _positive(validate_weights(result_or_weights, _length(result_or_weights)), "weights")
    check_choice(relative_to, "relative_to", ("absolute", "mean"))
    mean = (
        (float(w.mean()) if counts is None else float(w @ counts) / counts.sum()) if len(w) else 0.0
    )
    scale = mean if relative_to == "mean" and len(w) else 1.0
    cap = _bound(upper, "upper") * scale
    floor = -math.inf if lower is None else _bound(lower, "lower") * scale
    if floor >= cap:
        msg = f"lower ({floor:.6g}) must be below upper ({cap:.6g})"
        raise InvalidParameterError(msg, name="lower", value=lower)
    if cap < mean or floor > mean:
        bad, value = ("upper", cap) if cap < mean else ("lower", floor)
        msg = (
            f"{bad} = {value:.6g} is {'below' if bad == 'upper' else 'above'} the mean weight "
            f"{mean:.6g}: the total cannot be kept with every weight "
            f"{'at most' if bad == 'upper' else 'at least'} that"
        )
        raise InvalidParameterError(msg, name=bad, value=value)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        msg = f"max_iter must be a positive integer, got {max_iter!r}"
        raise InvalidParameterError(msg, name="max_iter", value=max_iter)
    trimmed, passes, done = _calibration.trim(
        w, upper=cap, lower=floor, max_iter=max_iter, counts=counts
    )
    if not done:
        outside = int(np.count_nonzero((trimmed > cap) | (trimmed < floor)))
        msg = (
            f"trimming left {outside} weights outside [{floor:.6g}, {cap:.6g}] after "
            f"{passes} passes; widen the bounds or raise max_iter"
        )
        worst = float(np.max(np.maximum(trimmed - cap, floor - trimmed)))
        raise ConvergenceError(msg, iterations=passes, max_error=worst)
    if isinstance(result_or_weights, CellWeightingResult):
        return _lazy.trimmed(
            result_or_weights, trimmed, bounds=(cap, floor), passes=passes, done=done
        )
    n_trimmed = int(np.count_nonzero((trimmed >= cap) | (trimmed <= floor)))
    targets: tuple[TargetRow, ...] = ()
    worst_target = 0.0
    layout = None if source is None else source.source.layout
    design = None if source is None else source.design.calibration
    if isinstance(layout, _Layout) and design is not None:
        targets, worst_target = layout.rows(
            _design_se.cell_totals(design.cells, trimmed, design.n_cells)
        )
        targets = tuple(r for r in targets if r.respondents > 0 or r.target > 0)
    fields: dict[str, Any] = {
        "method": "trim",
        "by": () if source is None else source.by,
        "weights": trimmed,
        "n": len(trimmed),
        "targets": targets,
        "iterations": passes,
        "converged": done,
        "max_target_error": worst_target,
        "tol": None if source is None else source.tol,
        "upper": cap if math.isfinite(cap) else None,
        "lower": floor if math.isfinite(floor) else None,
        "n_trimmed": n_trimmed,
        "cluster": None if source is None else source.cluster,
        "diagnostics": WeightDiagnostics.of(trimmed),
    }
    return _finish(
        fields,
        calibration=design,
        scores=None if source is None else source.source.scores,
        clusters=None if source is None else source.design.clusters,
        base=None if source is None else source.source.base,
        layout=layout,
    )


def _length(weights: object) -> int:
    try:
        return len(weights)  # type: ignore[arg-type]
    except TypeError:
        msg = f"weights must be a weighting result or a sequence of numbers, got {weights!r}"
        raise InvalidWeightsError(msg) from None


def _bound(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"{name} must be a number, got {value!r}"
        raise InvalidParameterError(msg, name=name, value=value)
    number = float(value)
    if math.isnan(number) or number < 0:
        msg = f"{name} must be a non-negative number, got {value!r}"
        raise InvalidParameterError(msg, name=name, value=value)
    return number
