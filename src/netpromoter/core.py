"""The core: responses, categories, classification, the mergeable tally and scoring.

``Response``, ``Category``, ``Channel`` and ``classify`` are defined in
[`_models`][netpromoter._models], below the input layer that reads them, and exported here.

A respondent answers "How likely are you to recommend us to a friend or colleague?" on a
0..10 scale. Scores 0-6 are detractors, 7-8 passives and 9-10 promoters, and the Net
Promoter Score is the percentage of promoters minus the percentage of detractors.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeAlias

import numpy as np
from pydantic import (
    Field,
    model_validator,
)

from netpromoter import _stats, _svg
from netpromoter._input.source import LazySource, prepare_scores
from netpromoter._model import Model
from netpromoter._models import Category, Channel, Response, classify
from netpromoter._results import CategoryFields, ConfidenceInterval, SummaryResult
from netpromoter._results import format as fmt
from netpromoter._results.chart import Chart
from netpromoter._scale import N_SCORES
from netpromoter._stats.cells import CellDesign, as_cells, cell_se
from netpromoter._stats.design import Design, Domains, as_design, domain_se
from netpromoter._tally import Tally
from netpromoter._validation import (
    MissingPolicy,
    check_choice,
    check_flag,
    check_int,
    check_population_size,
    check_tally_sums,
    check_type,
    warn_mixed_weights,
)
from netpromoter.exceptions import (
    EmptyDataError,
    InvalidParameterError,
    InvalidWeightsError,
    SmallSampleWarning,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from typing_extensions import Self

__all__ = [
    "Category",
    "Channel",
    "NPSCounts",
    "NPSResult",
    "Response",
    "WeightingDesign",
    "classify",
    "score",
]

Method = _stats.Method
#: A dataframe ``narwhals`` reads: pandas, polars (eager or lazy), pyarrow, Dask, PySpark,
#: DuckDB... (typed loosely: none of them is a runtime dependency).
FrameLike: TypeAlias = Any


_ZEROS = (0,) * N_SCORES


def _eleven(name: str, value: Sequence[float] | None) -> None:
    if value is not None and len(value) != N_SCORES:
        msg = f"{name} must have {N_SCORES} entries (scores 0..10), got {len(value)}"
        raise ValueError(msg)


class TallyFields(Protocol):
    """The fields of a serialised tally: counts, weight sums (or ``None``) and their scale."""

    @property
    def count(self) -> Sequence[object]:
        """Per group (or for the one group), the number of responses per score 0..10."""
        ...  # pragma: no cover - protocol

    @property
    def sum_weights(self) -> Sequence[object] | None:
        """The sums of weights per score, or ``None`` when unweighted."""
        ...  # pragma: no cover - protocol

    @property
    def sum_squared_weights(self) -> Sequence[object] | None:
        """The sums of squared weights per score, or ``None`` when unweighted."""
        ...  # pragma: no cover - protocol

    @property
    def weight_exponent(self) -> int:
        """The sums are of the weights divided by ``2**weight_exponent``."""
        ...  # pragma: no cover - protocol

    @property
    def n_missing(self) -> int:
        """Missing scores that were dropped."""
        ...  # pragma: no cover - protocol


def check_weight_fields(fields: TallyFields) -> None:
    """A tally's weight sums come together, and an unweighted one has no weight exponent.

    Raises:
        ValueError: When only one of the sums is given, or an unweighted tally has a
            non-zero ``weight_exponent``.
    """
    if (fields.sum_weights is None) != (fields.sum_squared_weights is None):
        msg = "give both sum_weights and sum_squared_weights, or neither"
        raise ValueError(msg)
    if fields.sum_weights is None and fields.weight_exponent:
        msg = f"an unweighted tally has no weight_exponent, got {fields.weight_exponent}"
        raise ValueError(msg)


def counts_tally(
    fields: TallyFields,
    *,
    by: Sequence[str] = (),
    labels: Sequence[tuple[object, ...]] | None = None,
) -> Tally:
    """The engine tally of a serialised one: ``(G, 11)`` arrays, weighted when sums are given."""
    count = np.asarray(fields.count, dtype=np.int64).reshape(-1, N_SCORES)
    if fields.sum_weights is None or fields.sum_squared_weights is None:
        return Tally.of_counts(count, by=by, labels=labels, n_missing=fields.n_missing)
    return Tally(
        count,
        np.asarray(fields.sum_weights, dtype=np.float64).reshape(-1, N_SCORES),
        np.asarray(fields.sum_squared_weights, dtype=np.float64).reshape(-1, N_SCORES),
        fields.weight_exponent,
        by=tuple(by),
        labels=None if labels is None else tuple(labels),
        weighted=True,
        n_missing=fields.n_missing,
    )


class Summable(Model):
    """A model that adds up with ``+`` and so with ``sum()``, which starts from 0."""

    def __add__(self, other: object) -> Self:
        raise NotImplementedError  # pragma: no cover - every summable model defines it

    def __radd__(self, other: object) -> Self:
        """Support ``sum(tallies)``, which starts from 0."""
        if other == 0:
            return self
        return self.__add__(other)


class NPSCounts(Summable):
    """A mergeable tally: per score 0..10, the count, sum of weights and of squared weights.

    Tallies of disjoint parts of a dataset add up (``a + b``, or ``sum(parts, NPSCounts())``)
    to the tally of the whole, so data that does not fit in memory, or sits on many
    workers, can be scored chunk by chunk. ``NPSCounts()`` is the empty identity. A tally
    serialises with ``model_dump_json()`` and loads with ``model_validate_json()``.

    The weight sums must be ones that non-negative weights can have: per score, 0 with
    no responses, else ``Σw² <= (Σw)² <= count · Σw²``; a tally breaking this is refused
    (it would claim more precision than its responses give). Adding an unweighted tally
    with responses to a weighted one counts its responses as weights of 1, with a
    [`MixedWeightsWarning`][netpromoter.exceptions.MixedWeightsWarning].

    Attributes:
        count: Number of responses per score 0..10.
        sum_weights: Sum of weights per score, or ``None`` when unweighted.
        sum_squared_weights: Sum of squared weights per score, or ``None`` when unweighted.
        n_missing: Missing scores that were dropped (``missing="drop"``).
        weight_exponent: The weight sums are of the weights divided by
            ``2**weight_exponent``: 0 unless the weights are so large or small (beyond
            about 1e142, below about 1e-144) that the sum of their squares could not be
            stored (results do not depend on it).

    Examples:
        >>> a = NPSCounts.from_scores([10, 9, 3])
        >>> b = NPSCounts.from_scores([7, 10])
        >>> (a + b).result().nps
        40.0
    """

    count: tuple[Annotated[int, Field(ge=0)], ...] = _ZEROS
    sum_weights: tuple[Annotated[float, Field(ge=0, allow_inf_nan=False)], ...] | None = None
    sum_squared_weights: tuple[Annotated[float, Field(ge=0, allow_inf_nan=False)], ...] | None = (
        None
    )
    n_missing: Annotated[int, Field(ge=0)] = 0
    weight_exponent: Annotated[int, Field(ge=-1100, le=1100)] = 0

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        _eleven("count", self.count)
        _eleven("sum_weights", self.sum_weights)
        _eleven("sum_squared_weights", self.sum_squared_weights)
        check_weight_fields(self)
        if self.sum_weights is not None:
            tallied = self.to_tally()
            check_tally_sums(tallied.count, tallied.sum_w, tallied.sum_w2)
        return self

    @classmethod
    def from_tally(cls, tallied: Tally, *, weighted: bool, n_missing: int = 0) -> NPSCounts:
        """Build from a one-group engine tally.

        Raises:
            ParameterTypeError: When ``tallied`` is not an engine ``Tally``.
        """
        check_type(tallied, "tallied", Tally, "an engine Tally")
        check_flag(weighted, "weighted")
        check_int(n_missing, "n_missing", minimum=0)
        if tallied.count.shape != (1, N_SCORES):
            msg = f"tallied must have one group of {N_SCORES} scores, got {tallied.count.shape}"
            raise InvalidParameterError(msg, name="tallied", value=tallied.count.shape)
        count = tuple(int(c) for c in tallied.count.reshape(N_SCORES))
        if not weighted:
            return cls(count=count, n_missing=n_missing)
        return cls(
            count=count,
            sum_weights=tuple(float(w) for w in tallied.sum_w.reshape(N_SCORES)),
            sum_squared_weights=tuple(float(w) for w in tallied.sum_w2.reshape(N_SCORES)),
            n_missing=n_missing,
            weight_exponent=tallied.exponent,
        )

    @classmethod
    def from_scores(
        cls,
        scores: Iterable[object] | FrameLike,
        *,
        score: str | None = None,
        weights: Iterable[float] | str | None = None,
        missing: MissingPolicy = "raise",
    ) -> NPSCounts:
        """Tally scores (a numpy array, a sequence of ints, ``Response`` objects or a frame).

        A dataframe is read as in [`score`][netpromoter.core.score]: a lazy or distributed
        one (Dask, Spark, polars lazy, DuckDB) is tallied on its own engine, so a job can
        tally each partition or day and merge the tallies later.

        Args:
            scores: The scores, validated as in [`score`][netpromoter.core.score].
            score: The score column of a dataframe (optional for a one-column frame).
            weights: Optional weights, one per input row (missing rows included), or
                the weights column of a dataframe.
            missing: ``"raise"`` (default) or ``"drop"`` for NaN/``None`` scores.

        Returns:
            The tally. An empty input gives the empty tally.
        """
        source = prepare_scores(scores, score=score, weights=weights, missing=missing)
        tallied = source.tally()
        return cls.from_tally(tallied, weighted=source.weighted, n_missing=source.n_missing)

    @property
    def weighted(self) -> bool:
        """Whether the tally carries weights."""
        return self.sum_weights is not None

    @property
    def n(self) -> int:
        """Number of responses counted."""
        return sum(self.count)

    def to_tally(self) -> Tally:
        """The engine's one-group tally of these counts (weighted when they are)."""
        return counts_tally(self)

    def __add__(self, other: object) -> NPSCounts:
        """Merge two tallies of disjoint data.

        Warns:
            MixedWeightsWarning: When one tally is weighted and the other is not but has
                responses: those count as weights of 1.
        """
        if not isinstance(other, NPSCounts):
            return NotImplemented
        mine, theirs = self.to_tally(), other.to_tally()
        if self.weighted != other.weighted:
            warn_mixed_weights(self.weighted, self.n, other.weighted, other.n)
            # The documented rule: unweighted responses count as weights of 1.
            mine, theirs = mine.as_weighted(), theirs.as_weighted()
        merged = mine + theirs
        return NPSCounts.from_tally(merged, weighted=merged.weighted, n_missing=merged.n_missing)

    def result(
        self,
        *,
        method: Method = "adjusted_wald",
        confidence_level: float = 0.95,
        population_size: int | None = None,
    ) -> NPSResult:
        """Score this tally: the same result as [`score`][netpromoter.core.score] on the data.

        Args:
            method: Interval method: ``"adjusted_wald"`` (default), ``"wald"``,
                ``"score"`` or ``"exact"``; see [`score`][netpromoter.core.score].
            confidence_level: Two-sided confidence level, strictly between 0 and 1.
            population_size: Size of the population surveyed, for the finite population
                correction, or ``None`` (an unlimited population).

        Raises:
            EmptyDataError: When nothing was counted.
            InvalidWeightsError: When every weight is zero.
            InvalidParameterError: For an unknown method, a confidence level outside
                (0, 1) or a population smaller than the sample.
        """
        return _build_result(
            self.to_tally(),
            n_missing=self.n_missing,
            weighted=self.weighted,
            method=method,
            confidence_level=confidence_level,
            population_size=population_size,
        )


