"""Drivers: which parts of the experience move NPS, and what comments are about.

Two analyses turn follow-up questions into a ranked list of what to work on:

* [`key_drivers`][netpromoter.drivers.key_drivers] relates aspect ratings (support,
  product, price... on any scale, with missing answers) to the 0..10 recommend score:
  correlations with intervals, the NPS of respondents rating an aspect low vs high,
  Johnson's relative weights with bootstrap intervals, and an importance × performance
  table whose "fix first" aspects are important and poorly rated.
* [`themes`][netpromoter.drivers.themes] tags open comments with themes from a dictionary
  of keywords and phrases (English and Dutch; see
  [`starter_themes`][netpromoter.drivers.starter_themes]) and gives, per theme, how many
  mention it, their NPS, the share of detractors mentioning it and example comments.

Both read the same inputs as the rest of the library (a list of
[`Response`][netpromoter.core.Response], a mapping of columns, or a dataframe), and every
NPS they show comes from the shared tally and statistics layer, so it equals
[`score`][netpromoter.core.score] on the same respondents.

Correlation is not causation: an aspect that moves with NPS may share a cause with it
(a bad delivery spoils both the delivery rating and the recommendation) rather than drive
it. Read the ranking as "where to look first", and test changes where you can.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
from pydantic import ConfigDict

from netpromoter import _stats
from netpromoter._correlation import MIN_PAIRS_FOR_INTERVAL, Correlation, correlate
from netpromoter._importance import (
    bootstrap,
    correlation_matrices,
    percentile_interval,
    relative_weights,
)
from netpromoter._input.columns import Table, read_table
from netpromoter._model import Model
from netpromoter._tables import html_table
from netpromoter._tally import tally
from netpromoter._themes import compile_dictionary, load_starter, tag
from netpromoter._validation import (
    MissingPolicy,
    check_choice,
    check_confidence_level,
    check_int,
    check_names,
    check_type,
    validate_ratings,
)
from netpromoter.exceptions import (
    ColumnLengthError,
    EmptyDataError,
    InsufficientDataError,
    InvalidParameterError,
    NotFoundError,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Most bootstrap replicates of ``key_drivers`` (beyond, the intervals gain nothing).
MAX_RESAMPLES = 10**6

__all__ = [
    "DriverRow",
    "KeyDriverResult",
    "ThemeResult",
    "ThemeRow",
    "key_drivers",
    "starter_themes",
    "themes",
]

Method = _stats.Method
Quadrant = Literal["fix first", "keep up", "low priority", "possible overkill"]
#: Order in which the importance × performance quadrants are listed.
QUADRANTS: tuple[Quadrant, ...] = ("fix first", "keep up", "low priority", "possible overkill")
Interval = tuple[float, float]
_MODEL = ConfigDict(frozen=True, extra="forbid")


def _opt(value: float) -> float | None:
    """A float, or ``None`` where it is undefined (NaN)."""
    return None if math.isnan(value) else float(value)


def _opt_pair(lower: float, upper: float) -> Interval | None:
    return None if math.isnan(lower) or math.isnan(upper) else (float(lower), float(upper))


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _fmt_pair(value: Interval | None, spec: str) -> str:
    return "–" if value is None else f"{value[0]:{spec}} to {value[1]:{spec}}"


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    """Split interval pairs ``x_ci`` into ``x_ci_lower`` / ``x_ci_upper`` for flat tables."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.endswith("_ci") or key == "scale":
            lower, upper = value if value is not None else (None, None)
            out[f"{key}_lower"], out[f"{key}_upper"] = lower, upper
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------- key drivers


class DriverRow(Model):
    """One aspect in a key-driver analysis.

    Attributes:
        aspect: The aspect's name.
        n: Respondents who rated the aspect (pairs used for its correlations).
        n_missing: Respondents who did not rate it.
        scale: The rating scale ``(lowest, highest)``: as given, or the lowest and highest
            rating observed (``None`` when there are no ratings).
        mean: Mean rating.
        performance: Mean rating on a 0..1 scale: ``(mean - lowest) / (highest - lowest)``.
        performance_ci: Its confidence interval: the t interval of the mean rating
            (``mean ± t · sd / sqrt(n)``) on the same 0..1 scale.
        pearson: Pearson correlation with the recommend score (pairwise complete).
        pearson_ci: Its Fisher-z confidence interval.
        spearman: Spearman rank correlation with the recommend score.
        spearman_ci: Its Fisher-z confidence interval (Fieller's variance 1.06 / (n - 3)).
        n_low: Respondents who rated the aspect low: below the middle of the scale.
        nps_low: NPS of those respondents.
        nps_low_ci: Its confidence interval.
        n_high: Respondents who rated the aspect high: above the middle of the scale.
        nps_high: NPS of those respondents.
        nps_high_ci: Its confidence interval.
        nps_gap: ``nps_high - nps_low``, in points.
        nps_gap_ci: Its confidence interval (independent samples,
            ``sqrt(se_low² + se_high²)``, centred on the method's estimate; under
            ``method="score"``, which is one-sample only, the adjusted Wald difference).
        importance: Johnson's relative weight: the part of the model's R² attributed to
            the aspect (``None`` when the aspect is not in the model, see ``flag``).
        importance_share: ``importance / R²``, 0..1; the shares of the model add up to 1.
        importance_ci: Bootstrap percentile interval of ``importance``: approximate (a
            percentile bootstrap of a weight bounded by 0 is not exact; near 0 or for
            few respondents it can miss on either side).
        importance_share_ci: Bootstrap percentile interval of ``importance_share``,
            equally approximate.
        rank: Rank by importance, 1 = most important.
        rank_ci: Bootstrap percentile interval of the rank (approximate).
        quadrant: Importance × performance: ``"fix first"`` (importance share above the
            average, performance below the average of the model's aspects),
            ``"keep up"`` (both above), ``"low priority"`` (both below) or
            ``"possible overkill"`` (importance below, performance above).
        quadrant_note: Why the quadrant is not settled, when it is not: the importance
            share's interval holds the average share, or the performance's interval
            holds the average performance (the aspect could lie on the other side of
            that line); ``None`` when both intervals are clear of the averages.
        flag: Why the aspect is left out of the model or has no interval, if it is.
    """

    model_config = _MODEL

    aspect: str
    n: int
    n_missing: int
    scale: Interval | None
    mean: float | None
    performance: float | None
    performance_ci: Interval | None = None
    pearson: float | None
    pearson_ci: Interval | None
    spearman: float | None
    spearman_ci: Interval | None
    n_low: int
    nps_low: float | None
    nps_low_ci: Interval | None
    n_high: int
    nps_high: float | None
    nps_high_ci: Interval | None
    nps_gap: float | None
    nps_gap_ci: Interval | None
    importance: float | None
    importance_share: float | None
    importance_ci: Interval | None
    importance_share_ci: Interval | None
    rank: int | None
    rank_ci: tuple[int, int] | None
    quadrant: Quadrant | None
    quadrant_note: str | None = None
    flag: str | None


