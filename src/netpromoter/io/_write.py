"""Exports of results and responses to CSV (safe to open in a spreadsheet) and JSON."""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel

from netpromoter.core import Response
from netpromoter.exceptions import DataFileError, ExportTypeError, InvalidParameterError
from netpromoter.io._read import ReadResult
from netpromoter.io._source import check_delimiter
from netpromoter.privacy import pseudonymise

IdPolicy = Literal["pseudonymise", "drop", "keep"]
Scalar = str | int | float | bool | None
Target = str | Path | IO[str]

#: Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection):
#: equals, plus, minus, at, tab and carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
#: Line breaks, as ``str.splitlines`` knows them: a reader that splits a cell at any of
#: them must not find a formula at the start of a piece either.
_LINE_BREAK = re.compile("(\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])")
#: Characters that make a cell need quotes besides the delimiter: the quote itself and
#: every line break.
_QUOTE_ALWAYS = frozenset('"\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029')
_ID_POLICIES = ("pseudonymise", "drop", "keep")
#: Columns holding ids of people or customers, pseudonymised in shared exports.
ID_COLUMNS = ("respondent_id", "account_id")


def neutralise(cell: str) -> str:
    r"""Make a text cell safe to open in Excel or LibreOffice.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe, so the spreadsheet shows it as text instead of running it as a
    formula (OWASP "CSV Injection"). So does every line of the cell after a line break
    (``\n``, ``\r`` or any other break ``str.splitlines`` knows): a reader that splits
    rows at a bare ``\r`` must not find a formula at the start of the next "row" either.
    Text that is just a number (``"-12.5"``) is no formula and is left alone; numbers
    passed as numbers are never touched.

    Examples:
        >>> neutralise('=HYPERLINK("http://example.invalid")')
        '\'=HYPERLINK("http://example.invalid")'
        >>> neutralise("-12.5"), neutralise("-2+3"), neutralise("great")
        ('-12.5', "'-2+3", 'great')
        >>> neutralise("great\r=cmd|' /C calc'!A0")
        "great\r'=cmd|' /C calc'!A0"
    """
    pieces = _LINE_BREAK.split(cell)
    for i in range(2, len(pieces), 2):  # the lines after a break
        if _is_formula(pieces[i]):
            pieces[i] = "'" + pieces[i]
    lines = "".join(pieces)
    return "'" + lines if _is_formula(cell) else lines


def _is_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def _response_record(response: Response) -> dict[str, Any]:
    record = response.model_dump(exclude={"segments"})
    clash = sorted(set(record) & set(response.segments))
    if clash:
        msg = f"segment names {clash} clash with Response fields; rename the segments"
        raise InvalidParameterError(msg, name="segments", value=clash)
    record.update(response.segments)
    return record


def _model_records(item: object) -> list[dict[str, Any]] | None:
    """Records of an object that knows how to flatten itself, else ``None``."""
    if isinstance(item, Response):
        return [_response_record(item)]
    to_dicts = getattr(item, "to_dicts", None)
    if callable(to_dicts):
        return [dict(row) for row in to_dicts()]
    to_dict = getattr(item, "to_dict", None)
    if callable(to_dict):
        return [dict(to_dict())]
    if isinstance(item, BaseModel):
        return [item.model_dump()]
    if isinstance(item, Mapping):
        return [dict(item)]
    return None


def to_records(data: object) -> list[dict[str, Any]]:
    """Flatten a result, responses or rows into a list of records (one dict per row).

    Accepted: a ``ReadResult`` (its responses), a ``Response`` or any result object with
    ``to_dicts()`` (one row per segment, period, ...) or ``to_dict()``, any pydantic model,
    a mapping, or an iterable of these.

    Raises:
        ExportTypeError: For anything else (also a ``TypeError``).

    Examples:
        >>> from netpromoter import score
        >>> to_records(score([10, 9, 3]))[0]["nps"]
        33.333333333333336
    """
    if isinstance(data, ReadResult):
        return [_response_record(r) for r in data.responses]
    records = _model_records(data)
    if records is not None:
        return records
    if isinstance(data, Iterable) and not isinstance(data, str | bytes):
        out: list[dict[str, Any]] = []
        for item in data:
            found = _model_records(item)
            if found is None:
                msg = f"cannot export a {type(item).__name__}; give results, responses or dicts"
                raise ExportTypeError(msg, kind=type(item).__name__)
            out.extend(found)
        return out
    msg = f"cannot export a {type(data).__name__}; give results, responses or dicts"
    raise ExportTypeError(msg, kind=type(data).__name__)


