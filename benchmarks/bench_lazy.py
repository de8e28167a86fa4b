"""Benchmark the frame paths: Dask and polars lazy against the in-memory numpy path.

Run ``python benchmarks/bench_lazy.py`` (``--rows 1e7 --segments 1000`` are the
defaults; ``--repeat N`` for more repetitions; ``--skip-dask`` to leave Dask out). Two
tables are printed, each with the best of N wall-clock times and its ratio to numpy:

* ``segment()`` of weighted scores by one key with ``--segments`` levels: numpy arrays
  in a mapping (the direct path), a pandas and a polars frame (read through narwhals),
  a polars ``LazyFrame`` and a Dask DataFrame (both tallied on their engine; Dask with
  its default in-process threaded scheduler, one partition per million rows);
* ``score()`` of the same scores: a numpy array against a one-column pandas and polars
  frame (best of at least 50, since each call takes milliseconds);
* ``trend()`` of the same weighted scores by month in Europe/Amsterdam, with answer
  times spread over two years and ``--trend-segments`` regions (``--skip-trend`` to
  leave it out): numpy arrays, a pandas and a polars frame, a polars ``LazyFrame`` and a
  Dask DataFrame (the engine groups by piece of day × region × score, three pieces a
  day for Amsterdam; see ``netpromoter._engine_time``).

Every contender's result is checked against numpy's: counts exactly, NPS to 1e-12.
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

import netpromoter as nps
from netpromoter.segmentation import segment

if TYPE_CHECKING:
    from collections.abc import Callable


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall-clock seconds of ``repeat`` calls, and the last value returned."""
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def table(title: str, rows: list[tuple[str, float]], n_rows: int) -> None:
    """Print one table: contender, seconds, rows per second, ratio to the first row."""
    base = rows[0][1]
    print(f"\n{title}")
    print(f"{'contender':<34}{'seconds':>10}{'Mrows/s':>10}{'× numpy':>10}")
    for name, seconds in rows:
        print(f"{name:<34}{seconds:>10.3f}{n_rows / seconds / 1e6:>10.1f}{seconds / base:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e7)
    parser.add_argument("--segments", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-trend", action="store_true")
    parser.add_argument("--trend-segments", type=int, default=10)
    args = parser.parse_args()
    n = int(args.rows)
    import pandas as pd  # noqa: PLC0415 - optional dependency
    import polars as pl  # noqa: PLC0415 - optional dependency

    rng = np.random.default_rng(0)
    columns = {
        "score": rng.integers(0, 11, n, dtype=np.int8),
        "w": rng.gamma(2.0, 0.5, n),
        "segment": rng.integers(0, args.segments, n).astype(np.int32),
    }
    pdf = pd.DataFrame(columns)
    plf = pl.DataFrame(columns)

    def run(data: object) -> Callable[[], Any]:
        return lambda: segment(data, "segment", weights="w", min_n=1)

    contenders: list[tuple[str, Callable[[], Any]]] = [
        ("numpy arrays (direct)", run(columns)),
        ("pandas DataFrame (narwhals)", run(pdf)),
        ("polars DataFrame (narwhals)", run(plf)),
        ("polars LazyFrame (engine)", run(plf.lazy())),
    ]
    if not args.skip_dask:
        import dask.dataframe as dd  # noqa: PLC0415 - optional dependency

        warnings.filterwarnings("ignore", "Dask support is moving", FutureWarning)
        partitions = max(1, n // 1_000_000)
        ddf = dd.from_pandas(pdf, npartitions=partitions)  # type: ignore[no-untyped-call]
        contenders.append((f"Dask, {partitions} partitions (engine)", run(ddf)))
    results = []
    reference = None
    for name, fn in contenders:
        seconds, value = best_time(fn, args.repeat)
        if reference is None:
            reference = value
        assert value.counts.count == reference.counts.count, name
        assert abs(value.overall.nps - reference.overall.nps) < 1e-12, name
        results.append((name, seconds))
    table(f"segment(): {n:,} weighted rows, {args.segments:,} segments", results, n)

    scores = columns["score"]
    one_column = {"pandas": pdf[["score"]], "polars": plf.select("score")}
    # score() takes milliseconds: more repetitions, so that load bursts do not decide.
    repeat = max(args.repeat, 50)
    score_rows = [("numpy array (direct)", best_time(lambda: nps.score(scores), repeat)[0])]
    for name, frame in one_column.items():

        def run_score(frame: object = frame) -> nps.NPSResult:
            return nps.score(frame)

        seconds, value = best_time(run_score, repeat)
        assert value.nps == nps.score(scores).nps, name
        score_rows.append((f"{name} one-column frame", seconds))
    table(f"score(): {n:,} unweighted int8 rows", score_rows, n)
    if not args.skip_trend:
        bench_trend(columns, n, args)


def bench_trend(columns: dict[str, Any], n: int, args: argparse.Namespace) -> None:
    """Time ``trend()`` on every path and check each against numpy's, row for row."""
    import pandas as pd  # noqa: PLC0415 - optional dependency
    import polars as pl  # noqa: PLC0415 - optional dependency

    rng = np.random.default_rng(1)
    start = np.datetime64("2024-01-01T00:00:00", "us")
    data = {
        "score": columns["score"],
        "w": columns["w"],
        "region": rng.integers(0, args.trend_segments, n).astype(np.int32),
        "t": start + rng.integers(0, 2 * 365 * 86_400 * 10**6, n).astype("timedelta64[us]"),
    }
    pdf = pd.DataFrame(data)
    plf = pl.DataFrame(data)

    def run(frame: object) -> Callable[[], Any]:
        return lambda: nps.trend(
            frame,
            time="t",
            naive_timezone="UTC",
            timezone="Europe/Amsterdam",
            by="region",
            weights="w",
            min_n=1,
        )

    contenders: list[tuple[str, Callable[[], Any]]] = [
        ("numpy arrays (direct)", run(data)),
        ("pandas DataFrame (narwhals)", run(pdf)),
        ("polars DataFrame (narwhals)", run(plf)),
        ("polars LazyFrame (engine)", run(plf.lazy())),
    ]
    if not args.skip_dask:
        import dask.dataframe as dd  # noqa: PLC0415 - optional dependency

        partitions = max(1, n // 1_000_000)
        ddf = dd.from_pandas(pdf, npartitions=partitions)  # type: ignore[no-untyped-call]
        contenders.append((f"Dask, {partitions} partitions (engine)", run(ddf)))
    results = []
    reference = None
    for name, fn in contenders:
        seconds, value = best_time(fn, args.repeat)
        if reference is None:
            reference = value
        assert [r.n for r in value] == [r.n for r in reference], name
        for got, want in zip(value, reference, strict=True):
            assert got.nps is None or abs(got.nps - want.nps) < 1e-12, name
        results.append((name, seconds))
    table(
        f"trend(): {n:,} weighted rows, monthly, {args.trend_segments} regions",
        results,
        n,
    )


if __name__ == "__main__":
    main()
