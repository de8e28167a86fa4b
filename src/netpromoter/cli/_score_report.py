"""The ``score`` and ``report`` commands."""

from __future__ import annotations

import io
import json
import sys
from typing import TYPE_CHECKING, Any

from netpromoter.cli._parser import (
    DEMO_BY,
    EXAMPLE_CONTEXT,
    EXAMPLE_TARGETS,
    EXIT_DATA_ERROR,
    EXIT_OK,
    UsageError,
    example_path,
)
from netpromoter.cli._reading import (
    _context,
    _input_file,
    _json_object,
    _may_go_on,
    _options,
    _print_rejections,
    _read,
    _read_keywords,
    _scan,
    _write_text,
    _zone,
)

# Each command imports what it uses when it runs (a file's reader, the report, the plan),
# so that the command line starts fast and ``score`` loads neither plots nor weighting.
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from pathlib import Path

    from netpromoter.io import FileTally, ReadColumns
    from netpromoter.report import ReportPeriod
    from netpromoter.report.inputs import Rows, Tallied
    from netpromoter.segmentation import SegmentResult


def _run_score(args: argparse.Namespace) -> int:
    from netpromoter.io._tally_file import tally_file
    from netpromoter.io._write import write_csv
    from netpromoter.report.text import render_score_text

    path: Path = example_path() if args.example else _input_file(args.file)
    read = _read_keywords(args)
    if args.stream:
        ignored = [
            option
            for option, key in (
                ("--map", "mapping"),
                ("--date-format", "date_format"),
                ("--timezone", "naive_timezone"),
                ("--channel-map", "channel_map"),
            )
            if read.get(key)
        ]
        if ignored or read["decimal"] != "." or read["encoding"] != "utf-8-sig":
            msg = "--stream checks the score and weight cells of a UTF-8 file only; leave out " + (
                ", ".join(ignored) or "--decimal and --encoding"
            )
            raise UsageError(msg)
    tallied = tally_file(
        path,
        score=args.column,
        by=args.by,
        weights=args.weights,
        delimiter=read["delimiter"],
        engine=args.engine,
        progress=False if args.quiet else None,
        read=None if args.stream else {k: v for k, v in read.items() if k != "delimiter"},  # type: ignore[arg-type]
    )
    _print_rejections(str(path), tallied.rejected, tallied.notes)
    if not _may_go_on(path, args, tallied.rows_read, len(tallied.rejected) - _duplicates(tallied)):
        return EXIT_DATA_ERROR
    result = tallied.result(method=args.method, confidence_level=args.confidence_level)
    summary = {
        "file": str(path),
        "rows_read": tallied.rows_read,
        "rows_rejected": len(tallied.rejected),
    }
    if args.format == "json":
        payload = result.to_dict() | summary
        if args.by:
            payload["segments"] = _segment_dicts(tallied, args)
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    if args.format == "csv":
        rows = _segment_dicts(tallied, args) if args.by else [result.to_dict() | summary]
        out = io.StringIO()
        write_csv(rows, out, respondent_ids="keep")
        print(out.getvalue().removeprefix("\ufeff"), end="")  # no byte-order mark on a terminal
        return EXIT_OK
    segments = _segments(tallied, args) if args.by else None
    text = render_score_text(
        result, path.name, len(tallied.rejected), segments, args.language or "en"
    )
    print(text, end="")
    return EXIT_OK


def _duplicates(tallied: FileTally) -> int:
    """Rows a checked tally set aside as duplicates (not a reason to stop)."""
    return sum(r.reason.startswith("duplicate:") for r in tallied.rejected)


def _segments(tallied: FileTally, args: argparse.Namespace) -> SegmentResult:
    """The segment table of a file's tally, as ``segment`` gives in memory."""
    from netpromoter.segmentation import SegmentCounts

    counted = tallied.tally
    counts = SegmentCounts.from_tally(
        counted, counted.by, counted.labels or (), weighted=counted.weighted
    )
    return counts.result(method=args.method, confidence_level=args.confidence_level)