class KeyDriverResult(Model):
    """What moves NPS: one row per aspect, ranked by relative importance.

    Attributes:
        rows: The aspects, model aspects by decreasing importance, then flagged ones.
        n: Respondents with a valid recommend score.
        n_missing: Respondents whose missing score was dropped (``missing="drop"``).
        n_complete: Respondents who rated every aspect in the model: the rows the
            relative weights use (listwise).
        n_incomplete: Respondents left out of the relative weights because they did not
            rate at least one aspect in the model (they still count in the correlations
            and low/high NPS of the aspects they rated).
        r_squared: R² of the linear regression of the score on the model's aspects.
        r_squared_ci: Its bootstrap percentile interval.
        confidence_level: Confidence level of every interval.
        method: Interval method of the low/high NPS.
        n_resamples: Bootstrap replicates.
        seed: Seed of the bootstrap's random generator.
        n_failed_resamples: Replicates without weights (a resample in which an aspect
            was constant), left out of the bootstrap intervals.
        notes: How the numbers were computed, in words.
    """

    model_config = _MODEL

    rows: tuple[DriverRow, ...]
    n: int
    n_missing: int
    n_complete: int
    n_incomplete: int
    r_squared: float
    r_squared_ci: Interval | None
    confidence_level: float
    method: Method
    n_resamples: int
    seed: int
    n_failed_resamples: int
    notes: tuple[str, ...]

    def __getitem__(self, aspect: str) -> DriverRow:
        """The row of one aspect."""
        for row in self.rows:
            if row.aspect == aspect:
                return row
        raise NotFoundError("aspect", aspect, [r.aspect for r in self.rows])

    def fix_first(self) -> tuple[str, ...]:
        """The aspects that are important and poorly rated, most important first."""
        return tuple(r.aspect for r in self.rows if r.quadrant == "fix first")

    def importance_performance(self) -> dict[Quadrant, tuple[str, ...]]:
        """The importance × performance table: the aspects in each quadrant."""
        return {q: tuple(r.aspect for r in self.rows if r.quadrant == q) for q in QUADRANTS}

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dictionary per aspect (intervals as ``_lower``/``_upper`` columns)."""
        return [_flatten(row.model_dump()) for row in self.rows]

    def __repr__(self) -> str:
        """Short form: the ranking and R²."""
        ranked = ", ".join(
            f"{r.aspect} {r.importance_share:.0%}"
            for r in self.rows
            if r.importance_share is not None
        )
        return (
            f"KeyDriverResult(R²={self.r_squared:.3f}, n_complete={self.n_complete:,}, "
            f"importance: {ranked})"
        )

    __str__ = __repr__

    def _repr_html_(self) -> str:
        header = [
            "Rank (interval)",
            "Aspect",
            "Importance (share of R²)",
            f"{self.confidence_level:.0%} interval (approximate, bootstrap)",
            "Pearson r",
            "Spearman ρ",
            "NPS low",
            "NPS high",
            "Performance",
            "Quadrant",
            "n",
            "Note",
        ]
        rows = [
            [
                "–"
                if r.rank is None
                else str(r.rank)
                + ("" if r.rank_ci is None else f" ({r.rank_ci[0]}–{r.rank_ci[1]})"),
                r.aspect,
                _fmt(r.importance_share, ".0%"),
                _fmt_pair(r.importance_share_ci, ".0%"),
                _fmt(r.pearson, ".2f"),
                _fmt(r.spearman, ".2f"),
                _fmt(r.nps_low, "+.1f"),
                _fmt(r.nps_high, "+.1f"),
                _fmt(r.performance, ".0%"),
                (r.quadrant or "–") + ("" if r.quadrant_note is None else " (unsettled)"),
                f"{r.n:,}",
                "; ".join(x for x in (r.flag, r.quadrant_note) if x),
            ]
            for r in self.rows
        ]
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in self.notes)
        return (
            html_table(header, rows, css="netpromoter-drivers")
            + f"<p>R² = {self.r_squared:.3f}; importance is the share of R².</p>"
            + f"<ul>{notes}</ul>"
        )


def _aspect_columns(
    data: object, aspects: Sequence[str] | Mapping[str, object], score: str
) -> tuple[Table, dict[str, object]]:
    """Read the score column and the aspect columns (named in ``data``, or given)."""
    if isinstance(aspects, str):
        msg = f"aspects must be a list of column names or a mapping, got the string {aspects!r}"
        raise InvalidParameterError(msg, name="aspects", value=aspects)
    check_type(
        aspects, "aspects", (Sequence, Mapping), "a list of column names or a mapping of columns"
    )
    if not aspects:
        msg = "no aspects given; name at least one aspect rating column"
        raise InvalidParameterError(msg, name="aspects", value=aspects)
    if isinstance(aspects, Mapping):
        table = read_table(data, [score])
        columns = dict(aspects)
        lengths = {name: len(values) for name, values in columns.items()}  # type: ignore[arg-type]
        if any(n != table.n_rows for n in lengths.values()):
            raise ColumnLengthError({score: table.n_rows, **lengths})
        return table, columns
    names = list(check_names(aspects, "aspects"))
    if len(set(names)) != len(names):
        msg = f"aspects must be distinct, got {names!r}"
        raise InvalidParameterError(msg, name="aspects", value=names)
    table = read_table(data, [score, *names])
    return table, {name: table.values(name) for name in names}


def _scale_of(name: str, ratings: NDArray[np.float64], scale: object) -> tuple[float, float] | None:
    given = scale.get(name) if isinstance(scale, Mapping) else scale
    answered = ratings[~np.isnan(ratings)]
    if given is None:
        if len(answered) == 0:
            return None
        return float(answered.min()), float(answered.max())
    try:
        lowest, highest = (float(x) for x in given)  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        msg = f"scale of {name!r} must be a pair (lowest, highest), got {given!r}"
        raise InvalidParameterError(msg, name="scale", value=given) from exc
    if not lowest < highest:
        msg = f"scale of {name!r} must have lowest < highest, got {given!r}"
        raise InvalidParameterError(msg, name="scale", value=given)
    outside = np.flatnonzero((ratings < lowest) | (ratings > highest))
    if len(outside):
        msg = (
            f"ratings {name!r}: {len(outside)} values lie outside the scale "
            f"{lowest:g}..{highest:g}, first {ratings[outside[0]]:g} at position "
            f"{int(outside[0])}; fix the data or the scale"
        )
        raise InvalidParameterError(msg, name="scale", value=given)
    return lowest, highest


class _Split(NamedTuple):
    """Low (group ``2j``) and high (group ``2j + 1``) raters of each aspect ``j``."""

    n: NDArray[np.int64]
    estimate: _stats.Estimate
    gap: _stats.Difference


def _low_high_nps(
    scores: NDArray[np.integer],
    ratings: list[NDArray[np.float64]],
    scales: list[tuple[float, float] | None],
    *,
    method: Method,
    confidence_level: float,
) -> _Split:
    """NPS of the low and high raters of every aspect from one tally, and their gaps.

    The gap of aspect ``j`` is NPS(high) − NPS(low) of two independent samples.
    """
    parts: list[NDArray[np.integer]] = []
    codes: list[NDArray[np.intp]] = []
    for j, (rating, scale) in enumerate(zip(ratings, scales, strict=True)):
        if scale is None:
            continue
        middle = (scale[0] + scale[1]) / 2.0
        for side, rows in enumerate((rating < middle, rating > middle)):
            parts.append(scores[rows])
            codes.append(np.full(int(rows.sum()), 2 * j + side, dtype=np.intp))
    stacked = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int8)
    group_codes = np.concatenate(codes) if codes else np.zeros(0, dtype=np.intp)
    tallied = tally(stacked, None, group_codes, 2 * len(ratings))
    low = tallied.map(lambda a: a[0::2])
    high = tallied.map(lambda a: a[1::2])
    with np.errstate(invalid="ignore", divide="ignore"):
        est = _stats.estimate(
            tallied, weighted=False, method=method, confidence_level=confidence_level
        )
        gap = _stats.difference(
            low,
            high,
            weighted=False,
            method=_stats.difference_method(method),
            confidence_level=confidence_level,
        )
    return _Split(tallied.count.sum(axis=1), est, gap)


def _model_problem(names: list[str], complete: NDArray[np.float64]) -> str:
    """Say why the relative weights cannot be computed on the complete rows."""
    corr = correlation_matrices(complete)
    if np.isnan(corr[-1, -1]):
        return "every complete respondent gave the same recommend score"
    constant = [names[j] for j in range(len(names)) if np.isnan(corr[j, j])]
    if constant:
        return f"aspect(s) {', '.join(map(repr, constant))} do not vary among them"
    pairs = [
        f"{names[i]!r} and {names[j]!r}"
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if abs(corr[i, j]) > 1 - 1e-9
    ]
    detail = f" ({'; '.join(pairs)} are perfectly correlated)" if pairs else ""
    return f"the aspects are linearly dependent{detail}; leave one of them out"


def key_drivers(
    data: object,
    aspects: Sequence[str] | Mapping[str, object],
    *,
    score: str = "score",
    scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    missing: MissingPolicy = "raise",
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> KeyDriverResult:
    """Rank aspects of the experience by how strongly they go with the recommend score.

    For each aspect:

    * **Correlations** with the 0..10 score, Pearson and Spearman, over the respondents
      who rated it (pairwise: a missing answer removes only that pair), with Fisher-z
      intervals ``tanh(atanh(r) ± z / sqrt(n - 3))`` (Spearman: ``sqrt(1.06 / (n - 3))``).
    * **NPS of low and high raters**: respondents rating the aspect below and above the
      middle of its scale (a rating exactly in the middle is neither), each scored by the
      shared statistics layer with ``method``.
    * **Relative importance**: Johnson's (2000) relative weights from the regression of
      the score on all usable aspects, on the respondents who rated all of them
      (listwise). They split the model's R² among correlated aspects, are non-negative
      and add up to R². Uncertainty: ``n_resamples`` bootstrap replicates of the
      complete rows from ``numpy.random.default_rng(seed)``, percentile intervals of each
      weight, of its rank and of R². These intervals are approximate: relative weights
      have no exact sampling distribution, and the percentile bootstrap of a quantity
      bounded by 0 can miss on either side, most for weights near 0 and for few
      respondents.
    * **Importance × performance**: performance is the mean rating on a 0..1 scale,
      with a t interval; aspects with an importance share above
      ``1 / (number of model aspects)`` and a performance below the model's average are
      "fix first". When an aspect's share interval holds the average share, or its
      performance interval holds the average performance, ``quadrant_note`` says so:
      its quadrant is within the uncertainty of the data.

    Aspects with fewer than 4 ratings or a single rating value are kept as flagged rows
    (with whatever can be computed) and left out of the model.

    Args:
        data: A list of ``Response``, a mapping of column name to values, or a dataframe.
        aspects: Names of the aspect rating columns in ``data``, or a mapping of aspect
            name to ratings (one per row of ``data``). Missing ratings are ``None``/NaN.
        score: The column holding the 0..10 recommend score.
        scale: The rating scale ``(lowest, highest)``, for all aspects or per aspect;
            by default the lowest and highest rating observed. It sets the middle that
            splits low from high raters and the 0..1 performance.
        missing: ``"raise"`` (default) for missing recommend scores, or ``"drop"`` to
            drop those respondents and count them in ``n_missing``.
        method: Interval method of the low/high NPS.
        confidence_level: Confidence level of every interval.
        n_resamples: Bootstrap replicates (at least 1).
        seed: Seed of the bootstrap, so the result is reproducible.

    Returns:
        The ranked aspects with R², counts of used and left-out respondents and notes.

    Raises:
        InvalidParameterError: No aspects, ratings that are not numbers, ratings outside
            a given scale, or an invalid option.
        InvalidScoreError: A recommend score is not an integer from 0 to 10.
        ColumnNotFoundError: A named column is not in ``data``.
        ColumnLengthError: Aspect ratings and the data differ in length.
        EmptyDataError: No respondents.
        InsufficientDataError: No aspect is usable, too few respondents rated every
            model aspect (at least the number of aspects + 2 are needed), the complete
            rows do not vary, or aspects are perfectly collinear.

    Examples:
        >>> data = {
        ...     "score": [10, 9, 3, 7, 8, 2, 10, 6],
        ...     "support": [5, 4, 1, 3, 4, 2, 5, 2],
        ...     "price": [3, 4, 2, 4, 3, 1, 4, None],
        ... }
        >>> result = key_drivers(data, ["support", "price"], scale=(1, 5), n_resamples=200)
        >>> [row.aspect for row in result.rows]
        ['support', 'price']
        >>> round(result["support"].pearson, 3), result["price"].n
        (0.922, 7)
        >>> round(sum(r.importance for r in result.rows), 10) == round(result.r_squared, 10)
        True
    """
    level = _check_options(method, confidence_level)
    check_int(n_resamples, "n_resamples", minimum=1, maximum=MAX_RESAMPLES)
    check_int(seed, "seed", minimum=0)
    table, columns = _aspect_columns(data, aspects, score)
    column = table.scores(score, missing=missing)
    scores = column.scores
    n = _check_not_empty(len(scores), column.n_missing)
    names = list(columns)
    ratings = []
    for name in names:
        values = validate_ratings(columns[name], name)
        ratings.append(values if column.kept is None else values[column.kept])
    scales = [_scale_of(name, r, scale) for name, r in zip(names, ratings, strict=True)]
    y = scores.astype(np.float64)
    if float(y.min()) == float(y.max()):
        msg = (
            f"every respondent gave the same recommend score ({int(scores[0])}); nothing "
            "varies with the aspects"
        )
        raise InsufficientDataError(msg, n=n)
    z = _stats.z_value(level)
    correlations = [correlate(r, y, z) for r in ratings]
    split = _low_high_nps(scores, ratings, scales, method=method, confidence_level=level)
    flags = [_flag(c, r) for c, r in zip(correlations, ratings, strict=True)]
    in_model = [j for j, flag in enumerate(flags) if flag is None]
    if not in_model:
        msg = (
            "no aspect can be analysed: each has too few ratings or a single rating value "
            f"({'; '.join(f'{a}: {f}' for a, f in zip(names, flags, strict=True))})"
        )
        raise InsufficientDataError(msg, n=n)
    model = _fit(
        [names[j] for j in in_model],
        np.column_stack([*(ratings[j] for j in in_model), y]),
        n_resamples=n_resamples,
        seed=seed,
        confidence_level=level,
    )
    means = [
        float(np.nanmean(r)) if c.n else math.nan
        for r, c in zip(ratings, correlations, strict=True)
    ]
    performance = [
        (m - sc[0]) / (sc[1] - sc[0]) if sc is not None and sc[1] > sc[0] else math.nan
        for m, sc in zip(means, scales, strict=True)
    ]
    performance_ci = [
        _performance_interval(r, sc, level) for r, sc in zip(ratings, scales, strict=True)
    ]
    average_performance = float(np.mean([performance[j] for j in in_model]))
    rows = []
    for j, name in enumerate(names):
        i = in_model.index(j) if j in in_model else None
        rows.append(
            DriverRow(
                aspect=name,
                n=correlations[j].n,
                n_missing=n - correlations[j].n,
                scale=scales[j],
                mean=_opt(means[j]),
                performance=_opt(performance[j]),
                performance_ci=performance_ci[j],
                **_correlation_fields(correlations[j]),
                **_split_fields(split, j),
                **_importance_fields(model, i),
                quadrant=_quadrant(
                    None if i is None else model.shares[i],
                    performance[j],
                    average_share=1.0 / len(in_model),
                    average_performance=average_performance,
                ),
                quadrant_note=_quadrant_note(
                    None if i is None else model.share_ci[0][i],
                    None if i is None else model.share_ci[1][i],
                    performance_ci[j],
                    average_share=1.0 / len(in_model),
                    average_performance=average_performance,
                ),
                flag=flags[j],
            )
        )
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0))
    return KeyDriverResult(
        rows=tuple(rows),
        n=n,
        n_missing=column.n_missing,
        n_complete=model.n_complete,
        n_incomplete=n - model.n_complete,
        r_squared=model.r_squared,
        r_squared_ci=model.r_squared_ci,
        confidence_level=level,
        method=method,
        n_resamples=n_resamples,
        seed=seed,
        n_failed_resamples=model.n_failed,
        notes=_notes(
            n=n,
            n_missing=column.n_missing,
            n_complete=model.n_complete,
            n_model=len(in_model),
            n_resamples=n_resamples,
            seed=seed,
            n_failed=model.n_failed,
        ),
    )


def _check_options(method: object, confidence_level: float) -> float:
    level = check_confidence_level(confidence_level)
    check_choice(method, "method", _stats.METHODS)
    return level


def _check_not_empty(n: int, n_missing: int) -> int:
    if n == 0:
        detail = f" (all {n_missing} scores were missing)" if n_missing else ""
        msg = f"no respondents to analyse{detail}"
        raise EmptyDataError(msg)
    return n


def _flag(corr: Correlation, rating: NDArray[np.float64]) -> str | None:
    """Why an aspect is left out of the model or has no interval, if it is."""
    if corr.n == 0:
        return "no ratings: left out of the model"
    if corr.n < MIN_PAIRS_FOR_INTERVAL:
        return (
            f"fewer than {MIN_PAIRS_FOR_INTERVAL} ratings: no correlation interval, left out "
            "of the model"
        )
    if math.isnan(corr.pearson):
        if float(np.nanmin(rating)) == float(np.nanmax(rating)):
            return (
                f"no variation (every rating is {float(np.nanmin(rating)):g}): left out of "
                "the model"
            )
        return "no variation in the recommend score of those who rated it: left out of the model"
    return None


class _Model(NamedTuple):
    """Relative weights of the model's aspects, on the complete rows, bootstrapped."""

    n_complete: int
    weights: NDArray[np.float64]
    shares: NDArray[np.float64]
    r_squared: float
    r_squared_ci: Interval | None
    weight_ci: tuple[NDArray[np.float64], NDArray[np.float64]]
    share_ci: tuple[NDArray[np.float64], NDArray[np.float64]]
    rank: NDArray[np.intp]
    rank_ci: tuple[NDArray[np.float64], NDArray[np.float64]]
    n_failed: int


