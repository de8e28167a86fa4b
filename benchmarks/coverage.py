"""Coverage of nominal 95 % NPS intervals: exact, and checked by simulation (not in the tests).

A sample of n answers has ``(n + 1)(n + 2) / 2`` possible (detractor, passive, promoter)
counts. All of them are tallied as one ``(G, 11)`` array and put through the statistics
layer in one vectorised call per sample size and method. For each true share profile
(detractor, passive, promoter), the exact coverage is the multinomial probability of the
outcomes whose interval (closed, limits clipped to [-100, 100]) contains the true NPS: no
Monte Carlo error. As a check, ``--replicates`` multinomial samples per cell are drawn with
numpy and the largest gap between simulated and exact coverage is printed.

The last tables simulate weighted samples, with weights that only add noise and with
weights that undo unequal response rates, to check the design-based effective size of the
weighted intervals (no exact enumeration exists there).

Run: ``python benchmarks/coverage.py`` (under a minute); ``--replicates``,
``--weighted-replicates`` and ``--seed`` change the defaults (10,000, 2,000 and 2026).
Prints the markdown tables of the inference page.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import TYPE_CHECKING

import numpy as np

from netpromoter import _stats
from netpromoter._scale import N_SCORES
from netpromoter._tally import Tally, tally

if TYPE_CHECKING:
    from numpy.typing import NDArray

SIZES = (10, 20, 30, 50, 100, 500)
METHODS: tuple[_stats.Method, ...] = ("adjusted_wald", "score", "wald")
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


def simplex(step: float) -> list[Profile]:
    """Every profile whose shares are multiples of ``step`` (zeros included)."""
    k = round(1 / step)
    return [(d / k, (k - d - p) / k, p / k) for d in range(k + 1) for p in range(k + 1 - d)]


def outcomes(n: int) -> NDArray[np.int64]:
    """Every possible sample of n answers as (detractors, passives, promoters) rows."""
    detractors, promoters = np.divmod(np.arange((n + 1) ** 2), n + 1)
    possible = detractors + promoters <= n
    d, p = detractors[possible], promoters[possible]
    return np.stack([d, n - d - p, p], axis=1)


def intervals(n: int) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Each method's (lower, upper) limits for every outcome of ``outcomes(n)``."""
    counts = outcomes(n)
    count = np.zeros((len(counts), N_SCORES), dtype=np.int64)
    count[:, 0], count[:, 7], count[:, 10] = counts.T
    as_float = count.astype(np.float64)
    tallied = Tally(count, as_float, as_float.copy())
    out: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    for method in METHODS:
        est = _stats.estimate(tallied, weighted=False, method=method, confidence_level=LEVEL)
        out[method] = (est.lower, est.upper)
    return out


def truth(profiles: list[Profile]) -> NDArray[np.float64]:
    """The true NPS of each profile, in points."""
    return np.array([100.0 * (p[2] - p[0]) for p in profiles])


def exact_coverage(n: int, profiles: list[Profile]) -> dict[str, NDArray[np.float64]]:
    """Exact coverage per method and profile for samples of ``n`` answers.

    The multinomial log-probability of every outcome under every profile is one matrix
    product of the counts with the log shares (a zero share gives a log of -1e30, so an
    outcome that needs it has probability 0 and one that does not is unaffected).
    """
    counts = outcomes(n)
    log_factorial = np.array([math.lgamma(k + 1.0) for k in range(n + 1)])
    log_coefficient = log_factorial[n] - log_factorial[counts].sum(axis=1)
    shares = np.asarray(profiles)
    with np.errstate(divide="ignore"):
        log_shares = np.where(shares > 0, np.log(np.where(shares > 0, shares, 1.0)), -1e30)
    limits = intervals(n)
    target = truth(profiles)
    out: dict[str, NDArray[np.float64]] = {method: np.empty(len(profiles)) for method in METHODS}
    for start in range(0, len(profiles), BLOCK):
        block = slice(start, start + BLOCK)
        probability = np.exp(log_coefficient[:, None] + counts @ log_shares[block].T)
        for method, (lower, upper) in limits.items():
            low, high = lower[:, None], upper[:, None]
            inside = (low <= target[block] + TOL) & (target[block] - TOL <= high)
            out[method][block] = (probability * inside).sum(axis=0)
    return out


def simulated_coverage(
    rng: np.random.Generator, n: int, profiles: list[Profile], replicates: int
) -> dict[str, NDArray[np.float64]]:
    """Coverage per method and profile from ``replicates`` drawn samples of ``n`` answers."""
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
    out: dict[str, NDArray[np.float64]] = {m: np.empty(len(profiles)) for m in METHODS}
    for i, profile in enumerate(profiles):
        answering = np.asarray(profile) * propensity
        category = rng.choice(3, size=n * replicates, p=answering / answering.sum())
        weights = rng.lognormal(0.0, sigma, size=n * replicates) / propensity[category]
        scores = np.array([0, 7, 10], dtype=np.int8)[category]
        tallied = tally(scores, weights, codes, replicates)
        target = 100.0 * (profile[2] - profile[0])
        for method in METHODS:
            est = _stats.estimate(tallied, weighted=True, method=method, confidence_level=LEVEL)
            inside = (est.lower <= target + TOL) & (target - TOL <= est.upper)
            out[method][i] = inside.mean()
    return out


