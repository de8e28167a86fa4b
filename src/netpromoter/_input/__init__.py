"""The input layer: every input becomes validated columns or an engine plan, once."""

from __future__ import annotations

from netpromoter._input.source import EagerSource, LazySource, Source, prepare

__all__ = ["EagerSource", "LazySource", "Source", "prepare"]
