"""The ``netpromoter`` command line: a thin wrapper over the public API."""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from netpromoter import __version__
from netpromoter.core import NPSCounts
from netpromoter.exceptions import NetPromoterError
from netpromoter.io import read_scores

if TYPE_CHECKING:
    from collections.abc import Sequence

EXIT_OK = 0
EXIT_DATA_ERROR = 1
EXIT_USAGE = 2
EXAMPLE_FILE = "example_responses.csv"


def example_path() -> Path:
    """Path of the bundled example dataset."""
    return Path(str(resources.files("netpromoter") / "data" / EXAMPLE_FILE))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netpromoter", description="Net Promoter Score analysis: correct, fast, actionable."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="NPS of a CSV file's score column, with its interval")
    source = score.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="CSV file with a score column")
    source.add_argument("--example", action="store_true", help="use the bundled example data")
    score.add_argument("--column", default="score", help="score column header (default: score)")
    score.add_argument(
        "--confidence-level", type=float, default=0.95, help="interval level (default: 0.95)"
    )
    score.add_argument(
        "--method",
        choices=["adjusted_wald", "wald"],
        default="adjusted_wald",
        help="interval method (default: adjusted_wald)",
    )
    score.add_argument(
        "--drop-invalid",
        action="store_true",
        help="score the valid rows even when some were rejected (still reported on stderr)",
    )
    score.add_argument("--format", choices=["text", "json"], default="text")
    return parser


def _run_score(args: argparse.Namespace) -> int:
    path: Path = example_path() if args.example else args.file
    read = read_scores(path, column=args.column)
    for rejection in read.rejected:
        print(f"{path}: {rejection}", file=sys.stderr)
    if read.rejected and not args.drop_invalid:
        print(
            f"{path}: {len(read.rejected)} of {read.rows_read} rows rejected; fix them or "
            "pass --drop-invalid to score the rest",
            file=sys.stderr,
        )
        return EXIT_DATA_ERROR
    result = NPSCounts.from_scores(read.scores).result(
        method=args.method, confidence_level=args.confidence_level
    )
    if args.format == "json":
        payload = result.to_dict() | {"file": str(path), "rows_rejected": len(read.rejected)}
        print(json.dumps(payload, indent=2))
        return EXIT_OK
    lo, hi = result.ci
    print(f"File        {path.name}")
    print(f"Responses   {result.n:,} ({len(read.rejected):,} rejected)")
    print(f"NPS         {result.nps:+.1f}")
    print(f"{result.confidence_level:.0%} CI      {lo:+.1f} to {hi:+.1f} ({result.method})")
    print(f"Promoters   {result.promoters:,} ({result.promoter_share:.1%})")
    print(f"Passives    {result.passives:,} ({result.passive_share:.1%})")
    print(f"Detractors  {result.detractors:,} ({result.detractor_share:.1%})")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 data errors, 2 bad usage)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return _run_score(args)
    except FileNotFoundError as exc:
        print(f"netpromoter: no such file: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
    except NetPromoterError as exc:
        print(f"netpromoter: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
