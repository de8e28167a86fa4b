"""Command-line parsing: the commands, their options and help texts, the bundled files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

# Each command imports what it uses when it runs (a file's reader, the report, the plan),
# so that the command line starts fast and ``score`` loads neither plots nor weighting.
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


#: The package's data files (read as files: importlib.resources costs 10 ms at start-up).
_DATA = Path(__file__).parent.parent / "data"
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
