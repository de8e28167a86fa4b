"""Time buckets of a lazy frame: small enough to collect, fine enough to be exact.

[`trend`][netpromoter.trends.trend] over a lazy or distributed frame groups rows on the
engine by a *time key* next to the segment keys and the score bin, collects that small
aggregate, and turns each key into a period locally with the in-memory time code of
[`times`][netpromoter._input.times] (zones, daylight saving time, periods).

The key is built from calendar fields, which every backend extracts the same way
(``dt.year()`` ... ``dt.second()``; no epoch arithmetic, whose integer division and
support differ between engines), as one ``Float64`` number (exact below 2⁵³):

* a datetime with a zone: its UTC fields (converted on the engine); without a zone, its
  wall-clock fields. Periods need only the local day, and within one day of that clock
  the local day can change only where it is local midnight under one of the zones'
  offsets: for Europe/Amsterdam at 22:00 and 23:00 UTC, for UTC never. So the key is
  the day (``YYYYMMDD``) and the piece of it between those *cuts* (``YYYYMMDDi``): three
  buckets a day for Amsterdam, one for UTC, whatever the number of rows. The cuts come
  from the zones' offsets since 1970; every bucket is checked after collection (its
  first and last second land on one local day) and otherwise the engine is asked again
  per quarter hour (``YYYYMMDDhhmm``, minutes floored), then per second
  (``YYYYMMDDhhmmss``), e.g. for the local mean time of dates before 1900;
* a date: ``YYYYMMDD``;
* text (ISO 8601) or Python objects: the values themselves, parsed locally as in memory
  (this aggregate grows with the number of distinct values: give the engine a datetime
  column for large data);
* anything else is not a time: every row is reported as such, as in memory.

Nulls stay null and become the ``"(missing)"`` level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from netpromoter._input import times
from netpromoter._labels import MISSING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from numpy.typing import NDArray

KeyKind = Literal["aware", "naive", "date", "text", "other"]
#: Name of the derived time key column.
TIME_KEY = "__nps_time"
DAY = times.DAY
#: Seconds per bucket of the fallbacks: a quarter hour, a second.
COARSE = times.SLOT
FINE = 1
#: Digits of the time of day in the key of each fallback step (``hhmm``, ``hhmmss``).
_CLOCK_DIGITS = {COARSE: 4, FINE: 6}
#: Years whose offsets ``cuts_for`` samples, four times a year.
_SAMPLED_YEARS = range(1970, 2061)
#: Names under which engines report UTC itself (no conversion needed).
_UTC = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu"})


def _offsets(zone: tzinfo) -> set[int]:
    """UTC offsets (seconds) a zone has had since 1970, sampled each quarter year."""
    fixed = times.fixed_offset(zone)
    if fixed is not None:
        return {fixed}
    out = set()
    for year in _SAMPLED_YEARS:
        for month in (1, 4, 7, 10):
            offset = datetime(year, month, 1, tzinfo=timezone.utc).astimezone(zone).utcoffset()
            out.add(0 if offset is None else int(offset.total_seconds()))
    return out


def cuts_for(zone: tzinfo, naive_zone: tzinfo | None = None) -> tuple[int, ...]:
    """Seconds of the day (of the key's clock) at which the local day may change.

    Local midnight in ``zone`` falls at ``-offset`` (mod a day) on the UTC clock, and at
    ``naive_offset - offset`` on the wall clock of naive times in ``naive_zone``.

    Examples:
        >>> from netpromoter._input.times import check_zone
        >>> cuts_for(check_zone("UTC")), cuts_for(check_zone("Europe/Amsterdam"))
        ((), (79200, 82800))
        >>> cuts_for(check_zone("UTC"), check_zone("America/New_York"))
        (68400, 72000)
    """
    local = _offsets(zone)
    clock = {0} if naive_zone is None else _offsets(naive_zone)
    return tuple(sorted({(c - o) % DAY for o in local for c in clock} - {0}))


@dataclass(frozen=True)
class TimeKey:
    """The engine expression of a time key, and how to read its collected values back.

    Attributes:
        expr: The narwhals expression computing the key row by row.
        kind: What the key holds (see the module docstring).
        step: ``0`` for pieces of days between ``cuts``, else the seconds per bucket
            (``COARSE`` or ``FINE``); unused for other than datetimes.
        cuts: Seconds of the day where pieces start (``step = 0``).
    """

    expr: Any
    kind: KeyKind
    step: int = 0
    cuts: tuple[int, ...] = ()

    @property
    def bucketed(self) -> bool:
        """Whether a key stands for many instants (a bucket of datetimes)."""
        return self.kind in {"aware", "naive"} and self.step != FINE


def _day(column: Any) -> Any:  # noqa: ANN401 - narwhals expressions
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    dt = column.dt
    day = dt.year().cast(nw.Float64) * 1e4 + dt.month().cast(nw.Float64) * 1e2
    return day + dt.day().cast(nw.Float64)


def _fields(column: Any, *, step: int, cuts: Sequence[int]) -> Any:  # noqa: ANN401
    """``YYYYMMDDi`` (``i`` the piece of the day), ``YYYYMMDDhhmm`` or ``YYYYMMDDhhmmss``."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    dt = column.dt
    day = _day(column)
    hour = dt.hour().cast(nw.Float64)
    minute = dt.minute().cast(nw.Float64)
    if step == 0:
        if not cuts:
            return day * 10
        second = (hour * 60 + minute) * 60 + dt.second().cast(nw.Float64)
        piece = nw.sum_horizontal(*((second >= float(c)).cast(nw.Float64) for c in cuts))
        return day * 10 + piece
    if step == FINE:
        return ((day * 1e2 + hour) * 1e2 + minute) * 1e2 + dt.second().cast(nw.Float64)
    return (day * 1e2 + hour) * 1e2 + (minute // (COARSE // 60)) * (COARSE // 60)


def time_key(
    schema: Any,  # noqa: ANN401 - a narwhals schema
    name: str,
    *,
    step: int = 0,
    cuts: Sequence[int] = (),
) -> TimeKey:
    """The time key of column ``name`` for the engine.

    Args:
        schema: The frame's narwhals schema.
        name: The time column.
        step: ``0`` to split days at ``cuts``, or the seconds per bucket of a fallback
            (``COARSE``, ``FINE``).
        cuts: Seconds of the day where the local day may change (``cuts_for``); at most
            9, checked by the caller.

    Returns:
        The key.

    Examples:
        >>> from datetime import datetime
        >>> import polars as pl
        >>> import narwhals.stable.v2 as nw
        >>> lf = nw.from_native(pl.LazyFrame({"t": [datetime(2026, 1, 31, 22, 44)]}))
        >>> key = time_key(lf.collect_schema(), "t", cuts=(79_200, 82_800))
        >>> key.kind, lf.select(key.expr).collect().item()
        ('naive', 202601311.0)
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    dtype = schema[name]
    column = nw.col(name)
    if isinstance(dtype, nw.Datetime):
        zone = dtype.time_zone
        if zone is not None and zone not in _UTC:
            column = column.dt.convert_time_zone("UTC")
        expr = _fields(column, step=step, cuts=cuts)
        return TimeKey(expr, "naive" if zone is None else "aware", step, tuple(cuts))
    if isinstance(dtype, nw.Date):
        return TimeKey(_day(column), "date")
    if isinstance(dtype, nw.String | nw.Object):
        return TimeKey(column, "text")
    return TimeKey(nw.lit(0), "other")


def check_utc(frame: Any, key: TimeKey) -> None:  # noqa: ANN401 - a narwhals LazyFrame
    """Plan the key (nothing runs), so an engine that cannot convert zones says so now.

    Raises:
        InvalidParameterError: Naming the setting to change.
    """
    from netpromoter.exceptions import InvalidParameterError  # noqa: PLC0415

    try:
        frame.select(key.expr.alias(TIME_KEY))  # planned, not run
    except NotImplementedError as exc:
        msg = (
            "this engine reads zoned timestamps in its connection or session time zone and "
            "cannot convert them to UTC; set that zone to UTC (DuckDB: SET TimeZone = "
            "'UTC'; Spark: spark.sql.session.timeZone = 'UTC'), or give naive UTC "
            f"timestamps with naive_timezone='UTC' ({exc})"
        )
        raise InvalidParameterError(msg, name="time", value=None) from None


def _days(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """Days since 1970-01-01 of ``YYYYMMDD`` keys."""
    year, rest = np.divmod(keys, 10_000)
    month, dom = np.divmod(rest, 100)
    months = (year - 1970) * 12 + (month - 1)
    days: NDArray[np.int64] = (
        months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + dom - 1
    )
    return days


def _seconds(keys: NDArray[np.int64], key: TimeKey) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """First second and length in seconds of each bucket of a datetime key."""
    if key.step == 0:
        day, piece = np.divmod(keys, 10)
        starts = np.asarray((0, *key.cuts), dtype=np.int64)
        ends = np.asarray((*key.cuts, DAY), dtype=np.int64)
        return _days(day) * DAY + starts[piece], ends[piece] - starts[piece]
    day, clock = np.divmod(keys, 10 ** _CLOCK_DIGITS[key.step])
    if key.step == FINE:
        hour, rest = np.divmod(clock, 10_000)
        minute, second = np.divmod(rest, 100)
    else:
        hour, minute = np.divmod(clock, 100)
        second = np.zeros_like(hour)
    start = _days(day) * DAY + hour * 3600 + minute * 60 + second
    return start, np.full(len(keys), key.step, dtype=np.int64)


def decode(levels: tuple[object, ...], key: TimeKey) -> tuple[times.Parsed, NDArray[np.int64]]:
    """Parse the collected key values as the in-memory path parses the column.

    Args:
        levels: The distinct key values, ``"(missing)"`` (the engine's nulls) last if
            any.
        key: The key they are values of.

    Returns:
        Per level: the parsed value (UTC or wall-clock seconds of the bucket's first
        second for datetimes, days for dates, the value for text) with its kind, and
        the bucket's length in seconds (1 when the value is exact).
    """
    present = [v for v in levels if v is not MISSING]
    values = np.zeros(len(levels), dtype=np.int64)
    lengths = np.ones(len(levels), dtype=np.int64)
    kinds = np.full(len(levels), times.MISSING, dtype=np.uint8)
    n = len(present)
    if key.kind == "other":
        kinds[:] = times.BAD  # as in memory: not a time column, nulls included
    elif key.kind == "text":
        items = np.empty(n, dtype=object)
        items[:] = present
        parsed = times.parse(items)
        values[:n] = parsed.values
        kinds[:n] = parsed.kind
    else:
        numbers = np.asarray(present, dtype=np.float64).astype(np.int64)
        if key.kind == "date":
            values[:n] = _days(numbers)
            kinds[:n] = times.DATE
        else:
            values[:n], lengths[:n] = _seconds(numbers, key)
            kinds[:n] = times.AWARE if key.kind == "aware" else times.NAIVE
    return times.Parsed(values, kinds), lengths
