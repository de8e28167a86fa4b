"""``read_responses``: CSV, JSON Lines and Parquet files to ``Response`` objects.

Every data row read is either accepted or listed in the rejection report with its line,
column and reason: ``rows_read == len(responses) + len(rejected)`` always holds.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
from collections import Counter
from collections.abc import Mapping  # noqa: TC003 - pydantic needs it at runtime
from dataclasses import KW_ONLY, dataclass
from datetime import date, datetime, tzinfo
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, TypedDict

from pydantic import ConfigDict

from netpromoter._input.times import parse_iso
from netpromoter._json import RepeatedKeyError, unique_members
from netpromoter._model import Model
from netpromoter._renamed import renamed
from netpromoter._results import html_table
from netpromoter._validation import parse_score_text, validate_score_value
from netpromoter.core import Channel, Response
from netpromoter.exceptions import (
    DataFileError,
    InvalidParameterError,
    InvalidScoreError,
)
from netpromoter.io._channels import check_channel_map, lookup_channel, unknown_channels_note
from netpromoter.io._duplicates import DuplicatePolicy, Fields, Period, apply_duplicates
from netpromoter.io._fields import FIELDS, PLACEHOLDER_FIELDS, column_key, resolve_columns
from netpromoter.io._rejection import Problem, Rejection
from netpromoter.io._source import (
    Format,
    Source,
    csv_table,
    decode_errors,
    detect_format,
    open_parquet,
    open_text,
    parquet_errors,
    source_name,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from netpromoter._redaction import ValueKind

_PERIODS = ("day", "week", "month", "quarter", "year")
_POLICIES = ("keep_latest", "keep_all", "error")
_TEXT_FIELDS = ("respondent_id", "account_id", "role")
#: Rejected rows shown in a notebook (all are in ``rejected``).
_HTML_ROWS = 50
#: The kind of value each field holds, for the privacy rule of rejection reports.
_KINDS: dict[str, ValueKind] = {
    "score": "score",
    "submitted_at": "date",
    "channel": "channel",
    "language": "language",
    "spend": "spend",
}
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
Record = tuple[int, "dict[str, object] | Problem"]


class FileRead(Model):
    """What reading a file gave: where from, and every row that was not used.

    Attributes:
        source: The file's name (or ``"<stream>"``).
        rejected: Every row that was not used, in file order, with its reason.
        rows_read: Data rows read; always the accepted rows plus ``len(rejected)``.
        columns: Which file column gave each ``Response`` field (``{"score": "NPS"}``).
        segment_columns: The other columns of the file.
        duplicates: The duplicate policy that was applied.
        n_duplicates: Rows set aside as duplicates (``keep_latest``), also in ``rejected``.
        notes: Warnings about rows that were used, such as channel values read as
            ``other`` (one line each, counted, with examples).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    source: str
    rejected: tuple[Rejection, ...]
    rows_read: int
    columns: Mapping[str, str]
    segment_columns: tuple[str, ...]
    duplicates: DuplicatePolicy
    n_duplicates: int
    notes: tuple[str, ...] = ()

    @property
    def n_accepted(self) -> int:
        """Rows accepted."""
        return self.rows_read - len(self.rejected)

    def key(self, column: str) -> str:
        """The name a column is read under: ``"channel"`` for ``"Kanaal"`` or ``"channel"``.

        Raises:
            DataFileError: The file has no such column.
        """
        return column_key(column, self.columns, self.segment_columns, source=self.source)

    def summary(self) -> str:
        r"""One line: rows read, accepted and rejected.

        Examples:
            >>> import io
            >>> read_responses(io.StringIO("score\n9\nten\n")).summary()
            '<stream>: 2 rows read, 1 accepted, 1 rejected'
        """
        extra = f" ({self.n_duplicates} as duplicates)" if self.n_duplicates else ""
        return (
            f"{self.source}: {self.rows_read:,} rows read, {self.n_accepted:,} accepted, "
            f"{len(self.rejected):,} rejected{extra}"
        )

    def __repr__(self) -> str:
        """Short form: the summary."""
        return f"{type(self).__name__}({self.summary()})"

    def __str__(self) -> str:
        """The short form too: printing what was read shows no id, comment or row."""
        return repr(self)

    def _repr_html_(self) -> str:
        head = f"<p>{html.escape(self.summary())}</p>"
        if not self.rejected:
            return head
        rows = [
            [str(r.line), r.column, r.value or "", r.reason] for r in self.rejected[:_HTML_ROWS]
        ]
        more = len(self.rejected) - _HTML_ROWS
        noun = "row" if more == 1 else "rows"
        tail = f"<p>… and {more:,} more rejected {noun}</p>" if more > 0 else ""
        header = ["line", "column", "value", "reason"]
        return head + html_table(header, rows, css="netpromoter-rejections") + tail


