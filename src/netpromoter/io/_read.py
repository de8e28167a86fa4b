"""``read_responses``: CSV, JSON Lines and Parquet files to ``Response`` objects.

Every data row read is either accepted or listed in the rejection report with its line,
column and reason: ``rows_read == len(responses) + len(rejected)`` always holds.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping  # noqa: TC003 - pydantic needs it at runtime
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict

from netpromoter._input.times import parse_iso
from netpromoter._model import Model
from netpromoter._validation import parse_score_text, validate_score_value
from netpromoter.core import Channel, Response
from netpromoter.exceptions import (
    DataFileError,
    DuplicateResponseError,
    InvalidParameterError,
    InvalidScoreError,
)
from netpromoter.io._fields import FIELDS, resolve_columns
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

DuplicatePolicy = Literal["keep_latest", "keep_all", "error"]
Period = Literal["day", "week", "month", "quarter", "year"]
_PERIODS = ("day", "week", "month", "quarter", "year")
_POLICIES = ("keep_latest", "keep_all", "error")
_CHANNEL_ALIASES = {"e-mail": "email", "mail": "email", "in-app": "in_app", "app": "in_app"}
_TEXT_FIELDS = ("respondent_id", "account_id", "role")
_SHOWN = 5
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


class ReadResult(Model):
    """The responses read from a file, and every row that was not used.

    Attributes:
        source: The file's name (or ``"<stream>"``).
        responses: The accepted responses, in file order.
        rejected: Every row that was not used, in file order, with its reason.
        rows_read: Data rows read; always ``len(responses) + len(rejected)``.
        columns: Which file column gave each ``Response`` field (``{"score": "NPS"}``).
        segment_columns: The other columns, kept in each response's ``segments``.
        duplicates: The duplicate policy that was applied.
        n_duplicates: Rows set aside as duplicates (``keep_latest``), also in ``rejected``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    responses: tuple[Response, ...]
    rejected: tuple[Rejection, ...]
    rows_read: int
    columns: Mapping[str, str]
    segment_columns: tuple[str, ...]
    duplicates: DuplicatePolicy
    n_duplicates: int

    def summary(self) -> str:
        r"""One line: rows read, accepted and rejected.

        Examples:
            >>> import io
            >>> read_responses(io.StringIO("score\n9\nten\n")).summary()
            '<stream>: 2 rows read, 1 accepted, 1 rejected'
        """
        extra = f" ({self.n_duplicates} as duplicates)" if self.n_duplicates else ""
        return (
            f"{self.source}: {self.rows_read:,} rows read, {len(self.responses):,} accepted, "
            f"{len(self.rejected):,} rejected{extra}"
        )

    def __repr__(self) -> str:
        """Short form: the summary."""
        return f"ReadResult({self.summary()})"

    def _repr_html_(self) -> str:
        head = f"<p>{html.escape(self.summary())}</p>"
        if not self.rejected:
            return head
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (r.line, r.column, r.value or "", r.reason)
            )
            + "</tr>"
            for r in self.rejected[:50]
        )
        more = len(self.rejected) - 50
        tail = f"<p>… and {more:,} more rejected rows</p>" if more > 0 else ""
        return (
            f"{head}<table class='netpromoter-rejections'><tr><th>line</th><th>column</th>"
            f"<th>value</th><th>reason</th></tr>{rows}</table>{tail}"
        )


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
                msg = f"is not a date in the format {date_format!r}"
                raise _CellError("submitted_at", msg) from None
    else:
        msg = "is not a date: expected ISO 8601 text or a timestamp"
        raise _CellError("submitted_at", msg)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        if assume is None:
            msg = (
                "has no time zone (a naive date): add an offset such as +01:00 or Z, or "
                "pass assume_timezone= to say which zone the file's times are in"
            )
            raise _CellError("submitted_at", msg)
        parsed = parsed.replace(tzinfo=assume)
    return parsed


def _parse_channel(value: object) -> Channel:
    text = str(value).strip().lower()
    text = _CHANNEL_ALIASES.get(text, text)
    try:
        return Channel(text)
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        msg = f"is not a channel: expected one of {allowed} (map others to 'other')"
        raise _CellError("channel", msg) from None


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


