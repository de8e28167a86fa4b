"""Applying a cell weighting to a frame: each row's weight as one engine expression.

A weighting of a lazy or distributed frame holds one factor per cell of its weighting
columns (see [`CellDesign`][netpromoter._stats.cells.CellDesign]). ``with_weights``
writes ``base × factor`` of each row's cell into the frame as one expression that the
frame's engine evaluates; nothing is collected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netpromoter._labels import MISSING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from netpromoter._stats.cells import CellDesign


def with_weights(design: CellDesign, frame: object, name: str) -> Any:  # noqa: ANN401
    """The native ``frame`` with the weight ``base × factor`` of each row's cell as ``name``."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    lazy: Any = nw.from_native(frame)
    schema = lazy.collect_schema()
    weight: Any = nw.lit(None, dtype=nw.Float64)
    for label, factor in reversed(list(zip(design.labels, design.factors, strict=True))):
        condition = _matches(design.columns, label, schema)
        weight = nw.when(condition).then(nw.lit(float(factor))).otherwise(weight)
    if design.base is not None:
        weight = weight * nw.col(design.base).cast(nw.Float64)
    return lazy.with_columns(weight.cast(nw.Float64).alias(name)).to_native()


def _matches(columns: Sequence[str], label: tuple[object, ...], schema: Any) -> Any:  # noqa: ANN401
    """The condition that a row is in the cell ``label`` (its ``"(missing)"`` is null)."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    parts = []
    for column, level in zip(columns, label, strict=True):
        dtype = schema[column]
        x = nw.col(column)
        if isinstance(dtype, nw.Categorical | nw.Enum):
            x = x.cast(nw.String)
        if isinstance(level, str) and level == MISSING:
            missing = x.is_null()
            if dtype.is_float():
                missing = missing | x.is_nan()
            parts.append(missing.fill_null(value=True))
        else:
            parts.append((x == level).fill_null(value=False))
    return nw.all_horizontal(*parts, ignore_nulls=False)