def _build_result(
    tallied: Tally,
    *,
    n_missing: int,
    weighted: bool,
    method: Method,
    confidence_level: float,
    population_size: int | None = None,
    design_se: float | None = None,
) -> NPSResult:
    """The one place an ``NPSResult`` is made: from a one-group tally (per score or category).

    Raises:
        EmptyDataError: When nothing was counted.
        InvalidWeightsError: When every weight is zero.
        InvalidParameterError: For an unknown method, a confidence level outside (0, 1) or
            a population smaller than the sample.

    Warns:
        SmallSampleWarning: When a Wald interval has zero width because every response
            is in one category, or is NaN (one weighted response).
    """
    z = _stats.z_value(confidence_level)
    counts = _stats.by_category(tallied.count)[0]
    n = int(counts.sum())
    if n == 0:
        detail = f" (all {n_missing} scores were missing)" if n_missing else ""
        msg = f"no scores to score{detail}; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    totals = _stats.by_category(tallied.sum_w)[0]  # at the tally's power of two
    if weighted and totals.sum() <= 0:
        msg = f"all {n} weights are zero; at least one weight must be positive"
        raise InvalidWeightsError(msg)
    population = check_population_size(population_size, n)
    est = _stats.estimate(
        tallied,
        weighted=weighted,
        method=method,
        confidence_level=confidence_level,
        population_size=population,
        design_se=None if design_se is None else np.array([design_se]),
    )
    share = totals / totals.sum()
    lower, upper = float(est.lower[0]), float(est.upper[0])
    # The score and exact intervals are asymmetric: their margin is half their width.
    margin = (upper - lower) / 2.0 if method in ("score", "exact") else float(z * est.se[0])
    if method == "wald" and weighted and n == 1:
        warnings.warn(
            "a weighted sample of one response has no design-based variance: the Wald SE "
            "and interval are NaN; use method='adjusted_wald' (the default) or 'score'",
            SmallSampleWarning,
            stacklevel=3,
        )
    if method == "wald" and margin == 0.0 and share.max() == 1.0 and population is None:
        warnings.warn(
            "the Wald interval has zero width because every response is in one category; "
            "it does not mean the NPS is known exactly: use method='adjusted_wald' "
            "(the default) or 'score'",
            SmallSampleWarning,
            stacklevel=3,
        )

    def as_number(x: float) -> int | float:
        return x if weighted else int(x)

    squares = _stats.by_category(tallied.sum_w2)[0]
    given = np.ldexp(totals, tallied.exponent)  # the sums of the weights as given
    return NPSResult(
        n=n,
        n_missing=n_missing,
        detractors=as_number(float(given[0])),
        passives=as_number(float(given[1])),
        promoters=as_number(float(given[2])),
        detractor_share=float(share[0]),
        passive_share=float(share[1]),
        promoter_share=float(share[2]),
        nps=float(est.nps[0]),
        se=float(est.se[0]),
        ci=ConfidenceInterval(lower, upper),
        margin_of_error=margin,
        method=method,
        confidence_level=confidence_level,
        weighted=weighted,
        effective_n=float(_stats.effective_n(tallied)[0]),
        population_size=population,
        category_counts=(int(counts[0]), int(counts[1]), int(counts[2])),
        sum_squared_weights=(
            (float(squares[0]), float(squares[1]), float(squares[2])) if weighted else None
        ),
        design_se=design_se,
        weight_exponent=tallied.exponent if weighted else 0,
    )


