"""Scoring files larger than memory: chunk by chunk into one mergeable tally.

Only the score, segment and weight columns are kept, one chunk at a time; every chunk is
counted by the shared tally engine into a labelled
[`Tally`][netpromoter._tally.Tally] and added to the running one by label, so memory
depends on the chunk size and the number of groups, not on the file.
"""

from __future__ import annotations

import html
import io
from typing import IO, TYPE_CHECKING, Annotated, Any, ClassVar, Literal, NamedTuple

import numpy as np
from pydantic import ConfigDict

from netpromoter._count import tally
from netpromoter._input.factors import Factor, code_dtype, combine
from netpromoter._labels import MISSING
from netpromoter._model import Held, Model
from netpromoter._results import format as fmt
from netpromoter._results import html_table
from netpromoter._scale import N_SCORES
from netpromoter._tally import Tally
from netpromoter._validation import parse_score_text
from netpromoter.core import NPSCounts, NPSResult
from netpromoter.exceptions import DataFileError
from netpromoter.io._blocks import BlockReader
from netpromoter.io._chunks import Codes, encode
from netpromoter.io._fields import resolve_columns
from netpromoter.io._progress import progress_bar, wants_progress
from netpromoter.io._rejection import Problem, Rejection
from netpromoter.io._source import (
    csv_table,
    decode_errors,
    open_parquet,
    parquet_errors,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

    from numpy.typing import NDArray

    from netpromoter.core import Method
    from netpromoter.io._records import Record
    from netpromoter.io._source import Format

Engine = Literal["auto", "pyarrow", "csv"]
_SCORE_TEXT = {str(i): i for i in range(N_SCORES)}


class FileTally(Model):
    """The tally of a file scored chunk by chunk: overall and per segment.

    Attributes:
        source: The file.
        by: The segment columns, in order (empty when not segmented).
        tally: The labelled tally of every accepted row: one group per segment that has
            rows (one label per ``by`` column, ``"(missing)"`` for an empty cell), in
            display order; one group labelled ``()`` when not segmented.
        rows_read: Data rows read; always ``counts.n + len(rejected)``.
        rejected: Every row that was not used, with its reason.
        engine: ``"pyarrow"`` or ``"csv"``.
        notes: Warnings about rows that were used (with ``read=``: channel values read
            as ``other``).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    source: str
    by: tuple[str, ...]
    tally: Annotated[Tally, Held(Tally)]
    rows_read: int
    rejected: tuple[Rejection, ...]
    engine: Literal["pyarrow", "csv"]
    notes: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        """Equal when read from the same rows alike: the tallies compared by content."""
        if not isinstance(other, FileTally):
            return NotImplemented
        mine, theirs = self.tally, other.tally
        return (
            self.model_dump(exclude={"tally"}) == other.model_dump(exclude={"tally"})
            and (mine.by, mine.labels, mine.weighted, mine.exponent, mine.n_missing)
            == (theirs.by, theirs.labels, theirs.weighted, theirs.exponent, theirs.n_missing)
            and all(
                np.array_equal(a, b)
                for a, b in zip(
                    (mine.count, mine.sum_w, mine.sum_w2),
                    (theirs.count, theirs.sum_w, theirs.sum_w2),
                    strict=True,
                )
            )
        )

    def __hash__(self) -> int:
        """Hash of the file, its keys and its row counts (consistent with ``==``)."""
        return hash((self.source, self.by, self.rows_read, self.tally.n, self.engine))

    @property
    def weighted(self) -> bool:
        """Whether the rows were weighted."""
        return self.tally.weighted

    @property
    def counts(self) -> NPSCounts:
        """The tally of every accepted row."""
        total = self.tally.total()
        return NPSCounts.from_tally(total, weighted=self.weighted and total.n > 0)

    @property
    def groups(self) -> tuple[tuple[tuple[str, ...], NPSCounts], ...]:
        """``(key, tally)`` per segment that has rows, in display order (empty unsegmented)."""
        if not self.by:
            return ()
        labels = self.tally.labels or ()
        return tuple(
            (
                tuple(str(label) for label in key),
                NPSCounts.from_tally(self.tally.take([i]), weighted=self.weighted),
            )
            for i, key in enumerate(labels)
        )

    def result(
        self, *, method: Method = "adjusted_wald", confidence_level: float = 0.95
    ) -> NPSResult:
        """The overall NPS: identical to scoring every accepted row at once."""
        return self.counts.result(method=method, confidence_level=confidence_level)

    def group_results(
        self, *, method: Method = "adjusted_wald", confidence_level: float = 0.95
    ) -> dict[tuple[str, ...], NPSResult]:
        """The NPS of each segment, in key order."""
        return {
            key: counts.result(method=method, confidence_level=confidence_level)
            for key, counts in self.groups
        }

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat row per segment (or one overall row), for exports."""
        if not self.by:
            return [self.result().to_dict()]
        return [
            dict(zip(self.by, key, strict=True)) | result.to_dict()
            for key, result in self.group_results().items()
        ]

    def summary(self) -> str:
        """One line: rows read, accepted and rejected."""
        return (
            f"{self.source}: {self.rows_read:,} rows read, {self.tally.n:,} accepted, "
            f"{len(self.rejected):,} rejected"
        )

    def __repr__(self) -> str:
        """Short form: the summary and the number of groups."""
        groups = f", {self.tally.n_groups} groups" if self.by else ""
        return f"FileTally({self.summary()}{groups})"

    def _repr_html_(self) -> str:
        keys = [*self.by, "n", "nps", "ci_lower", "ci_upper"]
        rows = [
            [
                fmt.signed(v) if isinstance(v, float) else fmt.label(v)
                for v in (row.get(k) for k in keys)
            ]
            for row in self.to_dicts()
        ]
        table = html_table(keys, rows, css="netpromoter-result")
        return f"<p>{html.escape(self.summary())}</p>{table}"


def _labels(labels: tuple[object, ...]) -> tuple[str, ...]:
    """Group labels as text, an empty cell as the input layer's ``"(missing)"``."""
    return tuple(str(label) if label != "" else MISSING for label in labels)


def _chunk_tally(
    scores: NDArray[np.int8],
    weights: NDArray[np.float64] | None,
    columns: Sequence[Codes],
    by: tuple[str, ...],
) -> Tally:
    """The labelled tally of one chunk's accepted rows.

    The chunk's segment columns are combined by the shared input layer
    ([`combine`][netpromoter._input.factors.combine]); groups whose labels read alike
    (an empty cell and ``"(missing)"``) are counted as one.
    """
    keys: dict[tuple[str, ...], int] = {}
    if columns:
        factors = [
            Factor(index.astype(code_dtype(max(len(values), 1))), tuple(values))
            for values, index in columns
        ]
        grouping = combine(factors)
        lookup = np.fromiter(
            (
                keys.setdefault(_labels(grouping.labels(g)), len(keys))
                for g in range(grouping.n_groups)
            ),
            dtype=np.intp,
            count=grouping.n_groups,
        )
        codes: NDArray[np.intp] = lookup[grouping.group_codes()]
        counted = tally(scores, weights, codes, max(len(keys), 1))
    else:
        keys[()] = 0
        counted = tally(scores, weights)
    return Tally(
        counted.count[: len(keys)],
        counted.sum_w[: len(keys)],
        counted.sum_w2[: len(keys)],
        counted.exponent,
        by=by,
        labels=tuple(keys),
        weighted=weights is not None,
    )


def _parse_scores(texts: Sequence[str]) -> tuple[NDArray[np.int8], dict[int, str]]:
    """Scores of a chunk of cells (-1 where invalid) and the reason per invalid position."""
    out = np.fromiter((_SCORE_TEXT.get(t, -1) for t in texts), dtype=np.int8, count=len(texts))
    return _fix_scores(out, lambda i: texts[i])


def _fix_scores(
    out: NDArray[np.int8], text_at: Callable[[int], str]
) -> tuple[NDArray[np.int8], dict[int, str]]:
    """Check the cells the fast lookup missed (`` 9``, ``9.0``, bad ones) the shared way."""
    reasons: dict[int, str] = {}
    for i in np.flatnonzero(out < 0).tolist():
        parsed = parse_score_text(text_at(i))
        if isinstance(parsed, int):
            out[i] = parsed
        else:
            reasons[i] = parsed
    return out, reasons


_WEIGHT_REASON = "is not a weight: expected a finite number >= 0"


def _parse_weights(texts: Sequence[str]) -> tuple[NDArray[np.float64], dict[int, str]]:
    values = np.full(len(texts), np.nan)
    try:
        values[:] = np.asarray(texts, dtype=np.float64)
    except ValueError:
        for i, text in enumerate(texts):
            try:
                values[i] = float(text)
            except ValueError:  # noqa: PERF203 - only for chunks with a bad weight
                continue
    bad = np.flatnonzero(~(np.isfinite(values) & (values >= 0)))
    return values, dict.fromkeys(bad.tolist(), _WEIGHT_REASON)


class _Chunk(NamedTuple):
    """One chunk, parsed: scores (-1 where bad), reasons, segment codes, weights."""

    scores: NDArray[np.int8]
    reasons: dict[int, str]
    by: list[Codes]
    weights: NDArray[np.float64] | None
    weight_reasons: dict[int, str]
    line: Callable[[int], int]
    score_text: Callable[[int], str]
    weight_text: Callable[[int], str]


class _Run:
    """Shared state of one streaming pass."""

    def __init__(
        self, name: str, score_col: str, by: Sequence[str], weights: str | None, *, strict: bool
    ) -> None:
        self.name = name
        self.score_col = score_col
        self.by = tuple(by)
        self.weights_col = weights
        self.strict = strict
        self.tally = Tally.empty(by=self.by, weighted=weights is not None)
        self.rejected: list[Rejection] = []
        self.rows_read = 0

    def reject(self, problem: Problem) -> None:
        if self.strict:
            raise problem.error(self.name)
        self.rejected.append(problem.rejection())

    def add(self, chunk: _Chunk) -> None:
        n = len(chunk.scores)
        self.rows_read += n
        bad = {
            i: Problem(chunk.line(i), self.score_col, why, chunk.score_text(i), "score")
            for i, why in chunk.reasons.items()
        }
        for i, why in chunk.weight_reasons.items():
            if i not in bad and self.weights_col is not None:
                bad[i] = Problem(
                    chunk.line(i), self.weights_col, why, chunk.weight_text(i), "weight"
                )
        for i in sorted(bad):
            self.reject(bad[i])
        scores, weights, by = chunk.scores, chunk.weights, chunk.by
        if bad:
            keep = np.ones(n, dtype=bool)
            keep[list(bad)] = False
            scores = scores[keep]
            weights = None if weights is None else weights[keep]
            by = [(values, index[keep]) for values, index in by]
        if len(scores):
            self.tally = self.tally + _chunk_tally(scores, weights, by, self.by)

    def result(self, engine: Literal["pyarrow", "csv"]) -> FileTally:
        return FileTally(
            source=self.name,
            by=self.by,
            tally=self.tally.nonempty(),
            rows_read=self.rows_read,
            rejected=tuple(sorted(self.rejected, key=lambda r: r.line)),
            engine=engine,
        )


class _Wanted(NamedTuple):
    """What a streaming pass reads: the file's name, its columns, and how strictly."""

    name: str
    score: str | None
    by: tuple[str, ...]
    weights: str | None
    strict: bool

    def run(self, header: Sequence[str]) -> _Run:
        """A pass over a file with this header (its named columns checked)."""
        score_col = _header_columns(header, self.name, self.score, self.by, self.weights)
        return _Run(self.name, score_col, self.by, self.weights, strict=self.strict)


def _header_columns(
    header: Sequence[str], name: str, score: str | None, by: Sequence[str], weights: str | None
) -> str:
    """The score column's header; check that the other named columns exist."""
    mapping = {"score": score} if score is not None else None
    score_col = resolve_columns(header, mapping, source=name)["score"]
    for column in (*by, *([weights] if weights else [])):
        if column not in header:
            shown = ", ".join(map(repr, header))
            msg = f"{name}: no column {column!r}; the header has {shown}"
            raise DataFileError(msg, path=name)
    return score_col


def _text_chunk(
    lines: list[int], scores: list[str], by: list[list[str]], weights: list[str] | None
) -> _Chunk:
    parsed, reasons = _parse_scores(scores)
    w, w_reasons = _parse_weights(weights) if weights is not None else (None, {})
    return _Chunk(
        parsed,
        reasons,
        [encode(values) for values in by],
        w,
        w_reasons,
        lines.__getitem__,
        scores.__getitem__,
        (weights or []).__getitem__,
    )


class _TextRows:
    """Rows from the standard-library splitter, gathered into text chunks."""

    def __init__(self, run: _Run, columns: _Columns) -> None:
        self.run = run
        self.columns = columns
        self._clear()

    def _clear(self) -> None:
        self.lines: list[int] = []
        self.scores: list[str] = []
        self.groups: list[list[str]] = [[] for _ in self.columns.by]
        self.weights: list[str] | None = [] if self.columns.weights is not None else None

    def add(self, records: Iterable[Record], limit: int | None = None) -> bool:
        """Take records (until ``limit`` rows are gathered); ``False`` when they ran out."""
        lines, scores, groups, weights = self.lines, self.scores, self.groups, self.weights
        s_index, w_index = self.columns.score, self.columns.weights
        by = list(zip(groups, self.columns.by, strict=True))
        for line, fields, problem in records:
            if fields is None:
                self.run.rows_read += 1
                self.run.reject(Problem(line, "", problem))
                continue
            lines.append(line)
            scores.append(fields[s_index])
            for values, j in by:
                values.append(fields[j].strip())
            if weights is not None and w_index is not None:
                weights.append(fields[w_index])
            if limit is not None and len(lines) >= limit:
                return True
        return False

    def full(self, limit: int) -> bool:
        return len(self.lines) >= limit

    def flush(self) -> None:
        if self.lines:
            self.run.add(_text_chunk(self.lines, self.scores, self.groups, self.weights))
            self._clear()


class _Columns(NamedTuple):
    """Positions of the score, segment and weight columns in a row."""

    score: int
    by: list[int]
    weights: int | None

    @classmethod
    def of(cls, header: Sequence[str], run: _Run) -> _Columns:
        return cls(
            header.index(run.score_col),
            [header.index(b) for b in run.by],
            header.index(run.weights_col) if run.weights_col is not None else None,
        )

    def wanted(self) -> list[int]:
        return [self.score, *self.by, *([self.weights] if self.weights is not None else [])]


def _stream_csv(
    handle: IO[str],
    wanted: _Wanted,
    *,
    delimiter: str | None,
    chunk_rows: int,
    update: Callable[[], None],
) -> _Run:
    expected = "a header row with a score column"
    table = csv_table(handle, delimiter, name=wanted.name, expected=expected)
    run = wanted.run(table.header)
    rows = _TextRows(run, _Columns.of(table.header, run))
    while rows.add(table.records, chunk_rows):
        rows.flush()
        update()
    rows.flush()
    return run


def _pyarrow_csv(
    raw: IO[bytes],
    wanted: _Wanted,
    *,
    delimiter: str | None,
    chunk_rows: int,
    update: Callable[[int], None],
) -> _Run:
    import pyarrow as pa  # noqa: PLC0415 - optional dependency
    import pyarrow.compute as pc  # noqa: PLC0415 - optional dependency

    reader = BlockReader(raw, wanted.name, delimiter)
    run = wanted.run(reader.header)
    columns = _Columns.of(reader.header, run)
    rows = _TextRows(run, columns)
    score_texts = pa.array([str(i) for i in range(N_SCORES)])
    for region in reader.regions(columns.wanted()):
        if isinstance(region, list):
            rows.add(region)
            if rows.full(chunk_rows):
                rows.flush()
            continue
        batch = region.table
        texts = batch.column(f"c{columns.score}")
        looked_up = pc.index_in(texts, value_set=score_texts).fill_null(-1)
        scores = looked_up.to_numpy(zero_copy_only=False).astype(np.int8)
        scores, reasons = _fix_scores(scores, _text_of(texts))
        segments: list[Codes] = []
        for j in columns.by:
            encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(batch.column(f"c{j}")))
            encoded = encoded.combine_chunks() if hasattr(encoded, "combine_chunks") else encoded
            values = [str(v) for v in encoded.dictionary.to_pylist()]
            segments.append((values, encoded.indices.to_numpy().astype(np.intp)))
        w, w_reasons, w_texts = None, {}, None
        if columns.weights is not None:
            w_texts = batch.column(f"c{columns.weights}")
            try:
                w = pc.cast(w_texts, pa.float64()).to_numpy(zero_copy_only=False)
                bad_w = np.flatnonzero(~(np.isfinite(w) & (w >= 0)))
                w_reasons = dict.fromkeys(bad_w.tolist(), _WEIGHT_REASON)
            except (pa.ArrowInvalid, ValueError):
                w, w_reasons = _parse_weights(w_texts.to_pylist())
        run.add(
            _Chunk(
                scores,
                reasons,
                segments,
                w,
                w_reasons,
                region.line,
                _text_of(texts),
                _text_of(w_texts),
            )
        )
        update(reader.consumed)
    rows.flush()
    return run


