"""Benchmark the frame paths (pandas, polars, pyarrow, Dask, polars lazy) against numpy.

Run ``python benchmarks/bench_lazy.py`` (defaults: ``--rows 1e7 --segments 1000
--repeat 5 --score-rows 1e6 1e7 --score-repeat 20``, with up to 10 times as many
rounds for smaller score inputs: 200 at 10⁶ rows); ``--skip-dask`` leaves Dask out,
``--skip-segment``, ``--skip-trend`` or ``--skip-score`` one of the parts). Contenders
run in interleaved rounds (every contender once per round, in an order rotated each
round), so that a burst of load on the shared machine hits all of them alike; each
reports its best time over the rounds. The load average is printed before and after
each table.

* ``segment()`` of weighted scores by one key with ``--segments`` levels: numpy arrays
  in a mapping (the direct path), a pandas and a polars frame (read in memory), a polars
  ``LazyFrame`` and a Dask DataFrame (both tallied on their engine; Dask with its
  default in-process threaded scheduler, one partition per million rows);
* ``trend()`` of the same weighted scores by month in Europe/Amsterdam, with answer
  times spread over two years and ``--trend-segments`` regions (``--skip-trend`` to
  leave it out): numpy arrays, a pandas and a polars frame, a polars ``LazyFrame`` and a
  Dask DataFrame (the engine groups by piece of day × region × score, three pieces a
  day for Amsterdam; see ``netpromoter._input.engine_times``);
* ``score(frame, score="score")``, unweighted and with ``weights="w"``, for int8, int64
  and float64 scores, and for int8 and float64 scores with 5 % nulls
  (``missing="drop"``): a numpy array (the direct path; with nulls, float64 with NaN)
  against a pandas frame (numpy dtypes), pandas nullable (``Int8``...) and
  pyarrow-backed (``int8[pyarrow]``...) columns, a polars frame and a pyarrow
  ``Table``. The table gives numpy's time and every frame's time over numpy's.

Every contender's result is checked against numpy's: counts exactly, NPS to 1e-12.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

import netpromoter as nps
from netpromoter.segmentation import segment

if TYPE_CHECKING:
    from collections.abc import Callable

    from numpy.typing import NDArray


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def interleaved(
    contenders: dict[str, Callable[[], Any]], rounds: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """Best wall-clock seconds of each contender over ``rounds`` interleaved rounds.

    Each round calls every contender once, starting one further along each round, so
    that no contender always runs first (after the others' allocations) or last.
    """
    names = list(contenders)
    best = dict.fromkeys(names, float("inf"))
    values: dict[str, Any] = {}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            values[name] = contenders[name]()
            best[name] = min(best[name], time.perf_counter() - start)
    return best, values


def segment_data(args: argparse.Namespace) -> dict[str, NDArray[Any]]:
    """The weighted scores and segment key of the ``segment()`` and ``trend()`` tables."""
    n = int(args.rows)
    rng = np.random.default_rng(0)
    return {
        "score": rng.integers(0, 11, n, dtype=np.int8),
        "w": rng.gamma(2.0, 0.5, n),
        "segment": rng.integers(0, args.segments, n).astype(np.int32),
    }


def frame_contenders(
    data: dict[str, NDArray[Any]],
    run: Callable[[object], Callable[[], Any]],
    args: argparse.Namespace,
) -> dict[str, Callable[[], Any]]:
    """``run`` on numpy arrays, pandas and polars frames, a polars LazyFrame and Dask."""
    import pandas as pd  # noqa: PLC0415 - optional dependency
    import polars as pl  # noqa: PLC0415 - optional dependency

    pdf = pd.DataFrame(data)
    plf = pl.DataFrame(data)
    contenders = {
        "numpy arrays (direct)": run(data),
        "pandas DataFrame": run(pdf),
        "polars DataFrame": run(plf),
        "polars LazyFrame (engine)": run(plf.lazy()),
    }
    if not args.skip_dask:
        import dask.dataframe as dd  # noqa: PLC0415 - optional dependency

        warnings.filterwarnings("ignore", "Dask support is moving", FutureWarning)
        partitions = max(1, len(pdf) // 1_000_000)
        ddf = dd.from_pandas(pdf, npartitions=partitions)  # type: ignore[no-untyped-call]
        contenders[f"Dask, {partitions} partitions (engine)"] = run(ddf)
    return contenders


def print_table(title: str, best: dict[str, float], n: int, before: str) -> None:
    """One table: contender, seconds, rows per second, ratio to the first contender."""
    base = next(iter(best.values()))
    print(f"\n{title}")
    print(f"load average before: {before}; after: {load()}")
    print(f"{'contender':<34}{'seconds':>10}{'Mrows/s':>10}{'× numpy':>10}")
    for name, seconds in best.items():
        print(f"{name:<34}{seconds:>10.3f}{n / seconds / 1e6:>10.1f}{seconds / base:>10.2f}")


def segment_table(args: argparse.Namespace, data: dict[str, NDArray[Any]]) -> None:
    """Time ``segment()`` on numpy, in-memory frames and lazy engines."""

    def run(frame: object) -> Callable[[], Any]:
        return lambda: segment(frame, "segment", weights="w", min_n=1)

    before = load()
    best, values = interleaved(frame_contenders(data, run, args), args.repeat)
    reference = values["numpy arrays (direct)"]
    for name, value in values.items():
        assert value.counts.count == reference.counts.count, name
        assert abs(value.overall.nps - reference.overall.nps) < 1e-12, name
    n = len(data["score"])
    title = f"segment(): {n:,} weighted rows, {args.segments:,} segments, best of {args.repeat}"
    print_table(title, best, n, before)


def trend_table(args: argparse.Namespace, columns: dict[str, NDArray[Any]]) -> None:
    """Time ``trend()`` on every path and check each against numpy's, row for row."""
    n = len(columns["score"])
    rng = np.random.default_rng(1)
    start = np.datetime64("2024-01-01T00:00:00", "us")
    data = {
        "score": columns["score"],
        "w": columns["w"],
        "region": rng.integers(0, args.trend_segments, n).astype(np.int32),
        "t": start + rng.integers(0, 2 * 365 * 86_400 * 10**6, n).astype("timedelta64[us]"),
    }

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

    before = load()
    best, values = interleaved(frame_contenders(data, run, args), args.repeat)
    reference = values["numpy arrays (direct)"]
    for name, value in values.items():
        assert [r.n for r in value] == [r.n for r in reference], name
        for got, want in zip(value, reference, strict=True):
            assert got.nps is None or abs(got.nps - want.nps) < 1e-12, name
    title = (
        f"trend(): {n:,} weighted rows, monthly, {args.trend_segments} regions, "
        f"best of {args.repeat}"
    )
    print_table(title, best, n, before)


#: Score cases: name, numpy dtype of the scores, whether 5 % of them are null.
CASES = (("int8", "int8", False), ("int64", "int64", False), ("float64", "float64", False))
NULL_CASES = (("int8, 5 % null", "int8", True), ("float64, 5 % null", "float64", True))
FRAMES = ("pandas", "pandas nullable", "pandas pyarrow", "polars", "pyarrow")


def score_frames(
    scores: NDArray[Any], nulls: NDArray[np.bool_] | None, w: NDArray[np.float64]
) -> dict[str, object]:
    """The same scores (and weights ``w``) as each kind of frame, nulls as nulls.

    Every frame holds its own copy of the data (pyarrow and polars could share numpy's
    buffer), so that no contender reads data another one left in the cache.
    """
    import pandas as pd  # noqa: PLC0415 - optional dependency
    import polars as pl  # noqa: PLC0415 - optional dependency
    import pyarrow as pa  # noqa: PLC0415 - optional dependency

    def arrow() -> Any:  # noqa: ANN401 - a pyarrow array
        return pa.array(scores.copy(), mask=nulls)

    mask = np.zeros(len(scores), dtype=bool) if nulls is None else nulls.copy()
    nullable = pd.arrays.FloatingArray if scores.dtype.kind == "f" else pd.arrays.IntegerArray
    masked = nullable(scores.copy(), mask)
    frames: dict[str, object] = {
        "pandas nullable": pd.DataFrame({"score": masked, "w": w.copy()}),
        "pandas pyarrow": pd.DataFrame(
            {"score": pd.arrays.ArrowExtensionArray(arrow()), "w": w.copy()}
        ),
        "polars": pl.DataFrame({"score": pl.Series(arrow()), "w": w.copy()}),
        "pyarrow": pa.table({"score": arrow(), "w": pa.array(w.copy())}),
    }
    if nulls is None:  # a numpy-backed pandas integer column cannot hold nulls
        frames["pandas"] = pd.DataFrame({"score": scores.copy(), "w": w.copy()})
    return frames


def scorer(
    data: Any,  # noqa: ANN401 - an array or a frame
    weights: Any,  # noqa: ANN401 - an array or a column name
    missing: Literal["raise", "drop"],
    *,
    column: str | None = None,
) -> Callable[[], nps.NPSResult]:
    """A call of ``score()`` on ``data``, ready to time."""
    return lambda: nps.score(data, score=column, weights=weights, missing=missing)


def score_tables(args: argparse.Namespace) -> None:
    """Time ``score()`` of frames against a numpy array, per case and size."""
    for rows in args.score_rows:
        n = int(rows)
        # Smaller inputs take less time per call, so more rounds (up to 10 times more).
        rounds = args.score_repeat * max(1, min(10, round(1e7 / n)))
        rng = np.random.default_rng(1)
        base8 = rng.integers(0, 11, n, dtype=np.int8)
        w = rng.gamma(2.0, 0.5, n)
        null_mask = rng.random(n) < 0.05
        lines = []
        before = load()
        for case, dtype, with_nulls in (*CASES, *NULL_CASES):
            scores = base8.astype(dtype)
            nulls = null_mask if with_nulls else None
            direct = scores
            if nulls is not None:
                direct = np.where(nulls, np.nan, scores.astype(np.float64))
            frames = score_frames(scores, nulls, w)
            missing: Literal["raise", "drop"] = "drop" if with_nulls else "raise"
            for weighted in (False, True):
                weights = "w" if weighted else None
                contenders = {"numpy": scorer(direct, w if weighted else None, missing)}
                for name in FRAMES:
                    if name in frames:
                        contenders[name] = scorer(frames[name], weights, missing, column="score")
                best, values = interleaved(contenders, rounds)
                reference = values["numpy"]
                for name, value in values.items():
                    assert (value.n, value.n_missing) == (reference.n, reference.n_missing), name
                    assert abs(value.nps - reference.nps) < 1e-12, name
                label = f"{case}{', weighted' if weighted else ''}"
                ratios = [
                    f"{best[name] / best['numpy']:.2f}" if name in best else "-" for name in FRAMES
                ]
                lines.append((label, 1e3 * best["numpy"], ratios))
            del frames
        print(f"\nscore(frame, score='score'): {n:,} rows, best of {rounds} rounds")
        print(f"load average before: {before}; after: {load()}")
        print(f"{'case':<26}{'numpy ms':>10}" + "".join(f"{name:>17}" for name in FRAMES))
        for label, ms, ratios in lines:
            print(f"{label:<26}{ms:>10.2f}" + "".join(f"{r:>17}" for r in ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e7)
    parser.add_argument("--segments", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--score-rows", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--score-repeat", type=int, default=20)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-segment", action="store_true")
    parser.add_argument("--skip-score", action="store_true")
    parser.add_argument("--skip-trend", action="store_true")
    parser.add_argument("--trend-segments", type=int, default=10)
    args = parser.parse_args()
    if not (args.skip_segment and args.skip_trend):
        data = segment_data(args)
        if not args.skip_segment:
            segment_table(args, data)
        if not args.skip_trend:
            trend_table(args, data)
    if not args.skip_score:
        score_tables(args)


if __name__ == "__main__":
    main()