def _fit(
    names: list[str],
    block: NDArray[np.float64],
    *,
    n_resamples: int,
    seed: int,
    confidence_level: float,
) -> _Model:
    """Relative weights on the rows of ``block`` (aspects..., score) without NaN."""
    complete = block[~np.isnan(block).any(axis=1)]
    n_complete = len(complete)
    needed = len(names) + 2
    if n_complete < needed:
        msg = (
            f"only {n_complete} respondents rated all {len(names)} aspects in the model "
            f"({', '.join(map(repr, names))}); relative weights need at least {needed} "
            "(the number of aspects + 2). Analyse fewer aspects, or collect more complete "
            "answers"
        )
        raise InsufficientDataError(msg, n=n_complete, needed=needed)
    weights = relative_weights(correlation_matrices(complete))
    if np.isnan(weights).any():
        msg = (
            f"relative weights are undefined on the {n_complete} complete respondents: "
            f"{_model_problem(names, complete)}"
        )
        raise InsufficientDataError(msg, n=n_complete)
    r_squared = float(weights.sum())
    boot = bootstrap(complete, n_resamples=n_resamples, seed=seed)
    r2_lo, r2_hi = percentile_interval(boot.weights.sum(axis=1, keepdims=True), confidence_level)
    order = np.argsort(-weights, kind="stable")
    rank = np.empty(len(names), dtype=np.intp)
    rank[order] = np.arange(1, len(names) + 1)
    return _Model(
        n_complete=n_complete,
        weights=weights,
        shares=weights / r_squared,
        r_squared=r_squared,
        r_squared_ci=_opt_pair(float(r2_lo[0]), float(r2_hi[0])),
        weight_ci=percentile_interval(boot.weights, confidence_level),
        share_ci=percentile_interval(
            boot.weights / boot.weights.sum(axis=1, keepdims=True), confidence_level
        ),
        rank=rank,
        rank_ci=percentile_interval(boot.ranks, confidence_level),
        n_failed=boot.n_failed,
    )


