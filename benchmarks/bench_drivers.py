"""Benchmark ``key_drivers()`` and ``themes()``.

Run ``python benchmarks/bench_drivers.py`` (``--sizes 1e3 1e4 1e5`` to choose the numbers
of respondents, ``--aspects`` and ``--resamples`` for the key-driver model, ``--repeat N``
for more repetitions). Prints the best of N wall-clock times per size. Key drivers: time
of the whole analysis (validation, correlations, low/high NPS, relative weights and the
bootstrap, which dominates: it is ``resamples × respondents × aspects²``). Themes: time
to tag and score comments with the built-in starter dictionary.
"""

from __future__ import annotations

import argparse
import time
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

import netpromoter as nps

if TYPE_CHECKING:
    from collections.abc import Callable

PHRASES = [
    "veel te duur",
    "great customer service",
    "de levering was te laat",
    "prima",
    "the app is easy to use",
    "factuur klopt niet",
    "product arrived damaged",
    "niets op aan te merken",
    "waiting times on the phone are long",
    "goede prijs-kwaliteitverhouding",
]


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Best wall-clock seconds of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def driver_data(n: int, p: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Scores and ``p`` correlated 1..5 aspects, 5 % of ratings missing."""
    latent = rng.normal(size=n)
    data = {"score": np.clip(np.round(7 + 1.5 * latent + rng.normal(0, 1, n)), 0, 10)}
    for j in range(p):
        rating = np.clip(np.round(3 + latent * (j + 1) / p + rng.normal(0, 1, n)), 1, 5)
        rating[rng.random(n) < 0.05] = np.nan
        data[f"aspect_{j}"] = rating
    return data


def comment_data(n: int, rng: np.random.Generator) -> dict[str, object]:
    """Scores and comments of one to three stock phrases, 30 % without a comment."""
    picks = rng.integers(0, len(PHRASES), size=(n, 3))
    lengths = rng.integers(1, 4, n)
    comments = [
        None if rng.random() < 0.3 else ", ".join(PHRASES[k] for k in row[:length])
        for row, length in zip(picks, lengths, strict=True)
    ]
    return {"score": rng.integers(0, 11, n), "comment": comments}


def main() -> None:
    """Print a table of timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e4, 1e5])
    parser.add_argument("--aspects", type=int, default=6)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"key_drivers: {args.aspects} aspects, {args.resamples} bootstrap resamples")
    print(f"{'respondents':>12} {'seconds':>9}")
    for size in args.sizes:
        n = int(size)
        data = driver_data(n, args.aspects, rng)
        names = [k for k in data if k != "score"]
        run = partial(nps.key_drivers, data, names, n_resamples=args.resamples)
        seconds = best_time(run, args.repeat)
        print(f"{n:>12,} {seconds:>9.3f}")
    print("\nthemes: built-in starter dictionary")
    print(f"{'respondents':>12} {'seconds':>9} {'comments/s':>12}")
    for size in args.sizes:
        n = int(size)
        comments = comment_data(n, rng)
        seconds = best_time(partial(nps.themes, comments), args.repeat)
        print(f"{n:>12,} {seconds:>9.3f} {n / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
