"""NPS per segment: department, journey step, region, customer type, spend band, agent.

[`segment`][netpromoter.segmentation.segment] reads the data once through the input
layer, factorises and combines the keys, and counts every key × score in one pass of the
tally engine; every statistic then comes from the statistics layer, vectorised over the
segments. Each segment is tested against the rest of the data, with p-values corrected
for the number of segments (Holm by default, Benjamini–Hochberg on request). Small
segments are flagged, never dropped, and missing key values form a ``"(missing)"`` group.

[`rank`][netpromoter.segmentation.rank] ranks agents (or any small units) fairly, by an
empirical-Bayes estimate that shrinks each agent's NPS toward the overall NPS in
proportion to how little data the agent has.

[`SegmentCounts`][netpromoter.segmentation.SegmentCounts] is the mergeable per-segment
tally: compute it on chunks or workers, add the parts, and get the same result as on
the whole data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from netpromoter import _stats, _validation
from netpromoter._input import engine as _engine
from netpromoter._input import frames
from netpromoter._input.columns import read_table
from netpromoter._input.factors import Factor, Grouping, check_labels, combine
from netpromoter._model import Model
from netpromoter._scale import N_SCORES
from netpromoter._stats.design import Design, as_design, domain_se
from netpromoter._tables import format_p, html_table, p_text, text_table
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

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from numpy.typing import NDArray
    from typing_extensions import Self

    from netpromoter._validation import MissingPolicy, ScoreColumn

__all__ = [
    "HomogeneityTest",
    "RankResult",
    "RankRow",
    "SegmentCounts",
    "SegmentResult",
    "SegmentRow",
    "rank",
    "segment",
]

Method = _stats.Method
Correction = _validation.Correction
_Model = TypeVar("_Model", bound=BaseModel)
#: Label of every key column in the overall row.
ALL = "(all)"
_REPR_ROWS = 20
#: Most posterior draws per unit in ``rank`` (their Monte Carlo error is then 0.0002).
MAX_DRAWS = 10**7


def _keys(by: str | Sequence[str]) -> tuple[str, ...]:
    return check_names(by, "by")


def _check_min_n(min_n: int) -> int:
    return check_int(min_n, "min_n", minimum=0)


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


def _trusted(cls: type[_Model], values: dict[str, Any]) -> _Model:
    """Build a model from values computed here, skipping validation.

    What ``model_construct`` does for a model without defaults to fill, private
    attributes or post-init hooks, at a quarter of its cost: segment tables build one row
    per segment. A test checks the rows equal validated ones.
    """
    obj = cls.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(obj, "__dict__", values)
    setattr_(obj, "__pydantic_fields_set__", set(values))
    setattr_(obj, "__pydantic_extra__", None)
    setattr_(obj, "__pydantic_private__", None)
    return obj


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


class _RowCodes(NamedTuple):
    """The rows behind a segment table, as a design's SE needs them."""

    scores: NDArray[np.integer]
    kept: NDArray[np.bool_] | None
    grouping: Grouping
    present: NDArray[np.intp]

    def codes(self) -> NDArray[np.intp]:
        """Each kept row's segment position (one integer per row: built on demand)."""
        return _positions(self.grouping, self.present)


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


def _positions(grouping: Grouping, present: NDArray[np.intp]) -> NDArray[np.intp]:
    """Each row's segment position in ``present`` (the tally engine's mixed-radix code)."""
    position = np.full(grouping.n_groups, -1, dtype=np.intp)
    position[present] = np.arange(len(present))
    out: NDArray[np.intp] = position[grouping.group_codes()]
    return out


