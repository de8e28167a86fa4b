"""Periods: the span from the first period in the data to the last, its labels and dates.

Local days become period numbers (see [`times`][netpromoter._input.times]); a trend shows
every period from the first in the data to the last, coded ``0..n_periods-1``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from netpromoter._input import times
from netpromoter._input.factors import Factor, code_dtype
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from datetime import date

    from numpy.typing import NDArray

#: Largest number of period × segment cells a trend may have.
MAX_CELLS = 1 << 22
#: Most periods a trend spans, first to last (27 years of days, 833 years of months):
#: beyond it a typo or placeholder date would build millions of empty periods.
MAX_PERIODS = 10_000
#: Rows per chunk when period numbers become codes.
_CHUNK = 1 << 17


class Periods(NamedTuple):
    """The periods a trend spans.

    Attributes:
        period: The kind of period.
        numbers: Period number (since the epoch) of each local day given.
        first: Number of the first period.
        n_periods: Number of periods, from the first in the data to the last.
        origin_day: First day of the first fixed window (days since the epoch).
        labels: Period labels.
    """

    period: times.Period
    numbers: NDArray[np.int64]
    first: int
    n_periods: int
    origin_day: int
    labels: tuple[str, ...]

    def factor(self, name: str) -> Factor:
        """The period of each day given, as a factor coded from the first period."""
        codes = np.empty(len(self.numbers), dtype=code_dtype(self.n_periods))
        for start in range(0, len(codes), _CHUNK):
            codes[start : start + _CHUNK] = self.numbers[start : start + _CHUNK] - self.first
        return Factor(codes, self.labels, name)

    def dates(self, rolling: int) -> list[tuple[date, date]]:
        """First and last local date each row covers (its whole window when rolling)."""
        bounds = [
            times.period_bounds(self.first + i, self.period, self.origin_day)
            for i in range(self.n_periods)
        ]
        return [(bounds[max(i - rolling + 1, 0)][0], bounds[i][1]) for i in range(self.n_periods)]

    def references(self, rolling: int) -> dict[str, NDArray[np.intp]]:
        """The row each row is compared with, per kind of change (−1: none).

        ``"previous"``: the window ``rolling`` periods back (so the two share no period);
        ``"year"``: the same period a year earlier, when in the data and not overlapping.
        """
        later = np.arange(self.n_periods, dtype=np.intp)
        year: list[int] = []
        for i in range(self.n_periods):
            before = times.year_before(self.first + i, self.period)
            index = -1 if before is None else before - self.first
            year.append(index if 0 <= index <= i - rolling else -1)
        return {"previous": later - rolling, "year": np.asarray(year, dtype=np.intp)}


def span(days: NDArray[np.int64], period: times.Period, origin: date | None) -> Periods:
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
    return Periods(period, numbers, first, n_periods, origin_day, labels)


def check_cells(n_periods: int, n_segments: int, period: times.Period) -> None:
    """Refuse more than ``MAX_CELLS`` period × segment cells.

    Raises:
        InvalidParameterError: Naming both numbers.
    """
    if n_periods * n_segments > MAX_CELLS:
        msg = (
            f"{n_periods:,} periods × {n_segments:,} segments is too many cells; use a "
            "coarser period, fewer segments, or check the time column for outlying dates"
        )
        raise InvalidParameterError(msg, name="period", value=period.name)
