"""Opening inputs: paths or file objects, formats, encodings and CSV delimiters."""

from __future__ import annotations

import codecs
import io
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple

from netpromoter.exceptions import DataFileError, InvalidParameterError
from netpromoter.io._records import BLANK, Record, Splitter

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

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
        check_file(source)
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


def check_file(path: str | Path) -> Path:
    """``path`` as a ``Path`` if it names a readable file.

    Raises:
        FileNotFoundError: There is no such file.
        DataFileError: It is a directory, or it cannot be opened for reading.
    """
    file = Path(path)
    if file.is_dir():
        msg = f"{path}: is a directory, not a file; give the path of a CSV, JSON Lines or Parquet file"  # noqa: E501
        raise DataFileError(msg, path=str(path))
    if not file.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    try:
        with file.open("rb"):
            pass
    except OSError as exc:
        msg = f"{path}: cannot be read ({exc.strerror or exc}); check its permissions"
        raise DataFileError(msg, path=str(path)) from exc
    return file


@contextmanager
def decode_errors(source: Source, encoding: str) -> Iterator[None]:
    """Turn a ``UnicodeDecodeError`` into a ``DataFileError`` that says what to do."""
    try:
        yield
    except UnicodeDecodeError as exc:
        name = source_name(source)
        line = locate_undecodable(source, encoding) if isinstance(source, str | Path) else None
        raise DataFileError(undecodable_message(name, encoding, exc, line), path=name) from exc


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


def open_parquet(source: Source, name: str) -> Any:  # noqa: ANN401 - a pyarrow ParquetFile
    """Open a Parquet file with pyarrow; anything that is not Parquet is a ``DataFileError``.

    Raises:
        FileNotFoundError: There is no such file.
        DataFileError: pyarrow is not installed, the path is a directory, or the file is
            not Parquet (its footer is missing or damaged).
    """
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional dependency
    except ImportError as exc:  # pragma: no cover - pyarrow is in the dev environment
        msg = f"{name}: reading Parquet needs pyarrow: pip install 'netpromoter[files]'"
        raise DataFileError(msg, path=name) from exc
    if isinstance(source, str | Path):
        check_file(source)
    with parquet_errors(name):
        return pq.ParquetFile(source)


@contextmanager
def parquet_errors(name: str) -> Iterator[None]:
    """Turn pyarrow's errors on a damaged or foreign file into a ``DataFileError``."""
    import pyarrow as pa  # noqa: PLC0415 - optional dependency, imported by the caller already

    try:
        yield
    except (pa.ArrowException, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = (
            f"{name}: not a readable Parquet file ({detail}); if it holds CSV or JSON Lines "
            "text, give it a .csv or .jsonl name or pass format='csv' or 'jsonl'"
        )
        raise DataFileError(msg, path=name) from exc


class CsvTable(NamedTuple):
    """A delimited file's header, its delimiter and its data records (after the header)."""

    header: list[str]
    delimiter: str
    records: Iterator[Record]


def check_delimiter(delimiter: str | None) -> str | None:
    """Return ``delimiter`` if it is one character other than a quote or line break.

    Raises:
        InvalidParameterError: For anything else.
    """
    if delimiter is None:
        return None
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        msg = (
            f"delimiter must be one character other than a quote or line break, such as "
            f"',' ';' or '\\t', got {delimiter!r}"
        )
        raise InvalidParameterError(msg, name="delimiter", value=delimiter)
    return delimiter


def csv_table(lines: Iterable[str], delimiter: str | None, *, name: str, expected: str) -> CsvTable:
    """Split numbered physical lines into the header and the data records.

    The header is the first non-blank line (with a byte-order mark removed); the
    delimiter, unless given, is sniffed from it. Records are split by the one rule of
    [`netpromoter.io._records`][netpromoter.io._records], numbered by physical line.

    Raises:
        DataFileError: When the file has no header (``expected`` says what it should
            hold) or the header's quote is never closed.
    """
    numbered = enumerate(universal_lines(lines), start=1)
    found = next(((n, line) for n, line in numbered if line.strip(BLANK)), None)
    if found is None:
        msg = f"{name}: the file is empty; expected {expected}"
        raise DataFileError(msg, path=name)
    number, first = found
    first = first.removeprefix("\ufeff")
    chosen = check_delimiter(delimiter) or sniff_delimiter(first)
    splitter = Splitter(chosen, None)
    splitter.feed(number, first)
    while not splitter.out:
        following = next(numbered, None)
        if following is None:
            splitter.finish()
            break
        splitter.feed(*following)
    header = splitter.out.popleft()
    if header.fields is None:
        msg = f"{name}: the header (line {header.line}) {header.problem}; expected {expected}"
        raise DataFileError(msg, path=name)
    splitter.set_width(len(header.fields))
    return CsvTable([h.strip() for h in header.fields], chosen, _records(splitter, numbered))


def universal_lines(lines: Iterable[str]) -> Iterator[str]:
    r"""Lines split at ``\n``, ``\r\n`` and a lone ``\r``, whatever the stream split at.

    A file opened with ``newline=""`` already splits so; a ``StringIO`` or a stream
    opened otherwise may not, and must give the same line numbers all the same.

    Examples:
        >>> list(universal_lines(["a\rb\r\n", "c\n"]))
        ['a\r', 'b\r\n', 'c\n']
    """
    for line in lines:
        carriage = line.find("\r")
        if carriage < 0 or (carriage == len(line) - 2 and line[-1] == "\n"):
            yield line
        else:
            yield from io.StringIO(line, newline="")


def _records(splitter: Splitter, numbered: Iterator[tuple[int, str]]) -> Iterator[Record]:
    out, delimiter, width = splitter.out, splitter.delimiter, splitter.width
    yield from out
    out.clear()
    for number, line in numbered:
        # The common case inline: a whole record on a line, with the header's width (a
        # line with a delimiter in it is not blank; a one-column line must be checked).
        if splitter.clean and '"' not in line:
            fields = line.rstrip("\r\n").split(delimiter)
            if len(fields) == width and (width != 1 or fields[0].strip(BLANK)):
                yield Record(number, fields, "")
                continue
        splitter.feed(number, line)
        while out:
            yield out.popleft()
    splitter.finish()
    yield from out


def undecodable_message(name: str, encoding: str, exc: UnicodeDecodeError, line: int | None) -> str:
    """The message for bytes that are not text in ``encoding``."""
    where = f"line {line}" if line is not None else f"byte {exc.start} of a chunk"
    return (
        f"{name}, {where}: not valid {encoding} text "
        f"({exc.object[exc.start : exc.start + 4]!r}); save the file as UTF-8, or pass "
        "encoding='cp1252' (Excel on Windows) or 'latin-1'"
    )


def locate_undecodable(path: str | Path, encoding: str) -> int | None:
    """The line of the first byte of ``path`` that is not valid ``encoding`` text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    breaks = 0
    try:
        with Path(path).open("rb") as raw:
            for chunk in iter(lambda: raw.read(1 << 20), b""):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    good = exc.object[: exc.start].decode(encoding, errors="replace")
                    return breaks + line_breaks(good) + 1
                breaks += line_breaks(text)
    except OSError:  # pragma: no cover - the file went away between two reads
        return None
    return None


def line_breaks(text: str) -> int:
    r"""How many line breaks (``\n``, ``\r\n`` or a lone ``\r``) ``text`` holds.

    A ``\r`` at the very end is counted, though the next chunk may start with ``\n``.

    Examples:
        >>> line_breaks("a\r\nb\rc\n")
        3
    """
    return text.count("\n") + text.count("\r") - text.count("\r\n")
