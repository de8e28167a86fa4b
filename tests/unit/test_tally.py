"""The tally engine kernels."""

from __future__ import annotations

import numpy as np
import pytest

from netpromoter._tally import CATEGORY_CHUNK, CHUNK, count_scores, tally, tally_categories


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, CHUNK - 1, CHUNK, CHUNK + 5, 3 * CHUNK + 2])
def test_byte_kernel_matches_bincount_at_chunk_edges(n: int) -> None:
    """The packed int8 kernel counts exactly, whatever the length."""
    data = np.random.default_rng(n).integers(0, 11, n, dtype=np.int8)
    assert np.array_equal(count_scores(data), np.bincount(data, minlength=11))


def test_byte_kernel_on_unaligned_data() -> None:
    """An int8 view starting at an odd byte offset counts correctly."""
    data = np.random.default_rng(1).integers(0, 11, 10_001, dtype=np.int8)
    view = data[1:]
    assert np.array_equal(count_scores(view), np.bincount(view, minlength=11))


def test_all_tens_do_not_overflow_the_packing() -> None:
    """The largest score in every nibble still counts right."""
    data = np.full(4 * 1000 + 3, 10, dtype=np.int8)
    assert count_scores(data)[10] == len(data)


def test_grouped_weighted_tally() -> None:
    """Per group x score: counts, sums of weights and of squared weights."""
    scores = np.array([10, 0, 10, 7], dtype=np.int8)
    codes = np.array([0, 0, 1, 1])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    t = tally(scores, w, codes, 2)
    assert t.count.shape == (2, 11)
    assert (t.count[0, 10], t.count[0, 0], t.count[1, 10], t.count[1, 7]) == (1, 1, 1, 1)
    assert (t.sum_w[1, 10], t.sum_w2[1, 7]) == (3.0, 16.0)


def test_unweighted_tally_has_counts_as_weight_sums() -> None:
    """Without weights the weight sums equal the counts."""
    t = tally(np.array([1, 1, 9], dtype=np.int8))
    assert np.array_equal(t.sum_w, t.count.astype(float))
    assert np.array_equal(t.sum_w2, t.count.astype(float))


@pytest.mark.parametrize("n", [1, 2, CATEGORY_CHUNK - 1, CATEGORY_CHUNK, CATEGORY_CHUNK + 3])
def test_category_path_matches_bincount_at_chunk_edges(n: int) -> None:
    """The category fast path counts detractors, passives and promoters exactly."""
    data = np.random.default_rng(n).integers(0, 11, n, dtype=np.int8)
    full = np.bincount(data, minlength=11)
    expected = [full[:7].sum(), full[7:9].sum(), full[9:].sum()]
    assert tally_categories(data).count.tolist() == [expected]
