"""``prepare()``: the one input pipeline, and the sources it returns.

Every feature reads its input here, once: [`prepare`][netpromoter._input.source.prepare]
decides whether the data is in memory (a list of ``Response``, a mapping of columns, an
eager pandas/polars/pyarrow frame, a numpy array or list of scores) or lazy (a polars
``LazyFrame``, Dask, PySpark or DuckDB frame), and returns a source that answers one
question the same way for both: the labelled [`Tally`][netpromoter._tally.Tally] of the
scores per group of some keys, in display order.

* An [`EagerSource`][netpromoter._input.source.EagerSource] holds the validated, aligned
  columns of the rows used: scores, weights and one [`Factor`][netpromoter._input.factors.Factor]
  per key; rows whose score is missing (``missing="drop"``) are dropped from every column
  here, once.
* A [`LazySource`][netpromoter._input.source.LazySource] holds the frame; its tallies are
  computed on the frame's own engine and only the per-group aggregate is collected. What
  needs the rows themselves (respondent pairs, a weighting design's per-row SE) asks for
  [`rows`][netpromoter._input.source.LazySource.rows] and is refused with a clear error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter._count import tally, tally_categories
from netpromoter._input import cells as _cells
from netpromoter._input import engine as _engine
from netpromoter._input import frames, times
from netpromoter._input.columns import Table, read_table
from netpromoter._input.factors import Factor, Grouping, combine
from netpromoter._models import Response
from netpromoter._stats.cells import CellCounts, CellDesign, as_cells
from netpromoter._tally import Tally, stack
from netpromoter._validation import shown, validate_scores
from netpromoter.exceptions import (
    InvalidParameterError,
    InvalidScoreError,
    InvalidWeightsError,
    ParameterTypeError,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import tzinfo

    from numpy.typing import NDArray

    from netpromoter._validation import MissingPolicy, ScoreColumn


@dataclass(frozen=True)
class EagerSource:
    """The validated columns of in-memory data: the rows used, aligned.

    Attributes:
        table: The input columns read (indexed by input row, before any row is dropped).
        column: The validated scores of the rows used, and which input rows they are.
        weights: The weights of the rows used (``None`` when unweighted); their values
            are checked by the tally engine as it counts them.
        factors: One factor per key column, over the rows used.
        by: The key columns.
        weights_spec: The ``weights`` argument as given (for error messages and designs).
    """

    table: Table
    column: ScoreColumn
    weights: NDArray[np.float64] | None
    factors: tuple[Factor, ...]
    by: tuple[str, ...]
    weights_spec: object = field(default=None, repr=False)

    @property
    def lazy(self) -> bool:
        """``False``: the rows are in memory."""
        return False

    @property
    def scores(self) -> NDArray[np.integer]:
        """The validated scores of the rows used."""
        return self.column.scores

    @property
    def kept(self) -> NDArray[np.bool_] | None:
        """Which input rows are used (``None``: all of them)."""
        return self.column.kept

    @property
    def n_missing(self) -> int:
        """Rows dropped for a missing score."""
        return self.column.n_missing

    @property
    def weighted(self) -> bool:
        """Whether the rows carry weights."""
        return self.weights is not None

    def rows(self, option: str) -> EagerSource:  # noqa: ARG002 - the lazy twin names it
        """The rows themselves, for what needs more than a tally (always available)."""
        return self

    def values(self, name: str) -> NDArray[Any]:
        """A raw input column, restricted to the rows used."""
        values = self.table.values(name)
        return values if self.kept is None else values[self.kept]

    def factor(self, name: str, *, edges: Sequence[float] | None = None) -> Factor:
        """An input column as a factor over the rows used (banded with ``edges``)."""
        return self.table.factor(name, edges=edges).take(self.kept)

    def local_seconds(
        self, name: str, *, zone: tzinfo, naive_zone: tzinfo | None = None
    ) -> NDArray[np.int64]:
        """A time column as local wall-clock seconds in ``zone``, over the rows used.

        See [`local_seconds`][netpromoter._input.times.local_seconds]: aware values are
        converted, naive ones read in ``naive_zone`` (an error without it), dates taken
        as calendar dates.

        Raises:
            InvalidTimeError: When values are missing, unreadable or naive (rows named).
        """
        column = self.table.columns[name]
        return times.local_seconds(
            column, name=name, zone=zone, naive_zone=naive_zone, rows=self.kept
        )

    def tally(
        self,
        factors: Sequence[Factor] | None = None,
        *,
        dense: bool = False,
        per_score: bool = True,
    ) -> Tally:
        """The labelled tally of the rows used, per group of ``factors`` (the keys by default).

        Args:
            factors: The factors to group by, over the rows used (default: the keys).
            dense: Every combination of levels, in mixed-radix order (empty groups
                included, labels left out), instead of the groups that occur, labelled,
                in display order.
            per_score: ``False`` lets a tally without keys be counted per category
                (three bins, the fastest path) instead of per score.

        Raises:
            InvalidWeightsError: When a weight is NaN, infinite or negative (the column
                and rows named).
        """
        keys = self.factors if factors is None else tuple(factors)
        by = tuple(f.name for f in keys)
        if not keys and not per_score:
            counted = self._count(None, (), categories=True)
            return _labelled(counted, by, None if dense else ((),), self)
        if not keys:
            counted = self._count(None, ())
            labels = None if dense else ((),)
            return _labelled(counted, by, labels, self)
        grouping = combine(keys)
        counted = self._count(grouping.codes, grouping.sizes)
        if dense and len(grouping.codes) != len(keys):
            # Counted per combination that occurs: put each in its mixed-radix place.
            sizes = [max(len(f.levels), 1) for f in keys]
            counted = counted.regroup(tuple(grouping.key_codes.T), sizes)
        if dense:
            return _labelled(counted, by, None, self)
        present = _display_order(grouping, np.flatnonzero(counted.count.sum(axis=1)))
        shown = counted.take(present)
        return _labelled(shown, by, tuple(grouping.all_labels(present)), self)

    def subsets(self, masks: Sequence[NDArray[np.bool_]]) -> Tally:
        """One group per mask: the tally of the rows used where it is true (unlabelled).

        The subsets may overlap (the low and high raters of every aspect, the
        respondents mentioning each theme), which one factor cannot express: each is
        counted as the "in" level of its own two-level factor, and the groups are put
        one after another ([`stack`][netpromoter._tally.stack]).

        Examples:
            >>> source = prepare({"score": [10, 3, 9, 6]})
            >>> masks = [np.array([True, True, False, False]), np.array([True, False, True, True])]
            >>> source.subsets(masks).count.sum(axis=1).tolist()
            [2, 3]
        """
        return stack(
            [
                self.tally([Factor(_flags(mask), (False, True))], dense=True).take([1])
                for mask in masks
            ]
        )

    def codes(self, factors: Sequence[Factor] | None = None) -> tuple[NDArray[np.intp], int]:
        """Each row's group: its position among the groups of ``tally(factors)``.

        What a per-row computation over the same groups needs (a design's domain SEs):
        the groups that occur, in the display order of
        [`tally`][netpromoter._input.source.EagerSource.tally].

        Returns:
            One code per row used, and the number of groups.

        Examples:
            >>> source = prepare({"score": [10, 3, 9], "team": ["b", None, "a"]}, by=["team"])
            >>> codes, n_groups = source.codes()
            >>> codes.tolist(), n_groups, source.tally().labels
            ([1, 2, 0], 3, (('a',), ('b',), ('(missing)',)))
        """
        keys = self.factors if factors is None else tuple(factors)
        if not keys:
            return np.zeros(len(self.scores), dtype=np.intp), 1
        grouping = combine(keys)
        group = grouping.group_codes()
        occur = np.flatnonzero(np.bincount(group.astype(np.intp), minlength=grouping.n_groups))
        present = _display_order(grouping, occur)
        position = np.full(grouping.n_groups, -1, dtype=np.intp)
        position[present] = np.arange(len(present))
        out: NDArray[np.intp] = position[group]
        return out, len(present)

    def _count(
        self,
        codes: Sequence[NDArray[np.unsignedinteger[Any]]] | None,
        sizes: Sequence[int],
        *,
        categories: bool = False,
    ) -> Tally:
        try:
            if categories:
                return tally_categories(self.scores, self.weights, check_weights=True)
            if codes is None:
                return tally(self.scores, self.weights, check_weights=True)
            return tally(self.scores, self.weights, list(codes), list(sizes), check_weights=True)
        except InvalidWeightsError:
            self.table.weights(self.weights_spec)  # names the column and the input rows
            raise


def _flags(mask: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """A mask as the codes of a two-level factor (0: out, 1: in), without a copy if it can."""
    out: NDArray[np.uint8] = np.ascontiguousarray(mask, dtype=np.bool_).view(np.uint8)
    return out


def _display_order(grouping: Grouping, present: NDArray[np.intp]) -> NDArray[np.intp]:
    """The groups ``present`` in display order: by each key's level ranks, first key first."""
    codes = grouping.key_codes[present]
    ranks = [f.ranks()[codes[:, i]] for i, f in enumerate(grouping.factors)]
    ordered: NDArray[np.intp] = present[np.lexsort(ranks[::-1])]
    return ordered


def _labelled(
    counted: Tally,
    by: tuple[str, ...],
    labels: tuple[tuple[object, ...], ...] | None,
    source: EagerSource | LazySource,
) -> Tally:
    return Tally(
        counted.count,
        counted.sum_w,
        counted.sum_w2,
        counted.exponent,
        by=by,
        labels=labels,
        weighted=source.weighted,
        n_missing=source.n_missing,
    )


@dataclass(frozen=True)
class LazySource:
    """A lazy or distributed frame: tallied on its own engine, never collected.

    Attributes:
        data: The native frame.
        score: The score column.
        weights_column: The weights column, or ``None``.
        by: The key columns.
        bands: Numeric keys cut into bands on the engine.
        missing: The missing-score policy.
        cells: Weights set per cell of this frame (with ``weights_column`` their base
            weights), applied to the engine's per-cell aggregate.
    """

    data: object
    score: str
    weights_column: str | None
    by: tuple[str, ...]
    bands: Mapping[str, Sequence[float]] | None
    missing: MissingPolicy
    cells: CellDesign | None = None
    _n_missing: list[int] = field(default_factory=list, repr=False)
    _cell_counts: list[CellCounts] = field(default_factory=list, repr=False)

    @property
    def lazy(self) -> bool:
        """``True``: the rows stay on the engine."""
        return True

    @property
    def weighted(self) -> bool:
        """Whether the frame has a weights column or cell weights."""
        return self.weights_column is not None or self.cells is not None

    @property
    def cell_counts(self) -> CellCounts:
        """The per (group, cell) counts of the last tally with cell weights (its groups)."""
        return self._cell_counts[-1]

    @property
    def n_missing(self) -> int:
        """Rows dropped for a missing score (known once a tally has run)."""
        return self._n_missing[-1] if self._n_missing else 0

    def rows(self, option: str) -> EagerSource:
        """Refuse: ``option`` needs every row, which a lazy frame does not hand over.

        Raises:
            InvalidParameterError: Always, naming the option.
        """
        msg = (
            f"{option} needs the rows themselves, so it needs in-memory data: collect the "
            "columns it needs first (the tallies of a lazy frame run on its engine)"
        )
        raise InvalidParameterError(msg, name=option.split("=", 1)[0], value=option)

    def aggregate(
        self, by: Sequence[str] | None = None, *, derived: Mapping[str, Any] | None = None
    ) -> _engine.EngineTally:
        """The engine's aggregate per group of ``by`` and ``derived`` keys, with key codes.

        What [`tally`][netpromoter._input.source.LazySource.tally] labels; for callers
        that decode a derived key's levels themselves (such as time buckets).
        """
        keys = self.by if by is None else tuple(by)
        engine = _engine.engine_tally(
            self.data,
            score=self.score,
            weights=self.weights_column,
            by=keys if self.cells is None else _cells.engine_keys(keys, self.cells),
            bands=self.bands,
            missing=self.missing,
            derived=derived,
        )
        if self.cells is not None:
            engine, counts = _cells.fold(engine, self.cells, keys)
            self._cell_counts.append(counts)
        self._n_missing.append(int(engine.n_missing.sum()))
        return engine

    def tally(
        self,
        by: Sequence[str] | None = None,
        *,
        derived: Mapping[str, Any] | None = None,
        per_score: bool = True,  # noqa: ARG002 - the engine always counts per score
    ) -> Tally:
        """The labelled tally per group of ``by`` (the keys by default), on the engine.

        ``derived`` adds keys computed on the engine (name to narwhals expression) after
        ``by``; the groups that occur come back labelled, in display order.
        """
        keys = self.by if by is None else tuple(by)
        engine = self.aggregate(keys, derived=derived)
        names = (*keys, *(derived or {}))
        if not names:
            return _labelled(engine.tally, (), ((),), self)
        occur = np.flatnonzero(engine.tally.count.sum(axis=1))
        if self.cells is not None:
            self._cell_counts.append(self._cell_counts.pop().take(occur))
        labels = tuple(engine.labels(int(g)) for g in occur)
        return _labelled(engine.tally.take(occur), names, labels, self)


Source = EagerSource | LazySource


def prepare(
    data: object,
    *,
    score: str | None = "score",
    weights: object = None,
    by: Sequence[str] = (),
    bands: Mapping[str, Sequence[float]] | None = None,
    columns: Sequence[str] = (),
    missing: MissingPolicy = "raise",
    collect: bool = False,
) -> Source:
    """Read ``data`` once into a source: validated columns in memory, or a lazy frame.

    Args:
        data: A list of ``Response``, a mapping of column name to values, a dataframe
            (eager or lazy), or, with ``score=None``, the scores themselves (a numpy
            array, a list, or a one-column frame).
        score: The score column; ``None`` when ``data`` is the scores.
        weights: ``None``, a weights column name, an array with one weight per input
            row, or an object with a numpy ``weights`` attribute.
        by: Key columns to group by (each becomes a factor; missing values form the
            ``"(missing)"`` group).
        bands: Numeric keys to cut into bands first, e.g. ``{"spend": [0, 100, inf]}``.
        columns: Further columns to read for the caller (time, respondent, ...).
        missing: ``"raise"`` (default) or ``"drop"`` for missing scores.
        collect: Read the named columns of a lazy or distributed frame into memory (for
            an analysis of the rows themselves) instead of keeping the frame on its engine.

    Returns:
        An [`EagerSource`][netpromoter._input.source.EagerSource] or a
        [`LazySource`][netpromoter._input.source.LazySource].

    Raises:
        ColumnNotFoundError: A named column does not exist (the available ones listed).
        InvalidScoreError: A score is invalid, or missing with ``missing="raise"``.
        InvalidWeightsError: Weights are misaligned or not numbers.
        InvalidParameterError: An option is out of range.

    Examples:
        >>> source = prepare({"score": [10, 3, 9], "team": ["a", None, "a"]}, by=["team"])
        >>> t = source.tally()
        >>> t.labels, t.count.sum(axis=1).tolist()
        ((('a',), ('(missing)',)), [2, 1])
    """
    keys = tuple(dict.fromkeys(by))
    if score is None and frames.is_frame(data):
        score = frames.score_column(data, None)
    bands = dict(bands or {})
    unknown = [name for name in bands if name not in keys]
    if unknown:
        msg = f"bands are given for {unknown!r}, which are not in by={list(keys)!r}"
        raise InvalidParameterError(msg, name="bands", value=bands)
    cells = as_cells(weights)
    if cells is not None and (score is None or collect or not frames.is_lazy(data)):
        msg = (
            "these weights were set per cell of a lazy frame: pass that frame, or add "
            "them to it as a column with result.apply(frame)"
        )
        raise InvalidWeightsError(msg)
    if cells is not None and score is not None:
        return LazySource(data, score, cells.base, keys, bands or None, missing, cells)
    if score is not None and not collect and frames.is_lazy(data):
        if weights is not None and not isinstance(weights, str):
            msg = (
                "weights of a lazy or distributed frame must be the name of a column of that "
                f"frame, got {type(weights).__name__}"
            )
            raise InvalidParameterError(msg, name="weights", value=weights)
        return LazySource(data, score, weights, keys, bands or None, missing)
    if score is None:
        return _scores_only(data, weights, missing)
    needed = [score, *keys, *columns] + ([weights] if isinstance(weights, str) else [])
    table = read_table(data, needed)
    try:
        column = table.scores(score, missing=missing)
    except InvalidScoreError as exc:
        msg = f"score column {score!r}: {exc}"
        raise InvalidScoreError(msg, value=exc.value, positions=exc.positions) from None
    w = table.weights(weights, check_values=False)
    if w is not None and column.kept is not None:
        w = w[column.kept]
    factors = tuple(table.factor(name, edges=bands.get(name)).take(column.kept) for name in keys)
    return EagerSource(table, column, w, factors, keys, weights)


def response_scores(scores: object) -> Iterable[object]:
    """The scores of ``Response`` objects (as int8); any other collection as it is.

    Raises:
        ParameterTypeError: When ``scores`` is not a collection (a number, text, ``None``)
            or mixes ``Response`` objects with other values.
    """
    if isinstance(scores, np.ndarray):
        return scores
    if type(scores).__module__.startswith("pyarrow") and hasattr(scores, "__array__"):
        # A pyarrow Array or ChunkedArray: nulls become NaN (missing scores).
        return np.asarray(scores)
    if isinstance(scores, str | bytes) or not isinstance(scores, Iterable):
        msg = (
            "scores must be a collection of scores (a list, a numpy array, responses or a "
            f"dataframe), got {shown(scores)} ({type(scores).__name__})"
        )
        raise ParameterTypeError(msg, name="scores", value=scores)
    items = scores if isinstance(scores, Sequence) else list(scores)
    if not (len(items) and isinstance(items[0], Response)):
        return items

    def one(position: int, item: object) -> int:
        if not isinstance(item, Response):
            msg = (
                "scores mix Response objects with other values (expected only Response "
                f"objects): item {position} is {shown(item)} ({type(item).__name__})"
            )
            raise ParameterTypeError(msg, name="scores", value=item)
        return item.score

    return np.fromiter((one(i, r) for i, r in enumerate(items)), np.int8, len(items))


def prepare_scores(
    data: object, *, score: str | None, weights: object, missing: MissingPolicy
) -> Source:
    """The source of ``score()``: bare scores, or the score column of a table.

    A table (a mapping of columns or a dataframe, or anything with ``score=`` named) is
    read from the column named, else its ``"score"`` column, else its only column.
    """
    if frames.is_table(data, score):
        return prepare(
            data, score=frames.score_column(data, score), weights=weights, missing=missing
        )
    return prepare(data, score=None, weights=weights, missing=missing)


def _scores_only(data: object, weights: object, missing: MissingPolicy) -> EagerSource:
    """The source of bare scores (an array, a list, ``Response`` objects)."""
    if isinstance(weights, str):
        msg = (
            f"weights={weights!r} names a column, but the scores are not a dataframe; "
            "give one weight per score, or a dataframe with score='<column>'"
        )
        raise InvalidWeightsError(msg)
    values = response_scores(data)
    column = validate_scores(values, missing=missing)
    n_rows = len(column.scores) + column.n_missing
    table = Table({"score": values}, n_rows, ("score",))
    w = table.weights(weights, check_values=False)
    if w is not None and column.kept is not None:
        w = w[column.kept]
    return EagerSource(table, column, w, (), (), weights)