def plain(value: object) -> Scalar | list[Any] | dict[str, Any]:  # noqa: PLR0911 - one per kind
    """A JSON-ready value: enums to values, dates to ISO text, NaN to ``None``, recursively."""
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _apply_id_policy(
    records: list[dict[str, Any]],
    respondent_ids: IdPolicy,
    id_columns: Iterable[str],
    key: str | bytes | None,
) -> list[dict[str, Any]]:
    if respondent_ids not in _ID_POLICIES:
        msg = f"respondent_ids must be 'pseudonymise', 'drop' or 'keep', got {respondent_ids!r}"
        raise InvalidParameterError(msg, name="respondent_ids", value=respondent_ids)
    if respondent_ids == "keep":
        return records
    hidden = set(id_columns)
    if respondent_ids == "drop":
        return [{k: v for k, v in record.items() if k not in hidden} for record in records]
    secret = secrets.token_bytes(32) if key is None else key
    out = [dict(record) for record in records]
    for column in hidden:
        positions = [i for i, record in enumerate(out) if column in record]
        values = [_id_value(out[i][column]) for i in positions]
        for i, pseudonym in zip(positions, pseudonymise(values, secret), strict=True):
            out[i][column] = pseudonym
    return out


def _without(records: list[dict[str, Any]], exclude: Iterable[str]) -> list[dict[str, Any]]:
    hidden = set(exclude)
    if not hidden:
        return records
    return [{k: v for k, v in record.items() if k not in hidden} for record in records]


def _id_value(value: object) -> str | int | None:
    if value is None or (isinstance(value, str | int) and not isinstance(value, bool)):
        return value
    return str(value)


def _csv_cell(value: object, *, safe: bool) -> str | int | float:
    cell = plain(value)
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, int | float):
        return cell
    text = cell if isinstance(cell, str) else json.dumps(cell, ensure_ascii=False)
    return neutralise(text) if safe else text


def write_csv(
    data: object,
    path: Target,
    *,
    neutralise_formulas: bool = True,
    respondent_ids: IdPolicy = "pseudonymise",
    key: str | bytes | None = None,
    id_columns: Iterable[str] = ID_COLUMNS,
    exclude: Iterable[str] = (),
    delimiter: str = ",",
) -> int:
    r"""Write results or responses to a CSV file that is safe to open in a spreadsheet.

    One row per record (see [`to_records`][netpromoter.io._write.to_records]); columns in
    order of first appearance. Numbers are written as numbers (a negative NPS stays a
    number); text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, and
    every line of a cell after a line break, is neutralised with a leading apostrophe
    (OWASP CSV-injection guidance, see [`neutralise`][netpromoter.io.neutralise]); a cell
    holding a line break (``\r`` too), a quote or the delimiter is quoted; dates are ISO
    8601; empty values are empty cells. The file is UTF-8 with a byte-order mark, so Excel
    opens accents correctly, and ``read_responses`` reads it back.

    Respondent and account ids identify people and customers: by default the
    ``id_columns`` are replaced by keyed pseudonyms
    ([`pseudonymise`][netpromoter.privacy.pseudonymise], HMAC-SHA-256). With ``key`` the
    pseudonyms are stable across exports (keep the key secret); without it a fresh
    random key is used, so rows of one file can be told apart but not linked to anything
    else. ``"drop"`` leaves the columns out; ``"keep"`` opts out and keeps the real ids.

    Args:
        data: A result, a ``ReadResult``, responses, or rows (mappings).
        path: Where to write (a path or an open text file).
        neutralise_formulas: Neutralise formula-like text (default). Turn off only for
            files that no spreadsheet will open.
        respondent_ids: ``"pseudonymise"`` (default), ``"drop"`` or ``"keep"``.
        key: The pseudonymisation secret (at least 16 bytes); random when omitted.
        id_columns: The columns holding ids (default ``respondent_id``, ``account_id``).
        exclude: Columns to leave out, such as names or e-mail addresses in segments.
        delimiter: The field delimiter.

    Returns:
        The number of data rows written.

    Raises:
        ExportTypeError: When ``data`` is not something exportable (a ``TypeError``).
        DataFileError: When ``path`` cannot be written (a directory, no permission).
        InvalidParameterError: For an unknown ``respondent_ids`` policy, a short key or
            a delimiter that is not one character other than a quote or line break.

    Examples:
        >>> import io
        >>> out = io.StringIO()
        >>> write_csv([{"segment": "=1+1", "nps": -12.5}], out)
        1
        >>> out.getvalue().splitlines()
        ['\ufeffsegment,nps', "'=1+1,-12.5"]
    """
    check_delimiter(delimiter)
    records = _apply_id_policy(_without(to_records(data), exclude), respondent_ids, id_columns, key)
    header = list(dict.fromkeys(k for record in records for k in record))
    rows = [
        [_csv_cell(record.get(k), safe=neutralise_formulas) for k in header] for record in records
    ]
    if isinstance(path, str | Path):
        with _writable(path), Path(path).open("w", encoding="utf-8", newline="") as handle:
            _write_rows(handle, header, rows, delimiter, safe=neutralise_formulas)
    else:
        _write_rows(path, header, rows, delimiter, safe=neutralise_formulas)
    return len(rows)


