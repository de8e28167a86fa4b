"""The counting engine: per group and per score 0..10, count, sum of weights and of squares.

Every statistic in netpromoter is computed from these three ``(groups, 11)`` arrays, so
there is exactly one place where rows are counted: [`tally`][netpromoter._count.tally],
which returns a [`Tally`][netpromoter._tally.Tally]. The kernels work through the input
in cache-sized chunks, so memory stays bounded whatever the input size, and never upcast
a whole int8 column.

Big grouped inputs are counted on several threads (numpy releases the GIL while it
counts): chunks are handed to a small pool and their partial tallies added in chunk
order, so every count and every floating-point sum is the same to the last bit whatever
the number of threads. ``NETPROMOTER_THREADS`` sets the number; by default it is the
usable cores that other work leaves idle (see ``engine_threads``).
"""

from __future__ import annotations

import math
import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from netpromoter._scale import DETRACTOR_MAX, N_SCORES, PROMOTER_MIN
from netpromoter._tally import Tally, _shift, squares_fit, weight_exponent
from netpromoter._validation import raise_invalid_weights
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from numpy.typing import NDArray

    #: A chunk's sums of weights and of squared weights, per bin.
    _Sums = tuple[NDArray[np.float64], NDArray[np.float64]]


#: Rows per chunk: 2**17 int8 scores (128 KiB) keep every temporary inside the L2 cache.
CHUNK = 1 << 17
#: Rows per chunk of the category fast path: two passes over a 1 MiB boolean buffer that
#: stays in the L2 cache measured fastest here (chunks of 2**17 .. 2**21 were timed).
CATEGORY_CHUNK = 1 << 20
#: Rows per chunk of the weighted category kernel: of 2**14 .. 2**17 rows, 2**16 and 2**17
#: measured fastest (fewer numpy calls per row; the chunk's flags, masks and weights,
#: 2.8 MiB, then spill from the L2 cache into L3).
WEIGHTED_CATEGORY_CHUNK = 1 << 16
#: Rows per matrix product of the weighted category kernel. BLAS libraries may split a
#: long product over threads of their own (OpenBLAS does for dot products of more than
#: 10,000 elements: one of 65,536 rows ran 8x slower next to other work), which then
#: contend with the engine's threads and with other jobs; short ones run where called.
PRODUCT_ROWS = 1 << 13
#: Chunks of the weighted category kernel per task handed to a thread.
_TASK_CHUNKS = 8
#: Inputs with fewer rows are counted on the calling thread alone (by default).
PARALLEL_MIN_ROWS = 1 << 20
#: Most threads used by default (``NETPROMOTER_THREADS`` overrides it).
MAX_THREADS = 8
_NIBBLE_BINS = 1 << 16
_T = TypeVar("_T")
#: Chunks run on threads only when they have at least this many rows per bin.
_PARTIAL_RATIO = 8
_LITTLE = np.little_endian


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


def _default_threads() -> int:
    """Worker threads for big inputs: ``NETPROMOTER_THREADS``, else the idle usable cores.

    Without the setting: the cores this process may run on (at most ``MAX_THREADS``),
    less those other work keeps busy (the one-minute load average, which counts this
    process too), and at least one. On a shared machine whose cores are busy, extra
    threads only contend for them (measured slower), so the engine then stays on one.
    """
    setting = os.environ.get("NETPROMOTER_THREADS", "").strip()
    if setting:
        try:
            value = int(setting)
        except ValueError:
            msg = f"NETPROMOTER_THREADS must be a whole number of threads, got {setting!r}"
            raise InvalidParameterError(msg, name="NETPROMOTER_THREADS", value=setting) from None
        return max(value, 1)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - no load average here
        busy = 0.0
    idle = math.floor(cores - busy + 1.0)  # + 1: this process is one of the busy
    return max(1, min(cores, idle, MAX_THREADS))


