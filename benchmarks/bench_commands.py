"""Benchmark the ``score``, ``report`` and ``followups`` commands on big CSV files.

Run ``python benchmarks/bench_commands.py`` (``--rows 2e6`` by default; ``--rows 2e6 1e7``
for both sizes, ``--dir`` for where the files go, ``--keep`` to keep them). A CSV of
``id,submitted_at,channel,region,first_name,score`` (ISO times with ``Z`` over one year)
is written in chunks; then, each in a fresh child process:

- ``netpromoter score FILE --by region --quiet``;
- ``netpromoter report FILE --by region --period month --quiet``;
- ``netpromoter followups FILE --days 7 --now 2026-01-01T00:00:00Z --context CONTEXT
  --out PLAN.csv --quiet``;
- polars ``scan_csv`` computing the same tables: counts per category overall, per region
  and per month (times parsed), collected in one query.

Each line gives the wall-clock time in the child (imports included), its peak resident
set size (``VmHWM``, Linux) and the time as a ratio of the polars time. The overall and
per-region counts of ``score --format json`` are checked against polars'. Also print the
1-minute load average before and after, since other programs share the machine.

The children run as an installed package runs: with its compiled bytecode cached
(``PYTHONDONTWRITEBYTECODE`` is left out of their environment) and after one untimed run
of every command on a 1,000-row file, so that no timing includes compiling modules.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REGIONS = np.array(["north", "south", "east", "west"])
CHANNELS = np.array(["email", "sms", "web", "phone"])
NAMES = np.array(["Anna", "Bram", "Chris", "Daan", "Eva", "Fleur"])
CHUNK = 500_000
CONTEXT = {
    "company": "Acme",
    "agent_name": "Sam",
    "feedback_link": "https://acme.example/feedback",
    "help_link": "https://acme.example/help",
    "review_link": "https://acme.example/review",
    "referral_link": "https://acme.example/friend",
    "referral_code": "FRIEND25",
}
# Each child reports its own time and peak (VmHWM: the peak RSS of its own memory).
PEAK = """
def _peak():
    from pathlib import Path
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
"""
COMMAND = (
    """
import contextlib, io, json, sys, time
start = time.perf_counter()
from netpromoter.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[2:])
seconds = time.perf_counter() - start
"""
    + PEAK
    + """
print(json.dumps({"seconds": seconds, "peak_kib": _peak(), "code": code,
                  "stdout": out.getvalue() if "--format" in sys.argv else ""}))
"""
)
POLARS = (
    """
import json, sys, time
start = time.perf_counter()
import polars as pl
score = pl.col("score")
category = (pl.when(score <= 6).then(pl.lit("detractor"))
            .when(score <= 8).then(pl.lit("passive")).otherwise(pl.lit("promoter")))
lazy = pl.scan_csv(sys.argv[1]).with_columns(
    category.alias("category"),
    pl.col("submitted_at").str.to_datetime("%Y-%m-%dT%H:%M:%SZ").dt.strftime("%Y-%m").alias("month"),
)
counts = lambda keys: lazy.group_by(keys).agg(pl.len().alias("n"))
overall, region, month = pl.collect_all([counts(["category"]), counts(["region", "category"]),
                                         counts(["month", "category"])])
seconds = time.perf_counter() - start
"""
    + PEAK
    + """
print(json.dumps({"seconds": seconds, "peak_kib": _peak(),
                  "overall": {r["category"]: r["n"] for r in overall.to_dicts()},
                  "region": {f'{r["region"]}/{r["category"]}': r["n"] for r in region.to_dicts()},
                  "months": month["month"].n_unique()}))
"""
)


def write_file(path: Path, rows: int, seed: int = 1) -> None:
    """Write ``rows`` responses of the benchmark's shape, in chunks."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-01-01T00:00:00")
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,submitted_at,channel,region,first_name,score\n")
        for first in range(0, rows, CHUNK):
            k = min(CHUNK, rows - first)
            ids = np.char.add("r", np.arange(first, first + k).astype(str))
            times = start + rng.integers(0, 365 * 86_400, k).astype("timedelta64[s]")
            columns = [
                ids,
                np.char.add(np.datetime_as_string(times, unit="s"), "Z"),
                CHANNELS[rng.integers(0, 4, k)],
                REGIONS[rng.integers(0, 4, k)],
                NAMES[rng.integers(0, 6, k)],
                rng.integers(0, 11, k).astype(str),
            ]
            lines = columns[0]
            for column in columns[1:]:
                lines = np.char.add(np.char.add(lines, ","), column)
            handle.write("\n".join(lines.tolist()))
            handle.write("\n")


def _child(code: str, *args: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _check(score_json: str, polars: dict[str, object]) -> None:
    """The counts of ``score --format json`` must be polars' counts."""
    payload = json.loads(score_json)
    overall = polars["overall"]
    assert isinstance(overall, dict)
    for category in ("detractor", "passive", "promoter"):
        assert payload[f"{category}s"] == overall[category], category
    by_region = polars["region"]
    assert isinstance(by_region, dict)
    for row in payload["segments"]:
        for category in ("detractor", "passive", "promoter"):
            assert row[f"{category}s"] == by_region[f"{row['region']}/{category}"]


def run(rows: int, folder: Path, *, keep: bool) -> None:
    """Write a file of ``rows`` rows and time every command and polars on it."""
    path = folder / f"responses_{rows}.csv"
    context = folder / "context.json"
    context.write_text(json.dumps(CONTEXT), encoding="utf-8")
    write_file(path, rows)
    print(f"\n{rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB), load {os.getloadavg()[0]:.2f}")
    file = str(path)
    warm = folder / "warm.csv"
    write_file(warm, 1_000)
    commands = {
        "score --by region": ["score", file, "--by", "region", "--quiet", "--format", "json"],
        "report --by region --period month": [
            "report", file, "--by", "region", "--period", "month", "--quiet"
        ],
        "followups --days 7": [
            "followups", file, "--days", "7", "--now", "2026-01-01T00:00:00Z", "--context",
            str(context), "--out", str(folder / "plan.csv"), "--quiet",
        ],
    }  # fmt: skip
    for argv in commands.values():  # untimed: compile and cache every module first
        _child(COMMAND, "-", *[str(warm) if arg == file else arg for arg in argv])
    polars = _child(POLARS, file)
    base = float(polars["seconds"])  # type: ignore[arg-type]
    print(f"{'polars scan_csv (the same tables)':<40} {base:7.2f} s  1.00x  "
          f"{int(polars['peak_kib']) / 1024:7.0f} MB")  # type: ignore[call-overload]  # fmt: skip
    for name, argv in commands.items():
        result = _child(COMMAND, "-", *argv)
        if name.startswith("score"):
            _check(str(result["stdout"]), polars)
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        peak = int(result["peak_kib"]) / 1024  # type: ignore[call-overload]
        print(f"netpromoter {name:<28} {seconds:7.2f} s  {seconds / base:4.2f}x  {peak:7.0f} MB"
              f"  (exit {result['code']})")  # fmt: skip
    print(f"load {os.getloadavg()[0]:.2f}")
    if not keep:
        path.unlink()


def main() -> None:
    """Parse the options and run each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", type=float, default=[2e6])
    parser.add_argument("--dir", type=Path, default=None, help="where the files go")
    parser.add_argument("--keep", action="store_true", help="keep the files")
    args = parser.parse_args()
    if args.keep and args.dir is not None:
        for rows in args.rows:
            run(int(rows), args.dir, keep=True)
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for rows in args.rows:
            run(int(rows), Path(folder), keep=False)


if __name__ == "__main__":
    main()
