"""What to weight and what to weight it to: the rows, base weights and population targets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray  # noqa: TC002 - pydantic resolves the weights annotation

from netpromoter._count import CHUNK
from netpromoter._input.columns import Table, read_table
from netpromoter._labels import MISSING
from netpromoter._stats import design as _design_se
from netpromoter._validation import (
    check_names,
    check_number,
)
from netpromoter.exceptions import (
    EmptyCellError,
    InvalidWeightsError,
    MarginTotalsError,
    MissingTargetError,
    TargetError,
    WeightingError,
)
from netpromoter.weighting.result import _CROSS, _label

if TYPE_CHECKING:
    from netpromoter._input.factors import Factor
    from netpromoter._validation import MissingPolicy

#: Margins given as shares sum to 1 within this (float rounding of typed shares).
SHARE_TOLERANCE = 1e-6
#: Count margins must agree to this relative precision (then they are made equal).
TOTAL_TOLERANCE = 1e-9


def _names(by: str | Sequence[str], what: str = "by") -> tuple[str, ...]:
    return check_names(by, what)


def _population_total(value: object) -> None:
    """Refuse a ``population_total`` that is not a positive, finite number."""
    if value is not None:
        check_number(value, "population_total", minimum=0, strict=True)


class Reading(NamedTuple):
    """Which columns a weighting reads, and what it does with rows without a score."""

    score: str | None
    weights: object
    cluster: str | None
    missing: MissingPolicy


def _read(
    data: object,
    dims: Sequence[str],
    *,
    score: str | None,
    weights: object,
    cluster: str | None,
    extra: Sequence[str] = (),
) -> Table:
    columns = list(dims) + list(extra)
    if score is not None:
        columns.append(score)
    if isinstance(weights, str):
        columns.append(weights)
    if cluster is not None:
        columns.append(cluster)
    return read_table(data, columns)


def _base_weights(table: Table, weights: object) -> NDArray[np.float64]:
    """Base weights (ones when ``None``); every weight must be positive."""
    if weights is None:
        return np.ones(table.n_rows, dtype=np.float64)
    w = table.weights(weights)
    if w is None:  # pragma: no cover - weights is not None here
        return np.ones(table.n_rows, dtype=np.float64)
    return _positive(w, base_weights_name(weights))


def _positive(w: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    zero = np.flatnonzero(w <= 0)
    if len(zero):
        shown = ", ".join(str(int(i)) for i in zero[:5]) + (" ..." if len(zero) > 5 else "")  # noqa: PLR2004
        msg = zero_weights_message(len(zero), what, f"rows {shown}")
        raise InvalidWeightsError(msg, positions=zero.tolist())
    return w


def base_weights_name(weights: object) -> str:
    """How messages name the base weights: their column, or plain base weights."""
    return f"base weights in column {weights!r}" if isinstance(weights, str) else "base weights"


def zero_weights_message(n_zero: int, what: str, where: str) -> str:
    """The message for ``n_zero`` weights ``what`` that are 0, at ``where``."""
    return (
        f"{n_zero} {what} are zero ({where}); weights must be positive: a respondent "
        "with weight 0 cannot be weighted up, so drop those rows explicitly before weighting"
    )


def _cluster_codes(table: Table, cluster: str | None) -> NDArray[np.intp] | None:
    if cluster is None:
        return None
    return _cluster_factor(table, cluster).codes.astype(np.intp)


def _cluster_factor(table: Table, name: str) -> Factor:
    """The cluster (account) column as a factor; a row without a cluster is an error."""
    factor = table.factor(name)
    if MISSING in factor.levels:
        code = factor.levels.index(MISSING)
        rows = np.flatnonzero(factor.codes == code)
        shown = ", ".join(str(int(i)) for i in rows[:5]) + (" ..." if len(rows) > 5 else "")  # noqa: PLR2004
        msg = (
            f"{len(rows)} rows have no {name} (rows {shown}); every respondent needs one "
            "to be clustered or rolled up: fill them in or drop those rows explicitly"
        )
        raise WeightingError(msg, dimension=name, level=MISSING)
    return factor


def _number(value: object, dimension: str, level: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"target for {dimension} = {_label(level)!r} must be a number, got {value!r}"
        raise TargetError(msg, dimension=dimension, level=level)
    number = float(value)
    if not math.isfinite(number) or number < 0:
        msg = (
            f"target for {dimension} = {_label(level)!r} is {value!r}; targets must be "
            "finite, non-negative counts or shares"
        )
        raise TargetError(msg, dimension=dimension, level=level)
    return number


def _is_share(total: float) -> bool:
    return abs(total - 1.0) <= SHARE_TOLERANCE


def _frame_of_counts(cells: object, by: tuple[str, ...]) -> dict[object, object]:
    """Read a table of counts (the ``by`` columns and one count column) into a mapping."""
    dimension = _CROSS.join(by)
    probe = read_table(cells, list(by))
    extra = [c for c in probe.available if c not in by]
    if len(extra) != 1:
        msg = (
            f"a table of population counts must have the columns {list(by)!r} and exactly "
            f"one more column with the counts; it has {list(probe.available)!r}"
        )
        raise TargetError(msg, dimension=dimension)
    table = read_table(cells, [*by, extra[0]])
    keys = list(zip(*(table.values(name).tolist() for name in by), strict=True))
    counts = table.values(extra[0]).tolist()
    out: dict[object, object] = {}
    for key, count in zip(keys, counts, strict=True):
        if key in out:
            msg = f"the population table lists {dimension} = {_label(key)!r} twice"
            raise TargetError(msg, dimension=dimension, level=key)
        out[key] = count
    return out


def _is_frame(cells: object, by: tuple[str, ...]) -> bool:
    if isinstance(cells, Mapping):
        values = list(cells.values())
        return (
            bool(values)
            and set(by) <= set(cells)
            and all(isinstance(v, Sequence | np.ndarray) and not isinstance(v, str) for v in values)
        )
    return type(cells).__module__.split(".")[0] in {"pandas", "polars", "pyarrow", "narwhals"}


def _cell_targets(cells: object, by: tuple[str, ...]) -> dict[tuple[object, ...], float]:
    dimension = _CROSS.join(by)
    raw = _frame_of_counts(cells, by) if _is_frame(cells, by) else cells
    if not isinstance(raw, Mapping):
        msg = (
            "cells must map each cell (a tuple of levels in `by` order) to its population "
            f"count, or be a table of counts; got {type(cells).__name__}"
        )
        raise TargetError(msg, dimension=dimension)
    out: dict[tuple[object, ...], float] = {}
    for key, value in raw.items():
        level = key if isinstance(key, tuple) else (key,)
        if len(level) != len(by):
            msg = (
                f"cell {key!r} has {len(level)} levels but by has {len(by)} columns "
                f"{list(by)!r}; key cells by a tuple of levels in that order"
            )
            raise TargetError(msg, dimension=dimension, level=key)
        out[level] = _number(value, dimension, level)
    return out


def _level_targets(dimension: str, raw: object) -> dict[object, float]:
    if not isinstance(raw, Mapping):
        msg = f"targets of {dimension!r} must map each level to a count or share, got {raw!r}"
        raise TargetError(msg, dimension=dimension)
    return {level: _number(value, dimension, level) for level, value in raw.items()}


def _occupied(
    codes: NDArray[np.unsignedinteger[Any]], n_groups: int, base: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64], NDArray[np.float64]]:
    """Renumber groups to occupied cells: (cell per row, group of each cell, counts, base)."""
    counts = np.zeros(n_groups, dtype=np.int64)
    for start in range(0, len(codes), CHUNK):
        # numpy < 2.2.4 refuses uint64 (the codes of int64 columns) in bincount.
        chunk = codes[start : start + CHUNK].astype(np.intp, copy=False)
        counts += np.bincount(chunk, minlength=n_groups)
    groups = np.flatnonzero(counts)
    lut = np.full(n_groups, -1, dtype=np.intp)
    lut[groups] = np.arange(len(groups))
    cells = np.empty(len(codes), dtype=np.intp)
    for start in range(0, len(codes), CHUNK):
        cells[start : start + CHUNK] = lut[codes[start : start + CHUNK]]
    base_totals = _design_se.cell_totals(cells, base, len(groups))
    return cells, groups.astype(np.intp), counts[groups], base_totals


def _scale_targets(
    totals: dict[str, float], population_total: float | None, base_total: float
) -> tuple[float, dict[str, float]]:
    """The common population total and each target set's scale factor (shares -> counts)."""
    counts = {name: t for name, t in totals.items() if not _is_share(t)}
    if population_total is not None:
        reference = _number(population_total, "population_total", None)
    elif counts:
        reference = next(iter(counts.values()))
    else:
        reference = base_total
    return reference, {name: reference / t if t > 0 else 1.0 for name, t in totals.items()}


