"""The tally engine: per group and per score 0..10, count, sum of weights and of squares.

Every statistic in netpromoter is computed from these three ``(groups, 11)`` arrays, so
there is exactly one place where rows are counted. The kernels work through the input in
cache-sized chunks, so memory stays bounded whatever the input size, and never upcast a
whole int8 column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

N_SCORES = 11
#: Rows per chunk: 2**17 int8 scores (128 KiB) keep every temporary inside the L2 cache.
CHUNK = 1 << 17
#: Rows per chunk of the category fast path: two passes over a 1 MiB boolean buffer that
#: stays in the L2 cache measured fastest here (chunks of 2**17 .. 2**21 were timed).
CATEGORY_CHUNK = 1 << 20
_NIBBLE_BINS = 1 << 16
_LITTLE = np.little_endian


@dataclass(frozen=True)
class Tally:
    """Per group × bin: count, sum of weights, sum of squared weights (all ``(G, B)``).

    The bins are the scores 0..10 (``B = 11``), or, from the category fast path, the three
    categories detractor / passive / promoter (``B = 3``): the same sums, collapsed sooner.
    """

    count: NDArray[np.int64]
    sum_w: NDArray[np.float64]
    sum_w2: NDArray[np.float64]


def _count_bytes(scores: NDArray[np.uint8]) -> NDArray[np.int64]:
    """Count the values 0..10 in a contiguous uint8 array (values already validated).

    Four scores are read at a time as one uint32; since every score fits in a nibble,
    ``x | (x >> 12)`` packs the four into the low 16 bits, which ``np.bincount`` counts
    over 65,536 bins. The four nibble marginals of that histogram add up to the counts.
    """
    n_words = len(scores) // 4
    counts = np.bincount(scores[4 * n_words :], minlength=16).astype(np.int64)
    if n_words:
        words = scores[: 4 * n_words].view(np.uint32)
        packed = np.empty(min(CHUNK // 4, n_words), dtype=np.uint32)
        hist = np.zeros(_NIBBLE_BINS, dtype=np.int64)
        for start in range(0, n_words, len(packed)):
            chunk = words[start : start + len(packed)]
            out = packed[: len(chunk)]
            np.right_shift(chunk, 12, out=out)
            np.bitwise_or(out, chunk, out=out)
            # Little-endian: the even uint16 halves hold the low 16 bits.
            low = out.view(np.uint16)[0::2] if _LITTLE else (out & 0xFFFF)
            hist += np.bincount(low, minlength=_NIBBLE_BINS)
        cube = hist.reshape(16, 16, 16, 16)
        counts += cube.sum(axis=(1, 2, 3)) + cube.sum(axis=(0, 2, 3))
        counts += cube.sum(axis=(0, 1, 3)) + cube.sum(axis=(0, 1, 2))
    return counts[:N_SCORES]


def count_scores(scores: NDArray[np.integer]) -> NDArray[np.int64]:
    """Count how often each score 0..10 occurs in a validated score array."""
    if scores.dtype.itemsize == 1:
        return _count_bytes(np.ascontiguousarray(scores).view(np.uint8))
    counts = np.zeros(N_SCORES, dtype=np.int64)
    for start in range(0, len(scores), CHUNK):
        counts += np.bincount(scores[start : start + CHUNK], minlength=N_SCORES)
    return counts


def tally_categories(scores: NDArray[np.integer]) -> Tally:
    """Count validated, unweighted scores per category: the fast path of ``score()``.

    Two comparisons and two ``count_nonzero`` per cache-sized chunk give the promoter
    and detractor counts; passives are the rest. Nothing wider than the input is
    allocated beyond one chunk-sized boolean buffer.
    """
    promoters = detractors = 0
    buffer = np.empty(min(CATEGORY_CHUNK, len(scores)), dtype=bool)
    for start in range(0, len(scores), len(buffer) or 1):
        chunk = scores[start : start + len(buffer)]
        mask = buffer[: len(chunk)]
        np.greater_equal(chunk, 9, out=mask)
        promoters += int(np.count_nonzero(mask))
        np.less_equal(chunk, 6, out=mask)
        detractors += int(np.count_nonzero(mask))
    passives = len(scores) - promoters - detractors
    counted = np.array([[detractors, passives, promoters]], dtype=np.int64)
    as_float = counted.astype(np.float64)
    return Tally(counted, as_float, as_float.copy())


def tally(
    scores: NDArray[np.integer],
    weights: NDArray[np.float64] | None = None,
    codes: NDArray[np.integer] | None = None,
    n_groups: int = 1,
) -> Tally:
    """Count validated scores per group, with optional weights.

    Args:
        scores: Validated scores (every value in 0..10).
        weights: Optional validated weights, one per score.
        codes: Optional group code per score, each in ``0..n_groups-1``.
        n_groups: Number of groups (``1`` when ``codes`` is ``None``).

    Returns:
        The tally; unweighted tallies have ``sum_w == sum_w2 == count``.
    """
    if codes is None and weights is None:
        counted = count_scores(scores).reshape(1, N_SCORES)
        as_float = counted.astype(np.float64)
        return Tally(counted, as_float, as_float.copy())
    bins = n_groups * N_SCORES
    count = np.zeros(bins, dtype=np.int64)
    sum_w = np.zeros(bins, dtype=np.float64)
    sum_w2 = np.zeros(bins, dtype=np.float64)
    for start in range(0, len(scores), CHUNK):
        stop = start + CHUNK
        key = scores[start:stop].astype(np.intp)
        if codes is not None:
            key += codes[start:stop].astype(np.intp) * N_SCORES
        count += np.bincount(key, minlength=bins)
        if weights is not None:
            w = weights[start:stop]
            sum_w += np.bincount(key, weights=w, minlength=bins)
            sum_w2 += np.bincount(key, weights=w * w, minlength=bins)
    shape = (n_groups, N_SCORES)
    if weights is None:
        unweighted = count.astype(np.float64).reshape(shape)
        return Tally(count.reshape(shape), unweighted, unweighted.copy())
    return Tally(count.reshape(shape), sum_w.reshape(shape), sum_w2.reshape(shape))
