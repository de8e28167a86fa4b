"""Per aspect: its ratings, scale, correlations and the NPS of its low and high raters."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from netpromoter import _stats
from netpromoter._correlation import MIN_PAIRS_FOR_INTERVAL, Correlation
from netpromoter._validation import (
    check_names,
    check_type,
)
from netpromoter.drivers.fields import Interval, Method, _opt, _opt_pair, read_rows
from netpromoter.exceptions import (
    ColumnLengthError,
    InvalidParameterError,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._input.source import EagerSource
    from netpromoter._validation import MissingPolicy


def _aspect_columns(
    data: object,
    aspects: Sequence[str] | Mapping[str, object],
    score: str,
    missing: MissingPolicy,
) -> tuple[EagerSource, dict[str, object]]:
    """Read the scores and the aspect columns (named in ``data``, or given), input rows."""
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
        source = read_rows(data, score, (), missing)
        columns = dict(aspects)
        lengths = {name: len(values) for name, values in columns.items()}  # type: ignore[arg-type]
        n_rows = source.table.n_rows
        if any(n != n_rows for n in lengths.values()):
            raise ColumnLengthError({score: n_rows, **lengths})
        return source, columns
    names = list(check_names(aspects, "aspects"))
    if len(set(names)) != len(names):
        msg = f"aspects must be distinct, got {names!r}"
        raise InvalidParameterError(msg, name="aspects", value=names)
    source = read_rows(data, score, names, missing)
    return source, {name: source.table.values(name) for name in names}


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
    source: EagerSource,
    ratings: list[NDArray[np.float64]],
    scales: list[tuple[float, float] | None],
    *,
    method: Method,
    confidence_level: float,
) -> _Split:
    """NPS of the low and high raters of every aspect, and their gaps.

    The low raters of aspect ``j`` (below the middle of its scale) are group ``2j`` of
    one tally of ``source``'s subsets, its high raters group ``2j + 1`` (both empty
    without a scale). The gap of aspect ``j`` is NPS(high) − NPS(low) of two
    independent samples.
    """
    none = np.zeros(len(source.scores), dtype=bool)
    masks: list[NDArray[np.bool_]] = []
    for rating, scale in zip(ratings, scales, strict=True):
        if scale is None:
            masks += [none, none]
        else:
            middle = (scale[0] + scale[1]) / 2.0
            masks += [rating < middle, rating > middle]
    tallied = source.subsets(masks)
    low = tallied.take(np.arange(0, tallied.n_groups, 2))
    high = tallied.take(np.arange(1, tallied.n_groups, 2))
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
        return Interval(float(split.estimate.lower[g]), float(split.estimate.upper[g]))

    return {
        "n_low": n_low,
        "nps_low": float(split.estimate.nps[low]) if n_low else None,
        "nps_low_ci": interval(low) if n_low else None,
        "n_high": n_high,
        "nps_high": float(split.estimate.nps[high]) if n_high else None,
        "nps_high_ci": interval(high) if n_high else None,
        "nps_gap": float(split.gap.raw_delta[j]) if both else None,
        "nps_gap_ci": Interval(float(split.gap.lower[j]), float(split.gap.upper[j]))
        if both
        else None,
    }


def _performance_interval(
    rating: NDArray[np.float64], scale: tuple[float, float] | None, level: float
) -> Interval | None:
    """The t interval of the mean rating, on the 0..1 performance scale."""
    values = rating[~np.isnan(rating)]
    if scale is None or scale[1] <= scale[0] or len(values) < 2:  # noqa: PLR2004
        return None
    se = float(np.std(values, ddof=1)) / math.sqrt(len(values))
    half = float(_stats.student_quantile((1.0 - level) / 2.0, float(len(values) - 1))) * se
    mean = float(values.mean())
    low, high = scale
    return Interval((mean - half - low) / (high - low), (mean + half - low) / (high - low))
