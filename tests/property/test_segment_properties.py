"""Invariants of segment(), SegmentCounts and rank()."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter import SegmentCounts, rank, score, segment

labels = st.sampled_from(["a", "b", "c", None])


def _comparable(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """NaN as a string, so that equal tables compare equal."""
    return [
        {k: "nan" if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
        for r in records
    ]


@st.composite
def tables(draw: st.DrawFn) -> dict[str, list[object]]:
    """Scores with two keys (with missing values) and positive weights."""
    n = draw(st.integers(min_value=1, max_value=120))
    return {
        "score": draw(st.lists(st.integers(0, 10), min_size=n, max_size=n)),
        "k1": draw(st.lists(labels, min_size=n, max_size=n)),
        "k2": draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
        "w": draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n)),
    }


@given(tables(), st.booleans())
def test_segments_add_up_to_the_overall(data: dict[str, list[object]], weighted: bool) -> None:
    """Segment counts and weight sums add up to the overall row."""
    result = segment(data, ["k1", "k2"], weights="w" if weighted else None)
    assert sum(row.n for row in result) == result.overall.n == len(data["score"])
    for field in ("detractors", "passives", "promoters"):
        total = sum(getattr(row, field) for row in result)
        assert total == pytest.approx(getattr(result.overall, field))


@given(tables(), st.booleans())
def test_one_segment_equals_score(data: dict[str, list[object]], weighted: bool) -> None:
    """With a single segment, its row is score() on all responses."""
    data = {**data, "one": ["x"] * len(data["score"])}
    weights = data["w"] if weighted else None
    (row,) = segment(data, "one", weights="w" if weighted else None)
    expected = score(data["score"], weights=weights)  # type: ignore[arg-type]
    assert row.nps == pytest.approx(expected.nps, abs=1e-9)
    assert row.se == pytest.approx(expected.se, rel=1e-9, abs=1e-12, nan_ok=True)
    assert row.n == expected.n


@given(tables(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(data: dict[str, list[object]], rnd: object) -> None:
    """Shuffling the rows gives the same table."""
    order = list(range(len(data["score"])))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = {k: [v[i] for i in order] for k, v in data.items()}
    a = segment(data, ["k1", "k2"], weights="w").to_dicts(overall=True)
    b = segment(shuffled, ["k1", "k2"], weights="w").to_dicts(overall=True)
    assert [r["n"] for r in a] == [r["n"] for r in b]
    for x, y in zip(a, b, strict=True):
        assert x["nps"] == pytest.approx(y["nps"], abs=1e-9, nan_ok=True)
        assert x["se"] == pytest.approx(y["se"], rel=1e-9, nan_ok=True)


@given(tables(), st.integers(min_value=0, max_value=120))
def test_merged_parts_equal_the_whole(data: dict[str, list[object]], cut: int) -> None:
    """Tallies of two parts, merged, equal the tally of the whole."""
    first = {k: v[:cut] for k, v in data.items()}
    second = {k: v[cut:] for k, v in data.items()}
    whole = SegmentCounts.from_data(data, ["k1", "k2"])
    merged = SegmentCounts.from_data(first, ["k1", "k2"]) + SegmentCounts.from_data(
        second, ["k1", "k2"]
    )
    assert merged == whole


@settings(max_examples=30, deadline=None)
@given(tables())
def test_shrunken_lies_between_raw_and_overall(data: dict[str, list[object]]) -> None:
    """Each shrunken NPS lies between the unit's raw NPS and the overall NPS."""
    ranking = rank(data, "k1", draws=100)
    for row in ranking:
        lo, hi = sorted((row.nps, ranking.overall_nps))
        assert lo - 1e-9 <= row.shrunken_nps <= hi + 1e-9
        assert 0.0 <= row.prob_above <= 1.0


@settings(max_examples=25, deadline=None)
@given(tables())
def test_dataframe_inputs_agree(data: dict[str, list[object]]) -> None:
    """pandas, polars (eager and lazy) and pyarrow inputs give identical results."""
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    expected = _comparable(segment(data, ["k1", "k2"], weights="w").to_dicts(overall=True))
    arrays = {**data, "score": np.asarray(data["score"], dtype=np.int8)}
    for frame in (
        pd.DataFrame(arrays),
        pl.DataFrame(data),
        pa.table(data),
        pl.DataFrame(data).with_columns(pl.col("k1").cast(pl.Categorical)),
        pd.DataFrame(arrays).astype({"k1": "category"}),
    ):
        got = _comparable(segment(frame, ["k1", "k2"], weights="w").to_dicts(overall=True))
        assert got == expected
    # A lazy frame is tallied on its engine, which adds the weights in its own order.
    lazy = segment(pl.DataFrame(data).lazy(), ["k1", "k2"], weights="w").to_dicts(overall=True)
    assert len(lazy) == len(expected)
    for got_row, expected_row in zip(_comparable(lazy), expected, strict=True):
        for name, value in expected_row.items():
            if isinstance(value, float):
                assert got_row[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
            else:
                assert got_row[name] == value, name
