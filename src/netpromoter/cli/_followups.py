"""The ``followups`` command: the plan of the window's responses, written in slices."""

from __future__ import annotations

import io
import sys
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from netpromoter.cli._parser import _SLICE, EXIT_DATA_ERROR, EXIT_OK, UsageError
from netpromoter.cli._reading import (
    _context,
    _input_file,
    _options,
    _plural,
    _read,
    _scan,
    _write_text,
)

# Each command imports what it uses when it runs (a file's reader, the report, the plan),
# so that the command line starts fast and ``score`` loads neither plots nor weighting.
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from netpromoter.core import Response
    from netpromoter.followup.plan import _Planned
    from netpromoter.report.words import Words


def _run_followups(args: argparse.Namespace) -> int:
    import secrets

    from netpromoter.followup.plan import _Options, _planned, as_follow_ups
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
    n = len(responses)
    options = _Options.checked(now, None, context, None, "follow_up", args.language, args.channel)
    items = _planned(responses, options, lambda _, reason: problems.append(reason))
    responses.clear()  # the follow-ups hold all the file needs
    _report_plan_problems(args, problems, n)
    if args.out and not args.share and args.format != "json" and not _is_json_file(args.out):
        return _write_plan_csv(args, items, now, problems)
    planned = as_follow_ups(options.planned_at, items)
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
    args: argparse.Namespace, items: list[_Planned], now: datetime, problems: list[str]
) -> int:
    """Write a plan to send as CSV: from ``_planned``'s tuples, no model per follow-up."""
    from netpromoter.followup._csv import write_plan_csv

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