class _Converter:
    """Turns one row (a mapping of header to raw value) into a ``Response``."""

    def __init__(
        self,
        columns: Mapping[str, str],
        segment_columns: Sequence[str],
        *,
        date_format: str | None,
        assume_timezone: tzinfo | None,
        decimal: str,
    ) -> None:
        self.columns = columns
        self.segment_columns = segment_columns
        self.date_format = date_format
        self.assume = assume_timezone
        self.decimal = decimal

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
                row.get(cols["submitted_at"]), self.date_format, self.assume
            )
        if "channel" in cols and not _blank(row.get(cols["channel"])):
            out["channel"] = _parse_channel(row.get(cols["channel"]))
        if "language" in cols and not _blank(row.get(cols["language"])):
            out["language"] = _parse_language(row.get(cols["language"]))
        if "spend" in cols and not _blank(row.get(cols["spend"])):
            out["spend"] = _parse_spend(row.get(cols["spend"]), self.decimal)
        segments = {
            name: _segment_text(row.get(name))
            for name in self.segment_columns
            if not _blank(row.get(name))
        }
        if segments:
            out["segments"] = segments
        return out

    def convert(self, row: Mapping[str, object], line: int) -> Response | Problem:
        try:
            fields = self.fields(row)
        except _CellError as exc:
            header = self.columns[exc.field]
            raw = _shown(row.get(header))
            return Problem(line, header, exc.reason, raw, _KINDS.get(exc.field, "personal"))
        try:
            return Response(**fields)
        except ValueError as exc:  # every field is checked above; a last guard all the same
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


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object's members, refusing a key that appears twice (it would hide a value)."""
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _json_line(number: int, text: str) -> dict[str, object] | Problem:
    try:
        item = json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKeyError as exc:
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