def engine_threads(
    n_rows: int, threads: int | None = None, *, chunk_rows: int = CHUNK, weighted: bool = True
) -> int:
    """How many threads the engine uses for ``n_rows`` rows.

    By default only weighted tallies use threads: on the reference machine (2 virtual
    cores) the weighted ``np.bincount``, bound by the latency of its floating-point
    adds, ran 1.34× faster on two threads, while the unweighted one and the ufuncs that
    build keys, bound by throughput, ran slower (0.84× and below). The weighted
    category kernel asks as unweighted ones do (its matrix products hold the GIL).
    Setting ``NETPROMOTER_THREADS`` (or passing ``threads``) uses threads for all.

    Args:
        n_rows: Rows to count.
        threads: ``None`` for the default (``NETPROMOTER_THREADS``, else the idle usable
            cores, at most ``MAX_THREADS``; one thread below ``PARALLEL_MIN_ROWS`` rows),
            or an explicit number of threads (at least 1).
        chunk_rows: Rows per chunk: never more threads than chunks.
        weighted: Whether the tally is weighted (see above).

    Returns:
        The number of threads, at least 1.

    Raises:
        ValueError: When ``threads`` is below 1.

    Examples:
        >>> engine_threads(10, 1), engine_threads(1000, 4, chunk_rows=500)
        (1, 2)
    """
    if threads is None:
        if n_rows < PARALLEL_MIN_ROWS or not (weighted or os.environ.get("NETPROMOTER_THREADS")):
            return 1
        threads = _default_threads()
    elif threads < 1:
        msg = f"threads must be at least 1, got {threads!r}"
        raise ValueError(msg)
    return max(1, min(threads, -(-n_rows // max(chunk_rows, 1))))


def ordered_map(fn: Callable[[int], _T], starts: range, threads: int) -> Iterator[_T]:
    """``fn(start)`` for every start, yielded in order, computed on ``threads`` threads.

    numpy releases the GIL inside ``bincount`` and ufunc loops, so chunks run in
    parallel; results come back in chunk order, so whatever the caller adds up is added
    in the same order as on one thread (bit-identical floating-point sums). At most
    ``2 · threads + 1`` results are held at once: memory stays bounded.
    """
    if threads <= 1:
        yield from map(fn, starts)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="netpromoter-tally") as pool:
        pending: deque[Future[_T]] = deque()
        for start in starts:
            pending.append(pool.submit(fn, start))
            if len(pending) > 2 * threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def count_scores(scores: NDArray[np.integer]) -> NDArray[np.int64]:
    """Count how often each score 0..10 occurs in a validated score array."""
    if scores.dtype.itemsize == 1:
        return _count_bytes(np.ascontiguousarray(scores).view(np.uint8))
    counts = np.zeros(N_SCORES, dtype=np.int64)
    for start in range(0, len(scores), CHUNK):
        counts += np.bincount(scores[start : start + CHUNK], minlength=N_SCORES)
    return counts


def tally_categories(
    scores: NDArray[np.integer],
    weights: NDArray[np.float64] | None = None,
    *,
    threads: int | None = None,
    check_weights: bool = False,
    chunk_rows: int = WEIGHTED_CATEGORY_CHUNK,
) -> Tally:
    """Count validated scores per category, with optional weights: the fast path of ``score()``.

    Unweighted, two comparisons and two ``count_nonzero`` per cache-sized chunk give the
    promoter and detractor counts; passives are the rest. Nothing wider than the input is
    allocated beyond one chunk-sized boolean buffer.

    Weighted, each chunk of ``chunk_rows`` rows is counted by ``_CategoryKernel`` (masks
    and matrix products, the weights checked on the way), and the chunks' partial sums
    are added in chunk order: the result is the same to the last bit whatever the number
    of threads. By default one thread counts them (``NETPROMOTER_THREADS`` or ``threads``
    ask for more), as numpy's ``matmul`` does not release the GIL.

    Args:
        scores: Validated scores (every value in 0..10).
        weights: Optional weights, one per score (validated, or see ``check_weights``).
        threads: Threads for weighted input: ``None`` for the default (one, unless
            ``NETPROMOTER_THREADS`` is set; see ``engine_threads``), or a number.
        check_weights: Check the weights on the way (each chunk's smallest weight, and
            that the total is finite) instead of in a separate pass before.
        chunk_rows: Rows per chunk of weighted input.

    Returns:
        The tally of one group with three bins: detractors, passives, promoters.

    Raises:
        InvalidWeightsError: With ``check_weights``, when a weight is NaN, infinite or
            negative, or their sum overflows.

    Examples:
        >>> s = np.array([10, 3, 9, 7], dtype=np.int8)
        >>> t = tally_categories(s, np.array([0.5, 1.0, 2.0, 4.0]), threads=2, chunk_rows=1)
        >>> t.count.tolist(), t.sum_w.tolist(), t.sum_w2.tolist()
        ([[1, 1, 2]], [[1.0, 4.0, 2.5]], [[1.0, 16.0, 4.25]])
    """
    if weights is not None:
        kernel = _CategoryKernel(scores, weights, max(chunk_rows, 1))
        task_rows = kernel.step * _TASK_CHUNKS
        # By default on one thread, as unweighted kernels: numpy's matmul holds the GIL,
        # so threads wait for each other (two measured 0.8x the speed of one here).
        workers = engine_threads(len(scores), threads, chunk_rows=task_rows, weighted=False)
        tasks = ordered_map(kernel.task, range(0, len(scores), task_rows), workers)
        return _weighted_tally(chain.from_iterable(tasks), weights, (1, 3), check_weights)
    promoters = detractors = 0
    buffer = np.empty(min(CATEGORY_CHUNK, len(scores)), dtype=bool)
    for start in range(0, len(scores), len(buffer) or 1):
        chunk = scores[start : start + len(buffer)]
        mask = buffer[: len(chunk)]
        np.greater_equal(chunk, PROMOTER_MIN, out=mask)
        promoters += int(np.count_nonzero(mask))
        np.less_equal(chunk, DETRACTOR_MAX, out=mask)
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


def _parts_and_sizes(
    codes: NDArray[np.integer] | Sequence[NDArray[np.integer]] | None,
    n_groups: int | Sequence[int],
) -> tuple[list[NDArray[np.integer]], list[int]]:
    if codes is None:
        return [], []
    if isinstance(codes, np.ndarray):
        return [codes], [int(n_groups)]  # type: ignore[arg-type]
    parts = list(codes)
    sizes = [int(n_groups)] if isinstance(n_groups, int) else [int(g) for g in n_groups]
    if len(sizes) != len(parts):
        msg = f"got {len(parts)} code arrays but {len(sizes)} group sizes"
        raise ValueError(msg)
    return parts, sizes


class _WeightedChunk(NamedTuple):
    """One chunk's partial tally: sums of the weights divided by ``2**exponent``.

    ``exponent`` is ``None`` when no weight of the chunk is positive (its sums are 0 at
    every exponent).
    """

    counts: NDArray[np.intp]
    sum_w: NDArray[np.float64]
    sum_w2: NDArray[np.float64]
    non_negative: bool
    exponent: int | None


def _checked(
    w: NDArray[np.float64], sums_of: Callable[[NDArray[np.float64]], _Sums]
) -> tuple[NDArray[np.float64], NDArray[np.float64], bool, int | None]:
    """One chunk's ``sums_of(w)`` (weight and squared-weight sums), its check and scale.

    Returns the sums, whether no weight is negative or NaN, and the power of two the
    sums are divided by (see ``_WeightedChunk``).

    The squares are summed as they are; only when their total leaves
    ``[2**-960, 2**960]`` (so the largest weight is beyond ``2**±256``, or every
    weight is 0) is the chunk summed again, its weights divided by ``2**e``
    (``weight_exponent`` of the largest; ``None`` when no weight is positive).
    Ordinary weights cost one sum over the chunk's bins, no pass over memory. Called
    where overflows (and ``inf · 0``) are ignored (``np.errstate``): they are seen in
    the total, and redone.
    """
    non_negative = bool(w.min() >= 0) if len(w) else True  # NaN fails too
    sums, squares = sums_of(w)
    exponent: int | None = 0
    total = float(squares.sum())
    # NaN: a NaN weight (reported later), or an overflowing square times a 0 mask.
    if not squares_fit(total) or (non_negative and math.isnan(total)):
        top = float(w.max()) if len(w) else 0.0
        exponent = weight_exponent(top) if top > 0 and math.isfinite(top) else None
        if exponent:
            sums, squares = sums_of(np.ldexp(w, -exponent))
    return sums, squares, non_negative, exponent


def _weighted_tally(
    chunks: Iterable[_WeightedChunk],
    weights: NDArray[np.float64],
    shape: tuple[int, int],
    check_weights: bool,  # noqa: FBT001 - private, passed through
) -> Tally:
    """Add the chunks' partial tallies in the order given (bit-identical on any threads)."""
    bins = shape[0] * shape[1]
    count = np.zeros(bins, dtype=np.int64)
    sum_w = np.zeros(bins, dtype=np.float64)
    sum_w2 = np.zeros(bins, dtype=np.float64)
    fine = True
    exponent: int | None = None  # of the running sums; None until a positive weight
    for chunk in chunks:
        count += chunk.counts
        fine &= chunk.non_negative
        w, w2 = chunk.sum_w, chunk.sum_w2
        if chunk.exponent is not None and chunk.exponent != exponent:
            # Add at the larger power of two (at ordinary scales every chunk's is 0).
            common = chunk.exponent if exponent is None else max(exponent, chunk.exponent)
            if exponent is not None:
                sum_w, sum_w2 = _shift(sum_w, sum_w2, exponent - common)
            w, w2 = _shift(w, w2, chunk.exponent - common)
            exponent = common
        sum_w += w
        sum_w2 += w2
    exponent = exponent or 0
    # An infinite weight, or a sum that overflows, makes the total infinite.
    with np.errstate(over="ignore"):  # an overflowing total is infinite: reported below
        weight_total = float(np.ldexp(sum_w.sum(), exponent))
    if check_weights and not (fine and math.isfinite(weight_total)):
        raise_invalid_weights(weights)
    return Tally(count.reshape(shape), sum_w.reshape(shape), sum_w2.reshape(shape), exponent)


def _products(masks: NDArray[np.float64], pair: NDArray[np.float64]) -> NDArray[np.float64]:
    """``masks @ pair.T``: ``(3, n)`` masks by ``(2, n)`` weights and squares, in blocks.

    numpy's ``matmul`` of stacked matrices makes one BLAS product per block of
    ``PRODUCT_ROWS`` rows (and one for the rest), small enough that none is split over
    BLAS threads; the blocks' ``(3, 2)`` products are then added in order. The result
    depends only on the values and their number, never on the thread that computes it.
    """
    n = pair.shape[1]
    full = n - n % PRODUCT_ROWS
    out: NDArray[np.float64] = np.zeros((len(masks), len(pair)))
    if full:
        blocks = np.matmul(
            masks[:, :full].reshape(len(masks), -1, PRODUCT_ROWS).transpose(1, 0, 2),
            pair[:, :full].reshape(len(pair), -1, PRODUCT_ROWS).transpose(1, 2, 0),
        )
        out = blocks.sum(axis=0)
    if full < n:
        out += masks[:, full:] @ pair[:, full:].T
    return out


class _CategoryKernel:
    """Count one chunk of weighted rows per category: flags, masks and dot products.

    Two comparisons flag the detractors and promoters of the chunk (the passives are the
    rows flagged by neither) and ``count_nonzero`` counts them; the three flags, copied
    into 0/1 float masks, are multiplied by the weights and their squares (``_products``).
    This reads the chunk a few times from the cache instead of adding each weight to
    its bin one after the other, as a weighted ``np.bincount`` does. Buffers are per
    thread, so chunks can run on several threads at once.
    """

    def __init__(
        self, scores: NDArray[np.integer], weights: NDArray[np.float64], step: int
    ) -> None:
        self.scores, self.weights, self.step = scores, weights, step
        self.local = threading.local()

    def _buffers(self) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64]]:
        buffers = getattr(self.local, "buffers", None)
        if buffers is None:
            size = min(self.step, len(self.scores))
            buffers = (
                np.empty((3, size), dtype=bool),
                np.empty((3, size), dtype=np.float64),
                np.empty((2, size), dtype=np.float64),
            )
            self.local.buffers = buffers
        return buffers

    def chunk(self, start: int) -> _WeightedChunk:
        """Counts, weight sums and squared-weight sums per category of one chunk."""
        scores = self.scores[start : start + self.step]
        n = len(scores)
        flag_buffer, mask_buffer, pair_buffer = self._buffers()
        flags, masks, pair = flag_buffer[:, :n], mask_buffer[:, :n], pair_buffer[:, :n]
        np.less_equal(scores, DETRACTOR_MAX, out=flags[0])
        np.greater_equal(scores, PROMOTER_MIN, out=flags[2])
        np.logical_or(flags[0], flags[2], out=flags[1])
        np.logical_not(flags[1], out=flags[1])
        detractors, promoters = np.count_nonzero(flags[0]), np.count_nonzero(flags[2])
        counts = np.array([detractors, n - detractors - promoters, promoters], dtype=np.intp)
        np.copyto(masks, flags.view(np.uint8))  # measured faster than from bool

        def sums_of(values: NDArray[np.float64]) -> _Sums:
            np.copyto(pair[0], values)
            np.multiply(pair[0], pair[0], out=pair[1])
            products = _products(masks, pair)
            return products[:, 0], products[:, 1]

        checked = _checked(self.weights[start : start + self.step], sums_of)
        return _WeightedChunk(counts, *checked)

    def task(self, start: int) -> list[_WeightedChunk]:
        """The partial tallies of the ``_TASK_CHUNKS`` chunks from ``start``, in order."""
        stop = min(start + self.step * _TASK_CHUNKS, len(self.scores))
        with np.errstate(over="ignore", invalid="ignore"):  # see _checked
            return [self.chunk(first) for first in range(start, stop, self.step)]


