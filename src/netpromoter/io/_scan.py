"""Reading a CSV file of responses chunk by chunk into compact columns.

The rows are read ([`CsvChunks`][netpromoter.io._chunks.CsvChunks]) and checked by the
rule of [`read_responses`][netpromoter.io.read_responses] without a Python object per
row: each distinct cell of a chunk is checked once (the score's digits, the channel, the
language, the amount; a time of the usual form ``YYYY-MM-DDThh:mm:ssZ`` or ``...±hh:mm``
is read with numpy), and a row with any other cell is read by the row parser of
``read_responses`` itself, which accepts it or rejects it with its reason. What is kept
per accepted row is only what the caller asks for:

- the score (1 byte) and the submission time (UTC microseconds, 8 bytes);
- a code per row for each asked text column (4 bytes each; its distinct values once);
- the fields of the rows in a time window (a follow-up plan), and of no other row;
- for the duplicate rule, per row with a respondent id: a 128-bit digest of the id,
  the period key, the time, its offset and the line (44 bytes), and the line of every
  accepted row (8 bytes), resolved when the file ends.

So a 2,000,000-row file with one segment column is held in about 26 MB (plus about
100 MB when respondent ids are checked for duplicates), whatever its other columns hold.
Two ids share a digest with a probability of about n²/2¹²⁹ (10⁻²⁶ for 2,000,000 ids).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from netpromoter._models import Channel
from netpromoter._scale import N_SCORES
from netpromoter.exceptions import DataFileError
from netpromoter.io._channels import check_channel_map, lookup_channel, unknown_channels_note
from netpromoter.io._chunks import ArrowCells, TextChunk, csv_chunks
from netpromoter.io._duplicates import Fields, _period_label
from netpromoter.io._fields import FIELDS, PLACEHOLDER_FIELDS, column_key, resolve_columns
from netpromoter.io._progress import progress_bar, wants_progress
from netpromoter.io._read import (
    ReadOptions,
    _blank,
    _CellError,
    _Converter,
    _parse_language,
    _parse_spend,
)
from netpromoter.io._rejection import Problem, Rejection
from netpromoter.io._source import check_file, decode_errors, detect_format
from netpromoter.io._stream import pyarrow_available

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    from numpy.typing import NDArray

#: The missing time.
NAT = np.iinfo(np.int64).min
_SCORE_TEXT = {str(i): i for i in range(N_SCORES)}
_US = 1_000_000
_DAY = 86_400
#: Fields whose cells can make a row invalid: always read.
_CHECKED = ("score", "submitted_at", "channel", "language", "spend")
#: Fields a caller may keep as a column of codes (besides the segment columns).
KEEPABLE = ("respondent_id", "account_id", "role", "channel", "language")
CHUNK_ROWS = 500_000


@dataclass
class Scanned:
    """The accepted rows of a file as compact columns, and every row not used.

    Attributes:
        source: The file's name.
        rows_read: Data rows read.
        problems: Every row not used, in line order (duplicates included).
        columns: Which file column gave each ``Response`` field.
        segment_columns: The other columns.
        n_duplicates: Rows set aside as duplicates.
        scores: The score of each accepted row, in file order.
        times: Its submission time in UTC microseconds (``NAT`` when undated).
        codes: Per kept column, its distinct values and each row's index (-1: empty).
        picked: ``(line, fields)`` of the accepted rows in the window, in file order.
        latest: The latest submission time, in its own offset (``None`` when undated).
        notes: Warnings about rows that were used (unknown channels read as ``other``).
        streamed: Whether the accepted rows went to a ``sink`` chunk by chunk instead:
            ``scores``, ``times`` and ``codes`` are then empty.
    """

    source: str
    rows_read: int
    problems: list[Problem]
    columns: Mapping[str, str]
    segment_columns: tuple[str, ...]
    n_duplicates: int
    scores: NDArray[np.int8]
    times: NDArray[np.int64]
    codes: dict[str, tuple[list[str], NDArray[np.int32]]]
    picked: list[tuple[int, Fields]]
    latest: datetime | None
    notes: tuple[str, ...] = ()
    streamed: bool = False

    @property
    def rejected(self) -> tuple[Rejection, ...]:
        """The shareable report of every row not used."""
        return tuple(problem.rejection() for problem in self.problems)

    def feed(self, sink: Sink, chunk_rows: int) -> None:
        """Hand the rows kept (when duplicates were checked) to ``sink``, chunk by chunk."""
        for start in range(0, len(self.scores), chunk_rows):
            part = slice(start, start + chunk_rows)
            sink(
                self.scores[part],
                self.times[part],
                {key: (labels, c[part]) for key, (labels, c) in self.codes.items()},
            )


def can_scan(path: Path, options: ReadOptions, keep: Sequence[str]) -> bool:
    """Whether ``scan_csv`` reads this file and keeps these columns.

    A UTF-8 CSV file whose ``keep`` columns are segment columns or ``KEEPABLE`` fields;
    anything else (JSON Lines, Parquet, another encoding, a missing column) is read by
    ``read_responses``, which also says what is wrong.
    """
    return scan_keys(path, options, keep) is not None


def scan_keys(path: Path, options: ReadOptions, names: Sequence[str]) -> list[str] | None:
    """The keys ``scan_csv`` keeps ``names`` under, or ``None`` when it cannot read them.

    A name may be a field (``"channel"``) or the header it is found under (``"Kanaal"``),
    as in [`FileRead.key`][netpromoter.io.FileRead.key]; ``None`` for a file that is not
    UTF-8 CSV, or a name that is neither a segment column nor a ``KEEPABLE`` field.
    """
    if detect_format(path, options.format) != "csv" or options.encoding != "utf-8-sig":
        return None
    name = str(path)
    with (
        decode_errors(path, "utf-8"),
        check_file(path).open("rb") as raw,
        csv_chunks(raw, name, options.delimiter, arrow=False) as reader,
    ):
        header = reader.header
    if len(set(header)) != len(header):
        return None
    columns = resolve_columns(header, options.mapping, source=name)
    renamed = {columns[f]: f for f in PLACEHOLDER_FIELDS if f in columns}
    used = set(columns.values()) - set(renamed)
    segments = [h for h in header if h not in used]
    try:
        keys = [column_key(k, columns, segments, source=name) for k in names]
    except DataFileError:
        return None  # the row reader says what is missing
    keepable = [*KEEPABLE, *segments]
    return keys if all(k in keepable for k in keys) else None


_WIDTH = 25


def fast_times(
    texts: Sequence[str],
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.bool_]]:
    """UTC microseconds and offset seconds of ISO 8601 texts of the usual forms.

    ``YYYY-MM-DDThh:mm:ssZ`` and ``YYYY-MM-DDThh:mm:ss±hh:mm`` (``T``, ``t`` or a space
    between date and time, a year from 1900 to 2999) are read with numpy; ``ok`` is false
    for every other text, which the row parser reads.

    Examples:
        >>> us, offset, ok = fast_times(["2026-01-31T09:30:00+01:00", "31-01-2026"])
        >>> int(us[0]) // 1_000_000, int(offset[0]), ok.tolist()
        (1769848200, 3600, [True, False])
    """
    if isinstance(texts, ArrowCells):
        return _times(*texts.positions(_WIDTH))
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.intp, count=n)
    rows = np.flatnonzero((lengths == 20) | (lengths == _WIDTH))  # noqa: PLR2004 - the forms
    chars = np.zeros((n, _WIDTH), dtype=np.uint32)
    if len(rows):
        picked = np.array([texts[i] for i in rows.tolist()], dtype=f"U{_WIDTH}")
        chars[rows] = picked.view(np.uint32).reshape(len(rows), _WIDTH)
    lengths[chars.max(axis=1, initial=0) >= 128] = 0  # noqa: PLR2004 - only ASCII can match
    return _times(np.ascontiguousarray(chars.T).astype(np.uint8), lengths)


#: Positions of the digits, the fixed characters and the offset's digits of the two forms.
_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_FIXED = ((4, "-"), (7, "-"), (13, ":"), (16, ":"))
_OFFSET_DIGITS = (20, 21, 23, 24)
#: Days before each month in a common year (index 1..12), and each month's length.
_BEFORE = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], dtype=np.int32)
_LENGTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def _times(
    at: NDArray[np.uint8], lengths: NDArray[np.intp]
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.bool_]]:
    """``fast_times`` of the cells' bytes (one row per position, zero-padded) and lengths.

    Every check and every number is a pass over one contiguous row of bytes.
    """
    n = len(lengths)
    us = np.full(n, NAT, dtype=np.int64)
    offset = np.zeros(n, dtype=np.int32)
    zulu = lengths == 20  # noqa: PLR2004 - the Z form
    ok = zulu | (lengths == _WIDTH)
    digits = at - np.uint8(48)  # a digit is 0..9; any other byte wraps above 9
    ok &= (digits[list(_DIGITS)] <= 9).all(axis=0)  # noqa: PLR2004 - the largest digit
    for i, char in _FIXED:
        ok &= at[i] == ord(char)
    ok &= (at[10] == ord("T")) | (at[10] == ord("t")) | (at[10] == ord(" "))
    ok &= ~zulu | (at[19] == ord("Z")) | (at[19] == ord("z"))
    signed = (at[19] == ord("+")) | (at[19] == ord("-"))
    tail = (digits[list(_OFFSET_DIGITS)] <= 9).all(axis=0) & (at[22] == ord(":"))  # noqa: PLR2004
    ok &= zulu | (signed & tail)

    def pair(i: int) -> NDArray[np.int32]:
        """The two-digit number at position ``i`` (garbage where ``ok`` is false)."""
        # In 32-bit integers whatever numpy's promotion rules (numpy 1 would keep uint8).
        tens: NDArray[np.int32] = digits[i].astype(np.int32) * np.int32(10)
        tens += digits[i + 1]
        return tens

    year = pair(0) * np.int32(100) + pair(2)
    month, day = pair(5), pair(8)
    hour, minute, second = pair(11), pair(14), pair(17)
    off_h, off_m = pair(20), pair(23)
    ok &= (year >= 1900) & (year <= 2999) & (month >= 1) & (month <= 12)  # noqa: PLR2004
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)  # noqa: PLR2004
    ok &= zulu | ((off_h <= 23) & (off_m <= 59))  # noqa: PLR2004
    month[~ok] = 1
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    february = month == 2  # noqa: PLR2004 - February
    ok &= (day >= 1) & (day <= _LENGTH[month] + (february & leap))
    # Days since 1970-01-01: whole years (with their leap days), months, days.
    before = year - 1
    days = (year - 1970) * 365 + (before // 4 - before // 100 + before // 400 - 477)
    days += _BEFORE[month] + ((month > 2) & leap) + day - 1  # noqa: PLR2004 - after February
    shift = off_h * 3600 + off_m * 60
    shift[at[19] == ord("-")] *= -1
    shift[zulu] = 0
    seconds = days.astype(np.int64) * _DAY + (hour * 3600 + minute * 60 + second - shift)
    us[ok] = seconds[ok] * _US
    offset[ok] = shift[ok]
    return us, offset, ok


def micros(when: datetime) -> int:
    """UTC microseconds since 1970 of an aware datetime, exactly."""
    return (when - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


def between(since: datetime, until: datetime) -> Callable[[NDArray[np.int64]], NDArray[np.bool_]]:
    """The rows (by UTC microseconds) submitted from ``since`` to ``until``, both included."""
    low, high = micros(since), micros(until)

    def window(us: NDArray[np.int64]) -> NDArray[np.bool_]:
        inside: NDArray[np.bool_] = (us != NAT) & (us >= low) & (us <= high)
        return inside

    return window


def _utc(value: datetime) -> tuple[int, int]:
    """UTC microseconds and offset seconds of an aware datetime."""
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    delta = value - epoch
    offset = value.utcoffset()
    shift = 0 if offset is None else int(offset.total_seconds())
    return delta // timedelta(microseconds=1), shift


def period_keys(us: NDArray[np.int64], offset: NDArray[np.int32], period: str) -> NDArray[np.int64]:
    """A number per row for its period in its own offset (``NAT`` when undated)."""
    dated = us != NAT
    local = np.where(dated, us // _US + offset, 0)
    days = local // _DAY
    if period == "day":
        key = days
    elif period == "week":
        key = days - (days + 3) % 7  # the Monday of the ISO week (1970-01-01 a Thursday)
    else:
        months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        key = {"month": months, "quarter": months // 3, "year": months // 12}[period]
    return np.where(dated, key, NAT)


def _local(us: int, offset: int) -> datetime:
    """The wall-clock time of a row (for its period's label)."""
    return datetime(1970, 1, 1) + timedelta(microseconds=us + offset * _US)  # noqa: DTZ001 - wall clock


@dataclass
class _Duplicates:
    """Per row with a respondent id: its digest, period, time and line (numpy parts)."""

    parts: list[tuple[NDArray[Any], ...]] = field(default_factory=list)

    def add(
        self,
        digests: NDArray[np.uint64],
        keys: NDArray[np.int64],
        us: NDArray[np.int64],
        offsets: NDArray[np.int32],
        lines: NDArray[np.int64],
    ) -> None:
        self.parts.append((digests, keys, us, offsets, lines))

    def repeated(
        self,
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int32]]:
        """Lines of rows that are not their group's latest, with their group's latest.

        Returns ``(lines, latest_lines, latest_us, latest_offsets)``.
        """
        if not self.parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(0, dtype=np.int32)
        digests = np.concatenate([p[0] for p in self.parts])
        keys, us, offsets, lines = (
            np.concatenate([p[i] for p in self.parts]) for i in (1, 2, 3, 4)
        )
        dated = us != NAT
        order = np.lexsort((lines, us, dated, keys, digests[:, 1], digests[:, 0]))
        d, k = digests[order], keys[order]
        start = np.ones(len(order), dtype=bool)
        start[1:] = (d[1:, 0] != d[:-1, 0]) | (d[1:, 1] != d[:-1, 1]) | (k[1:] != k[:-1])
        group = np.cumsum(start) - 1
        last = np.append(np.flatnonzero(start)[1:], len(order)) - 1
        latest = order[last[group]]
        beaten = order[latest != order]
        return (
            lines[beaten],
            lines[latest[latest != order]],
            us[latest[latest != order]],
            offsets[latest[latest != order]],
        )


