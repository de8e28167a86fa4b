"""Hypothesis strategies for scores and weights."""

from __future__ import annotations

from hypothesis import strategies as st

scores = st.integers(min_value=0, max_value=10)
score_lists = st.lists(scores, min_size=1, max_size=300)
weights = st.floats(min_value=0.01, max_value=1000.0, allow_nan=False, allow_infinity=False)


@st.composite
def weighted_samples(draw: st.DrawFn) -> tuple[list[int], list[float]]:
    """A non-empty list of scores with one positive weight each."""
    values = draw(score_lists)
    w = draw(st.lists(weights, min_size=len(values), max_size=len(values)))
    return values, w
