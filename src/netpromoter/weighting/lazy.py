"""Weighting a lazy or distributed frame: the cell table leaves the engine, nothing else.

``poststratify`` and ``rake`` on a polars ``LazyFrame``, a DuckDB relation, a Dask or
a Spark DataFrame ask the engine for one aggregate: per cell of the weighting columns
and per score, the rows, the sum of the base weights and of their squares (the engine
tally, see [`engine_tally`][netpromoter._input.engine.engine_tally]). The calibration
runs locally on that cell table, as it does in memory (the in-memory functions collapse
rows to the same cells first), and the result holds one factor per cell and the cell
design: a row's weight is its base weight times its cell's factor. Features given the
result with the same frame apply the factors to their own per-cell aggregate (see
[`netpromoter._input.cells`][netpromoter._input.cells]); ``apply`` writes the weights
into the frame as an expression.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter._input.engine import engine_tally
from netpromoter._scale import by_category
from netpromoter._stats.cells import CellCounts, CellDesign, cell_se
from netpromoter._tally import Tally
from netpromoter.core import _build_result
from netpromoter.exceptions import InvalidParameterError, SmallSampleWarning
from netpromoter.weighting.build import _Layout
from netpromoter.weighting.fit import RakeOptions, poststratify_factors, rake_fit
from netpromoter.weighting.result import (
    CellSource,
    CellWeight,
    CellWeightingResult,
    WeightDiagnostics,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._input.engine import EngineTally
    from netpromoter._stats.design import Kind
    from netpromoter._validation import MissingPolicy

_SCORE = "__nps_constant_score"


def _no_cluster(cluster: str | None) -> None:
    if cluster is not None:
        msg = (
            f"cluster={cluster!r}: a cluster-robust SE sums influence values per cluster, "
            "row by row, which a lazy frame does not hand over; collect the columns to "
            "weight with clusters"
        )
        raise InvalidParameterError(msg, name="cluster", value=cluster)


def _cell_table(
    data: object,
    names: tuple[str, ...],
    *,
    score: str | None,
    weights: object,
    missing: MissingPolicy,
) -> EngineTally:
    """The engine's tally per cell of ``names`` (and score), base weights as the weights."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    frame: Any = data
    if score is None:  # a constant score: only the cell counts are used
        frame = nw.from_native(data).with_columns(nw.lit(10).alias(_SCORE))  # type: ignore[call-overload]
    return engine_tally(
        frame,
        score=_SCORE if score is None else score,
        weights=weights,
        by=names,
        missing=missing,
    )


def level_totals(
    data: object, name: str, weights: object
) -> tuple[tuple[object, ...], NDArray[np.int64], NDArray[np.float64]]:
    """The levels of ``name``, rows per level and their total base weight, on the engine."""
    engine = _cell_table(data, (name,), score=None, weights=weights, missing="raise")
    cells = _cells_of(engine, scored=False)
    counts, sum_d = cells.counts, cells.sums[0]
    levels = engine.levels[0]
    codes = engine.key_codes[:, 0]
    return (
        levels,
        np.bincount(codes, weights=counts, minlength=len(levels)).astype(np.int64),
        np.bincount(codes, weights=sum_d, minlength=len(levels)).astype(np.float64),
    )


def _cells_of(engine: EngineTally, *, scored: bool) -> CellSource:
    """Rows, Σ d and Σ d² per cell (missing scores too), and per category when ``scored``.

    The layout is set once the targets are known.
    """
    t = engine.tally
    miss_d, miss_d2 = engine.missing_w or (engine.n_missing, engine.n_missing)
    per_category = CellCounts(
        by_category(t.count)[None],
        by_category(t.sum_w)[None],
        by_category(t.sum_w2)[None],
        np.stack([engine.n_missing.astype(np.float64), miss_d, miss_d2]),
    )
    return CellSource(
        None,
        (t.count.sum(axis=1) + engine.n_missing).astype(np.int64),
        (t.sum_w.sum(axis=1) + miss_d, t.sum_w2.sum(axis=1) + miss_d2),
        per_category if scored else None,
        int(engine.n_missing.sum()),
    )


def _nps(design: CellDesign, counts: CellCounts, n_missing: int) -> tuple[Any, Any, float | None]:
    """The NPS unweighted, weighted with the design's SE, and the plain-weights SE."""
    n = counts.count[0]
    if not n.sum():
        return None, None, None
    t = design.factors[:, None]
    unweighted = Tally(
        n.sum(axis=0, keepdims=True).astype(np.int64), n.sum(0)[None], n.sum(0)[None]
    )
    weighted = Tally(
        unweighted.count,
        (t * counts.sum_d[0]).sum(axis=0, keepdims=True),
        (t * t * counts.sum_d2[0]).sum(axis=0, keepdims=True),
    )
    options: dict[str, Any] = {"n_missing": n_missing, "method": "wald", "confidence_level": 0.95}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        se = float(cell_se(design, counts)[0])
        return (
            _build_result(unweighted, weighted=False, **options),
            _build_result(weighted, weighted=True, design_se=se, **options),
            _build_result(weighted, weighted=True, **options).se,
        )