class ReadResult(FileRead):
    """The responses read from a file, and every row that was not used.

    The source, rejections and counts are those of [`FileRead`][netpromoter.io.FileRead].

    Attributes:
        responses: The accepted responses, in file order (the other columns of the file
            in each response's ``segments``).
    """

    responses: tuple[Response, ...]


class _CellError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _shown(value: object) -> str:
    """The value as it appears in the rejection report."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    try:
        return json.dumps(value)
    except TypeError:
        return repr(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_score(value: object) -> int:
    if value is None:
        msg = "missing NPS score (empty): expected an integer from 0 to 10"
        raise _CellError("score", msg)
    if isinstance(value, str):
        parsed = parse_score_text(value)
        if isinstance(parsed, str):
            raise _CellError("score", parsed)
        return parsed
    try:
        return validate_score_value(value)
    except InvalidScoreError as exc:
        reason = str(exc).removeprefix(f"invalid NPS score {value!r}: ")
        raise _CellError("score", reason) from None


def _parse_iso(text: str) -> datetime:
    try:
        parsed = parse_iso(text)  # the same forms on every Python version
    except ValueError:
        pass
    else:
        if isinstance(parsed, datetime):
            return parsed
        return datetime(parsed.year, parsed.month, parsed.day)  # noqa: DTZ001 - naive, checked by the caller
    iso = text[:-1] + "+00:00" if text[-1:] in "Zz" else text
    for layout in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(iso, layout)  # noqa: DTZ007 - every layout has %z
        except ValueError:  # noqa: PERF203 - a few layouts, tried in order
            continue
    msg = (
        "is not a date: expected ISO 8601 with a time zone, such as "
        "2026-01-31T09:30:00+01:00 or 2026-01-31T08:30:00Z (or pass date_format=)"
    )
    raise _CellError("submitted_at", msg)


def _iso_or_none(text: str) -> datetime | None:
    try:
        return _parse_iso(text)
    except _CellError:
        return None


def _parse_datetime(value: object, date_format: str | None, assume: tzinfo | None) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - naive on purpose, checked below
    elif isinstance(value, str):
        text = value.strip()
        if date_format is None:
            parsed = _parse_iso(text)
        else:
            try:
                parsed = datetime.strptime(text, date_format)  # noqa: DTZ007 - zone checked below
            except ValueError:
                iso = _iso_or_none(text)  # a file may mix its own format with ISO 8601
                if iso is None:
                    msg = f"is not a date in the format {date_format!r} nor ISO 8601"
                    raise _CellError("submitted_at", msg) from None
                parsed = iso
    else:
        msg = "is not a date: expected ISO 8601 text or a timestamp"
        raise _CellError("submitted_at", msg)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        if assume is None:
            msg = (
                "has no time zone (a naive date): add an offset such as +01:00 or Z, or "
                "pass naive_timezone= to say which zone the file's times are in"
            )
            raise _CellError("submitted_at", msg)
        parsed = parsed.replace(tzinfo=assume)
    return parsed


def _parse_spend(value: object, decimal: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = float(value)
    else:
        text = str(value).strip()
        if decimal == ",":
            text = text.replace(".", "").replace(",", ".")
        try:
            amount = float(text)
        except ValueError:
            hint = " (pass decimal=',' for a decimal comma)" if "," in text else ""
            msg = f"is not a number{hint}"
            raise _CellError("spend", msg) from None
    if not (math.isfinite(amount) and amount >= 0):
        msg = "is not an amount: expected a finite number >= 0"
        raise _CellError("spend", msg)
    return amount


def _parse_language(value: object) -> str:
    tag = str(value).strip()
    primary, _, rest = tag.partition("-")
    tag = primary.lower() + ("-" + rest if rest else "")
    if not _LANGUAGE.fullmatch(tag):
        msg = "is not a language tag: expected a code such as nl, en or en-GB"
        raise _CellError("language", msg)
    return tag


@dataclass(frozen=True)
class _Converter:
    """Turns one row (a mapping of header to raw value) into a ``Response``."""

    columns: Mapping[str, str]
    segment_columns: Sequence[tuple[str, str]]
    _: KW_ONLY
    date_format: str | None
    naive_timezone: tzinfo | None
    decimal: str
    channel_map: Mapping[str, Channel]
    unknown_channels: Counter[str] = dataclasses.field(default_factory=Counter)

    def fields(self, row: Mapping[str, object]) -> dict[str, Any]:
        cols = self.columns
        out: dict[str, Any] = {"score": _parse_score(_none_if_blank(row.get(cols["score"])))}
        for field in _TEXT_FIELDS:
            value = row.get(cols[field]) if field in cols else None
            if not _blank(value):
                out[field] = str(value).strip()
        if "comment" in cols and not _blank(row.get(cols["comment"])):
            out["comment"] = str(row.get(cols["comment"]))
        if "submitted_at" in cols and not _blank(row.get(cols["submitted_at"])):
            out["submitted_at"] = _parse_datetime(
                row.get(cols["submitted_at"]), self.date_format, self.naive_timezone
            )
        if "channel" in cols and not _blank(row.get(cols["channel"])):
            raw = row.get(cols["channel"])
            channel = lookup_channel(raw, self.channel_map)
            if channel is None:
                self.unknown_channels[str(raw).strip()] += 1
            out["channel"] = channel or Channel.OTHER
        if "language" in cols and not _blank(row.get(cols["language"])):
            out["language"] = _parse_language(row.get(cols["language"]))
        if "spend" in cols and not _blank(row.get(cols["spend"])):
            out["spend"] = _parse_spend(row.get(cols["spend"]), self.decimal)
        segments = {
            name: _segment_text(row.get(header))
            for name, header in self.segment_columns
            if not _blank(row.get(header))
        }
        if segments:
            out["segments"] = segments
        return out

    def parse(self, row: Mapping[str, object], line: int) -> dict[str, Any] | Problem:
        """The row's validated fields (the keyword arguments of a ``Response``)."""
        try:
            return self.fields(row)
        except _CellError as exc:
            header = self.columns[exc.field]
            raw = _shown(row.get(header))
            return Problem(line, header, exc.reason, raw, _KINDS.get(exc.field, "personal"))


