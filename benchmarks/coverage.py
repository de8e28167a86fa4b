"""Coverage of nominal 95 % NPS intervals, by exact enumeration (not in the tests).

A sample of n answers has ``(n + 1)(n + 2) / 2`` possible (detractor, passive, promoter)
counts. All of them are tallied as one ``(G, 11)`` array and put through the statistics
layer in one vectorised call per sample size and method. For each true share profile
(detractor, passive, promoter), the exact coverage is the multinomial probability of the
outcomes whose interval (closed, limits clipped to [-100, 100]) contains the true NPS: no
Monte Carlo error.

Profiles: every profile on the 0.01 grid (5,151, zeros and corners included) and
``--random`` random profiles (seeded): three quarters uniform on the simplex, one
quarter on its edges (one category absent). For each method and n the minimum (with the
profile where it occurs) and the mean coverage are printed, over the grid, over the
random profiles, and over both.

The exact method is an inverted test (see ``netpromoter._exact``): an outcome's interval
holds the true NPS ``t`` when the test of ``t`` accepts the outcome, so its coverage at
a profile is the probability that the test at the profile's ``t`` accepts. That is
computed for all outcomes at once per distinct ``t`` (``_exact.acceptance``, whose
p-values never exceed those of the intervals ``score()`` reports). At n up to
``--api-max`` (50) the intervals that ``score()`` returns are enumerated too (a row
"exact (intervals returned)"), and their coverage is compared with the tests'.

Expected widths (``E[upper − lower]``) are compared on the profiles of the 0.05 grid in
which every category holds at least 5 %; the exact method's comes from its tests on a
grid of ``t`` 0.25 points apart (the expected length of a confidence set is the integral
over ``t`` of the probability that it holds ``t``).

As a check of the enumeration, ``--replicates`` multinomial samples per cell are drawn
with numpy on the shown profiles and the 0.05 grid, and the largest gap between
simulated and exact coverage is printed. The last tables simulate weighted samples,
with weights that only add noise and with weights that undo unequal response rates
(no exact enumeration exists there).

Run: ``python benchmarks/coverage.py`` (about 40 minutes on a shared 2-core machine;
``--sizes`` to choose n). Prints the markdown tables of the inference page, then the
time per call of ``score(..., method="exact")``.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import TYPE_CHECKING

import numpy as np

import netpromoter as nps
from netpromoter import _stats
from netpromoter._scale import N_SCORES
from netpromoter._stats import exact as _exact
from netpromoter._tally import Tally, tally

if TYPE_CHECKING:
    from numpy.typing import NDArray

SIZES = (10, 20, 30, 50, 100, 200, 500)
APPROXIMATE: tuple[_stats.Method, ...] = ("adjusted_wald", "score", "wald")
METHODS: tuple[_stats.Method, ...] = (*APPROXIMATE, "exact")
LEVEL = 0.95
#: Closed intervals: a true NPS of ±100 sits exactly on a clipped limit.
TOL = 1e-9
#: Profiles per block of the exact computation (bounds its memory to tens of MiB).
BLOCK = 64
Profile = tuple[float, float, float]
#: Profiles shown one by one: (detractor, passive, promoter) shares.
SHOWN: tuple[Profile, ...] = (
    (0.02, 0.08, 0.90),
    (0.05, 0.15, 0.80),
    (0.10, 0.30, 0.60),
    (0.20, 0.30, 0.50),
    (0.33, 0.34, 0.33),
    (0.50, 0.00, 0.50),
    (0.10, 0.80, 0.10),
    (0.60, 0.30, 0.10),
    (0.00, 0.20, 0.80),
    (0.01, 0.80, 0.19),
    (0.00, 0.82, 0.18),
    (0.00, 0.00, 1.00),
)
NAMES = {
    "adjusted_wald": "adjusted Wald",
    "score": "score",
    "wald": "Wald",
    "exact": "exact (its tests)",
    "exact_api": "exact (intervals returned)",
}


def simplex(step: float) -> list[Profile]:
    """Every profile whose shares are multiples of ``step`` (zeros included)."""
    k = round(1 / step)
    return [(d / k, (k - d - p) / k, p / k) for d in range(k + 1) for p in range(k + 1 - d)]


def random_profiles(rng: np.random.Generator, count: int) -> list[Profile]:
    """Three quarters uniform on the simplex, a quarter on its edges (a share of 0)."""
    edge = count // 4
    inside = rng.dirichlet([1.0, 1.0, 1.0], size=count - edge)
    split = rng.random(edge)
    absent = rng.integers(0, 3, edge)
    on_edge = np.zeros((edge, 3))
    for i, (u, k) in enumerate(zip(split.tolist(), absent.tolist(), strict=True)):
        others = [j for j in range(3) if j != k]
        on_edge[i, others] = (u, 1.0 - u)
    return [(float(a), float(b), float(c)) for a, b, c in np.vstack([inside, on_edge])]


def outcomes(n: int) -> NDArray[np.int64]:
    """Every possible sample of n answers as (detractors, passives, promoters) rows."""
    d, a, p = _exact.outcome_space(n)
    return np.stack([d, a, p], axis=1).astype(np.int64)


def as_tally(counts: NDArray[np.int64]) -> Tally:
    count = np.zeros((len(counts), N_SCORES), dtype=np.int64)
    count[:, 0], count[:, 7], count[:, 10] = counts.T
    as_float = count.astype(np.float64)
    return Tally(count, as_float, as_float.copy())


def intervals(n: int) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Each approximate method's (lower, upper) limits for every outcome of ``outcomes(n)``."""
    tallied = as_tally(outcomes(n))
    out: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    for method in APPROXIMATE:
        est = _stats.estimate(tallied, weighted=False, method=method, confidence_level=LEVEL)
        out[method] = (est.lower, est.upper)
    return out