def _correlation_fields(corr: Correlation) -> dict[str, Any]:
    return {
        "pearson": _opt(corr.pearson),
        "pearson_ci": _opt_pair(*corr.pearson_ci),
        "spearman": _opt(corr.spearman),
        "spearman_ci": _opt_pair(*corr.spearman_ci),
    }


def _split_fields(split: _Split, j: int) -> dict[str, Any]:
    low, high = 2 * j, 2 * j + 1
    n_low, n_high = int(split.n[low]), int(split.n[high])
    both = n_low > 0 and n_high > 0

    def interval(g: int) -> Interval:
        return float(split.estimate.lower[g]), float(split.estimate.upper[g])

    return {
        "n_low": n_low,
        "nps_low": float(split.estimate.nps[low]) if n_low else None,
        "nps_low_ci": interval(low) if n_low else None,
        "n_high": n_high,
        "nps_high": float(split.estimate.nps[high]) if n_high else None,
        "nps_high_ci": interval(high) if n_high else None,
        "nps_gap": float(split.gap.raw_delta[j]) if both else None,
        "nps_gap_ci": (float(split.gap.lower[j]), float(split.gap.upper[j])) if both else None,
    }


def _importance_fields(model: _Model, i: int | None) -> dict[str, Any]:
    if i is None:
        return dict.fromkeys(
            (
                "importance",
                "importance_share",
                "importance_ci",
                "importance_share_ci",
                "rank",
                "rank_ci",
            )
        )
    (weight_lo, weight_hi), (rank_lo, rank_hi) = model.weight_ci, model.rank_ci
    share_lo, share_hi = model.share_ci
    return {
        "importance": float(model.weights[i]),
        "importance_share": float(model.shares[i]),
        "importance_ci": _opt_pair(float(weight_lo[i]), float(weight_hi[i])),
        "importance_share_ci": _opt_pair(float(share_lo[i]), float(share_hi[i])),
        "rank": int(model.rank[i]),
        "rank_ci": None
        if math.isnan(rank_lo[i])
        else (math.floor(rank_lo[i]), math.ceil(rank_hi[i])),
    }


