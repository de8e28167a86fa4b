"""Tallying a file whose every field is checked: the rows ``read_responses`` accepts.

[`tally_file`][netpromoter.io.tally_file] with ``read=`` reads the file through the one
row reader of [`read_responses`][netpromoter.io.read_responses] (every field validated,
duplicates resolved, the same rejections with the same lines) and counts the accepted
rows with the same tally engine, chunk by chunk. So a file gives the same accepted rows
and the same NPS whether it is scored, reported on or planned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter.io._fields import FIELDS, column_key
from netpromoter.io._read import ReadOptions, read_rows
from netpromoter.io._stream import _Run, _text_chunk

if TYPE_CHECKING:
    from pathlib import Path

    from netpromoter.io._duplicates import Fields
    from netpromoter.io._read import ReadKeywords
    from netpromoter.io._stream import FileTally, _Wanted


def _cell(fields: Fields, key: str) -> str:
    """A checked row's value of ``key`` as text (an empty cell as ``""``)."""
    value = fields.get(key) if key in FIELDS else fields.get("segments", {}).get(key)
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def tally_checked(path: Path, wanted: _Wanted, read: ReadKeywords, *, chunk_rows: int) -> FileTally:
    """The tally of the rows ``read_responses(path, **read)`` accepts."""
    keywords = dict(read)
    if wanted.score is not None:
        keywords["mapping"] = {**(read.get("mapping") or {}), "score": wanted.score}
    options = ReadOptions(**keywords, strict=wanted.strict)  # type: ignore[arg-type]
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
