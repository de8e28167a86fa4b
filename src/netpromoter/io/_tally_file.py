"""``tally_file``: a file of any size counted chunk by chunk, checked as asked.

With ``read=`` every field is checked as [`read_responses`][netpromoter.io.read_responses]
checks it (``io._checked``); without, only the score, key and weight cells are read and
checked as the file streams by (``io._stream``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter.exceptions import InvalidParameterError
from netpromoter.io._checked import tally_checked
from netpromoter.io._source import check_delimiter, check_file, detect_format
from netpromoter.io._stream import Engine, FileTally, _Wanted, stream_file

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from netpromoter.io._read import ReadKeywords
    from netpromoter.io._source import Format


def tally_file(
    path: str | Path,
    *,
    score: str | None = None,
    by: Sequence[str] = (),
    weights: str | None = None,
    format: Format | None = None,  # noqa: A002 - the natural name, as in read_responses
    delimiter: str | None = None,
    engine: Engine = "auto",
    chunk_rows: int = 500_000,
    strict: bool = False,
    progress: bool | None = None,
    read: ReadKeywords | None = None,
) -> FileTally:
    r"""Score (and segment) a CSV or Parquet file of any size in bounded memory.

    The file is read chunk by chunk; only the score, ``by`` and ``weights`` columns are
    kept, each chunk is counted by the tally engine and added by segment label to one
    running [`Tally`][netpromoter._tally.Tally], so the result is exactly that of scoring
    all accepted rows at once. Score cells are checked as by
    [`read_responses`][netpromoter.io.read_responses]; bad rows go to ``rejected``.

    Engines: ``"pyarrow"`` (fast, multi-threaded parsing; the ``netpromoter[files]``
    extra) and ``"csv"`` (standard library, slower) split records by the same rule and
    report the same rows with the same exact line numbers: pyarrow parses the regions of
    the file whose quoting numpy can vouch for, and the standard-library splitter reads
    the rest (a stray or unclosed quote, a row with the wrong number of fields, a lone
    carriage return). ``"auto"`` uses pyarrow when installed. Parquet always uses pyarrow
    (row numbers from 1).

    With ``read=`` (the keyword options of ``read_responses``, such as
    ``{"delimiter": ";", "naive_timezone": ZoneInfo("Europe/Amsterdam")}``) every field of
    every row is checked as [`read_responses`][netpromoter.io.read_responses] checks it:
    dates, channels, languages, amounts, and duplicates resolved by its policy. The
    accepted rows are exactly those of ``read_responses`` with the same options, so the
    NPS is that of every other reading of the file. The checked rows are held in memory
    (some 650 bytes a row); ``by`` and ``weights`` may then name a field
    (``"channel"``) or its header.

    Args:
        path: A CSV (UTF-8, with or without BOM) or Parquet file.
        score: The score column; by default found as in ``read_responses``.
        by: Columns to segment by (values compared as text, stripped).
        weights: A column of non-negative weights.
        format: ``"csv"`` or ``"parquet"``; by default from the suffix.
        delimiter: The CSV delimiter; by default sniffed from the header line.
        engine: ``"auto"``, ``"pyarrow"`` or ``"csv"``.
        chunk_rows: Rows per chunk for the ``csv`` engine and Parquet batches.
        strict: Raise on the first bad row.
        progress: Draw a progress bar on stderr (needs ``rich``, the ``netpromoter[cli]``
            extra); by default only when stderr is a terminal.
        read: Check every field with these ``read_responses`` options (see above);
            ``None`` (default) checks the score and weight cells only, streaming.

    Returns:
        The overall and per-segment tallies, with the rejection report.

    Raises:
        FileNotFoundError: There is no such file.
        DataFileError: No header, no score column, a named column missing, not UTF-8
            (the line is named), a directory, or a file that is not Parquet.
        RejectedRowError: In ``strict`` mode, at the first bad row.
        InvalidParameterError: An unknown engine, a JSON Lines file without ``read=``,
            ``chunk_rows < 1`` or a delimiter that is not one character.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "big.csv"
        >>> _ = path.write_text("score,region\n10,north\n6,south\n9,north\nten,south\n")
        >>> tallied = tally_file(path, by=["region"], engine="csv", progress=False)
        >>> tallied.result().nps, tallied.rows_read, len(tallied.rejected)
        (33.333333333333336, 4, 1)
        >>> {key: r.nps for key, r in tallied.group_results().items()}
        {('north',): 100.0, ('south',): -100.0}
    """
    if engine not in ("auto", "pyarrow", "csv"):
        msg = f"engine must be 'auto', 'pyarrow' or 'csv', got {engine!r}"
        raise InvalidParameterError(msg, name="engine", value=engine)
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        msg = f"chunk_rows must be a positive integer, got {chunk_rows!r}"
        raise InvalidParameterError(msg, name="chunk_rows", value=chunk_rows)
    name = str(path)
    fmt = detect_format(name, format)
    if fmt == "jsonl" and read is None:
        msg = (
            f"{name}: tally_file streams CSV and Parquet; pass read={{}} (every field "
            "checked) or use read_responses for JSON Lines"
        )
        raise InvalidParameterError(msg, name="format", value=fmt)
    wanted = _Wanted(name, score, tuple(by), weights, strict=strict)
    file_path = check_file(path)
    check_delimiter(delimiter)
    if read is not None:
        read = {"delimiter": delimiter, "format": fmt, **read}
        return tally_checked(file_path, wanted, read, chunk_rows=chunk_rows, progress=progress)
    return stream_file(
        file_path,
        wanted,
        fmt,
        delimiter=delimiter,
        engine=engine,
        chunk_rows=chunk_rows,
        progress=progress,
    )