def _quadrant(
    share: float | None,
    performance: float,
    *,
    average_share: float,
    average_performance: float,
) -> Quadrant | None:
    """The importance × performance quadrant of a model aspect."""
    if share is None or math.isnan(performance):
        return None
    good = performance >= average_performance
    if share > average_share:
        return "keep up" if good else "fix first"
    return "possible overkill" if good else "low priority"


def _performance_interval(
    rating: NDArray[np.float64], scale: Interval | None, level: float
) -> Interval | None:
    """The t interval of the mean rating, on the 0..1 performance scale."""
    values = rating[~np.isnan(rating)]
    if scale is None or scale[1] <= scale[0] or len(values) < 2:  # noqa: PLR2004
        return None
    se = float(np.std(values, ddof=1)) / math.sqrt(len(values))
    half = float(_stats.student_quantile((1.0 - level) / 2.0, float(len(values) - 1))) * se
    mean = float(values.mean())
    low, high = scale
    return ((mean - half - low) / (high - low), (mean + half - low) / (high - low))


def _quadrant_note(
    share_lower: float | None,
    share_upper: float | None,
    performance_ci: Interval | None,
    *,
    average_share: float,
    average_performance: float,
) -> str | None:
    """Which side of the quadrant an aspect's uncertainty straddles, if any."""
    if share_lower is None or share_upper is None or performance_ci is None:
        return None
    notes = []
    if not math.isnan(share_lower) and share_lower <= average_share <= share_upper:
        notes.append(f"importance share interval holds the average ({average_share:.0%})")
    if performance_ci[0] <= average_performance <= performance_ci[1]:
        notes.append(f"performance interval holds the average ({average_performance:.0%})")
    return "; ".join(notes) + ": quadrant unsettled" if notes else None


