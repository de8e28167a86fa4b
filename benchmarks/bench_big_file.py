"""Benchmark ``tally_file`` on a CSV larger than it should ever hold: time and peak memory.

Run ``python benchmarks/bench_big_file.py`` (``--rows 1e8`` by default; ``--engines
pyarrow csv`` to choose readers, ``--dir`` for where the file goes). A 3-column CSV
(``id,score,region``) of that many rows is written in chunks, then each engine scores
and segments it by region in a fresh child process, whose peak resident set size
(``VmHWM``, Linux) is reported with the wall-clock time. The tallies are checked against the
counts known from generating the file. The file is deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REGIONS = np.array(["north", "south", "east", "west"])
CHUNK = 2_000_000
CHILD = """
import json, sys, time
from pathlib import Path
from netpromoter.io import tally_file
start = time.perf_counter()
t = tally_file(sys.argv[1], by=["region"], engine=sys.argv[2], progress=False)
seconds = time.perf_counter() - start
# VmHWM: the peak RSS of this program's own memory (ru_maxrss would also count the
# parent's pages at fork, before exec).
status = Path("/proc/self/status").read_text().splitlines()
peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))  # KiB
print(json.dumps({"seconds": seconds, "rows": t.rows_read, "count": list(t.counts.count),
                  "groups": {k[0]: list(c.count) for k, c in t.groups}, "peak_kib": peak}))
"""


def write_file(path: Path, rows: int, seed: int = 1) -> tuple[list[int], dict[str, list[int]]]:
    """Write ``rows`` rows in chunks; return the score counts overall and per region."""
    rng = np.random.default_rng(seed)
    total = np.zeros(11, dtype=np.int64)
    per_region = {r: np.zeros(11, dtype=np.int64) for r in REGIONS}
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,score,region\n")
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            scores = rng.integers(0, 11, n)
            region_codes = rng.integers(0, 4, n)
            total += np.bincount(scores, minlength=11)
            for code, region in enumerate(REGIONS):
                per_region[region] += np.bincount(scores[region_codes == code], minlength=11)
            ids = np.arange(start, start + n).astype(str)
            lines = np.char.add(np.char.add(ids, ","), scores.astype(str))
            lines = np.char.add(np.char.add(lines, ","), REGIONS[region_codes])
            handle.write("\n".join(lines.tolist()))
            handle.write("\n")
    return total.tolist(), {k: v.tolist() for k, v in per_region.items()}


def run_child(path: Path, engine: str) -> tuple[dict[str, object], float]:
    """Score the file in a fresh child process; return its output and its peak RSS in MiB."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, str(path), engine],
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(done.stdout)
    return out, float(out["peak_kib"]) / 1024


def main() -> None:
    """Write the file, run every engine, print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=float, default=1e8)
    parser.add_argument("--engines", nargs="+", default=["pyarrow", "csv"])
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rows = int(args.rows)
    folder = Path(args.dir or tempfile.mkdtemp(prefix="netpromoter-big-"))
    path = folder / f"big_{rows}.csv"
    start = time.perf_counter()
    expected, per_region = write_file(path, rows)
    size = path.stat().st_size / 2**30
    print(f"wrote {rows:,} rows ({size:.2f} GiB) in {time.perf_counter() - start:.0f} s")
    print(f"{'engine':<8} {'rows':>13} {'seconds':>9} {'rows/s':>12} {'peak RSS MiB':>13}  ok")
    try:
        for engine in args.engines:
            out, peak = run_child(path, engine)
            ok = out["count"] == expected and out["groups"] == per_region
            seconds = float(out["seconds"])  # type: ignore[arg-type]
            print(
                f"{engine:<8} {out['rows']:>13,} {seconds:>9.1f} {rows / seconds:>12,.0f} "
                f"{peak:>13,.0f}  {'yes' if ok else 'NO'}"
            )
    finally:
        if not args.keep:
            path.unlink()


if __name__ == "__main__":
    main()
