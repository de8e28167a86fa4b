"""Key drivers: which aspects of the experience go with the recommend score."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from netpromoter import _stats
from netpromoter._correlation import correlate
from netpromoter._validation import (
    MissingPolicy,
    check_int,
    validate_ratings,
)
from netpromoter.drivers.aspects import (
    _aspect_columns,
    _correlation_fields,
    _flag,
    _low_high_nps,
    _performance_interval,
    _scale_of,
    _split_fields,
)
from netpromoter.drivers.fields import Method, _check_not_empty, _check_options, _opt
from netpromoter.drivers.importance import (
    _fit,
    _fit_fields,
    _importance_fields,
    _notes,
    _quadrant,
    _quadrant_note,
)
from netpromoter.drivers.result import DriverRow, KeyDriverResult
from netpromoter.exceptions import (
    InsufficientDataError,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


#: Most bootstrap replicates of ``key_drivers`` (beyond, the intervals gain nothing).
MAX_RESAMPLES = 10**6


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
    column, columns = _aspect_columns(data, aspects, score, missing)
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
    split = _low_high_nps(column, ratings, scales, method=method, confidence_level=level)
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
        **_fit_fields(model, n),
        confidence_level=level,
        method=method,
        n_resamples=n_resamples,
        seed=seed,
        notes=_notes(
            model,
            n=n,
            n_missing=column.n_missing,
            n_model=len(in_model),
            n_resamples=n_resamples,
            seed=seed,
        ),
    )
