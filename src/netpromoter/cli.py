"""The ``netpromoter`` command line: a thin wrapper over the public API.

Commands: ``score`` (any size of file, streamed), ``report`` (tables, JSON or a
self-contained HTML file), ``followups`` (the follow-up plan) and ``demo`` (everything on
the bundled example data). Exit codes: 0 ok, 1 data errors (the rejection report is on
stderr), 2 bad usage (unknown options, out-of-range option values, missing files, a
directory or unreadable file where a file is expected, an output that cannot be written).
Every error is one line on stderr that names the file or option; never a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import io
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from netpromoter.exceptions import InvalidParameterError, NetPromoterError

# Each command imports what it uses when it runs (a file's reader, the report, the plan),
# so that the command line starts fast and ``score`` loads neither plots nor weighting.
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from zoneinfo import ZoneInfo

    from netpromoter.core import Response
    from netpromoter.io import FileTally, ReadColumns, ReadResult, Rejection
    from netpromoter.io._read import ReadKeywords, ReadOptions
    from netpromoter.io._scan import Scanned, Sink
    from netpromoter.report import ReportPeriod
    from netpromoter.report.inputs import Rows, Tallied
    from netpromoter.report.words import Words
    from netpromoter.segmentation import SegmentResult

#: The package's data files (read as files: importlib.resources costs 10 ms at start-up).
_DATA = Path(__file__).parent / "data"
EXIT_OK = 0
#: Rows of the window turned into responses at a time (``followups``).
_SLICE = 10_000
EXIT_DATA_ERROR = 1
EXIT_USAGE = 2
EXAMPLE_FILE = "example_responses.csv"
EXAMPLE_TARGETS = "example_targets.json"
EXAMPLE_CONTEXT = "example_context.json"
#: What ``netpromoter demo`` segments the example data by.
DEMO_BY = ("region", "customer_type")
_Read = TypeVar("_Read", "ReadResult", "ReadColumns", "Scanned")


class UsageError(Exception):
    """A problem with the command line itself (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong, and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}; see {self.prog} --help\n")


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:  # noqa: A002 - argparse's keyword
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,  # noqa: ARG002 - argparse's signature
        values: object,  # noqa: ARG002 - argparse's signature
        option_string: str | None = None,  # noqa: ARG002 - argparse's signature
    ) -> NoReturn:
        from netpromoter import __version__

        print(f"{parser.prog} {__version__}")
        parser.exit()


def example_path(name: str = EXAMPLE_FILE) -> Path:
    """Path of a bundled example file (by default the example responses)."""
    return _DATA / name


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="netpromoter", description="Net Promoter Score analysis: correct, fast, actionable."
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _score_parser(commands)
    _report_parser(commands)
    _followups_parser(commands)
    demo = commands.add_parser(
        "demo", help="run the report on the bundled example data (3,000 responses)"
    )
    _language_option(demo)
    _output_options(demo)
    return parser


#: The options that say how to read a file, the same on every command: each one's flag
#: and ``add_argument`` keywords, in the order ``--help`` lists them.
_READING_OPTIONS_FILE = "reading_options.json"


def _reading_options(parser: argparse.ArgumentParser) -> None:
    """The options that say how to read a file: the same on every command."""
    reading = parser.add_argument_group("reading the file (the same on every command)")
    text = (_DATA / _READING_OPTIONS_FILE).read_text("utf-8")
    options: list[dict[str, Any]] = json.loads(text)  # each parser its own default lists
    for keywords in options:
        reading.add_argument(keywords.pop("flag"), **keywords)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _output_options(
    parser: argparse.ArgumentParser, *, html: bool = True, formats: Sequence[str] = ("text", "json")
) -> None:
    if html:
        parser.add_argument("--html", type=Path, metavar="OUT", help="also write an HTML report")
    parser.add_argument(
        "--format",
        choices=list(formats),
        default="text",
        help=f"what to print: {', '.join(formats)} (default: text)",
    )


def _language_option(
    parser: argparse.ArgumentParser,
    what: str = "the report (default: the data's language column when it holds one "
    "language, else en)",
) -> None:
    parser.add_argument("--language", choices=["nl", "en"], help=f"language of {what}")


def _segment_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by",
        nargs="+",
        default=[],
        metavar="COL",
        help="segment columns, by header (Kanaal) or field name (channel)",
    )


def _level_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--confidence-level", type=float, default=0.95, help="interval level (default: 0.95)"
    )