class _DesignSE(NamedTuple):
    """A calibrated design's SEs in points: per segment, of its rest, and overall.

    ``covariance`` is ``Cov(NPS_rest, NPS_segment)`` per segment (points²), from the SE
    of their difference: ``(se_segment² + se_rest² − se_difference²) / 2``; ``matrix``
    is the covariance matrix of the segments' NPS, the same way from the SE of every
    pair's difference.
    """

    segments: NDArray[np.float64]
    rest: NDArray[np.float64]
    covariance: NDArray[np.float64]
    overall: NDArray[np.float64]
    matrix: NDArray[np.float64]


def _design_ses(design: Design, rows: _RowCodes, n_segments: int) -> _DesignSE:
    """The design's domain SEs of every segment, of every segment's rest, and overall."""
    codes = rows.codes()

    def se_of(domain: Literal["group", "rest", "group_minus_rest"]) -> NDArray[np.float64]:
        return domain_se(
            design, rows.scores, rows=rows.kept, codes=codes, n_groups=n_segments, domain=domain
        )

    segments, rest, contrast = se_of("group"), se_of("rest"), se_of("group_minus_rest")
    # Every pair (g, g + k mod G): one call per shift k pairs each segment with another.
    variance = segments * segments
    matrix = np.diag(variance)
    own = np.arange(n_segments)
    for shift in range(1, n_segments):
        partner = (own + shift) % n_segments
        pair = domain_se(
            design, rows.scores, rows=rows.kept, codes=codes, n_groups=n_segments, partner=partner
        )
        matrix[own, partner] = (variance + variance[partner] - pair * pair) / 2.0
    return _DesignSE(
        segments=segments,
        rest=rest,
        covariance=(segments * segments + rest * rest - contrast * contrast) / 2.0,
        overall=domain_se(design, rows.scores, rows=rows.kept),
        matrix=(matrix + matrix.T) / 2.0,
    )


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


