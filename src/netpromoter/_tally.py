"""The tally engine: per group and per score 0..10, count, sum of weights and of squares.

Every statistic in netpromoter is computed from these three ``(groups, 11)`` arrays, so
there is exactly one place where rows are counted. The kernels work through the input in
cache-sized chunks, so memory stays bounded whatever the input size, and never upcast a
whole int8 column.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from netpromoter._labels import labels_key
from netpromoter._scale import CATEGORY_BOUNDS, N_SCORES, by_category
from netpromoter._validation import raise_invalid_weights
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from numpy.typing import NDArray

#: Rows per chunk: 2**17 int8 scores (128 KiB) keep every temporary inside the L2 cache.
CHUNK = 1 << 17
#: Rows per chunk of the category fast path: two passes over a 1 MiB boolean buffer that
#: stays in the L2 cache measured fastest here (chunks of 2**17 .. 2**21 were timed).
CATEGORY_CHUNK = 1 << 20
#: Inputs with fewer rows are counted on the calling thread alone (by default).
PARALLEL_MIN_ROWS = 1 << 20
#: Most threads used by default (``NETPROMOTER_THREADS`` overrides it).
MAX_THREADS = 8
_NIBBLE_BINS = 1 << 16
_T = TypeVar("_T")
#: Chunks run on threads only when they have at least this many rows per bin.
_PARTIAL_RATIO = 8
_LITTLE = np.little_endian


#: Weights whose largest value lies in ``[2**-SAFE_EXPONENT, 2**SAFE_EXPONENT]`` are summed
#: as they are: their squares, and sums of up to 2**63 of them, neither overflow nor
#: underflow. Others are divided by a power of two first (see ``weight_exponent``).
SAFE_EXPONENT = 256
_SAFE_LOW = math.ldexp(1.0, -SAFE_EXPONENT)
_SAFE_HIGH = math.ldexp(1.0, SAFE_EXPONENT)
#: A chunk whose sum of squared weights is within these bounds needs no rescaling: its
#: largest weight is then within the safe range (up to 2**17 rows per chunk).
_SQUARES_LOW = math.ldexp(1.0, -960)
_SQUARES_HIGH = math.ldexp(1.0, 960)


def squares_fit(total: float) -> bool:
    """Whether a sum of squared weights needs no rescaling (NaN: invalid, reported later).

    Within ``[2**-960, 2**960]`` no weight is above ``2**480`` and the largest is above
    ``2**-512`` (squares of much smaller ones are negligible next to its square), so the
    chunk's sums, and the statistics' products of them, stay finite and normal.

    Examples:
        >>> squares_fit(4.0), squares_fit(float("inf")), squares_fit(1e-300)
        (True, False, False)
    """
    return math.isnan(total) or _SQUARES_LOW <= total <= _SQUARES_HIGH


def weight_exponent(largest: float) -> int:
    """The power of two to divide weights by before summing them and their squares.

    0 (no rescaling: sums at ordinary scales stay bit-identical) when the largest weight
    is within ``[2**-256, 2**256]``, or is 0, NaN or infinite (invalid weights are
    reported elsewhere); else the exponent ``e`` of ``largest = m · 2**e`` with
    ``0.5 <= m < 1``, so the rescaled weights are at most 1. Dividing by a power of two
    is exact, and every statistic is a ratio of sums of the same degree in the weights,
    so results do not depend on it: weights of 1e300 or 1e-300 give the results of
    weights of 1.

    Examples:
        >>> weight_exponent(2.5), weight_exponent(1e300), weight_exponent(1e-300)
        (0, 997, -996)
    """
    if not math.isfinite(largest) or largest <= 0 or _SAFE_LOW <= largest <= _SAFE_HIGH:
        return 0
    return math.frexp(largest)[1]


def scaled_weights(weights: NDArray[np.float64]) -> tuple[NDArray[np.float64], int]:
    """Weights divided by ``2**e`` (see ``weight_exponent``), and ``e``; as given when 0.

    Examples:
        >>> w, e = scaled_weights(np.array([1e300, 3e300]))
        >>> e, w.tolist() == np.ldexp(np.array([1e300, 3e300]), -e).tolist()
        (999, True)
    """
    largest = float(weights.max()) if weights.size else 0.0
    exponent = weight_exponent(largest)
    if exponent == 0:
        return weights, 0
    return np.ldexp(weights, -exponent), exponent


@dataclass(frozen=True, eq=False)
class Tally:
    """Per group × bin: count, sum of weights, sum of squared weights (all ``(G, B)``).

    The one mergeable tally every statistic is computed from. The bins are the scores
    0..10 (``B = 11``), or the three categories detractor / passive / promoter (``B = 3``,
    from the category fast path or [`by_category`][netpromoter._tally.Tally.by_category]):
    the same sums, collapsed sooner. Unweighted tallies carry their counts as the sums.

    ``sum_w`` and ``sum_w2`` are sums of the weights divided by ``2**exponent`` (and of
    their squares): ``exponent`` is 0 unless the weights are so large or so small that
    the sum of their squares leaves ``[2**-960, 2**960]`` (weights beyond about 1e142
    or below about 1e-144; see ``squares_fit`` and ``weight_exponent``). Statistics,
    ratios of sums of the same degree, use the sums as they are; totals shown to users
    come from ``weight_sums``.

    Groups may be labelled: ``by`` names the key columns and ``labels`` holds one tuple of
    labels per group. Labelled tallies of disjoint data add up by label (``a + b``), so a
    tally can be computed chunk by chunk, on workers or per file, and merged.

    Attributes:
        count: Responses per group and bin.
        sum_w: Sum of weights per group and bin (the counts, as floats, when unweighted).
        sum_w2: Sum of squared weights per group and bin (the counts when unweighted).
        exponent: The power of two the weight sums are divided by (0 at ordinary scales).
        by: The key columns the groups are labelled by (empty for unlabelled groups).
        labels: One tuple of labels per group (``len(by)`` each), or ``None``.
        weighted: Whether the sums are of real weights.
        n_missing: Missing scores that were dropped before counting.

    Examples:
        >>> a = Tally.of_counts(np.array([[1, 0, 2]]), by=("region",), labels=(("n",),))
        >>> b = Tally.of_counts(np.array([[0, 1, 0], [3, 0, 0]]), by=("region",),
        ...                     labels=(("e",), ("n",)))
        >>> merged = a + b
        >>> merged.labels, merged.count.tolist()
        ((('e',), ('n',)), [[0, 1, 0], [4, 0, 2]])
    """

    count: NDArray[np.int64]
    sum_w: NDArray[np.float64]
    sum_w2: NDArray[np.float64]
    exponent: int = 0
    by: tuple[str, ...] = ()
    labels: tuple[tuple[object, ...], ...] | None = None
    weighted: bool = False
    n_missing: int = 0

    @classmethod
    def of_counts(
        cls,
        count: NDArray[np.integer],
        *,
        by: Sequence[str] = (),
        labels: Sequence[tuple[object, ...]] | None = None,
        n_missing: int = 0,
    ) -> Tally:
        """An unweighted tally from counts alone (the sums are the counts)."""
        counted = np.asarray(count, dtype=np.int64)
        as_float = counted.astype(np.float64)
        return cls(
            counted,
            as_float,
            as_float.copy(),
            by=tuple(by),
            labels=None if labels is None else tuple(labels),
            n_missing=n_missing,
        )

    @classmethod
    def empty(
        cls, *, by: Sequence[str] = (), bins: int = N_SCORES, weighted: bool = False
    ) -> Tally:
        """A tally of no groups (the identity of ``+``)."""
        shape = (0, bins)
        return cls(
            np.zeros(shape, dtype=np.int64),
            np.zeros(shape),
            np.zeros(shape),
            by=tuple(by),
            labels=(),
            weighted=weighted,
        )

    @property
    def n_groups(self) -> int:
        """Number of groups (rows)."""
        return int(self.count.shape[0])

    @property
    def n(self) -> int:
        """Number of responses counted, over all groups."""
        return int(self.count.sum())

    def weight_sums(self) -> NDArray[np.float64]:
        """The sums of the weights as given: ``sum_w · 2**exponent``."""
        if self.exponent == 0:
            return self.sum_w
        out: NDArray[np.float64] = np.ldexp(self.sum_w, self.exponent)
        return out

    def with_arrays(
        self,
        count: NDArray[np.int64],
        sum_w: NDArray[np.float64],
        sum_w2: NDArray[np.float64],
        labels: Sequence[tuple[object, ...]] | None = None,
        *,
        exponent: int | None = None,
    ) -> Tally:
        """The same kind of tally (keys, weighting, exponent, missing count) over new arrays."""
        return Tally(
            count,
            sum_w,
            sum_w2,
            self.exponent if exponent is None else exponent,
            by=self.by,
            labels=None if labels is None else tuple(labels),
            weighted=self.weighted,
            n_missing=self.n_missing,
        )

    def map(self, f: Callable[[NDArray[Any]], NDArray[Any]]) -> Tally:
        """The same reshaping or selection applied to the three arrays (labels dropped)."""
        return self.with_arrays(f(self.count), f(self.sum_w), f(self.sum_w2))

    def take(self, rows: NDArray[np.integer[Any]] | Sequence[int]) -> Tally:
        """The groups at ``rows``, in that order (labels kept)."""
        index = np.asarray(rows, dtype=np.intp)
        labels = None if self.labels is None else [self.labels[i] for i in index.tolist()]
        return self.with_arrays(
            self.count[index], self.sum_w[index], self.sum_w2[index], labels=labels
        )

    def nonempty(self) -> Tally:
        """The groups in which something was counted."""
        return self.take(np.flatnonzero(self.count.sum(axis=1)))

    def total(self, label: tuple[object, ...] | None = None) -> Tally:
        """One group holding every response (labelled ``label`` when given)."""
        return self.with_arrays(
            self.count.sum(axis=0, keepdims=True),
            self.sum_w.sum(axis=0, keepdims=True),
            self.sum_w2.sum(axis=0, keepdims=True),
            labels=None if label is None else [label],
        )

    def complement(self) -> Tally:
        """Each group replaced by all the others: "the rest" of every group (labels kept).

        Examples:
            >>> Tally.of_counts(np.array([[1, 0], [2, 5]])).complement().count.tolist()
            [[2, 5], [1, 0]]
        """
        return self.with_arrays(
            self.count.sum(axis=0, keepdims=True) - self.count,
            self.sum_w.sum(axis=0, keepdims=True) - self.sum_w,
            self.sum_w2.sum(axis=0, keepdims=True) - self.sum_w2,
            labels=self.labels,
        )

    def by_category(self) -> Tally:
        """The tally per category (``B = 3``): detractors, passives, promoters."""
        if self.count.shape[-1] == len(CATEGORY_BOUNDS) - 1:
            return self
        count = np.add.reduceat(self.count, CATEGORY_BOUNDS[:-1], axis=-1)
        return self.with_arrays(
            count, by_category(self.sum_w), by_category(self.sum_w2), labels=self.labels
        )

    def at_exponent(self, exponent: int) -> Tally:
        """The same tally with its sums expressed at another power of two.

        Moving to a larger exponent divides the sums by a power of two (exact, or for
        sums far below the others' an underflow of what is negligible next to them).
        """
        if exponent == self.exponent:
            return self
        sums, squares = _shift(self.sum_w, self.sum_w2, self.exponent - exponent)
        return self.with_arrays(self.count, sums, squares, self.labels, exponent=exponent)

    def regroup(
        self,
        codes: NDArray[np.integer[Any]] | Sequence[NDArray[np.integer[Any]]],
        n_groups: int | Sequence[int],
        *,
        by: Sequence[str] | None = None,
        labels: Sequence[tuple[object, ...]] | None = None,
    ) -> Tally:
        """Add the groups into new groups: group ``i`` goes to ``codes[i]``.

        ``codes`` and ``n_groups`` are given as in [`tally`][netpromoter._tally.tally]:
        one code array with the number of new groups, or one array per key with the size
        of each, combined in mixed radix. Counts stay exact; sums are added in group order.
        """
        regrouped = retally(self, codes, n_groups)
        return Tally(
            regrouped.count,
            regrouped.sum_w,
            regrouped.sum_w2,
            regrouped.exponent,
            by=self.by if by is None else tuple(by),
            labels=None if labels is None else tuple(labels),
            weighted=self.weighted,
            n_missing=self.n_missing,
        )

    def get(self, *label: object) -> Tally:
        """The one group labelled ``label`` (all zeros when no such group was counted).

        Raises:
            InvalidParameterError: When the tally's groups have no labels.
        """
        if self.labels is None:
            msg = "this tally's groups have no labels; select them with take()"
            raise InvalidParameterError(msg, name="label", value=label)
        for i, own in enumerate(self.labels):
            if own == label:
                return self.take([i])
        zeros = np.zeros((1, self.count.shape[1]))
        return self.with_arrays(zeros.astype(np.int64), zeros, zeros.copy(), labels=[label])

    def ordered(self) -> Tally:
        """The groups in display order of their labels (``"(missing)"`` last)."""
        labels = self.labels
        if labels is None:
            return self
        order = sorted(range(self.n_groups), key=lambda i: labels_key(labels[i]))
        if order == list(range(self.n_groups)):
            return self
        return self.take(order)

    def __add__(self, other: object) -> Tally:
        """Merge tallies of disjoint data: groups matched by label, in display order.

        The sums are added at the larger of the two exponents.

        Raises:
            InvalidParameterError: When the two are keyed by other columns, only one is
                weighted, their bins differ, or unlabelled tallies differ in shape.
        """
        if not isinstance(other, Tally):
            return NotImplemented
        _check_mergeable(self, other)
        exponent = common_exponent(self, other)
        a, b = self.at_exponent(exponent), other.at_exponent(exponent)
        n_missing = self.n_missing + other.n_missing
        if a.labels is None or b.labels is None:
            merged = add(a, b)
            return Tally(
                merged.count,
                merged.sum_w,
                merged.sum_w2,
                exponent,
                by=self.by,
                weighted=self.weighted,
                n_missing=n_missing,
            )
        index = {label: i for i, label in enumerate(a.labels)}
        for label in b.labels:
            index.setdefault(label, len(index))
        shape = (len(index), self.count.shape[1])
        count = np.zeros(shape, dtype=np.int64)
        sum_w = np.zeros(shape, dtype=np.float64)
        sum_w2 = np.zeros(shape, dtype=np.float64)
        for part in (a, b):
            labels = part.labels or ()
            rows = np.fromiter((index[label] for label in labels), np.intp, len(labels))
            # Labels are distinct, so no row repeats: plain fancy-index adds are exact.
            count[rows] += part.count
            sum_w[rows] += part.sum_w
            sum_w2[rows] += part.sum_w2
        merged = Tally(
            count,
            sum_w,
            sum_w2,
            exponent,
            by=self.by,
            labels=tuple(index),
            weighted=self.weighted,
            n_missing=n_missing,
        )
        return merged.ordered()

    def __radd__(self, other: object) -> Tally:
        """Support ``sum(tallies)``, which starts from 0."""
        if isinstance(other, int) and other == 0:
            return self
        return self.__add__(other)


def _check_mergeable(a: Tally, b: Tally) -> None:
    problem = ""
    if a.by != b.by:
        problem = f"one is keyed by {list(a.by)!r} and the other by {list(b.by)!r}"
    elif a.weighted != b.weighted:
        problem = (
            "one is weighted and the other is not: adding counts to sums of weights would "
            "give a wrong NPS; tally both with weights (weight 1 for equal weights) or both "
            "without"
        )
    elif a.count.shape[1] != b.count.shape[1]:
        problem = f"one has {a.count.shape[1]} bins and the other {b.count.shape[1]}"
    elif (a.labels is None or b.labels is None) and a.count.shape != b.count.shape:
        problem = (
            f"their groups are not labelled and their shapes differ ({a.count.shape} and "
            f"{b.count.shape})"
        )
    if problem:
        msg = f"cannot merge these tallies: {problem}"
        raise InvalidParameterError(msg, name="other", value=problem)


def _shift(
    sums: NDArray[np.float64], squares: NDArray[np.float64], shift: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sums of weights and of their squares multiplied by ``2**shift`` and ``4**shift``."""
    if shift == 0:
        return sums, squares
    return np.ldexp(sums, shift), np.ldexp(squares, 2 * shift)


def common_exponent(*tallies: Tally) -> int:
    """The exponent tallies are added at: the largest (so nothing overflows)."""
    return max((t.exponent for t in tallies), default=0)


def add(a: Tally, b: Tally) -> Tally:
    """The tally of two disjoint parts of one dataset: the sums added at a common exponent.

    Examples:
        >>> w = np.array([1e300, 2e300])
        >>> whole = tally(np.array([9, 3], dtype=np.int8), w)
        >>> parts = add(tally(np.array([9], dtype=np.int8), w[:1]),
        ...             tally(np.array([3], dtype=np.int8), w[1:]))
        >>> bool((parts.sum_w == whole.sum_w).all()), parts.exponent == whole.exponent
        (True, True)
    """
    exponent = common_exponent(a, b)
    a, b = a.at_exponent(exponent), b.at_exponent(exponent)
    return Tally(a.count + b.count, a.sum_w + b.sum_w, a.sum_w2 + b.sum_w2, exponent)


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
    build keys, bound by throughput, ran slower (0.84× and below). Setting
    ``NETPROMOTER_THREADS`` (or passing ``threads``) uses threads for both.

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
        """Counts, weight sums and squared-weight sums of one chunk, and their checks.

        The squares are summed as they are; only when their total leaves
        ``[2**-960, 2**960]`` (so the largest weight is beyond ``2**±256``, or every
        weight is 0) is the chunk summed again, its weights divided by ``2**e``
        (``weight_exponent`` of the largest; ``None`` when no weight is positive).
        Ordinary weights cost one sum over the chunk's bins, no pass over memory.
        """
        assert self.weights is not None  # noqa: S101 - only called with weights
        wide = self.key(start)
        w = self.weights[start : start + self.step]
        non_negative = bool(w.min() >= 0) if len(w) else True  # NaN fails too
        sums, squares = self._sums(wide, w)
        exponent: int | None = 0
        with np.errstate(over="ignore"):  # a total that overflows is infinite: redone
            total = float(squares.sum())
        if not squares_fit(total):
            top = float(w.max()) if len(w) else 0.0
            exponent = weight_exponent(top) if top > 0 and math.isfinite(top) else None
            if exponent:
                sums, squares = self._sums(wide, np.ldexp(w, -exponent))
        counts = np.bincount(wide, minlength=self.bins)
        return _WeightedChunk(counts, sums, squares, non_negative, exponent)

    def _sums(
        self, wide: NDArray[np.intp], w: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per bin: the sum of the weights and of their squares."""
        w2 = self._buffers()[2][: len(w)]
        with np.errstate(over="ignore"):  # an overflow is seen in the total, and redone
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
    count = np.zeros(bins, dtype=np.int64)
    shape = (total, N_SCORES)
    if weights is None:
        for part in ordered_map(kernel.count, starts, workers):
            count += part
        unweighted = count.astype(np.float64).reshape(shape)
        return Tally(count.reshape(shape), unweighted, unweighted.copy())
    sum_w = np.zeros(bins, dtype=np.float64)
    sum_w2 = np.zeros(bins, dtype=np.float64)
    fine = True
    exponent: int | None = None  # of the running sums; None until a positive weight
    for chunk in ordered_map(kernel.weighted, starts, workers):
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
    return Tally(count, sum_w, sum_w2, counted.exponent)
