"""The public ``trend()``: read, tally per period, estimate, compare, and build the result.

``trend`` is a composition of the shared pieces: [`prepare`][netpromoter._input.source.prepare]
reads the input once, [`count_periods`][netpromoter.trends.counts.count_periods] tallies it
per period × segment, the statistics layer estimates every row and tests every change
([`compare`][netpromoter.trends.verdicts.compare]), and
[`series_rows`][netpromoter.trends.series.series_rows] lays the rows out for the result.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np

from netpromoter import _stats
from netpromoter._input import times
from netpromoter._input.factors import factorise
from netpromoter._input.source import prepare
from netpromoter._validation import (
    Correction,
    check_names,
)
from netpromoter.exceptions import InvalidParameterError
from netpromoter.trends.counts import (
    Counts,
    Timing,
    check_empty,
    check_weights,
    count_periods,
    counts_of_days,
)
from netpromoter.trends.design import design_rows
from netpromoter.trends.options import Options, check_options, check_when
from netpromoter.trends.respondents import panel
from netpromoter.trends.result import TrendResult
from netpromoter.trends.series import series_rows
from netpromoter.trends.verdicts import compare

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import timedelta, tzinfo

    from netpromoter._tally import Tally
    from netpromoter._validation import MissingPolicy
    from netpromoter.trends.rows import Method


def trend(
    data: object,
    *,
    time: str = "submitted_at",
    period: str | int | timedelta = "month",
    by: str | Sequence[str] | None = None,
    weights: object = None,
    score: str = "score",
    respondent: str | None = None,
    timezone: str | tzinfo = "UTC",
    naive_timezone: str | tzinfo | None = None,
    rolling: int = 1,
    origin: date | None = None,
    missing: MissingPolicy = "raise",
    min_n: int = 30,
    alpha: float = 0.05,
    correction: Correction = "holm",
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
) -> TrendResult:
    """NPS per period, with the change against the previous period and a year before.

    Each response is bucketed by its local calendar date in ``timezone``; the keys
    period × segment are combined into one code per row and counted by the tally engine
    in one pass, as ``segment`` does. Every period from the first to the last appears.

    Changes: each period is compared with the previous one (with ``rolling = k``, with
    the window ``k`` periods back, so the two windows share no period) and with the same
    period a year earlier when that is in the data (months 12 back, quarters 4, ISO
    weeks by week number, days by date; fixed windows have none). The test is the
    two-sample z test of ``method``; with ``respondent``, the covariance of the two
    periods' scores from respondents who answered in both is subtracted from the
    variance (see [`adjusted_covariance`][netpromoter._stats.adjusted_covariance]).

    Verdicts are corrected for multiple comparisons: a table of 8 regions × 13 months
    makes over a hundred comparisons, and at ``alpha = 0.05`` uncorrected p-values call
    about five of them significant when nothing changed at all. The p-values of every
    comparison that gets a verdict (both kinds, every series, the overall one included)
    are adjusted together (Holm by default, as ``segment``), and the verdict compares
    the adjusted p-value with ``alpha``; ``Change.p_value`` keeps the raw one.

    With a weighting result as ``weights`` (from
    [`poststratify`][netpromoter.weighting.poststratify],
    [`rake`][netpromoter.weighting.rake], [`trim`][netpromoter.weighting.trim],
    [`account_weights`][netpromoter.weighting.account_weights]...), each row (a period,
    a rolling window of periods, of the overall series or of one segment) is a domain of
    that calibrated design: its SE is the one R ``survey`` gives for
    ``svyby(~I(promoter - detractor), ~period, d, svymean)`` (``~period + segment`` for
    the segment series; a rolling row's domain is all answers of its window's periods),
    cluster-robust for account weights. A change is the domain contrast of its two rows,
    with the covariance the calibration induces between them (the two rows share no
    answer; R ``svycontrast(svytotal(~ys + s + yr + r, d), quote(ys / s - yr / r))``),
    not two independent samples; with ``respondent`` too, the overlap covariance of
    repeat respondents is added to the calibration's. Plain weights (an
    array or a column) keep the plain linearisation SE and independent periods. A lazy
    frame weighted per cell (a
    [`CellWeightingResult`][netpromoter.weighting.CellWeightingResult] of that frame)
    gets the same SEs and contrasts from the engine's counts per period × segment, cell
    and category.

    Args:
        data: A list of ``Response``, a mapping of column name to array/list, a
            pandas, polars or pyarrow table, or a lazy or distributed frame (polars
            ``LazyFrame``, Dask, PySpark, DuckDB), which is tallied on its own engine
            per time bucket × segment × score (see the how-to "Running on Spark and
            Dask"); the results are those of the same rows in memory.
        time: The time column: timezone-aware datetimes, ISO 8601 text with an offset
            (``2026-01-31T09:00:00+01:00``, ``...Z``), or dates.
        period: ``"day"``, ``"week"`` (ISO, Monday to Sunday), ``"month"``,
            ``"quarter"``, ``"year"``, or a fixed window of ``N`` days (``30``,
            ``"30D"``, ``timedelta(days=30)``) counted from ``origin``.
        by: Optional segment column(s): one series per segment.
        weights: ``None``, a weights column, an array, or an object with a numpy
            ``weights`` attribute; a weighting result (which carries its ``Design``)
            also gives its design-based SEs, as does the ``CellWeightingResult`` of a
            lazy frame given with that frame.
        score: The score column.
        respondent: Optional respondent id column: enables first-time/returning splits,
            transitions and the paired change test. An answer without an id counts as
            a first-time respondent of its own (it never pairs with another).
        timezone: Zone whose calendar the periods follow (IANA name or ``tzinfo``).
        naive_timezone: Zone of naive timestamps; without it they are an error.
        rolling: Pool each row with the ``rolling − 1`` periods before it.
        origin: First day of the first fixed window (default: the first day in the data).
        missing: ``"raise"`` (default) or ``"drop"`` for missing scores.
        min_n: Rows with fewer responses are flagged ``small_sample``, and changes
            involving one get the verdict ``"not enough data"``.
        alpha: Significance level of the verdicts.
        correction: ``"holm"`` (default; family-wise error), ``"bh"`` (Benjamini–
            Hochberg, false discovery rate) or ``"none"`` (each comparison on its own).
        method: Interval method of each period, ``"adjusted_wald"`` (default),
            ``"wald"``, ``"score"`` or ``"exact"`` (unweighted only); changes are tested
            with Wald for ``"wald"`` and adjusted Wald otherwise (the score and exact
            intervals are one-sample only).
        confidence_level: Two-sided confidence level of every interval.

    Returns:
        The trend.

    Raises:
        ColumnNotFoundError: A named column does not exist.
        InvalidTimeError: Time values are missing, unparseable or naive (rows named).
        InvalidParameterError: An unknown period, zone or option; ``respondent`` or
            weights that are not a column with a lazy frame (they need in-memory data).
        InvalidScoreError: A score is invalid.
        InvalidWeightsError: Weights are invalid or all zero, or a weighting result
            is for other rows than ``data``'s.
        EmptyDataError: There are no scores.

    Warns:
        FirstTimeRespondentWarning: With ``respondent``, when a period after the first
            rests mostly on first-time respondents.

    Examples:
        >>> data = {
        ...     "score": [9, 10, 6, 10, 3, 2],
        ...     "submitted_at": [
        ...         "2026-01-10T09:00:00+01:00", "2026-01-31T23:30:00Z",
        ...         "2026-01-20T12:00:00Z", "2026-03-02T08:00:00Z",
        ...         "2026-03-05T08:00:00Z", "2026-03-09T08:00:00Z",
        ...     ],
        ... }
        >>> t = trend(data, min_n=1)
        >>> [(r.period, r.n, None if r.nps is None else round(r.nps, 1)) for r in t]
        [('2026-01', 3, 33.3), ('2026-02', 0, None), ('2026-03', 3, -33.3)]
        >>> [r.period for r in trend(data, timezone="Europe/Amsterdam", min_n=1)][:2]
        ['2026-01', '2026-02']
        >>> trend(data, timezone="Europe/Amsterdam", min_n=1)[1].n
        1
    """
    when = check_when(period, timezone, naive_timezone, rolling, origin)
    opts = check_options(when, min_n, alpha, correction, method, confidence_level)
    keys = () if by is None else check_names(by, "by", allow_empty=True)
    columns = [time] if respondent is None else [time, respondent]
    source = prepare(data, score=score, weights=weights, by=keys, columns=columns, missing=missing)
    if respondent is not None:
        source.rows(f"respondent={respondent!r}")  # refused for a lazy frame
    counts = count_periods(
        source,
        Timing(time, opts.zone, opts.naive_zone, opts.period, origin),
    )
    return trend_of_counts(
        counts,
        time=time,
        by=keys,
        options=opts,
        method=method,
        weights=weights,
        respondent=respondent,
    )


def trend_of_counts(
    counts: Counts,
    *,
    time: str,
    by: tuple[str, ...],
    options: Options,
    method: Method,
    weights: object = None,
    respondent: str | None = None,
) -> TrendResult:
    """A trend from its period × segment × score tally: everything after the counting.

    [`trend`][netpromoter.trends.trend] and
    [`trend_from_tally`][netpromoter.trends.trend_from_tally] both end here, so a
    trend of tallies and a trend of rows are computed by the same code.
    """
    opts, keys, confidence_level = options, by, options.confidence_level
    flat = counts.series(opts.rolling)
    design = design_rows(weights, counts, opts.rolling)
    design_se = None if design is None else design.ses()
    estimate = _stats.estimate(
        flat,
        weighted=counts.weighted,
        method=method,
        confidence_level=confidence_level,
        design_se=design_se,
    )
    repeat = None
    if respondent is not None:
        repeat = panel(
            counts,
            respondent,
            exponent=flat.exponent,
            method=method,
            test_method=opts.test_method,
            confidence_level=confidence_level,
            correction=opts.correction,
        )
    compared = compare(
        flat,
        counts.periods.references(opts.rolling),
        counts.periods.labels,
        opts,
        panel=repeat,
        design=design,
        design_se=design_se,
    )
    rows, overall = series_rows(
        counts, flat, estimate, compared.changes, rolling=opts.rolling, min_n=opts.min_n
    )
    return TrendResult(
        time=time,
        period=opts.period.name,
        timezone=str(getattr(opts.zone, "key", opts.zone)),
        rolling=opts.rolling,
        by=keys,
        rows=rows,
        overall=overall,
        respondents=() if repeat is None else repeat.respondents,
        transitions=() if repeat is None else repeat.transitions,
        min_n=opts.min_n,
        alpha=opts.alpha,
        correction=opts.correction,
        n_comparisons=compared.n_comparisons,
        method=method,
        confidence_level=confidence_level,
        weighted=counts.weighted,
    )


def trend_from_tally(
    tally: Tally,
    *,
    period: str | int | timedelta = "month",
    timezone: str | tzinfo = "UTC",
    rolling: int = 1,
    origin: date | None = None,
    min_n: int = 30,
    alpha: float = 0.05,
    correction: Correction = "holm",
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
) -> TrendResult:
    """The trend of a tally per local day × segment × score, as ``trend`` gives of the rows.

    For data counted piece by piece (a file in chunks, partitions, ...): each piece is
    tallied per local calendar day and segment, the tallies are merged with ``+``, and
    the merged tally gives the same ``TrendResult`` as [`trend`][netpromoter.trends.trend]
    of all the rows, with no row kept. The days are added into periods here, with the
    same code as ``trend``'s.

    Args:
        tally: A labelled tally: ``tally.by`` is the time column's name, then the segment
            columns (none for one series); each group's first label is its local date
            (a ``datetime.date`` in ``timezone``'s calendar), the others its segment's.
        period: As in ``trend``.
        timezone: The zone the dates are local to (kept on the result).
        rolling: As in ``trend``.
        origin: As in ``trend``.
        min_n: As in ``trend``.
        alpha: As in ``trend``.
        correction: As in ``trend``.
        method: As in ``trend``.
        confidence_level: As in ``trend``.

    Returns:
        The trend.

    Raises:
        InvalidParameterError: An unknown option, a tally without labels or without a
            time key, or a first label that is not a date.
        EmptyDataError: The tally holds no scores.
        InvalidWeightsError: Its weights are all zero.

    Examples:
        >>> import numpy as np
        >>> from datetime import date
        >>> from netpromoter._tally import Tally
        >>> counts = np.zeros((3, 11), dtype=np.int64)
        >>> counts[0, [9, 10, 6]] = 1; counts[1, 10] = 1; counts[2, [3, 2]] = 1
        >>> t = Tally.of_counts(counts, by=("submitted_at",), labels=[
        ...     (date(2026, 1, 10),), (date(2026, 3, 2),), (date(2026, 3, 5),)])
        >>> [(r.period, r.n) for r in trend_from_tally(t, min_n=1)]
        [('2026-01', 3), ('2026-02', 0), ('2026-03', 3)]
    """
    when = check_when(period, timezone, None, rolling, origin)
    opts = check_options(when, min_n, alpha, correction, method, confidence_level)
    labels = tally.labels
    if labels is None or not tally.by:
        msg = "trend_from_tally needs a tally labelled by its time column first (by=(time, ...))"
        raise InvalidParameterError(msg, name="tally", value=tally.by)
    dates = [g[0] for g in labels if isinstance(g[0], date) and not isinstance(g[0], datetime)]
    if len(dates) < len(labels):
        bad = next(g[0] for g in labels if g[0] not in dates)
        msg = f"the first label of each group must be a date (datetime.date), got {bad!r}"
        raise InvalidParameterError(msg, name="tally", value=bad)
    time, keys = tally.by[0], tally.by[1:]
    n_rows = tally.count.sum(axis=1)
    check_empty(int(n_rows.sum()), tally.n_missing)
    check_weights(int(n_rows.sum()), float(tally.sum_w.sum()) if tally.weighted else None)
    days = np.fromiter((times.date_number(d) for d in dates), np.int64, len(dates))
    factors = []
    for j, name in enumerate(keys, start=1):
        column = np.empty(len(labels), dtype=object)
        column[:] = [g[j] for g in labels]
        factors.append(factorise(column, name))
    counts, _, _ = counts_of_days(
        tally, days, n_rows > 0, factors, period=opts.period, origin=origin
    )
    return trend_of_counts(counts, time=time, by=keys, options=opts, method=method)