class _Responses(Model):
    """The responses counted and the missing scores dropped: the first fields of a score."""

    n: int
    n_missing: int


class NPSResult(CategoryFields, _Responses, SummaryResult):
    """The Net Promoter Score of a set of responses, with its uncertainty.

    Attributes:
        n: Number of responses counted (weighted or not).
        n_missing: Missing scores dropped with ``missing="drop"``.
        detractors: Detractor count, or sum of their weights when weighted.
        passives: Passive count, or sum of weights.
        promoters: Promoter count, or sum of weights.
        detractor_share: Detractor share, 0..1.
        passive_share: Passive share, 0..1.
        promoter_share: Promoter share, 0..1.
        nps: Net Promoter Score, -100..100: 100 × (promoter share − detractor share).
        se: Standard error of the method's estimate, in NPS points: of the raw NPS for
            ``"wald"``, of the adjusted estimate for ``"adjusted_wald"``, and the one the
            interval's width implies, ``(upper − lower) / (2 z)``, for ``"score"`` and
            ``"exact"``; design-based when weighted, finite-population corrected with a
            population size.
        ci: Confidence interval ``(lower, upper)`` in NPS points, clipped to [-100, 100]
            and always holding ``nps`` (an adjusted Wald interval that ends short of the
            raw NPS is widened to reach it).
        margin_of_error: ``z × se``: the Wald methods' half-width before clipping, half
            the (asymmetric) interval's width for ``"score"`` and ``"exact"``.
        method: The interval method.
        confidence_level: The interval's confidence level.
        weighted: Whether weights were used.
        effective_n: Kish's effective sample size (Σw)²/Σw² (``n`` when unweighted).
        population_size: Size of the population surveyed (finite population
            correction), or ``None``.
        category_counts: Number of responses per category (detractors, passives,
            promoters), whether weighted or not.
        sum_squared_weights: Sum of squared weights per category when weighted, which
            design-based standard errors need (of the weights divided by
            ``2**weight_exponent``); ``None`` when unweighted.
        design_se: With weights from a [`weighting`][netpromoter.weighting] result, the
            calibration-aware linearisation SE of the NPS in points (which the interval
            uses); ``None`` otherwise.
        weight_exponent: 0 unless the weights are beyond about 1e142 or below about
            1e-144: then ``sum_squared_weights`` is of the weights divided by
            ``2**weight_exponent``, whose squares can be stored (see
            [`NPSCounts`][netpromoter.core.NPSCounts]).
    """

    margin_of_error: float
    method: Method
    confidence_level: float
    weighted: bool
    effective_n: float
    population_size: int | None = None
    category_counts: tuple[int, int, int]
    sum_squared_weights: tuple[float, float, float] | None
    design_se: float | None = None
    weight_exponent: int = 0

    def to_tally(self) -> Tally:
        """The per-category engine tally this result was computed from."""
        count = np.asarray([self.category_counts], dtype=np.int64)
        given = np.asarray([[self.detractors, self.passives, self.promoters]], dtype=np.float64)
        sums = np.ldexp(given, -self.weight_exponent)
        squares = sums if self.sum_squared_weights is None else [self.sum_squared_weights]
        return Tally(count, sums, np.asarray(squares, dtype=np.float64), self.weight_exponent)

    def confidence_interval(
        self, confidence_level: float | None = None, *, method: Method | None = None
    ) -> ConfidenceInterval:
        """The interval at another confidence level or with another method.

        Examples:
            >>> r = score([10, 10, 9, 8, 3])
            >>> r.confidence_interval(0.9, method="wald")[1] < 100
            True
        """
        level = self.confidence_level if confidence_level is None else confidence_level
        other = _build_result(
            self.to_tally(),
            n_missing=self.n_missing,
            weighted=self.weighted,
            method=self.method if method is None else method,
            confidence_level=level,
            population_size=self.population_size,
            design_se=self.design_se,
        )
        return other.ci

    def plot(self) -> Chart:
        """The shares of detractors, passives and promoters as one stacked bar.

        The HTML report's chart, titled with the NPS and its interval; shown inline in a
        notebook, saved with ``.save("nps.svg")``.
        """
        level = fmt.share(self.confidence_level, 0)
        title = (
            f"NPS {fmt.signed(self.nps)}, {level} interval {fmt.interval(self.ci)}: "
            "share of each category"
        )
        shares = [
            (share, fmt.share(share), fmt.share(share, 0))
            for share in (self.detractor_share, self.passive_share, self.promoter_share)
        ]
        names = ("Detractors", "Passives", "Promoters")
        return Chart(_svg.category_bar(shares, names, title))

    def to_dict(self) -> dict[str, Any]:
        """The result as a flat dictionary of plain values."""
        data = self.model_dump(
            exclude={"ci", "category_counts", "sum_squared_weights", "design_se", "weight_exponent"}
        )
        data["ci_lower"], data["ci_upper"] = self.ci
        return data

    def _pairs(self) -> list[list[str]]:
        rows = [
            ["NPS", fmt.signed(self.nps)],
            [
                f"{self.confidence_level:.0%} interval ({self.method})",
                f"{fmt.signed(self.ci[0])} to {fmt.signed(self.ci[1])}",
            ],
            [
                "Responses",
                fmt.count(self.n) + (f" ({self.n_missing:,} missing)" if self.n_missing else ""),
            ],
            ["Promoters", fmt.share(self.promoter_share)],
            ["Passives", fmt.share(self.passive_share)],
            ["Detractors", fmt.share(self.detractor_share)],
        ]
        if self.weighted:
            rows.append(["Effective n (Kish)", f"{self.effective_n:,.1f}"])
        return rows

    def __repr__(self) -> str:
        """Short form: NPS, interval and n."""
        level = f"{self.confidence_level:.0%}"
        lo, hi = self.ci
        weighted = ", weighted" if self.weighted else ""
        return (
            f"NPSResult(nps={fmt.signed(self.nps)}, {level} CI [{fmt.signed(lo)}, "
            f"{fmt.signed(hi)}], n={self.n:,}{weighted})"
        )


