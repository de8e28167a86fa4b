"""Invariant of trend() on a lazy frame: the same rows give the in-memory trend."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter.exceptions import NetPromoterError
from netpromoter.trends import trend
from netpromoter.weighting import rake

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


MARGINS = {"a": {"x": 0.4, "y": 0.6}, "b": {"p": 0.2, "q": 0.3, "r": 0.5}}


@st.composite
def weighted_answers(draw: st.DrawFn) -> dict[str, list[object]]:
    """Scores (some NaN), two raking columns, base weights, a segment, days with gaps."""
    n = draw(st.integers(min_value=2, max_value=80))
    days = draw(st.lists(st.sampled_from([0, 1, 6, 40, 41, 100, 250, 400]), min_size=n, max_size=n))
    start = datetime(2024, 1, 1, 9, tzinfo=timezone.utc)
    return {
        "score": draw(st.lists(cells, min_size=n, max_size=n)),
        "a": draw(st.lists(st.sampled_from(["x", "y"]), min_size=n, max_size=n)),
        "b": draw(st.lists(st.sampled_from(["p", "q", "r"]), min_size=n, max_size=n)),
        "d": draw(st.lists(st.sampled_from([0.5, 1.0, 2.5]), min_size=n, max_size=n)),
        "seg": draw(st.lists(st.sampled_from(["s", "t", None]), min_size=n, max_size=n)),
        "t": [start + timedelta(days=d) for d in days],
    }


@settings(max_examples=40, deadline=None)
@given(
    weighted_answers(),
    st.sampled_from(["month", "week", 30]),
    st.integers(1, 3),
    st.sampled_from([None, "seg"]),
    st.sampled_from([None, "d"]),
)
def test_lazy_calibrated_trend_equals_in_memory(
    table: dict[str, list[object]],
    period: str | int,
    rolling: int,
    by: str | None,
    base: str | None,
) -> None:
    """Raked on the engine: every row and change of the trend as raked in memory."""
    from lazy_weighting_cases import same  # noqa: PLC0415 - the shared comparison

    frame = pl.DataFrame(table, schema_overrides={"t": pl.Datetime("us", "UTC")})
    try:
        expected_weights = rake(frame, MARGINS, weights=base, missing="drop")
    except NetPromoterError as error:  # an empty level or no scores: the same error lazily
        with pytest.raises(type(error)):
            rake(frame.lazy(), MARGINS, weights=base, missing="drop")
        return
    actual_weights = rake(frame.lazy(), MARGINS, weights=base, missing="drop")
    kwargs: dict[str, Any] = {
        "time": "t",
        "period": period,
        "rolling": rolling,
        "by": by,
        "min_n": 1,
        "missing": "drop",
    }
    try:
        expected = trend(frame, weights=expected_weights, **kwargs).to_dicts(overall=True)
    except NetPromoterError as error:
        with pytest.raises(type(error)):
            trend(frame.lazy(), weights=actual_weights, **kwargs)
        return
    actual = trend(frame.lazy(), weights=actual_weights, **kwargs).to_dicts(overall=True)
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        same(got, want)
