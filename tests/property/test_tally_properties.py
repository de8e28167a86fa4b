"""Invariants of the tally engine: threads and chunk sizes never change a result."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from netpromoter import _count
from netpromoter._count import tally, tally_categories
from reference import reference_category_sums


@st.composite
def inputs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], list[int]]:
    """Scores, weights and one to three keys of small sizes."""
    n = draw(st.integers(min_value=1, max_value=300))
    sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 11, n, dtype=np.int8)
    weights = rng.lognormal(0.0, 1.0, n)
    codes = [rng.integers(0, size, n).astype(np.uint8) for size in sizes]
    return scores, weights, codes, sizes


@given(inputs(), st.integers(1, 40), st.integers(2, 4), st.booleans())
def test_threads_equal_one_thread_to_the_bit(
    data: tuple[np.ndarray, np.ndarray, list[np.ndarray], list[int]],
    chunk_rows: int,
    threads: int,
    weighted: bool,
) -> None:
    """Counts and weight sums on several threads are bit-identical to one thread."""
    scores, weights, codes, sizes = data
    w = weights if weighted else None
    one = tally(scores, w, codes, sizes, threads=1, chunk_rows=chunk_rows)
    many = tally(scores, w, codes, sizes, threads=threads, chunk_rows=chunk_rows)
    assert np.array_equal(one.count, many.count)
    assert one.sum_w.tobytes() == many.sum_w.tobytes()
    assert one.sum_w2.tobytes() == many.sum_w2.tobytes()


@given(inputs(), st.integers(1, 40))
def test_counts_do_not_depend_on_chunking(
    data: tuple[np.ndarray, np.ndarray, list[np.ndarray], list[int]], chunk_rows: int
) -> None:
    """Counts equal one bincount of the mixed-radix key; weight sums agree to rounding."""
    scores, weights, codes, sizes = data
    t = tally(scores, weights, codes, sizes, threads=2, chunk_rows=chunk_rows)
    group = np.zeros(len(scores), dtype=np.intp)
    for code, size in zip(codes, sizes, strict=True):
        group = group * size + code
    key = group * 11 + scores
    bins = int(np.prod(sizes)) * 11
    assert np.array_equal(t.count.reshape(-1), np.bincount(key, minlength=bins))
    expected = np.bincount(key, weights=weights, minlength=bins)
    assert np.allclose(t.sum_w.reshape(-1), expected, rtol=1e-12, atol=0)


@given(
    st.integers(0, 400),
    st.integers(0, 2**32 - 1),
    st.tuples(st.integers(1, 64), st.sampled_from([1, 2, 3, 8])),
    st.integers(2, 4),
    st.sampled_from([0, 0, -700, 700]),
)
def test_weighted_categories_on_threads_equal_one_thread_to_the_bit(
    n: int, seed: int, rows: tuple[int, int], threads: int, scale: int
) -> None:
    """The category kernel: bits independent of threads, counts exact, sums to rounding.

    Small matrix-product blocks exercise the block sums and the rest of each chunk;
    scaled weights (squares beyond the float range) the power-of-two path.
    """
    chunk_rows, product_rows = rows
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 11, n, dtype=np.int8)
    weights = rng.lognormal(0.0, 1.0, n) * (rng.random(n) < 0.9)  # some zero weights
    scaled = np.ldexp(weights, scale)
    with mock.patch.object(_count, "PRODUCT_ROWS", product_rows):
        one = tally_categories(scores, scaled, threads=1, chunk_rows=chunk_rows)
        many = tally_categories(scores, scaled, threads=threads, chunk_rows=chunk_rows)
    assert np.array_equal(one.count, many.count)
    assert (one.exponent, one.sum_w.tobytes()) == (many.exponent, many.sum_w.tobytes())
    assert one.sum_w2.tobytes() == many.sum_w2.tobytes()
    counts, sums, squares = reference_category_sums(scores.tolist(), weights.tolist())
    assert one.count.tolist() == [counts]
    shift = one.exponent - scale
    np.testing.assert_allclose(np.ldexp(one.sum_w[0], shift), sums, rtol=1e-13, atol=0)
    np.testing.assert_allclose(np.ldexp(one.sum_w2[0], 2 * shift), squares, rtol=1e-13, atol=0)