def _digests(values: Sequence[str | None]) -> NDArray[np.uint64]:
    """A 128-bit digest per distinct respondent id (two 64-bit halves; zeros for none)."""
    blake2b, none = hashlib.blake2b, bytes(16)
    joined = b"".join(
        none if v is None else blake2b(v.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        for v in values
    )
    digests: NDArray[np.uint64] = np.frombuffer(joined, dtype=np.uint64).reshape(-1, 2).copy()
    return digests


class _Layout:
    """Which chunk column holds which field, and how each distinct cell reads."""

    def __init__(
        self,
        header: list[str],
        name: str,
        options: ReadOptions,
        keep: Sequence[str],
        *,
        full: bool,
    ) -> None:
        duplicated = sorted({h for h in header if header.count(h) > 1})
        if duplicated:
            msg = f"{name}: the header repeats {', '.join(map(repr, duplicated))}; rename them"
            raise DataFileError(msg, path=name)
        self.columns = resolve_columns(header, options.mapping, source=name)
        # A column mapped to a follow-up placeholder (first_name=Voornaam) is read as a
        # segment column under the placeholder's name, as read_responses reads it.
        renamed = {self.columns[f]: f for f in PLACEHOLDER_FIELDS if f in self.columns}
        used = set(self.columns.values()) - set(renamed)
        self.segment_columns = [h for h in header if h not in used]
        self.segment_names = [renamed.get(h, h) for h in self.segment_columns]
        self.options = options
        self.dedupe = options.duplicates != "keep_all" and "respondent_id" in self.columns
        wanted_fields = [f for f in FIELDS if f in self.columns and (full or f in _CHECKED)]
        if self.dedupe and "respondent_id" not in wanted_fields:
            wanted_fields.append("respondent_id")
        segments = self.segment_columns if full else [s for s in self.segment_columns if s in keep]
        for name_ in keep:
            if name_ in self.columns and name_ not in wanted_fields:
                wanted_fields.append(name_)
        self.read = [self.columns[f] for f in wanted_fields] + segments
        self.position = {h: i for i, h in enumerate(self.read)}
        self.wanted = [header.index(h) for h in self.read]
        # Cells only read for the rows of a window (or mostly distinct, as times) are not
        # encoded: their text is looked up for those rows alone.
        only_whole = [h for h in self.read if full and h not in self._encoded(keep)]
        times = [self.columns["submitted_at"]] if "submitted_at" in self.columns else []
        self.distinct = [header.index(h) for h in dict.fromkeys([*times, *only_whole])]
        self.keep = list(dict.fromkeys(keep))
        self.converter = _Converter(
            self.columns,
            [(renamed.get(h, h), h) for h in segments],
            date_format=options.date_format,
            naive_timezone=options.naive_timezone,
            decimal=options.decimal,
            channel_map=check_channel_map(options.channel_map),
        )

    def _encoded(self, keep: Sequence[str]) -> set[str]:
        """Headers whose cells are checked or kept per distinct value."""
        fields = [*_CHECKED, *(["respondent_id"] if self.dedupe else [])]
        names = [self.columns[f] for f in fields if f in self.columns]
        return {*names, *(self.columns.get(k, k) for k in keep)}

    def at(self, field_: str) -> int | None:
        """The chunk column of a field, if the file has it."""
        header = self.columns.get(field_)
        return None if header is None else self.position[header]

    def kept_column(self, name: str) -> int:
        """The chunk column of a kept field or segment column."""
        return self.position[self.columns.get(name, name)]


def _unique_values(
    values: Sequence[str], parse: Callable[[str], object]
) -> tuple[list[object], NDArray[np.bool_]]:
    """Each distinct cell parsed (``None`` when blank), and whether it parsed."""
    out: list[object] = []
    ok = np.ones(len(values), dtype=bool)
    for i, value in enumerate(values):
        if _blank(value):
            out.append(None)
            continue
        try:
            out.append(parse(value))
        except _CellError:
            out.append(None)
            ok[i] = False
    return out, ok


def _blanks(cells: Sequence[str]) -> NDArray[np.bool_]:
    """Whether each cell is empty (cells of spaces are left to the row parser)."""
    if isinstance(cells, ArrowCells):
        empty: NDArray[np.bool_] = cells.lengths() == 0
        return empty
    return np.fromiter((not cell for cell in cells), dtype=bool, count=len(cells))


Sink: TypeAlias = (
    "Callable[[NDArray[np.int8], NDArray[np.int64], "
    "dict[str, tuple[list[str], NDArray[np.int32]]]], None]"
)
"""What takes each chunk's accepted rows: their scores, their submission times (UTC
microseconds, ``NAT`` when undated) and, per kept column, its labels so far and each
row's code (-1: empty)."""


class _Scan:
    """The state of one pass: kept columns, rejections, duplicate state, picked rows."""

    def __init__(
        self,
        layout: _Layout,
        name: str,
        window: Callable[[NDArray[np.int64]], NDArray[np.bool_]] | None,
        sink: Sink | None = None,
    ) -> None:
        self.layout = layout
        self.name = name
        self.window = window
        # Rows set aside as duplicates are only known at the end: then rows are kept.
        self.sink = None if layout.dedupe else sink
        self.rows_read = 0
        self.problems: list[Problem] = []
        self.scores: list[NDArray[np.int8]] = []
        self.times: list[NDArray[np.int64]] = []
        self.lines: list[NDArray[np.int64]] = []
        self.labels: dict[str, dict[str, int]] = {k: {} for k in layout.keep}
        self.codes: dict[str, list[NDArray[np.int32]]] = {k: [] for k in layout.keep}
        self.duplicates = _Duplicates()
        self.picked: list[tuple[int, Fields]] = []
        self.latest: tuple[int, int] | None = None

    def reject(self, problem: Problem) -> None:
        if self.layout.options.strict:
            raise problem.error(self.name)
        self.problems.append(problem)

    def row(self, chunk: TextChunk, i: int) -> dict[str, object]:
        return {h: chunk.cell(j, i) for h, j in self.layout.position.items()}

    def add(self, chunk: TextChunk) -> None:  # noqa: C901, PLR0912, PLR0915 - one pass over the fields
        layout = self.layout
        n = len(chunk.lines)
        self.rows_read += n + len(chunk.malformed)
        for line, reason in chunk.malformed:
            self.reject(Problem(line, "", reason))
        if not n:
            return
        bad = np.zeros(n, dtype=bool)
        score_col = layout.at("score")
        values, index = chunk.columns[score_col]  # type: ignore[index]
        table = np.array([_SCORE_TEXT.get(v, -1) for v in values], dtype=np.int8)
        scores = table[index]
        bad |= scores < 0
        us = np.full(n, NAT, dtype=np.int64)
        offsets = np.zeros(n, dtype=np.int32)
        time_col = layout.at("submitted_at")
        if time_col is not None:
            values, index = chunk.columns[time_col]
            u_us, u_off, u_ok = fast_times(values)
            if layout.options.date_format is not None:
                u_ok[:] = False
            u_ok |= _blanks(values)
            us, offsets = u_us[index], u_off[index]
            bad |= ~u_ok[index]
        channel_map = layout.converter.channel_map
        parsers: dict[str, Callable[[str], object]] = {
            "channel": lambda v: (lookup_channel(v, channel_map) or Channel.OTHER).value,
            "language": _parse_language,
            "spend": lambda v: _parse_spend(v, layout.options.decimal),
        }
        parsed: dict[str, tuple[list[object], NDArray[np.intp]]] = {}
        for name, parse in parsers.items():
            col = layout.at(name)
            if col is not None:
                values, index = chunk.columns[col]
                out, ok = _unique_values(values, parse)
                bad |= ~ok[index]
                parsed[name] = (out, index)
        accepted = ~bad
        self._count_unknown_channels(chunk, accepted)
        fixed: dict[int, Fields] = {}
        for i in np.flatnonzero(bad).tolist():
            line = int(chunk.lines[i])
            outcome = layout.converter.parse(self.row(chunk, i), line)
            if isinstance(outcome, Problem):
                self.reject(outcome)
                continue
            accepted[i] = True
            fixed[i] = outcome
            scores[i] = outcome["score"]
            when = outcome.get("submitted_at")
            us[i], offsets[i] = _utc(when) if when is not None else (NAT, 0)
        keep = np.flatnonzero(accepted)
        self._latest(us[keep], offsets[keep])
        codes = {name: self._codes(chunk, name, parsed, fixed, keep) for name in layout.keep}
        if self.sink is not None:
            self.sink(
                scores[keep], us[keep], {k: (list(self.labels[k]), c) for k, c in codes.items()}
            )
        else:
            self.scores.append(scores[keep])
            self.times.append(us[keep])
            for name, part in codes.items():
                self.codes[name].append(part)
        if layout.dedupe:
            self.lines.append(chunk.lines[keep])
            self._dedupe(chunk, fixed, keep, us, offsets)
        if self.window is not None:
            inside = keep[self.window(us[keep])]
            for i in inside.tolist():
                fields = fixed.get(i)
                if fields is None:
                    outcome = layout.converter.parse(self.row(chunk, i), int(chunk.lines[i]))
                    if isinstance(outcome, Problem):  # pragma: no cover - read alike above
                        raise outcome.error(self.name)
                    fields = outcome
                self.picked.append((int(chunk.lines[i]), fields))

    def _count_unknown_channels(self, chunk: TextChunk, accepted: NDArray[np.bool_]) -> None:
        """Count the accepted rows whose channel is unknown (read as ``other``).

        Rows left to the row parser are counted by it, as ``read_responses`` counts them.
        """
        col = self.layout.at("channel")
        if col is None:
            return
        values, index = chunk.columns[col]
        converter = self.layout.converter
        unknown = [
            (i, str(v).strip())
            for i, v in enumerate(values)
            if not _blank(v) and lookup_channel(v, converter.channel_map) is None
        ]
        if unknown:
            counts = np.bincount(index[accepted], minlength=len(values))
            for i, value in unknown:
                if counts[i]:
                    converter.unknown_channels[value] += int(counts[i])

    def _latest(self, us: NDArray[np.int64], offsets: NDArray[np.int32]) -> None:
        """Keep the latest time and its offset (the first row of the latest instant)."""
        if not len(us):
            return
        i = int(np.argmax(us))
        if us[i] != NAT and (self.latest is None or us[i] > self.latest[0]):
            self.latest = (int(us[i]), int(offsets[i]))

    def kept_lines(self) -> NDArray[np.int64]:
        """The line of each accepted row (kept when duplicates are checked)."""
        return np.concatenate(self.lines) if self.lines else np.zeros(0, dtype=np.int64)

    def _codes(
        self,
        chunk: TextChunk,
        name: str,
        parsed: dict[str, tuple[list[object], NDArray[np.intp]]],
        fixed: dict[int, Fields],
        keep: NDArray[np.intp],
    ) -> NDArray[np.int32]:
        """The global code of a kept column's value per accepted row (-1 when empty)."""
        labels = self.labels[name]
        if name in parsed:
            out, index = parsed[name]
            texts: list[str | None] = [None if v is None else str(v) for v in out]
        else:
            values, index = chunk.columns[self.layout.kept_column(name)]
            texts = [None if _blank(v) else v.strip() for v in values]
        local = np.array(
            [-1 if t is None else labels.setdefault(t, len(labels)) for t in texts],
            dtype=np.int32,
        )
        codes = local[index]
        for i, fields in fixed.items():
            value = fields.get(name) if name in FIELDS else fields.get("segments", {}).get(name)
            value = getattr(value, "value", value)
            codes[i] = -1 if value is None else labels.setdefault(str(value), len(labels))
        return codes[keep]

    def _dedupe(
        self,
        chunk: TextChunk,
        fixed: dict[int, Fields],
        keep: NDArray[np.intp],
        us: NDArray[np.int64],
        offsets: NDArray[np.int32],
    ) -> None:
        values, index = chunk.columns[self.layout.at("respondent_id")]  # type: ignore[index]
        ids = [None if _blank(v) else v.strip() for v in values]
        digests = _digests(ids)[index]
        has_id = np.array([v is not None for v in ids], dtype=bool)[index]
        for i, fields in fixed.items():
            value = fields.get("respondent_id")
            has_id[i] = value is not None
            if value is not None:
                digests[i] = _digests([value])[0]
        rows = keep[has_id[keep]]
        period = self.layout.options.duplicate_period
        self.duplicates.add(
            digests[rows],
            period_keys(us[rows], offsets[rows], period),
            us[rows],
            offsets[rows],
            chunk.lines[rows],
        )


def _texts_at(
    path: Path, layout: _Layout, name: str, lines: set[int], *, arrow: bool
) -> dict[int, str]:
    """The stripped respondent id of the rows at ``lines`` (a second, narrow pass)."""
    found: dict[int, str] = {}
    header = layout.columns["respondent_id"]
    with (
        path.open("rb") as raw,
        csv_chunks(raw, name, layout.options.delimiter, arrow=arrow) as reader,
    ):
        for chunk in reader.chunks([reader.header.index(header)], CHUNK_ROWS):
            hits = np.flatnonzero(np.isin(chunk.lines, list(lines)))
            for i in hits.tolist():
                found[int(chunk.lines[i])] = chunk.cell(0, i).strip()
    return found


def scan_csv(
    path: Path,
    options: ReadOptions,
    *,
    keep: Sequence[str] = (),
    window: Callable[[NDArray[np.int64]], NDArray[np.bool_]] | None = None,
    full: bool = False,
    arrow: bool = True,
    progress: bool | None = None,
    chunk_rows: int = CHUNK_ROWS,
    sink: Sink | None = None,
) -> Scanned:
    """Read a CSV file of responses into compact columns, as ``read_responses`` checks it.

    Args:
        path: The file (UTF-8).
        options: The reading options of ``read_responses``.
        keep: Text columns (segment columns or ``KEEPABLE`` fields) to keep as codes.
        window: Which accepted rows (by UTC microseconds) to keep whole, as fields.
        full: Read every column (needed for whole rows).
        arrow: Use pyarrow's parser where the record rule allows (when installed).
        progress: Draw a progress bar (``None``: when stderr is a terminal).
        chunk_rows: Records per chunk.
        sink: Takes the accepted rows of each chunk (scores, times, kept codes) instead of
            the result, so that memory does not grow with the file; not when duplicates
            are checked (respondent ids without ``duplicates="keep_all"``), as those
            are known only at the end (``Scanned.streamed`` says which).

    Returns:
        The compact columns and the rejections.

    Raises:
        DuplicateResponseError: With ``duplicates="error"`` (read again by the row reader,
            which names every repeated respondent).
    """
    options.check()
    name = str(path)
    file_path = check_file(path)
    total = file_path.stat().st_size
    arrow = arrow and pyarrow_available()
    with (
        decode_errors(file_path, "utf-8"),
        file_path.open("rb") as raw,
        csv_chunks(raw, name, options.delimiter, arrow=arrow) as reader,
        progress_bar(total, file_path.name, enabled=wants_progress(progress)) as bar,
    ):
        layout = _Layout(reader.header, name, options, keep, full=full)
        scan = _Scan(layout, name, window, sink)
        for chunk in reader.chunks(layout.wanted, chunk_rows, layout.distinct):
            scan.add(chunk)
            bar(min(reader.done, total))
    return _finish(scan, file_path, arrow=arrow)


def _finish(scan: _Scan, path: Path, *, arrow: bool) -> Scanned:
    layout, name = scan.layout, scan.name
    lines, latest_lines, latest_us, latest_offsets = scan.duplicates.repeated()
    dropped: list[Problem] = []
    drop = np.zeros(0, dtype=np.int64)
    if len(lines):
        if layout.options.duplicates == "error":
            from netpromoter.io._read import read_rows  # noqa: PLC0415 - the error path only

            read_rows(path, layout.options)  # raises, naming every repeated respondent
        ids = _texts_at(path, layout, name, set(lines.tolist()), arrow=arrow)
        period = layout.options.duplicate_period
        id_header = layout.columns["respondent_id"]
        for line, kept, us, offset in zip(
            lines.tolist(),
            latest_lines.tolist(),
            latest_us.tolist(),
            latest_offsets.tolist(),
            strict=True,
        ):
            label = _period_label(None if us == NAT else _local(us, offset), period)
            reason = (
                f"duplicate: respondent answered again in {label} (line {kept}); "
                "kept the latest answer (duplicates='keep_latest')"
            )
            dropped.append(Problem(line, id_header, reason, ids[line]))
        drop = np.sort(lines)
    scores = np.concatenate(scan.scores) if scan.scores else np.zeros(0, dtype=np.int8)
    times = np.concatenate(scan.times) if scan.times else np.zeros(0, dtype=np.int64)
    codes = {
        k: (list(scan.labels[k]), np.concatenate(parts) if parts else np.zeros(0, np.int32))
        for k, parts in scan.codes.items()
    }
    picked = scan.picked
    if len(drop):
        mask = ~np.isin(scan.kept_lines(), drop)
        scores, times = scores[mask], times[mask]
        codes = {k: (labels, c[mask]) for k, (labels, c) in codes.items()}
        gone = set(drop.tolist())
        picked = [(line, fields) for line, fields in picked if line not in gone]
    return Scanned(
        source=name,
        rows_read=scan.rows_read,
        problems=sorted(scan.problems + dropped, key=lambda p: p.line),
        columns={f: layout.columns[f] for f in FIELDS if f in layout.columns},
        segment_columns=tuple(layout.segment_names),
        n_duplicates=len(dropped),
        scores=scores,
        times=times,
        codes=codes,
        picked=picked,
        streamed=scan.sink is not None,
        latest=None if scan.latest is None else _aware(*scan.latest),
        notes=(
            (unknown_channels_note(layout.columns["channel"], layout.converter.unknown_channels),)
            if layout.converter.unknown_channels
            else ()
        ),
    )


def _aware(us: int, offset: int) -> datetime:
    """A row's time as the aware datetime it was read as (in its own offset)."""
    zone = timezone(timedelta(seconds=offset))
    return (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)).astimezone(zone)