def _finish(
    fields: dict[str, Any], *, design: CellDesign, source: CellSource
) -> CellWeightingResult:
    """The result: targets table, cells, diagnostics and NPS from the cell table."""
    counts, sums = source.counts, source.sums
    totals = design.factors * sums[0]
    rows, worst = source.layout.rows(totals)
    if design.kind == "rake":
        rows = tuple(r for r in rows if r.respondents > 0 or r.target > 0)
    single = len(design.columns) == 1
    cells = tuple(
        CellWeight(
            level=label[0] if single else label,
            respondents=int(c),
            base_total=float(b),
            factor=float(f),
            weighted_total=float(w),
        )
        for label, c, b, f, w in zip(
            design.labels, counts, sums[0], design.factors, totals, strict=True
        )
    )
    unweighted, weighted, plain = (None, None, None)
    if source.per_category is not None:
        unweighted, weighted, plain = _nps(design, source.per_category, source.n_missing)
    return CellWeightingResult(
        **fields,
        base=design.base,
        n=design.n,
        max_target_error=worst,
        targets=rows,
        cells=cells,
        diagnostics=WeightDiagnostics.of_cells(
            design.factors, counts, None if design.base is None else sums
        ),
        unweighted=unweighted,
        weighted=weighted,
        se_plain_weights=plain,
        cell_design=design,
        cell_source=source,
    )


def _design(
    engine: EngineTally,
    names: tuple[str, ...],
    weights: object,
    *,
    factors: NDArray[np.float64],
    kind: Kind,
    margins: tuple[NDArray[np.intp], ...],
    n: int,
) -> CellDesign:
    return CellDesign(
        columns=names,
        base=weights if isinstance(weights, str) else None,
        labels=tuple(engine.labels(g) for g in range(len(engine.key_codes))),
        factors=factors,
        calibrated=factors.copy(),
        kind=kind,
        margins=margins,
        n=n,
    )


def poststratify(
    data: object,
    targets_raw: dict[tuple[object, ...], float],
    *,
    names: tuple[str, ...],
    score: str | None,
    weights: object,
    cluster: str | None,
    missing: MissingPolicy,
    population_total: float | None,
) -> CellWeightingResult:
    """``poststratify`` of a lazy frame (see it): factors per cell, from the engine's cells."""
    _no_cluster(cluster)
    engine = _cell_table(data, names, score=score, weights=weights, missing=missing)
    cells = _cells_of(engine, scored=score is not None)
    counts, sum_d = cells.counts, cells.sums[0]
    labels = [engine.labels(g) for g in range(len(counts))]
    target, factors = poststratify_factors(
        targets_raw,
        labels,
        counts,
        sum_d,
        names=names,
        base_total=float(sum_d.sum()),
        population_total=population_total,
    )
    design = _design(
        engine,
        names,
        weights,
        factors=factors,
        kind="poststratify",
        margins=(),
        n=int(counts.sum()),
    )
    layout = _Layout(
        [" × ".join(names)],
        [[lv[0] if len(names) == 1 else lv for lv in labels]],
        [np.arange(len(counts), dtype=np.intp)],
        targets=[target],
        counts=counts,
        base_totals=sum_d,
    )
    fields: dict[str, Any] = {
        "method": "poststratify",
        "by": names,
        "iterations": 0,
        "converged": True,
    }
    return _finish(fields, design=design, source=replace(cells, layout=layout))


def rake(
    data: object,
    raw: dict[str, dict[object, float]],
    *,
    names: tuple[str, ...],
    score: str | None,
    weights: object,
    cluster: str | None,
    missing: MissingPolicy,
    options: RakeOptions,
) -> CellWeightingResult:
    """``rake`` of a lazy frame (see it): factors per cell, from the engine's cells."""
    _no_cluster(cluster)
    engine = _cell_table(data, names, score=score, weights=weights, missing=missing)
    cells = _cells_of(engine, scored=score is not None)
    counts, sum_d = cells.counts, cells.sums[0]
    targets, fit, member = rake_fit(
        names,
        raw,
        engine.levels,
        engine.key_codes,
        counts=counts,
        base_totals=sum_d,
        options=options,
        base_total=float(sum_d.sum()),
    )
    design = _design(
        engine,
        names,
        weights,
        factors=fit.factors,
        kind="rake",
        margins=member,
        n=int(counts.sum()),
    )
    layout = _Layout(
        list(names),
        [list(levels) for levels in engine.levels],
        list(member),
        targets=targets,
        counts=counts,
        base_totals=sum_d,
    )
    fields: dict[str, Any] = {
        "method": "rake",
        "by": names,
        "iterations": fit.iterations,
        "converged": fit.converged,
        "tol": options.tol,
    }
    return _finish(fields, design=design, source=replace(cells, layout=layout))


def trimmable(result: CellWeightingResult) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The weights of a lazy frame's cells and their rows, for ``trim``.

    Raises:
        InvalidParameterError: When the frame has base weights (the weights within a
            cell then differ, and trimming needs each of them).
    """
    design = result.design
    if design.base is not None:
        msg = (
            "trimming needs every weight, but the weights of a cell differ with the base "
            f"weights {design.base!r} and stay on the engine; trim the base weights "
            "before weighting, or collect the frame"
        )
        raise InvalidParameterError(msg, name="weights", value=design.base)
    return np.asarray(design.factors), result.source.counts


def trimmed(
    result: CellWeightingResult,
    factors: NDArray[np.float64],
    *,
    bounds: tuple[float, float],
    passes: int,
    done: bool,
) -> CellWeightingResult:
    """The result with its cells' weights trimmed to ``factors`` (``bounds``: cap, floor)."""
    design, source = result.design, result.source
    cap, floor = bounds
    new = CellDesign(
        columns=design.columns,
        base=None,
        labels=design.labels,
        factors=factors,
        calibrated=np.asarray(design.calibrated).copy(),
        kind=design.kind,
        margins=design.margins,
        n=design.n,
    )
    fields: dict[str, Any] = {
        "method": "trim",
        "by": result.by,
        "iterations": passes,
        "converged": done,
        "tol": result.tol,
        "upper": cap if math.isfinite(cap) else None,
        "lower": floor if math.isfinite(floor) else None,
        "n_trimmed": int(source.counts[(factors >= cap) | (factors <= floor)].sum()),
    }
    return _finish(fields, design=new, source=source)