def truth(profiles: list[Profile]) -> NDArray[np.float64]:
    """The true NPS of each profile, in points."""
    return np.array([100.0 * (p[2] - p[0]) for p in profiles])


def probabilities(n: int, profiles: list[Profile]) -> NDArray[np.float64]:
    """Multinomial probability of every outcome (rows) under every profile (columns).

    One matrix product of the counts with the log shares; a zero share gives a log of
    -1e30, so an outcome that needs it has probability 0 and one that does not is
    unaffected.
    """
    counts = outcomes(n)
    log_factorial = np.array([math.lgamma(k + 1.0) for k in range(n + 1)])
    log_coefficient = log_factorial[n] - log_factorial[counts].sum(axis=1)
    shares = np.asarray(profiles)
    with np.errstate(divide="ignore"):
        log_shares = np.where(shares > 0, np.log(np.where(shares > 0, shares, 1.0)), -1e30)
    out: NDArray[np.float64] = np.exp(log_coefficient[:, None] + counts @ log_shares.T)
    return out


def exact_coverage(n: int, profiles: list[Profile]) -> dict[str, NDArray[np.float64]]:
    """Exact coverage per method and profile for samples of ``n`` answers."""
    limits = intervals(n)
    target = truth(profiles)
    alpha = 1.0 - LEVEL
    out: dict[str, NDArray[np.float64]] = {m: np.empty(len(profiles)) for m in METHODS}
    accepted: dict[float, NDArray[np.bool_]] = {}
    for start in range(0, len(profiles), BLOCK):
        block = slice(start, start + BLOCK)
        probability = probabilities(n, profiles[block])
        for method, (lower, upper) in limits.items():
            low, high = lower[:, None], upper[:, None]
            inside = (low <= target[block] + TOL) & (target[block] - TOL <= high)
            out[method][block] = (probability * inside).sum(axis=0)
        columns = []
        for t in (target[block] / 100.0).tolist():
            if t not in accepted:
                accepted[t] = _exact.acceptance(n, t, alpha)
            columns.append(accepted[t])
        out["exact"][block] = (probability * np.stack(columns, axis=1)).sum(axis=0)
        if len(accepted) > 4 * BLOCK:  # distinct t rarely repeat beyond a block
            accepted.clear()
    return out


def api_exact_coverage(n: int, profiles: list[Profile]) -> NDArray[np.float64]:
    """Coverage of the intervals score(..., method='exact') returns, every outcome."""
    lower, upper = _exact.limits(outcomes(n), LEVEL)
    target = truth(profiles)
    out = np.empty(len(profiles))
    for start in range(0, len(profiles), BLOCK):
        block = slice(start, start + BLOCK)
        inside = (lower[:, None] <= target[block] + TOL) & (target[block] - TOL <= upper[:, None])
        out[block] = (probabilities(n, profiles[block]) * inside).sum(axis=0)
    return out


