"""The public trend(): read, tally per period, estimate, test, and build the result."""

from __future__ import annotations

import warnings
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np

from netpromoter import _stats
from netpromoter._input import frames, times
from netpromoter._input.factors import Factor
from netpromoter._stats.design import as_design
from netpromoter._validation import (
    Correction,
    check_choice,
    check_correction,
    check_int,
    check_names,
)
from netpromoter.exceptions import (
    FirstTimeRespondentWarning,
    InvalidParameterError,
)
from netpromoter.trends.counts import _engine_counts, _in_memory, _memory_counts, _window
from netpromoter.trends.design import _DesignRows
from netpromoter.trends.overlap import _Overlap, _paired_sums
from netpromoter.trends.periods import MAX_PERIODS
from netpromoter.trends.respondents import _respondents, _transitions, _units
from netpromoter.trends.result import TrendResult
from netpromoter.trends.rows import (
    ALL,
    Change,
    Method,
    RespondentRow,
    TransitionRow,
    TrendRow,
    _interval,
    _none,
)
from netpromoter.trends.verdicts import _Tested, _verdict

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import timedelta, tzinfo

    from netpromoter._validation import MissingPolicy


_SHOWN = 6


def _check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    return check_int(value, name, minimum=minimum, maximum=maximum)


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        msg = f"alpha must be a number strictly between 0 and 1 (e.g. 0.05), got {alpha!r}"
        raise InvalidParameterError(msg, name="alpha", value=alpha)
    return float(alpha)