def _score_parser(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    score = commands.add_parser(
        "score", help="NPS of a CSV/Parquet file of any size, streamed in bounded memory"
    )
    source = score.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="CSV or Parquet file")
    source.add_argument("--example", action="store_true", help="use the bundled example data")
    score.add_argument(
        "--column", help="the score column, as --map score=COL (default: found by its header)"
    )
    _segment_option(score)
    score.add_argument("--weights", metavar="COL", help="a column of weights")
    _level_option(score)
    score.add_argument(
        "--method",
        choices=["adjusted_wald", "wald"],
        default="adjusted_wald",
        help="interval method (default: adjusted_wald)",
    )
    score.add_argument(
        "--stream",
        action="store_true",
        help="check only the score and weight cells and stream the file in bounded memory "
        "(for files larger than memory; dates, channels and duplicates are not checked)",
    )
    score.add_argument(
        "--engine",
        choices=["auto", "pyarrow", "csv"],
        default="auto",
        help="CSV reader with --stream: pyarrow when installed (fast) or csv; both give "
        "exact line numbers",
    )
    _language_option(score, "the printed summary (default: en)")
    _reading_options(score)
    _output_options(score, html=False, formats=("text", "json", "csv"))


def _report_parser(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    report = commands.add_parser(
        "report", help="NPS with intervals, per segment and over time (no FILE: example data)"
    )
    report.add_argument("file", nargs="?", type=Path, help="CSV, JSON Lines or Parquet file")
    _segment_option(report)
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
    _level_option(report)
    report.add_argument(
        "--title", help='the report\'s title (default: "Net Promoter Score report", translated)'
    )
    _language_option(report)
    _reading_options(report)
    _output_options(report)


def _followups_parser(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    followups = commands.add_parser(
        "followups", help="write the follow-up plan: one message per response, most urgent first"
    )
    followups.add_argument("file", type=Path, help="CSV, JSON Lines or Parquet file")
    followups.add_argument("--language", help="write every message in this language (nl, en)")
    followups.add_argument(
        "--channel",
        choices=_Channels(),
        metavar="CHANNEL",
        help="send every message on this channel: %(choices)s",
    )
    followups.add_argument(
        "--context",
        type=Path,
        metavar="CONTEXT.json",
        help="placeholder values; columns named like placeholders (first_name) are used too",
    )
    followups.add_argument(
        "--now", help="plan as of this ISO 8601 time with zone (default: the current time)"
    )
    followups.add_argument(
        "--days",
        type=_non_negative,
        help="only responses of the last DAYS days before --now (a whole number >= 0)",
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
    _output_options(followups, html=False)


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _print_rejections(
    source: str, rejected: Sequence[Rejection], notes: Sequence[str] = ()
) -> None:
    for rejection in rejected:
        print(f"{source}: {rejection}", file=sys.stderr)
    for note in notes:
        print(f"{source}: warning: {note}", file=sys.stderr)


def _pairs(option: str, pairs: Sequence[str], what: str) -> dict[str, str] | None:
    """``KEY=VALUE`` options as a mapping (``what`` names the two sides, for the message)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value:
            msg = f"{option} takes {what}, got {pair!r}"
            raise UsageError(msg)
        mapping[key.strip()] = value
    return mapping or None


_DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


class _Channels:
    """The channels a plan can send on (``Channel``'s values), looked up when first used.

    As ``choices`` of ``--channel``: the parser of every command is built at start-up,
    and ``Channel`` needs pydantic, which ``--version`` does not.
    """

    def _values(self) -> list[str]:
        from netpromoter._models import Channel

        return [c.value for c in Channel]

    def __contains__(self, value: object) -> bool:
        return value in self._values()

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"--timezone {name!r} is not a known time zone; give one such as Europe/Amsterdam"
        raise UsageError(msg) from None


def _encoding(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        msg = f"--encoding {name!r} is not a known text encoding; try utf-8 or cp1252"
        raise UsageError(msg) from None
    return "utf-8-sig" if canonical == "utf-8" else name


def _read_keywords(args: argparse.Namespace) -> ReadKeywords:
    """The reading options of the command line, as every reader takes them."""
    delimiter = args.delimiter
    if delimiter is not None:
        delimiter = _DELIMITERS.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            msg = f"--delimiter takes one character (or 'tab'), got {args.delimiter!r}"
            raise UsageError(msg)
    return {
        "mapping": _pairs("--map", args.map, "FIELD=HEADER"),
        "delimiter": delimiter,
        "decimal": args.decimal,
        "date_format": args.date_format,
        "naive_timezone": _zone(args.timezone),
        "encoding": _encoding(args.encoding),
        "channel_map": _pairs("--channel-map", args.channel_map, "VALUE=CHANNEL"),
        "duplicates": args.duplicates,
    }


def _plural(n: int, word: str) -> str:
    """``"1 row"``, ``"2 rows"``."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _non_negative(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"expected a whole number of days of at least 0, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _input_file(path: Path, what: str = "file") -> Path:
    """``path`` if it is a file; a missing file or a directory is a usage error."""
    if path.is_dir():
        msg = f"{what} {path}: is a directory; give the path of a file"
        raise UsageError(msg)
    if not path.exists():
        msg = f"{what} {path}: no such file"
        raise UsageError(msg)
    return path


def _json_file(path: Path, what: str) -> Any:  # noqa: ANN401 - parsed JSON
    _input_file(path, what)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else str(exc)
        msg = f"{what} {path}: not a readable UTF-8 JSON file ({detail})"
        raise UsageError(msg) from exc


def _json_object(path: Path, what: str, *, values: str) -> dict[str, Any]:
    """A JSON file holding an object (``values`` says of what, for the message)."""
    data = _json_file(path, what)
    if not isinstance(data, dict):
        msg = f"{what} {path}: expected a JSON object of {values}, got a JSON {type(data).__name__}"
        raise UsageError(msg)
    return data


def _context(path: Path) -> dict[str, str]:
    """Placeholder values: a JSON object of texts."""
    data = _json_object(path, "context", values="placeholder texts")
    wrong = sorted(key for key, value in data.items() if not isinstance(value, str))
    if wrong:
        msg = (
            f"context {path}: the value of {', '.join(map(repr, wrong))} is not text; "
            'give every placeholder as a string, e.g. {"company": "Acme"}'
        )
        raise UsageError(msg)
    return data


def _write_text(path: Path, text: str) -> None:
    """Write an output file; a path that cannot be written is a usage error."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}; give a file path in a writable folder"
        raise UsageError(msg) from exc


def _read(path: Path, args: argparse.Namespace, reader: Callable[..., _Read]) -> _Read | None:
    """Read a file with ``reader``; report rejections; ``None`` when invalid rows stop."""
    read = reader(_input_file(path), **_read_keywords(args))
    return _checked(path, args, read)


def _options(args: argparse.Namespace) -> ReadOptions:
    from netpromoter.io._read import ReadOptions

    return ReadOptions(**_read_keywords(args))


def _scan(
    path: Path,
    args: argparse.Namespace,
    *,
    keep: Sequence[str] = (),
    window: Callable[[Any], Any] | None = None,
    sink: Sink | None = None,
) -> Scanned | None:
    """Read a CSV file chunk by chunk (a progress bar on a terminal); check rejections."""
    from netpromoter.io._scan import scan_csv

    progress = False if args.quiet else None
    read = scan_csv(
        path,
        _options(args),
        keep=keep,
        window=window,
        full=window is not None,
        progress=progress,
        sink=sink,
    )
    return _checked(path, args, read)


def _checked(path: Path, args: argparse.Namespace, read: _Read) -> _Read | None:
    """Report a read file's rejections; ``None`` when invalid rows stop the command."""
    _print_rejections(str(path), read.rejected, read.notes)
    return (
        read
        if _may_go_on(path, args, read.rows_read, len(read.rejected) - read.n_duplicates)
        else None
    )


def _may_go_on(path: Path, args: argparse.Namespace, rows_read: int, invalid: int) -> bool:
    """Whether to use the valid rows: none was invalid, or ``--drop-invalid`` says so."""
    if invalid and not args.drop_invalid:
        print(
            f"{path}: {invalid:,} of {_plural(rows_read, 'row')} rejected; fix them or pass "
            "--drop-invalid to use the rest",
            file=sys.stderr,
        )
        return False
    return True


# --------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------


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
    from netpromoter.report.inputs import ChunkTally, scanned_rows

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
        rows = scanned_rows(scanned, path, options, progress=progress)
        return rows, keys[: len(by)]
    # Every other section is counted chunk by chunk: no row is kept.
    counter = ChunkTally(kept, check_zone(_zone(args.timezone) or "UTC"))
    scanned = _scan(path, args, keep=kept, sink=counter)
    if scanned is None:
        return None
    if not scanned.streamed:  # duplicates were checked at the end: count the rows kept
        counter.add_scanned(scanned, CHUNK_ROWS)
    return counter.rows(scanned, path, options, progress=progress), keys[: len(by)]


def _margins(path: Path) -> dict[str, Any]:
    return _json_object(path, "margins", values='population margins, {"region": {...}}')


def _period(value: str) -> ReportPeriod | None:
    periods: dict[str, ReportPeriod] = {"week": "week", "month": "month", "quarter": "quarter"}
    return periods.get(value)


def _run_followups(args: argparse.Namespace) -> int:
    import secrets

    from netpromoter.followup import plan
    from netpromoter.io._write import write_csv, write_json
    from netpromoter.report.followups import placeholder_context

    path = _input_file(args.file)
    raw_context = _context(args.context) if args.context else {}
    found = _followup_responses(path, args)
    if found is None:
        return EXIT_DATA_ERROR
    now, responses = found
    context = placeholder_context(raw_context)
    problems: list[str] = []
    if args.out and not args.share and args.format != "json" and not _is_json_file(args.out):
        return _write_plan_csv(args, responses, now, context, problems)
    planned = plan(
        responses,
        now=now,
        context=context,
        language=args.language,
        channel=args.channel,
        on_error=lambda _, reason: problems.append(reason),
    )
    _report_plan_problems(args, problems, len(responses))
    # A shared plan is pseudonymised once, here, so that the terminal, CSV and JSON forms
    # all carry the same pseudonyms and none carries an id or a message text.
    key = secrets.token_bytes(32) if args.share else None
    rows = [item.to_dict(key, include_message=not args.share) for item in planned]
    if args.out:
        out = io.StringIO()
        if _is_json_file(args.out):
            write_json(rows, out, respondent_ids="keep", lines=args.out.suffix != ".json")
        else:
            write_csv(rows, out, respondent_ids="keep")
        _write_text(args.out, out.getvalue())
        w = _summary_words(args.language)
        print(w("plan_written", n=w.count(len(rows)), path=args.out), file=sys.stderr)
    if args.format == "json":
        out = io.StringIO()
        write_json(rows, out, respondent_ids="keep")
        print(out.getvalue(), end="")
    elif not args.out:
        _print_plan(rows, _summary_words(args.language))
    return EXIT_DATA_ERROR if problems and not args.drop_invalid else EXIT_OK


def _followup_responses(
    path: Path, args: argparse.Namespace
) -> tuple[datetime, list[Response]] | None:
    """The plan's ``now`` and the responses of the window (``None``: invalid rows stop)."""
    from netpromoter.io._read import read_responses
    from netpromoter.io._scan import can_scan
    from netpromoter.report.inputs import responses_of

    if can_scan(path, _options(args), ()):
        # Only the rows of the window are read whole: they are the ones that get a message.
        # The scores and times of the other rows are not kept (a sink that drops them),
        # unless duplicates are checked: those are known only at the end of the file.
        now, since = _window_of(args)
        scanned = _scan(path, args, window=_in_window(now, since), sink=lambda *_: None)
        if scanned is None:
            return None
        # Each slice's fields are let go once its responses are built: both are never whole.
        picked, responses = scanned.picked, []
        picked.reverse()
        while picked:
            part = picked[-_SLICE:]
            del picked[-_SLICE:]
            part.reverse()
            responses += responses_of(part, scanned.source)
        return now, responses
    read = _read(path, args, read_responses)
    if read is None:
        return None
    return _window(args, read.responses)


def _is_json_file(path: Path) -> bool:
    return path.suffix.lower() in {".json", ".jsonl", ".ndjson"}


def _report_plan_problems(args: argparse.Namespace, problems: Sequence[str], n: int) -> None:
    """Print each response that could not be planned, then how many of ``n`` that was."""
    for reason in problems:
        print(f"{args.file}: {reason}", file=sys.stderr)
    if problems:
        print(
            f"{args.file}: {_plural(len(problems), 'response')} of {n:,} could "
            "not be planned; the others are in the plan",
            file=sys.stderr,
        )


def _write_plan_csv(
    args: argparse.Namespace,
    responses: list[Response],
    now: datetime,
    context: Any,  # noqa: ANN401 - a placeholder context (mapping or function)
    problems: list[str],
) -> int:
    """Plan and write a plan to send as CSV: from tuples, no model per follow-up."""
    from netpromoter.followup._csv import write_plan_csv
    from netpromoter.followup.plan import _plan

    n = len(responses)
    _, items = _plan(
        responses,
        now=now,
        context=context,
        language=args.language,
        channel=args.channel,
        on_error=lambda _, reason: problems.append(reason),
    )
    responses.clear()  # the follow-ups hold all the file needs
    _report_plan_problems(args, problems, n)
    try:
        with args.out.open("w", encoding="utf-8") as handle:
            write_plan_csv(items, now, handle)
    except OSError as exc:
        msg = (
            f"cannot write {args.out}: {exc.strerror or exc}; give a file path in a writable folder"
        )
        raise UsageError(msg) from exc
    w = _summary_words(args.language)
    print(w("plan_written", n=w.count(len(items)), path=args.out), file=sys.stderr)
    return EXIT_DATA_ERROR if problems and not args.drop_invalid else EXIT_OK


def _in_window(now: datetime | None, since: datetime | None) -> Callable[[Any], Any]:
    """Which rows (by UTC microseconds) fall in the window, as a vectorised test."""
    from netpromoter.io._scan import between

    if now is None or since is None:
        return lambda us: us == us  # noqa: PLR0124 - every row, undated ones too
    return between(since, now)


def _window_of(args: argparse.Namespace) -> tuple[datetime, datetime | None]:
    """The ``--now`` moment and the start of the ``--days`` before it (``None``: all)."""
    now = _now(args)
    if args.days is None:
        return now, None
    return now, now - timedelta(days=args.days)


def _now(args: argparse.Namespace) -> datetime:
    """The ``--now`` moment (default: the current time)."""
    from netpromoter._input.times import parse_iso

    now = datetime.now(timezone.utc)
    if args.now:
        try:
            parsed = parse_iso(args.now)  # the same forms on every Python version
            now = parsed if isinstance(parsed, datetime) else datetime.fromisoformat(args.now)
        except ValueError as exc:
            msg = f"--now {args.now!r} is not an ISO 8601 time such as 2026-11-23T09:00:00+01:00"
            raise UsageError(msg) from exc
        if now.tzinfo is None:
            msg = f"--now {args.now!r} has no time zone; add one, as in 2026-11-23T09:00:00+01:00"
            raise UsageError(msg)
    return now


def _window(
    args: argparse.Namespace, responses: Sequence[Response]
) -> tuple[datetime, list[Response]]:
    """The ``--now`` moment and the responses of the ``--days`` before it."""
    now, start = _window_of(args)
    if start is None:
        return now, list(responses)
    return now, [r for r in responses if r.submitted_at and start <= r.submitted_at <= now]


def _summary_words(language: str | None) -> Words:
    """The words of a command's summary: Dutch for ``nl`` (``nl-BE``...), else English."""
    from netpromoter.report.words import Words

    return Words("nl" if (language or "").lower().split("-")[0] == "nl" else "en")


def _print_plan(rows: Sequence[dict[str, Any]], w: Words) -> None:
    print(w("plan_head", n=w.count(len(rows))))
    for row in rows:
        due = row["due"].strftime("%Y-%m-%d %H:%M") if row["due"] else ""
        overdue = f" {w('overdue')}" if row["overdue"] else ""
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


def _one_line(message: object) -> str:
    """A message on one line: a list of problems is cut to its first entry and a count."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    if len(lines) <= 2:  # noqa: PLR2004 - a heading and one entry fit on one line
        return " ".join(lines)
    return f"{lines[0]} {lines[1]} (and {len(lines) - 2:,} more like it)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 data errors, 2 bad usage).

    Every error is reported as one line on stderr, never as a traceback.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return _COMMANDS[args.command](args)
    except BrokenPipeError:  # the reader of stdout went away (| head): nothing to say
        return EXIT_DATA_ERROR
    except KeyboardInterrupt:
        print("netpromoter: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - every error becomes a message, not a traceback
        message, code = _describe(exc)
        print(f"netpromoter: {message}", file=sys.stderr)
        return code


def _describe(exc: Exception) -> tuple[str, int]:
    """The one-line message and the exit code of an error."""
    if isinstance(exc, FileNotFoundError):
        return f"no such file: {exc.filename}", EXIT_USAGE
    if isinstance(exc, UsageError | InvalidParameterError):
        return _one_line(exc), EXIT_USAGE
    if isinstance(exc, NetPromoterError):
        return _one_line(exc), EXIT_DATA_ERROR
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot read or write{where}: {exc.strerror or exc}", EXIT_USAGE
    detail = _one_line(exc) or type(exc).__name__
    message = (
        f"unexpected error ({type(exc).__name__}: {detail}); this is a bug, please report it "
        "with the command that caused it"
    )
    return message, EXIT_DATA_ERROR
