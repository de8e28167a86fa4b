"""Benchmark ``score()`` against the obvious alternatives on int8 scores.

Run ``python benchmarks/bench_score.py`` (add ``--sizes 1e6 1e7`` to choose sizes,
``--repeat N`` for more repetitions). Each contender computes the unweighted NPS (and,
weighted, the weighted NPS) of the same int8 array; the best of N wall-clock times is
reported as rows per second, with the ratio of each contender's time to ``score()``'s.
All contenders' NPS values are checked to agree. ``score()`` includes its validation.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

import netpromoter as nps

if TYPE_CHECKING:
    from collections.abc import Callable

Scores = NDArray[np.int8]
Weights = NDArray[np.float64]


def best_time(fn: Callable[[], float], repeat: int) -> tuple[float, float]:
    """Best wall-clock seconds of ``repeat`` calls, and the value returned."""
    best, value = float("inf"), float("nan")
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def python_loop(s: Scores) -> float:
    promoters = detractors = 0
    for v in s.tolist():
        if v >= 9:
            promoters += 1
        elif v <= 6:
            detractors += 1
    return 100.0 * (promoters - detractors) / len(s)


def numpy_masks_obvious(s: Scores) -> float:
    return float(100.0 * (np.mean(s >= 9) - np.mean(s <= 6)))


def numpy_masks(s: Scores) -> float:
    return float(100.0 * (np.count_nonzero(s >= 9) - np.count_nonzero(s <= 6)) / len(s))


def numpy_bincount(s: Scores) -> float:
    c = np.bincount(s, minlength=11)
    return float(100.0 * (c[9:].sum() - c[:7].sum()) / c.sum())


def numpy_masks_weighted(s: Scores, w: Weights) -> float:
    return float(100.0 * (w[s >= 9].sum() - w[s <= 6].sum()) / w.sum())


def numpy_bincount_weighted(s: Scores, w: Weights) -> float:
    c = np.bincount(s, weights=w, minlength=11)
    c2 = np.bincount(s, weights=w * w, minlength=11)  # what an SE needs too
    _ = c2.sum()
    return float(100.0 * (c[9:].sum() - c[:7].sum()) / c.sum())


def contenders(
    s: Scores, w: Weights, *, with_loop: bool
) -> dict[str, tuple[Callable[[], float], Callable[[], float] | None]]:
    """Name -> (unweighted, weighted) callables."""
    out: dict[str, tuple[Callable[[], float], Callable[[], float] | None]] = {
        "netpromoter.score": (
            lambda: nps.score(s).nps,
            lambda: nps.score(s, weights=w).nps,
        ),
        "numpy masks (mean)": (lambda: numpy_masks_obvious(s), None),
        "numpy masks (count)": (lambda: numpy_masks(s), lambda: numpy_masks_weighted(s, w)),
        "numpy bincount": (lambda: numpy_bincount(s), lambda: numpy_bincount_weighted(s, w)),
    }
    if with_loop:
        out["python loop"] = (lambda: python_loop(s), None)
    try:
        import pandas as pd  # noqa: PLC0415 - optional
    except ImportError:  # pragma: no cover
        pass
    else:
        series = pd.Series(s)
        frame = pd.DataFrame({"s": s, "w": w})

        def pandas_unweighted() -> float:
            c = series.value_counts()
            return float(100.0 * (c[c.index >= 9].sum() - c[c.index <= 6].sum()) / c.sum())

        def pandas_weighted() -> float:
            c = frame.groupby("s")["w"].sum()
            return float(100.0 * (c[c.index >= 9].sum() - c[c.index <= 6].sum()) / c.sum())

        out["pandas"] = (pandas_unweighted, pandas_weighted)
    try:
        import polars as pl  # noqa: PLC0415 - optional
    except ImportError:  # pragma: no cover
        pass
    else:
        lazy = pl.DataFrame({"s": s, "w": w}).lazy()

        def polars_unweighted() -> float:
            c = lazy.group_by("s").len().collect()
            score, n = c["s"].to_numpy(), c["len"].to_numpy().astype(np.int64)
            return float(100.0 * (n[score >= 9].sum() - n[score <= 6].sum()) / n.sum())

        def polars_weighted() -> float:
            query = lazy.group_by("s").agg(pl.col("w").sum(), (pl.col("w") ** 2).sum().alias("w2"))
            c = query.collect()
            score, sw = c["s"].to_numpy(), c["w"].to_numpy()
            return float(100.0 * (sw[score >= 9].sum() - sw[score <= 6].sum()) / sw.sum())

        out["polars lazy"] = (polars_unweighted, polars_weighted)
    return out


def main() -> None:
    """Run the benchmark and print a table per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7, 1e8])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()}")
    rng = np.random.default_rng(2026)
    for size in (int(x) for x in args.sizes):
        s = rng.integers(0, 11, size, dtype=np.int8)
        w = rng.lognormal(0.0, 0.5, size)
        table = contenders(s, w, with_loop=size <= 10**6)
        ours_u, _ = best_time(table["netpromoter.score"][0], args.repeat)
        ours_w, _ = best_time(table["netpromoter.score"][1] or (lambda: 0.0), args.repeat)
        print(f"\n{size:,} int8 scores (best of {args.repeat})")
        print(
            f"{'contender':20s} {'unweighted rows/s':>18s} {'x ours':>7s}"
            f" {'weighted rows/s':>16s} {'x ours':>7s}"
        )
        reference_u = nps.score(s).nps
        reference_w = nps.score(s, weights=w).nps
        for name, (unweighted, weighted) in table.items():
            t_u, v_u = (
                (ours_u, reference_u)
                if name == "netpromoter.score"
                else best_time(unweighted, 1 if name == "python loop" else args.repeat)
            )
            assert abs(v_u - reference_u) < 1e-9, (name, v_u, reference_u)
            cells = f"{size / t_u:18.3e} {t_u / ours_u:7.2f}"
            if weighted is not None:
                t_w, v_w = (
                    (ours_w, reference_w)
                    if name == "netpromoter.score"
                    else best_time(weighted, args.repeat)
                )
                assert abs(v_w - reference_w) < 1e-6, (name, v_w, reference_w)
                cells += f" {size / t_w:16.3e} {t_w / ours_w:7.2f}"
            print(f"{name:20s} {cells}")


if __name__ == "__main__":
    main()
