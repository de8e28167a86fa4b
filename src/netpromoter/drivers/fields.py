"""What the driver and theme results share: undefined values, intervals and option checks."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import ConfigDict

from netpromoter import _stats
from netpromoter._validation import (
    check_choice,
    check_confidence_level,
)
from netpromoter.exceptions import (
    EmptyDataError,
)

Method = _stats.Method
Quadrant = Literal["fix first", "keep up", "low priority", "possible overkill"]
#: Order in which the importance × performance quadrants are listed.
QUADRANTS: tuple[Quadrant, ...] = ("fix first", "keep up", "low priority", "possible overkill")
Interval = tuple[float, float]
_MODEL = ConfigDict(frozen=True, extra="forbid")


def _opt(value: float) -> float | None:
    """A float, or ``None`` where it is undefined (NaN)."""
    return None if math.isnan(value) else float(value)


def _opt_pair(lower: float, upper: float) -> Interval | None:
    return None if math.isnan(lower) or math.isnan(upper) else (float(lower), float(upper))


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _fmt_pair(value: Interval | None, spec: str) -> str:
    return "–" if value is None else f"{value[0]:{spec}} to {value[1]:{spec}}"


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    """Split interval pairs ``x_ci`` into ``x_ci_lower`` / ``x_ci_upper`` for flat tables."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.endswith("_ci") or key == "scale":
            lower, upper = value if value is not None else (None, None)
            out[f"{key}_lower"], out[f"{key}_upper"] = lower, upper
        else:
            out[key] = value
    return out


def _check_options(method: object, confidence_level: float) -> float:
    level = check_confidence_level(confidence_level)
    check_choice(method, "method", _stats.METHODS)
    return level


def _check_not_empty(n: int, n_missing: int) -> int:
    if n == 0:
        detail = f" (all {n_missing} scores were missing)" if n_missing else ""
        msg = f"no respondents to analyse{detail}"
        raise EmptyDataError(msg)
    return n
