"""The ``netpromoter`` command line: a thin wrapper over the public API.

Commands: ``score`` (any size of file, streamed), ``report`` (tables, JSON or a
self-contained HTML file), ``followups`` (the follow-up plan) and ``demo`` (everything on
the bundled example data). Exit codes: 0 ok, 1 data errors (the rejection report is on
stderr), 2 bad usage (unknown options, out-of-range option values, missing files).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netpromoter import __version__
from netpromoter._time import parse_iso
from netpromoter.exceptions import InvalidParameterError, NetPromoterError
from netpromoter.followup import plan
from netpromoter.io import ReadResult, read_responses, tally_file, write_csv, write_json
from netpromoter.report import build_report, placeholder_context, render_html, render_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from netpromoter.core import Response
    from netpromoter.io import FileTally, IdPolicy, Rejection
    from netpromoter.report import ReportPeriod

EXIT_OK = 0
EXIT_DATA_ERROR = 1
EXIT_USAGE = 2
EXAMPLE_FILE = "example_responses.csv"
EXAMPLE_TARGETS = "example_targets.json"
EXAMPLE_CONTEXT = "example_context.json"
#: What ``netpromoter demo`` segments the example data by.
DEMO_BY = ("region", "customer_type")


class UsageError(Exception):
    """A problem with the command line itself (exit code 2)."""


def example_path(name: str = EXAMPLE_FILE) -> Path:
    """Path of a bundled example file (by default the example responses)."""
    return Path(str(resources.files("netpromoter") / "data" / name))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netpromoter", description="Net Promoter Score analysis: correct, fast, actionable."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _score_parser(commands)
    _report_parser(commands)
    _followups_parser(commands)
    demo = commands.add_parser(
        "demo", help="run the report on the bundled example data (3,000 responses)"
    )
    _output_options(demo)
    return parser


def _reading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help="which column holds a field, e.g. --map score=Cijfer (repeatable)",
    )
    parser.add_argument(
        "--duplicates",
        choices=["keep_latest", "keep_all", "error"],
        default="keep_latest",
        help="answers of one respondent in one month (default: keep_latest, reported)",
    )
    parser.add_argument(
        "--drop-invalid",
        action="store_true",
        help="go on with the valid rows when some were rejected (still reported on stderr)",
    )


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--html", type=Path, metavar="OUT", help="also write an HTML report")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def _score_parser(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    score = commands.add_parser(
        "score", help="NPS of a CSV/Parquet file of any size, streamed in bounded memory"
    )
    source = score.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="CSV or Parquet file")
    source.add_argument("--example", action="store_true", help="use the bundled example data")
    score.add_argument("--column", help="the score column (default: found by its header)")
    score.add_argument("--by", nargs="+", default=[], metavar="COL", help="segment columns")
    score.add_argument("--weights", metavar="COL", help="a column of weights")
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
        "--engine",
        choices=["auto", "pyarrow", "csv"],
        default="auto",
        help="CSV reader: pyarrow when installed (fast), csv for exact line numbers",
    )
    score.add_argument(
        "--drop-invalid",
        action="store_true",
        help="score the valid rows even when some were rejected (still reported on stderr)",
    )
    score.add_argument("--quiet", action="store_true", help="no progress bar")
    score.add_argument("--format", choices=["text", "json"], default="text")


def _report_parser(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    report = commands.add_parser(
        "report", help="NPS with intervals, per segment and over time (no FILE: example data)"
    )
    report.add_argument("file", nargs="?", type=Path, help="CSV, JSON Lines or Parquet file")
    report.add_argument("--by", nargs="+", default=[], metavar="COL", help="segment columns")
    report.add_argument(
        "--period",
        choices=["week", "month", "quarter", "none"],
        default="month",
        help="trend period (default: month)",
    )
    report.add_argument(
        "--weights",
        type=Path,
        metavar="MARGINS.json",
        help='population margins to rake to: {"region": {"north": 0.3, ...}, ...}',
    )
    report.add_argument(
        "--followups",
        type=Path,
        metavar="CONTEXT.json",
        help="placeholder values (company, agent_name, links) to plan follow-ups",
    )
    report.add_argument("--min-n", type=int, default=30, help="small-sample flag (default: 30)")
    report.add_argument(
        "--confidence-level", type=float, default=0.95, help="interval level (default: 0.95)"
    )
    report.add_argument("--title", default="Net Promoter Score report")
    _reading_options(report)
    _output_options(report)


def _followups_parser(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    followups = commands.add_parser(
        "followups", help="write the follow-up plan: one message per response, most urgent first"
    )
    followups.add_argument("file", type=Path, help="CSV, JSON Lines or Parquet file")
    followups.add_argument("--language", help="write every message in this language (nl, en)")
    followups.add_argument("--channel", help="send every message on this channel")
    followups.add_argument(
        "--context",
        type=Path,
        metavar="CONTEXT.json",
        help="placeholder values; columns named like placeholders (first_name) are used too",
    )
    followups.add_argument("--now", help="plan as of this ISO 8601 time with zone (default: now)")
    followups.add_argument(
        "--days", type=int, help="only responses of the last DAYS days before --now"
    )
    followups.add_argument(
        "--out", type=Path, help="write the plan to a .csv, .json or .jsonl file"
    )
    followups.add_argument(
        "--share",
        action="store_true",
        help="pseudonymise ids and leave message texts out (a plan to share, not to send)",
    )
    _reading_options(followups)
    followups.add_argument("--format", choices=["text", "json"], default="text")


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _print_rejections(source: str, rejected: Sequence[Rejection]) -> None:
    for rejection in rejected:
        print(f"{source}: {rejection}", file=sys.stderr)


def _mapping(pairs: Sequence[str]) -> dict[str, str] | None:
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field or not header:
            msg = f"--map takes FIELD=HEADER, got {pair!r}"
            raise UsageError(msg)
        mapping[field.strip()] = header
    return mapping or None


def _json_file(path: Path, what: str) -> Any:  # noqa: ANN401 - parsed JSON
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        msg = f"{what} {path}: not a readable JSON file ({exc})"
        raise UsageError(msg) from exc


def _read(path: Path, args: argparse.Namespace) -> ReadResult | None:
    """Read responses; report rejections; ``None`` when invalid rows stop the command."""
    read = read_responses(path, mapping=_mapping(args.map), duplicates=args.duplicates)
    _print_rejections(str(path), read.rejected)
    invalid = len(read.rejected) - read.n_duplicates
    if invalid and not args.drop_invalid:
        print(
            f"{path}: {invalid} of {read.rows_read} rows rejected; fix them or pass "
            "--drop-invalid to use the rest",
            file=sys.stderr,
        )
        return None
    return read


# --------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------


def _run_score(args: argparse.Namespace) -> int:
    path: Path = example_path() if args.example else args.file
    tallied = tally_file(
        path,
        score=args.column,
        by=args.by,
        weights=args.weights,
        engine=args.engine,
        progress=False if args.quiet else None,
    )
    _print_rejections(str(path), tallied.rejected)
    if tallied.rejected and not args.drop_invalid:
        print(
            f"{path}: {len(tallied.rejected)} of {tallied.rows_read} rows rejected; fix them or "
            "pass --drop-invalid to score the rest",
            file=sys.stderr,
        )
        return EXIT_DATA_ERROR
    result = tallied.result(method=args.method, confidence_level=args.confidence_level)
    if args.format == "json":
        payload = result.to_dict() | {
            "file": str(path),
            "rows_read": tallied.rows_read,
            "rows_rejected": len(tallied.rejected),
        }
        if args.by:
            payload["segments"] = _segment_dicts(tallied, args)
        print(json.dumps(payload, indent=2))
        return EXIT_OK
    lo, hi = result.ci
    print(f"File        {path.name}")
    print(f"Responses   {result.n:,} ({len(tallied.rejected):,} rejected)")
    print(f"NPS         {result.nps:+.1f}")
    print(f"{result.confidence_level:.0%} CI      {lo:+.1f} to {hi:+.1f} ({result.method})")
    print(f"Promoters   {result.promoters:,} ({result.promoter_share:.1%})")
    print(f"Passives    {result.passives:,} ({result.passive_share:.1%})")
    print(f"Detractors  {result.detractors:,} ({result.detractor_share:.1%})")
    if args.by:
        table = tallied.segments(method=args.method, confidence_level=args.confidence_level)
        print()
        print(table)
    return EXIT_OK


def _segment_dicts(tallied: FileTally, args: argparse.Namespace) -> list[dict[str, Any]]:
    table = tallied.segments(method=args.method, confidence_level=args.confidence_level)
    return table.to_dicts()


def _run_report(args: argparse.Namespace, *, demo: bool = False) -> int:
    if demo or args.file is None:
        read = read_responses(example_path())
        by = list(args.by) if not demo and args.by else list(DEMO_BY)
        margins = _json_file(example_path(EXAMPLE_TARGETS), "margins")
        context = _json_file(example_path(EXAMPLE_CONTEXT), "context")
        if not demo:
            margins = _json_file(args.weights, "margins") if args.weights else margins
            context = _json_file(args.followups, "context") if args.followups else context
        period: ReportPeriod | None = "month" if demo else _period(args.period)
        options: dict[str, Any] = {"title": "Net Promoter Score report: example data"}
        _print_rejections(str(example_path().name), read.rejected)
    else:
        found = _read(args.file, args)
        if found is None:
            return EXIT_DATA_ERROR
        read, by, period = found, list(args.by), _period(args.period)
        margins = _json_file(args.weights, "margins") if args.weights else None
        context = _json_file(args.followups, "context") if args.followups else None
        options = {"title": args.title}
    if not demo:
        options |= {"min_n": args.min_n, "confidence_level": args.confidence_level}
    report = build_report(read, by=by, period=period, margins=margins, followups=context, **options)
    if args.html:
        args.html.write_text(render_html(report), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(render_text(report), end="")
    return EXIT_OK


def _period(value: str) -> ReportPeriod | None:
    periods: dict[str, ReportPeriod] = {"week": "week", "month": "month", "quarter": "quarter"}
    return periods.get(value)


def _run_followups(args: argparse.Namespace) -> int:
    read = _read(args.file, args)
    if read is None:
        return EXIT_DATA_ERROR
    context = _json_file(args.context, "context") if args.context else {}
    if not isinstance(context, dict):
        msg = f"context {args.context}: expected a JSON object of placeholder values"
        raise UsageError(msg)
    now, responses = _window(args, read.responses)
    planned = plan(
        responses,
        now=now,
        context=placeholder_context(context),
        language=args.language,
        channel=args.channel,
    )
    ids: IdPolicy = "pseudonymise" if args.share else "keep"
    rows = [item.to_dict(include_message=not args.share) for item in planned]
    if args.out:
        suffix = args.out.suffix.lower()
        if suffix in {".json", ".jsonl", ".ndjson"}:
            write_json(rows, args.out, respondent_ids=ids)
        else:
            write_csv(rows, args.out, respondent_ids=ids)
        print(f"wrote {len(rows):,} follow-ups to {args.out}", file=sys.stderr)
    if args.format == "json":
        out = io.StringIO()
        write_json(rows, out, respondent_ids=ids)
        print(out.getvalue(), end="")
    elif not args.out:
        _print_plan(rows)
    return EXIT_OK


def _window(
    args: argparse.Namespace, responses: Sequence[Response]
) -> tuple[datetime | None, list[Response]]:
    """The ``--now`` moment and the responses of the ``--days`` before it."""
    now = None
    if args.now:
        try:
            parsed = parse_iso(args.now)  # the same forms on every Python version
            now = parsed if isinstance(parsed, datetime) else datetime.fromisoformat(args.now)
        except ValueError as exc:
            msg = f"--now {args.now!r} is not an ISO 8601 time such as 2026-11-23T09:00:00+01:00"
            raise UsageError(msg) from exc
    if args.days is None:
        return now, list(responses)
    if now is None:
        msg = "--days needs --now, so that the window is reproducible"
        raise UsageError(msg)
    start = now - timedelta(days=args.days)
    return now, [r for r in responses if r.submitted_at and start <= r.submitted_at <= now]


def _print_plan(rows: Sequence[dict[str, Any]]) -> None:
    print(f"{len(rows):,} follow-ups, most urgent first")
    for row in rows:
        due = row["due"].strftime("%Y-%m-%d %H:%M") if row["due"] else ""
        overdue = " overdue" if row["overdue"] else ""
        print(
            f"{row['priority']}  {due}{overdue}  {row['category']:<9}  {row['channel']:<6}  "
            f"{row['respondent_id'] or '-'}  {row['template_id']}"
        )


def _run_demo(args: argparse.Namespace) -> int:
    return _run_report(args, demo=True)


_COMMANDS = {
    "score": _run_score,
    "report": _run_report,
    "demo": _run_demo,
    "followups": _run_followups,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 data errors, 2 bad usage)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    code = EXIT_OK
    try:
        code = _COMMANDS[args.command](args)
    except FileNotFoundError as exc:
        print(f"netpromoter: no such file: {exc.filename}", file=sys.stderr)
        code = EXIT_USAGE
    except (UsageError, InvalidParameterError) as exc:
        print(f"netpromoter: {exc}", file=sys.stderr)
        code = EXIT_USAGE
    except NetPromoterError as exc:
        print(f"netpromoter: {exc}", file=sys.stderr)
        code = EXIT_DATA_ERROR
    return code
