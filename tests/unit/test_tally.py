"""The tally engine kernels."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from netpromoter import _count, _tally
from netpromoter._count import CATEGORY_CHUNK, CHUNK, count_scores, tally, tally_categories
from netpromoter.exceptions import InvalidParameterError, InvalidWeightsError


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


def _big(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 11, n, dtype=np.int8),
        rng.lognormal(0.0, 0.5, n),
        rng.integers(0, 50, n).astype(np.uint8),
        rng.integers(0, 24, n).astype(np.uint8),
    )


@pytest.mark.parametrize("threads", [2, 3])
def test_threads_give_the_same_bits_as_one_thread(threads: int) -> None:
    """Chunks on threads merge in chunk order: counts and weight sums are bit-identical."""
    scores, w, region, week = _big(5 * CHUNK + 17)
    one = tally(scores, w, [region, week], [50, 24], threads=1)
    many = tally(scores, w, [region, week], [50, 24], threads=threads)
    assert np.array_equal(one.count, many.count)
    assert one.sum_w.tobytes() == many.sum_w.tobytes()
    assert one.sum_w2.tobytes() == many.sum_w2.tobytes()


def test_default_threads_on_a_big_input_match_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the size threshold the default runs threads; the result does not change."""
    monkeypatch.setattr(_count, "PARALLEL_MIN_ROWS", CHUNK)
    monkeypatch.setenv("NETPROMOTER_THREADS", "2")
    scores, w, region, _ = _big(3 * CHUNK + 1)
    assert _count.engine_threads(len(scores)) == 2
    auto = tally(scores, w, region, 50)
    one = tally(scores, w, region, 50, threads=1)
    assert auto.sum_w.tobytes() == one.sum_w.tobytes()
    assert np.array_equal(auto.count, one.count)


def test_engine_threads_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """NETPROMOTER_THREADS sets the default; small inputs and explicit values as asked."""
    monkeypatch.setenv("NETPROMOTER_THREADS", "3")
    assert _count.engine_threads(_count.PARALLEL_MIN_ROWS) == 3
    assert _count.engine_threads(_count.PARALLEL_MIN_ROWS - 1) == 1
    assert _count.engine_threads(10, 4, chunk_rows=3) == 4
    assert _count.engine_threads(10, 8, chunk_rows=3) == 4
    monkeypatch.setenv("NETPROMOTER_THREADS", "many")
    with pytest.raises(ValueError, match="NETPROMOTER_THREADS"):
        _count.engine_threads(_count.PARALLEL_MIN_ROWS)
    with pytest.raises(ValueError, match="at least 1"):
        _count.engine_threads(10, 0)


@pytest.mark.parametrize(
    ("bad", "message"),
    [(np.nan, "position 4"), (-1.0, "position 4"), (np.inf, "position 4"), (1e308, "overflows")],
)
def test_weights_checked_on_the_way(bad: float, message: str) -> None:
    """check_weights finds NaN, negative and infinite weights, and an overflowing sum."""
    scores = np.arange(10, dtype=np.int8)
    w = np.ones(10)
    w[4] = bad
    if bad == 1e308:
        w[:] = bad
    with np.errstate(over="ignore"), pytest.raises(InvalidWeightsError, match=message):
        tally(scores, w, np.zeros(10, dtype=np.uint8), 1, check_weights=True, chunk_rows=3)


def test_key_of_wide_codes_and_many_keys() -> None:
    """Signed and 64-bit codes of three keys combine by the mixed radix (Horner's rule)."""
    rng = np.random.default_rng(5)
    n = 1000
    a, b, c = rng.integers(0, 3, n), rng.integers(0, 5, n).astype(np.int32), rng.integers(0, 7, n)
    scores = rng.integers(0, 11, n, dtype=np.int8)
    t = tally(scores, None, [a, b, c], [3, 5, 7], chunk_rows=64)
    group = (a * 5 + b) * 7 + c
    expected = np.bincount(group * 11 + scores, minlength=3 * 5 * 7 * 11).reshape(-1, 11)
    assert np.array_equal(t.count, expected)


def _four_cores_here(pid: int) -> set[int]:
    """A fake os.sched_getaffinity: this process (pid 0) may run on four cores."""
    assert pid in (0, os.getpid())
    return {0, 1, 2, 3}


@pytest.mark.parametrize(("load", "expected"), [(0.0, 4), (1.0, 4), (2.5, 2), (3.2, 1), (9.0, 1)])
def test_default_threads_leave_busy_cores_alone(
    monkeypatch: pytest.MonkeyPatch, load: float, expected: int
) -> None:
    """Without NETPROMOTER_THREADS: the usable cores that the load average leaves idle."""
    monkeypatch.delenv("NETPROMOTER_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", _four_cores_here, raising=False)
    # Only the one-minute average counts, not the 5- and 15-minute ones.
    monkeypatch.setattr(os, "getloadavg", lambda: (load, 0.0, 9.0))
    assert _count.engine_threads(_count.PARALLEL_MIN_ROWS) == expected
    assert _count.engine_threads(_count.PARALLEL_MIN_ROWS, weighted=False) == 1