def _notes(
    *,
    n: int,
    n_missing: int,
    n_complete: int,
    n_model: int,
    n_resamples: int,
    seed: int,
    n_failed: int,
) -> tuple[str, ...]:
    failed = (
        f"; {n_failed:,} resamples without weights (an aspect did not vary) are left out "
        "of the intervals."
        if n_failed
        else "."
    )
    notes = [
        (
            "Correlations and low/high NPS use every respondent who rated the aspect "
            "(pairwise); a missing rating leaves out only that aspect."
        ),
        (
            f"Relative weights use the {n_complete:,} of {n:,} respondents who rated all "
            f"{n_model} aspects in the model (listwise); {n - n_complete:,} left out for a "
            "missing rating."
        ),
        f"Bootstrap: {n_resamples:,} resamples of those respondents, seed {seed}{failed}",
        (
            "Intervals of relative weights, their shares and ranks are approximate "
            "(percentile bootstrap); a quadrant is marked unsettled when the aspect's "
            "share or performance interval holds the average."
        ),
        (
            "Correlation is not causation: an aspect may move with the score because both "
            "depend on something else."
        ),
    ]
    if n_missing:
        notes.insert(0, f"{n_missing:,} respondents without a recommend score dropped.")
    return tuple(notes)


# --------------------------------------------------------------------------- themes


