"""Reading and writing files: adapters only, no statistics.

Every row read is either used or reported back in a rejection list with its line number,
column and reason; nothing vanishes.
"""

from __future__ import annotations

from netpromoter.io._csv import Rejection, ScoreColumnFile, read_scores

__all__ = ["Rejection", "ScoreColumnFile", "read_scores"]
