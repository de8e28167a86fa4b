"""_time: vectorised zone shifts and period numbers agree with Python's datetime row by row."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from netpromoter._input import times
from netpromoter.exceptions import InvalidParameterError

ZONES = [
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute daylight saving shift
    "Asia/Kathmandu",  # +05:45, no daylight saving
    "America/Santiago",  # switches at midnight
    "UTC",
]
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _seconds(n: int, seed: int) -> np.ndarray:
    """Random instants over 2024-2026, with extra ones near every hour (catches switches)."""
    rng = np.random.default_rng(seed)
    start = int((datetime(2024, 1, 1, tzinfo=timezone.utc) - EPOCH).total_seconds())
    span = 3 * 365 * 86_400
    spread = rng.integers(start, start + span, n)
    hours = rng.integers(start // 3600, (start + span) // 3600, n) * 3600 + rng.integers(-2, 3, n)
    return np.concatenate([spread, hours]).astype(np.int64)


@pytest.mark.parametrize("name", ZONES)
def test_utc_to_wall_clock_matches_zoneinfo(name: str) -> None:
    """Every shifted instant equals its wall-clock time from datetime.astimezone."""
    zone = times.check_zone(name)
    seconds = _seconds(4000, 1)
    got = times.shift(seconds, zone, to_utc=False)
    expected = [
        int(
            (
                (EPOCH + timedelta(seconds=s)).astimezone(zone).replace(tzinfo=None)
                - datetime(1970, 1, 1)  # noqa: DTZ001 - wall-clock arithmetic
            ).total_seconds()
        )
        for s in seconds.tolist()
    ]
    assert got.tolist() == expected


@pytest.mark.parametrize("name", ZONES)
def test_wall_clock_to_utc_matches_fold_zero(name: str) -> None:
    """Naive wall times convert as datetime does with fold=0 (first of a repeated hour)."""
    zone = times.check_zone(name)
    wall = _seconds(4000, 2)
    got = times.shift(wall, zone, to_utc=True)
    naive_epoch = datetime(1970, 1, 1)  # noqa: DTZ001 - wall-clock arithmetic
    expected = [
        int((naive_epoch + timedelta(seconds=s)).replace(tzinfo=zone).timestamp())
        for s in wall.tolist()
    ]
    assert got.tolist() == expected


def test_fixed_offsets_are_one_addition() -> None:
    """A datetime.timezone with a fixed offset shifts every row by it."""
    zone = timezone(timedelta(hours=-3))
    assert times.shift(np.array([0, 3600]), zone, to_utc=False).tolist() == [-10_800, -7_200]


def test_period_numbers_match_calendar() -> None:
    """Weeks, months, quarters and years of random days equal Python's calendar."""
    days = np.random.default_rng(4).integers(-800, 30_000, 2000).astype(np.int64)
    dates = [date(1970, 1, 1) + timedelta(days=int(d)) for d in days]
    for unit in ("day", "week", "month", "quarter", "year"):
        period = times.check_period(unit)
        numbers = times.period_numbers(days, period, 0)
        for number, day in zip(numbers.tolist(), dates, strict=True):
            first, last = times.period_bounds(number, period, 0)
            assert first <= day <= last
            label = times.period_label(number, period, 0)
            if unit == "week":
                year, week, _ = day.isocalendar()
                assert label == f"{year}-W{week:02d}"
            elif unit == "month":
                assert label == f"{day.year}-{day.month:02d}"
            elif unit == "quarter":
                assert label == f"{day.year}-Q{(day.month - 1) // 3 + 1}"
            elif unit == "year":
                assert label == str(day.year)


def test_year_before() -> None:
    """A year back: 12 months, 4 quarters, the same ISO week or date; none for windows."""
    month = times.check_period("month")
    assert times.year_before(100, month) == 88
    week = times.check_period("week")
    w = int(times.period_numbers(np.array([times.date_number(date(2026, 3, 4))]), week, 0)[0])
    back = times.year_before(w, week)
    assert back is not None
    assert times.period_label(back, week, 0) == "2025-W10"
    day = times.check_period("day")
    assert times.year_before(times.date_number(date(2028, 2, 29)), day) is None
    w53 = int(times.period_numbers(np.array([times.date_number(date(2026, 12, 30))]), week, 0)[0])
    assert times.year_before(w53, week) is None
    assert times.year_before(5, times.check_period(30)) is None


def test_parse_kinds() -> None:
    """Objects, text, dates, missing and garbage are told apart without raising."""
    parsed = times.parse(
        np.array(
            [
                "2026-01-01T00:00:00Z",
                "2026-01-01",
                datetime(2026, 1, 1),  # noqa: DTZ001
                None,
                "soon",
                3.5,
                np.datetime64("2026-01-01T00:00"),
            ],
            dtype=object,
        )
    )
    assert isinstance(parsed.kind, np.ndarray)
    assert parsed.kind.tolist() == [
        times.AWARE,
        times.DATE,
        times.NAIVE,
        times.MISSING,
        times.BAD,
        times.BAD,
        times.NAIVE,
    ]
    numbers = times.parse(np.array([1, 2]))
    assert isinstance(numbers.kind, np.ndarray)
    assert set(numbers.kind.tolist()) == {times.BAD}