def as_response(fields: Mapping[str, Any], line: int) -> Response | Problem:
    """A ``Response`` of validated fields (a problem only if the model refuses them)."""
    try:
        return Response(**fields)
    except ValueError as exc:  # every field is checked by the parser; a last guard all the same
        reason = str(exc).splitlines()[-1].strip().removeprefix("Value error, ")
        return Problem(line, "", f"is not a valid response: {reason}")


def _none_if_blank(value: object) -> object:
    return None if _blank(value) else value


def _segment_text(value: object) -> str:
    return value.strip() if isinstance(value, str) else _shown(value)


def _csv_records(
    handle: IO[str], name: str, delimiter: str | None
) -> tuple[list[str], Iterator[Record]]:
    table = csv_table(handle, delimiter, name=name, expected="a header row with a score column")
    header = table.header
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        msg = f"{name}: the header repeats {', '.join(map(repr, duplicated))}; rename them"
        raise DataFileError(msg, path=name)

    def records() -> Iterator[Record]:
        for line, fields, problem in table.records:
            if fields is None:
                yield line, Problem(line, "", problem)
            else:
                yield line, dict(zip(header, fields, strict=True))

    return header, records()


def _json_line(number: int, text: str) -> dict[str, object] | Problem:
    try:
        item = json.loads(text, object_pairs_hook=unique_members)
    except RepeatedKeyError as exc:
        reason = f"repeats the key {exc.key!r}; a key may appear once per object"
        return Problem(number, "", reason, text)
    except json.JSONDecodeError as exc:
        reason = f"is not valid JSON: {exc.msg} at character {exc.pos + 1}"
        return Problem(number, "", reason, text)
    except RecursionError:
        return Problem(number, "", "is not valid JSON: nested too deeply", text)
    if not isinstance(item, dict):
        return Problem(number, "", f"is a JSON {type(item).__name__}, not an object", text)
    return item


