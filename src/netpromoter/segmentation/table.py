"""The mergeable per-segment tally and the segment table it gives."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from netpromoter import _stats
from netpromoter._input import engine as _engine
from netpromoter._input import frames
from netpromoter._input.columns import read_table
from netpromoter._input.factors import Factor, Grouping, check_labels, combine
from netpromoter._model import Model
from netpromoter._scale import N_SCORES
from netpromoter._tables import format_p, html_table, text_table
from netpromoter._tally import Tally, common_exponent, tally
from netpromoter._validation import (
    check_correction,
    check_flag,
    check_int,
    check_names,
    check_number,
    check_tally_sums,
    check_type,
    shown,
    warn_mixed_weights,
)
from netpromoter.exceptions import (
    EmptyDataError,
    InvalidParameterError,
    InvalidTallyError,
    InvalidWeightsError,
    NotFoundError,
    ParameterTypeError,
)
from netpromoter.segmentation.estimates import _DesignSE, _homogeneity, _RowCodes, _rows
from netpromoter.segmentation.rows import (
    _REPR_ROWS,
    ALL,
    Correction,
    HomogeneityTest,
    Method,
    SegmentRow,
    _check_min_n,
    _fmt,
    _keys,
    _row_dict,
    _to_pandas,
    _to_polars,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from typing_extensions import Self

    from netpromoter._validation import MissingPolicy, ScoreColumn


class SegmentCounts(Model):
    """A mergeable per-segment tally: per segment and score 0..10, count and weight sums.

    Tallies of disjoint parts of a dataset add up (``a + b`` merges segments by their
    labels) to the tally of the whole, so a segment table can be built chunk by chunk or
    on many workers. It serialises with ``model_dump_json()`` and loads with
    ``model_validate_json()``; labels survive as JSON values (text, numbers, booleans).

    As for [`NPSCounts`][netpromoter.core.NPSCounts], weight sums that no non-negative
    weights can have are refused, and an unweighted tally with responses merged into a
    weighted one counts as weights of 1, with a warning. Labels must be told apart when
    printed: ``1`` and ``"1"`` in one key are refused (see
    [`AmbiguousLabelError`][netpromoter.exceptions.AmbiguousLabelError]).

    Attributes:
        by: The key column names.
        levels: One tuple of labels per segment (one label per key).
        count: Per segment, the number of responses per score 0..10.
        sum_weights: Per segment, the sum of weights per score, or ``None`` when
            unweighted.
        sum_squared_weights: Per segment, the sum of squared weights per score, or
            ``None``.
        n_missing: Missing scores that were dropped (``missing="drop"``).
        weight_exponent: The weight sums are of the weights divided by
            ``2**weight_exponent`` (0 unless the weights are extreme; see
            [`NPSCounts`][netpromoter.core.NPSCounts]).

    Examples:
        >>> a = SegmentCounts.from_data({"score": [10, 3], "region": ["n", "s"]}, "region")
        >>> b = SegmentCounts.from_data({"score": [9, 9], "region": ["n", "e"]}, "region")
        >>> merged = a + b
        >>> merged.levels
        (('e',), ('n',), ('s',))
        >>> merged.result(min_n=1).overall.nps
        50.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: tuple[str, ...]
    levels: tuple[tuple[Any, ...], ...] = ()
    count: tuple[tuple[int, ...], ...] = ()
    sum_weights: tuple[tuple[float, ...], ...] | None = None
    sum_squared_weights: tuple[tuple[float, ...], ...] | None = None
    n_missing: int = Field(default=0, ge=0)
    weight_exponent: int = Field(default=0, ge=-1100, le=1100)

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        if not self.by:
            msg = "by must name at least one column"
            raise ValueError(msg)
        if len(set(self.levels)) != len(self.levels):
            msg = "levels must be distinct"
            raise ValueError(msg)
        for label in self.levels:
            if len(label) != len(self.by):
                msg = (
                    f"each entry of levels needs {len(self.by)} labels (one per key in by), "
                    f"got {label!r}"
                )
                raise ValueError(msg)
        _check_table("count", self.count, len(self.levels))
        if self.sum_weights is not None:
            _check_table("sum_weights", self.sum_weights, len(self.levels))
        if self.sum_squared_weights is not None:
            _check_table("sum_squared_weights", self.sum_squared_weights, len(self.levels))
        if (self.sum_weights is None) != (self.sum_squared_weights is None):
            msg = "give both sum_weights and sum_squared_weights, or neither"
            raise ValueError(msg)
        if self.sum_weights is None and self.weight_exponent:
            msg = f"an unweighted tally has no weight_exponent, got {self.weight_exponent}"
            raise ValueError(msg)
        self._check_values()
        return self

    def _check_values(self) -> None:
        """Labels told apart when printed, and weight sums non-negative weights can have."""
        _check_level_labels(self.by, self.levels)
        if self.sum_weights is not None:
            t = self.to_tally()
            where = [f"segment {label!r}" for label in self.levels]
            check_tally_sums(t.count, t.sum_w, t.sum_w2, where=where)

    @classmethod
    def from_tally(
        cls,
        tallied: Tally,
        by: Sequence[str],
        levels: Sequence[tuple[Any, ...]],
        *,
        weighted: bool,
        n_missing: int = 0,
    ) -> SegmentCounts:
        """Build from an engine tally with one row per entry of ``levels``.

        Raises:
            ParameterTypeError: When ``tallied`` is not an engine ``Tally``, or the
                other arguments are not of their types.
            InvalidParameterError: When ``levels`` does not give one label per row.
        """
        check_type(tallied, "tallied", Tally, "an engine Tally")
        check_names(by, "by")
        check_flag(weighted, "weighted")
        check_int(n_missing, "n_missing", minimum=0)
        if not isinstance(levels, Sequence) or len(levels) != len(tallied.count):
            msg = f"levels must give one label tuple per row of the tally, got {shown(levels)}"
            raise InvalidParameterError(msg, name="levels", value=levels)
        return cls.model_construct(
            by=tuple(by),
            levels=tuple(levels),
            count=tuple(map(tuple, tallied.count.tolist())),
            sum_weights=tuple(map(tuple, tallied.sum_w.tolist())) if weighted else None,
            sum_squared_weights=tuple(map(tuple, tallied.sum_w2.tolist())) if weighted else None,
            n_missing=n_missing,
            weight_exponent=tallied.exponent if weighted else 0,
        )

    @classmethod
    def from_data(
        cls,
        data: object,
        by: str | Sequence[str],
        *,
        score: str = "score",
        weights: object = None,
        bands: Mapping[str, Sequence[float]] | None = None,
        missing: MissingPolicy = "raise",
    ) -> SegmentCounts:
        """Tally ``data`` per segment (see [`segment`][netpromoter.segmentation.segment]).

        Segments that do not occur are left out. A lazy or distributed frame (Dask,
        Spark, polars lazy, DuckDB) is tallied on its own engine.
        """
        if frames.is_lazy(data):
            return _engine_counts(
                data, _keys(by), score=score, weights=weights, bands=bands, missing=missing
            )
        return _tabulate(
            data, _keys(by), score=score, weights=weights, bands=bands, missing=missing
        )[0]

    @property
    def weighted(self) -> bool:
        """Whether the tally carries weights."""
        return self.sum_weights is not None

    def to_tally(self) -> Tally:
        """The engine's ``(G, 11)`` arrays, one row per level."""
        count = np.asarray(self.count, dtype=np.int64).reshape(-1, N_SCORES)
        if self.sum_weights is None or self.sum_squared_weights is None:
            as_float = count.astype(np.float64)
            return Tally(count, as_float, as_float.copy())
        return Tally(
            count,
            np.asarray(self.sum_weights, dtype=np.float64).reshape(-1, N_SCORES),
            np.asarray(self.sum_squared_weights, dtype=np.float64).reshape(-1, N_SCORES),
            self.weight_exponent,
        )

    def __add__(self, other: object) -> SegmentCounts:
        """Merge tallies of disjoint data, matching segments by their labels.

        Raises:
            InvalidTallyError: When the tallies are by different keys.
            AmbiguousLabelError: When labels of the two differ but print alike (``1``
                and ``"1"``).

        Warns:
            MixedWeightsWarning: When one tally is weighted and the other is not but has
                responses: those count as weights of 1.
        """
        if not isinstance(other, SegmentCounts):
            return NotImplemented
        if other.by != self.by:
            msg = f"cannot merge tallies by {list(self.by)!r} and by {list(other.by)!r}"
            raise InvalidTallyError(msg, field="by")
        # Keyed so that True and 1 (equal in Python) stay apart, as in the input layer.
        index = {_typed(label): i for i, label in enumerate(self.levels)}
        for label in other.levels:
            index.setdefault(_typed(label), len(index))
        labels = [tuple(value for _, value in key) for key in index]
        _check_level_labels(self.by, labels)
        weighted = self.weighted or other.weighted
        if weighted:
            warn_mixed_weights(
                self.weighted, sum(map(sum, self.count)), other.weighted, sum(map(sum, other.count))
            )
        mine, theirs = self.to_tally(), other.to_tally()
        exponent = common_exponent(mine, theirs)
        shape = (len(index), N_SCORES)
        sums = [np.zeros(shape, dtype=np.int64), np.zeros(shape), np.zeros(shape)]
        for part, t in ((self, mine), (other, theirs)):
            rows = np.asarray([index[_typed(label)] for label in part.levels], dtype=np.intp)
            aligned = t.at_exponent(exponent)
            for total, more in zip(
                sums, (aligned.count, aligned.sum_w, aligned.sum_w2), strict=True
            ):
                np.add.at(total, rows, more)
        order = np.asarray(sorted(range(len(labels)), key=_sort_key(labels)), dtype=np.intp)
        merged = Tally(sums[0], sums[1], sums[2], exponent).take(order)  # type: ignore[arg-type]
        return SegmentCounts.from_tally(
            merged,
            self.by,
            [labels[i] for i in order.tolist()],
            weighted=weighted,
            n_missing=self.n_missing + other.n_missing,
        )

    def __radd__(self, other: object) -> SegmentCounts:
        """Support ``sum(tallies)``, which starts from 0."""
        if other == 0:
            return self
        return self.__add__(other)

    def result(
        self,
        *,
        min_n: int = 30,
        method: Method = "adjusted_wald",
        confidence_level: float = 0.95,
        correction: Correction = "holm",
    ) -> SegmentResult:
        """The segment table of this tally, as ``segment`` gives on the data."""
        return _build(
            self.to_tally(),
            self,
            min_n=_check_min_n(min_n),
            method=method,
            confidence_level=confidence_level,
            correction=check_correction(correction),
        )


