"""The mergeable per-segment tally and the segment table it gives.

[`SegmentCounts`][netpromoter.segmentation.SegmentCounts] is the public, serialisable view
of a labelled [`Tally`][netpromoter._tally.Tally] (one group a segment): it is read
through [`prepare`][netpromoter._input.source.prepare], merges with the tally's ``+`` and
gives [`SegmentResult`][netpromoter.segmentation.SegmentResult], the table on the shared
result layer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, model_validator

from netpromoter import _svg
from netpromoter._input.factors import check_labels
from netpromoter._input.source import prepare
from netpromoter._labels import label_key
from netpromoter._results import Column, TableResult, frame_records
from netpromoter._results import format as fmt
from netpromoter._results.chart import DEFAULT_ROWS, Chart, first_rows, forest, key_label
from netpromoter._scale import N_SCORES
from netpromoter._tally import Tally
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
from netpromoter.core import Summable, check_weight_fields, counts_tally
from netpromoter.exceptions import (
    InvalidParameterError,
    InvalidTallyError,
    NotFoundError,
    ParameterTypeError,
)
from netpromoter.segmentation.estimates import DesignSE, Settings, table
from netpromoter.segmentation.rows import (
    Correction,
    HomogeneityTest,
    Method,
    SegmentRow,
    _check_min_n,
    _keys,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import Self

    from netpromoter._input.source import Source
    from netpromoter._validation import MissingPolicy


class SegmentCounts(Summable):
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
        check_weight_fields(self)
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
        by: Sequence[str] | None = None,
        levels: Sequence[tuple[Any, ...]] | None = None,
        *,
        weighted: bool | None = None,
        n_missing: int | None = None,
    ) -> SegmentCounts:
        """The view of a tally with one row per segment.

        ``by``, ``levels``, ``weighted`` and ``n_missing`` default to the tally's own
        (its key columns, labels, weighting and missing count).

        Raises:
            ParameterTypeError: When ``tallied`` is not a ``Tally``, or the other
                arguments are not of their types.
            InvalidParameterError: When ``levels`` does not give one label per row.
        """
        check_type(tallied, "tallied", Tally, "a Tally")
        by = check_names(tallied.by if by is None else by, "by")
        levels = tallied.labels if levels is None else levels
        weighted = check_flag(tallied.weighted if weighted is None else weighted, "weighted")
        n_missing = check_int(
            tallied.n_missing if n_missing is None else n_missing, "n_missing", minimum=0
        )
        if not isinstance(levels, Sequence) or len(levels) != tallied.n_groups:
            msg = f"levels must give one label tuple per row of the tally, got {shown(levels)}"
            raise InvalidParameterError(msg, name="levels", value=levels)
        return cls.model_construct(
            by=by,
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
        source = read(data, by, score=score, weights=weights, bands=bands, missing=missing)
        return cls.from_tally(source.tally())

    @property
    def weighted(self) -> bool:
        """Whether the tally carries weights."""
        return self.sum_weights is not None

    def to_tally(self) -> Tally:
        """The labelled tally: ``(G, 11)`` arrays, one row per level."""
        return counts_tally(self, by=self.by, labels=self.levels)

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
        mine, theirs = self.to_tally(), other.to_tally()
        if mine.weighted != theirs.weighted:
            # The documented rule: unweighted responses count as weights of 1.
            mine, theirs = mine.as_weighted(), theirs.as_weighted()
        merged = mine + theirs
        _check_level_labels(self.by, merged.labels or ())
        if merged.weighted:
            warn_mixed_weights(self.weighted, mine.n, other.weighted, theirs.n)
        return SegmentCounts.from_tally(merged)

    def result(
        self,
        *,
        min_n: int = 30,
        method: Method = "adjusted_wald",
        confidence_level: float = 0.95,
        correction: Correction = "holm",
    ) -> SegmentResult:
        """The segment table of this tally, as ``segment`` gives on the data."""
        return result_of(
            self.to_tally(),
            self,
            min_n=_check_min_n(min_n),
            method=method,
            confidence_level=confidence_level,
            correction=check_correction(correction),
        )


def read(
    data: object,
    by: str | Sequence[str],
    *,
    score: str,
    weights: object,
    bands: Mapping[str, Sequence[float]] | None,
    missing: MissingPolicy,
) -> Source:
    """The segment keys' source: in memory, or a lazy frame tallied on its engine."""
    keys = _keys(by)
    if bands is not None:
        check_type(bands, "bands", Mapping, "a mapping of column name to band edges")
    return prepare(data, score=score, weights=weights, by=keys, bands=bands, missing=missing)


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