def _shares(profile: Profile) -> str:
    return " / ".join(f"{x:.2f}" for x in profile)


Results = dict[int, dict[str, "NDArray[np.float64]"]]
HEADER = "| " + " | ".join(f"n={n}" for n in SIZES) + " |"
RULE = "---:|" * len(SIZES)


def simulation_check(
    rng: np.random.Generator, results: Results, profiles: list[Profile], replicates: int
) -> str:
    """Compare simulated with exact coverage on the shown profiles and the 0.05 grid."""
    checked = list(dict.fromkeys([*SHOWN, *simplex(0.05)]))
    index = [profiles.index(p) for p in checked]
    gap, z = 0.0, 0.0
    for n in SIZES:
        simulated = simulated_coverage(rng, n, checked, replicates)
        for method in METHODS:
            exact = results[n][method][index]
            error = np.abs(simulated[method] - exact)
            # Binomial standard error of a simulated coverage (floored for exact 0 or 1).
            se = np.sqrt(np.maximum(exact * (1 - exact), 1e-12) / replicates)
            gap, z = max(gap, float(error.max())), max(z, float((error / se).max()))
    return (
        f"Simulation check: {replicates:,} samples per cell on {len(checked)} profiles x "
        f"{len(SIZES)} sizes x {len(METHODS)} methods; largest |simulated - exact| = "
        f"{gap:.4f}, largest in binomial standard errors = {z:.2f}"
    )


def print_shown(results: Results) -> None:
    """One table per method: exact coverage of the shown profiles."""
    for method in METHODS:
        print(f"#### {method}\n")
        print("| detractor / passive / promoter | NPS " + HEADER)
        print("|---|---:|" + RULE)
        for i, profile in enumerate(SHOWN):
            cells = " | ".join(f"{results[n][method][i]:.3f}" for n in SIZES)
            print(f"| {_shares(profile)} | {100 * (profile[2] - profile[0]):+.0f} | {cells} |")
        print()


def print_lowest(
    results: Results, profiles: list[Profile], title: str, mask: NDArray[np.bool_]
) -> None:
    """The lowest coverage over the masked profiles, and the share of them under 0.93."""
    print(f"#### Lowest coverage: {title} ({mask.sum()} profiles)\n")
    print("| method " + HEADER)
    print("|---|" + RULE)
    for method in METHODS:
        worst_cells: list[str] = []
        for n in SIZES:
            values = np.where(mask, results[n][method], np.inf)
            worst = int(np.argmin(values))
            worst_cells.append(f"{values[worst]:.3f} ({_shares(profiles[worst])})")
        print(f"| {method} | " + " | ".join(worst_cells) + " |")
    print(f"\nShare of those profiles with coverage under 0.93:\n\n| method {HEADER}")
    print("|---|" + RULE)
    for method in METHODS:
        cells = " | ".join(f"{(results[n][method][mask] < 0.93).mean():.3f}" for n in SIZES)
        print(f"| {method} | {cells} |")
    print()


def print_weighted(rng: np.random.Generator, replicates: int) -> None:
    """Lowest simulated coverage of weighted intervals, per scenario."""
    shown = tuple(p for p in SHOWN if min(p) >= 0.05)
    for title, scenario in SCENARIOS.items():
        weighted = {n: weighted_coverage(rng, n, shown, replicates, scenario) for n in SIZES}
        print(
            f"#### Weighted, {title}: lowest over {len(shown)} profiles, "
            f"{replicates:,} samples per cell\n"
        )
        print("| method " + HEADER)
        print("|---|" + RULE)
        for method in METHODS:
            cells = " | ".join(f"{weighted[n][method].min():.3f}" for n in SIZES)
            print(f"| {method} | {cells} |")
        print()


def main() -> None:
    """Print the coverage tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--weighted-replicates", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()

    coarse, fine = simplex(0.05), simplex(0.01)
    profiles = list(dict.fromkeys([*SHOWN, *coarse, *fine]))
    results = {n: exact_coverage(n, profiles) for n in SIZES}
    print(f"Exact coverage of nominal {LEVEL:.0%} intervals.")
    print(simulation_check(rng, results, profiles, args.replicates) + "\n")
    print_shown(results)
    on_coarse, on_fine = set(coarse), set(fine)
    interior = np.array([min(p) >= 0.05 and p in on_coarse for p in profiles])
    print_lowest(results, profiles, "the 0.05 grid, every category at least 5 %", interior)
    everything = np.array([p in on_fine for p in profiles])
    print_lowest(
        results, profiles, "the 0.01 grid, rare and absent categories included", everything
    )
    print_weighted(rng, args.weighted_replicates)
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