def _spy_on_chunks(monkeypatch: pytest.MonkeyPatch, kernel: str) -> list[int]:
    """Record the first row of every chunk that ``_Kernel.<kernel>`` counts."""
    starts: list[int] = []
    original = getattr(_count._Kernel, kernel)

    def spy(self: _count._Kernel, start: int) -> object:
        starts.append(start)
        return original(self, start)

    monkeypatch.setattr(_count._Kernel, kernel, spy)
    return starts


def _grouped(n: int, seed: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scores, log-normal weights, three group codes and the group × score key."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 11, n, dtype=np.int8)
    codes = rng.integers(0, 3, n).astype(np.uint8)
    return scores, rng.lognormal(0.0, 0.7, n), codes, codes.astype(np.intp) * 11 + scores


@pytest.mark.parametrize("threads", [1, 3])
def test_many_weighted_chunks_add_up_to_one_bincount(
    monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """Partial tallies of many chunks add up to np.bincount over all rows."""
    scores, w, codes, key = _grouped(5000)
    starts = _spy_on_chunks(monkeypatch, "weighted")
    t = tally(scores, w, codes, 3, threads=threads, chunk_rows=100)
    assert len(starts) >= 20
    assert np.array_equal(t.count.ravel(), np.bincount(key, minlength=33))
    expected_w = np.bincount(key, weights=w, minlength=33)
    expected_w2 = np.bincount(key, weights=w * w, minlength=33)
    np.testing.assert_allclose(t.sum_w.ravel(), expected_w, rtol=1e-12)
    np.testing.assert_allclose(t.sum_w2.ravel(), expected_w2, rtol=1e-12)


@pytest.mark.parametrize("threads", [1, 3])
def test_many_unweighted_chunks_add_up_to_one_bincount(
    monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """Unweighted grouped counts of many chunks equal np.bincount over all rows."""
    scores, _, codes, key = _grouped(5000)
    starts = _spy_on_chunks(monkeypatch, "count")
    t = tally(scores, None, codes, 3, threads=threads, chunk_rows=100)
    assert len(starts) >= 20
    assert np.array_equal(t.count.ravel(), np.bincount(key, minlength=33))
    assert np.array_equal(t.sum_w, t.count.astype(np.float64))


def test_zero_weights_pass_the_check_on_the_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """check_weights accepts zero weights, also a chunk whose smallest weight is 0."""
    scores, w, codes, key = _grouped(3000)
    w[::7] = 0.0
    w[:200] = 0.0
    starts = _spy_on_chunks(monkeypatch, "weighted")
    t = tally(scores, w, codes, 3, check_weights=True, chunk_rows=100)
    assert len(starts) >= 20
    np.testing.assert_allclose(
        t.sum_w.ravel(), np.bincount(key, weights=w, minlength=33), rtol=1e-12
    )


@pytest.mark.parametrize("position", [0, 150, 2999])
@pytest.mark.parametrize("bad", [-1.0, -1e-300])
def test_a_negative_weight_in_any_chunk_is_found(
    monkeypatch: pytest.MonkeyPatch, position: int, bad: float
) -> None:
    """check_weights names a negative weight wherever it is, early chunks included."""
    scores, w, codes, _ = _grouped(3000)
    w[position] = bad
    starts = _spy_on_chunks(monkeypatch, "weighted")
    with pytest.raises(InvalidWeightsError) as caught:
        tally(scores, w, codes, 3, check_weights=True, chunk_rows=100)
    assert len(starts) >= 20
    assert caught.value.positions == (position,)


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.int64, np.uint16])
def test_wide_scores_over_several_chunks_match_bincount(dtype: type[np.integer]) -> None:
    """Scores wider than one byte are counted exactly over several chunks."""
    n = 2 * CHUNK + 3
    data = np.random.default_rng(4).integers(0, 11, n).astype(dtype)
    data[-3:] = 10  # the last, short chunk holds the only tens of its length
    expected = np.bincount(data, minlength=11)
    assert np.array_equal(count_scores(data), expected)
    assert tally(data).count.tolist() == [expected.tolist()]


def test_tally_is_immutable() -> None:
    """A tally's arrays cannot be rebound: results built on it cannot drift."""
    t = tally(np.array([1, 9], dtype=np.int8))
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.count = np.zeros((1, 11), dtype=np.int64)  # type: ignore[misc]


def _record_threads(monkeypatch: pytest.MonkeyPatch, kernel: str) -> list[str]:
    """Record the name of the thread each chunk of ``_Kernel.<kernel>`` is counted on."""
    names: list[str] = []
    original = getattr(_count._Kernel, kernel)

    def spy(self: _count._Kernel, start: int) -> object:
        names.append(threading.current_thread().name)
        return original(self, start)

    monkeypatch.setattr(_count._Kernel, kernel, spy)
    return names


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_chunks_run_on_the_threads_asked_for(monkeypatch: pytest.MonkeyPatch, threads: int) -> None:
    """threads=k > 1 counts chunks on a pool of worker threads; threads=1 on the caller's."""
    scores, w, codes, _ = _grouped(3000)
    names = _record_threads(monkeypatch, "weighted")
    tally(scores, w, codes, 3, threads=threads, chunk_rows=100)
    pooled = {n for n in names if n.startswith("netpromoter-tally")}
    assert (0 < len(pooled) <= threads) if threads > 1 else not pooled
    assert (threading.current_thread().name in names) == (threads == 1)


@pytest.mark.parametrize(
    ("kernel", "weighted", "pooled"), [("weighted", True, True), ("count", False, False)]
)
def test_by_default_only_big_weighted_tallies_use_threads(
    monkeypatch: pytest.MonkeyPatch, kernel: str, weighted: bool, pooled: bool
) -> None:
    """Without a setting, big weighted tallies run on idle cores, unweighted ones do not."""
    monkeypatch.delenv("NETPROMOTER_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", _four_cores_here, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(_count, "PARALLEL_MIN_ROWS", 1000)
    scores, w, codes, _ = _grouped(5000)
    names = _record_threads(monkeypatch, kernel)
    tally(scores, w if weighted else None, codes, 3, chunk_rows=500)
    assert any(n.startswith("netpromoter-tally") for n in names) == pooled


@pytest.mark.parametrize("threads", [2, 3])
def test_ordered_map_holds_at_most_two_results_per_thread_and_one(threads: int) -> None:
    """Chunks are taken from the input only 2 k + 1 ahead of the results handed out."""
    taken: list[int] = []

    def starts() -> Iterator[int]:
        for start in range(50):
            taken.append(start)
            yield start

    ahead: list[int] = []
    results: list[int] = []
    for result in _count.ordered_map(lambda s: s * s, starts(), threads):  # type: ignore[arg-type]
        ahead.append(len(taken) - len(results))
        results.append(result)
    assert results == [s * s for s in range(50)]
    assert ahead[0] == 2 * threads + 1
    assert max(ahead) == 2 * threads + 1


def test_never_more_threads_than_chunks() -> None:
    """Three rows in chunks of one row use three threads at most, whatever is asked."""
    assert _count.engine_threads(3, 8, chunk_rows=1) == 3
    assert _count.engine_threads(3, 8, chunk_rows=2) == 2
    assert _count.engine_threads(3, 8, chunk_rows=0) == 3


@pytest.mark.parametrize(("setting", "expected"), [("1", 1), ("0", 1), ("-2", 1), (" 3 ", 3)])
def test_thread_setting_is_taken_as_given(
    monkeypatch: pytest.MonkeyPatch, setting: str, expected: int
) -> None:
    """NETPROMOTER_THREADS=1 keeps the engine on one thread; below 1 counts as 1."""
    monkeypatch.setenv("NETPROMOTER_THREADS", setting)
    assert _count.engine_threads(_count.PARALLEL_MIN_ROWS) == expected


def test_one_code_array_without_a_group_count_is_one_group() -> None:
    """Codes given without n_groups form the single group 0."""
    scores = np.array([9, 3, 7], dtype=np.int8)
    t = tally(scores, codes=np.zeros(3, dtype=np.uint8))
    assert t.count.tolist() == [np.bincount(scores, minlength=11).tolist()]


def test_squares_that_fit_but_whose_sum_overflows_are_rescaled_quietly() -> None:
    # Each square is below the float maximum; their sum is not (found by hypothesis).
    w = np.array([13.0, 20.0]) * 10.0**152.75
    scores = np.array([0, 1], dtype=np.int8)
    counted = tally(scores, w)
    unit = tally(scores, np.array([13.0, 20.0]))
    assert counted.exponent > 0
    shares = counted.sum_w2.sum() / counted.sum_w.sum() ** 2
    assert shares == pytest.approx(unit.sum_w2.sum() / unit.sum_w.sum() ** 2, rel=1e-12)


def test_merge_by_label_keeps_true_apart_from_one() -> None:
    # True == 1 in Python, but a boolean group and a numeric group are different groups.
    a = _tally.Tally.of_counts(np.eye(2, 11, dtype=np.int64), by=("k",), labels=[(True,), (1,)])
    b = _tally.Tally.of_counts(np.eye(2, 11, 3, dtype=np.int64), by=("k",), labels=[(1,), (0,)])
    merged = a + b
    assert merged.n_groups == 3
    assert sorted((type(label[0]).__name__, label[0]) for label in merged.labels or ()) == [
        ("bool", True),
        ("int", 0),
        ("int", 1),
    ]
    rows = {
        (type(label[0]), label[0]): merged.count[i] for i, label in enumerate(merged.labels or ())
    }
    np.testing.assert_array_equal(np.flatnonzero(rows[bool, True]), [0])  # from a only
    np.testing.assert_array_equal(np.flatnonzero(rows[int, 1]), [1, 3])  # from a and b
    np.testing.assert_array_equal(np.flatnonzero(rows[int, 0]), [4])  # from b only


def test_complement_is_the_tally_of_every_other_group() -> None:
    """Each group's complement equals np.bincount over the rows of the other groups."""
    scores, w, codes, _ = _grouped(600, seed=11)
    rest = tally(scores, w, codes, 3).complement()
    for g in range(3):
        other = codes != g
        assert rest.count[g].tolist() == np.bincount(scores[other], minlength=11).tolist()
        np.testing.assert_allclose(
            rest.sum_w[g], np.bincount(scores[other], weights=w[other], minlength=11), rtol=1e-12
        )
        np.testing.assert_allclose(
            rest.sum_w2[g],
            np.bincount(scores[other], weights=w[other] ** 2, minlength=11),
            rtol=1e-12,
        )


@pytest.mark.parametrize(("low", "high"), [(1.0, 1e300), (2.0**485, 2.0**490)])
def test_parts_at_different_weight_scales_add_up_to_the_whole(low: float, high: float) -> None:
    """Tallies of weights at two scales merge to the tally of all the rows."""
    scores, w, _, _ = _grouped(400, seed=12)
    w = w.copy()
    w[:200] *= low
    w[200:] *= high
    whole = tally(scores, w)
    small, big = tally(scores[:200], w[:200]), tally(scores[200:], w[200:])
    assert small.exponent < big.exponent
    for merged in (small + big, big + small):
        assert merged.exponent == whole.exponent
        assert merged.count.tolist() == whole.count.tolist()
        np.testing.assert_allclose(merged.weight_sums(), whole.weight_sums(), rtol=1e-12)
        np.testing.assert_allclose(merged.sum_w2, whole.sum_w2, rtol=1e-12)
        expected = np.bincount(scores, weights=w / 2.0**whole.exponent, minlength=11)
        np.testing.assert_allclose(merged.sum_w[0], expected, rtol=1e-12)


def test_a_labelled_and_an_unlabelled_tally_of_other_shapes_do_not_merge() -> None:
    """Without labels on one side the groups cannot be matched: a clear error, either way."""
    scores, w, codes, _ = _grouped(90, seed=13)
    unlabelled = tally(scores, w, codes, 3)
    labelled = tally(scores[:10], w[:10]).with_arrays(
        np.zeros((2, 11), dtype=np.int64), np.zeros((2, 11)), np.zeros((2, 11)), [("a",), ("b",)]
    )
    for a, b in ((unlabelled, labelled), (labelled, unlabelled)):
        with pytest.raises(InvalidParameterError, match="shapes differ"):
            a + b


def test_parts_added_have_no_missing_rows_of_their_own() -> None:
    """add() of two tallies of valid rows reports no missing rows."""
    scores, w, _, _ = _grouped(40, seed=14)
    merged = _tally.add(tally(scores[:20], w[:20]), tally(scores[20:], w[20:]))
    assert merged.n_missing == 0
    assert merged.count.tolist() == tally(scores, w).count.tolist()


@pytest.mark.parametrize("threads", [1, 3])
def test_chunks_rescaled_by_different_powers_of_two_add_up(threads: int) -> None:
    """Chunks of ordinary and of huge weights: the sums of all rows, as np.bincount gives."""
    scores, w, codes, key = _grouped(3000, seed=15)
    w = w.copy()
    w[1000:2000] *= 2.0**485  # middle chunks rescaled, the others not
    w[2000:] *= 2.0**495
    t = tally(scores, w, codes, 3, threads=threads, chunk_rows=100)
    assert t.exponent > 0
    np.testing.assert_allclose(
        t.weight_sums().ravel(), np.bincount(key, weights=w, minlength=33), rtol=1e-12
    )
    scaled = np.ldexp(w, -t.exponent)
    np.testing.assert_allclose(
        t.sum_w2.ravel(), np.bincount(key, weights=scaled * scaled, minlength=33), rtol=1e-12
    )