def _jsonl_records(handle: IO[str], name: str) -> tuple[list[str], Iterator[Record]]:
    rows: list[Record] = []
    header: dict[str, None] = {}
    for number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        text = raw.rstrip("\r\n").removeprefix("\ufeff") if number == 1 else raw.rstrip("\r\n")
        item = _json_line(number, text)
        if isinstance(item, dict):
            header.update(dict.fromkeys(item))
        rows.append((number, item))
    if not rows:
        msg = f"{name}: the file is empty; expected one JSON object per line"
        raise DataFileError(msg, path=name)
    return list(header), iter(rows)


def _parquet_records(source: Source, name: str) -> tuple[list[str], Iterator[Record]]:
    parquet = open_parquet(source, name)
    header = list(parquet.schema_arrow.names)

    def records() -> Iterator[Record]:
        number = 0
        with parquet_errors(name):
            for batch in parquet.iter_batches(batch_size=65_536):
                for row in batch.to_pylist():
                    number += 1
                    yield number, row

    return header, records()


def read_responses(
    source: Source,
    *,
    mapping: Mapping[str, str] | None = None,
    format: Format | None = None,  # noqa: A002 - the natural name, as in pandas/polars
    delimiter: str | None = None,
    encoding: str = "utf-8-sig",
    strict: bool = False,
    duplicates: DuplicatePolicy = "keep_latest",
    duplicate_period: Period = "month",
    date_format: str | None = None,
    naive_timezone: tzinfo | None = None,
    decimal: Literal[".", ","] = ".",
    channel_map: Mapping[str, str] | None = None,
    assume_timezone: tzinfo | None = None,
) -> ReadResult:
    r"""Read survey responses from a CSV, JSON Lines or Parquet file, reporting bad rows.

    Columns are matched to ``Response`` fields by ``mapping`` (``{field: header}``) or by
    common English and Dutch headers (``score``, ``NPS``, ``aanbevelingsscore``,
    ``datum``, ``opmerking``, ... see ``netpromoter.io._fields.ALIASES``); every other
    column is kept per response in ``segments`` (empty cells are left out).

    Rows that cannot be used are listed in ``rejected`` with their line, column and
    reason: a score such as ``"7,5"``, ``"ten"``, ``11`` or an empty cell, a date that does
    not parse or has no time zone, a row with the wrong number of fields, a quote that is never closed, a JSON line that repeats a key.
    ``rows_read == len(responses) + len(rejected)``; nothing vanishes (a line of nothing
    but spaces holds no row and is skipped). Scores written as text follow one rule:
    plain digits 0-9, optionally ``.0`` (see the Guarantees page). A rejection shows the
    offending value only when it cannot identify anyone (a score, a date, a channel...);
    ids, comments, segment cells and whole rows are withheld, so the report can be shared.
    Channel values are matched with English and Dutch synonyms (``e-mail``, ``telefoon``,
    ``sms``, ``website``, ... see ``netpromoter.io._channels.SYNONYMS``) and
    ``channel_map``; an unknown value is read as ``other`` and counted in ``notes``.

    Duplicates are answers from the same ``respondent_id`` in the same ``duplicate_period``
    (by the timestamps' own offsets; rows without a date form one "no date" period, rows
    without a respondent id are never duplicates). ``"keep_latest"`` keeps the latest answer
    and lists the others in ``rejected`` with the line that was kept; ``"keep_all"`` keeps
    every answer; ``"error"`` raises.

    Args:
        source: A path, or an open text or binary file object.
        mapping: Which column holds which field, e.g. ``{"score": "Cijfer"}``; fields are
            score, respondent_id, submitted_at, channel, language, comment, account_id,
            role and spend; a follow-up placeholder such as ``first_name`` names a column
            kept in each response's ``segments`` under that name.
        format: ``"csv"``, ``"jsonl"`` or ``"parquet"``; by default from the file suffix
            (``.csv``/``.tsv``/``.txt``, ``.jsonl``/``.ndjson``, ``.parquet``/``.pq``),
            else CSV. Parquet needs pyarrow (``netpromoter[files]``).
        delimiter: The CSV delimiter; by default the most frequent of ``, ; TAB |`` in the
            header line.
        encoding: Text encoding; the default reads UTF-8 with or without a byte-order mark.
        strict: Raise on the first bad row instead of reporting it.
        duplicates: ``"keep_latest"`` (default), ``"keep_all"`` or ``"error"``.
        duplicate_period: ``"day"``, ``"week"``, ``"month"`` (default), ``"quarter"`` or
            ``"year"``.
        date_format: A ``strptime`` format for dates, such as ``"%d-%m-%Y %H:%M"``;
            dates in ISO 8601 are read as well, so a file may mix the two.
        naive_timezone: The zone of timestamps written without one (say
            ``zoneinfo.ZoneInfo("Europe/Amsterdam")``); by default they are rejected.
        decimal: The decimal mark of the spend column, ``"."`` or ``","``. Scores are
            whole numbers, so ``"7,5"`` is always rejected.
        channel_map: Channel values of the file and the channel each stands for, such as
            ``{"whatsapp": "chat"}`` (compared without case).
        assume_timezone: The former name of ``naive_timezone`` (deprecated: it warns).

    Returns:
        The accepted responses and the rejection report.

    Raises:
        FileNotFoundError: There is no such file.
        DataFileError: The file is empty, not decodable (the line is named when the
            source is a path), a directory, not Parquet, or has no score column.
        RejectedRowError: In ``strict`` mode, at the first bad row (naming its value, for
            the user's own terminal).
        DuplicateResponseError: With ``duplicates="error"``, naming the lines.
        InvalidParameterError: An option is not one of its allowed values, or both
            ``naive_timezone`` and its former name ``assume_timezone`` are given.

    Examples:
        >>> import io
        >>> data = io.StringIO("respondent;NPS;datum\nr1;9;2026-01-05T10:00:00+01:00\n"
        ...                    "r2;7,5;2026-01-06T11:00:00+01:00\n")
        >>> read = read_responses(data)
        >>> [r.score for r in read.responses]
        [9]
        >>> print(read.rejected[0])
        line 3, column 'NPS': '7,5' not a number (a decimal comma is not a score); expected an integer from 0 to 10
    """  # noqa: E501 - the doctest output is one line
    naive_timezone = renamed("assume_timezone", assume_timezone, "naive_timezone", naive_timezone)
    rows = read_rows(
        source,
        ReadOptions(
            mapping=mapping,
            strict=strict,
            duplicates=duplicates,
            duplicate_period=duplicate_period,
            date_format=date_format,
            naive_timezone=naive_timezone,
            decimal=decimal,
            format=format,
            delimiter=delimiter,
            encoding=encoding,
            channel_map=channel_map,
        ),
    )
    responses: list[Response] = []
    refused: list[Problem] = []
    for line, fields in rows.kept:
        outcome = as_response(fields, line)
        if isinstance(outcome, Problem):
            if strict:
                raise outcome.error(rows.source)
            refused.append(outcome)
        else:
            responses.append(outcome)
    rejected = sorted([*rows.problems, *refused], key=lambda r: r.line)
    return ReadResult(
        source=rows.source,
        responses=tuple(responses),
        rejected=tuple(problem.rejection() for problem in rejected),
        rows_read=rows.rows_read,
        columns=rows.columns,
        segment_columns=rows.segment_columns,
        duplicates=duplicates,
        n_duplicates=rows.n_duplicates,
        notes=rows.notes,
    )