class SegmentRow(Model):
    """One segment (or the overall row) of a segment table.

    Attributes:
        key: The segment's label for each ``by`` column (``"(all)"`` in the overall row).
        n: Number of responses.
        detractors: Detractor count, or sum of their weights when weighted.
        passives: Passive count, or sum of weights.
        promoters: Promoter count, or sum of weights.
        detractor_share: Detractor share, 0..1.
        passive_share: Passive share, 0..1.
        promoter_share: Promoter share, 0..1.
        nps: Net Promoter Score, -100..100.
        se: Standard error of the method's estimate, in points.
        ci: Confidence interval in points, clipped to [-100, 100].
        effective_n: Kish's effective sample size (``n`` when unweighted).
        small_sample: ``n < min_n``: read with care (flagged, never dropped).
        vs_overall: ``nps`` minus the overall NPS (``None`` in the overall row).
        vs_rest: ``nps`` minus the NPS of all other responses.
        p_value: Two-sided p-value of "this segment's NPS equals the rest's" (equivalently
            the overall's), from the method's two-sample z test.
        p_adjusted: ``p_value`` corrected for the number of segments tested.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: tuple[Any, ...]
    n: int
    detractors: int | float
    passives: int | float
    promoters: int | float
    detractor_share: float
    passive_share: float
    promoter_share: float
    nps: float
    se: float
    ci: tuple[float, float]
    effective_n: float
    small_sample: bool
    vs_overall: float | None = None
    vs_rest: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None

    def significant(self, alpha: float = 0.05) -> bool:
        """Whether the corrected p-value is below ``alpha``."""
        check_number(alpha, "alpha", minimum=0, maximum=1, strict=True)
        return self.p_adjusted is not None and self.p_adjusted < alpha


class HomogeneityTest(Model):
    """An omnibus test that every segment has the same NPS: do the segments differ at all?

    The Rao–Scott test of R ``survey``'s ``regTermTest(svyglm(I(promoter - detractor) ~
    segment, d), ~segment, method = "WorkingWald", lrt.approximation = "satterthwaite")``
    (see [`rao_scott_homogeneity`][netpromoter._stats.rao_scott_homogeneity]): the
    spread of the segment NPS around their weighted mean, weighted by each segment's
    total weight, referred to its design-based distribution, whose first two moments
    come from the segments' design-based covariance (each segment a domain of the whole
    sample: R ``survey``'s linearisation, weights of 1 when unweighted; with a weighting
    result, the covariance matrix its calibrated design gives the segments). The
    result is an ``F`` on real degrees of freedom. Each segment's test against the rest
    answers "is this segment different?"; this answers "is any?".

    Attributes:
        statistic: The ``F`` statistic (infinite when segments whose NPS has no
            sampling variance at all differ).
        df: Numerator degrees of freedom: the number of segments minus one when their
            variances are alike, fewer when they are not.
        df_denominator: Denominator degrees of freedom: responses minus segments.
        p_value: ``P(F > statistic)``.
        segments: Number of segments compared (those with a positive weight).
        design: ``"linearisation"`` (unweighted or plain weights) or ``"calibrated"``
            (a weighting result's design).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    statistic: float
    df: float
    df_denominator: float
    p_value: float
    segments: int
    design: Literal["linearisation", "calibrated"]

    def __str__(self) -> str:
        """``F(6.8, 312) = 3.1, p = 0.004``."""
        return (
            f"F({self.df:.3g}, {self.df_denominator:,.0f}) = {self.statistic:.2f}, "
            f"{p_text(self.p_value)}"
        )


def _homogeneity(
    counted: Tally, est: _stats.Estimate, design: _DesignSE | None
) -> HomogeneityTest | None:
    """The omnibus test over the segments with a defined NPS (None for fewer than two)."""
    variance = _stats.domain_variance(counted) if design is None else np.diag(design.matrix)
    keep = np.flatnonzero(~np.isnan(est.nps) & ~np.isnan(variance))
    if len(keep) < 2:  # noqa: PLR2004 - a comparison needs two segments
        return None
    covariance = variance[keep] if design is None else design.matrix[np.ix_(keep, keep)]
    working = counted.sum_w.sum(axis=1)[keep]
    n = float(counted.count.sum())
    test = _stats.rao_scott_homogeneity(est.nps[keep], covariance, working, n - len(keep))
    return HomogeneityTest(
        statistic=test.statistic,
        df=test.df,
        df_denominator=test.df_denominator,
        p_value=test.p_value,
        segments=len(keep),
        design="linearisation" if design is None else "calibrated",
    )


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.3g}" if abs(value) < 0.01 and value != 0 else f"{value:.1f}"  # noqa: PLR2004
    return str(value)


def _weight(alpha: float) -> str:
    """A concentration for display: three significant digits, whole numbers from 100 on."""
    return f"{alpha:,.0f}" if alpha >= 100 else f"{alpha:.3g}"  # noqa: PLR2004


def _to_pandas(records: list[dict[str, Any]]) -> Any:  # noqa: ANN401 - a pandas DataFrame
    import pandas as pd  # noqa: PLC0415 - optional dependency

    return pd.DataFrame.from_records(records)


def _to_polars(records: list[dict[str, Any]]) -> Any:  # noqa: ANN401 - a polars DataFrame
    import polars as pl  # noqa: PLC0415 - optional dependency

    return pl.DataFrame(records, strict=False)


def _row_dict(by: tuple[str, ...], row: BaseModel) -> dict[str, Any]:
    data = row.model_dump(exclude={"key", "ci"})
    out: dict[str, Any] = dict(zip(by, row.key, strict=True))  # type: ignore[attr-defined]
    ci = row.ci  # type: ignore[attr-defined]
    out.update(data)
    out["ci_lower"], out["ci_upper"] = ci
    return out


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


