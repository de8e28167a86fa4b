"""Opening inputs: paths or file objects, formats, encodings and CSV delimiters."""

from __future__ import annotations

import codecs
import csv
import io
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from netpromoter.exceptions import DataFileError, InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Iterator

Format = Literal["csv", "jsonl", "parquet"]
Source = str | Path | IO[str] | IO[bytes]
DELIMITERS = ",;\t|"
#: The "delimiter" of a one-column file: the ASCII unit separator, absent from real text.
NO_DELIMITER = "\x1f"
_SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def source_name(source: Source) -> str:
    """A name for messages: the path, or the stream's ``name``, or ``"<stream>"``."""
    if isinstance(source, str | Path):
        return str(source)
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, str) else "<stream>"


def detect_format(source: Source, fmt: Format | None) -> Format:
    """The explicit format, else the path's suffix, else CSV.

    Raises:
        InvalidParameterError: When ``fmt`` is not a known format.
    """
    if fmt is not None:
        if fmt not in ("csv", "jsonl", "parquet"):
            msg = f"format must be 'csv', 'jsonl' or 'parquet', got {fmt!r}"
            raise InvalidParameterError(msg, name="format", value=fmt)
        return fmt
    name = source_name(source)
    lowered = name.lower()
    for suffix, found in _SUFFIXES.items():
        if lowered.endswith(suffix):
            return found
    return "csv"


@contextmanager
def open_text(source: Source, encoding: str) -> Iterator[IO[str]]:
    """Open a path or wrap a binary stream as text; pass a text stream through.

    ``utf-8-sig`` (the default everywhere) reads UTF-8 with or without a byte-order mark.
    Undecodable bytes surface as a ``DataFileError`` from ``decode_errors``.
    """
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        msg = f"unknown encoding {encoding!r}; use e.g. 'utf-8-sig' or 'cp1252'"
        raise InvalidParameterError(msg, name="encoding", value=encoding) from exc
    if isinstance(source, str | Path):
        with Path(source).open(encoding=encoding, newline="") as handle:
            yield handle
        return
    if isinstance(source, io.TextIOBase):
        yield source
        return
    wrapper = io.TextIOWrapper(source, encoding=encoding, newline="")  # type: ignore[type-var]
    try:
        yield wrapper
    finally:
        wrapper.detach()


@contextmanager
def decode_errors(name: str, encoding: str) -> Iterator[None]:
    """Turn a ``UnicodeDecodeError`` into a ``DataFileError`` that says what to do."""
    try:
        yield
    except UnicodeDecodeError as exc:
        msg = (
            f"{name}: not valid {encoding} text (byte {exc.start} of a chunk: "
            f"{exc.object[exc.start : exc.start + 4]!r}); save the file as UTF-8, or pass "
            "encoding='cp1252' (Excel on Windows) or 'latin-1'"
        )
        raise DataFileError(msg, path=name) from exc


def sniff_delimiter(header_line: str) -> str:
    r"""Pick the delimiter that occurs most often in the header line (outside quotes).

    Headers hold no free text, so counting there is more reliable than sniffing rows whose
    comments are full of commas. A header with none of them is a one-column file.

    Examples:
        >>> sniff_delimiter("respondent;score;comment")
        ';'
        >>> sniff_delimiter('"a,b"\tscore')
        '\t'
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else NO_DELIMITER


def csv_rows(
    handle: IO[str], delimiter: str | None
) -> tuple[list[str], Iterator[list[str]] | None, str]:
    """Read a CSV stream's header; return it, a row reader and the delimiter.

    The reader is positioned on the first data row; its ``line_num`` counts the header
    as line 1.

    Returns ``([], None, delimiter)`` for an empty file.
    """
    position = handle.tell() if handle.seekable() else None
    first = handle.readline()
    chosen = delimiter or sniff_delimiter(first)
    if not first.strip():
        return [], None, chosen
    if position is not None:
        handle.seek(position)
        lines: Iterator[str] = iter(handle)
    else:  # pragma: no cover - a non-seekable stream: chain the line already read
        lines = _chain(first, handle)
    reader = csv.reader(lines, delimiter=chosen, quotechar='"', doublequote=True, strict=False)
    header = next(reader, [])
    if header:
        header[0] = header[0].removeprefix("\ufeff")  # a BOM left in an already-decoded text
    return [h.strip() for h in header], reader, chosen


def _chain(first: str, rest: IO[str]) -> Iterator[str]:  # pragma: no cover - see csv_rows
    yield first
    yield from rest
