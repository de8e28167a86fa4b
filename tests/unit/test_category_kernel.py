"""The weighted category kernel of ``score()``: masks, matrix products and threads."""

from __future__ import annotations

import math
import os
import threading

import numpy as np
import pytest

from netpromoter import _count
from netpromoter._count import PRODUCT_ROWS, WEIGHTED_CATEGORY_CHUNK, tally_categories
from netpromoter.exceptions import InvalidWeightsError
from reference import reference_category_sums

TASK_ROWS = WEIGHTED_CATEGORY_CHUNK * _count._TASK_CHUNKS


def _data(n: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 11, n, dtype=np.int8), rng.lognormal(0.0, 1.0, n)


@pytest.mark.parametrize(
    "n",
    [
        0,
        1,
        PRODUCT_ROWS - 1,
        PRODUCT_ROWS,
        PRODUCT_ROWS + 1,
        WEIGHTED_CATEGORY_CHUNK + 3,
        TASK_ROWS + PRODUCT_ROWS + 5,
    ],
)
def test_sums_match_exact_sums_at_block_and_chunk_edges(n: int) -> None:
    """Counts are exact; sums agree with math.fsum to a few units in the last place."""
    scores, weights = _data(n)
    t = tally_categories(scores, weights, threads=2, check_weights=True)
    counts, sums, squares = reference_category_sums(scores.tolist(), weights.tolist())
    assert t.count.tolist() == [counts]
    assert t.exponent == 0
    np.testing.assert_allclose(t.sum_w[0], sums, rtol=1e-13, atol=0)
    np.testing.assert_allclose(t.sum_w2[0], squares, rtol=1e-13, atol=0)


@pytest.mark.parametrize("threads", [2, 3])
def test_threads_give_the_bits_of_one_thread(threads: int) -> None:
    """Several tasks on a pool of threads add up, in chunk order, to one thread's bits."""
    scores, weights = _data(2 * TASK_ROWS + PRODUCT_ROWS // 2 + 7, seed=9)
    one = tally_categories(scores, weights, threads=1)
    many = tally_categories(scores, weights, threads=threads)
    assert np.array_equal(one.count, many.count)
    assert one.sum_w.tobytes() == many.sum_w.tobytes()
    assert one.sum_w2.tobytes() == many.sum_w2.tobytes()


def _record_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of the thread each chunk of the category kernel is counted on."""
    names: list[str] = []
    original = _count._CategoryKernel.chunk

    def spy(self: _count._CategoryKernel, start: int) -> _count._WeightedChunk:
        names.append(threading.current_thread().name)
        return original(self, start)

    monkeypatch.setattr(_count._CategoryKernel, "chunk", spy)
    return names


@pytest.mark.parametrize(("setting", "pooled"), [(None, False), ("2", True)])
def test_by_default_one_thread_counts_unless_more_are_set(
    monkeypatch: pytest.MonkeyPatch, setting: str | None, pooled: bool
) -> None:
    """Big inputs stay on the calling thread on idle cores, unless NETPROMOTER_THREADS says.

    Either way the result has the bits of one thread.
    """
    monkeypatch.delenv("NETPROMOTER_THREADS", raising=False)
    if setting is not None:
        monkeypatch.setenv("NETPROMOTER_THREADS", setting)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(_count, "PARALLEL_MIN_ROWS", 1000)
    names = _record_threads(monkeypatch)
    scores, weights = _data(5000)
    auto = tally_categories(scores, weights, chunk_rows=100)
    assert len(names) == 50
    assert all(n.startswith("netpromoter-tally") for n in names) == pooled
    assert (threading.current_thread().name in names) == (not pooled)
    one = tally_categories(scores, weights, threads=1, chunk_rows=100)
    assert auto.sum_w.tobytes() == one.sum_w.tobytes()
    assert auto.sum_w2.tobytes() == one.sum_w2.tobytes()


@pytest.mark.parametrize("scale", [-1000, -600, 600, 1000])
def test_extreme_weights_are_summed_at_a_power_of_two(scale: int) -> None:
    """Weights times 2**±1000 give the sums of the weights, times that power, to the bit.

    Their squares overflow or underflow: each chunk is summed again divided by a power
    of two, and the tally keeps it as its exponent.
    """
    scores, weights = _data(3 * PRODUCT_ROWS + 11, seed=2)
    weights = np.clip(weights, 0.25, 4.0)  # a power-of-two scale then stays exact
    plain = tally_categories(scores, weights, threads=1, chunk_rows=PRODUCT_ROWS)
    scaled = tally_categories(
        scores, np.ldexp(weights, scale), threads=2, chunk_rows=PRODUCT_ROWS, check_weights=True
    )
    assert scaled.exponent != 0
    shift = scaled.exponent - scale
    assert np.array_equal(scaled.count, plain.count)
    assert np.ldexp(scaled.sum_w, shift).tobytes() == plain.sum_w.tobytes()
    assert np.ldexp(scaled.sum_w2, 2 * shift).tobytes() == plain.sum_w2.tobytes()


def test_zero_weights_are_valid() -> None:
    """Chunks whose weights are all 0 (no positive weight, no exponent) add nothing."""
    scores, weights = _data(1000)
    weights[:300] = 0.0
    t = tally_categories(scores, weights, threads=2, chunk_rows=100, check_weights=True)
    counts, sums, _ = reference_category_sums(scores.tolist(), weights.tolist())
    assert t.count.tolist() == [counts]
    np.testing.assert_allclose(t.sum_w[0], sums, rtol=1e-13)
    empty = tally_categories(scores, np.zeros(1000), threads=2, chunk_rows=100)
    assert empty.sum_w.tolist() == [[0.0, 0.0, 0.0]]


@pytest.mark.parametrize("position", [0, 150, 2999])
@pytest.mark.parametrize("bad", [-1.0, -1e-300, math.nan, math.inf])
def test_an_invalid_weight_in_any_chunk_is_found(position: int, bad: float) -> None:
    """check_weights names a negative, NaN or infinite weight wherever it is."""
    scores, weights = _data(3000)
    weights[position] = bad
    with pytest.raises(InvalidWeightsError) as caught:
        tally_categories(scores, weights, threads=2, chunk_rows=100, check_weights=True)
    assert caught.value.positions == (position,)


def test_weights_whose_sum_overflows_are_rejected() -> None:
    """Finite weights whose total overflows are refused, not summed to infinity."""
    scores = np.array([10, 0, 8], dtype=np.int8)
    with pytest.raises(InvalidWeightsError, match="overflows"):
        tally_categories(scores, np.full(3, 1.7e308), check_weights=True)