class ReadKeywords(TypedDict, total=False):
    """The keyword options of ``read_responses`` and ``read_columns``."""

    mapping: Mapping[str, str] | None
    format: Format | None
    delimiter: str | None
    encoding: str
    strict: bool
    duplicates: DuplicatePolicy
    duplicate_period: Period
    date_format: str | None
    naive_timezone: tzinfo | None
    decimal: Literal[".", ","]
    channel_map: Mapping[str, str] | None


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file of responses (the keyword arguments of ``read_responses``)."""

    mapping: Mapping[str, str] | None = None
    strict: bool = False
    duplicates: DuplicatePolicy = "keep_latest"
    duplicate_period: Period = "month"
    date_format: str | None = None
    naive_timezone: tzinfo | None = None
    decimal: str = "."
    format: Format | None = None
    delimiter: str | None = None
    encoding: str = "utf-8-sig"
    channel_map: Mapping[str, str] | None = None

    def check(self) -> None:
        """Refuse an option that is not one of its allowed values.

        Raises:
            InvalidParameterError: Naming the option and its allowed values.
        """
        if self.duplicates not in _POLICIES:
            msg = f"duplicates must be one of {', '.join(_POLICIES)}, got {self.duplicates!r}"
            raise InvalidParameterError(msg, name="duplicates", value=self.duplicates)
        if self.duplicate_period not in _PERIODS:
            msg = (
                f"duplicate_period must be one of {', '.join(_PERIODS)}, "
                f"got {self.duplicate_period!r}"
            )
            raise InvalidParameterError(msg, name="duplicate_period", value=self.duplicate_period)
        if self.decimal not in (".", ","):
            msg = f"decimal must be '.' or ',', got {self.decimal!r}"
            raise InvalidParameterError(msg, name="decimal", value=self.decimal)
        check_channel_map(self.channel_map)


class Rows(NamedTuple):
    """A file's rows after checking: the accepted rows' fields, and the rejected rows.

    Attributes:
        source: The file's name.
        kept: ``(line, fields)`` per accepted row, in file order.
        problems: Every row that was not used, in line order.
        rows_read: Data rows read; always ``len(kept) + len(problems)``.
        columns: Which file column gave each ``Response`` field.
        segment_columns: The other columns.
        n_duplicates: Rows set aside as duplicates (also in ``problems``).
        notes: Warnings about rows that were used (unknown channels read as ``other``).
    """

    source: str
    kept: list[tuple[int, Fields]]
    problems: list[Problem]
    rows_read: int
    columns: Mapping[str, str]
    segment_columns: tuple[str, ...]
    n_duplicates: int
    notes: tuple[str, ...] = ()


def read_rows(source: Source, options: ReadOptions) -> Rows:
    """Read and check a file's rows: the accepted rows' fields, and every rejected row.

    The one reading of ``read_responses`` and ``read_columns``: a row is parsed into
    validated fields once, duplicates are resolved on those fields, and the caller builds
    what it needs of them (models or columns).

    Raises:
        InvalidParameterError: An option is not one of its allowed values.
    """
    options.check()
    name = source_name(source)
    fmt = detect_format(source, options.format)
    with decode_errors(source, options.encoding):
        if fmt == "parquet":
            header, records = _parquet_records(source, name)
            return _collect(header, records, name, options)
        with open_text(source, options.encoding) as handle:
            if fmt == "jsonl":
                header, records = _jsonl_records(handle, name)
            else:
                header, records = _csv_records(handle, name, options.delimiter)
            return _collect(header, records, name, options)


def _collect(
    header: list[str],
    records: Iterable[Record],
    name: str,
    options: ReadOptions,
) -> Rows:
    columns = resolve_columns(header, options.mapping, source=name)
    renamed = {columns[f]: f for f in PLACEHOLDER_FIELDS if f in columns}
    used = set(columns.values()) - set(renamed)
    segment_columns = [(renamed.get(h, h), h) for h in header if h not in used]
    converter = _Converter(
        columns,
        segment_columns,
        date_format=options.date_format,
        naive_timezone=options.naive_timezone,
        decimal=options.decimal,
        channel_map=check_channel_map(options.channel_map),
    )
    accepted: list[tuple[int, Fields]] = []
    rejected: list[Problem] = []
    rows_read = 0
    for line, record in records:
        rows_read += 1
        outcome = record if isinstance(record, Problem) else converter.parse(record, line)
        if isinstance(outcome, Problem):
            if options.strict:
                raise outcome.error(name)
            rejected.append(outcome)
        else:
            accepted.append((line, outcome))
    kept, dropped = apply_duplicates(
        accepted,
        options.duplicates,
        options.duplicate_period,
        columns.get("respondent_id", "respondent_id"),
        name,
    )
    return Rows(
        source=name,
        kept=kept,
        problems=sorted(rejected + dropped, key=lambda r: r.line),
        rows_read=rows_read,
        columns=MappingProxyType(
            {f: columns[f] for f in (*FIELDS, *PLACEHOLDER_FIELDS) if f in columns}
        ),
        segment_columns=tuple(name for name, _ in segment_columns),
        n_duplicates=len(dropped),
        notes=(
            (unknown_channels_note(columns["channel"], converter.unknown_channels),)
            if converter.unknown_channels
            else ()
        ),
    )
