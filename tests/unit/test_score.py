"""score(): the vectorised scoring path, its inputs and its errors."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.typing import NDArray

from netpromoter import (
    EmptyDataError,
    InvalidParameterError,
    InvalidScoreError,
    InvalidWeightsError,
    NPSCounts,
    NPSResult,
    Response,
    score,
)


def test_score_counts_and_shares(mixed: list[int]) -> None:
    """Five promoters, two passives and three detractors of ten give NPS +20."""
    result = score(mixed)
    assert (result.n, result.promoters, result.passives, result.detractors) == (10, 5, 2, 3)
    assert (result.promoter_share, result.passive_share, result.detractor_share) == (
        0.5,
        0.2,
        0.3,
    )
    assert result.nps == pytest.approx(20.0, abs=1e-12)
    assert result.n_missing == 0
    assert not result.weighted


@pytest.mark.parametrize(
    "dtype",
    [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint64, np.float32, np.float64],
)
def test_score_accepts_every_numeric_dtype(mixed: list[int], dtype: type[np.generic]) -> None:
    """Any integer or float dtype gives the same result."""
    assert score(np.asarray(mixed, dtype=dtype)).nps == score(mixed).nps


def test_score_accepts_responses(mixed: list[int]) -> None:
    """An iterable of Response objects scores like their scores."""
    responses = (Response(score=s) for s in mixed)
    assert score(responses).nps == score(mixed).nps


def test_score_rejects_mixed_responses_and_numbers() -> None:
    """A list that starts with Responses must hold only Responses."""
    with pytest.raises(TypeError, match="only Response"):
        score([Response(score=9), 10])


def test_negative_nps_is_a_result() -> None:
    """More detractors than promoters is a valid, negative score."""
    assert score([0, 1, 2, 9]).nps == -50.0


def test_single_response() -> None:
    """One promoter scores +100."""
    assert score([10]).nps == 100.0


def test_int8_fast_path_counts_exactly(big_int8: NDArray[np.int8]) -> None:
    """The int8 category path gives exactly the counts of np.bincount."""
    expected = np.bincount(big_int8, minlength=11)
    result = score(big_int8)
    assert result.category_counts == (expected[:7].sum(), expected[7:9].sum(), expected[9:].sum())
    assert list(expected) == list(NPSCounts.from_scores(big_int8).count)


def test_non_contiguous_int8_view_is_scored(big_int8: NDArray[np.int8]) -> None:
    """A strided view counts like its copy."""
    view = big_int8[::3]
    assert score(view) == score(view.copy())


def test_score_equals_the_tally_result(big_int8: NDArray[np.int8]) -> None:
    """score() and NPSCounts.from_scores().result() give the same result.

    Weighted, score() adds the weights per category and NPSCounts per score: the sums
    are added in another order, so they agree to rounding, the counts exactly.
    """
    assert score(big_int8) == NPSCounts.from_scores(big_int8).result()
    w = np.linspace(0.5, 2.0, len(big_int8))
    fast = score(big_int8, weights=w).model_dump()
    per_score = NPSCounts.from_scores(big_int8, weights=w).result().model_dump()
    assert fast.keys() == per_score.keys()
    for name, value in fast.items():
        if isinstance(value, float) or (isinstance(value, tuple) and name != "category_counts"):
            assert value == pytest.approx(per_score[name], rel=1e-12), name
        else:
            assert value == per_score[name], name


@pytest.mark.parametrize(
    ("values", "positions"),
    [
        ([1, 11, -1, 3], (1, 2)),
        (np.array([5, 12, 3], dtype=np.int8), (1,)),
        (np.array([5, -1, 3, -128, 127], dtype=np.int8), (1, 3, 4)),
        (np.array([5, 11, 255], dtype=np.uint8), (1, 2)),
        (np.array([5.0, 7.5, 3.0]), (1,)),
        (np.array([5.0, np.inf, 3.0]), (1,)),
        ([5, "7", 3], (1,)),
        ([5, True, 3], (1,)),
        (np.array([True, False]), (0, 1)),
        (np.array(["7", "8"]), (0, 1)),
    ],
)
def test_invalid_values_are_reported_with_positions(
    values: object, positions: tuple[int, ...]
) -> None:
    """Out-of-range, fractional, text and boolean values raise with every position."""
    with pytest.raises(InvalidScoreError, match="not a valid NPS score") as info:
        score(values)
    assert positions == info.value.positions
    assert f"position {positions[0]}" in str(info.value)


def test_many_invalid_values_are_summarised() -> None:
    """A long list of bad positions is shortened in the message but kept in full."""
    values = np.full(100, 11, dtype=np.int64)
    with pytest.raises(InvalidScoreError, match="100 of 100 values are not") as info:
        score(values)
    assert "and 95 more" in str(info.value)
    assert len(info.value.positions) == 100


def test_missing_values_raise_by_default() -> None:
    """NaN is an error that says how many and where."""
    with pytest.raises(InvalidScoreError, match=r"2 of 4 scores are missing .* position 1"):
        score(np.array([9.0, np.nan, 3.0, np.nan]))


def test_none_in_a_list_is_missing() -> None:
    """None in a sequence is treated as a missing answer."""
    with pytest.raises(InvalidScoreError, match="missing"):
        score([9, None, 3])
    assert score([9, None, 3], missing="drop").n_missing == 1


def test_missing_values_can_be_dropped_and_counted() -> None:
    """missing='drop' scores the rest and reports how many were dropped."""
    result = score(np.array([9.0, np.nan, 3.0, np.nan]), missing="drop")
    assert (result.n, result.n_missing, result.nps) == (2, 2, 0.0)


def test_unknown_missing_policy() -> None:
    """Only 'raise' and 'drop' are policies."""
    with pytest.raises(InvalidParameterError, match="missing must be"):
        score([9], missing="ignore")  # type: ignore[arg-type]


@pytest.mark.parametrize("values", [[], np.array([], dtype=np.int8), iter(())])
def test_empty_input(values: object) -> None:
    """Nothing to score is an EmptyDataError, also a ValueError."""
    with pytest.raises(EmptyDataError, match="no scores"):
        score(values)
    assert issubclass(EmptyDataError, ValueError)


def test_all_missing_dropped_is_empty() -> None:
    """Dropping every row leaves nothing, and the message says why."""
    with pytest.raises(EmptyDataError, match="all 2 scores were missing"):
        score([None, None], missing="drop")


def test_two_dimensional_input_is_rejected() -> None:
    """A matrix is not a column of scores."""
    with pytest.raises(InvalidScoreError, match="one-dimensional"):
        score(np.zeros((2, 2), dtype=np.int8))


def test_weighted_score() -> None:
    """Counts become weighted sums, n stays the number of responses."""
    result = score([10, 9, 3], weights=[1.0, 2.0, 1.5])
    assert result.weighted
    assert result.n == 3
    assert (result.promoters, result.detractors) == (3.0, 1.5)
    assert result.nps == pytest.approx(100 * 1.5 / 4.5)
    assert result.effective_n == pytest.approx(4.5**2 / (1 + 4 + 2.25))


def test_weights_follow_dropped_missing_rows() -> None:
    """Weights are aligned with the input rows; a dropped row drops its weight."""
    result = score(np.array([10.0, np.nan, 0.0]), weights=[3.0, 100.0, 1.0], missing="drop")
    assert (result.promoters, result.detractors) == (3.0, 1.0)


@pytest.mark.parametrize(
    ("weights", "fragment"),
    [
        ([1.0, 2.0], "got 2 weights for 3 scores"),
        ([1.0, -2.0, 1.0], r"position 1 \(-2.0\)"),
        ([1.0, np.nan, 1.0], "position 1"),
        ([1.0, np.inf, 1.0], "position 1"),
        ([0.0, 0.0, 0.0], "all 3 weights are zero"),
        (["a", "b", "c"], "must be numbers"),
        ([[1.0], [1.0], [1.0]], "one-dimensional"),
    ],
)
def test_bad_weights(weights: object, fragment: str) -> None:
    """Misaligned, negative, non-finite, all-zero or non-numeric weights are rejected."""
    with pytest.raises(InvalidWeightsError, match=fragment):
        score([10, 9, 3], weights=weights)  # type: ignore[arg-type]


def test_result_is_frozen(mixed: list[int]) -> None:
    """Results cannot be changed in place."""
    result = score(mixed)
    with pytest.raises(ValueError, match="frozen"):
        result.nps = 0.0  # type: ignore[misc]


def test_result_repr_and_dict(mixed: list[int]) -> None:
    """The repr is short and the dict flat."""
    result = score(mixed)
    assert repr(result).startswith("NPSResult(nps=+20.0, 95% CI [")
    flat = result.to_dict()
    assert flat["nps"] == result.nps
    assert flat["ci_lower"] == result.ci[0]
    assert "category_counts" not in flat


def test_result_html_escapes_and_shows_the_score(mixed: list[int]) -> None:
    """The notebook view is a table with the score."""
    html = score(mixed, weights=[1.0] * 10)._repr_html_()
    assert html.startswith("<table")
    assert "+20.0" in html
    assert "Effective n" in html


def test_result_round_trips_through_json(mixed: list[int]) -> None:
    """A result serialises and loads back equal."""
    result = score(mixed)
    assert NPSResult.model_validate_json(result.model_dump_json()) == result


def test_bad_confidence_level_fails_before_counting() -> None:
    """The confidence level is checked first, with a clear message."""
    with pytest.raises(InvalidParameterError, match="strictly between 0 and 1"):
        score([9], confidence_level=1.5)


def test_weights_whose_sum_overflows_are_rejected() -> None:
    """Finite weights too large to add up get a message that says how to fix them."""
    with pytest.raises(InvalidWeightsError, match="sum overflows"):
        score([9, 9], weights=[1e308, 1e308])


def test_one_weighted_detractor_scores_exactly_minus_100() -> None:
    """Rounding in 100 (P - D) / W never takes the NPS beyond -100 or +100."""
    assert score([0], weights=[1.2963049530116924]).nps == -100.0
    assert score([10], weights=[1.2963049530116924]).nps == 100.0


def test_a_table_is_scored_from_its_score_column_by_default() -> None:
    """Like every other function, score() reads the column called "score" of a table."""
    frame = pl.DataFrame({"region": ["n", "s", "n"], "score": [10, 3, 9]})
    assert score(frame).nps == score([10, 3, 9]).nps
    assert score({"score": [10, 3], "x": [1, 2]}).n == 2
    with pytest.raises(InvalidParameterError, match="none is called 'score'"):
        score(pl.DataFrame({"a": [9], "b": [3]}))
