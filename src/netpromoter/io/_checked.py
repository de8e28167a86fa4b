"""Tallying a file whose every field is checked: the rows ``read_responses`` accepts.

[`tally_file`][netpromoter.io.tally_file] with ``read=`` reads the file through the one
row reader of [`read_responses`][netpromoter.io.read_responses] (every field validated,
duplicates resolved, the same rejections with the same lines) and counts the accepted
rows with the same tally engine, chunk by chunk. So a file gives the same accepted rows
and the same NPS whether it is scored, reported on or planned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from netpromoter.io._fields import FIELDS, column_key
from netpromoter.io._read import ReadOptions, read_rows
from netpromoter.io._scan import scan_csv, scan_keys
from netpromoter.io._stream import _Chunk, _Run, _text_chunk

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from numpy.typing import NDArray

    from netpromoter.io._chunks import Codes
    from netpromoter.io._duplicates import Fields
    from netpromoter.io._read import ReadKeywords
    from netpromoter.io._stream import FileTally, _Wanted


def _cell(fields: Fields, key: str) -> str:
    """A checked row's value of ``key`` as text (an empty cell as ``""``)."""
    value = fields.get(key) if key in FIELDS else fields.get("segments", {}).get(key)
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def tally_checked(
    path: Path,
    wanted: _Wanted,
    read: ReadKeywords,
    *,
    chunk_rows: int,
    progress: bool | None = None,
) -> FileTally:
    """The tally of the rows ``read_responses(path, **read)`` accepts.

    A UTF-8 CSV file without a weights column is scanned chunk by chunk into compact
    columns (no object per row); any other file is read by the row reader.
    """
    keywords = dict(read)
    if wanted.score is not None:
        keywords["mapping"] = {**(read.get("mapping") or {}), "score": wanted.score}
    options = ReadOptions(**keywords, strict=wanted.strict)  # type: ignore[arg-type]
    keys = None if wanted.weights is not None else scan_keys(path, options, wanted.by)
    if keys is not None:
        return _tally_scanned(path, wanted, options, keys, chunk_rows=chunk_rows, progress=progress)
    rows = read_rows(path, options)
    name = wanted.name

    def key(column: str) -> str:
        return column_key(column, rows.columns, rows.segment_columns, source=name)

    by = [key(column) for column in wanted.by]
    weights = None if wanted.weights is None else key(wanted.weights)
    run = _Run(name, rows.columns["score"], wanted.by, wanted.weights, strict=wanted.strict)
    run.rejected.extend(problem.rejection() for problem in rows.problems)
    run.rows_read += len(rows.problems)
    for start in range(0, len(rows.kept), chunk_rows):
        part = rows.kept[start : start + chunk_rows]
        run.add(
            _text_chunk(
                [line for line, _ in part],
                [str(fields["score"]) for _, fields in part],
                [[_cell(fields, column) for _, fields in part] for column in by],
                None if weights is None else [_cell(fields, weights) for _, fields in part],
            )
        )
    return run.result("csv").model_copy(update={"notes": rows.notes})


def _no_text(_: int) -> str:  # pragma: no cover - scanned rows are valid: nothing to show
    return ""


def _tally_scanned(
    path: Path,
    wanted: _Wanted,
    options: ReadOptions,
    keys: list[str],
    *,
    chunk_rows: int,
    progress: bool | None,
) -> FileTally:
    """The tally of a scanned file: its valid scores and key codes, counted per chunk.

    Each chunk's accepted rows are counted as they are read and not kept, unless
    duplicates are checked (then they are counted once the file is read).
    """
    # Scanned chunks carry no reasons (the scan rejects rows): the column name is unused.
    run = _Run(wanted.name, "score", wanted.by, None, strict=wanted.strict)

    def count(
        scores: NDArray[np.int8],
        _times: NDArray[np.int64],
        codes: Mapping[str, tuple[list[str], Any]],
    ) -> None:
        groups: list[Codes] = []
        for key in keys:
            labels, coded = codes[key]
            # An empty cell (-1) is the empty text, as the row reader gives it.
            index = np.where(coded < 0, len(labels), coded).astype(np.intp)
            groups.append(([*labels, ""], index))
        run.add(_Chunk(scores, {}, groups, None, {}, lambda _: 0, _no_text, _no_text))

    scanned = scan_csv(
        path, options, keep=keys, progress=progress, chunk_rows=chunk_rows, sink=count
    )
    run.score_col = scanned.columns["score"]
    run.rejected.extend(scanned.rejected)
    run.rows_read += len(scanned.problems)
    if not scanned.streamed:
        scanned.feed(count, chunk_rows)
    return run.result("csv").model_copy(update={"notes": scanned.notes})
