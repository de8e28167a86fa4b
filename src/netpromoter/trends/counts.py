"""Tallying per period: the period × segment × score tally a trend computes everything from.

In memory, each row's local time becomes a period code and the source counts period ×
segment × score in one pass ([`EagerSource.tally`][netpromoter._input.source.EagerSource.tally]).
A lazy frame is tallied on its engine per time bucket × segment × score
([`engine_times`][netpromoter._input.engine_times]); locally each bucket becomes a period
and the engine's groups are added per period × segment with
[`Tally.regroup`][netpromoter._tally.Tally.regroup].
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from netpromoter._input import engine as _engine
from netpromoter._input import engine_times, times
from netpromoter._input.cells import regroup_cells
from netpromoter._input.factors import Factor, Grouping, code_dtype, combine
from netpromoter._input.frames import from_native
from netpromoter._input.source import EagerSource, LazySource
from netpromoter._validation import describe_values
from netpromoter.exceptions import EmptyDataError, InvalidParameterError, InvalidWeightsError
from netpromoter.trends.periods import Periods, check_cells, span

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, tzinfo

    from numpy.typing import NDArray

    from netpromoter._stats.cells import CellCounts
    from netpromoter._tally import Tally

_NO_POSITIONS = "(rows of a lazy frame have no positions)"


class Timing(NamedTuple):
    """Which column holds the times, and how they become periods.

    Attributes:
        column: The time column.
        zone: The zone whose calendar the periods follow.
        naive_zone: The zone of naive timestamps (``None``: they are an error).
        period: The kind of period.
        origin: First day of the first fixed window (``None``: the first in the data).
    """

    column: str
    zone: tzinfo
    naive_zone: tzinfo | None
    period: times.Period
    origin: date | None


class Rows(NamedTuple):
    """The rows of an in-memory trend, for what needs them beyond the tally.

    Attributes:
        source: The validated columns of the rows used.
        periods: Period code per row used.
        segments: Segment code per row used, or ``None`` without ``by``.
        local: Local wall-clock seconds per row used.
    """

    source: EagerSource
    periods: NDArray[np.unsignedinteger[Any]]
    segments: NDArray[np.unsignedinteger[Any]] | None
    local: NDArray[np.int64]


class Counts(NamedTuple):
    """What ``trend`` computes everything else from: the period × segment × score tally.

    Attributes:
        base: The tally per period × segment, in mixed radix (period major): every
            combination, ``n_periods · n_segments`` groups.
        segments: The segment grouping, or ``None`` without ``by``.
        n_segments: Number of segments (1 without ``by``).
        periods: The span of periods.
        weighted: Whether weights were used.
        rows: The rows (in-memory data only; ``None`` for a lazy frame).
        cells: For a lazy frame weighted per cell, the engine's counts per (group of
            ``base``, cell, category), for the design's SEs (else ``None``).
    """

    base: Tally
    segments: Grouping | None
    n_segments: int
    periods: Periods
    weighted: bool
    rows: Rows | None
    cells: CellCounts | None = None

    def series(self, rolling: int) -> Tally:
        """One row per series × period: segments first, the overall series last.

        With ``rolling = k``, each row pools its period with the ``k − 1`` before it.
        """
        n_periods, n_segments = self.periods.n_periods, self.n_segments
        stacked = self.base
        if self.segments is not None:
            period_of = np.repeat(np.arange(n_periods, dtype=np.intp), n_segments)
            segment_major = np.arange(n_periods * n_segments).reshape(n_periods, -1).T.ravel()
            overall = self.base.regroup(period_of, n_periods)
            parts = (self.base.take(segment_major), overall)
            count, sum_w, sum_w2 = (
                np.concatenate([getattr(p, name) for p in parts]) for name in _ARRAYS
            )
            stacked = self.base.with_arrays(count, sum_w, sum_w2)
        return _window(stacked, rolling, n_periods)

    def rows_for(self, option: str) -> Rows:
        """The rows, for an option that needs them (a lazy frame's are refused before).

        Raises:
            InvalidParameterError: For a lazy frame, naming ``option``.
        """
        if self.rows is None:  # pragma: no cover - lazy frames are refused before
            msg = f"{option} needs in-memory data"
            raise InvalidParameterError(msg, name="data", value=None)
        return self.rows


_ARRAYS = ("count", "sum_w", "sum_w2")


def _window(t: Tally, length: int, n_periods: int) -> Tally:
    """Pool each period of every series with the ``length − 1`` before it."""
    if length == 1:
        return t

    def pooled(a: NDArray[Any]) -> NDArray[Any]:
        per_series = a.reshape(-1, n_periods, a.shape[-1])
        out: NDArray[Any] = per_series.copy()
        for lag in range(1, length):
            out[:, lag:] += per_series[:, :-lag]
        return out.reshape(a.shape)

    return t.map(pooled)


def check_empty(n_total: int, n_missing: int) -> None:
    """No scores at all: the error of both paths, in the same words."""
    if n_total == 0:
        detail = f" (all {n_missing} scores were missing)" if n_missing else ""
        msg = f"no scores for a trend{detail}; give at least one score from 0 to 10"
        raise EmptyDataError(msg)


def check_weights(n_total: int, sum_w: float | None) -> None:
    """Weights that are all zero: the error of both paths, in the same words."""
    if sum_w is not None and not sum_w > 0:
        msg = f"all {n_total} weights are zero; at least one weight must be positive"
        raise InvalidWeightsError(msg)


def count_periods(source: EagerSource | LazySource, timing: Timing) -> Counts:
    """The period × segment × score tally of a source, in memory or on its engine."""
    if isinstance(source, LazySource):
        return _engine_counts(source, timing)
    return _memory_counts(source, timing)


def _memory_counts(source: EagerSource, timing: Timing) -> Counts:
    """Local times, periods and segments of in-memory rows, counted in one pass."""
    time, zone, naive_zone, period, origin = timing
    check_empty(len(source.scores), source.n_missing)
    local = source.local_seconds(time, zone=zone, naive_zone=naive_zone)
    spans = span(local // times.DAY, period, origin)
    segments = combine(source.factors) if source.factors else None
    n_segments = segments.n_groups if segments is not None else 1
    check_cells(spans.n_periods, n_segments, period)
    parts = [spans.factor(time)]
    segment_codes = segments.group_codes() if segments is not None else None
    if segment_codes is not None:
        parts.append(Factor(segment_codes, tuple(range(n_segments)), "segment"))
    base = source.tally(parts, dense=True)
    check_weights(base.n, float(base.sum_w.sum()) if source.weighted else None)
    rows = Rows(source, parts[0].codes, segment_codes, local)
    return Counts(base, segments, n_segments, spans, source.weighted, rows)


def _engine_counts(source: LazySource, timing: Timing) -> Counts:
    """Tally a lazy frame on its engine per time bucket × segment × score; periods locally.

    The engine groups by the ``by`` keys, a time key (see
    [`engine_times`][netpromoter._input.engine_times]) and the score bin, and returns one row
    per group (validation counted alongside, as for ``segment``). Locally, each time
    key becomes local seconds and a period with the in-memory time code, and the
    engine's tallies are added per period × segment. When some bucket straddles a local
    day (an offset that is not whole quarter hours), the engine is asked again per second.
    """
    time, zone, naive_zone, period, origin = timing

    keys = source.by
    schema = from_native(source.data).collect_schema()
    weights = [source.weights_column] if source.weights_column is not None else []
    _engine.check_columns(list(schema.names()), [source.score, time, *keys, *weights])
    is_naive = getattr(schema[time], "time_zone", "") is None
    cuts = engine_times.cuts_for(zone, naive_zone if is_naive else None)
    steps = [0] if len(cuts) < 10 else []  # noqa: PLR2004 - one digit per piece
    for step in [*steps, engine_times.COARSE, engine_times.FINE]:
        key = engine_times.time_key(schema, time, step=step, cuts=cuts)
        engine_times.check_utc(from_native(source.data), key)
        engine = source.aggregate(keys, derived={engine_times.TIME_KEY: key.expr})
        counted = engine.tally
        n_rows = counted.count.sum(axis=1)
        check_empty(int(n_rows.sum()), int(engine.n_missing.sum()))
        check_weights(int(n_rows.sum()), float(counted.sum_w.sum()) if engine.weighted else None)
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
    factors = [
        Factor(engine.key_codes[:, j].astype(code_dtype(len(levels))), levels, name)
        for j, (name, levels) in enumerate(zip(keys, engine.levels, strict=False))
    ]
    counts, group, n_groups = counts_of_days(
        counted, local // times.DAY, used, factors, period=period, origin=origin
    )
    base = dataclasses.replace(counts.base, weighted=engine.weighted, n_missing=source.n_missing)
    cells = None if source.cells is None else regroup_cells(source.cell_counts, group, n_groups)
    return counts._replace(base=base, weighted=engine.weighted, cells=cells)


def counts_of_days(
    counted: Tally,
    days: NDArray[np.int64],
    used: NDArray[np.bool_],
    factors: Sequence[Factor],
    *,
    period: times.Period,
    origin: date | None,
) -> tuple[Counts, NDArray[np.intp], int]:
    """The period × segment tally of a tally per local day × segment.

    Group ``i`` of ``counted`` holds the responses of local day ``days[i]`` (days since
    1970-01-01) in the segment whose code in each of ``factors`` is its ``i``-th; groups
    not ``used`` (no scores) are not placed in a period. The groups are added per period
    × segment with [`Tally.regroup`][netpromoter._tally.Tally.regroup], as a lazy frame's
    time buckets are: chunks counted per day become the tally of their rows in memory.

    Returns:
        The counts, and each day group's period × segment group and their number.

    Raises:
        InvalidParameterError: Too many periods or period × segment cells.
    """
    spans = span(days[used], period, origin)
    codes = np.zeros(len(days), dtype=code_dtype(spans.n_periods))
    codes[used] = spans.numbers - spans.first
    segments = combine(factors) if factors else None
    n_segments = segments.n_groups if segments is not None else 1
    check_cells(spans.n_periods, n_segments, period)
    parts: list[NDArray[Any]] = [codes]
    if segments is not None:
        parts.append(segments.group_codes())
    sizes = [spans.n_periods, n_segments][: len(parts)]
    base = counted.regroup(parts, sizes)
    group = np.ravel_multi_index(tuple(p.astype(np.intp) for p in parts), sizes)
    counts = Counts(base, segments, n_segments, spans, counted.weighted, None)
    return counts, group, math.prod(sizes)
