"""The input layer: every input becomes validated columns or an engine plan, once.

[`prepare`][netpromoter._input.source.prepare] is the one entry: it reads a list of
``Response``, a mapping of columns, an eager dataframe or bare scores into validated,
aligned columns (an ``EagerSource``), or keeps a lazy or distributed frame on its engine
(a ``LazySource``). Both answer labelled tallies per group of keys.

* ``frames``: what a dataframe is (decided here only) and its columns read natively;
* ``columns``: reading the named columns of any input into a ``Table``;
* ``factors``: key columns as integer codes and labels, bands, several keys combined;
* ``engine``: the aggregate a lazy frame's engine computes, and its validation;
* ``times`` and ``engine_times``: timestamps to UTC seconds, local days and periods.

Examples:
    >>> source = prepare({"score": [10, 3, 9], "team": ["a", None, "a"]}, by=["team"])
    >>> counted = source.tally()
    >>> counted.labels, counted.count.sum(axis=1).tolist()
    ((('a',), ('(missing)',)), [2, 1])
"""

from __future__ import annotations

from netpromoter._input.source import EagerSource, LazySource, Source, prepare

__all__ = ["EagerSource", "LazySource", "Source", "prepare"]
