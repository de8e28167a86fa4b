"""The tally engine: per group and per score 0..10, count, sum of weights and of squares.

Every statistic in netpromoter is computed from these three ``(groups, 11)`` arrays, so
there is exactly one place where rows are counted. The kernels work through the input in
cache-sized chunks, so memory stays bounded whatever the input size, and never upcast a
whole int8 column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

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


def _key_dtype(bins: int) -> np.dtype[np.unsignedinteger[Any]]:
    """The narrowest unsigned dtype holding keys ``0..bins-1`` (narrow keys are faster)."""
    for dtype in (np.uint16, np.uint32):
        if bins <= np.iinfo(dtype).max + 1:
            return np.dtype(dtype)
    return np.dtype(np.uint64)


def tally(
    scores: NDArray[np.integer],
    weights: NDArray[np.float64] | None = None,
    codes: NDArray[np.integer] | Sequence[NDArray[np.integer]] | None = None,
    n_groups: int | Sequence[int] = 1,
) -> Tally:
    """Count validated scores per group, with optional weights.

    The group × score key ``group · 11 + score`` is built chunk by chunk in the narrowest
    unsigned dtype that holds it (``uint16`` up to 5,957 groups), then counted with
    ``np.bincount``; nothing wider than one chunk is allocated besides the output.

    Args:
        scores: Validated scores (every value in 0..10).
        weights: Optional validated weights, one per score.
        codes: Optional group code per score, each in ``0..n_groups-1``; or a sequence of
            code arrays (one per key) with ``n_groups`` the sequence of their sizes: the
            group is then their mixed-radix combination ``(c1 · s2 + c2) · s3 + c3 ...``,
            formed per chunk and never for the whole input.
        n_groups: Number of groups (``1`` when ``codes`` is ``None``), or the size of each
            key when ``codes`` is a sequence; the tally has their product of groups.

    Returns:
        The tally; unweighted tallies have ``sum_w == sum_w2 == count``.

    Examples:
        >>> s = np.array([10, 3, 9, 9], dtype=np.int8)
        >>> t = tally(s, codes=[np.array([0, 1, 1, 1]), np.array([1, 0, 0, 1])], n_groups=[2, 2])
        >>> t.count.sum(axis=1).tolist()
        [0, 1, 2, 1]
    """
    if codes is None and weights is None:
        counted = count_scores(scores).reshape(1, N_SCORES)
        as_float = counted.astype(np.float64)
        return Tally(counted, as_float, as_float.copy())
    if codes is None:
        parts: list[NDArray[np.integer]] = []
        sizes = [1]
    elif isinstance(codes, np.ndarray):
        parts, sizes = [codes], [int(n_groups)]  # type: ignore[arg-type]
    else:
        parts = list(codes)
        sizes = [int(n_groups)] if isinstance(n_groups, int) else [int(g) for g in n_groups]
        if len(sizes) != len(parts):
            msg = f"got {len(parts)} code arrays but {len(sizes)} group sizes"
            raise ValueError(msg)
    total = math.prod(sizes)
    bins = total * N_SCORES
    key_dtype = _key_dtype(bins)
    # Multiplier of each key: the product of the sizes after it, times the 11 scores.
    multipliers = [key_dtype.type(math.prod(sizes[i + 1 :]) * N_SCORES) for i in range(len(parts))]
    step = max(CHUNK, bins)  # a per-chunk bincount never costs more than the output
    count = np.zeros(bins, dtype=np.int64)
    sum_w = np.zeros(bins, dtype=np.float64) if weights is not None else None
    sum_w2 = np.zeros(bins, dtype=np.float64) if weights is not None else None
    key_buffer = np.empty(min(step, len(scores)), dtype=key_dtype)
    part_buffer = np.empty_like(key_buffer)
    square = np.empty(len(key_buffer) if weights is not None else 0, dtype=np.float64)
    for start in range(0, len(scores), step):
        stop = start + step
        chunk = scores[start:stop]
        key = key_buffer[: len(chunk)]
        np.copyto(key, chunk, casting="unsafe")
        for part, multiplier in zip(parts, multipliers, strict=True):
            term = part_buffer[: len(chunk)]
            np.multiply(part[start:stop], multiplier, out=term, casting="unsafe")
            np.add(key, term, out=key)
        if weights is not None and sum_w is not None and sum_w2 is not None:
            # bincount casts narrow keys to intp on every call: cast once for the three.
            wide = key.astype(np.intp)
            count += np.bincount(wide, minlength=bins)
            w = weights[start:stop]
            sum_w += np.bincount(wide, weights=w, minlength=bins)
            w2 = square[: len(chunk)]
            np.multiply(w, w, out=w2)
            sum_w2 += np.bincount(wide, weights=w2, minlength=bins)
        else:
            count += np.bincount(key, minlength=bins)
    shape = (total, N_SCORES)
    if sum_w is None or sum_w2 is None:
        unweighted = count.astype(np.float64).reshape(shape)
        return Tally(count.reshape(shape), unweighted, unweighted.copy())
    return Tally(count.reshape(shape), sum_w.reshape(shape), sum_w2.reshape(shape))


def retally(
    counted: Tally,
    codes: NDArray[np.integer] | Sequence[NDArray[np.integer]],
    n_groups: int | Sequence[int],
) -> Tally:
    """Add the rows of an existing tally into new groups: a tally of tallies.

    Row ``i`` of ``counted`` (already counted, e.g. the aggregate a lazy frame's engine
    returned per fine group) goes to group ``codes[i]``, given as in
    [`tally`][netpromoter._tally.tally]: one code array with ``n_groups`` groups, or one
    array per key with the size of each, combined in mixed radix. Counts stay exact
    integers; the sums of weights are added in row order.

    Args:
        counted: The tally to regroup, ``(R, B)``.
        codes: The new group of each of its ``R`` rows (one array, or one per key).
        n_groups: The number of new groups (or the size of each key).

    Returns:
        The ``(groups, B)`` tally; a group no row goes to is all zeros.

    Raises:
        ValueError: When the codes do not give one group per row, or the numbers of
            code arrays and sizes differ.

    Examples:
        >>> t = tally(np.array([9, 9, 3], dtype=np.int8), codes=np.array([0, 1, 2]), n_groups=3)
        >>> retally(t, np.array([1, 0, 1]), 2).count.tolist()
        [[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]]
    """
    if isinstance(codes, np.ndarray):
        parts, sizes = [codes], [int(n_groups)]  # type: ignore[arg-type]
    else:
        parts = list(codes)
        sizes = [int(n_groups)] if isinstance(n_groups, int) else [int(g) for g in n_groups]
    if len(parts) != len(sizes):
        msg = f"got {len(parts)} code arrays but {len(sizes)} group sizes"
        raise ValueError(msg)
    n_rows, n_bins = counted.count.shape
    group = np.zeros(n_rows, dtype=np.intp)
    for part, size in zip(parts, sizes, strict=True):
        if len(part) != n_rows:
            msg = f"got {len(part)} codes for a tally of {n_rows} rows"
            raise ValueError(msg)
        group = group * size + np.asarray(part, dtype=np.intp)
    total = math.prod(sizes)
    count = np.zeros((total, n_bins), dtype=np.int64)
    sum_w = np.zeros((total, n_bins), dtype=np.float64)
    sum_w2 = np.zeros((total, n_bins), dtype=np.float64)
    np.add.at(count, group, counted.count)
    np.add.at(sum_w, group, counted.sum_w)
    np.add.at(sum_w2, group, counted.sum_w2)
    return Tally(count, sum_w, sum_w2)