def _missing_target(
    dimension: str, level: object, count: int, names: tuple[str, ...]
) -> MissingTargetError:
    shown = level[0] if isinstance(level, tuple) and len(names) == 1 else level
    hint = (
        " (missing values in the data form this level: fill them or drop those rows)"
        if "(missing)" in (level if isinstance(level, tuple) else (level,))
        else ""
    )
    msg = (
        f"{count} respondents have {dimension} = {_label(level)!r}, which has no "
        f"population target{hint}; give a target for every level in the sample"
    )
    return MissingTargetError(msg, dimension=dimension, level=shown)


def _empty_cell(dimension: str, level: object, value: float) -> EmptyCellError:
    msg = (
        f"{dimension} = {_label(level)!r} has a population target of {value:,.6g} but no "
        "respondents: nothing can be weighted up to it; collapse it with a neighbouring "
        "level or remove it from the targets"
    )
    shown = level[0] if isinstance(level, tuple) and len(level) == 1 else level
    return EmptyCellError(msg, dimension=dimension, level=shown)


def _margin_arrays(
    name: str,
    levels: Sequence[object],
    raw: dict[object, float],
    present: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Targets aligned with a column's levels; checks both directions."""
    targets = np.zeros(len(levels))
    for code, level in enumerate(levels):
        if not present[code]:
            continue
        if level not in raw:
            raise _missing_target(name, (level,), int(present[code]), (name,))
        if raw[level] == 0:
            msg = (
                f"the target of {name} = {level!r} is 0 but respondents have that level: "
                "their weights would be 0; drop them explicitly or give the level's target"
            )
            raise TargetError(msg, dimension=name, level=level)
        targets[code] = raw[level]
    known = {lv for code, lv in enumerate(levels) if present[code]}
    for level, value in raw.items():
        if value > 0 and level not in known:
            raise _empty_cell(name, (level,), value)
    return targets


def _reconcile(
    targets: list[NDArray[np.float64]],
    totals: dict[str, float],
    *,
    normalise: bool,
    population_total: float | None,
    base_total: float,
) -> list[NDArray[np.float64]]:
    """Scale share margins to counts and check count margins agree (or normalise)."""
    counts = {n: t for n, t in totals.items() if not _is_share(t)}
    if counts and not normalise:
        first_name, first = next(iter(counts.items()))
        off = {n: t for n, t in counts.items() if abs(t - first) > TOTAL_TOLERANCE * first}
        if off:
            listed = ", ".join(f"{n!r} sums to {t:,.10g}" for n, t in counts.items())
            msg = (
                f"raking margins must describe the same population, but {listed}; fix the "
                "targets, or pass normalise=True to use each margin as shares of "
                f"{first:,.10g} (the total of {first_name!r})"
            )
            raise MarginTotalsError(msg, totals=totals)
        if population_total is not None and abs(population_total - first) > TOTAL_TOLERANCE * first:
            msg = (
                f"population_total is {population_total:,.10g} but the margin {first_name!r} "
                f"sums to {first:,.10g}"
            )
            raise MarginTotalsError(msg, totals={**totals, "population_total": population_total})
    reference, _ = _scale_targets(totals, population_total, base_total)
    out = []
    for target in targets:
        total = float(target.sum())
        out.append(target * (reference / total) if total > 0 else target)
    return out