class _Kernel:
    """Count one chunk of rows: build its group × score key, then ``np.bincount`` it.

    The key ``((c1 · s2 + c2) · s3 ... ) · 11 + score`` is built by Horner's rule in the
    narrowest unsigned dtype that holds it: each code array is copied (cast) into a
    chunk buffer, then multiplied and added with operands of that one dtype (no mixed
    dtype loops), and widened to ``intp`` once for the ``bincount`` calls. Buffers are
    per thread, so chunks can run on several threads at once.
    """

    def __init__(
        self,
        scores: NDArray[np.integer],
        weights: NDArray[np.float64] | None,
        parts: list[NDArray[np.integer]],
        sizes: list[int],
        step: int,
    ) -> None:
        self.scores, self.weights, self.parts, self.step = scores, weights, parts, step
        self.bins = math.prod(sizes) * N_SCORES
        self.dtype = _key_dtype(self.bins)
        # Before adding column i the key is multiplied by its size (the scores' is 11).
        self.factors = [self.dtype.type(s) for s in [*sizes[1:], N_SCORES]] if parts else []
        self.local = threading.local()

    def _buffers(self) -> tuple[NDArray[Any], NDArray[Any], NDArray[np.float64]]:
        buffers = getattr(self.local, "buffers", None)
        if buffers is None:
            size = min(self.step, len(self.scores))
            square = np.empty(size if self.weights is not None else 0, dtype=np.float64)
            buffers = (np.empty(size, self.dtype), np.empty(size, self.dtype), square)
            self.local.buffers = buffers
        return buffers

    def key(self, start: int) -> NDArray[np.intp]:
        """The group × score key of the chunk starting at ``start``, as ``intp``."""
        stop = start + self.step
        chunk = self.scores[start:stop]
        key_buffer, term_buffer, _ = self._buffers()
        key, term = key_buffer[: len(chunk)], term_buffer[: len(chunk)]
        columns = [part[start:stop] for part in self.parts] + [chunk]
        np.copyto(key, columns[0], casting="unsafe")
        for column, factor in zip(columns[1:], self.factors, strict=True):
            np.multiply(key, factor, out=key)
            np.copyto(term, column, casting="unsafe")
            np.add(key, term, out=key)
        # bincount casts narrow keys to intp on every call: cast once for all of them.
        return key.astype(np.intp)

    def count(self, start: int) -> NDArray[np.intp]:
        """Counts of the chunk starting at ``start`` (``bins`` long)."""
        return np.bincount(self.key(start), minlength=self.bins)

    def weighted(self, start: int) -> _WeightedChunk:
        """Counts, weight sums and squared-weight sums of one chunk (see ``_checked``)."""
        assert self.weights is not None  # noqa: S101 - only called with weights
        wide = self.key(start)
        w = self.weights[start : start + self.step]
        with np.errstate(over="ignore"):  # see _checked
            checked = _checked(w, lambda values: self._sums(wide, values))
        return _WeightedChunk(np.bincount(wide, minlength=self.bins), *checked)

    def _sums(
        self, wide: NDArray[np.intp], w: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per bin: the sum of the weights and of their squares."""
        w2 = self._buffers()[2][: len(w)]
        np.multiply(w, w, out=w2)
        # numpy's stubs type weighted bincounts as integers; they are float64 (no copy).
        sums = np.bincount(wide, weights=w, minlength=self.bins).astype(np.float64, copy=False)
        squares = np.bincount(wide, weights=w2, minlength=self.bins).astype(np.float64, copy=False)
        return sums, squares


def tally(
    scores: NDArray[np.integer],
    weights: NDArray[np.float64] | None = None,
    codes: NDArray[np.integer] | Sequence[NDArray[np.integer]] | None = None,
    n_groups: int | Sequence[int] = 1,
    *,
    threads: int | None = None,
    check_weights: bool = False,
    chunk_rows: int = CHUNK,
) -> Tally:
    """Count validated scores per group, with optional weights.

    The group × score key ``group · 11 + score`` is built chunk by chunk in the narrowest
    unsigned dtype that holds it (``uint16`` up to 5,957 groups), then counted with
    ``np.bincount``; nothing wider than one chunk is allocated besides the output.
    Chunks run on several threads for big inputs (numpy releases the GIL while it
    counts) and their partial sums are added in chunk order, so the result is the same
    to the last bit whatever the number of threads.

    Args:
        scores: Validated scores (every value in 0..10).
        weights: Optional weights, one per score (validated, or see ``check_weights``).
        codes: Optional group code per score, each in ``0..n_groups-1``; or a sequence of
            code arrays (one per key) with ``n_groups`` the sequence of their sizes: the
            group is then their mixed-radix combination ``(c1 · s2 + c2) · s3 + c3 ...``,
            formed per chunk and never for the whole input.
        n_groups: Number of groups (``1`` when ``codes`` is ``None``), or the size of each
            key when ``codes`` is a sequence; the tally has their product of groups.
        threads: Threads to count on: ``None`` for the default (see ``engine_threads``:
            one thread below ``PARALLEL_MIN_ROWS`` rows), or an explicit number.
        check_weights: Check the weights on the way (each chunk's smallest weight, and
            that the total is finite) instead of in a separate pass before.
        chunk_rows: Rows per chunk (at least the number of bins).

    Returns:
        The tally; unweighted tallies have ``sum_w == sum_w2 == count``. Weights so large
        or small that their squares would overflow or underflow are summed divided by a
        power of two, kept as the tally's ``exponent`` (see ``weight_exponent``).

    Raises:
        InvalidWeightsError: With ``check_weights``, when a weight is NaN, infinite or
            negative, or their sum overflows.

    Examples:
        >>> s = np.array([10, 3, 9, 9], dtype=np.int8)
        >>> t = tally(s, codes=[np.array([0, 1, 1, 1]), np.array([1, 0, 0, 1])], n_groups=[2, 2])
        >>> t.count.sum(axis=1).tolist()
        [0, 1, 2, 1]
        >>> w = np.array([0.5, 1.0, 2.0, 2.0])
        >>> float(tally(s, w, threads=2, chunk_rows=1).sum_w[0, 9])
        4.0
    """
    parts, sizes = _parts_and_sizes(codes, n_groups)
    if not parts and weights is None:
        counted = count_scores(scores).reshape(1, N_SCORES)
        as_float = counted.astype(np.float64)
        return Tally(counted, as_float, as_float.copy())
    total = math.prod(sizes)
    bins = total * N_SCORES
    step = max(chunk_rows, bins, 1)  # a per-chunk bincount never costs more than the output
    kernel = _Kernel(scores, weights, parts, sizes, step)
    starts = range(0, len(scores), step)
    # Threads only when a chunk's partial tally is small next to the chunk: partials are
    # held until merged in order, and merging them must cost little next to counting.
    small = bins <= step // _PARTIAL_RATIO or threads is not None
    workers = 1
    if small:
        workers = engine_threads(
            len(scores), threads, chunk_rows=step, weighted=weights is not None
        )
    shape = (total, N_SCORES)
    if weights is None:
        count = np.zeros(bins, dtype=np.int64)
        for part in ordered_map(kernel.count, starts, workers):
            count += part
        unweighted = count.astype(np.float64).reshape(shape)
        return Tally(count.reshape(shape), unweighted, unweighted.copy())
    chunks = ordered_map(kernel.weighted, starts, workers)
    return _weighted_tally(chunks, weights, shape, check_weights)
