"""Periods: the span from the first period in the data to the last, and its limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from netpromoter._input import times
from netpromoter.exceptions import (
    InvalidParameterError,
)

if TYPE_CHECKING:
    from datetime import date

    import numpy as np
    from numpy.typing import NDArray


#: Largest number of period × segment cells a trend may have.
MAX_CELLS = 1 << 22
#: Most periods a trend spans, first to last (27 years of days, 833 years of months):
#: beyond it a typo or placeholder date would build millions of empty periods.
MAX_PERIODS = 10_000


class _Periods(NamedTuple):
    numbers: NDArray[np.int64]
    first: int
    n_periods: int
    origin_day: int
    labels: tuple[str, ...]


def _periods(days: NDArray[np.int64], period: times.Period, origin: date | None) -> _Periods:
    """Period numbers of local days, and the span of periods from the first to the last.

    Raises:
        InvalidParameterError: When the span has more than ``MAX_PERIODS`` periods,
            naming the first and last dates found.
    """
    origin_day = int(days.min()) if origin is None else times.date_number(origin)
    numbers = times.period_numbers(days, period, origin_day)
    first, last = int(numbers.min()), int(numbers.max())
    n_periods = last - first + 1
    if n_periods > MAX_PERIODS:
        earliest, latest = times.day_date(int(days.min())), times.day_date(int(days.max()))
        msg = (
            f"the time column runs from {earliest} to {latest}: {n_periods:,} periods of "
            f"{period.name!r}, more than the {MAX_PERIODS:,} a trend shows; use a coarser "
            "period (e.g. period='month' or 'year'), or check the time column for "
            "outlying dates such as placeholders (0001-01-01, 9999-12-31)"
        )
        raise InvalidParameterError(msg, name="period", value=period.name)
    labels = tuple(times.period_label(first + i, period, origin_day) for i in range(n_periods))
    return _Periods(numbers, first, n_periods, origin_day, labels)


def _check_cells(n_periods: int, n_segments: int, period: times.Period) -> None:
    if n_periods * n_segments > MAX_CELLS:
        msg = (
            f"{n_periods:,} periods × {n_segments:,} segments is too many cells; use a "
            "coarser period, fewer segments, or check the time column for outlying dates"
        )
        raise InvalidParameterError(msg, name="period", value=period.name)
