"""NPSCounts: the mergeable tally."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from netpromoter import MixedWeightsWarning, NPSCounts, score


def test_empty_tally_is_the_identity() -> None:
    """Adding the empty tally changes nothing."""
    a = NPSCounts.from_scores([10, 3, 8])
    assert a + NPSCounts() == a
    assert NPSCounts() + a == a
    assert NPSCounts().n == 0


def test_merged_tallies_equal_the_whole() -> None:
    """Tallies of chunks add up to the tally of all the data."""
    data = np.random.default_rng(3).integers(0, 11, 10_001, dtype=np.int8)
    parts = [NPSCounts.from_scores(chunk) for chunk in np.array_split(data, 7)]
    assert sum(parts, NPSCounts()) == NPSCounts.from_scores(data)
    assert sum(parts).result() == score(data)  # type: ignore[union-attr]


def test_merging_weighted_and_unweighted_counts_unweighted_rows_as_weight_one() -> None:
    """An unweighted tally merges into a weighted one as weights of 1, with a warning."""
    with pytest.warns(MixedWeightsWarning, match="its 1 responses count as weights of 1"):
        merged = NPSCounts.from_scores([10], weights=[2.0]) + NPSCounts.from_scores([0])
    assert merged.weighted
    assert merged.result().nps == score([10, 0], weights=[2.0, 1.0]).nps


def test_from_chunks_with_missing_values_keeps_count() -> None:
    """n_missing adds up across chunks."""
    a = NPSCounts.from_scores(np.array([9.0, np.nan]), missing="drop")
    b = NPSCounts.from_scores(np.array([np.nan, 1.0]), missing="drop")
    merged = a + b
    assert (merged.n, merged.n_missing) == (2, 2)


def test_counts_serialise_to_json_and_back() -> None:
    """A tally written by one worker loads on another."""
    tally = NPSCounts.from_scores([10, 9, 3], weights=[0.5, 1.5, 2.0])
    assert NPSCounts.model_validate_json(tally.model_dump_json()) == tally


def test_empty_tally_has_no_result() -> None:
    """Scoring nothing raises."""
    with pytest.raises(ValueError, match="no scores"):
        NPSCounts().result()


@pytest.mark.parametrize(
    "fields",
    [
        {"count": (1, 2)},
        {"count": (-1,) + (0,) * 10},
        {"sum_weights": (1.0,) * 11},
        {"sum_weights": (1.0,) * 11, "sum_squared_weights": (-1.0,) * 11},
        {"n_missing": -1},
    ],
)
def test_invalid_tallies_are_rejected(fields: dict[str, object]) -> None:
    """Wrong lengths, negative entries or half the weight sums are refused."""
    with pytest.raises(ValidationError):
        NPSCounts(**fields)


def test_adding_something_else_is_a_type_error() -> None:
    """Only tallies add to tallies."""
    with pytest.raises(TypeError):
        _ = NPSCounts() + 5


def test_counts_are_immutable() -> None:
    """Assigning to a field of a tally raises: merging returns a new one instead."""
    a = NPSCounts.from_scores([10, 3, 8], weights=[1.0, 2.0, 0.5])
    with pytest.raises(ValidationError, match="frozen"):
        a.count = (0,) * 11  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        a.sum_weights = None  # type: ignore[misc]
    assert a.count == NPSCounts.from_scores([10, 3, 8]).count
