"""Invariants of relative weights, correlations and theme tagging."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter._correlation import correlate
from netpromoter._importance import correlation_matrices, relative_weights
from netpromoter._themes import compile_dictionary, tag

Z95 = 1.959963984540054


@st.composite
def rating_data(draw: st.DrawFn) -> np.ndarray:
    """Integer ratings of 1..5 aspects (possibly correlated) and a 0..10 score."""
    p = draw(st.integers(1, 5))
    n = draw(st.integers(p + 3, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mixing = rng.normal(size=(p, p)) * draw(st.floats(0, 2))
    latent = rng.normal(size=(n, p))
    aspects = np.round(latent + latent @ mixing)
    score = np.clip(np.round(5 + aspects @ rng.normal(size=p) + rng.normal(size=n)), 0, 10)
    return np.column_stack([aspects, score])


def least_squares_r2(data: np.ndarray) -> float:
    x = np.column_stack([np.ones(len(data)), data[:, :-1]])
    y = data[:, -1]
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    centred = y - y.mean()
    return float(1 - resid @ resid / (centred @ centred))


@settings(max_examples=60, deadline=None)
@given(rating_data())
def test_relative_weights_are_non_negative_and_sum_to_r_squared(data: np.ndarray) -> None:
    """Johnson's weights are >= 0 and add up to the regression's R² (when defined)."""
    weights = relative_weights(correlation_matrices(data))
    if np.isnan(weights).any():
        return  # a constant or collinear column: undefined, reported as such upstream
    assert (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(), least_squares_r2(data), rtol=1e-8, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(rating_data())
def test_correlations_are_bounded_and_inside_their_interval(data: np.ndarray) -> None:
    """|r| <= 1 and a Fisher-z interval contains its coefficient."""
    result = correlate(data[:, 0], data[:, -1], Z95)
    for r, (lo, hi) in ((result.pearson, result.pearson_ci), (result.spearman, result.spearman_ci)):
        if np.isnan(r):
            continue
        assert -1.0 <= r <= 1.0
        assert lo <= r <= hi


VOCABULARY = [
    "price", "prices", "prijs", "prijzen", "support", "klantenservice", "service", "late",
    "te", "laat", "levering", "Café", "cafe's", "easy", "to", "use", "the", "and", "!", ",",
]  # fmt: skip
comments = st.lists(
    st.none() | st.lists(st.sampled_from(VOCABULARY), max_size=12).map(" ".join), max_size=30
)
keywords = st.lists(
    st.lists(st.sampled_from(VOCABULARY[:-2]), min_size=1, max_size=3).map(" ".join),
    min_size=1,
    max_size=4,
)


@settings(max_examples=80, deadline=None)
@given(comments, st.dictionaries(st.sampled_from("abcdef"), keywords, min_size=1))
def test_theme_counts_never_exceed_comments(
    texts: list[str | None], dictionary: dict[str, list[str]]
) -> None:
    """No theme, and no keyword, is mentioned by more comments than there are."""
    tagging = tag(texts, compile_dictionary(dictionary))
    n_comments = int(tagging.has_comment.sum())
    assert (tagging.mentions.sum(axis=0) <= n_comments).all()
    assert (tagging.keyword_hits <= n_comments).all()
    assert not tagging.mentions[~tagging.has_comment].any()


@settings(max_examples=80, deadline=None)
@given(comments, st.dictionaries(st.sampled_from("abcde"), keywords, min_size=1), keywords)
def test_adding_a_theme_never_changes_another(
    texts: list[str | None], dictionary: dict[str, list[str]], extra: list[str]
) -> None:
    """Adding a theme leaves every other theme's mentions and keyword hits unchanged."""
    before = tag(texts, compile_dictionary(dictionary))
    after = tag(texts, compile_dictionary({**dictionary, "new": extra}))
    t = len(dictionary)
    np.testing.assert_array_equal(before.mentions, after.mentions[:, :t])
    np.testing.assert_array_equal(
        before.keyword_hits, after.keyword_hits[: len(before.keyword_hits)]
    )


@settings(max_examples=50, deadline=None)
@given(comments, st.dictionaries(st.sampled_from("abc"), keywords, min_size=1), st.randoms())
def test_comment_order_does_not_change_counts(
    texts: list[str | None], dictionary: dict[str, list[str]], random: object
) -> None:
    """Shuffling the comments permutes the rows and keeps the counts."""
    order = list(range(len(texts)))
    random.shuffle(order)  # type: ignore[attr-defined]
    compiled = compile_dictionary(dictionary)
    before = tag(texts, compiled)
    after = tag([texts[i] for i in order], compiled)
    np.testing.assert_array_equal(before.mentions[order], after.mentions)
    np.testing.assert_array_equal(before.keyword_hits, after.keyword_hits)