#: Spacing of the ``t`` grid of the exact method's expected width (points).
WIDTH_STEP = 0.25


def expected_widths(n: int, profiles: list[Profile]) -> dict[str, NDArray[np.float64]]:
    """``E[upper − lower]`` per method and profile (exact: from its tests, by Pratt)."""
    probability = probabilities(n, profiles)
    out = {
        method: probability.T @ (upper - lower) for method, (lower, upper) in intervals(n).items()
    }
    grid = np.arange(-100.0, 100.0 + WIDTH_STEP / 2, WIDTH_STEP)
    held = np.zeros(len(profiles))
    for t in grid.tolist():
        held += probability.T @ _exact.acceptance(n, t / 100.0, 1.0 - LEVEL).astype(np.float64)
    out["exact"] = held * WIDTH_STEP
    return out


def simulated_coverage(
    rng: np.random.Generator, n: int, profiles: list[Profile], replicates: int
) -> dict[str, NDArray[np.float64]]:
    """Coverage per approximate method and profile from ``replicates`` drawn samples."""
    limits = intervals(n)
    # Each drawn sample looks its interval up by its (detractors, promoters) key.
    counts = outcomes(n)
    row = np.full((n + 1) ** 2, -1, dtype=np.int64)
    row[counts[:, 0] * (n + 1) + counts[:, 2]] = np.arange(len(counts))
    drawn = np.empty((len(profiles), replicates), dtype=np.int64)
    for i, profile in enumerate(profiles):
        sample = rng.multinomial(n, profile, size=replicates)
        drawn[i] = row[sample[:, 0] * (n + 1) + sample[:, 2]]
    target = truth(profiles)[:, None]
    out: dict[str, NDArray[np.float64]] = {}
    for method, (lower, upper) in limits.items():
        inside = (lower[drawn] <= target + TOL) & (target - TOL <= upper[drawn])
        out[method] = inside.mean(axis=1)
    return out


#: Weighting scenarios: (answer propensity of detractors, passives, promoters; σ of the
#: lognormal noise on the weights). Weights are 1 / propensity times the noise.
SCENARIOS: dict[str, tuple[tuple[float, float, float], float]] = {
    "noise only: lognormal weights (σ = 0.7) independent of the answers": ((1.0, 1.0, 1.0), 0.7),
    "informative: promoters answer 4× as often as detractors, weights undo it (σ = 0.3)": (
        (0.5, 1.0, 2.0),
        0.3,
    ),
}
WEIGHTED_SIZES = (10, 20, 30, 50, 100, 500)


def weighted_coverage(
    rng: np.random.Generator,
    n: int,
    profiles: tuple[Profile, ...],
    replicates: int,
    scenario: tuple[tuple[float, float, float], float],
) -> dict[str, NDArray[np.float64]]:
    """Coverage of weighted intervals for the population NPS of each profile.

    Respondents answer with a propensity per category, so the sample's shares are the
    population's times the propensities (renormalised); each weight is 1 / propensity
    times lognormal noise. The weighted NPS then estimates the population NPS, and a
    correct interval must account for both the noise and the weights. All replicates of
    a profile are tallied in one pass as ``replicates`` groups.
    """
    propensity, sigma = np.asarray(scenario[0]), scenario[1]
    codes = np.repeat(np.arange(replicates), n)
    out: dict[str, NDArray[np.float64]] = {m: np.empty(len(profiles)) for m in APPROXIMATE}
    for i, profile in enumerate(profiles):
        answering = np.asarray(profile) * propensity
        category = rng.choice(3, size=n * replicates, p=answering / answering.sum())
        weights = rng.lognormal(0.0, sigma, size=n * replicates) / propensity[category]
        scores = np.array([0, 7, 10], dtype=np.int8)[category]
        tallied = tally(scores, weights, codes, replicates)
        target = 100.0 * (profile[2] - profile[0])
        for method in APPROXIMATE:
            est = _stats.estimate(tallied, weighted=True, method=method, confidence_level=LEVEL)
            inside = (est.lower <= target + TOL) & (target - TOL <= est.upper)
            out[method][i] = inside.mean()
    return out