class WeightingDesign(Protocol):
    """What [`score`][netpromoter.core.score] needs from a weighting result: its design.

    Any object with a ``design`` attribute holding the frozen design of a weighting, such
    as the results of [`netpromoter.weighting`][netpromoter.weighting], can be passed as
    ``weights``: the NPS then gets the SE of that design (post-stratified, raked,
    trimmed or clustered), not the plain weighted SE.
    """

    @property
    def design(self) -> Design | CellDesign:
        """The weighting design: weights, calibration and clusters (or cells)."""
        ...  # pragma: no cover - protocol


def score(
    scores: Iterable[object] | FrameLike,
    *,
    score: str | None = None,
    weights: Iterable[float] | str | WeightingDesign | Design | None = None,
    missing: MissingPolicy = "raise",
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
    population_size: int | None = None,
) -> NPSResult:
    """Compute the Net Promoter Score of a collection of scores.

    The vectorised path: a numpy array (any integer or float dtype) is validated and
    counted per category in cache-sized chunks, without a Python loop over rows; int8 input
    is never upcast. ``NPSCounts.from_scores(scores).result()`` gives the same result
    (it keeps the per-score detail that merging needs).

    Dataframes are read through ``narwhals``: pandas, polars and pyarrow in memory, and
    lazy or distributed frames (Dask, PySpark, polars ``LazyFrame``, DuckDB) on their own
    engine, which computes only the per-score counts and weight sums; the statistics are
    then computed here, by the same code, so the numbers are the same.

    Args:
        scores: A numpy array, a sequence of ints, an iterable of ``Response``, or a
            dataframe (eager or lazy).
        score: The score column of a dataframe or mapping (optional for a one-column
            frame).
        weights: Optional non-negative weights, one per input row, or the weights
            column of a dataframe. With weights, the counts are weighted sums and the SE
            is design-based. A weighting result
            (from [`poststratify`][netpromoter.weighting.poststratify],
            [`rake`][netpromoter.weighting.rake], [`trim`][netpromoter.weighting.trim]...)
            gives its weights and the calibration-aware SE of its design.
        missing: ``"raise"`` (default) rejects NaN/``None`` with their positions;
            ``"drop"`` drops them and reports how many in ``n_missing``.
        method: Interval method (formulas and coverage on the inference page):
            ``"adjusted_wald"`` (default; 0.75 / 1.5 / 0.75 pseudo-responses added to
            detractors / passives / promoters, interval centred on the adjusted
            estimate), ``"wald"`` (NPS ± z·SE, SE with divisor ``n`` as R ``NPS``),
            ``"score"`` (the Tango-type score interval of R ``NPS``'s ``iterative``) or
            ``"exact"`` (two one-sided exact tests ordered by the score statistic,
            coverage at least the confidence level at every ``n``; unweighted and
            without ``population_size`` only, slower as ``n`` grows). Limits are clipped
            to [-100, 100], and every interval holds the raw NPS.
        confidence_level: Two-sided confidence level, strictly between 0 and 1.
        population_size: Number of people surveyed from (e.g. all customers invited),
            for the finite population correction ``sqrt((N − n) / (N − 1))``
            (weighted: ``sqrt(1 − n / N)``, as R ``survey``). The margin is 0 when
            everyone answered; at a 1 % response rate the correction changes almost
            nothing. ``None`` (default) treats the population as unlimited.

    Returns:
        The NPS with counts, shares, SE and interval.

    Raises:
        InvalidScoreError: A value is not an integer from 0 to 10 (positions named).
        EmptyDataError: There is nothing to score.
        InvalidWeightsError: Weights are misaligned, negative, not finite or all zero.
        InvalidParameterError: An unknown method, a confidence level outside (0, 1) or a
            population smaller than the sample.

    Warns:
        SmallSampleWarning: A Wald interval has zero width (one category only).

    Examples:
        >>> result = score([10, 9, 9, 8, 7, 6, 2])
        >>> round(result.nps, 2)
        14.29
        >>> result.promoters, result.detractors, result.n
        (3, 2, 7)
        >>> score([10, 9, 9, 8, 7, 6, 2], population_size=7).margin_of_error  # a census
        0.0
    """
    _stats.z_value(confidence_level)
    check_choice(method, "method", _stats.METHODS)
    design = as_design(weights)
    source = prepare_scores(
        scores,
        score=score,
        weights=design.weights if design is not None else weights,
        missing=missing,
    )
    design_se = None
    if design is not None:
        rows = source.rows("a weighting result as weights")
        if len(rows.scores):
            design_se = float(domain_se(design, Domains(rows.scores, rows.kept))[0])
    counted = source.tally(per_score=False)
    cells = as_cells(weights)
    if cells is not None and isinstance(source, LazySource) and counted.count.sum():
        design_se = float(cell_se(cells, source.cell_counts)[0])
    return _build_result(
        counted,
        n_missing=source.n_missing,
        weighted=source.weighted,
        method=method,
        confidence_level=confidence_level,
        population_size=population_size,
        design_se=design_se,
    )