def _keys(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    return check_names(by, "by", allow_empty=True)


def trend(  # noqa: C901, PLR0912, PLR0915 - one pipeline, read top to bottom
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
    array or a column) keep the plain linearisation SE and independent periods.

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
            ``weights`` attribute; a weighting result (with a ``design_se`` method) also
            gives its design-based SEs.
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
    keys = _keys(by)
    the_period = times.check_period(period)
    zone = times.check_zone(timezone)
    naive_zone = (
        None if naive_timezone is None else times.check_zone(naive_timezone, "naive_timezone")
    )
    rolling = _check_int("rolling", rolling, 1, MAX_PERIODS)
    min_n = _check_int("min_n", min_n, 0)
    alpha = _check_alpha(alpha)
    correction = check_correction(correction)
    _stats.z_value(confidence_level)
    check_choice(method, "method", _stats.METHODS)
    # The score interval is one-sample only; changes are then tested with adjusted Wald.
    test_method = _stats.difference_method(method)
    if origin is not None and (not isinstance(origin, date) or isinstance(origin, datetime)):
        msg = f"origin must be a date (a calendar day, not a datetime), got {origin!r}"
        raise InvalidParameterError(msg, name="origin", value=origin)

    if frames.is_lazy(data):
        if respondent is not None:
            msg = (
                f"respondent={respondent!r} needs every answer of each respondent (first-time "
                "and returning respondents, transitions, the paired test), so it needs "
                "in-memory data: collect the columns it needs first (a lazy frame's trend "
                "without respondent runs on its engine)"
            )
            raise InvalidParameterError(msg, name="respondent", value=respondent)
        counts = _engine_counts(
            data,
            time=time,
            score=score,
            weights=weights,
            keys=keys,
            missing=missing,
            zone=zone,
            naive_zone=naive_zone,
            period=the_period,
            origin=origin,
        )
    else:
        counts = _memory_counts(
            data,
            time=time,
            score=score,
            weights=weights,
            keys=keys,
            respondent=respondent,
            missing=missing,
            zone=zone,
            naive_zone=naive_zone,
            period=the_period,
            origin=origin,
        )
    base, segments, n_segments = counts.base, counts.segments, counts.n_segments
    n_periods, first, origin_day, labels = (
        counts.n_periods,
        counts.first,
        counts.origin_day,
        counts.labels,
    )
    # Series × periods: segments first (when any), the overall series last.
    if segments is not None:
        stacked = base.map(lambda a: np.concatenate([np.swapaxes(a, 0, 1), a.sum(axis=1)[None]]))
    else:
        stacked = base.map(lambda a: a[None])
    pooled = _window(stacked, rolling)
    n_series = pooled.count.shape[0]
    flat = pooled.map(lambda a: a.reshape(-1, a.shape[-1]))
    weighted = counts.weighted
    design = as_design(weights)
    design_rows = design_se = None
    if design is not None:
        rows_used = _in_memory(counts.rows, "a weighting result as weights")
        design_rows = _DesignRows(
            design,
            rows_used.scores,
            rows_used.kept,
            rows_used.periods.astype(np.intp),
            None if rows_used.segments is None else rows_used.segments.astype(np.intp),
            n_periods=n_periods,
            n_segments=n_segments if segments is not None else 0,
            rolling=rolling,
        )
        design_se = design_rows.ses()
    est = _stats.estimate(
        flat,
        weighted=weighted,
        method=method,
        confidence_level=confidence_level,
        design_se=design_se,
    )
    n = flat.count.sum(axis=1)
    totals = _stats.by_category(flat.weight_sums())
    share = _stats.shares(flat)
    eff = _stats.effective_n(flat)

    # Comparisons: previous (non-overlapping) window and a year before.
    later = np.arange(n_periods, dtype=np.intp)
    previous = later - rolling
    year: list[int] = []
    for i in range(n_periods):
        before = times.year_before(first + i, the_period)
        idx = -1 if before is None else before - first
        year.append(idx if 0 <= idx <= i - rolling else -1)
    year_ago = np.asarray(year, dtype=np.intp)

    overlap: _Overlap | None = None
    overlap_seg: _Overlap | None = None
    respondent_rows: tuple[RespondentRow, ...] = ()
    transition_rows: tuple[TransitionRow, ...] = ()
    if respondent is not None:
        used = _in_memory(counts.rows, f"respondent={respondent!r}")
        unit = _units(used.table.factor(respondent).take(used.kept))
        s = (used.scores >= 9).astype(np.int8) - (used.scores <= 6).astype(np.int8)  # noqa: PLR2004
        base_codes = used.periods.astype(np.int64)
        overlap, overlap_seg = _Overlap.build(
            units=unit,
            periods=base_codes,
            series=None if used.segments is None else used.segments.astype(np.int64),
            n_series=n_segments,
            times=used.local,
            s=s,
            # At the tally's power of two, so the overlap sums match its weight sums.
            weights=None if used.weights is None else np.ldexp(used.weights, -flat.exponent),
            n_periods=n_periods,
        )
        respondent_rows = _respondents(
            unit=unit,
            periods=base_codes,
            labels=labels,
            scores=used.scores,
            weights=used.weights,
            period_factor=Factor(used.periods, labels, time),
            weighted=weighted,
            method=method,
            confidence_level=confidence_level,
        )
        transition_rows = _transitions(
            overlap,
            labels,
            method=test_method,
            confidence_level=confidence_level,
            correction=correction,
        )
        flagged = [r.period for r in respondent_rows if r.mostly_first_time]
        if flagged:
            shown = ", ".join(flagged[:_SHOWN]) + (
                f" and {len(flagged) - _SHOWN} more" if len(flagged) > _SHOWN else ""
            )
            warnings.warn(
                f"{len(flagged)} periods rest mostly on first-time respondents ({shown}): "
                "their change reflects a different sample more than changed opinions; "
                "see TrendResult.respondents",
                FirstTimeRespondentWarning,
                stacklevel=2,
            )

    tested: list[_Tested] = []
    for name, ref in (("previous", previous), ("year", year_ago)):
        valid = np.flatnonzero(ref >= 0)
        if not len(valid):
            continue
        b_idx = (np.arange(n_series)[:, None] * n_periods + valid[None, :]).ravel()
        a_idx = (np.arange(n_series)[:, None] * n_periods + ref[valid][None, :]).ravel()
        a = flat.take(a_idx)
        b = flat.take(b_idx)
        covariance = paired = None
        n_overlap = np.zeros((n_series, len(valid)), dtype=np.int64)
        if overlap is not None:
            paired = _paired_sums(overlap, overlap_seg, ref[valid], valid, rolling)
            n_overlap = paired.cross.n.reshape(n_series, len(valid))
        if design_rows is not None and design_se is not None:
            contrast = design_rows.contrast_ses(ref)[b_idx]
            se_a, se_b = design_se[a_idx], design_se[b_idx]
            covariance = np.nan_to_num((se_a * se_a + se_b * se_b - contrast * contrast) / 2.0)
        diff = _stats.difference(
            a,
            b,
            weighted=weighted,
            method=test_method,
            confidence_level=confidence_level,
            covariance=covariance,
            overlap=paired,
            design_se=None if design_se is None else (design_se[a_idx], design_se[b_idx]),
            reference="t",
        )
        has = (n[a_idx] > 0) & (n[b_idx] > 0)
        enough = (n[a_idx] >= max(min_n, 1)) & (n[b_idx] >= max(min_n, 1))
        tested.append(_Tested(name, ref, valid, diff, has, enough, n_overlap))
    # One family: every comparison that can get a verdict, in every series and both kinds.
    none = np.zeros(0)
    raw_p = np.concatenate([none, *(t.diff.p_value for t in tested)])
    family = np.concatenate([none > 0, *(t.enough & ~np.isnan(t.diff.p_value) for t in tested)])
    adjusted = np.full(len(raw_p), np.nan)
    adjusted[family] = _stats.adjust(raw_p[family], correction)
    n_tests = int(family.sum())
    changes: dict[str, list[list[Change | None]]] = {
        name: [[None] * n_periods for _ in range(n_series)] for name in ("previous", "year")
    }
    start = 0
    for t in tested:
        p_adjusted = adjusted[start : start + len(t.diff.p_value)]
        start += len(t.diff.p_value)
        verdicts = _verdict(t.diff.delta, p_adjusted, t.enough, alpha)
        grid = changes[t.name]
        k = 0
        for series_index in range(n_series):
            for j, later_index in enumerate(t.valid.tolist()):
                has = bool(t.has[k])
                grid[series_index][later_index] = Change(
                    reference=labels[int(t.ref[later_index])],
                    delta=float(t.diff.raw_delta[k]) if has else None,
                    se=_none(float(t.diff.se[k])) if has else None,
                    df=_none(float(t.diff.df[k])) if has else None,
                    ci=_interval(float(t.diff.lower[k]), float(t.diff.upper[k])) if has else None,
                    p_value=_none(float(t.diff.p_value[k])) if has else None,
                    p_adjusted=_none(float(p_adjusted[k])) if has else None,
                    n_overlap=int(t.n_overlap[series_index, j]),
                    verdict=verdicts[k],
                )
                k += 1

    bounds = [times.period_bounds(first + i, the_period, origin_day) for i in range(n_periods)]
    if segments is not None:
        series_keys = [segments.labels(g) for g in range(n_segments)] + [(ALL,) * len(keys)]
    else:
        series_keys = [()]
    rows: list[list[TrendRow]] = []
    for si, key in enumerate(series_keys):
        series_rows = []
        for i in range(n_periods):
            g = si * n_periods + i
            size = int(n[g])
            has = size > 0
            t = totals[g]
            series_rows.append(
                TrendRow.model_construct(
                    key=key,
                    period=labels[i],
                    start=bounds[max(i - rolling + 1, 0)][0],
                    end=bounds[i][1],
                    n=size,
                    detractors=float(t[0]) if weighted else int(t[0]),
                    passives=float(t[1]) if weighted else int(t[1]),
                    promoters=float(t[2]) if weighted else int(t[2]),
                    detractor_share=float(share[g, 0]) if has else None,
                    passive_share=float(share[g, 1]) if has else None,
                    promoter_share=float(share[g, 2]) if has else None,
                    nps=_none(float(est.nps[g])) if has else None,
                    se=_none(float(est.se[g])) if has else None,
                    ci=_interval(float(est.lower[g]), float(est.upper[g])) if has else None,
                    effective_n=float(eff[g]) if has else 0.0,
                    small_sample=size < min_n,
                    vs_previous=changes["previous"][si][i],
                    vs_year_ago=changes["year"][si][i],
                )
            )
        rows.append(series_rows)
    overall_rows = tuple(rows[-1])
    if segments is not None:
        # Segments in display order (labels sorted, "(missing)" last), empty ones left out.
        ranks = [f.ranks() for f in segments.factors]
        display = sorted(
            range(n_segments),
            key=lambda g: tuple(
                int(r[c]) for r, c in zip(ranks, segments.key_codes[g], strict=True)
            ),
        )
        present = [rows[g] for g in display if any(x.n for x in rows[g])]
        all_rows = tuple(x for r in present for x in r)
    else:
        all_rows = overall_rows
    return TrendResult(
        time=time,
        period=the_period.name,
        timezone=str(getattr(zone, "key", zone)),
        rolling=rolling,
        by=keys,
        rows=all_rows,
        overall=overall_rows,
        respondents=respondent_rows,
        transitions=transition_rows,
        min_n=min_n,
        alpha=alpha,
        correction=correction,
        n_comparisons=n_tests,
        method=method,
        confidence_level=confidence_level,
        weighted=weighted,
    )