def _shares(profile: Profile) -> str:
    return " / ".join(f"{x:.2f}" for x in profile)


Results = dict[int, dict[str, "NDArray[np.float64]"]]


def header(sizes: tuple[int, ...]) -> tuple[str, str]:
    return "| " + " | ".join(f"n={n}" for n in sizes) + " |", "---:|" * len(sizes)


def simulation_check(
    rng: np.random.Generator,
    results: Results,
    profiles: list[Profile],
    replicates: int,
    sizes: tuple[int, ...],
) -> str:
    """Compare simulated with exact coverage on the shown profiles and the 0.05 grid."""
    checked = list(dict.fromkeys([*SHOWN, *simplex(0.05)]))
    index = [profiles.index(p) for p in checked]
    gap, z = 0.0, 0.0
    for n in sizes:
        simulated = simulated_coverage(rng, n, checked, replicates)
        for method in APPROXIMATE:
            exact = results[n][method][index]
            error = np.abs(simulated[method] - exact)
            # Binomial standard error of a simulated coverage (floored for exact 0 or 1).
            se = np.sqrt(np.maximum(exact * (1 - exact), 1e-12) / replicates)
            gap, z = max(gap, float(error.max())), max(z, float((error / se).max()))
    cells = len(checked) * len(sizes) * len(APPROXIMATE)
    return (
        f"Simulation check: {replicates:,} samples per cell on {len(checked)} profiles x "
        f"{len(sizes)} sizes x {len(APPROXIMATE)} methods ({cells:,} cells); largest "
        f"|simulated - exact| = {gap:.4f}, largest in binomial standard errors = {z:.2f}"
    )


def print_shown(results: Results, profiles: list[Profile], sizes: tuple[int, ...]) -> None:
    """One table per method: exact coverage of the shown profiles."""
    top, rule = header(sizes)
    for method in METHODS:
        print(f"| {NAMES[method]} | NPS " + top)
        print("|---|---:|" + rule)
        for profile in SHOWN:
            i = profiles.index(profile)
            cells = " | ".join(f"{results[n][method][i]:.3f}" for n in sizes)
            print(f"| {_shares(profile)} | {100 * (profile[2] - profile[0]):+.0f} | {cells} |")
        print()


def print_summary(
    results: Results,
    profiles: list[Profile],
    title: str,
    mask: NDArray[np.bool_],
    sizes: tuple[int, ...],
) -> None:
    """Minimum (with its profile) and mean coverage over the masked profiles."""
    top, rule = header(sizes)
    rows = [*METHODS, "exact_api"]
    print(f"#### {title} ({int(mask.sum()):,} profiles)\n")
    print("Minimum coverage, and the profile where it occurs:\n")
    print("| method " + top)
    print("|---|" + rule)
    for method in rows:
        cells: list[str] = []
        for n in sizes:
            if method not in results[n]:
                cells.append("–")
                continue
            values = np.where(mask, results[n][method], np.inf)
            worst = int(np.argmin(values))
            cells.append(f"{values[worst]:.4f} ({_shares(profiles[worst])})")
        print(f"| {NAMES[method]} | " + " | ".join(cells) + " |")
    print("\nMean coverage:\n")
    print("| method " + top)
    print("|---|" + rule)
    for method in rows:
        cells = [
            f"{results[n][method][mask].mean():.4f}" if method in results[n] else "–" for n in sizes
        ]
        print(f"| {NAMES[method]} | " + " | ".join(cells) + " |")
    print("\nNumber of profiles with coverage under 0.95, and under 0.93:\n")
    print("| method " + top)
    print("|---|" + rule)
    for method in rows:
        cells = [
            f"{int((results[n][method][mask] < 0.95).sum()):,} / "
            f"{int((results[n][method][mask] < 0.93).sum()):,}"
            if method in results[n]
            else "–"
            for n in sizes
        ]
        print(f"| {NAMES[method]} | " + " | ".join(cells) + " |")
    print()


