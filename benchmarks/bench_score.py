"""Benchmark ``score()`` against the obvious alternatives on int8 scores.

Run ``python benchmarks/bench_score.py`` (add ``--sizes 1e6 1e7`` to choose sizes,
``--repeat N`` for more repetitions). Each contender computes the unweighted NPS (and,
weighted, the weighted NPS) of the same int8 array; the best of N wall-clock times is
reported as rows per second, with the ratio of each contender's time to ``score()``'s.
Contenders are timed in rounds: each round times every contender once, after a short
pause, and the best round of each is kept. The load average is printed before and after:
on a shared machine the figures vary, so take the best of several runs.
All contenders' NPS values are checked to agree. ``score()`` includes its validation.

Weighted, ``score()`` needs per category the count, the sum of weights and the sum of
squared weights (for its standard error). The contenders named without "Σw only"
compute exactly these three statistics per category, and are checked to agree with
``score()``'s; those named "Σw only" compute only the weight sums the NPS itself needs.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

import netpromoter as nps
from netpromoter._count import engine_threads

if TYPE_CHECKING:
    from collections.abc import Callable

_V = TypeVar("_V")
Scores = NDArray[np.int8]
Weights = NDArray[np.float64]


def best_time(fn: Callable[[], _V], repeat: int) -> tuple[float, _V]:
    """Best wall-clock seconds of ``repeat`` calls (at least one), and the value returned."""
    start = time.perf_counter()
    value = fn()
    best = time.perf_counter() - start
    for _ in range(repeat - 1):
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


#: Per category (detractors, passives, promoters): count, sum of weights, sum of squares;
#: or, for the contenders that compute the NPS alone, one column: the sum of weights.
Stats = NDArray[np.float64]


def category_masks(s: Scores) -> list[NDArray[np.bool_]]:
    return [s <= 6, (s >= 7) & (s <= 8), s >= 9]


def numpy_masks_weighted(s: Scores, w: Weights) -> Stats:
    rows = []
    for mask in category_masks(s):
        selected = w[mask]
        rows.append((np.count_nonzero(mask), selected.sum(), np.square(selected).sum()))
    return np.array(rows, dtype=np.float64)


def numpy_masks_weighted_point(s: Scores, w: Weights) -> Stats:
    return np.array([[w[s <= 6].sum()], [w[(s >= 7) & (s <= 8)].sum()], [w[s >= 9].sum()]])


def by_category(per_score: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.add.reduceat(per_score, [0, 7, 9], axis=0)


def numpy_bincount_weighted(s: Scores, w: Weights) -> Stats:
    c = np.bincount(s, minlength=11)
    c1 = np.bincount(s, weights=w, minlength=11)
    c2 = np.bincount(s, weights=w * w, minlength=11)
    return by_category(np.column_stack([c, c1, c2]).astype(np.float64))


def numpy_bincount_weighted_point(s: Scores, w: Weights) -> Stats:
    return by_category(np.bincount(s, weights=w, minlength=11)[:, None].astype(np.float64))


def nps_of(stats: Stats) -> float:
    """The weighted NPS from per-category weight sums (column 1, or the only column)."""
    sums = stats[:, 1] if stats.shape[1] == 3 else stats[:, 0]
    return float(100.0 * (sums[2] - sums[0]) / sums.sum())


def stats_of(result: nps.NPSResult) -> Stats:
    """``score()``'s count, Σw and Σw² per category (at the scale of the weights)."""
    squares = np.ldexp(np.array(result.sum_squared_weights), 2 * result.weight_exponent)
    sums = (result.detractors, result.passives, result.promoters)
    return np.column_stack([result.category_counts, sums, squares]).astype(np.float64)


Table = dict[str, tuple["Callable[[], float] | None", "Callable[[], Stats] | None"]]


def contenders(s: Scores, w: Weights, *, with_loop: bool) -> Table:
    """Name -> (unweighted NPS, weighted per-category statistics) callables."""
    out: Table = {
        "netpromoter.score": (
            lambda: nps.score(s).nps,
            lambda: stats_of(nps.score(s, weights=w)),
        ),
        "numpy masks (mean)": (lambda: numpy_masks_obvious(s), None),
        "numpy masks (count)": (lambda: numpy_masks(s), lambda: numpy_masks_weighted(s, w)),
        "numpy masks, Σw only": (None, lambda: numpy_masks_weighted_point(s, w)),
        "numpy bincount": (lambda: numpy_bincount(s), lambda: numpy_bincount_weighted(s, w)),
        "numpy bincount, Σw only": (None, lambda: numpy_bincount_weighted_point(s, w)),
    }
    if with_loop:
        out["python loop"] = (lambda: python_loop(s), None)
    return out | pandas_contenders(s, w) | polars_contenders(s, w)


