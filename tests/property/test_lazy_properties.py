"""Invariants of the engine path: a lazy frame gives what its columns give in memory."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from netpromoter import NPSCounts, segment

pl = pytest.importorskip("polars")

# Scores as the engines see them: valid floats, NaN and null.
cells = st.one_of(st.integers(0, 10).map(float), st.just(math.nan), st.none())


@st.composite
def tables(draw: st.DrawFn) -> dict[str, list[object]]:
    """Scores with NaN and nulls, one key with nulls, and positive weights."""
    n = draw(st.integers(min_value=1, max_value=80))
    return {
        "score": draw(st.lists(cells, min_size=n, max_size=n)),
        "region": draw(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=n, max_size=n)),
        "w": draw(st.lists(st.floats(0.01, 100.0), min_size=n, max_size=n)),
    }


def _lazy(table: dict[str, list[object]]) -> object:
    return pl.DataFrame(
        table, schema={"score": pl.Float64, "region": pl.String, "w": pl.Float64}
    ).lazy()


@settings(max_examples=40, deadline=None)
@given(tables())
def test_lazy_counts_equal_in_memory_counts(table: dict[str, list[object]]) -> None:
    """NPSCounts of a polars LazyFrame equal those of its columns, NaN and null missing."""
    expected = NPSCounts.from_scores(
        [math.nan if v is None else v for v in table["score"]],
        weights=[float(w) for w in table["w"]],  # type: ignore[arg-type]
        missing="drop",
    )
    actual = NPSCounts.from_scores(_lazy(table), score="score", weights="w", missing="drop")
    assert expected.count == actual.count
    assert expected.n_missing == actual.n_missing
    assert actual.sum_weights == pytest.approx(expected.sum_weights, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(tables())
def test_lazy_segments_equal_in_memory_segments(table: dict[str, list[object]]) -> None:
    """The segment tally of a LazyFrame equals the in-memory one, segment for segment."""
    assume(any(v is not None and not math.isnan(v) for v in table["score"]))  # type: ignore[arg-type]
    expected = segment(table, "region", missing="drop", min_n=1).counts
    actual = segment(_lazy(table), "region", missing="drop", min_n=1).counts
    assert expected.levels == actual.levels
    assert expected.count == actual.count
    assert expected.n_missing == actual.n_missing
