"""Reading a file for a command: the reading options, the chunked scan, the rejections."""

from __future__ import annotations

import codecs
import json
import sys
from typing import TYPE_CHECKING, Any, TypeVar

from netpromoter.cli._parser import UsageError

# Each command imports what it uses when it runs (a file's reader, the report, the plan),
# so that the command line starts fast and ``score`` loads neither plots nor weighting.
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from netpromoter.io import ReadColumns, ReadResult, Rejection
    from netpromoter.io._read import ReadKeywords, ReadOptions
    from netpromoter.io._scan import Scanned, Sink


_Read = TypeVar("_Read", "ReadResult", "ReadColumns", "Scanned")


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
