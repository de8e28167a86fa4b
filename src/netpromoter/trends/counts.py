"""The period × segment × score tally a trend computes everything else from."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from netpromoter._input import engine as _engine
from netpromoter._input import engine_times, times
from netpromoter._input.columns import Table, read_table
from netpromoter._input.factors import Factor, Grouping, code_dtype, combine
from netpromoter._scale import N_SCORES
from netpromoter._tally import Tally, retally, tally
from netpromoter._validation import (
    describe_values,
)
from netpromoter.exceptions import (
    EmptyDataError,
    InvalidParameterError,
    InvalidWeightsError,
)
from netpromoter.trends.periods import _check_cells, _periods

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, tzinfo

    from numpy.typing import NDArray

    from netpromoter._validation import MissingPolicy


def _dense_tally(
    factors: Sequence[Factor],
    scores: NDArray[np.integer] | None = None,
    weights: NDArray[np.float64] | None = None,
    *,
    counted: Tally | None = None,
) -> Tally:
    """One pass of the tally engine over combined factors, as a dense ``(*levels, 11)`` tally.

    With ``counted`` (a tally with one row per element of the factors, e.g. a lazy
    frame's aggregate), its rows are added up by group instead of counting scores.
    """
    grouping = combine(factors)
    if counted is None:
        if scores is None:  # pragma: no cover - internal misuse
            msg = "give scores or a tally"
            raise ValueError(msg)
        counted = tally(scores, weights, grouping.codes, grouping.sizes)
    else:
        counted = retally(counted, grouping.codes, grouping.sizes)
    shape = tuple(max(len(f.levels), 1) for f in factors)
    if len(grouping.codes) == len(factors):  # dense: every combination, mixed-radix order
        return counted.map(lambda a: a.reshape(*shape, N_SCORES))
    # Compact: only the combinations that occur; put them in their dense places.
    index = np.ravel_multi_index(tuple(grouping.key_codes.T), shape)

    def scatter(a: NDArray[Any]) -> NDArray[Any]:
        out = np.zeros((math.prod(shape), N_SCORES), dtype=a.dtype)
        out[index] = a
        return out.reshape(*shape, N_SCORES)

    return counted.map(scatter)


def _window(t: Tally, length: int) -> Tally:
    """Pool each period with the ``length − 1`` before it (along the period axis 1)."""
    if length == 1:
        return t

    def pooled(a: NDArray[Any]) -> NDArray[Any]:
        out: NDArray[Any] = a.copy()
        for lag in range(1, length):
            out[:, lag:] += a[:, :-lag]
        return out

    return t.map(pooled)


class _Rows(NamedTuple):
    """The rows of an in-memory trend, for what needs them beyond the tally.

    Attributes:
        table: The columns read.
        scores: Validated scores of the rows used.
        kept: Which input rows they are (``None``: all).
        weights: Their weights, or ``None``.
        periods: Period code per score.
        segments: Segment code per score, or ``None`` without ``by``.
        local: Local wall-clock seconds per score.
    """

    table: Table
    scores: NDArray[np.integer]
    kept: NDArray[np.bool_] | None
    weights: NDArray[np.float64] | None
    periods: NDArray[np.unsignedinteger[Any]]
    segments: NDArray[np.unsignedinteger[Any]] | None
    local: NDArray[np.int64]


class _Counts(NamedTuple):
    """What ``trend`` computes everything else from: the period × segment × score tally.

    Attributes:
        base: Dense tally, ``(n_periods, 11)`` or ``(n_periods, n_segments, 11)``.
        segments: The segment grouping, or ``None`` without ``by``.
        n_segments: Number of segments (1 without ``by``).
        n_periods: Number of periods, from the first in the data to the last.
        first: Number of the first period (since the epoch).
        origin_day: First day of the first fixed window (days since the epoch).
        labels: Period labels.
        weighted: Whether weights were used.
        rows: The rows (in-memory data only; ``None`` for a lazy frame).
    """

    base: Tally
    segments: Grouping | None
    n_segments: int
    n_periods: int
    first: int
    origin_day: int
    labels: tuple[str, ...]
    weighted: bool
    rows: _Rows | None


def _in_memory(rows: _Rows | None, option: str) -> _Rows:
    if rows is None:  # pragma: no cover - lazy frames are refused before
        msg = f"{option} needs in-memory data"
        raise InvalidParameterError(msg, name="data", value=None)
    return rows


def _check_totals(n_total: int, n_missing: int, sum_w: float | None) -> None:
    """No scores, or weights all zero: the errors of both paths, in the same words."""
    if n_total == 0:
        detail = f" (all {n_missing} scores were missing)" if n_missing else ""
        msg = f"no scores for a trend{detail}; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    if sum_w is not None and not sum_w > 0:
        msg = f"all {n_total} weights are zero; at least one weight must be positive"
        raise InvalidWeightsError(msg)


def _memory_counts(
    data: object,
    *,
    time: str,
    score: str,
    weights: object,
    keys: tuple[str, ...],
    respondent: str | None,
    missing: MissingPolicy,
    zone: tzinfo,
    naive_zone: tzinfo | None,
    period: times.Period,
    origin: date | None,
) -> _Counts:
    """Read, validate and tally in-memory data, one pass of the tally engine."""
    needed = [score, time, *keys]
    needed += [respondent] if respondent is not None else []
    needed += [weights] if isinstance(weights, str) else []
    table = read_table(data, needed)
    column = table.scores(score, missing=missing)
    w = table.weights(weights)
    kept = column.kept
    if w is not None and kept is not None:
        w = w[kept]
    n_total = len(column.scores)
    _check_totals(n_total, column.n_missing, None if w is None else float(w.sum()))
    local = times.local_seconds(
        table.columns[time], name=time, zone=zone, naive_zone=naive_zone, rows=kept
    )
    # Periods: numbers since the epoch, then codes from the first period in the data.
    spans = _periods(local // times.DAY, period, origin)
    factors = [table.factor(name).take(kept) for name in keys]
    segments = combine(factors) if factors else None
    n_segments = segments.n_groups if segments is not None else 1
    _check_cells(spans.n_periods, n_segments, period)
    codes = np.empty(n_total, dtype=code_dtype(spans.n_periods))
    for start in range(0, n_total, 1 << 17):
        codes[start : start + (1 << 17)] = spans.numbers[start : start + (1 << 17)] - spans.first
    parts = [Factor(codes, spans.labels, time)]
    segment_codes = segments.group_codes() if segments is not None else None
    if segment_codes is not None:
        parts.append(Factor(segment_codes, tuple(range(n_segments)), "segment"))
    return _Counts(
        base=_dense_tally(parts, column.scores, w),
        segments=segments,
        n_segments=n_segments,
        n_periods=spans.n_periods,
        first=spans.first,
        origin_day=spans.origin_day,
        labels=spans.labels,
        weighted=w is not None,
        rows=_Rows(table, column.scores, kept, w, codes, segment_codes, local),
    )


_NO_POSITIONS = "(rows of a lazy frame have no positions)"


def _engine_counts(
    data: object,
    *,
    time: str,
    score: str,
    weights: object,
    keys: tuple[str, ...],
    missing: MissingPolicy,
    zone: tzinfo,
    naive_zone: tzinfo | None,
    period: times.Period,
    origin: date | None,
) -> _Counts:
    """Tally a lazy frame on its engine per time bucket × segment × score; periods locally.

    The engine groups by the ``by`` keys, a time key (see
    [`engine_times`][netpromoter._input.engine_times]) and the score bin, and returns one row
    per group (validation counted alongside, as for ``segment``). Locally, each time
    key becomes local seconds and a period with the in-memory time code, and the
    engine's tallies are added per period × segment by
    [`retally`][netpromoter._tally.retally]. When some bucket straddles a local day
    (an offset that is not whole quarter hours), the engine is asked again per second.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    frame = nw.from_native(data)  # type: ignore[call-overload]
    schema = frame.collect_schema()
    needed = [score, time, *keys, *([weights] if isinstance(weights, str) else [])]
    _engine.check_columns(list(schema.names()), needed)
    is_naive = getattr(schema[time], "time_zone", "") is None
    cuts = engine_times.cuts_for(zone, naive_zone if is_naive else None)
    steps = [0] if len(cuts) < 10 else []  # noqa: PLR2004 - one digit per piece
    for step in [*steps, engine_times.COARSE, engine_times.FINE]:
        key = engine_times.time_key(schema, time, step=step, cuts=cuts)
        engine_times.check_utc(frame, key)
        engine = _engine.engine_tally(
            data,
            score=score,
            weights=weights,
            by=keys,
            missing=missing,
            derived={engine_times.TIME_KEY: key.expr},
        )
        counted = engine.tally
        n_rows = counted.count.sum(axis=1)
        _check_totals(
            int(n_rows.sum()),
            int(engine.n_missing.sum()),
            float(counted.sum_w.sum()) if engine.weighted else None,
        )
        parsed, lengths = engine_times.decode(engine.levels[-1], key)
        level = engine.key_codes[:, -1]
        values = parsed.values[level]
        kinds = times.mark_out_of_range(values, np.asarray(parsed.kind, dtype=np.uint8)[level])
        per_kind = np.bincount(kinds, weights=n_rows, minlength=times.N_KINDS).astype(np.int64)
        text_bad = (kinds == times.BAD) & (n_rows > 0) & (key.kind == "text")
        bad = [engine.levels[-1][i] for i in np.unique(level[text_bad]).tolist()]
        times.check_kind_counts(
            per_kind,
            time,
            naive_allowed=naive_zone is not None,
            where=_NO_POSITIONS,
            examples={times.BAD: "values " + describe_values(bad, int(per_kind[times.BAD]))}
            if bad
            else None,
        )
        used = n_rows > 0  # groups of missing scores only are not checked, as in memory
        local = np.zeros(len(level), dtype=np.int64)
        local[used] = times.localise(values[used], kinds[used], zone=zone, naive_zone=naive_zone)
        if not key.bucketed:
            break
        # Exact when each bucket's last second is on the local day of its first.
        timed = used & (kinds != times.DATE)
        last = values[timed] + lengths[level][timed] - 1
        end = times.localise(last, kinds[timed], zone=zone, naive_zone=naive_zone)
        if (end // times.DAY == local[timed] // times.DAY).all():
            break
    spans = _periods(local[used] // times.DAY, period, origin)
    codes = np.zeros(len(level), dtype=code_dtype(spans.n_periods))
    codes[used] = spans.numbers - spans.first
    factors = [
        Factor(engine.key_codes[:, j].astype(code_dtype(len(levels))), levels, name)
        for j, (name, levels) in enumerate(zip(keys, engine.levels, strict=False))
    ]
    segments = combine(factors) if factors else None
    n_segments = segments.n_groups if segments is not None else 1
    _check_cells(spans.n_periods, n_segments, period)
    parts = [Factor(codes, spans.labels, time)]
    if segments is not None:
        parts.append(Factor(segments.group_codes(), tuple(range(n_segments)), "segment"))
    return _Counts(
        base=_dense_tally(parts, counted=counted),
        segments=segments,
        n_segments=n_segments,
        n_periods=spans.n_periods,
        first=spans.first,
        origin_day=spans.origin_day,
        labels=spans.labels,
        weighted=engine.weighted,
        rows=None,
    )