def _period_key(when: datetime | None, period: Period) -> object:
    if when is None:
        return None
    if period == "day":
        return when.date()
    if period == "week":
        return when.isocalendar()[:2]
    if period == "month":
        return (when.year, when.month)
    if period == "quarter":
        return (when.year, (when.month - 1) // 3 + 1)
    return when.year


def _period_label(when: datetime | None, period: Period) -> str:
    if when is None:
        return "no date"
    labels = {
        "day": when.date().isoformat(),
        "week": "{}-W{:02d}".format(*when.isocalendar()[:2]),
        "month": f"{when.year}-{when.month:02d}",
        "quarter": f"{when.year}-Q{(when.month - 1) // 3 + 1}",
        "year": str(when.year),
    }
    return labels[period]


def _apply_duplicates(
    accepted: list[tuple[int, Response]],
    policy: DuplicatePolicy,
    period: Period,
    id_header: str,
    name: str,
) -> tuple[list[tuple[int, Response]], list[Problem]]:
    groups: dict[tuple[str, object], list[tuple[int, Response]]] = {}
    for line, response in accepted:
        if response.respondent_id is not None:
            key = (response.respondent_id, _period_key(response.submitted_at, period))
            groups.setdefault(key, []).append((line, response))
    repeated = [group for group in groups.values() if len(group) > 1]
    if not repeated or policy == "keep_all":
        return accepted, []
    if policy == "error":
        shown = "; ".join(
            f"{group[0][1].respondent_id!r} in {_period_label(group[0][1].submitted_at, period)} "
            f"(lines {', '.join(str(line) for line, _ in group)})"
            for group in repeated[:_SHOWN]
        )
        more = len(repeated) - _SHOWN
        msg = (
            f"{name}: {len(repeated)} respondents answered more than once per {period}: {shown}"
            + (f" and {more} more" if more > 0 else "")
            + "; pass duplicates='keep_latest' or 'keep_all'"
        )
        raise DuplicateResponseError(msg, lines=[[line for line, _ in group] for group in repeated])
    dropped: dict[int, Problem] = {}
    for group in repeated:
        latest_line, latest = max(
            group,
            key=lambda item: (
                item[1].submitted_at is not None,
                item[1].submitted_at or datetime.min.replace(tzinfo=timezone.utc),
                item[0],
            ),
        )
        label = _period_label(latest.submitted_at, period)
        for line, response in group:
            if line != latest_line:
                reason = (
                    f"duplicate: respondent answered again in {label} (line {latest_line}); "
                    "kept the latest answer (duplicates='keep_latest')"
                )
                dropped[line] = Problem(line, id_header, reason, response.respondent_id)
    kept = [(line, r) for line, r in accepted if line not in dropped]
    return kept, [dropped[line] for line in sorted(dropped)]


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
    assume_timezone: tzinfo | None = None,
    decimal: Literal[".", ","] = ".",
) -> ReadResult:
    r"""Read survey responses from a CSV, JSON Lines or Parquet file, reporting bad rows.

    Columns are matched to ``Response`` fields by ``mapping`` (``{field: header}``) or by
    common English and Dutch headers (``score``, ``NPS``, ``aanbevelingsscore``,
    ``datum``, ``opmerking``, ... see ``netpromoter.io._fields.ALIASES``); every other
    column is kept per response in ``segments`` (empty cells are left out).

    Rows that cannot be used are listed in ``rejected`` with their line, column and
    reason: a score such as ``"7,5"``, ``"ten"``, ``11`` or an empty cell, a date that does
    not parse or has no time zone, an unknown channel, a row with the wrong number of
    fields, a quote that is never closed, a JSON line that repeats a key.
    ``rows_read == len(responses) + len(rejected)``; nothing vanishes (a line of nothing
    but spaces holds no row and is skipped). Scores written as text follow one rule:
    plain digits 0-9, optionally ``.0`` (see the Guarantees page). A rejection shows the
    offending value only when it cannot identify anyone (a score, a date, a channel...);
    ids, comments, segment cells and whole rows are withheld, so the report can be shared.

    Duplicates are answers from the same ``respondent_id`` in the same ``duplicate_period``
    (by the timestamps' own offsets; rows without a date form one "no date" period, rows
    without a respondent id are never duplicates). ``"keep_latest"`` keeps the latest answer
    and lists the others in ``rejected`` with the line that was kept; ``"keep_all"`` keeps
    every answer; ``"error"`` raises.

    Args:
        source: A path, or an open text or binary file object.
        mapping: Which column holds which field, e.g. ``{"score": "Cijfer"}``; fields are
            score, respondent_id, submitted_at, channel, language, comment, account_id,
            role and spend.
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
        date_format: A ``strptime`` format for dates, such as ``"%d-%m-%Y %H:%M%z"``;
            by default ISO 8601.
        assume_timezone: The zone of timestamps written without one (say
            ``zoneinfo.ZoneInfo("Europe/Amsterdam")``); by default they are rejected.
        decimal: The decimal mark of the spend column, ``"."`` or ``","``. Scores are
            whole numbers, so ``"7,5"`` is always rejected.

    Returns:
        The accepted responses and the rejection report.

    Raises:
        FileNotFoundError: There is no such file.
        DataFileError: The file is empty, not decodable (the line is named when the
            source is a path), a directory, not Parquet, or has no score column.
        RejectedRowError: In ``strict`` mode, at the first bad row (naming its value, for
            the user's own terminal).
        DuplicateResponseError: With ``duplicates="error"``, naming the lines.
        InvalidParameterError: An option is not one of its allowed values.

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
    if duplicates not in _POLICIES:
        msg = f"duplicates must be one of {', '.join(_POLICIES)}, got {duplicates!r}"
        raise InvalidParameterError(msg, name="duplicates", value=duplicates)
    if duplicate_period not in _PERIODS:
        msg = f"duplicate_period must be one of {', '.join(_PERIODS)}, got {duplicate_period!r}"
        raise InvalidParameterError(msg, name="duplicate_period", value=duplicate_period)
    if decimal not in (".", ","):
        msg = f"decimal must be '.' or ',', got {decimal!r}"
        raise InvalidParameterError(msg, name="decimal", value=decimal)
    name = source_name(source)
    fmt = detect_format(source, format)
    options = _Options(
        mapping=mapping,
        strict=strict,
        duplicates=duplicates,
        duplicate_period=duplicate_period,
        date_format=date_format,
        assume_timezone=assume_timezone,
        decimal=decimal,
    )
    with decode_errors(source, encoding):
        if fmt == "parquet":
            header, records = _parquet_records(source, name)
            return _collect(header, records, name, options)
        with open_text(source, encoding) as handle:
            if fmt == "jsonl":
                header, records = _jsonl_records(handle, name)
            else:
                header, records = _csv_records(handle, name, delimiter)
            return _collect(header, records, name, options)


@dataclass(frozen=True)
class _Options:
    mapping: Mapping[str, str] | None
    strict: bool
    duplicates: DuplicatePolicy
    duplicate_period: Period
    date_format: str | None
    assume_timezone: tzinfo | None
    decimal: str


def _collect(
    header: list[str],
    records: Iterable[Record],
    name: str,
    options: _Options,
) -> ReadResult:
    columns = resolve_columns(header, options.mapping, source=name)
    used = set(columns.values())
    segment_columns = [h for h in header if h not in used]
    converter = _Converter(
        columns,
        segment_columns,
        date_format=options.date_format,
        assume_timezone=options.assume_timezone,
        decimal=options.decimal,
    )
    accepted: list[tuple[int, Response]] = []
    rejected: list[Problem] = []
    rows_read = 0
    for line, record in records:
        rows_read += 1
        outcome = record if isinstance(record, Problem) else converter.convert(record, line)
        if isinstance(outcome, Problem):
            if options.strict:
                raise outcome.error(name)
            rejected.append(outcome)
        else:
            accepted.append((line, outcome))
    kept, dropped = _apply_duplicates(
        accepted,
        options.duplicates,
        options.duplicate_period,
        columns.get("respondent_id", "respondent_id"),
        name,
    )
    all_rejected = sorted(rejected + dropped, key=lambda r: r.line)
    return ReadResult(
        source=name,
        responses=tuple(r for _, r in kept),
        rejected=tuple(problem.rejection() for problem in all_rejected),
        rows_read=rows_read,
        columns=MappingProxyType({f: columns[f] for f in FIELDS if f in columns}),
        segment_columns=tuple(segment_columns),
        duplicates=options.duplicates,
        n_duplicates=len(dropped),
    )
