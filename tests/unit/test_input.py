"""prepare(): one input pipeline giving the same labelled tallies in memory and lazily."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from netpromoter._input import EagerSource, LazySource, prepare
from netpromoter._tally import tally
from netpromoter.core import Response
from netpromoter.exceptions import ColumnNotFoundError, InvalidParameterError, InvalidWeightsError

DATA = {
    "score": [10, 9, 3, 8, 10, 6, None, 2],
    "region": ["n", "n", "s", "s", None, "s", "n", "e"],
    "w": [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0, 2.0],
}


def _frames() -> list[object]:
    return [DATA, pd.DataFrame(DATA), pl.DataFrame(DATA), pl.LazyFrame(DATA)]


@pytest.mark.parametrize("data", _frames(), ids=["dict", "pandas", "polars", "lazy"])
def test_tally_by_key_is_labelled_in_display_order(data: object) -> None:
    source = prepare(data, by=["region"], weights="w", missing="drop")
    counted = source.tally()
    assert isinstance(source, LazySource) == isinstance(data, pl.LazyFrame)
    assert counted.by == ("region",)
    assert counted.labels == (("e",), ("n",), ("s",), ("(missing)",))
    assert counted.weighted
    assert counted.n_missing == 1
    assert counted.count.sum(axis=1).tolist() == [1, 2, 3, 1]
    # Independent reference: the weight of each region's rows, by score.
    expected_w = {"e": 2.0, "n": 3.0, "s": 2.5, None: 3.0}
    for label, total in zip(counted.labels, counted.sum_w.sum(axis=1).tolist(), strict=True):
        key = None if label[0] == "(missing)" else label[0]
        assert total == expected_w[key]


def test_tally_without_keys_is_one_group() -> None:
    counted = prepare(DATA, missing="drop").tally()
    reference = tally(np.array([10, 9, 3, 8, 10, 6, 2], dtype=np.int8))
    assert counted.labels == ((),)
    assert counted.count.tolist() == reference.count.tolist()
    assert not counted.weighted


def test_scores_only_and_responses() -> None:
    source = prepare([Response(score=9), Response(score=3)], score=None)
    assert isinstance(source, EagerSource)
    assert source.tally().count.sum() == 2
    scores = prepare(np.array([9, 10], dtype=np.int8), score=None)
    assert isinstance(scores, EagerSource)
    assert scores.scores.dtype == np.int8


def test_one_column_frame_needs_no_score_name() -> None:
    assert prepare(pl.DataFrame({"x": [9, 3]}), score=None).tally().n == 2


def test_errors_name_the_problem() -> None:
    with pytest.raises(ColumnNotFoundError, match="'nps'"):
        prepare(DATA, score="nps")
    with pytest.raises(InvalidParameterError, match="bands"):
        prepare(DATA, by=["region"], bands={"spend": [0, 1]})
    with pytest.raises(InvalidWeightsError, match="names a column"):
        prepare([9, 3], score=None, weights="w")
    bad = {"score": [9, 3], "w": [1.0, -1.0]}
    with pytest.raises(InvalidWeightsError, match="'w'"):
        prepare(bad, weights="w").tally()
    with pytest.raises(InvalidParameterError, match="in-memory data"):
        prepare(pl.LazyFrame(DATA), missing="drop").rows("respondent='id'")


def test_dense_tally_keeps_every_combination() -> None:
    source = prepare(DATA, by=["region"], missing="drop")
    assert isinstance(source, EagerSource)
    dense = source.tally(dense=True)
    assert dense.labels is None
    assert dense.n_groups == len(source.factors[0].levels)
