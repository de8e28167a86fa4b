"""What the driver and theme results share: undefined values, intervals and option checks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from netpromoter import _stats
from netpromoter._input.source import EagerSource, prepare
from netpromoter._results import ConfidenceInterval
from netpromoter._validation import (
    check_choice,
    check_confidence_level,
)
from netpromoter.exceptions import EmptyDataError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from netpromoter._validation import MissingPolicy

Method = _stats.Method
Quadrant = Literal["fix first", "keep up", "low priority", "possible overkill"]
#: Order in which the importance × performance quadrants are listed.
QUADRANTS: tuple[Quadrant, ...] = ("fix first", "keep up", "low priority", "possible overkill")
Interval = ConfidenceInterval


def _opt(value: float) -> float | None:
    """A float, or ``None`` where it is undefined (NaN)."""
    return None if math.isnan(value) else float(value)


def _opt_pair(lower: float, upper: float) -> Interval | None:
    return None if math.isnan(lower) or math.isnan(upper) else Interval(float(lower), float(upper))


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


def read_rows(
    data: object, score: str, columns: Sequence[str], missing: MissingPolicy
) -> EagerSource:
    """The rows themselves, for an analysis of each respondent.

    Validated scores and the raw ``columns``; a lazy frame's columns are collected.
    """
    return prepare(data, score=score, columns=columns, missing=missing, collect=True).rows(
        "the rows"
    )
