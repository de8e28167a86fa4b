"""Time machinery for trends: timestamps to UTC seconds, local calendar days and periods.

Everything per row is numpy integer arithmetic on whole arrays, chunk by chunk (only
Python objects — ``datetime``s, ISO 8601 text in a list or object column — are read one
by one, each distinct value once):

1. A time column becomes UTC epoch seconds (int64). Timezone-aware values are converted
   exactly; naive values (numpy ``datetime64``, naive ``datetime``, dataframe columns
   without a zone) are rejected unless the caller names the zone they are in
   (``naive_timezone``); dates (``datetime.date``, ``datetime64[D]``, dataframe ``Date``)
   are calendar days already and are used as they are.
2. UTC seconds are shifted into the bucketing zone. A fixed-offset zone is one addition.
   For a zone with daylight saving time, ``zoneinfo`` is asked only about the distinct
   days present (the offset at the start and end of each day), and, on the rare day the
   offset changes, about its 15-minute slots to find the switch; each row then picks its
   offset from these small per-day tables.
3. Local days become period numbers with ``datetime64`` arithmetic: days, ISO weeks
   (Monday to Sunday), months, quarters, years, or fixed ``N``-day windows from an origin.
"""

from __future__ import annotations

import contextlib
import math
import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from netpromoter._tally import CHUNK
from netpromoter._validation import describe_positions
from netpromoter.exceptions import InvalidParameterError, InvalidTimeError

if TYPE_CHECKING:
    from numpy.typing import NDArray

DAY = 86_400
#: Offsets change only at 15-minute boundaries in every zone in use since 1980.
SLOT = 900
_SLOTS = DAY // SLOT
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - wall-clock arithmetic on purpose
_EPOCH_DATE = date(1970, 1, 1)

PeriodName = Literal["day", "week", "month", "quarter", "year"]
PERIOD_NAMES: tuple[PeriodName, ...] = ("day", "week", "month", "quarter", "year")
_FIXED = re.compile(r"^\s*(\d+)\s*(?:d|day|days)\s*$", re.IGNORECASE)

#: The longest fixed window: every day Python's calendar has.
MAX_WINDOW_DAYS = 3_652_059
# Row kinds of a parsed time column (OUT_OF_RANGE: a time whose local day has no date).
AWARE, NAIVE, DATE, MISSING, BAD, OUT_OF_RANGE = 0, 1, 2, 3, 4, 5
N_KINDS = OUT_OF_RANGE + 1
#: Days since 1970-01-01 of the first and last dates Python represents (0001-01-01 and
#: 9999-12-31): every period of a trend has its dates and its label within them.
FIRST_DAY = (date.min - _EPOCH_DATE).days
LAST_DAY = (date.max - _EPOCH_DATE).days
#: The largest offset of a time zone is under 24 hours: ``±hh:mm`` with ``hh <= 23`` and
#: ``mm <= 59``.
MAX_OFFSET_HOURS = 23
MAX_OFFSET_MINUTES = 59


def check_zone(value: object, name: str = "timezone") -> tzinfo:
    """A ``tzinfo`` from a zone name (``"Europe/Amsterdam"``, ``"UTC"``) or a ``tzinfo``.

    Raises:
        InvalidParameterError: For an unknown zone name or another type.

    Examples:
        >>> check_zone("UTC")
        datetime.timezone.utc
        >>> check_zone("Europe/Amsterdam")
        zoneinfo.ZoneInfo(key='Europe/Amsterdam')
    """
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, str):
        if value.upper() in {"UTC", "Z"}:
            return timezone.utc
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    msg = (
        f"{name} must be an IANA zone name such as 'UTC' or 'Europe/Amsterdam', or a "
        f"tzinfo; got {value!r}"
    )
    raise InvalidParameterError(msg, name=name, value=value)


@dataclass(frozen=True)
class Period:
    """A validated period: a calendar unit, or a fixed window of ``days`` days."""

    unit: PeriodName | None
    days: int = 0

    @property
    def name(self) -> str:
        """``"month"``, ... or ``"30D"``."""
        return self.unit if self.unit is not None else f"{self.days}D"