def _segment_dicts(tallied: FileTally, args: argparse.Namespace) -> list[dict[str, Any]]:
    return _segments(tallied, args).to_dicts()


def _run_report(args: argparse.Namespace, *, demo: bool = False) -> int:
    from netpromoter.io._columns import read_columns
    from netpromoter.report import build_report, render_html, render_text
    from netpromoter.report.words import Words

    if demo or args.file is None:
        read: Rows | Tallied | ReadColumns = read_columns(example_path())
        by = list(args.by) if not demo and args.by else list(DEMO_BY)
        margins: dict[str, Any] | None = _margins(example_path(EXAMPLE_TARGETS))
        context: dict[str, str] | None = _context(example_path(EXAMPLE_CONTEXT))
        if not demo:
            margins = _margins(args.weights) if args.weights else margins
            context = _context(args.followups) if args.followups else context
        period: ReportPeriod | None = "month" if demo else _period(args.period)
        # The example data mixes Dutch and English answers: English unless asked otherwise.
        options: dict[str, Any] = {"title": Words(args.language or "en")("example_title")}
        _print_rejections(str(example_path().name), read.rejected)
    else:
        margins = _margins(args.weights) if args.weights else None
        found = _report_rows(args, list(args.by), list(margins or {}))
        if found is None:
            return EXIT_DATA_ERROR
        (read, by), period = found, _period(args.period)
        context = _context(args.followups) if args.followups else None
        options = {"title": args.title}
    options["language"] = args.language
    if not demo:
        options |= {
            "min_n": args.min_n,
            "confidence_level": args.confidence_level,
            "timezone": _zone(args.timezone) or "UTC",
        }
    report = build_report(read, by=by, period=period, margins=margins, followups=context, **options)
    if args.html:
        _write_text(args.html, render_html(report))
        print(f"wrote {args.html}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(render_text(report), end="")
    return EXIT_OK


def _report_rows(
    args: argparse.Namespace, by: Sequence[str], margins: Sequence[str]
) -> tuple[Rows | Tallied | ReadColumns, list[str]] | None:
    """A report's rows and the keys of its ``by`` columns (a header or a field name each).

    A CSV file is read in compact columns, chunk by chunk (with the language column when
    the report's language follows the data); any other file is read whole.
    """
    from netpromoter._input.times import check_zone
    from netpromoter.io._columns import read_columns
    from netpromoter.io._scan import CHUNK_ROWS, scan_keys
    from netpromoter.report.inputs import ChunkTally, Rescan, scanned_rows

    path = _input_file(args.file)
    options = _options(args)
    keys = scan_keys(path, options, [*by, *margins])
    if keys is None:
        read = _read(path, args, read_columns)
        return None if read is None else (read, [read.key(column) for column in by])
    language = [] if args.language else scan_keys(path, options, ["language"]) or []
    kept = list(dict.fromkeys([*keys, *language]))
    progress = False if args.quiet else None
    if margins:  # raking needs the rows
        scanned = _scan(path, args, keep=kept)
        if scanned is None:
            return None
        rows = scanned_rows(scanned, Rescan(path, options, progress=progress))
        return rows, keys[: len(by)]
    # Every other section is counted chunk by chunk: no row is kept.
    counter = ChunkTally(kept, check_zone(_zone(args.timezone) or "UTC"))
    scanned = _scan(path, args, keep=kept, sink=counter)
    if scanned is None:
        return None
    if not scanned.streamed:  # duplicates were checked at the end: count the rows kept
        scanned.feed(counter, CHUNK_ROWS)
    return counter.rows(scanned, Rescan(path, options, progress=progress)), keys[: len(by)]


def _margins(path: Path) -> dict[str, Any]:
    return _json_object(path, "margins", values='population margins, {"region": {...}}')


def _period(value: str) -> ReportPeriod | None:
    periods: dict[str, ReportPeriod] = {"week": "week", "month": "month", "quarter": "quarter"}
    return periods.get(value)
