"""Size of the tests and coverage of rank() by simulation (not in the tests).

Every world is drawn with numpy from a fixed seed; each rate comes with its Monte Carlo
standard error ``sqrt(r (1 − r) / replicates)``.

* Two-sample adjusted Wald test under no difference, by exact enumeration of every pair
  of samples: its rejection rate over the nominal one, normal and t reference, at
  alpha 0.05 and 0.05 / 117 (Holm's first step over a table of 117 comparisons).
* Paired change of returning respondents (``trend(respondent=...)``): m respondents
  answer twice, each keeping its category with probability ``keep`` or answering afresh
  from the same profile, so nothing changes. Rejection rate at alpha 0.05 per profile,
  panel size and share kept, for the adjusted Wald (default) and Wald methods. All
  worlds of a cell go through one trend() call as segments.
* Transition tables: the same, each world on its own pair of days.
* Family-wise error of trend() verdicts: tables of 8 regions × 13 months, 40 answers
  per cell, no change anywhere; the share of tables with any "significant" verdict,
  with Holm (default) and without correction.
* Family-wise error of segment() against the rest, and the size of its homogeneity
  test (and of the plain Wald chi-square test, for comparison): 8 segments of 40
  answers from one profile.
* rank(): coverage of 95 % credible intervals of 50 agents whose true shares are
  Dirichlet(c · m), for c = 10, 100 and 1,000.

Run: ``python benchmarks/size.py`` (about 20 minutes on one core);
``--worlds``, ``--tables`` and ``--seed`` change the defaults (10,000, 10,000, 2026).
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter import SegmentResult, _stats, rank, segment, trend
from netpromoter._stats import exact as _exact
from netpromoter._tally import Tally
from netpromoter.exceptions import FirstTimeRespondentWarning

if TYPE_CHECKING:
    from numpy.typing import NDArray

SCORES = np.array([3, 7, 10])
PROFILES = ((0.2, 0.3, 0.5), (0.45, 0.1, 0.45), (0.05, 0.15, 0.8), (0.1, 0.8, 0.1))
KEEP = (0.0, 0.5, 0.7, 0.9, 0.97, 1.0)
PANELS = (30, 60, 200)


def se(rate: float, replicates: int) -> float:
    return float(np.sqrt(rate * (1.0 - rate) / replicates))


def panel_worlds(
    rng: np.random.Generator, worlds: int, m: int, keep: float, p: tuple[float, ...]
) -> dict[str, Any]:
    before = rng.choice(3, size=(worlds, m), p=p)
    fresh = rng.choice(3, size=(worlds, m), p=p)
    after = np.where(rng.random((worlds, m)) < keep, before, fresh)
    who = np.arange(worlds * m)
    size = worlds * m
    return {
        "score": np.r_[SCORES[before.ravel()], SCORES[after.ravel()]],
        "who": np.r_[who, who],
        "world": np.r_[np.repeat(np.arange(worlds), m), np.repeat(np.arange(worlds), m)],
        "submitted_at": np.repeat(np.array(["2026-01-10", "2026-02-10"], "datetime64[D]"), size),
    }


def paired_sizes(rng: np.random.Generator, worlds: int) -> None:
    print(f"#### Paired change test: rejection rate at alpha 0.05, {worlds:,} worlds per cell\n")
    print("| profile (D / A / P) | m | " + " | ".join(f"keep {k:g}" for k in KEEP) + " |")
    print("|---|---:|" + "---:|" * len(KEEP))
    worst: dict[str, float] = {"adjusted_wald": 0.0, "wald": 0.0}
    for p in PROFILES:
        for m in PANELS:
            cells = []
            for keep in KEEP:
                data = panel_worlds(rng, worlds, m, keep, p)
                rates = []
                for method in ("adjusted_wald", "wald"):
                    result = trend(
                        data,
                        by="world",
                        respondent="who",
                        method=method,
                        correction="none",
                        min_n=1,
                    )
                    p_values = np.array([r.vs_previous.p_value for r in result if r.vs_previous])
                    rate = float(np.mean(p_values < 0.05))
                    worst[method] = max(worst[method], rate)
                    rates.append(rate)
                cells.append(f"{rates[0]:.3f} / {rates[1]:.3f}")
            shares = " / ".join(f"{x:.2f}" for x in p)
            print(f"| {shares} | {m} | " + " | ".join(cells) + " |")
    print(
        f"\nEach cell: adjusted Wald / Wald. Largest: adjusted Wald {worst['adjusted_wald']:.3f}, "
        f"Wald {worst['wald']:.3f}; Monte Carlo SE at 0.05: {se(0.05, worlds):.4f}\n"
    )


def transition_sizes(rng: np.random.Generator, worlds: int) -> None:
    print(f"#### Transition tables: rejection rate at alpha 0.05, {worlds:,} tables per cell\n")
    print("| m | " + " | ".join(f"keep {k:g}" for k in KEEP) + " |")
    print("|---:|" + "---:|" * len(KEEP))
    p = (0.45, 0.1, 0.45)
    for m in (30, 60):
        cells = []
        for keep in KEEP:
            before = rng.choice(3, size=(worlds, m), p=p)
            fresh = rng.choice(3, size=(worlds, m), p=p)
            after = np.where(rng.random((worlds, m)) < keep, before, fresh)
            day = np.datetime64("2000-01-01") + np.arange(worlds) * np.timedelta64(2, "D")
            data = {
                "score": np.r_[SCORES[before.ravel()], SCORES[after.ravel()]],
                "who": np.r_[np.arange(worlds * m), np.arange(worlds * m)],
                "submitted_at": np.r_[
                    np.repeat(day, m), np.repeat(day + np.timedelta64(1, "D"), m)
                ],
            }
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FirstTimeRespondentWarning)
                result = trend(data, period="day", respondent="who", correction="none", min_n=1)
            p_values = np.array([t.p_value for t in result.transitions if t.n])
            cells.append(f"{float(np.mean(p_values < 0.05)):.3f}")
        print(f"| {m} | " + " | ".join(cells) + " |")
    print(f"\nProfile 0.45 / 0.10 / 0.45; Monte Carlo SE at 0.05: {se(0.05, worlds):.4f}\n")


MONTHS = np.array([f"2025-{m:02d}-15" for m in range(1, 13)] + ["2026-01-15"], "datetime64[D]")
REGIONS = np.array(list("abcdefgh"))


def trend_fwer(rng: np.random.Generator, tables: int) -> None:
    held = raw = 0
    verdicts_raw = 0
    for _ in range(tables):
        cells = len(REGIONS) * len(MONTHS)
        category = rng.choice(3, size=cells * 40, p=[0.25, 0.3, 0.45])
        data = {
            "score": SCORES[category],
            "region": np.repeat(np.tile(REGIONS, len(MONTHS)), 40),
            "submitted_at": np.repeat(np.repeat(MONTHS, len(REGIONS)), 40),
        }
        result = trend(data, by="region")
        changes = [
            c
            for r in (*result.rows, *result.overall)
            for c in (r.vs_previous, r.vs_year_ago)
            if c is not None and c.p_value is not None
        ]
        held += any(c.verdict.startswith("significant") for c in changes)
        raw_count = sum(c.p_value < 0.05 for c in changes)  # type: ignore[operator]
        raw += raw_count > 0
        verdicts_raw += raw_count
    print(f"#### trend() family-wise error: {tables:,} tables of 8 regions × 13 months\n")
    print("| correction | tables with any significant verdict | Monte Carlo SE |")
    print("|---|---:|---:|")
    print(f"| holm (default) | {held / tables:.4f} | {se(held / tables, tables):.4f} |")
    print(f"| none | {raw / tables:.4f} | {se(raw / tables, tables):.4f} |")
    print(f"\nWithout correction: {verdicts_raw / tables:.2f} significant verdicts per table.\n")


def _plain_wald_p(result: SegmentResult) -> float:
    """P-value of the plain Wald chi-square test of equal segment NPS, for comparison.

    Each segment weighted by the inverse of its own design-based variance (R
    ``regTermTest(svyglm(y ~ segment, d), ~segment, df = Inf)``).
    """
    variance = _stats.domain_variance(result.counts.to_tally())
    nps = np.array([r.nps for r in result])
    weight = 1.0 / variance
    centre = float(weight @ nps / weight.sum())
    statistic = float(weight @ (nps - centre) ** 2)
    return _stats.chi_square_sf(statistic, len(nps) - 1)


def segment_fwer(rng: np.random.Generator, tables: int) -> None:
    any_held = homogeneous = plain = 0
    for _ in range(tables):
        category = rng.choice(3, size=8 * 40, p=[0.25, 0.3, 0.45])
        data = {"score": SCORES[category], "team": np.repeat(REGIONS, 40)}
        result = segment(data, "team")
        any_held += any(r.significant(0.05) for r in result)
        assert result.homogeneity is not None
        homogeneous += result.homogeneity.p_value < 0.05
        plain += _plain_wald_p(result) < 0.05
    print(f"#### segment(): {tables:,} tables of 8 segments × 40 answers, no difference\n")
    print("| test | rejection rate at 0.05 | Monte Carlo SE |")
    print("|---|---:|---:|")
    rows = {
        "any segment vs rest (Holm)": any_held / tables,
        "homogeneity (Rao–Scott F)": homogeneous / tables,
        "plain Wald chi-square, for comparison": plain / tables,
    }
    for name, rate in rows.items():
        print(f"| {name} | {rate:.4f} | {se(rate, tables):.4f} |")
    print()


def rank_coverage(rng: np.random.Generator, worlds: int) -> None:
    print(f"#### rank(): coverage of 95 % credible intervals, {worlds} worlds of 50 agents\n")
    print("| concentration c | spread of true NPS | coverage | mean width |")
    print("|---:|---:|---:|---:|")
    mean = np.array([0.25, 0.3, 0.45])
    for c in (10.0, 100.0, 1000.0):
        covered: list[bool] = []
        widths: list[float] = []
        spreads = []
        for world in range(worlds):
            theta = rng.dirichlet(c * mean, size=50)
            true = 100 * (theta[:, 2] - theta[:, 0])
            spreads.append(true.std())
            sizes = 10 + rng.poisson(30, size=50)
            agent = np.repeat(np.arange(50), sizes)
            cumulative = np.cumsum(theta, axis=1)[agent]
            category = (rng.random(len(agent))[:, None] > cumulative[:, :2]).sum(axis=1)
            data = {"score": SCORES[category], "agent": agent}
            for row in rank(data, "agent", draws=2000, seed=world):
                lo, hi = row.credible_interval
                covered.append(lo <= true[row.key[0]] <= hi)
                widths.append(hi - lo)
        rate = float(np.mean(covered))
        print(
            f"| {c:,.0f} | {float(np.mean(spreads)):.1f} | {rate:.4f} "
            f"(SE {se(rate, len(covered)):.4f}) | {float(np.mean(widths)):.1f} |"
        )
    print()


def _take(tallied: Tally, rows: NDArray[np.intp]) -> Tally:
    return Tally(tallied.count[rows], tallied.sum_w[rows], tallied.sum_w2[rows])


def two_sample_tails() -> None:
    """Exact rejection rate over nominal of the two-sample adjusted Wald test, by enumeration.

    Every pair of samples of n answers each from one profile: normal and t references.
    """
    levels = (0.05, 0.05 / 117)
    print("#### Two-sample adjusted Wald test under no difference: exact rejection rate /")
    print("nominal, normal and Student t reference (every pair of samples enumerated)\n")
    print("| n per sample | profile | " + " | ".join(f"alpha {a:.5f}" for a in levels) + " |")
    print("|---:|---|" + "---:|" * len(levels))
    for n in (30, 40, 60, 100):
        d, a, p = _exact.outcome_space(n)
        counts = np.stack([d, a, p], axis=1).astype(np.int64)
        count = np.zeros((len(counts), 11), dtype=np.int64)
        count[:, [0, 7, 10]] = counts
        tallied = Tally(count, count.astype(np.float64), count.astype(np.float64))
        first, second = np.divmod(np.arange(len(counts) ** 2), len(counts))
        p_values = {
            ref: _stats.difference(
                _take(tallied, first), _take(tallied, second), weighted=False, reference=ref
            ).p_value
            for ref in ("normal", "t")
        }
        log_c = np.array([math.lgamma(k + 1.0) for k in range(n + 1)])
        coefficient = log_c[n] - log_c[counts].sum(axis=1)
        for profile in ((0.25, 0.3, 0.45), (0.45, 0.1, 0.45), (0.6, 0.3, 0.1)):
            prob = np.exp(coefficient + counts @ np.log(np.array(profile)))
            pair = prob[first] * prob[second]
            cells = [
                f"{float(pair @ (p_values['normal'] < a)) / a:.2f} / "
                f"{float(pair @ (p_values['t'] < a)) / a:.2f}"
                for a in levels
            ]
            shares = " / ".join(f"{x:.2f}" for x in profile)
            print(f"| {n} | {shares} | " + " | ".join(cells) + " |")
    print("\nEach cell: normal / t. Above 1: the test rejects more often than it says.\n")


def main() -> None:
    """Print the simulation tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worlds", type=int, default=10_000)
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--rank-worlds", type=int, default=400)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    two_sample_tails()
    paired_sizes(rng, args.worlds)
    transition_sizes(rng, args.worlds // 5)
    trend_fwer(rng, args.tables)
    segment_fwer(rng, args.tables)
    rank_coverage(rng, args.rank_worlds)
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