def print_widths(sizes: tuple[int, ...]) -> None:
    """Mean expected width per method, and exact against adjusted Wald."""
    interior = [p for p in simplex(0.05) if min(p) >= 0.05]
    widths = {n: expected_widths(n, interior) for n in sizes}
    top, rule = header(sizes)
    print(f"#### Expected width on the {len(interior)} profiles of the 0.05 grid, every")
    print("category at least 5 % (mean over profiles, points)\n")
    print("| method " + top)
    print("|---|" + rule)
    for method in METHODS:
        cells = [f"{widths[n][method].mean():.1f}" for n in sizes]
        print(f"| {NAMES[method]} | " + " | ".join(cells) + " |")
    ratio = [widths[n]["exact"] / widths[n]["adjusted_wald"] for n in sizes]
    print("| exact / adjusted Wald, mean | " + " | ".join(f"{r.mean():.3f}" for r in ratio) + " |")
    print("| exact / adjusted Wald, max | " + " | ".join(f"{r.max():.3f}" for r in ratio) + " |")
    print()


def print_weighted(rng: np.random.Generator, replicates: int) -> None:
    """Lowest simulated coverage of weighted intervals, per scenario."""
    shown = tuple(p for p in SHOWN if min(p) >= 0.05)
    top, rule = header(WEIGHTED_SIZES)
    for title, scenario in SCENARIOS.items():
        weighted = {
            n: weighted_coverage(rng, n, shown, replicates, scenario) for n in WEIGHTED_SIZES
        }
        print(
            f"#### Weighted, {title}: lowest over {len(shown)} profiles, "
            f"{replicates:,} samples per cell\n"
        )
        print("| method " + top)
        print("|---|" + rule)
        for method in APPROXIMATE:
            cells = " | ".join(f"{weighted[n][method].min():.3f}" for n in WEIGHTED_SIZES)
            print(f"| {NAMES[method]} | {cells} |")
        print()


def print_timing(rng: np.random.Generator) -> None:
    """Seconds per call of score(..., method='exact'), fresh each time (no cache)."""
    print("#### Time per call of score(..., method='exact')\n")
    print("| n | seconds (median of 3 random samples) |")
    print("|---:|---:|")
    for n in (20, 100, 500, 1000, 2000):
        times = []
        for _ in range(3):
            _exact.interval.cache_clear()
            scores = rng.choice([3, 8, 10], size=n, p=[0.2, 0.3, 0.5])
            started = time.perf_counter()
            nps.score(scores, method="exact")
            times.append(time.perf_counter() - started)
        print(f"| {n:,} | {float(np.median(times)):.2f} |")
    print()


def main() -> None:
    """Print the coverage tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--weighted-replicates", type=int, default=2_000)
    parser.add_argument("--random", type=int, default=4_000)
    parser.add_argument("--api-max", type=int, default=50)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    sizes = tuple(args.sizes)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()

    grid = simplex(0.01)
    drawn = random_profiles(rng, args.random)
    profiles = list(dict.fromkeys([*SHOWN, *grid, *drawn]))
    results = {n: exact_coverage(n, profiles) for n in sizes}
    print(f"Exact coverage of nominal {LEVEL:.0%} intervals.")
    print(simulation_check(rng, results, profiles, args.replicates, sizes) + "\n")
    for n in [n for n in sizes if n <= args.api_max]:
        api = api_exact_coverage(n, profiles)
        results[n]["exact_api"] = api
        gap = api - results[n]["exact"]
        print(
            f"n={n}: intervals of score(method='exact') for all {len(outcomes(n)):,} outcomes: "
            f"coverage minus the tests' coverage between {gap.min():.4f} and {gap.max():.4f}; "
            f"minimum {api.min():.4f}"
        )
    print()
    print_shown(results, profiles, sizes)
    on_grid, on_drawn = set(grid), set(drawn)
    print_summary(
        results, profiles, "The 0.01 grid", np.array([p in on_grid for p in profiles]), sizes
    )
    print_summary(
        results, profiles, "Random profiles", np.array([p in on_drawn for p in profiles]), sizes
    )
    print_summary(results, profiles, "All profiles", np.ones(len(profiles), dtype=bool), sizes)
    print_widths(sizes)
    print_weighted(rng, args.weighted_replicates)
    print_timing(rng)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
