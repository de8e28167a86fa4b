"""Time buckets of a lazy frame: small enough to collect, fine enough to be exact.

[`trend`][netpromoter.trends.trend] over a lazy or distributed frame groups rows on the
engine by a *time key* next to the segment keys and the score bin, collects that small
aggregate, and turns each key into a period locally with the in-memory time code of
[`_time`][netpromoter._time] (zones, daylight saving time, periods).

The key is built from calendar fields, which every backend extracts the same way
(``dt.year()`` ... ``dt.minute()``; no epoch arithmetic, whose integer division and
support differ between engines), as one ``Float64`` number (exact below 2⁵³):

* a datetime with a zone: its UTC fields (converted on the engine), without a zone its
  wall-clock fields, down to the coarsest bucket whose edges fall on every local
  midnight of the zones involved (``step_for``): the day (``YYYYMMDD``) for UTC, the
  hour (``YYYYMMDDhh``) for zones that switch on the hour, the quarter hour
  (``YYYYMMDDhhmm``, minutes floored) for zones such as Asia/Kathmandu. All rows of a
  bucket then fall on the same local day; the caller checks this for every bucket
  (its start and end land on one day, one offset apart) and otherwise asks again per
  second (``YYYYMMDDhhmmss``), e.g. for the local mean time of dates before 1900;
* a date: ``YYYYMMDD``;
* text (ISO 8601) or Python objects: the values themselves, parsed locally as in memory
  (this aggregate grows with the number of distinct values: give the engine a datetime
  column for large data);
* anything else is not a time: every row is reported as such, as in memory.

Nulls stay null and become the ``"(missing)"`` level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from netpromoter import _time
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from numpy.typing import NDArray

KeyKind = Literal["aware", "naive", "date", "text", "other"]
#: Name of the derived time key column.
TIME_KEY = "__nps_time"
#: Names under which engines report UTC itself (no conversion needed).
_UTC = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu"})
#: Seconds per bucket: a day, an hour, a quarter hour, a second.
DAY = _time.DAY
HOUR = 3600
COARSE = _time.SLOT
FINE = 1
#: Digits of the time of day in the key of each step (``hh``, ``hhmm``, ``hhmmss``).
_CLOCK_DIGITS = {DAY: 0, HOUR: 2, COARSE: 4, FINE: 6}
#: Years whose offsets ``step_for`` samples, four times a year.
_SAMPLED_YEARS = range(1970, 2061)


def _offsets(zone: tzinfo) -> set[int]:
    """UTC offsets (seconds) a zone has had since 1970, sampled each quarter year."""
    fixed = _time.fixed_offset(zone)
    if fixed is not None:
        return {fixed}
    out = set()
    for year in _SAMPLED_YEARS:
        for month in (1, 4, 7, 10):
            offset = datetime(year, month, 1, tzinfo=timezone.utc).astimezone(zone).utcoffset()
            out.add(0 if offset is None else int(offset.total_seconds()))
    out.add(-1)  # the zone changes its offset: switches are on the hour at best
    return out


def step_for(zones: Sequence[tzinfo]) -> int:
    """The coarsest bucket whose edges fall on every local day boundary of these zones.

    A bucket of ``step`` seconds (aligned to UTC, or to the wall clock of naive values)
    never straddles a local midnight when ``step`` divides every offset; a zone that
    switches offsets does so on the hour (quarter hour in a few zones), so it gets
    hours at most. The caller still checks every bucket and falls back to seconds.

    Examples:
        >>> from netpromoter._time import check_zone
        >>> [step_for([check_zone(z)]) for z in ("UTC", "Europe/Amsterdam", "Asia/Kathmandu")]
        [86400, 3600, 900]
    """
    offsets: set[int] = set()
    for zone in zones:
        offsets |= _offsets(zone)
    changes = -1 in offsets
    g = math.gcd(DAY, *(o for o in offsets if o != -1))
    if changes:
        g = math.gcd(g, HOUR)
    for step in (DAY, HOUR, COARSE):
        if g % step == 0:
            return step
    return FINE


@dataclass(frozen=True)
class TimeKey:
    """The engine expression of a time key, and how to read its collected values back.

    Attributes:
        expr: The narwhals expression computing the key row by row.
        kind: What the key holds (see the module docstring).
        step: Seconds per bucket for datetimes (``COARSE`` or ``FINE``); 0 otherwise.
    """

    expr: Any
    kind: KeyKind
    step: int

    @property
    def bucketed(self) -> bool:
        """Whether a key stands for many instants (a bucket of datetimes)."""
        return self.kind in {"aware", "naive"} and self.step > 1


def _fields(column: Any, *, step: int) -> Any:  # noqa: ANN401 - narwhals expressions
    """The key of a step: ``YYYYMMDD[hh[mm[ss]]]`` (``mm`` floored to a quarter hour)."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    dt = column.dt
    day = dt.year().cast(nw.Float64) * 1e4 + dt.month().cast(nw.Float64) * 1e2
    day = day + dt.day().cast(nw.Float64)
    if step == DAY:
        return day
    hour = day * 1e2 + dt.hour().cast(nw.Float64)
    if step == HOUR:
        return hour
    minute = dt.minute().cast(nw.Float64)
    if step == FINE:
        return (hour * 1e2 + minute) * 1e2 + dt.second().cast(nw.Float64)
    return hour * 1e2 + (minute // (COARSE // 60)) * (COARSE // 60)


def time_key(schema: Any, name: str, *, step: int) -> TimeKey:  # noqa: ANN401 - a narwhals schema
    """The time key of column ``name`` for the engine.

    Args:
        schema: The frame's narwhals schema.
        name: The time column.
        step: Seconds per bucket of a datetime column: ``DAY``, ``HOUR``, ``COARSE``
            (a quarter hour) or ``FINE`` (a second), e.g. from ``step_for``.

    Returns:
        The key.

    Raises:
        InvalidParameterError: When the engine cannot give UTC fields of a zoned
            column (DuckDB or Spark with a connection or session time zone other
            than UTC).

    Examples:
        >>> from datetime import datetime
        >>> import polars as pl
        >>> import narwhals.stable.v2 as nw
        >>> lf = nw.from_native(pl.LazyFrame({"t": [datetime(2026, 1, 31, 9, 44)]}))
        >>> key = time_key(lf.collect_schema(), "t", step=COARSE)
        >>> key.kind, lf.select(key.expr).collect().item()
        ('naive', 202601310930.0)
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    dtype = schema[name]
    column = nw.col(name)
    if isinstance(dtype, nw.Datetime):
        zone = dtype.time_zone
        if zone is not None and zone not in _UTC:
            column = column.dt.convert_time_zone("UTC")
        expr = _fields(column, step=step)
        return TimeKey(expr, "naive" if zone is None else "aware", step)
    if isinstance(dtype, nw.Date):
        dt = column.dt
        year, month = dt.year().cast(nw.Float64), dt.month().cast(nw.Float64)
        expr = year * 1e4 + month * 1e2 + dt.day().cast(nw.Float64)
        return TimeKey(expr, "date", 0)
    if isinstance(dtype, nw.String | nw.Object):
        return TimeKey(column, "text", 0)
    return TimeKey(nw.lit(0), "other", 0)


def check_utc(frame: Any, key: TimeKey) -> None:  # noqa: ANN401 - a narwhals LazyFrame
    """Plan the key (nothing runs), so an engine that cannot convert zones says so now.

    Raises:
        InvalidParameterError: Naming the setting to change.
    """
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


def _from_fields(keys: NDArray[np.int64], *, clock_digits: int) -> NDArray[np.int64]:
    """Epoch seconds (or days, with ``clock_digits = 0``) of ``YYYYMMDD[hhmm[ss]]`` keys."""
    scale = 10**clock_digits
    day, clock = np.divmod(keys, scale)
    year, rest = np.divmod(day, 10_000)
    month, dom = np.divmod(rest, 100)
    months = (year - 1970) * 12 + (month - 1)
    days: NDArray[np.int64] = (
        months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + dom - 1
    )
    if clock_digits == 0:
        return days
    if clock_digits == 6:  # noqa: PLR2004 - hhmmss
        hour, rest = np.divmod(clock, 10_000)
        minute, second = np.divmod(rest, 100)
    elif clock_digits == 4:  # noqa: PLR2004 - hhmm
        hour, minute = np.divmod(clock, 100)
        second = np.zeros_like(hour)
    else:
        hour, minute, second = clock, np.zeros_like(clock), np.zeros_like(clock)
    out: NDArray[np.int64] = days * _time.DAY + hour * 3600 + minute * 60 + second
    return out


def decode(levels: tuple[object, ...], key: TimeKey) -> _time.Parsed:
    """Parse the collected key values as the in-memory path parses the column.

    Args:
        levels: The distinct key values, ``"(missing)"`` (the engine's nulls) last if
            any.
        key: The key they are values of.

    Returns:
        Per level: UTC or wall-clock seconds of the bucket's start (datetimes), days
        (dates) or the parsed value (text), with its kind.
    """
    from netpromoter._columns import MISSING  # noqa: PLC0415 - shared sentinel

    present = [v for v in levels if v is not MISSING]
    values = np.zeros(len(levels), dtype=np.int64)
    kinds = np.full(len(levels), _time.MISSING, dtype=np.uint8)
    n = len(present)
    if key.kind == "other":
        kinds[:] = _time.BAD  # as in memory: not a time column, nulls included
        return _time.Parsed(values, kinds)
    if key.kind == "text":
        items = np.empty(n, dtype=object)
        items[:] = present
        parsed = _time.parse(items)
        values[:n] = parsed.values
        kinds[:n] = parsed.kind
        return _time.Parsed(values, kinds)
    numbers = np.asarray(present, dtype=np.float64).astype(np.int64)
    if key.kind == "date":
        values[:n] = _from_fields(numbers, clock_digits=0)
        kinds[:n] = _time.DATE
    else:
        digits = _CLOCK_DIGITS[key.step]
        values[:n] = (
            _from_fields(numbers, clock_digits=digits) * DAY
            if digits == 0
            else _from_fields(numbers, clock_digits=digits)
        )
        kinds[:n] = _time.AWARE if key.kind == "aware" else _time.NAIVE
    return _time.Parsed(values, kinds)
