"""Repeat respondents: per-respondent sums that pair two periods' answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from netpromoter import _stats

if TYPE_CHECKING:
    from numpy.typing import NDArray


class RespondentSums:
    """Per respondent, base period and series: sums of weights and of weight × s.

    ``keys`` are sorted and unique, ``(unit · P + period) · S + series``: a respondent's
    group one period later is ``key + S``, found with ``searchsorted``.
    """

    def __init__(
        self,
        keys: NDArray[np.int64],
        w: NDArray[np.float64],
        s: NDArray[np.float64],
        *,
        n_periods: int,
        n_series: int,
        last: NDArray[np.int64] | None = None,
    ) -> None:
        self.keys = keys
        self.w = w
        self.s = s
        self.last = np.zeros(len(keys), dtype=np.int64) if last is None else last
        self.n_periods = n_periods
        self.n_series = n_series
        self.series = keys % n_series
        self.period = (keys // n_series) % n_periods
        self.units = keys // n_series // n_periods
        self._cache: dict[int, tuple[NDArray[np.float64], ...]] = {}

    @classmethod
    def build(
        cls,
        *,
        units: NDArray[np.int64],
        periods: NDArray[np.int64],
        series: NDArray[np.int64] | None,
        n_series: int,
        times: NDArray[np.int64],
        s: NDArray[np.int8],
        weights: NDArray[np.float64] | None,
        n_periods: int,
    ) -> tuple[RespondentSums, RespondentSums | None]:
        """The overall and (with ``series``) the per-segment sums, from one sort.

        Sorting by ``(unit, period, segment)`` makes both the segment groups and the
        overall ``(unit, period)`` groups contiguous runs. Sums and maxima within a run do
        not depend on the order inside it, so the input order never matters.
        """
        size = n_series if series is not None else 1
        key = units * n_periods + periods
        if series is not None:
            key = key * size + series
        order = np.argsort(key)
        key = key[order]
        w = np.ones(len(key)) if weights is None else weights[order]
        sv = s[order]
        new = np.r_[True, key[1:] != key[:-1]]
        starts = np.flatnonzero(new)
        fine_keys, fine_w, fine_s = (
            key[starts],
            np.add.reduceat(w, starts),
            np.add.reduceat(w * sv, starts),
        )
        # Overall groups: runs of (unit, period).
        coarse = key // size
        new_coarse = np.r_[True, coarse[1:] != coarse[:-1]]
        row_starts = np.flatnonzero(new_coarse)
        run = np.flatnonzero(np.r_[True, fine_keys[1:] // size != fine_keys[:-1] // size])
        # The last answer: the latest time in the group; at the same second, the highest.
        t = times[order]
        group = np.cumsum(new_coarse) - 1
        latest = np.maximum.reduceat(t, row_starts)[group] == t
        last = np.maximum.reduceat(np.where(latest, sv, -1), row_starts).astype(np.int64)
        overall = cls(
            fine_keys[run] // size,
            np.add.reduceat(fine_w, run),
            np.add.reduceat(fine_s, run),
            n_periods=n_periods,
            n_series=1,
            last=last,
        )
        if series is None:
            return overall, None
        return overall, cls(fine_keys, fine_w, fine_s, n_periods=n_periods, n_series=size)

    def pairs(self, lag: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Positions (in ``keys``) of (unit, p) and (unit, p + lag) both present."""
        target = self.keys + lag * self.n_series
        pos = np.searchsorted(self.keys, target)
        pos = np.minimum(pos, max(len(self.keys) - 1, 0))
        hit = (self.period + lag < self.n_periods) & (self.keys[pos] == target)
        return np.flatnonzero(hit), pos[hit]

    def by_lag(self, lag: int) -> tuple[NDArray[np.float64], ...]:
        """Per (series, earlier period): SS, SW, WS, WW and count, for one lag."""
        if lag not in self._cache:
            a, b = self.pairs(lag)
            index = self.series[a] * self.n_periods + self.period[a]
            size = self.n_series * self.n_periods
            sums: tuple[NDArray[np.float64], ...] = tuple(
                np.bincount(index, weights=x, minlength=size)
                .astype(np.float64)
                .reshape(self.n_series, self.n_periods)
                for x in (
                    self.s[a] * self.s[b],
                    self.s[a] * self.w[b],
                    self.w[a] * self.s[b],
                    self.w[a] * self.w[b],
                    np.ones(len(a)),
                )
            )
            self._cache[lag] = sums
        return self._cache[lag]

    def cross(
        self, earlier: NDArray[np.intp], later: NDArray[np.intp], window: int
    ) -> _stats.CrossSums:
        """Overlap sums for every series and pair of windows ending at ``earlier``/``later``."""
        shape = (self.n_series, len(earlier))
        out: list[NDArray[np.float64]] = [np.zeros(shape) for _ in range(4)]
        count: NDArray[np.int64] = np.zeros(shape, dtype=np.int64)
        for i in range(window):
            for j in range(window):
                p = later - i
                q = earlier - j
                ok = (p >= 0) & (q >= 0) & (p > q)
                if not ok.any():
                    continue
                for lag in np.unique(p[ok] - q[ok]).tolist():
                    pick = ok & (p - q == lag)
                    sums = self.by_lag(int(lag))
                    for total, part in zip(out, sums[:4], strict=True):
                        total[:, pick] += part[:, q[pick]]
                    if window == 1:
                        count[:, pick] += sums[4][:, q[pick]].astype(np.int64)
        if window > 1:
            count = self._distinct(earlier, later, window)
        return _stats.CrossSums(out[0], out[1], out[2], out[3], n=count)

    def own(self, ends: NDArray[np.intp], window: int) -> _stats.OwnSums:
        """Per-respondent sums within every series' window ending at each of ``ends``.

        A respondent's sums over a window add their sums over its periods, so
        ``Σ_c S_c²`` over a window is the sum over pairs of its periods ``p, q`` of
        ``Σ_c S_cp S_cq`` (lag ``|p − q|``; lag 0 within one period).
        """
        shape = (self.n_series, len(ends))
        ss, sw, ww = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        for i in range(window):
            for j in range(window):
                p = ends - i
                q = ends - j
                ok = (p >= 0) & (q >= 0)
                if not ok.any():
                    continue
                lag = np.abs(p - q)
                for value in np.unique(lag[ok]).tolist():
                    pick = ok & (lag == value)
                    sums = self.by_lag(int(value))
                    first = np.minimum(p, q)[pick]
                    ss[:, pick] += sums[0][:, first]
                    # S of period p times W of period q: "sw" when p is the earlier one.
                    sw[:, pick] += sums[1][:, first] if i >= j else sums[2][:, first]
                    ww[:, pick] += sums[3][:, first]
        return _stats.OwnSums(ss, sw, ww)

    def _distinct(
        self, earlier: NDArray[np.intp], later: NDArray[np.intp], window: int
    ) -> NDArray[np.int64]:
        """Distinct units present in both windows (rolling windows only)."""
        members = self.units * self.n_series + self.series
        count = np.zeros((self.n_series, len(earlier)), dtype=np.int64)
        for k, (e, lt) in enumerate(zip(earlier.tolist(), later.tolist(), strict=True)):
            in_a = (self.period > e - window) & (self.period <= e)
            in_b = (self.period > lt - window) & (self.period <= lt)
            both = np.intersect1d(members[in_a], members[in_b])
            count[:, k] = np.bincount(both % self.n_series, minlength=self.n_series)
        return count


def paired_sums(
    overlap: RespondentSums,
    overlap_seg: RespondentSums | None,
    earlier: NDArray[np.intp],
    later: NDArray[np.intp],
    window: int,
) -> _stats.Overlap:
    """Cross and own sums of every series (segments first, then overall), flattened."""
    parts = [overlap] if overlap_seg is None else [overlap_seg, overlap]
    crosses = [o.cross(earlier, later, window) for o in parts]
    joined = [np.concatenate([c[k] for c in crosses]).ravel() for k in range(5)]
    cross = _stats.CrossSums(joined[0], joined[1], joined[2], joined[3], joined[4].astype(np.int64))

    def own(ends: NDArray[np.intp]) -> _stats.OwnSums:
        sums = [o.own(ends, window) for o in parts]
        return _stats.OwnSums(*(np.concatenate([x[k] for x in sums]).ravel() for k in range(3)))

    return _stats.Overlap(cross, own(earlier), own(later))