def check_period(value: object) -> Period:
    """Parse ``"day"``, ``"week"``, ``"month"``, ``"quarter"``, ``"year"`` or ``N`` days.

    A fixed window is an integer number of days, a ``timedelta`` of whole days, or a
    string such as ``"30D"`` or ``"30 days"``.

    Raises:
        InvalidParameterError: For anything else.

    Examples:
        >>> check_period("30 days").name
        '30D'
    """
    days = 0
    if isinstance(value, str):
        if value in PERIOD_NAMES:
            return Period(value)
        match = _FIXED.match(value)
        days = int(match.group(1)) if match else 0
    elif isinstance(value, timedelta):
        if value.total_seconds() > 0 and value.total_seconds() % DAY == 0:
            days = int(value.total_seconds() // DAY)
    elif isinstance(value, int) and not isinstance(value, bool):
        days = value
    if 0 < days <= MAX_WINDOW_DAYS:
        return Period(None, days)
    if days > MAX_WINDOW_DAYS:
        msg = (
            f"period {value!r} is longer than the calendar ({MAX_WINDOW_DAYS:,} days from "
            "0001-01-01 to 9999-12-31); give a fixed window of fewer days"
        )
        raise InvalidParameterError(msg, name="period", value=value)
    msg = (
        f"unknown period {value!r}; expected one of {', '.join(map(repr, PERIOD_NAMES))}, "
        "or a fixed window such as 30, '30D' or timedelta(days=30)"
    )
    raise InvalidParameterError(msg, name="period", value=value)


# --- parsing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """A time column as integers: UTC (or wall-clock) seconds, or days, by row kind.

    ``values`` holds epoch seconds for ``AWARE`` (UTC) and ``NAIVE`` (wall clock) rows and
    days since 1970-01-01 for ``DATE`` rows; ``kind`` is one kind for all rows or a
    per-row ``uint8`` array.
    """

    values: NDArray[np.int64]
    kind: int | NDArray[np.uint8]


def _from_datetime64(arr: NDArray[Any]) -> Parsed:
    unit = np.datetime_data(arr.dtype)[0]
    missing = np.isnat(arr)
    if unit in {"Y", "M", "W", "D"}:
        values = arr.astype("datetime64[D]").astype(np.int64)
        base = DATE
    else:
        values = arr.astype("datetime64[s]").astype(np.int64)
        base = NAIVE
    if missing.any():
        kind = np.full(len(arr), base, dtype=np.uint8)
        kind[missing] = MISSING
        values[missing] = 0
        return Parsed(values, kind)
    return Parsed(values, base)


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"  # YYYY-MM-DD
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"  # hh:mm[:ss[.fraction]]
    r"(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?"  # Z, ±hh, ±hhmm or ±hh:mm
)
_MICRO_DIGITS = 6


def parse_iso(text: str) -> datetime | date:
    """ISO 8601 text as a ``date`` or a ``datetime``, alike on every Python version.

    Accepts ``YYYY-MM-DD`` (a date), or that date, ``T`` or a space, and
    ``hh:mm[:ss[.fraction]]``, naive or followed by ``Z`` or an offset ``±hh``,
    ``±hhmm`` or ``±hh:mm``; surrounding spaces are ignored and digits beyond
    microseconds dropped. ``datetime.fromisoformat`` accepts other forms from Python
    3.11 on (and some of these not before), so it is not used.

    Raises:
        ValueError: For any other text, or an impossible date, time or offset.

    Examples:
        >>> parse_iso("2026-01-31 09:30:15.25+0100").isoformat()
        '2026-01-31T09:30:15.250000+01:00'
        >>> parse_iso("2026-01-31"), parse_iso("2026-01-31T09:30Z").isoformat()
        (datetime.date(2026, 1, 31), '2026-01-31T09:30:00+00:00')
    """
    match = _ISO.fullmatch(text.strip())
    if match is None:
        msg = f"{text!r} is not ISO 8601 text such as 2026-01-31 or 2026-01-31T09:30:00+01:00"
        raise ValueError(msg)
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        zone: tzinfo | None = timezone.utc if zulu else None
        if sign is not None:
            if int(off_m or 0) >= 60:  # noqa: PLR2004 - minutes of an hour
                raise ValueError(f"offset minutes {off_m} out of range")  # noqa: TRY301
            offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
            zone = timezone(-offset if sign == "-" else offset)  # ValueError from 24 hours
        micro = int((fraction or "0")[:_MICRO_DIGITS].ljust(_MICRO_DIGITS, "0"))
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, zone
        )
    except ValueError as exc:
        msg = f"{text!r} is not a valid ISO 8601 date or time: {exc}"
        raise ValueError(msg) from None


_DATE_LENGTH = 10  # YYYY-MM-DD
_OFFSET_LENGTH = 6  # +HH:MM
_DIGITS = (ord("0"), ord("9"))


def _from_text(text: NDArray[np.str_]) -> Parsed | None:
    """ISO 8601 text, vectorised: numpy parses the local part, the offset is read apart.

    Handles ``YYYY-MM-DD``, ``YYYY-MM-DD[T ]hh:mm[:ss[.ffffff]]`` with an optional ``Z``
    or ``±hh:mm`` suffix, chunk by chunk through the fixed-width characters. Returns
    ``None`` when any value is something else, so the value-by-value reader can say which.
    """
    n = len(text)
    width = text.dtype.itemsize // 4
    if n == 0 or width == 0:
        return None
    values = np.empty(n, dtype=np.int64)
    kind = np.empty(n, dtype=np.uint8)
    columns = np.arange(width)
    for start in range(0, n, CHUNK):
        part = text[start : start + CHUNK]
        chars = np.ascontiguousarray(part).view(np.uint32).reshape(len(part), width).copy()
        length = (chars != 0).sum(axis=1)
        # tail[:, k] is the (k + 1)-th character from the end (as a code point).
        back = np.clip(length[:, None] - np.arange(1, _OFFSET_LENGTH + 1), 0, width - 1)
        tail = np.take_along_axis(chars, back, axis=1).astype(np.int64)
        zulu = (length > _DATE_LENGTH - 1) & ((tail[:, 0] == ord("Z")) | (tail[:, 0] == ord("z")))
        digit = (tail >= _DIGITS[0]) & (tail <= _DIGITS[1])
        signed = (tail[:, 5] == ord("+")) | (tail[:, 5] == ord("-"))
        offset = (length > _DATE_LENGTH + _OFFSET_LENGTH) & signed & (tail[:, 2] == ord(":"))
        offset &= digit[:, 0] & digit[:, 1] & digit[:, 3] & digit[:, 4]
        end = np.where(zulu, length - 1, np.where(offset, length - _OFFSET_LENGTH, length))
        value = tail - _DIGITS[0]
        hours, mins = value[:, 4] * 10 + value[:, 3], value[:, 1] * 10 + value[:, 0]
        if (offset & ((hours > MAX_OFFSET_HOURS) | (mins > MAX_OFFSET_MINUTES))).any():
            return None  # an offset out of range: read value by value, which says where
        minutes = hours * 60 + mins
        sign = np.where(tail[:, 5] == ord("-"), -1, 1)
        shift = np.where(offset, sign * minutes * 60, 0)
        chars[columns[None, :] >= end[:, None]] = 0
        body = chars.view(f"<U{width}").reshape(len(part))
        try:
            with warnings.catch_warnings():
                # numpy only warns about zones it ignores: such text goes value by value.
                warnings.simplefilter("error")
                parsed = body.astype("datetime64[us]")
        except (ValueError, Warning):
            return None
        if np.isnat(parsed).any():
            return None
        seconds = parsed.astype("datetime64[s]").astype(np.int64)
        is_date = (end == _DATE_LENGTH) & ~zulu & ~offset
        values[start : start + CHUNK] = np.where(is_date, seconds // DAY, seconds - shift)
        kind[start : start + CHUNK] = np.where(is_date, DATE, np.where(zulu | offset, AWARE, NAIVE))
    return Parsed(values, kind)


def _from_objects(items: list[object]) -> Parsed:
    """Python objects (datetimes, dates, ISO 8601 text, missing) row by row, cached.

    A column of text only is read vectorised first (see ``_from_text``).
    """
    if items and all(isinstance(item, str) for item in items):
        fast = _from_text(np.asarray(items, dtype=str))
        if fast is not None:
            return fast
    values = np.zeros(len(items), dtype=np.int64)
    kind = np.zeros(len(items), dtype=np.uint8)
    cache: dict[object, tuple[int, int]] = {}
    for i, item in enumerate(items):
        try:
            found = cache.get(item)
        except TypeError:  # unhashable
            found = None
        if found is None:
            found = _one(item)
            with contextlib.suppress(TypeError):
                cache[item] = found
        values[i], kind[i] = found
    return Parsed(values, kind)


def _one(item: object) -> tuple[int, int]:  # noqa: PLR0911 - one return per kind of value
    """Seconds or days, and the kind, of one value."""
    if item is None or (isinstance(item, float) and math.isnan(item)):
        return 0, MISSING
    if type(item).__name__ in {"NaTType", "NAType"}:
        return 0, MISSING
    if isinstance(item, np.datetime64):
        parsed = _from_datetime64(np.asarray([item]))
        kind = parsed.kind if isinstance(parsed.kind, int) else int(parsed.kind[0])
        return int(parsed.values[0]), kind
    if isinstance(item, str):
        try:
            item = parse_iso(item)
        except ValueError:
            return 0, BAD
    if isinstance(item, datetime):
        if item.tzinfo is None or item.utcoffset() is None:
            return (item - _NAIVE_EPOCH) // timedelta(seconds=1), NAIVE
        return (item - _EPOCH) // timedelta(seconds=1), AWARE
    if isinstance(item, date):
        return (item - _EPOCH_DATE).days, DATE
    return 0, BAD


def _from_series(series: Any) -> Parsed:  # noqa: ANN401 - a narwhals series
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    dtype = series.dtype
    if dtype == nw.Datetime:
        zone = getattr(dtype, "time_zone", None)
        if zone is not None:
            series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        parsed = _from_datetime64(np.asarray(series.to_numpy()).astype("datetime64[us]"))
        if zone is None:
            return parsed
        kind = parsed.kind
        if isinstance(kind, int):
            return Parsed(parsed.values, AWARE)
        return Parsed(parsed.values, np.where(kind == NAIVE, AWARE, kind).astype(np.uint8))
    if dtype == nw.Date:
        arr = np.asarray(series.to_numpy())
        if arr.dtype.kind == "M":
            return _from_datetime64(arr.astype("datetime64[D]"))
        return _from_objects(arr.tolist())
    return parse(np.asarray(series.to_numpy()))


def parse(column: Any) -> Parsed:  # noqa: ANN401 - numpy array or narwhals series
    """Parse a time column into integers and row kinds (never raises on a value).

    Args:
        column: A numpy array (``datetime64``, objects, strings) or a narwhals series.

    Returns:
        The parsed column; rows that could not be read have kind ``BAD``, missing ones
        ``MISSING``.
    """
    if not isinstance(column, np.ndarray):
        return _from_series(column)
    if column.dtype.kind == "M":
        return _from_datetime64(column)
    if column.dtype.kind == "U":
        fast = _from_text(column)
        if fast is not None:
            return fast
    if column.dtype.kind in "OUS":
        return _from_objects(column.tolist())
    return Parsed(np.zeros(len(column), dtype=np.int64), np.full(len(column), BAD, np.uint8))


# --- zones -----------------------------------------------------------------------


def fixed_offset(zone: tzinfo) -> int | None:
    """The offset in seconds of a zone that never changes it, else ``None``."""
    if isinstance(zone, timezone):
        offset = zone.utcoffset(None)
        return int(offset.total_seconds())
    if isinstance(zone, ZoneInfo) and zone.key in {"UTC", "Etc/UTC", "Etc/GMT", "GMT"}:
        return 0
    return None


def _offset_at(zone: tzinfo, seconds: int, *, wall: bool) -> int:
    if wall:
        moment = (_NAIVE_EPOCH + timedelta(seconds=seconds)).replace(tzinfo=zone)
    else:
        moment = (_EPOCH + timedelta(seconds=seconds)).astimezone(zone)
    offset = moment.utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def _day_tables(
    days: NDArray[np.int64], zone: tzinfo, *, wall: bool
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Per distinct day: offset before and after the switch, and the switch's slot."""
    before = np.empty(len(days), dtype=np.int64)
    after = np.empty(len(days), dtype=np.int64)
    switch = np.full(len(days), _SLOTS, dtype=np.int64)
    for i, day in enumerate(days.tolist()):
        start = day * DAY
        before[i] = first = _offset_at(zone, start, wall=wall)
        after[i] = last = _offset_at(zone, start + DAY - 1, wall=wall)
        if first != last:
            switch[i] = next(
                k
                for k in range(1, _SLOTS + 1)
                if _offset_at(zone, start + min(k * SLOT, DAY - 1), wall=wall) == last
            )
    return before, after, switch


def shift(seconds: NDArray[np.int64], zone: tzinfo, *, to_utc: bool) -> NDArray[np.int64]:
    """Shift epoch seconds between UTC and a zone's wall clock, vectorised.

    Args:
        seconds: UTC epoch seconds (``to_utc=False``) or wall-clock seconds
            (``to_utc=True``).
        zone: The zone.
        to_utc: Convert wall-clock seconds to UTC instead of UTC to wall clock. An
            ambiguous wall time (the repeated hour when clocks go back) is read as its
            first occurrence and a non-existent one (skipped when clocks go forward) with
            the offset before the switch, as Python's ``fold=0``.

    Returns:
        The shifted seconds.
    """
    fixed = fixed_offset(zone)
    if fixed is not None:
        return seconds - fixed if to_utc else seconds + fixed
    out = np.empty_like(seconds)
    if len(seconds) == 0:
        return out
    first, last = int(seconds.min()) // DAY, int(seconds.max()) // DAY
    present = np.zeros(last - first + 1, dtype=bool)
    for start in range(0, len(seconds), CHUNK):
        present[seconds[start : start + CHUNK] // DAY - first] = True
    days = np.flatnonzero(present).astype(np.int64) + first
    before, after, switch = _day_tables(days, zone, wall=to_utc)
    index = np.cumsum(present) - 1
    for start in range(0, len(seconds), CHUNK):
        part = seconds[start : start + CHUNK]
        day = part // DAY
        i = index[day - first]
        late = (part - day * DAY) // SLOT >= switch[i]
        offset = np.where(late, after[i], before[i])
        out[start : start + CHUNK] = part - offset if to_utc else part + offset
    return out


def local_seconds(
    column: Any,  # noqa: ANN401 - numpy array or narwhals series
    *,
    name: str,
    zone: tzinfo,
    naive_zone: tzinfo | None,
    rows: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:
    """Wall-clock seconds since 1970-01-01 in ``zone`` of every row of a time column.

    ``local_seconds(...) // DAY`` is the local calendar day; a date counts as its midnight.

    Args:
        column: The time column.
        name: Its name, for messages.
        zone: The bucketing zone.
        naive_zone: The zone of naive timestamps, or ``None`` to reject them.
        rows: Optional mask of the rows to use (the others are not checked).

    Returns:
        One local wall-clock second per (selected) row.

    Raises:
        InvalidTimeError: Naming the rows that are missing, unparseable, outside the
            dates Python represents, or naive when no ``naive_zone`` is given.
    """
    parsed = parse(column)
    values = parsed.values
    kinds = (
        np.full(len(values), parsed.kind, dtype=np.uint8)
        if isinstance(parsed.kind, int)
        else parsed.kind
    )
    positions = np.arange(len(values)) if rows is None else np.flatnonzero(rows)
    if rows is not None:
        values, kinds = values[rows], kinds[rows]
    kinds = mark_out_of_range(values, kinds)
    _check_kinds(kinds, positions, name, naive_allowed=naive_zone is not None)
    return localise(values, kinds, zone=zone, naive_zone=naive_zone)


def mark_out_of_range(values: NDArray[np.int64], kinds: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Mark as ``OUT_OF_RANGE`` the rows whose local day could fall outside 0001..9999.

    Dates must lie within 0001-01-01 .. 9999-12-31 and times (UTC or wall clock) within
    0001-01-02 .. 9999-12-30, so that no time zone (offsets are under a day) moves them
    off the calendar Python represents.

    Examples:
        >>> mark_out_of_range(np.array([0, 10**12]), np.array([AWARE, AWARE], np.uint8)).tolist()
        [0, 5]
    """
    day = np.where(kinds == DATE, values, values // DAY)
    timed = (kinds == AWARE) | (kinds == NAIVE)
    low = np.where(timed, FIRST_DAY + 1, FIRST_DAY)
    high = np.where(timed, LAST_DAY - 1, LAST_DAY)
    outside = (timed | (kinds == DATE)) & ((day < low) | (day > high))
    if not outside.any():
        return kinds
    out: NDArray[np.uint8] = kinds.copy()
    out[outside] = OUT_OF_RANGE
    return out


def localise(
    values: NDArray[np.int64],
    kinds: NDArray[np.uint8],
    *,
    zone: tzinfo,
    naive_zone: tzinfo | None,
) -> NDArray[np.int64]:
    """Wall-clock seconds in ``zone`` of checked parsed values (the end of ``local_seconds``).

    Args:
        values: Parsed values (``Parsed.values``): UTC seconds, wall-clock seconds or days.
        kinds: Their kinds, every one ``AWARE``, ``NAIVE`` (only with ``naive_zone``) or
            ``DATE``.
        zone: The bucketing zone.
        naive_zone: The zone of naive values.

    Returns:
        Local wall-clock seconds (a date counts as its midnight).

    Examples:
        >>> localise(np.array([0, 1]), np.array([AWARE, DATE], dtype=np.uint8),
        ...          zone=check_zone("Asia/Kolkata"), naive_zone=None).tolist()
        [19800, 86400]
    """
    is_date = kinds == DATE
    seconds = values
    naive = kinds == NAIVE
    if naive_zone is not None and naive.any():
        seconds = values.copy()
        seconds[naive] = shift(values[naive], naive_zone, to_utc=True)
    if not is_date.any():
        return shift(seconds, zone, to_utc=False)
    out: NDArray[np.int64] = values * DAY
    timed = ~is_date
    out[timed] = shift(seconds[timed], zone, to_utc=False)
    return out


_NOT_TIME = "give datetimes, dates or ISO 8601 text such as '2026-01-31T09:00:00+01:00'"


def _problems(*, naive_allowed: bool) -> list[tuple[int, str, str]]:
    """The row kinds that are errors, with what is wrong and a hint."""
    problems = [
        (BAD, "not timestamps", _NOT_TIME),
        (MISSING, "missing", "every response needs a time; drop or fill them first"),
        (
            OUT_OF_RANGE,
            "outside the calendar (dates 0001-01-01 to 9999-12-31, times 0001-01-02 to 9999-12-30)",
            "check the time column for placeholder dates or values in another unit",
        ),
    ]
    if not naive_allowed:
        problems.append(
            (
                NAIVE,
                "naive (no time zone)",
                (
                    "give timezone-aware timestamps, or name their zone with "
                    "naive_timezone='UTC' (or e.g. 'Europe/Amsterdam')"
                ),
            )
        )
    return problems


def check_kind_counts(
    counts: NDArray[np.int64],
    name: str,
    *,
    naive_allowed: bool,
    where: str,
    examples: dict[int, str] | None = None,
) -> None:
    """Raise as ``local_seconds`` does, from the number of rows of each kind.

    For rows without positions (a lazy frame's): ``where`` says so instead.

    Args:
        counts: Rows per kind, indexed by ``AWARE``, ``NAIVE``, ``DATE``, ``MISSING``,
            ``BAD``.
        name: The time column.
        naive_allowed: Whether naive values have a zone (``naive_timezone``).
        where: What the message says in place of positions.
        examples: Per kind, a few offending values to show before ``where``.

    Raises:
        InvalidTimeError: For bad, missing, or (unless allowed) naive rows.

    Examples:
        >>> try:
        ...     check_kind_counts(np.array([5, 0, 0, 2, 0]), "t", naive_allowed=True, where="?")
        ... except InvalidTimeError as exc:
        ...     print(str(exc)[:39])
        2 values of time column 't' are missing
    """
    for kind, problem, hint in _problems(naive_allowed=naive_allowed):
        n = int(counts[kind])
        if n:
            verb = "is" if n == 1 else "are"
            shown = (examples or {}).get(kind)
            at = f"{shown} {where}" if shown else where
            msg = f"{n} values of time column {name!r} {verb} {problem}: {at}; {hint}"
            raise InvalidTimeError(msg, column=name)


def _check_kinds(
    kinds: NDArray[np.uint8], positions: NDArray[np.intp], name: str, *, naive_allowed: bool
) -> None:
    """Raise for bad, missing, or (unless allowed) naive rows, naming their positions."""
    for kind, problem, hint in _problems(naive_allowed=naive_allowed):
        bad = np.flatnonzero(kinds == kind)
        if len(bad):
            where = positions[bad]
            verb = "is" if len(bad) == 1 else "are"
            msg = (
                f"{len(bad)} values of time column {name!r} {verb} {problem}: "
                f"{describe_positions(where)}; {hint}"
            )
            raise InvalidTimeError(msg, column=name, positions=where.tolist())


# --- periods -----------------------------------------------------------------------


def period_numbers(days: NDArray[np.int64], period: Period, origin: int) -> NDArray[np.int64]:
    """Period number of each local day (days, weeks, months ... since the epoch).

    Weeks are ISO weeks (Monday first): 1970-01-01 was a Thursday, so the week of day
    ``d`` is ``(d + 3) // 7``. Fixed windows count ``N``-day blocks from ``origin``.
    """
    out = np.empty(len(days), dtype=np.int64)
    for start in range(0, len(days), CHUNK):
        d = days[start : start + CHUNK]
        if period.unit is None:
            p = (d - origin) // period.days
        elif period.unit == "day":
            p = d
        elif period.unit == "week":
            p = (d + 3) // 7
        else:
            months = d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
            if period.unit == "month":
                p = months
            elif period.unit == "quarter":
                p = months // 3
            else:
                p = months // 12
        out[start : start + CHUNK] = p
    return out


def _month_start(month: int) -> int:
    """Days since 1970-01-01 of the first day of a month (months since 1970-01).

    numpy's calendar has no year limit, so the month after 9999-12 has a first day too.
    """
    return int(np.datetime64(month, "M").astype("datetime64[D]").astype(np.int64))


def day_date(day: int) -> date:
    """The date of a day number, clamped to 0001-01-01 .. 9999-12-31.

    A period that reaches past the calendar Python represents (the ISO week of
    9999-12-31 ends on 10000-01-02) is cut at its edge.

    Examples:
        >>> day_date(0), day_date(LAST_DAY + 2)
        (datetime.date(1970, 1, 1), datetime.date(9999, 12, 31))
    """
    return _EPOCH_DATE + timedelta(days=min(max(day, FIRST_DAY), LAST_DAY))


def period_bounds(number: int, period: Period, origin: int) -> tuple[date, date]:
    """First and last local date of a period number (cut at 0001-01-01 and 9999-12-31)."""
    if period.unit is None:
        first = origin + number * period.days
        return day_date(first), day_date(first + period.days - 1)
    if period.unit == "day":
        return day_date(number), day_date(number)
    if period.unit == "week":
        return day_date(7 * number - 3), day_date(7 * number + 3)
    span = {"month": 1, "quarter": 3, "year": 12}[period.unit]
    return day_date(_month_start(number * span)), day_date(_month_start((number + 1) * span) - 1)


def period_label(number: int, period: Period, origin: int) -> str:
    """``2026-01-31``, ``2026-W05``, ``2026-01``, ``2026-Q1``, ``2026``; windows by start.

    Examples:
        >>> p = check_period("week")
        >>> period_label(int(period_numbers(np.array([20_480]), p, 0)[0]), p, 0)
        '2026-W05'
    """
    first, _ = period_bounds(number, period, origin)
    if period.unit == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if period.unit == "month":
        return f"{first.year}-{first.month:02d}"
    if period.unit == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if period.unit == "year":
        return str(first.year)
    return first.isoformat()


def year_before(number: int, period: Period) -> int | None:  # noqa: PLR0911 - one per unit
    """The number of the same period one year earlier, or ``None`` when there is none.

    Months go back 12, quarters 4, years 1; a day goes to the same date (none for
    29 February) and an ISO week to the same week number (none for week 53). Fixed
    windows have no calendar year.
    """
    if period.unit is None:
        return None
    if period.unit == "month":
        return number - 12
    if period.unit == "quarter":
        return number - 4
    if period.unit == "year":
        return number - 1
    origin = 0
    first, _ = period_bounds(number, period, origin)
    try:
        if period.unit == "day":
            earlier = first.replace(year=first.year - 1)
            return (earlier - _EPOCH_DATE).days
        year, week, _ = first.isocalendar()
        monday = date.fromisocalendar(year - 1, week, 1)
    except ValueError:
        return None
    return ((monday - _EPOCH_DATE).days + 3) // 7


def date_number(value: date) -> int:
    """Days since 1970-01-01 of a date."""
    return (value - _EPOCH_DATE).days
