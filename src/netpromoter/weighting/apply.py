"""Writing the weights of a lazy frame's weighting into the frame, as an expression.

A row's weight is its base weight times its cell's factor; the factor is chosen by one
``when``/``then`` per cell on the weighting columns, so the engine computes it where the
rows are and nothing leaves the engine.
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
