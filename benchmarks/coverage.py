"""Coverage of nominal 95 % NPS intervals, by simulation (not part of the test run).

For each sample size n and each true share profile (detractor, passive, promoter), draw
``--replicates`` multinomial samples with numpy. A sample of n answers has at most
``(n + 1)(n + 2) / 2`` distinct outcomes: they are tallied as one ``(G, 11)`` array and put
through the statistics layer in one vectorised call per sample size and method, and every
drawn sample looks its interval up. Coverage is the share of intervals (closed, limits
clipped to [-100, 100]) that contain the true NPS.

The last tables do the same for weighted samples, with weights that only add noise and
with weights that undo unequal response rates, to check the design-based effective size
of the weighted intervals.

Run: ``python benchmarks/coverage.py`` (seconds); ``--replicates``,
``--weighted-replicates`` and ``--seed`` change the defaults (10,000, 2,000 and 2026).
Prints the markdown tables of the inference page.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

import numpy as np

from netpromoter import _stats
from netpromoter._tally import N_SCORES, Tally, tally

if TYPE_CHECKING:
    from numpy.typing import NDArray

SIZES = (10, 20, 30, 50, 100, 500)
METHODS: tuple[_stats.Method, ...] = ("adjusted_wald", "score", "wald")
LEVEL = 0.95
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
    (0.00, 0.00, 1.00),
)


def simplex(step: float) -> list[Profile]:
    """Every profile whose shares are multiples of ``step`` (zeros included)."""
    k = round(1 / step)
    return [(d / k, (k - d - p) / k, p / k) for d in range(k + 1) for p in range(k + 1 - d)]


def coverage(
    rng: np.random.Generator, n: int, profiles: list[Profile], replicates: int
) -> dict[str, NDArray[np.float64]]:
    """Coverage per method and profile for samples of ``n`` answers."""
    # Every possible sample of n answers, as a (G, 11) tally: G = (n + 1)(n + 2) / 2.
    detractors, promoters = np.divmod(np.arange((n + 1) ** 2), n + 1)
    possible = detractors + promoters <= n
    count = np.zeros(((n + 1) ** 2, N_SCORES), dtype=np.int64)
    count[:, 0], count[:, 10] = detractors, promoters
    count[:, 7] = n - detractors - promoters
    count = count[possible]
    as_float = count.astype(np.float64)
    tallied = Tally(count, as_float, as_float.copy())
    # Each drawn sample is looked up by its (detractors, promoters) key.
    row = np.full((n + 1) ** 2, -1, dtype=np.int64)
    row[possible] = np.arange(possible.sum())
    drawn = np.empty((len(profiles), replicates), dtype=np.int64)
    for i, profile in enumerate(profiles):
        sample = rng.multinomial(n, profile, size=replicates)
        drawn[i] = row[sample[:, 0] * (n + 1) + sample[:, 2]]
    truth = np.array([100.0 * (p[2] - p[0]) for p in profiles])[:, None]
    out: dict[str, NDArray[np.float64]] = {}
    for method in METHODS:
        est = _stats.estimate(tallied, weighted=False, method=method, confidence_level=LEVEL)
        tol = 1e-9  # a true NPS of ±100 sits exactly on a clipped limit
        inside = (est.lower[drawn] <= truth + tol) & (truth - tol <= est.upper[drawn])
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
        truth = 100.0 * (profile[2] - profile[0])
        for method in METHODS:
            est = _stats.estimate(tallied, weighted=True, method=method, confidence_level=LEVEL)
            inside = (est.lower <= truth + 1e-9) & (truth - 1e-9 <= est.upper)
            out[method][i] = inside.mean()
    return out


def _shares(profile: Profile) -> str:
    return " / ".join(f"{x:.2f}" for x in profile)


def main() -> None:
    """Print the coverage tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--weighted-replicates", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()

    grid = simplex(0.05)
    edge = [p for p in simplex(0.02) if min(p) < 0.05]  # a rare category
    profiles = list(dict.fromkeys([*SHOWN, *grid, *edge]))
    interior = np.array([min(p) >= 0.05 for p in profiles])
    results = {n: coverage(rng, n, profiles, args.replicates) for n in SIZES}

    print(f"Coverage of nominal {LEVEL:.0%} intervals, {args.replicates:,} samples per cell\n")
    header = "| " + " | ".join(f"n={n}" for n in SIZES) + " |"
    rule = "---:|" * len(SIZES)
    for method in METHODS:
        print(f"#### {method}\n")
        print("| detractor / passive / promoter | NPS " + header)
        print("|---|---:|" + rule)
        for i, profile in enumerate(SHOWN):
            cells = " | ".join(f"{results[n][method][i]:.3f}" for n in SIZES)
            print(f"| {_shares(profile)} | {100 * (profile[2] - profile[0]):+.0f} | {cells} |")
        print()

    for title, mask in (
        (f"every category at least 5 % ({interior.sum()} profiles)", interior),
        (f"all {len(profiles)} profiles, with rare or absent categories", np.ones_like(interior)),
    ):
        print(f"#### Lowest coverage: {title}\n")
        print("| method " + header)
        print("|---|" + rule)
        for method in METHODS:
            worst_cells: list[str] = []
            for n in SIZES:
                values = np.where(mask, results[n][method], np.inf)
                worst = int(np.argmin(values))
                worst_cells.append(f"{values[worst]:.3f} ({_shares(profiles[worst])})")
            print(f"| {method} | " + " | ".join(worst_cells) + " |")
        print()

    shown = tuple(p for p in SHOWN if min(p) >= 0.05)
    for title, scenario in SCENARIOS.items():
        weighted = {
            n: weighted_coverage(rng, n, shown, args.weighted_replicates, scenario) for n in SIZES
        }
        print(
            f"#### Weighted, {title}: lowest over {len(shown)} profiles, "
            f"{args.weighted_replicates:,} samples per cell\n"
        )
        print("| method " + header)
        print("|---|" + rule)
        for method in METHODS:
            cells = " | ".join(f"{weighted[n][method].min():.3f}" for n in SIZES)
            print(f"| {method} | {cells} |")
        print()
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