def starter_themes() -> dict[str, tuple[str, ...]]:
    """The built-in starter dictionary: English and Dutch keywords for six themes.

    Themes: ``price``, ``support``, ``delivery``, ``product_quality``, ``ease_of_use``
    and ``billing``. Extend or replace it with your own vocabulary:
    ``{**starter_themes(), "app": ("app", "website", "inloggen")}``.

    Returns:
        A new dictionary of theme name to keywords and phrases.

    Examples:
        >>> themes = starter_themes()
        >>> list(themes)
        ['price', 'support', 'delivery', 'product_quality', 'ease_of_use', 'billing']
        >>> "klantenservice" in themes["support"]
        True
    """
    return load_starter()


class ThemeRow(Model):
    """One theme (or the untagged comments) in a theme analysis.

    Attributes:
        theme: The theme's name (``"(untagged)"`` for comments matching no theme).
        n_mentions: Comments mentioning the theme.
        comment_share: ``n_mentions`` over all comments, 0..1.
        nps: NPS of the respondents mentioning it (``None`` when nobody does).
        nps_ci: Its confidence interval.
        detractor_share: Share of the detractors who commented that mention it, 0..1.
        promoter_share: Share of the promoters who commented that mention it, 0..1.
        examples: Example comments, in input order.
        keywords: The keywords found, with how many comments each was found in, most
            frequent first.
    """

    model_config = _MODEL

    theme: str
    n_mentions: int
    comment_share: float | None
    nps: float | None
    nps_ci: Interval | None
    detractor_share: float | None
    promoter_share: float | None
    examples: tuple[str, ...]
    keywords: tuple[tuple[str, int], ...]