def _rows(
    counted: Tally,
    est: _stats.Estimate,
    levels: Sequence[tuple[Any, ...]],
    *,
    min_n: int,
    weighted: bool,
    tests: tuple[NDArray[np.float64], ...] | None = None,
) -> list[SegmentRow]:
    """Rows from per-group arrays (built without re-validation: the arrays are ours)."""
    n = counted.count.sum(axis=1)
    totals = _stats.by_category(counted.weight_sums())
    if not weighted:
        totals = totals.astype(np.int64)
    share = _stats.shares(counted)
    eff = _stats.effective_n(counted)
    none = [None] * len(n)
    vs_overall, vs_rest, p_value, p_adjusted = (
        [a.tolist() for a in tests] if tests is not None else [none] * 4
    )
    columns = zip(
        levels,
        n.tolist(),
        totals[:, 0].tolist(),
        totals[:, 1].tolist(),
        totals[:, 2].tolist(),
        share[:, 0].tolist(),
        share[:, 1].tolist(),
        share[:, 2].tolist(),
        est.nps.tolist(),
        est.se.tolist(),
        est.lower.tolist(),
        est.upper.tolist(),
        eff.tolist(),
        vs_overall,
        vs_rest,
        p_value,
        p_adjusted,
        strict=True,
    )
    return [
        _trusted(
            SegmentRow,
            {
                "key": key,
                "n": size,
                "detractors": t_d,
                "passives": t_n,
                "promoters": t_p,
                "detractor_share": s_d,
                "passive_share": s_n,
                "promoter_share": s_p,
                "nps": nps,
                "se": se,
                "ci": (lo, hi),
                "effective_n": e,
                "small_sample": size < min_n,
                "vs_overall": vo,
                "vs_rest": vr,
                "p_value": p,
                "p_adjusted": pa,
            },
        )
        for key, size, t_d, t_n, t_p, s_d, s_n, s_p, nps, se, lo, hi, e, vo, vr, p, pa in columns
    ]