@contextmanager
def _writable(path: str | Path) -> Iterator[None]:
    """Turn a path that cannot be written (a directory, no permission) into a DataFileError.

    A folder that does not exist stays a ``FileNotFoundError``.
    """
    try:
        yield
    except FileNotFoundError:
        raise
    except OSError as exc:
        msg = f"{path}: cannot be written ({exc.strerror or exc}); give a file in a writable folder"
        raise DataFileError(msg, path=str(path)) from exc


def _write_rows(
    handle: IO[str], header: list[str], rows: list[list[Any]], delimiter: str, *, safe: bool
) -> None:
    handle.write("\ufeff")
    handle.write(csv_line([neutralise(h) if safe else h for h in header], delimiter))
    handle.writelines(csv_line(row, delimiter) for row in rows)


def csv_line(cells: Sequence[str | int | float], delimiter: str) -> str:
    r"""One CSV row, ``\n``-terminated: the writing rule of every CSV this library writes.

    A text cell is quoted (its quotes doubled) when it holds the delimiter, a quote or
    any line break, ``\r`` included, so no reader can split a row inside a cell; a row
    of one blank cell is quoted too, so it cannot be taken for a blank line. Numbers are
    written as Python writes them.

    Examples:
        >>> csv_line(["a,b", 'x"y', "p\rq", 3, -1.5], ",")
        '"a,b","x""y","p\rq",3,-1.5\n'
        >>> csv_line([""], ",")
        '""\n'
    """
    out = []
    for cell in cells:
        text = cell if isinstance(cell, str) else str(cell)
        if delimiter in text or not _QUOTE_ALWAYS.isdisjoint(text):
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    if len(out) == 1 and not out[0].strip(" \t"):
        out[0] = '"' + out[0] + '"'
    return delimiter.join(out) + "\n"


def write_json(
    data: object,
    path: Target,
    *,
    lines: bool | None = None,
    respondent_ids: IdPolicy = "pseudonymise",
    key: str | bytes | None = None,
    id_columns: Iterable[str] = ID_COLUMNS,
    exclude: Iterable[str] = (),
) -> int:
    """Write results or responses as JSON (an array of records) or JSON Lines.

    Values are plain JSON: numbers stay numbers, dates are ISO 8601 text, NaN is
    ``null``. A single result is still a one-element array, so every export has the same
    shape. Ids are pseudonymised as in [`write_csv`][netpromoter.io.write_csv].

    Args:
        data: A result, a ``ReadResult``, responses, or rows (mappings).
        path: Where to write (a path or an open text file).
        lines: JSON Lines (one object per line) instead of an array; by default when the
            path ends in ``.jsonl`` or ``.ndjson``.
        respondent_ids: ``"pseudonymise"`` (default), ``"drop"`` or ``"keep"``.
        key: The pseudonymisation secret (at least 16 bytes); random when omitted.
        id_columns: The columns holding ids (default ``respondent_id``, ``account_id``).
        exclude: Columns to leave out, such as names or e-mail addresses in segments.

    Returns:
        The number of records written.

    Raises:
        ExportTypeError: When ``data`` is not something exportable (a ``TypeError``).
        InvalidParameterError: For an unknown ``respondent_ids`` policy or a short key.
        DataFileError: When ``path`` cannot be written (a directory, no permission).

    Examples:
        >>> import io
        >>> from netpromoter import score
        >>> out = io.StringIO()
        >>> write_json(score([10, 6]), out)
        1
        >>> json.loads(out.getvalue())[0]["nps"]
        0.0
    """
    records = [
        {k: plain(v) for k, v in record.items()}
        for record in _apply_id_policy(
            _without(to_records(data), exclude), respondent_ids, id_columns, key
        )
    ]
    if lines is None:
        lines = isinstance(path, str | Path) and str(path).lower().endswith((".jsonl", ".ndjson"))
    if lines:
        text = "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in records)
    else:
        text = json.dumps(records, ensure_ascii=False, allow_nan=False, indent=2) + "\n"
    if isinstance(path, str | Path):
        with _writable(path):
            Path(path).write_text(text, encoding="utf-8")
    else:
        path.write(text)
    return len(records)