def test_check_zone_and_period_errors() -> None:
    """Unknown zones and periods raise parameter errors that name the value."""
    with pytest.raises(InvalidParameterError, match="'Nowhere'"):
        times.check_zone("Nowhere")
    with pytest.raises(InvalidParameterError, match="period"):
        times.check_period(0)
    with pytest.raises(InvalidParameterError, match="period"):
        times.check_period(timedelta(hours=5))
    assert times.check_zone(ZoneInfo("Europe/Paris")) == ZoneInfo("Europe/Paris")
    assert times.check_period(timedelta(days=7)).name == "7D"


def test_text_fast_path_matches_value_by_value() -> None:
    """Vectorised ISO 8601 parsing equals datetime.fromisoformat on every row."""
    rng = np.random.default_rng(8)
    base = np.datetime64("1965-01-01T00:00:00", "s")
    instants = (base + rng.integers(0, 2_000_000_000, 3000).astype("timedelta64[s]")).astype(str)
    suffixes = ["", "Z", "+01:00", "-05:30", "+14:00", "-00:30"]
    texts = []
    for i, t in enumerate(instants.tolist()):
        shape = i % 4
        body = t[:10] if shape == 0 else t[:16] if shape == 1 else t.replace("T", " ")
        suffix = "" if shape == 0 else suffixes[i % len(suffixes)]
        fraction = ".25" if shape == 3 else ""
        texts.append(body + fraction + suffix)
    column = np.empty(len(texts), dtype=object)
    column[:] = texts
    fast = times.parse(column)
    slow = [times._one(t) for t in texts]
    assert fast.values.tolist() == [v for v, _ in slow]
    assert isinstance(fast.kind, np.ndarray)
    assert fast.kind.tolist() == [k for _, k in slow]
    assert times.parse(np.array(texts)).values.tolist() == fast.values.tolist()


_PLUS_ONE = timezone(timedelta(hours=1))
_MINUS_0530 = timezone(-timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", date(2026, 1, 31)),
        (" 2026-01-31 ", date(2026, 1, 31)),
        ("2026-01-31T09:30", datetime(2026, 1, 31, 9, 30)),  # noqa: DTZ001 - naive on purpose
        ("2026-01-31 09:30:15", datetime(2026, 1, 31, 9, 30, 15)),  # noqa: DTZ001
        ("2026-01-31T09:30:15.25", datetime(2026, 1, 31, 9, 30, 15, 250_000)),  # noqa: DTZ001
        ("2026-01-31t09:30:15,5Z", datetime(2026, 1, 31, 9, 30, 15, 500_000, timezone.utc)),
        ("2026-01-31T09:30:15.1234567z", datetime(2026, 1, 31, 9, 30, 15, 123_456, timezone.utc)),
        ("2026-01-31T09:30+01:00", datetime(2026, 1, 31, 9, 30, tzinfo=_PLUS_ONE)),
        ("2026-01-31T09:30+0100", datetime(2026, 1, 31, 9, 30, tzinfo=_PLUS_ONE)),
        ("2026-01-31T09:30+01", datetime(2026, 1, 31, 9, 30, tzinfo=_PLUS_ONE)),
        ("2026-01-31T09:30:00.25-05:30", datetime(2026, 1, 31, 9, 30, 0, 250_000, _MINUS_0530)),
    ],
)
def test_parse_iso_reads_the_same_forms_on_every_python(
    text: str, expected: date | datetime
) -> None:
    """Offsets without a colon and short fractions read alike on Python 3.10 and later."""
    parsed = times.parse_iso(text)
    assert type(parsed) is type(expected)
    assert parsed == expected
    if isinstance(parsed, datetime) and isinstance(expected, datetime):
        assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-1-31",
        "20260131",  # basic format: Python 3.11+ fromisoformat reads it, 3.10 does not
        "2026-01-31T0930",
        "2026-01-31T09",
        "2026-W05-6",
        "2026-02-30",
        "2026-01-31T24:00",
        "2026-01-31T09:30+01:60",
        "2026-01-31T09:30+24:00",
        "2026-01-31T09:30:00+01:00[Europe/Paris]",
        "today",
    ],
)
def test_parse_iso_refuses_other_text(text: str) -> None:
    """Other text, impossible dates, times and offsets raise ValueError on every Python."""
    with pytest.raises(ValueError, match=r"is not (a valid )?ISO 8601"):
        times.parse_iso(text)


def test_text_fast_path_falls_back_for_other_text() -> None:
    """Text numpy cannot read (offsets without a colon, words) goes value by value."""
    column = np.array(["2026-01-31T09:00:00+0100", "2026-01-31T09:00:00+01:00", " "])
    parsed = times.parse(column)
    assert isinstance(parsed.kind, np.ndarray)
    assert parsed.kind.tolist() == [times.AWARE, times.AWARE, times.BAD]
    assert parsed.values[0] == parsed.values[1]