class ThemeResult(Model):
    """What comments are about: one row per theme, plus the untagged comments.

    Attributes:
        rows: The themes, most mentioned first (ties in dictionary order).
        untagged: Comments that match no theme.
        n: Respondents with a valid recommend score.
        n_missing: Respondents whose missing score was dropped (``missing="drop"``).
        n_comments: Respondents who left a comment (not blank).
        n_without_comment: Respondents without a comment (``None`` or blank).
        nps: NPS of all ``n`` respondents, for comparison.
        confidence_level: Confidence level of the intervals.
        method: Interval method.
    """

    model_config = _MODEL

    rows: tuple[ThemeRow, ...]
    untagged: ThemeRow
    n: int
    n_missing: int
    n_comments: int
    n_without_comment: int
    nps: float
    confidence_level: float
    method: Method

    def __getitem__(self, theme: str) -> ThemeRow:
        """The row of one theme."""
        for row in (*self.rows, self.untagged):
            if row.theme == theme:
                return row
        raise NotFoundError("theme", theme, [r.theme for r in (*self.rows, self.untagged)])

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dictionary per theme, the untagged comments last."""
        return [_flatten(row.model_dump()) for row in (*self.rows, self.untagged)]

    def __repr__(self) -> str:
        """Short form: mentions per theme."""
        shown = ", ".join(f"{r.theme}={r.n_mentions}" for r in self.rows)
        return (
            f"ThemeResult(n_comments={self.n_comments:,}, {shown}, "
            f"untagged={self.untagged.n_mentions})"
        )

    __str__ = __repr__

    def _repr_html_(self) -> str:
        header = [
            "Theme",
            "Mentions",
            "Share of comments",
            "NPS",
            f"{self.confidence_level:.0%} interval",
            "Detractors mentioning",
            "Example",
        ]
        rows = [
            [
                r.theme,
                f"{r.n_mentions:,}",
                _fmt(r.comment_share, ".0%"),
                _fmt(r.nps, "+.1f"),
                _fmt_pair(r.nps_ci, "+.1f"),
                _fmt(r.detractor_share, ".0%"),
                r.examples[0] if r.examples else "",
            ]
            for r in (*self.rows, self.untagged)
        ]
        return html_table(header, rows, css="netpromoter-themes") + (
            f"<p>{self.n_comments:,} of {self.n:,} respondents commented "
            f"(NPS of all respondents {self.nps:+.1f}); a comment can mention several "
            "themes.</p>"
        )


def _comment_texts(values: NDArray[Any], name: str) -> list[str | None]:
    """Comments as ``str`` or ``None`` (``None``, NaN, ``pd.NA`` and nulls are no comment)."""
    out: list[str | None] = []
    bad: list[int] = []
    for i, value in enumerate(values.tolist()):
        if isinstance(value, str):
            out.append(value)
        elif (
            value is None
            or (isinstance(value, float) and math.isnan(value))
            or type(value).__name__ == "NAType"  # pandas' missing value
        ):
            out.append(None)
        else:
            bad.append(i)
            out.append(None)
    if bad:
        msg = (
            f"comments {name!r}: {len(bad)} values are not text, first "
            f"{values[bad[0]]!r} at position {bad[0]}"
        )
        raise InvalidParameterError(msg, name=name, value=values[bad[0]])
    return out


UNTAGGED = "(untagged)"


def themes(
    data: object,
    *,
    dictionary: Mapping[str, Sequence[str]] | None = None,
    score: str = "score",
    comment: str = "comment",
    missing: MissingPolicy = "raise",
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
    examples: int = 3,
) -> ThemeResult:
    """Tag comments with themes and report, per theme, who mentions it and their NPS.

    A comment mentions a theme when it contains one of the theme's keywords or phrases
    as whole words, ignoring case, accents and simple plurals (English and Dutch; the
    how-to "Key drivers and comment themes" gives the exact rules). A comment can mention several
    themes; comments that mention none are reported as ``untagged``, and respondents
    without a comment are counted, not hidden. Each theme's NPS is that of the
    respondents mentioning it, from the shared statistics layer.

    Args:
        data: A list of ``Response``, a mapping of column name to values, or a dataframe.
        dictionary: Theme name → keywords and phrases. Default: the built-in
            [`starter_themes`][netpromoter.drivers.starter_themes].
        score: The column holding the 0..10 recommend score.
        comment: The column holding the comments.
        missing: ``"raise"`` (default) for missing recommend scores, or ``"drop"``.
        method: Interval method of the NPS.
        confidence_level: Confidence level of the intervals.
        examples: How many example comments to keep per theme.

    Returns:
        One row per theme, the untagged comments, and the counts of comments.

    Raises:
        InvalidParameterError: An empty or malformed dictionary, comments that are not
            text, or an invalid option.
        InvalidScoreError: A recommend score is not an integer from 0 to 10.
        ColumnNotFoundError: The score or comment column is not in ``data``.
        EmptyDataError: No respondents.

    Examples:
        >>> data = {
        ...     "score": [3, 10, 6, 9, 8],
        ...     "comment": [
        ...         "Veel te duur en de klantenservice reageert niet",
        ...         "Fast delivery, great prices",
        ...         "Prijzen zijn omhoog gegaan",
        ...         None,
        ...         "Prima",
        ...     ],
        ... }
        >>> result = themes(data)
        >>> result["price"].n_mentions, result["price"].nps
        (3, -33.333333333333336)
        >>> result.untagged.n_mentions, result.n_without_comment
        (1, 1)
    """
    level = _check_options(method, confidence_level)
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        msg = f"examples must be a non-negative integer, got {examples!r}"
        raise InvalidParameterError(msg, name="examples", value=examples)
    compiled = compile_dictionary(starter_themes() if dictionary is None else dictionary)
    table = read_table(data, [score, comment])
    column = table.scores(score, missing=missing)
    scores = column.scores
    n = _check_not_empty(len(scores), column.n_missing)
    raw = np.asarray(table.values(comment))
    texts = _comment_texts(raw if column.kept is None else raw[column.kept], comment)
    tagging = tag(texts, compiled)
    n_themes = len(compiled.themes)
    untagged = tagging.has_comment & ~tagging.mentions.any(axis=1)
    rows_t, theme_t = np.nonzero(tagging.mentions)
    commented = np.flatnonzero(tagging.has_comment)
    # Groups: themes 0..T-1, untagged T, everyone who commented T+1, everyone T+2.
    stacked = np.concatenate([scores[rows_t], scores[untagged], scores[commented], scores])
    codes = np.concatenate(
        [
            theme_t,
            np.full(int(untagged.sum()), n_themes),
            np.full(len(commented), n_themes + 1),
            np.full(n, n_themes + 2),
        ]
    ).astype(np.intp)
    tallied = tally(stacked, None, codes, n_themes + 3)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = _stats.estimate(tallied, weighted=False, method=method, confidence_level=level)
        by_category = _stats.by_category(tallied.count)
        of_commenters = by_category / by_category[n_themes + 1]
    n_comments = len(commented)
    mention_masks = [tagging.mentions[:, t] for t in range(n_themes)] + [untagged]

    def row(t: int, name: str, keywords: tuple[tuple[str, int], ...]) -> ThemeRow:
        mentioned = mention_masks[t]
        count = int(tallied.count[t].sum())
        picked = np.flatnonzero(mentioned)[:examples]
        return ThemeRow(
            theme=name,
            n_mentions=count,
            comment_share=count / n_comments if n_comments else None,
            nps=_opt(float(est.nps[t])) if count else None,
            nps_ci=(float(est.lower[t]), float(est.upper[t])) if count else None,
            detractor_share=_opt(float(of_commenters[t, 0])),
            promoter_share=_opt(float(of_commenters[t, 2])),
            examples=tuple(str(texts[i]) for i in picked),
            keywords=keywords,
        )

    found: list[list[tuple[str, int]]] = [[] for _ in compiled.themes]
    for keyword, hits in zip(compiled.keywords, tagging.keyword_hits.tolist(), strict=True):
        if hits:
            found[keyword.theme].append((keyword.text, int(hits)))
    theme_rows = [
        row(t, name, tuple(sorted(found[t], key=lambda kv: -kv[1])))
        for t, name in enumerate(compiled.themes)
    ]
    theme_rows.sort(key=lambda r: -r.n_mentions)
    return ThemeResult(
        rows=tuple(theme_rows),
        untagged=row(n_themes, UNTAGGED, ()),
        n=n,
        n_missing=column.n_missing,
        n_comments=n_comments,
        n_without_comment=n - n_comments,
        nps=float(est.nps[n_themes + 2]),
        confidence_level=level,
        method=method,
    )
