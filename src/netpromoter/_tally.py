"""The tally: per group and per score 0..10, count, sum of weights and of squares.

A [`Tally`][netpromoter._tally.Tally] is what the counting engine
([`netpromoter._count`][netpromoter._count]) returns and what the statistics layer
reads: labelled, mergeable with ``+`` (by label), and regrouped, selected or totalled
without going back to the rows. Weights beyond the range whose squares a float can hold
are kept as a power-of-two scale (``exponent``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter._labels import labels_key
from netpromoter._scale import CATEGORY_BOUNDS, N_SCORES, by_category
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray


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

        ``codes`` and ``n_groups`` are given as in [`tally`][netpromoter._count.tally]:
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

    def as_weighted(self) -> Tally:
        """The tally as a weighted one: an unweighted tally's weights are all 1.

        Its sums are its counts already, so only the flag changes; what merging a weighted
        and an unweighted tally needs (the caller says so with a warning).
        """
        return self if self.weighted else replace(self, weighted=True)

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
        # Keyed so that True and 1 (equal in Python) stay apart, as in the input layer.
        index = {_typed(label): i for i, label in enumerate(a.labels)}
        for label in b.labels:
            index.setdefault(_typed(label), len(index))
        shape = (len(index), self.count.shape[1])
        count = np.zeros(shape, dtype=np.int64)
        sum_w = np.zeros(shape, dtype=np.float64)
        sum_w2 = np.zeros(shape, dtype=np.float64)
        for part in (a, b):
            labels = part.labels or ()
            rows = np.fromiter((index[_typed(label)] for label in labels), np.intp, len(labels))
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
            labels=tuple(tuple(value for _, value in key) for key in index),
            weighted=self.weighted,
            n_missing=n_missing,
        )
        return merged.ordered()

    def __radd__(self, other: object) -> Tally:
        """Support ``sum(tallies)``, which starts from 0."""
        if isinstance(other, int) and other == 0:
            return self
        return self.__add__(other)


def _typed(label: tuple[object, ...]) -> tuple[tuple[bool, object], ...]:
    """A group's labels as a dictionary key that keeps booleans apart from numbers."""
    return tuple((isinstance(value, bool), value) for value in label)


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
        >>> from netpromoter._count import tally
        >>> whole = tally(np.array([9, 3], dtype=np.int8), w)
        >>> parts = add(tally(np.array([9], dtype=np.int8), w[:1]),
        ...             tally(np.array([3], dtype=np.int8), w[1:]))
        >>> bool((parts.sum_w == whole.sum_w).all()), parts.exponent == whole.exponent
        (True, True)
    """
    exponent = common_exponent(a, b)
    a, b = a.at_exponent(exponent), b.at_exponent(exponent)
    return Tally(a.count + b.count, a.sum_w + b.sum_w, a.sum_w2 + b.sum_w2, exponent)


def stack(parts: Sequence[Tally]) -> Tally:
    """The groups of several tallies one after another (``parts[0]``'s first, unlabelled).

    For splits of the same rows that overlap (each part one split, such as the low and
    high raters of one aspect), which ``+`` would merge. The parts are of one kind (keys,
    weighting, bins, missing count: the first part's); the sums are taken to the largest
    exponent.

    Examples:
        >>> a = Tally.of_counts(np.array([[1, 0, 2]]))
        >>> b = Tally.of_counts(np.array([[0, 1, 0], [3, 0, 0]]))
        >>> stack([a, b]).count.tolist()
        [[1, 0, 2], [0, 1, 0], [3, 0, 0]]
    """
    exponent = common_exponent(*parts)
    shifted = [part.at_exponent(exponent) for part in parts]
    return parts[0].with_arrays(
        np.concatenate([part.count for part in shifted]),
        np.concatenate([part.sum_w for part in shifted]),
        np.concatenate([part.sum_w2 for part in shifted]),
        exponent=exponent,
    )


def retally(
    counted: Tally,
    codes: NDArray[np.integer] | Sequence[NDArray[np.integer]],
    n_groups: int | Sequence[int],
) -> Tally:
    """Add the rows of an existing tally into new groups: a tally of tallies.

    Row ``i`` of ``counted`` (already counted, e.g. the aggregate a lazy frame's engine
    returned per fine group) goes to group ``codes[i]``, given as in
    [`tally`][netpromoter._count.tally]: one code array with ``n_groups`` groups, or one
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
        >>> from netpromoter._count import tally
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