def _text_of(column: object) -> Callable[[int], str]:
    """Read one cell of an Arrow string column as text (for rejection reports)."""

    def text(i: int) -> str:
        if column is None:
            return ""
        return str(column[i].as_py())  # type: ignore[index]

    return text


def pyarrow_available() -> bool:
    """Whether pyarrow's CSV reader can be imported."""
    try:
        import pyarrow.csv  # noqa: F401, PLC0415 - probing an optional dependency
    except ImportError:  # pragma: no cover - pyarrow is in the dev environment
        return False
    return True


def stream_file(
    file_path: Path,
    wanted: _Wanted,
    fmt: Format,
    *,
    delimiter: str | None,
    engine: Engine,
    chunk_rows: int,
    progress: bool | None,
) -> FileTally:
    """Stream a checked CSV or Parquet file: only its score, key and weight cells."""
    total = file_path.stat().st_size
    enabled = wants_progress(progress)
    if fmt == "parquet":
        with progress_bar(total, file_path.name, enabled=enabled) as bar:
            return _stream_parquet(file_path, wanted, chunk_rows=chunk_rows, update=bar)
    use_arrow = engine == "pyarrow" or (engine == "auto" and pyarrow_available())
    with (
        decode_errors(file_path, "utf-8"),
        file_path.open("rb") as raw,
        progress_bar(total, file_path.name, enabled=enabled) as bar,
    ):

        def update() -> None:
            bar(raw.tell())

        if use_arrow:
            run = _pyarrow_csv(
                raw,
                wanted,
                delimiter=delimiter,
                chunk_rows=chunk_rows,
                update=lambda done: bar(min(done, total)),
            )
            bar(total)
            return run.result("pyarrow")
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            run = _stream_csv(
                handle,
                wanted,
                delimiter=delimiter,
                chunk_rows=chunk_rows,
                update=update,
            )
        finally:
            handle.detach()
        return run.result("csv")


