"""trend_from_tally(): the trend of a tally per local day × segment equals trend() of the rows."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter._tally import Tally
from netpromoter.exceptions import EmptyDataError, InvalidParameterError
from netpromoter.trends import trend, trend_from_tally

_START = datetime(2024, 12, 20, tzinfo=timezone.utc)
_ZONES = ["UTC", "Europe/Amsterdam", "America/St_Johns", "Asia/Kolkata", "Pacific/Kiritimati"]


def _day_tally(data: dict[str, list[Any]], zone: str, by: tuple[str, ...]) -> Tally:
    """Brute force: each row's local date in ``zone`` (datetime.astimezone) and segment."""
    cells: Counter[tuple[object, ...]] = Counter()
    for i, (s, t) in enumerate(zip(data["score"], data["submitted_at"], strict=True)):
        local = t.astimezone(ZoneInfo(zone)).date()
        key = (local, *[data[k][i] for k in by], int(s))
        cells[key] += 1
    groups = sorted({key[:-1] for key in cells}, key=repr)
    counts = np.zeros((len(groups), 11), dtype=np.int64)
    for key, n in cells.items():
        counts[groups.index(key[:-1]), int(str(key[-1]))] += n
    return Tally.of_counts(counts, by=("submitted_at", *by), labels=groups)


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, list[Any]]:
    n = draw(st.integers(1, 60))
    hours = draw(st.lists(st.integers(0, 24 * 400), min_size=n, max_size=n))
    return {
        "score": draw(st.lists(st.integers(0, 10), min_size=n, max_size=n)),
        "submitted_at": [_START + timedelta(hours=h, minutes=17) for h in hours],
        "region": draw(st.lists(st.sampled_from(["n", "s", "e"]), min_size=n, max_size=n)),
        "plan": draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n)),
    }


@settings(max_examples=60, deadline=None)
@given(
    data=_rows(),
    period=st.sampled_from(["day", "week", "month", "quarter", "year", 30]),
    zone=st.sampled_from(_ZONES),
    by=st.sampled_from([(), ("region",), ("region", "plan")]),
    rolling=st.integers(1, 3),
    min_n=st.integers(0, 5),
)
def test_tally_of_days_gives_the_trend_of_the_rows(
    *,
    data: dict[str, list[Any]],
    period: str | int,
    zone: str,
    by: tuple[str, ...],
    rolling: int,
    min_n: int,
) -> None:
    options: dict[str, Any] = {
        "period": period,
        "timezone": zone,
        "rolling": rolling,
        "min_n": min_n,
    }
    expected = trend(data, by=list(by) or None, **options)
    got = trend_from_tally(_day_tally(data, zone, by), **options)
    assert got.to_dicts(overall=True) == expected.to_dicts(overall=True)
    assert got.n_comparisons == expected.n_comparisons
    assert got.period == expected.period
    assert got.timezone == expected.timezone
    assert got.by == expected.by


def test_merged_tallies_of_parts_equal_the_tally_of_the_whole() -> None:
    data: dict[str, list[Any]] = {
        "score": [9, 10, 6, 10, 3, 2, 8],
        "submitted_at": [_START + timedelta(days=d) for d in (0, 3, 15, 40, 41, 70, 71)],
        "region": ["n", "s", "n", "s", "n", "n", "s"],
    }
    first = {k: v[:4] for k, v in data.items()}
    rest = {k: v[4:] for k, v in data.items()}
    merged = _day_tally(first, "UTC", ("region",)) + _day_tally(rest, "UTC", ("region",))
    got = trend_from_tally(merged, period="month", min_n=1)
    expected = trend(data, by="region", min_n=1)
    assert got.to_dicts(overall=True) == expected.to_dicts(overall=True)
    assert [r.n for r in got.overall] == [2, 3, 1, 1]  # December, January, February, March


def test_refuses_a_tally_without_dates() -> None:
    plain = Tally.of_counts(np.ones((1, 11), dtype=np.int64))
    with pytest.raises(InvalidParameterError, match="labelled by its time column"):
        trend_from_tally(plain)
    stamped = Tally.of_counts(
        np.ones((1, 11), dtype=np.int64), by=("submitted_at",), labels=[(_START,)]
    )
    with pytest.raises(InvalidParameterError, match="must be a date"):
        trend_from_tally(stamped)
    empty = Tally.of_counts(
        np.zeros((1, 11), dtype=np.int64), by=("submitted_at",), labels=[(date(2026, 1, 1),)]
    )
    with pytest.raises(EmptyDataError):
        trend_from_tally(empty)