_SORTABLE = frozenset(SegmentRow.model_fields) - {"key", "ci"}


class SegmentResult(TableResult[SegmentRow]):
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

    COLUMNS: ClassVar[tuple[Column[SegmentRow], ...]] = (
        Column("n", lambda r: fmt.count(r.n)),
        Column("nps", lambda r: fmt.signed(r.nps)),
        Column("ci", lambda r: fmt.interval(r.ci)),
        Column("vs_rest", lambda r: fmt.signed(r.vs_rest)),
        Column("p_adjusted", lambda r: fmt.p_value(r.p_adjusted)),
        Column("small", lambda r: fmt.flag(r.small_sample, "small"), numeric=False),
    )

    by: tuple[str, ...]
    overall: SegmentRow
    min_n: int
    method: Method
    confidence_level: float
    correction: Correction
    weighted: bool
    counts: SegmentCounts
    homogeneity: HomogeneityTest | None = None

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
            ordered = sorted(
                self.rows, key=lambda r: label_key(r.key[position]), reverse=descending
            )
            return self.model_copy(update={"rows": tuple(ordered)})
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
        rows = [*self.rows, self.overall] if check_flag(overall, "overall") else self.rows
        return [self._record(row) for row in rows]

    def to_pandas(self, *, overall: bool = False) -> Any:  # noqa: ANN401 - optional dependency
        """The table as a pandas DataFrame (needs pandas)."""
        return frame_records(self.to_dicts(overall=overall), "pandas")

    def to_polars(self, *, overall: bool = False) -> Any:  # noqa: ANN401 - optional dependency
        """The table as a polars DataFrame (needs polars)."""
        return frame_records(self.to_dicts(overall=overall), "polars")

    def plot(self, *, max_rows: int = DEFAULT_ROWS) -> Chart:
        """The NPS of each segment with its interval, around the overall NPS.

        The HTML report's forest plot: one row per segment in the table's order (small
        samples hollow), a dashed line at the overall NPS.

        Args:
            max_rows: Segments drawn at most (the first ones; sort the table first to
                choose them).
        """
        shown, more = first_rows(self.rows, max_rows)
        rows = [
            _svg.Interval(
                key_label(r.key), r.nps, *r.ci, f"n = {fmt.count(r.n)}", flagged=r.small_sample
            )
            for r in shown
        ]
        level = fmt.share(self.confidence_level, 0)
        title = f"NPS by {' / '.join(self.by)} with {level} intervals{more}"
        return forest(rows, self.overall.nps, title)

    def _caption(self) -> str:
        small = sum(r.small_sample for r in self.rows)
        same = "" if self.homogeneity is None else f"; all equal? {self.homogeneity}"
        return (
            f"NPS by {', '.join(self.by)}: {len(self.rows)} segments, "
            f"{self.confidence_level:.0%} CI ({self.method}), p adjusted ({self.correction}); "
            f"{small} with n < {self.min_n}{same}"
        )

    def _footer(self) -> Sequence[SegmentRow]:
        return (self.overall,)


def result_of(
    counted: Tally,
    counts: SegmentCounts,
    *,
    min_n: int,
    method: Method,
    confidence_level: float,
    correction: Correction,
    design: DesignSE | None = None,
) -> SegmentResult:
    """The segment table of ``counted`` (the tally ``counts`` views)."""
    settings = Settings(
        min_n=min_n, method=method, confidence_level=confidence_level, correction=correction
    )
    computed = table(counted, design=design, **settings)
    return SegmentResult.model_construct(
        by=counts.by,
        rows=computed.rows,
        overall=computed.overall,
        weighted=counts.weighted,
        counts=counts,
        homogeneity=computed.homogeneity,
        **settings,
    )
