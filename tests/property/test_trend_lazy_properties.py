"""Invariant of trend() on a lazy frame: the same rows give the in-memory trend."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter.trends import trend

pl = pytest.importorskip("polars")

ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]
#: Instants around the 2025 switches of several zones, and a plain day.
ANCHORS = [
    datetime(2025, 3, 30, 1, tzinfo=timezone.utc),
    datetime(2025, 11, 2, 6, tzinfo=timezone.utc),
    datetime(2025, 4, 5, 15, tzinfo=timezone.utc),
    datetime(2025, 6, 1, tzinfo=timezone.utc),
]
cells = st.one_of(st.integers(0, 10).map(float), st.just(math.nan))


@st.composite
def answers(draw: st.DrawFn) -> dict[str, list[object]]:
    """Scores (some NaN), weights, a key, and times within a day of a DST switch."""
    n = draw(st.integers(min_value=1, max_value=60))
    anchor = draw(st.sampled_from(ANCHORS))
    offsets = draw(st.lists(st.integers(-86_400, 86_400), min_size=n, max_size=n))
    return {
        "score": draw(st.lists(cells, min_size=n, max_size=n)),
        "w": draw(st.lists(st.floats(0.01, 10.0), min_size=n, max_size=n)),
        "region": draw(st.lists(st.sampled_from(["a", "b", None]), min_size=n, max_size=n)),
        "t": [anchor + timedelta(seconds=s) for s in offsets],
    }


@settings(max_examples=30, deadline=None)
@given(answers(), st.sampled_from(ZONES), st.sampled_from(["day", "week"]))
def test_lazy_trend_equals_in_memory(
    table: dict[str, list[object]], zone: str, period: str
) -> None:
    """Per period and region: the same n, and the same NPS to 1e-12."""
    frame = pl.DataFrame(table, schema_overrides={"t": pl.Datetime("us", "UTC")})
    if frame.select(pl.col("score").is_nan().all()).item():
        return  # no scores: both raise EmptyDataError (tested elsewhere)
    kwargs = {"timezone": zone, "period": period, "time": "t", "min_n": 1, "missing": "drop"}
    expected = trend(frame, by="region", weights="w", **kwargs)  # type: ignore[arg-type]
    actual = trend(frame.lazy(), by="region", weights="w", **kwargs)  # type: ignore[arg-type]
    assert [(r.key, r.period, r.n) for r in actual] == [(r.key, r.period, r.n) for r in expected]
    for got, want in zip(actual, expected, strict=True):
        assert (got.nps is None) == (want.nps is None)
        if got.nps is not None and want.nps is not None:
            assert got.nps == pytest.approx(want.nps, rel=1e-12, abs=1e-12)
