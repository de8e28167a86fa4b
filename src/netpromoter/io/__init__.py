"""Reading and writing files: adapters only, no statistics.

Every row read is either used or reported back in a rejection list with its line number,
column and reason; nothing vanishes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter._lazy import attach, typed_homes

if TYPE_CHECKING:
    from netpromoter.io._columns import ReadColumns, read_columns
    from netpromoter.io._csv import ScoreColumnFile, read_scores
    from netpromoter.io._duplicates import DuplicatePolicy, Period
    from netpromoter.io._read import FileRead, ReadResult, read_responses
    from netpromoter.io._rejection import Rejection
    from netpromoter.io._stream import Engine, FileTally
    from netpromoter.io._tally_file import tally_file
    from netpromoter.io._write import IdPolicy, neutralise, to_records, write_csv, write_json

# Each name is imported from its module (the imports above) when first used.
__getattr__, __dir__ = attach(__name__, typed_homes(__file__), {})

__all__ = [
    "DuplicatePolicy",
    "Engine",
    "FileRead",
    "FileTally",
    "IdPolicy",
    "Period",
    "ReadColumns",
    "ReadResult",
    "Rejection",
    "ScoreColumnFile",
    "neutralise",
    "read_columns",
    "read_responses",
    "read_scores",
    "tally_file",
    "to_records",
    "write_csv",
    "write_json",
]
