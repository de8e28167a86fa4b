"""The exact interval of one NPS: two one-sided tests ordered by the score statistic.

A sample of ``n`` answers is a multinomial draw of (detractors ``D``, passives ``A``,
promoters ``P``). For a candidate NPS ``t`` (a proportion, -1..1) the shares are
``p_D = (1 − a − t) / 2``, ``p_A = a``, ``p_P = (1 − a + t) / 2``: the passive share
``a`` (0..1 − |t|) is a nuisance parameter. Outcomes are ordered by the score statistic
``Z(x; t)`` of [`score_statistic`][netpromoter._stats.score_statistic], and for the
observed ``x``

    p_up(t)  = sup_a P_(t, a)(Z(X; t) ≥ Z(x; t))
    p_low(t) = sup_a P_(t, a)(Z(X; t) ≤ Z(x; t))

are one-sided p-values of "NPS = t" against larger and smaller values. The interval is
every ``t`` that neither rejects at ``α / 2``: from the smallest ``t`` with
``p_up(t) > α / 2`` to the largest with ``p_low(t) > α / 2``.

Why its coverage is at least ``1 − α`` at every ``n`` and profile: at the true ``t``
and true ``a``, each p-value is at least the probability under the truth, so each
one-sided test rejects with probability at most ``α / 2``, and the interval misses the
truth with probability at most ``α``. Two approximations are involved, and both are
checked by exact enumeration instead of assumed (``benchmarks/coverage.py`` and the
tests): the supremum is taken over ``NUISANCE_POINTS`` passive shares (equally spaced
in ``arcsin sqrt(a / (1 − |t|))``, which spreads them evenly in the Fisher information
of the passive share), and the limits are found by bisection, which assumes the
accepted ``t`` form an interval.

Only outcomes within a band of the line ``P − D = n t`` (and of ``A = n a``) are
summed: by Hoeffding's inequality the rest has probability below ``4 e^(−46)``, which
is added to each tail so that the sums stay upper bounds. The work per call grows with
``n`` (about ``n^1.5`` outcomes per candidate), and intervals are cached.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from netpromoter._stats.score import score_statistic

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Passive shares over which each tail probability is maximised.
NUISANCE_POINTS = 41
#: ``L`` of the Hoeffding bounds: each band leaves out probability below ``2 e^(−L)``.
_BAND_LOG = 46.0
#: Added to every tail: the probability outside both bands.
TAIL_SLACK = 4.0 * math.exp(-_BAND_LOG)
#: Bisection stops when the limits are known to this (as a proportion: 1e-4 points).
_TOLERANCE = 1e-6


@lru_cache(maxsize=64)
def _log_factorials(n: int) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.array([math.lgamma(k + 1.0) for k in range(n + 1)])
    return out


def _statistic(
    detractors: NDArray[np.float64], promoters: NDArray[np.float64], n: int, t: float
) -> NDArray[np.float64]:
    """``Z(x; t)`` per outcome; 0 where it is 0/0 (every answer passive, ``t = 0``)."""
    shares = np.stack([detractors / n, 1.0 - (detractors + promoters) / n, promoters / n], axis=-1)
    with np.errstate(invalid="ignore"):
        z = score_statistic(shares, np.asarray(float(n)), 100.0 * t)
    return np.where(np.isnan(z), 0.0, z)


def nuisance_grid(t: float) -> NDArray[np.float64]:
    """The passive shares the tails are maximised over, for the NPS ``t`` (proportion)."""
    phi = np.linspace(0.0, math.pi / 2.0, NUISANCE_POINTS)
    out: NDArray[np.float64] = (1.0 - abs(t)) * np.sin(phi) ** 2
    return out


def _log_shares(t: float, a: float) -> tuple[float, float, float]:
    """``ln p_D, ln p_A, ln p_P`` (−inf for a zero share)."""
    shares = ((1.0 - a - t) / 2.0, a, (1.0 - a + t) / 2.0)
    return tuple(math.log(s) if s > 0.0 else -math.inf for s in shares)  # type: ignore[return-value]


def _log_mass(
    log_c: NDArray[np.float64],
    counts: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]],
    logs: tuple[float, float, float],
) -> NDArray[np.float64]:
    """Multinomial log-probabilities; a zero share only rules out outcomes that use it."""
    out: NDArray[np.float64] = log_c.copy()
    for count, log_share in zip(counts, logs, strict=True):
        if math.isinf(log_share):
            out = np.where(count > 0, -np.inf, out)
        else:
            out = out + count * log_share
    return out


#: Log-probabilities below this are taken as 0: e^(−700) is far below any tail that
#: matters, and the subnormal numbers ``exp`` returns further down are slow to compute.
_LOG_FLOOR = -700.0


def _mass(log_mass: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.exp(np.where(log_mass < _LOG_FLOOR, -np.inf, log_mass))
    return out


class _Band(NamedTuple):
    """Outcomes near ``P − D = n t``, sorted by passives; ``start[A]`` indexes them."""

    detractors: NDArray[np.float64]
    passives: NDArray[np.float64]
    promoters: NDArray[np.float64]
    log_c: NDArray[np.float64]
    start: NDArray[np.intp]


def _band(n: int, t: float) -> _Band:
    half = math.sqrt(2.0 * n * _BAND_LOG)
    passives = np.arange(n + 1)
    rest = n - passives
    low = np.clip(np.ceil((rest + n * t - half) / 2.0), 0, rest).astype(np.intp)
    high = np.clip(np.floor((rest + n * t + half) / 2.0), -1, rest).astype(np.intp)
    length = np.maximum(high - low + 1, 0)
    start = np.zeros(n + 2, dtype=np.intp)
    np.cumsum(length, out=start[1:])
    a = np.repeat(passives, length)
    p = np.repeat(low, length) + (np.arange(start[-1]) - np.repeat(start[:-1], length))
    d = n - a - p
    lf = _log_factorials(n)
    return _Band(
        d.astype(np.float64),
        a.astype(np.float64),
        p.astype(np.float64),
        lf[n] - lf[d] - lf[a] - lf[p],
        start,
    )


#: Below this many (outcome, passive share) pairs, all shares are summed in one pass.
_ONE_PASS = 1 << 16


def one_sided(n: int, detractors: int, promoters: int, t: float) -> tuple[float, float]:
    """``(p_up, p_low)`` of "NPS = t" (a proportion) for the observed outcome.

    At ``t = ±1`` only one outcome is possible (all promoters, or all detractors): it
    gets 1 and 1, any other outcome 1 on the side it lies and 0 on the other.
    """
    if abs(t) >= 1.0:
        if promoters == n if t > 0 else detractors == n:
            return 1.0, 1.0
        return (1.0, 0.0) if t > 0 else (0.0, 1.0)
    band = _band(n, t)
    z = _statistic(band.detractors, band.promoters, n, t)
    observed = float(_statistic(np.array([detractors]), np.array([promoters]), n, t)[0])
    slack = 1e-9 * max(1.0, abs(observed))
    tails = np.stack([z >= observed - slack, z <= observed + slack], axis=1).astype(np.float64)
    grid = nuisance_grid(t)
    counts = (band.detractors, band.passives, band.promoters)
    if len(z) * len(grid) <= _ONE_PASS:
        logs = np.array([_log_shares(t, a) for a in grid.tolist()])  # (K, 3)
        with np.errstate(invalid="ignore"):
            terms = [
                np.where(c[:, None] > 0, c[:, None] * logs[None, :, k], 0.0)
                for k, c in enumerate(counts)
            ]
        mass = _mass(band.log_c[:, None] + terms[0] + terms[1] + terms[2])
        best = (mass.T @ tails).max(axis=0)
    else:
        reach = math.sqrt(n * _BAND_LOG / 2.0)
        best = np.zeros(2)
        for a in grid.tolist():
            first = int(np.clip(math.ceil(n * a - reach), 0, n))
            last = int(np.clip(math.floor(n * a + reach), 0, n))
            rows = slice(int(band.start[first]), int(band.start[last + 1]))
            part = tuple(c[rows] for c in counts)
            mass = _mass(_log_mass(band.log_c[rows], part, _log_shares(t, a)))  # type: ignore[arg-type]
            best = np.maximum(best, mass @ tails[rows])
    return min(1.0, float(best[0]) + TAIL_SLACK), min(1.0, float(best[1]) + TAIL_SLACK)


#: The outward scan of ``_limit`` stops where the p-value falls below this share of
#: ``α / 2`` (its jumps back up, as the score ordering changes, are smaller than that).
_SCAN_STOP = 0.25
#: Scan steps per standard error of the NPS (as a proportion).
_SCAN_STEPS_PER_SE = 16


class _Side(NamedTuple):
    """One one-sided test of an observed outcome, as ``_limit`` searches it."""

    n: int
    detractors: int
    promoters: int
    alpha: float
    side: int

    def p_value(self, t: float) -> float:
        return one_sided(self.n, self.detractors, self.promoters, t)[self.side]

    def accepted(self, t: float) -> bool:
        return self.p_value(t) > self.alpha / 2.0

    def bisect(self, inner: float, outer: float) -> float:
        """The outer end of the bracket once ``|inner − outer|`` is within tolerance."""
        while abs(inner - outer) > _TOLERANCE:
            middle = 0.5 * (inner + outer)
            if self.accepted(middle):
                inner = middle
            else:
                outer = middle
        return outer

    def step(self, direction: float) -> float:
        """``se / 16`` outward (pseudo-responses keep it positive for one category)."""
        counts = np.array([self.detractors, 0, self.promoters], dtype=np.float64)
        counts[1] = self.n - counts[0] - counts[2]
        shares = (counts + 0.5) / (self.n + 1.5)
        spread = shares[0] + shares[2] - (shares[2] - shares[0]) ** 2
        size = max(math.sqrt(spread / self.n) / _SCAN_STEPS_PER_SE, _TOLERANCE)
        return math.copysign(size, direction)


def _limit(n: int, detractors: int, promoters: int, alpha: float, side: int) -> float:
    """The outermost ``t`` on one side that the one-sided test ``side`` accepts.

    Bisection from the estimate finds where the p-value first falls to ``α / 2``. The
    p-value is not monotone in ``t``: it falls as ``t`` moves away and jumps back up
    where an outcome's score statistic crosses the observed one. So the scan goes on
    outward, in steps of ``se / 16``, until the p-value is below a quarter of ``α / 2``;
    any accepted step beyond moves the limit out (bisected again). The limit returned
    is the outer end of the last bisection: the interval never ends inside an accepted
    region found.
    """
    estimate = (promoters - detractors) / n
    end = -1.0 if side == 0 else 1.0
    if estimate == end:
        return end
    test = _Side(n, detractors, promoters, alpha, side)
    outer = test.bisect(estimate, end)
    step = test.step(end - estimate)
    t = outer
    while abs(t + step) < 1.0:
        t += step
        p = test.p_value(t)
        if p > alpha / 2.0:
            # An accepted region beyond: step to its end, then bisect its edge.
            while test.accepted(t + step):
                t += step
                if abs(t + step) >= 1.0:
                    return end
            outer = test.bisect(t, t + step)
            t = outer
        elif p < _SCAN_STOP * alpha / 2.0:
            break
    return outer


@lru_cache(maxsize=65_536)
def interval(n: int, detractors: int, promoters: int, alpha: float) -> tuple[float, float]:
    """The exact ``1 − alpha`` interval of the NPS, in points (see ``_limit``)."""
    lower = _limit(n, detractors, promoters, alpha, 0)
    upper = _limit(n, detractors, promoters, alpha, 1)
    return 100.0 * lower, 100.0 * upper


def limits(
    counts: NDArray[np.int64], confidence_level: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Exact intervals for ``(G, 3)`` detractor / passive / promoter counts (points)."""
    alpha = 1.0 - confidence_level
    out = [interval(int(d + a + p), int(d), int(p), alpha) for d, a, p in counts.tolist()]
    pairs = np.asarray(out, dtype=np.float64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


@lru_cache(maxsize=8)
def outcome_space(n: int) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Every sample of ``n`` answers as (detractors, passives, promoters) columns."""
    d, p = np.divmod(np.arange((n + 1) ** 2), n + 1)
    kept = d + p <= n
    d, p = d[kept].astype(np.float64), p[kept].astype(np.float64)
    return d, n - d - p, p


@lru_cache(maxsize=8)
def _by_passives(n: int) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Outcomes of ``outcome_space(n)`` sorted by passives, where each count starts, log C."""
    d, a, p = outcome_space(n)
    order = np.argsort(a, kind="stable")
    start = np.searchsorted(a[order], np.arange(n + 2))
    lf = _log_factorials(n)
    log_c = lf[n] - lf[d.astype(np.intp)] - lf[a.astype(np.intp)] - lf[p.astype(np.intp)]
    return order, start, log_c


def acceptance(n: int, t: float, alpha: float) -> NDArray[np.bool_]:
    """Whether the test of "NPS = t" accepts, for every outcome of ``outcome_space(n)``.

    The p-values of ``one_sided`` for all outcomes at once: sorted by ``Z``, the tails are
    cumulative sums. They are summed over the same passive bands but without the slack,
    so each is at most the one ``interval`` compares: an outcome accepted here is inside
    its interval, and coverage computed from this is never above the interval's.
    """
    d, a, p = outcome_space(n)
    if abs(t) >= 1.0:
        out: NDArray[np.bool_] = (p == n) if t > 0 else (d == n)
        return out
    z = _statistic(d, p, n, t)
    slack = 1e-9 * np.maximum(1.0, np.abs(z))
    order = np.argsort(-z, kind="stable")
    rank = np.empty(len(z), dtype=np.intp)
    rank[order] = np.arange(len(z))
    descending = -z[order]  # ascending
    # Tails of each outcome: Z(X) ≥ Z(x) − slack, and Z(X) ≤ Z(x) + slack.
    upto = np.searchsorted(descending, -(z - slack), side="right")
    from_ = np.searchsorted(descending, -(z + slack), side="left")
    by_a, start, log_c = _by_passives(n)
    reach = math.sqrt(n * _BAND_LOG / 2.0)
    # The largest tail over the passive shares, at every position of the sorted order:
    # max_a of a cumulative sum taken at an outcome's position is the max of the sums.
    head = np.zeros(len(z) + 1)  # mass of the first k outcomes in the order
    tail = np.zeros(len(z) + 1)  # mass of all but the first k
    mass = np.zeros(len(z))
    cumulative = np.zeros(len(z) + 1)
    for share in nuisance_grid(t).tolist():
        first = int(np.clip(math.ceil(n * share - reach), 0, n))
        last = int(np.clip(math.floor(n * share + reach), 0, n))
        rows = by_a[start[first] : start[last + 1]]
        counts = (d[rows], a[rows], p[rows])
        mass[:] = 0.0
        mass[rank[rows]] = _mass(_log_mass(log_c[rows], counts, _log_shares(t, share)))
        np.cumsum(mass, out=cumulative[1:])
        np.maximum(head, cumulative, out=head)
        np.maximum(tail, cumulative[-1] - cumulative, out=tail)
    accepted: NDArray[np.bool_] = (head[upto] > alpha / 2.0) & (tail[from_] > alpha / 2.0)
    return accepted
