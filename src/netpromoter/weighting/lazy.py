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
from netpromoter.exceptions import InvalidParameterError, InvalidWeightsError, SmallSampleWarning
from netpromoter.weighting.build import _Layout
from netpromoter.weighting.diagnostics import WeightDiagnostics
from netpromoter.weighting.fit import RakeOptions, poststratify_factors, rake_fit
from netpromoter.weighting.result import (
    CellSource,
    CellWeight,
    CellWeightingResult,
)
from netpromoter.weighting.targets import Reading, base_weights_name, zero_weights_message

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
    positive: bool = True,
) -> EngineTally:
    """The engine's tally per cell of ``names`` (and score), base weights as the weights.

    Base weights must be positive to be weighted up (as in memory): with ``positive``
    the engine counts the zero weights in the same aggregate (negative, null and NaN
    weights it refuses anyway).

    Raises:
        InvalidWeightsError: With ``positive``, when a base weight is 0.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    frame: Any = data
    if score is None:  # a constant score: only the cell counts are used
        frame = nw.from_native(data).with_columns(nw.lit(10).alias(_SCORE))  # type: ignore[call-overload]
    engine = engine_tally(
        frame,
        score=_SCORE if score is None else score,
        weights=weights,
        by=names,
        missing=missing,
        describe_weights=positive,
    )
    if engine.n_zero_weights:
        where = "rows of a lazy frame have no positions"
        msg = zero_weights_message(engine.n_zero_weights, base_weights_name(weights), where)
        raise InvalidWeightsError(msg)
    return engine


def level_totals(
    data: object, name: str, weights: object
) -> tuple[tuple[object, ...], NDArray[np.int64], NDArray[np.float64]]:
    """The levels of ``name``, rows per level and their total base weight, on the engine."""
    engine = _cell_table(
        data, (name,), score=None, weights=weights, missing="raise", positive=False
    )
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
        engine.weight_range,
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
            design.factors, counts, *(() if design.base is None else (sums, source.ranges))
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


def _engine_cells(
    data: object, names: tuple[str, ...], reading: Reading
) -> tuple[EngineTally, CellSource]:
    """The engine's tally per cell of ``names`` and the cell table read from it."""
    _no_cluster(reading.cluster)
    engine = _cell_table(
        data, names, score=reading.score, weights=reading.weights, missing=reading.missing
    )
    return engine, _cells_of(engine, scored=reading.score is not None)


def poststratify(
    data: object,
    targets_raw: dict[tuple[object, ...], float],
    names: tuple[str, ...],
    reading: Reading,
    population_total: float | None,
) -> CellWeightingResult:
    """``poststratify`` of a lazy frame (see it): factors per cell, from the engine's cells."""
    engine, cells = _engine_cells(data, names, reading)
    counts, sum_d = cells.counts, cells.sums[0]
    labels = [engine.labels(g) for g in range(len(counts))]
    target, factors = poststratify_factors(
        targets_raw, labels, counts, sum_d, names=names, population_total=population_total
    )
    design = _design(
        engine,
        names,
        reading.weights,
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
    names: tuple[str, ...],
    reading: Reading,
    options: RakeOptions,
) -> CellWeightingResult:
    """``rake`` of a lazy frame (see it): factors per cell, from the engine's cells."""
    engine, cells = _engine_cells(data, names, reading)
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
        reading.weights,
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
    """The weight of each cell's rows and their number, for ``trim``.

    Trimming caps the weights outside the bounds and shares the excess among the
    others, pass after pass; it is exact on the cell table when every row of a cell has
    the same weight: without base weights, or with base weights equal within each cell
    (the engine found each cell's smallest and largest base weight equal).

    Raises:
        InvalidParameterError: When base weights differ within a cell (see the message).
    """
    design, source = result.design, result.source
    if design.base is None:
        return np.asarray(design.factors), source.counts
    low, high = source.ranges or (np.full(len(source.counts), np.nan),) * 2
    differ = np.flatnonzero(~(low == high))
    if len(differ):
        c = int(differ[0])
        label = " × ".join(map(str, design.labels[c]))
        msg = (
            f"cannot trim on the engine: the base weights {design.base!r} differ within "
            f"{len(differ)} of the {len(low)} weighting cells (in {label}, from "
            f"{low[c]:.6g} to {high[c]:.6g}), so the rows of a cell have different weights "
            "base × factor. Trimming caps each weight outside the bounds and shares the "
            "excess among the others, pass after pass: which rows cross a bound depends on "
            "every base weight of the cell, which the cell table (rows, sum and range of "
            "the base weights) does not hold, and the trimmed weights would no longer be "
            "base × one factor per cell. Trim the base weights before weighting, use base "
            "weights that are equal within each cell, or collect the frame and weight it "
            "in memory"
        )
        raise InvalidParameterError(msg, name="weights", value=design.base)
    return design.factors * low, source.counts


def trimmed(
    result: CellWeightingResult,
    weights: NDArray[np.float64],
    *,
    bounds: tuple[float, float],
    passes: int,
    done: bool,
) -> CellWeightingResult:
    """The result with the weight of each cell's rows trimmed to ``weights``.

    ``bounds``: the cap and the floor. With base weights (equal within each cell, see
    ``trimmable``) a cell's factor is its trimmed weight over its base weight.
    """
    design, source = result.design, result.source
    cap, floor = bounds
    per_unit = (
        weights if design.base is None or source.ranges is None else weights / source.ranges[0]
    )
    new = CellDesign(
        columns=design.columns,
        base=design.base,
        labels=design.labels,
        factors=per_unit,
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
        "n_trimmed": int(source.counts[(weights >= cap) | (weights <= floor)].sum()),
    }
    return _finish(fields, design=new, source=source)
