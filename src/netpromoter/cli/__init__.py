"""The ``netpromoter`` command line: a thin wrapper over the public API.

Commands: ``score`` (any size of file, streamed), ``report`` (tables, JSON or a
self-contained HTML file), ``followups`` (the follow-up plan) and ``demo`` (everything on
the bundled example data). Exit codes: 0 ok, 1 data errors (the rejection report is on
stderr), 2 bad usage (unknown options, out-of-range option values, missing files, a
directory or unreadable file where a file is expected, an output that cannot be written).
Every error is one line on stderr that names the file or option; never a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from netpromoter.cli._followups import _run_followups
from netpromoter.cli._parser import (
    EXAMPLE_CONTEXT,
    EXAMPLE_FILE,
    EXAMPLE_TARGETS,
    EXIT_DATA_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    _parser,
    example_path,
)
from netpromoter.cli._score_report import _run_report, _run_score
from netpromoter.exceptions import InvalidParameterError, NetPromoterError

# Each command imports what it uses when it runs (a file's reader, the report, the plan),
# so that the command line starts fast and ``score`` loads neither plots nor weighting.
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

__all__ = [
    "EXAMPLE_CONTEXT",
    "EXAMPLE_FILE",
    "EXAMPLE_TARGETS",
    "EXIT_DATA_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "example_path",
    "main",
]


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