def pandas_contenders(s: Scores, w: Weights) -> Table:
    """pandas: ``value_counts``; weighted, ``groupby`` size and sums (when installed)."""
    try:
        import pandas as pd  # noqa: PLC0415 - optional
    except ImportError:  # pragma: no cover
        return {}
    series = pd.Series(s)
    frame = pd.DataFrame({"s": s, "w": w, "w2": w * w})

    def pandas_unweighted() -> float:
        c = series.value_counts()
        return float(100.0 * (c[c.index >= 9].sum() - c[c.index <= 6].sum()) / c.sum())

    def pandas_weighted() -> Stats:
        # w² is a column of the frame (built once, not timed): the kindest setting.
        c = frame.groupby("s").agg(n=("w", "size"), w=("w", "sum"), w2=("w2", "sum"))
        return by_category(c.reindex(range(11), fill_value=0).to_numpy(dtype=np.float64))

    return {"pandas": (pandas_unweighted, pandas_weighted)}


def polars_contenders(s: Scores, w: Weights) -> Table:
    """Polars lazy: ``group_by`` category (or score) with ``len``, Σw, Σw² (when installed)."""
    try:
        import polars as pl  # noqa: PLC0415 - optional
    except ImportError:  # pragma: no cover
        return {}
    lazy = pl.DataFrame({"s": s, "w": w}).lazy()
    category = pl.when(pl.col("s") <= 6).then(0).when(pl.col("s") <= 8).then(1).otherwise(2)
    w_col = pl.col("w")
    full = (pl.len(), w_col.sum(), (w_col * w_col).sum().alias("w2"))

    def polars_unweighted() -> float:
        c = lazy.group_by("s").len().collect()
        score, n = c["s"].to_numpy(), c["len"].to_numpy().astype(np.int64)
        return float(100.0 * (n[score >= 9].sum() - n[score <= 6].sum()) / n.sum())

    def polars_categories(*aggs: pl.Expr) -> Stats:
        c = lazy.group_by(category.alias("c")).agg(*aggs).collect().sort("c")
        return c.drop("c").to_numpy().astype(np.float64)

    def polars_per_score() -> Stats:
        c = lazy.group_by("s").agg(*full).collect().sort("s")
        per_score = np.zeros((11, 3))
        per_score[c["s"].to_numpy()] = c.drop("s").to_numpy()
        return by_category(per_score)

    return {
        "polars lazy": (polars_unweighted, lambda: polars_categories(*full)),
        "polars lazy, per score": (None, polars_per_score),
        "polars lazy, Σw only": (None, lambda: polars_categories(w_col.sum())),
    }


#: Seconds to wait before each timing, so the previous contender's worker threads (polars,
#: numpy's BLAS) go idle first: threads still spinning would steal a core.
PAUSE = 0.1


Job = tuple[str, bool]


def time_rounds(
    jobs: dict[Job, Callable[[], Any]], repeat: int
) -> tuple[dict[Job, float], dict[Job, Any]]:
    """Best seconds of each job over ``repeat`` rounds, and its value (the loop: once)."""
    best = dict.fromkeys(jobs, float("inf"))
    values: dict[Job, Any] = {}
    for round_ in range(repeat):
        for job, fn in jobs.items():
            if job[0] == "python loop" and round_:
                continue
            time.sleep(PAUSE)
            seconds, values[job] = best_time(fn, 1)
            best[job] = min(best[job], seconds)
    return best, values


def run(size: int, s: Scores, w: Weights, repeat: int) -> None:
    """Time every contender on one input in rounds and print its table.

    Each round times every contender once, so a burst of load from other processes
    hits all of them alike; the best round of each is kept.
    """
    table = contenders(s, w, with_loop=size <= 10**6)
    jobs: dict[Job, Callable[[], Any]] = {}
    for name, (unweighted, weighted) in table.items():
        if unweighted is not None:
            jobs[name, False] = unweighted
        if weighted is not None:
            jobs[name, True] = weighted
    best, values = time_rounds(jobs, repeat)
    threads = engine_threads(size, weighted=False)  # as tally_categories asks
    print(f"\n{size:,} int8 scores (best of {repeat}; score() weighted on {threads} threads)")
    print(
        f"{'contender':24s} {'unweighted rows/s':>18s} {'x ours':>7s}"
        f" {'weighted rows/s':>16s} {'x ours':>7s}"
    )
    ours = "netpromoter.score"
    for name in table:
        cells = f"{'':18s} {'':7s}"
        if (name, False) in jobs:
            value, reference = values[name, False], values[ours, False]
            assert abs(value - reference) < 1e-9, (name, value, reference)
            seconds = best[name, False]
            cells = f"{size / seconds:18.3e} {seconds / best[ours, False]:7.2f}"
        if (name, True) in jobs:
            value, reference = values[name, True], values[ours, True]
            assert abs(nps_of(value) - nps_of(reference)) < 1e-6, (name, value, reference)
            if value.shape == reference.shape:  # the same statistics: they agree
                assert np.allclose(value, reference, rtol=1e-9, atol=0), (name, value, reference)
            seconds = best[name, True]
            cells += f" {size / seconds:16.3e} {seconds / best[ours, True]:7.2f}"
        print(f"{name:24s} {cells}")
    print(f"load average after: {os.getloadavg()}")


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
        run(size, s, rng.lognormal(0.0, 0.5, size), args.repeat)


if __name__ == "__main__":
    main()