def _stream_parquet(
    path: Path, wanted: _Wanted, *, chunk_rows: int, update: Callable[[int], None]
) -> FileTally:
    name, by, weights = wanted.name, wanted.by, wanted.weights
    parquet = open_parquet(path, name)
    run = wanted.run(list(parquet.schema_arrow.names))
    score_col = run.score_col
    read = list(dict.fromkeys([score_col, *by, *([weights] if weights else [])]))
    record = 0
    with parquet_errors(name):
        for batch in parquet.iter_batches(batch_size=chunk_rows, columns=read):
            columns = {n: _texts(batch.column(n).to_pylist()) for n in read}
            lines = list(range(record + 1, record + 1 + batch.num_rows))
            run.add(
                _text_chunk(
                    lines,
                    columns[score_col],
                    [columns[b] for b in by],
                    columns[weights] if weights else None,
                )
            )
            record += batch.num_rows
            update(path.stat().st_size * record // max(parquet.metadata.num_rows, 1))
    return run.result("pyarrow")


def _texts(values: list[object]) -> list[str]:
    """Typed Parquet values as the text a CSV cell would hold (``None`` as empty)."""
    out: list[str] = []
    for value in values:
        if value is None:
            out.append("")
        elif isinstance(value, float) and value.is_integer():
            out.append(str(int(value)))
        else:
            out.append(str(value))
    return out
