"""Benchmark ``rake()`` against the Python raking libraries, on the same data.

Run ``python benchmarks/bench_weighting.py`` (``--rows 1e6``, ``--repeat N``,
``--peers weightipy balance ipfn samplics`` to choose). The sample has three categorical
columns (4 + 3 + 3 = 10 levels), biased against the population margins; every contender
rakes it to those margins as tightly as it allows (1e-10 where it takes a tolerance).
Peers that are not installed are skipped (they are benchmark-only, never dependencies).
Each row gives the best wall-clock time of ``--repeat`` runs, its ratio to netpromoter's
(numpy-codes input), and the largest relative difference of its weights from
netpromoter's, after scaling both to the same total.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

import netpromoter as nps

if TYPE_CHECKING:
    from collections.abc import Callable

Weights = NDArray[np.float64]
LEVELS = {"region": 4, "age": 3, "tier": 3}
SAMPLE_P = {
    "region": [0.40, 0.30, 0.20, 0.10],
    "age": [0.50, 0.30, 0.20],
    "tier": [0.60, 0.25, 0.15],
}
POP_P = {
    "region": [0.25, 0.25, 0.25, 0.25],
    "age": [0.30, 0.40, 0.30],
    "tier": [0.40, 0.35, 0.25],
}
TOL = 1e-10


def make_data(n: int) -> dict[str, NDArray[np.int8]]:
    """Integer-coded columns, drawn independently with biased probabilities."""
    rng = np.random.default_rng(2026)
    return {
        name: rng.choice(k, size=n, p=SAMPLE_P[name]).astype(np.int8) for name, k in LEVELS.items()
    }


def margins(n: int) -> dict[str, dict[int, float]]:
    """Population margins as counts summing to ``n``."""
    return {name: {i: n * p for i, p in enumerate(POP_P[name])} for name in LEVELS}


def best(fn: Callable[[], Weights], repeat: int) -> tuple[float, Weights]:
    """Best wall-clock seconds of ``repeat`` calls, and the weights returned."""
    seconds, out = float("inf"), np.zeros(0)
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        seconds = min(seconds, time.perf_counter() - start)
    return seconds, out


def ours_numpy(data: dict[str, NDArray[np.int8]], n: int) -> Callable[[], Weights]:
    def run() -> Weights:
        return nps.rake(data, margins(n), score=None, tol=TOL).weights

    return run


def ours_pandas(frame: Any, n: int) -> Callable[[], Weights]:  # noqa: ANN401 - a pandas frame
    labelled = {name: {f"{name}{i}": v for i, v in m.items()} for name, m in margins(n).items()}

    def run() -> Weights:
        weights: Weights = nps.rake(frame, labelled, score=None, tol=TOL).weights
        return weights

    return run


def weightipy_run(frame: Any, n: int) -> Callable[[], Weights]:  # noqa: ANN401 - a pandas frame
    import weightipy as wp  # noqa: PLC0415 - optional, benchmark only

    scheme_dict = {
        name: {f"{name}{i}": 100.0 * v / n for i, v in m.items()} for name, m in margins(n).items()
    }

    def run() -> Weights:
        scheme = wp.scheme_from_dict(scheme_dict, rim_params={"convcrit": TOL})
        return np.asarray(wp.weight(frame, scheme), dtype=np.float64)

    return run


def balance_run(frame: Any, n: int) -> Callable[[], Weights]:  # noqa: ANN401 - a pandas frame
    import pandas as pd  # noqa: PLC0415 - optional, benchmark only
    from balance.weighting_methods.rake import rake  # noqa: PLC0415 - optional

    target = {name: {f"{name}{i}": v for i, v in m.items()} for name, m in margins(n).items()}
    sample = frame[list(LEVELS)].astype(str)

    def run() -> Weights:
        out = rake(
            sample,
            pd.Series(np.ones(n)),
            None,
            None,
            target_margins=target,
            convergence_rate=TOL,
            transformations=None,
            na_action="drop",
        )
        return np.asarray(out["weight"], dtype=np.float64)

    return run


def ipfn_run(frame: Any, n: int) -> Callable[[], Weights]:  # noqa: ANN401 - a pandas frame
    import pandas as pd  # noqa: PLC0415 - optional, benchmark only
    from ipfn import ipfn  # noqa: PLC0415 - optional

    names = list(LEVELS)
    aggregates = [
        pd.Series({f"{name}{i}": v for i, v in m.items()}).rename_axis(name)
        for name, m in margins(n).items()
    ]

    def run() -> Weights:
        df = frame[names].astype(str).copy()
        df["total"] = 1.0
        fitted = ipfn.ipfn(
            df, aggregates, [[k] for k in names], weight_col="total", convergence_rate=TOL
        ).iteration()
        return np.asarray(fitted["total"], dtype=np.float64)

    return run


def samplics_run(data: dict[str, NDArray[np.int8]], n: int) -> Callable[[], Weights]:
    from samplics.weighting import SampleWeight  # noqa: PLC0415 - optional, benchmark only

    columns = {name: data[name].astype(np.int64) for name in LEVELS}

    def run() -> Weights:
        return np.asarray(
            SampleWeight().rake(
                samp_weight=np.ones(n),
                margins=columns,
                control=margins(n),
                tol=TOL,
                max_iter=1000,
            ),
            dtype=np.float64,
        )

    return run


def main() -> None:
    """Time every available contender and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=float, default=1e6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", nargs="*", default=["weightipy", "balance", "ipfn", "samplics"])
    args = parser.parse_args()
    n = int(args.rows)
    data = make_data(n)
    contenders: list[tuple[str, Callable[[], Weights], int]] = [
        ("netpromoter.rake (numpy int codes)", ours_numpy(data, n), args.repeat),
    ]
    frame = None
    if importlib.util.find_spec("pandas") is not None:
        import pandas as pd  # noqa: PLC0415 - optional, benchmark only

        frame = pd.DataFrame(
            {
                name: pd.Categorical.from_codes(
                    data[name], [f"{name}{i}" for i in range(LEVELS[name])]
                )
                for name in LEVELS
            }
        )
        contenders.append(
            ("netpromoter.rake (pandas categoricals)", ours_pandas(frame, n), args.repeat)
        )
        strings = frame.astype(str)
        contenders.append(
            ("netpromoter.rake (pandas strings)", ours_pandas(strings, n), args.repeat)
        )
    makers: dict[str, Callable[[], Callable[[], Weights]]] = {
        "weightipy": lambda: weightipy_run(frame, n),
        "balance": lambda: balance_run(frame, n),
        "ipfn": lambda: ipfn_run(frame, n),
        "samplics": lambda: samplics_run(data, n),
    }
    for peer in args.peers:
        if importlib.util.find_spec(peer) is None or (peer != "samplics" and frame is None):
            print(f"skipped {peer}: not installed")
            continue
        contenders.append(
            (peer, makers[peer](), 1 if peer in {"ipfn", "samplics"} else args.repeat)
        )
    reference: Weights | None = None
    base_time = 0.0
    print(f"raking {n:,} rows to 3 margins (10 levels), tol {TOL:g}")
    print(f"{'contender':<42} {'seconds':>9} {'x netpromoter':>14} {'max rel. diff':>14}")
    for name, fn, repeat in contenders:
        try:
            seconds, w = best(fn, repeat)
        except Exception as exc:  # noqa: BLE001 - a peer failing is reported, not fatal
            print(f"{name:<42} failed: {type(exc).__name__}: {exc}"[:200])
            continue
        if reference is None:
            reference, base_time = w, seconds
        scaled = w * (reference.sum() / w.sum())
        diff = float(np.max(np.abs(scaled / reference - 1.0)))
        print(f"{name:<42} {seconds:>9.3f} {seconds / base_time:>14.1f} {diff:>14.2e}")


if __name__ == "__main__":
    main()