def _typed(label: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    """A segment label as a dictionary key that keeps booleans apart from numbers."""
    return tuple((isinstance(value, bool), value) for value in label)


def _check_level_labels(by: Sequence[str], levels: Sequence[tuple[Any, ...]]) -> None:
    """Per key, its distinct labels must print differently (see ``check_labels``)."""
    for position, key in enumerate(by):
        distinct = {
            (isinstance(label[position], bool), label[position]): label[position]
            for label in levels
        }
        check_labels(list(distinct.values()), key)


def _check_table(name: str, table: tuple[tuple[float, ...], ...], n_levels: int) -> None:
    if len(table) != n_levels or any(len(r) != N_SCORES for r in table):
        msg = (
            f"{name} needs one row of {N_SCORES} values (scores 0..10) per entry of levels: "
            f"{n_levels} levels, {len(table)} rows"
        )
        raise ValueError(msg)
    if any(v < 0 or not math.isfinite(v) for r in table for v in r):
        msg = f"{name} must be finite and non-negative"
        raise ValueError(msg)


def _sort_key(labels: list[tuple[Any, ...]]) -> Callable[[int], tuple[Any, ...]]:
    """Order segments by their labels, with "(missing)" last and mixed types by type name."""

    def key(i: int) -> tuple[Any, ...]:
        return tuple(
            (
                label == "(missing)",
                type(label).__name__ if not isinstance(label, int | float) else "",
                label,
            )
            for label in labels[i]
        )

    return key


def _engine_counts(
    data: object,
    by: tuple[str, ...],
    *,
    score: str,
    weights: object,
    bands: Mapping[str, Sequence[float]] | None,
    missing: MissingPolicy,
) -> SegmentCounts:
    """The per-segment tally of a lazy or distributed frame, computed on its engine.

    The engine's groups come in display order (see ``_engine.EngineTally``); segments in
    which no score occurs are left out, as ``_tabulate`` leaves them out.
    """
    engine = _engine.engine_tally(
        data, score=score, weights=weights, by=by, bands=bands, missing=missing
    )
    occur = np.flatnonzero(engine.tally.count.sum(axis=1))
    return SegmentCounts.from_tally(
        engine.tally.take(occur),
        engine.keys,
        [engine.labels(int(g)) for g in occur],
        weighted=engine.weighted,
        n_missing=int(engine.n_missing.sum()),
    )


def _tabulate(
    data: object,
    by: tuple[str, ...],
    *,
    score: str,
    weights: object,
    bands: Mapping[str, Sequence[float]] | None,
    missing: MissingPolicy,
) -> tuple[SegmentCounts, _RowCodes, Tally]:
    """The per-segment tally in display order, the rows behind it, and its engine arrays."""
    counted, grouping, weighted, n_missing, column = _count(
        data, by, score=score, weights=weights, bands=bands, missing=missing
    )
    present = np.flatnonzero(counted.count.sum(axis=1))
    # Display order: by each key's level ranks, first key first.
    keys = grouping.key_codes[present]
    ranks = [f.ranks()[keys[:, i]] for i, f in enumerate(grouping.factors)]
    present = present[np.lexsort(ranks[::-1])]
    shown = counted.take(present)
    counts = SegmentCounts.from_tally(
        shown, by, grouping.all_labels(present), weighted=weighted, n_missing=n_missing
    )
    return counts, _RowCodes(column.scores, column.kept, grouping, present), shown


def _count(
    data: object,
    by: tuple[str, ...],
    *,
    score: str,
    weights: object,
    bands: Mapping[str, Sequence[float]] | None,
    missing: MissingPolicy,
) -> tuple[Tally, Grouping, bool, int, ScoreColumn]:
    """Read, validate, factorise, combine and tally: the one pass over the rows."""
    if bands is not None:
        check_type(bands, "bands", Mapping, "a mapping of column name to band edges")
    bands = dict(bands or {})
    unknown = [name for name in bands if name not in by]
    if unknown:
        msg = f"bands are given for {unknown!r}, which are not in by={list(by)!r}"
        raise InvalidParameterError(msg, name="bands", value=bands)
    needed = [score, *by] + ([weights] if isinstance(weights, str) else [])
    table = read_table(data, needed)
    column = table.scores(score, missing=missing)
    # The engine checks the weights' values chunk by chunk as it counts them.
    w = table.weights(weights, check_values=False)
    factors: list[Factor] = [
        table.factor(name, edges=bands.get(name)).take(column.kept) for name in by
    ]
    if w is not None and column.kept is not None:
        w = w[column.kept]
    grouping = combine(factors)
    try:
        counted = tally(column.scores, w, grouping.codes, grouping.sizes, check_weights=True)
    except InvalidWeightsError:
        table.weights(weights)  # the full check names the column and the input rows
        raise
    return counted, grouping, w is not None, column.n_missing, column


_SORTABLE = frozenset(SegmentRow.model_fields) - {"key", "ci"}


class SegmentResult(Model):
    """The NPS of each segment, with intervals, small-sample flags and tests.

    Iterating gives the segment rows (``SegmentRow``); ``overall`` is the row of all
    responses. Rows start in label order; ``sort`` and ``filter`` return new results.

    Attributes:
        by: The key column names.
        rows: One row per segment that has responses.
        overall: The row of all responses (keys ``"(all)"``).
        min_n: The small-sample threshold.
        method: The interval method.
        confidence_level: The interval's confidence level.
        correction: The multiple-comparison correction of ``p_adjusted``.
        weighted: Whether weights were used.
        counts: The mergeable tally the table was computed from.
        homogeneity: The omnibus test that every segment has the same NPS (``None``
            with fewer than two segments); of the whole table, kept by ``sort`` and
            ``filter``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: tuple[str, ...]
    rows: tuple[SegmentRow, ...]
    overall: SegmentRow
    min_n: int
    method: Method
    confidence_level: float
    correction: Correction
    weighted: bool
    counts: SegmentCounts
    homogeneity: HomogeneityTest | None = None

    def __iter__(self) -> Iterator[SegmentRow]:  # type: ignore[override]
        """Iterate over the segment rows."""
        return iter(self.rows)

    def __len__(self) -> int:
        """Number of segments."""
        return len(self.rows)

    def __getitem__(self, index: int) -> SegmentRow:
        """The segment row at a position."""
        return self.rows[index]

    def get(self, *key: object) -> SegmentRow:
        """The row of the segment with these labels (one per ``by`` column).

        Raises:
            NotFoundError: When no segment has these labels (a ``KeyError``).
        """
        for row in self.rows:
            if row.key == key:
                return row
        raise NotFoundError("segment", key, [row.key for row in self.rows])

    def sort(self, by: str = "nps", *, descending: bool = True) -> SegmentResult:
        """A copy with rows sorted by a row field or a key column (NaN and None last).

        Raises:
            InvalidParameterError: When ``by`` is neither a row field nor a key column.
        """
        check_type(by, "by", str, "a row field or a key column (text)")
        descending = check_flag(descending, "descending")
        if by in self.by:
            position = self.by.index(by)
            order = sorted(
                range(len(self.rows)),
                key=lambda i: _sort_key([r.key for r in self.rows])(i)[position],
                reverse=descending,
            )
            return self.model_copy(update={"rows": tuple(self.rows[i] for i in order)})
        if by not in _SORTABLE:
            msg = (
                f"cannot sort by {by!r}; use a key column {list(self.by)!r} "
                f"or one of {sorted(_SORTABLE)!r}"
            )
            raise InvalidParameterError(msg, name="by", value=by)

        def value(row: SegmentRow) -> float:
            v = getattr(row, by)
            return float(v) if v is not None else math.nan

        known = [r for r in self.rows if not math.isnan(value(r))]
        unknown = [r for r in self.rows if math.isnan(value(r))]
        known.sort(key=value, reverse=descending)
        return self.model_copy(update={"rows": tuple(known + unknown)})

    def filter(
        self,
        predicate: Callable[[SegmentRow], bool] | None = None,
        *,
        small_sample: bool | None = None,
        alpha: float | None = None,
    ) -> SegmentResult:
        """A copy keeping the rows that match every condition given.

        Args:
            predicate: Keep rows for which this returns true.
            small_sample: Keep only flagged (``True``) or unflagged (``False``) rows.
            alpha: Keep only rows whose corrected p-value is below ``alpha``.

        Returns:
            The filtered result (the overall row is unchanged).
        """
        if predicate is not None and not callable(predicate):
            msg = f"predicate must be a function of a row, got {predicate!r}"
            raise ParameterTypeError(msg, name="predicate", value=predicate)
        if small_sample is not None:
            check_flag(small_sample, "small_sample")
        if alpha is not None:
            check_number(alpha, "alpha", minimum=0, maximum=1, strict=True)
        rows = [
            r
            for r in self.rows
            if (predicate is None or predicate(r))
            and (small_sample is None or r.small_sample == small_sample)
            and (alpha is None or r.significant(alpha))
        ]
        return self.model_copy(update={"rows": tuple(rows)})

    def to_dicts(self, *, overall: bool = False) -> list[dict[str, Any]]:
        """One flat dictionary per row: key columns, then the statistics.

        Args:
            overall: Append the overall row (keys ``"(all)"``).
        """
        rows = [*self.rows, self.overall] if check_flag(overall, "overall") else list(self.rows)
        return [_row_dict(self.by, r) for r in rows]

    def to_pandas(self, *, overall: bool = False) -> Any:  # noqa: ANN401 - optional dependency
        """The table as a pandas DataFrame (needs pandas)."""
        return _to_pandas(self.to_dicts(overall=overall))

    def to_polars(self, *, overall: bool = False) -> Any:  # noqa: ANN401 - optional dependency
        """The table as a polars DataFrame (needs polars)."""
        return _to_polars(self.to_dicts(overall=overall))

    def _cells(self, limit: int) -> tuple[list[str], list[list[str]]]:
        header = [*self.by, "n", "nps", "ci", "vs_rest", "p_adjusted", "small"]
        rows = [*self.rows[:limit], self.overall]
        cells = [
            [
                *(str(k) for k in r.key),
                f"{r.n:,}",
                _fmt(r.nps),
                f"[{_fmt(r.ci[0])}, {_fmt(r.ci[1])}]",
                _fmt(r.vs_rest),
                format_p(r.p_adjusted),
                "small" if r.small_sample else "",
            ]
            for r in rows
        ]
        return header, cells

    def _caption(self) -> str:
        small = sum(r.small_sample for r in self.rows)
        same = "" if self.homogeneity is None else f"; all equal? {self.homogeneity}"
        return (
            f"NPS by {', '.join(self.by)}: {len(self.rows)} segments, "
            f"{self.confidence_level:.0%} CI ({self.method}), p adjusted ({self.correction}); "
            f"{small} with n < {self.min_n}{same}"
        )

    def __repr__(self) -> str:
        """The caption and the first rows as a text table, then the overall row."""
        header, cells = self._cells(_REPR_ROWS)
        more = len(self.rows) - _REPR_ROWS
        tail = f"\n... {more} more segments" if more > 0 else ""
        return f"SegmentResult({self._caption()})\n{text_table(header, cells)}{tail}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        header, cells = self._cells(len(self.rows))
        return html_table(header, cells, caption=self._caption())


def _build(
    counted: Tally,
    counts: SegmentCounts,
    *,
    min_n: int,
    method: Method,
    confidence_level: float,
    correction: Correction,
    design: _DesignSE | None = None,
) -> SegmentResult:
    """Every statistic of the segment table, vectorised over segments, from the tally.

    With ``design`` (a calibrated design's SEs), every SE, interval and test uses them.
    """
    weighted = counts.weighted
    total = counted.total()
    n_total = int(total.count.sum())
    if n_total == 0:
        detail = f" (all {counts.n_missing} scores were missing)" if counts.n_missing else ""
        msg = f"no scores to segment{detail}; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    if weighted and total.sum_w.sum() <= 0:
        msg = f"all {n_total} weights are zero; at least one weight must be positive"
        raise InvalidWeightsError(msg)
    est = _stats.estimate(
        counted,
        weighted=weighted,
        method=method,
        confidence_level=confidence_level,
        design_se=None if design is None else design.segments,
    )
    whole = _stats.estimate(
        total,
        weighted=weighted,
        method=method,
        confidence_level=confidence_level,
        design_se=None if design is None else design.overall,
    )
    test_method = _stats.difference_method(method)
    diff = _stats.difference(
        _stats.complement(counted),
        counted,
        weighted=weighted,
        method=test_method,
        confidence_level=confidence_level,
        design_se=None if design is None else (design.rest, design.segments),
        covariance=None if design is None else design.covariance,
    )
    p_adjusted = _stats.adjust(diff.p_value, correction)
    overall_nps = float(whole.nps[0])
    tests = (est.nps - overall_nps, diff.raw_delta, diff.p_value, p_adjusted)
    rows = _rows(counted, est, counts.levels, min_n=min_n, weighted=weighted, tests=tests)
    (overall,) = _rows(total, whole, [(ALL,) * len(counts.by)], min_n=min_n, weighted=weighted)
    return SegmentResult.model_construct(
        by=counts.by,
        rows=tuple(rows),
        overall=overall,
        min_n=min_n,
        method=method,
        confidence_level=confidence_level,
        correction=correction,
        weighted=weighted,
        counts=counts,
        homogeneity=_homogeneity(counted, est, design),
    )