def segment(
    data: object,
    by: str | Sequence[str],
    *,
    score: str = "score",
    weights: object = None,
    bands: Mapping[str, Sequence[float]] | None = None,
    missing: MissingPolicy = "raise",
    min_n: int = 30,
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
    correction: Correction = "holm",
) -> SegmentResult:
    """The NPS of every segment, tested against the rest of the data.

    One vectorised pass: the keys are factorised (missing values become ``"(missing)"``;
    pandas/polars categoricals use their own codes), combined into one code per row and
    every code × score is counted by the tally engine; the statistics are computed for
    all segments at once.

    Each segment is compared with all other responses by the two-sample z test of the
    method (SE ``sqrt(se_segment² + se_rest²)``); since the overall NPS is a weighted
    average of the segment and the rest, "equals the rest" and "equals the overall" are
    the same hypothesis. P-values are corrected for the number of segments: Holm (family-
    wise error, default) or Benjamini–Hochberg (``"bh"``, false discovery rate).
    ``SegmentResult.homogeneity`` answers the question before them: do the segments
    differ at all (an omnibus Wald test of equal NPS, shown in the caption)?

    With a weighting result as ``weights`` (from
    [`poststratify`][netpromoter.weighting.poststratify],
    [`rake`][netpromoter.weighting.rake], [`trim`][netpromoter.weighting.trim]...), each
    segment is a domain of that calibrated design: its SE (and the overall row's) is the
    one R ``survey`` gives for ``svyby(~I(promoter - detractor), ~segment, d, svymean)``,
    and the test against the rest uses the SE of the domain contrast NPS(segment) −
    NPS(rest), ``sqrt(se_segment² + se_rest² − 2 cov)`` with the covariance the
    calibration induces between the two. Plain weights keep the plain linearisation SE.

    Args:
        data: A list of ``Response`` (keys from their fields and ``segments``), a mapping
            of column name to array/list, a pandas, polars or pyarrow table, or a lazy or
            distributed frame (Dask, PySpark, polars ``LazyFrame``, DuckDB), which is
            tallied on its own engine (only the per-segment counts are collected).
        by: One key column or several, e.g. ``["region", "customer_type"]``.
        score: The score column.
        weights: ``None``, a weights column name, an array with one weight per row, or an
            object with a numpy ``weights`` attribute; a weighting result (with a
            ``design_se`` method) also gives its design-based SEs.
        bands: Numeric key columns to cut into bands first, e.g.
            ``{"spend": [0, 100, 1000, math.inf]}`` gives ``"[0, 100)"``, ...
        missing: ``"raise"`` (default) or ``"drop"`` for missing scores, as in ``score``.
        min_n: Segments with fewer responses are flagged ``small_sample``.
        method: Interval method, ``"adjusted_wald"`` (default), ``"wald"``, ``"score"``
            or ``"exact"`` (unweighted only); the test against the rest uses Wald for
            ``"wald"`` and adjusted Wald otherwise (the score and exact intervals have no
            two-sample form).
        confidence_level: Two-sided confidence level.
        correction: ``"holm"`` (default), ``"bh"`` or ``"none"``.

    Returns:
        The segment table, in label order, with the overall row.

    Raises:
        ColumnNotFoundError: A column named in ``score``, ``by``, ``weights`` or ``bands``
            does not exist (the available ones are listed).
        ColumnLengthError: Columns of a mapping differ in length.
        InvalidParameterError: ``by`` is empty, or an option is out of range.
        InvalidScoreError: A score is invalid (positions named).
        InvalidWeightsError: A weight is NaN, negative or infinite (column named).
        EmptyDataError: There are no scores.

    Examples:
        >>> data = {"score": [10, 9, 3, 8, 10, 6], "region": ["n", "n", "s", "s", None, "s"]}
        >>> table = segment(data, "region", min_n=2)
        >>> [(row.key[0], row.n, round(row.nps, 1), row.small_sample) for row in table]
        [('n', 2, 100.0, False), ('s', 3, -66.7, False), ('(missing)', 1, 100.0, True)]
        >>> round(table.overall.nps, 2)
        16.67
    """
    keys = _keys(by)
    min_n = _check_min_n(min_n)
    correction = check_correction(correction)
    _stats.z_value(confidence_level)
    design = None
    if frames.is_lazy(data):
        counts = _engine_counts(
            data, keys, score=score, weights=weights, bands=bands, missing=missing
        )
        counted = counts.to_tally()
    else:
        # The engine's arrays as they are: no round trip through the tuples of ``counts``.
        counts, rows, counted = _tabulate(
            data, keys, score=score, weights=weights, bands=bands, missing=missing
        )
        weighting = as_design(weights)
        if weighting is not None and len(rows.scores):
            design = _design_ses(weighting, rows, len(counts.levels))
    return _build(
        counted,
        counts,
        min_n=min_n,
        method=method,
        confidence_level=confidence_level,
        correction=correction,
        design=design,
    )


