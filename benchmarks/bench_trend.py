"""Benchmark ``trend()``: monthly NPS by region, in UTC and in a zone with daylight saving.

Run ``python benchmarks/bench_trend.py`` (``--sizes 1e5 1e6`` to choose sizes,
``--repeat N`` for more repetitions). The input is a dict of numpy columns: int8 scores,
``datetime64[s]`` timestamps over three years (naive, read as UTC), a region with 8
levels and respondent ids. Contenders, each computing the same monthly NPS per region:

* ``trend`` (UTC), ``trend`` (Europe/Amsterdam), ``trend`` with respondent ids (overlap
  covariance, transitions, first-time split);
* ``trend`` with post-stratification weights by region, as a plain array and as the
  weighting result (calibration-aware domain SEs and month-over-month domain contrasts);
* pandas: ``groupby([month, region])`` on a DataFrame, with the zone conversion done by
  pandas (``tz_localize("UTC").tz_convert(...)``), when pandas is installed.

The best of N wall-clock times is reported as rows per second; the pandas NPS values
are checked against ``trend``'s.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import warnings
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

import netpromoter as nps
from netpromoter.exceptions import FirstTimeRespondentWarning

if TYPE_CHECKING:
    from collections.abc import Callable


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall-clock seconds of ``repeat`` calls, and the value returned."""
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def make_data(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(1)
    start = np.datetime64("2023-01-01T00:00:00", "s")
    seconds = rng.integers(0, 3 * 365 * 86_400, n)
    return {
        "score": rng.integers(0, 11, n, dtype=np.int8),
        "submitted_at": start + seconds.astype("timedelta64[s]"),
        "region": rng.integers(0, 8, n).astype(np.int16),
        "respondent": rng.integers(0, max(n // 3, 1), n),
    }


def trend_nps(
    data: dict[str, Any], zone: str, respondent: str | None = None, weights: object = None
) -> list[float | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FirstTimeRespondentWarning)
        result = nps.trend(
            data,
            by="region",
            timezone=zone,
            naive_timezone="UTC",
            min_n=1,
            respondent=respondent,
            weights=weights,
        )
    return [r.nps for r in result.rows]


def pandas_nps(data: dict[str, Any], zone: str) -> list[float | None]:
    import pandas as pd  # noqa: PLC0415 - optional contender

    frame = pd.DataFrame(
        {"score": data["score"], "t": data["submitted_at"], "region": data["region"]}
    )
    local = frame["t"].dt.tz_localize("UTC").dt.tz_convert(zone)
    month = local.dt.strftime("%Y-%m")
    s = (frame["score"] >= 9).astype(int) - (frame["score"] <= 6).astype(int)
    table = (100 * s).groupby([frame["region"], month]).mean()
    return [float(v) for v in table.to_numpy()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'rows':>10}  {'contender':<34}  {'seconds':>8}  {'rows/s':>12}")
    for size in args.sizes:
        n = int(size)
        data = make_data(n)
        design = nps.weighting.poststratify(data, dict.fromkeys(range(8), 1.0), by="region")
        contenders: list[tuple[str, Callable[[], Any]]] = [
            ("trend, UTC", partial(trend_nps, data, "UTC")),
            ("trend, Europe/Amsterdam", partial(trend_nps, data, "Europe/Amsterdam")),
            (
                "trend, Amsterdam + respondent ids",
                partial(trend_nps, data, "Europe/Amsterdam", respondent="respondent"),
            ),
            ("trend, UTC, weights array", partial(trend_nps, data, "UTC", weights=design.weights)),
            ("trend, UTC, post-stratified design", partial(trend_nps, data, "UTC", weights=design)),
        ]
        if importlib.util.find_spec("pandas") is not None:
            contenders.append(
                ("pandas groupby, Europe/Amsterdam", partial(pandas_nps, data, "Europe/Amsterdam"))
            )
        values = {}
        for name, fn in contenders:
            seconds, value = best_time(fn, args.repeat)
            values[name] = value
            print(f"{n:>10,}  {name:<34}  {seconds:>8.3f}  {n / seconds:>12,.0f}")
        if "pandas groupby, Europe/Amsterdam" in values:
            ours = [v for v in values["trend, Europe/Amsterdam"] if v is not None]
            assert np.allclose(ours, values["pandas groupby, Europe/Amsterdam"], atol=1e-9)


if __name__ == "__main__":
    main()