class RankRow(Model):
    """One agent (or unit) in a fair ranking.

    Attributes:
        key: The unit's label for each ``by`` column.
        rank: 1 for the highest shrunken NPS.
        n: Number of responses.
        nps: The raw NPS.
        shrunken_nps: Posterior mean NPS, pulled toward the overall NPS.
        credible_interval: Equal-tailed posterior interval of the NPS.
        prob_above: Posterior probability that the unit's NPS exceeds the overall NPS.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: tuple[Any, ...]
    rank: int
    n: int
    nps: float
    shrunken_nps: float
    credible_interval: tuple[float, float]
    prob_above: float


class RankResult(Model):
    """Units ranked by their shrunken NPS, with the fitted prior.

    Attributes:
        by: The key column names.
        rows: Units from best to worst shrunken NPS.
        overall_nps: The NPS of all responses (weighted when weighted): the prior's mean.
        prior_shares: Overall detractor, passive, promoter shares: the prior's mean.
        prior_concentration: Posterior median of the prior concentration ``α``, in
            pseudo-responses: a unit with ``n`` responses keeps about ``n / (n + α)``
            of the weight on its own data.
        credible_level: Probability inside each credible interval.
        weighted: Whether weights were used (as Kish effective counts).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: tuple[str, ...]
    rows: tuple[RankRow, ...]
    overall_nps: float
    prior_shares: tuple[float, float, float]
    prior_concentration: float
    credible_level: float
    weighted: bool

    def __iter__(self) -> Iterator[RankRow]:  # type: ignore[override]
        """Iterate over the ranked rows, best first."""
        return iter(self.rows)

    def __len__(self) -> int:
        """Number of units."""
        return len(self.rows)

    def __getitem__(self, index: int) -> RankRow:
        """The row at a position (0 is the best)."""
        return self.rows[index]

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dictionary per unit: key columns, then the statistics."""
        out = []
        for r in self.rows:
            row: dict[str, Any] = dict(zip(self.by, r.key, strict=True))
            row.update(r.model_dump(exclude={"key", "credible_interval"}))
            row["credible_lower"], row["credible_upper"] = r.credible_interval
            out.append(row)
        return out

    def to_pandas(self) -> Any:  # noqa: ANN401 - optional dependency
        """The ranking as a pandas DataFrame (needs pandas)."""
        return _to_pandas(self.to_dicts())

    def to_polars(self) -> Any:  # noqa: ANN401 - optional dependency
        """The ranking as a polars DataFrame (needs polars)."""
        return _to_polars(self.to_dicts())

    def _cells(self, limit: int) -> tuple[list[str], list[list[str]]]:
        header = ["rank", *self.by, "n", "nps", "shrunken", "credible", "P(above)"]
        cells = [
            [
                str(r.rank),
                *(str(k) for k in r.key),
                f"{r.n:,}",
                _fmt(r.nps),
                _fmt(r.shrunken_nps),
                f"[{_fmt(r.credible_interval[0])}, {_fmt(r.credible_interval[1])}]",
                f"{r.prob_above:.2f}",
            ]
            for r in self.rows[:limit]
        ]
        return header, cells

    def _caption(self) -> str:
        return (
            f"{len(self.rows)} units by shrunken NPS (overall {self.overall_nps:+.1f}, "
            f"prior weight α ≈ {_weight(self.prior_concentration)} responses)"
        )

    def __repr__(self) -> str:
        """The caption and the top rows as a text table."""
        header, cells = self._cells(_REPR_ROWS)
        more = len(self.rows) - _REPR_ROWS
        tail = f"\n... {more} more" if more > 0 else ""
        return f"RankResult({self._caption()})\n{text_table(header, cells)}{tail}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        header, cells = self._cells(len(self.rows))
        return html_table(header, cells, caption=self._caption())


def rank(
    data: object,
    by: str | Sequence[str] = "agent",
    *,
    score: str = "score",
    weights: object = None,
    missing: MissingPolicy = "raise",
    credible_level: float = 0.95,
    draws: int = 4_000,
    seed: int = 0,
) -> RankResult:
    """Rank agents fairly: NPS shrunk toward the overall by an empirical-Bayes prior.

    Model: the detractor/passive/promoter shares ``θ_g`` of unit ``g`` are drawn from a
    Dirichlet prior with mean ``m`` and concentration ``α``; the unit's category counts
    are multinomial given ``θ_g``. Both are uncertain, and both are integrated over
    (see [`shrink`][netpromoter._stats.shrink]): ``α`` over a grid, weighted by the
    Dirichlet–multinomial likelihood of all units' counts and a prior flat in the
    between-unit spread (large ``α`` when units differ little, small when they differ a
    lot, and every value the data cannot rule out kept), ``m`` around the overall shares
    with the uncertainty of an estimate from units that differ as ``α`` says. So when
    agents are nearly alike their intervals still hold the small differences the data
    cannot exclude, and the uncertainty of the overall NPS itself. The shrunken NPS is
    ``Σ_α p(α) (w · raw_g + (1 − w) · overall)`` with ``w = n_g / (n_g + α)``; credible
    intervals and ``P(NPS_g > overall)`` come from seeded posterior draws. With weights,
    each unit's category sums are rescaled to its Kish effective size and the prior's
    mean is the weighted overall shares (its NPS is the weighted NPS).

    In a team where eight agents score +30 on 50 answers each, an agent with 3 promoters
    out of 3 (raw +100) is therefore not ranked above one at +44 on 50 answers: three
    answers barely move it off the overall. Where agents differ a lot, they are shrunk
    less, and a few answers count for more.

    Args:
        data: As for [`segment`][netpromoter.segmentation.segment].
        by: The unit column(s), e.g. ``"agent"``.
        score: The score column.
        weights: As for ``segment``.
        missing: ``"raise"`` or ``"drop"`` for missing scores.
        credible_level: Probability inside each credible interval.
        draws: Posterior draws per unit for the interval and probability: the Monte
            Carlo error of ``prob_above`` is at most ``0.5 / sqrt(draws)`` (0.008 at the
            default); the cost grows with units × draws (about 0.4 s per 1,000 units at
            the default).
        seed: Random seed of the draws (results are reproducible).

    Returns:
        The units from best to worst shrunken NPS.

    Raises:
        ColumnNotFoundError: A named column does not exist.
        InvalidParameterError: An option is out of range.
        EmptyDataError: There are no scores.

    Examples:
        >>> team = [10] * 25 + [8] * 15 + [3] * 10  # +30 on 50 answers
        >>> data = {
        ...     "score": team * 8 + [10] * 30 + [8] * 12 + [3] * 8 + [10] * 3,
        ...     "agent": [f"a{i}" for i in range(8) for _ in team] + ["bob"] * 50 + ["ann"] * 3,
        ... }
        >>> [row.key[0] for row in rank(data, "agent")][:3]
        ['bob', 'ann', 'a0']
    """
    keys = _keys(by)
    _stats.z_value(credible_level)
    check_int(draws, "draws", minimum=100, maximum=MAX_DRAWS)
    check_int(seed, "seed", minimum=0)
    counts = SegmentCounts.from_data(data, keys, score=score, weights=weights, missing=missing)
    counted = counts.to_tally()
    n = counted.count.sum(axis=1)
    if n.sum() == 0:
        msg = "no scores to rank; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    weighted_sums = _stats.by_category(counted.sum_w)
    categories = weighted_sums
    if counts.weighted:
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = _stats.effective_n(counted) / weighted_sums.sum(axis=1)
        categories = weighted_sums * np.nan_to_num(scale)[:, None]
    # The prior's mean is the overall (weighted) shares, so its NPS is the overall NPS.
    pooled = weighted_sums.sum(axis=0)
    mean = pooled / pooled.sum()
    overall_nps = float(_stats.nps_of(pooled))
    post = _stats.shrink(
        categories,
        mean,
        reference=overall_nps,
        credible_level=credible_level,
        draws=draws,
        seed=seed,
    )
    raw = _stats.nps_of(categories)
    order = np.argsort(-post.nps, kind="stable")
    rows = tuple(
        _trusted(
            RankRow,
            {
                "key": counts.levels[g],
                "rank": position + 1,
                "n": int(n[g]),
                "nps": float(raw[g]),
                "shrunken_nps": float(post.nps[g]),
                "credible_interval": (float(post.lower[g]), float(post.upper[g])),
                "prob_above": float(post.prob_above[g]),
            },
        )
        for position, g in enumerate(order.tolist())
    )
    return RankResult(
        by=keys,
        rows=rows,
        overall_nps=overall_nps,
        prior_shares=(float(mean[0]), float(mean[1]), float(mean[2])),
        prior_concentration=post.concentration,
        credible_level=credible_level,
        weighted=counts.weighted,
    )
