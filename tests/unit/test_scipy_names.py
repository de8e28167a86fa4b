"""scipy-style names: ``alternative=``, ``ci`` as ``(low, high)``, records and chunked arrays."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

import netpromoter as nps
from netpromoter import compare, sample_size_for_difference, score
from netpromoter.typing import ConfidenceInterval

LAST = [10, 9, 9, 8, 7, 6, 3, 10, 9, 5] * 3
THIS = [10, 10, 9, 9, 8, 9, 6, 10, 9, 10] * 3


def _wald(scores: list[int]) -> tuple[float, float]:
    """NPS and its Wald variance (in points²), from the shares (independent of the library)."""
    x = np.asarray(scores)
    p, d = float(np.mean(x >= 9)), float(np.mean(x <= 6))
    return 100 * (p - d), 100**2 * (p + d - (p - d) ** 2) / len(x)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_compare_alternative_p_value_and_interval_follow_scipy(alternative: str) -> None:
    """P is norm.sf(z), norm.cdf(z) or 2 norm.sf(|z|); the interval is one-sided likewise."""
    (nps_a, var_a), (nps_b, var_b) = _wald(LAST), _wald(THIS)
    delta, se = nps_b - nps_a, math.sqrt(var_a + var_b)
    z = delta / se
    expected_p = {
        "two-sided": 2 * stats.norm.sf(abs(z)),
        "greater": stats.norm.sf(z),
        "less": stats.norm.cdf(z),
    }[alternative]
    result = compare(LAST, THIS, method="wald", alternative=alternative)  # type: ignore[arg-type]
    assert result.alternative == alternative
    assert result.p_value == pytest.approx(expected_p, rel=1e-9)
    if alternative == "two-sided":
        half = stats.norm.ppf(0.975) * se
        assert result.ci == pytest.approx((delta - half, delta + half), rel=1e-9)
    elif alternative == "greater":
        assert result.ci == pytest.approx((delta - stats.norm.ppf(0.95) * se, 200.0), rel=1e-9)
    else:
        assert result.ci == pytest.approx((-200.0, delta + stats.norm.ppf(0.95) * se), rel=1e-9)
    assert result.significant == (not result.ci.low <= 0 <= result.ci.high)


def test_compare_one_sided_against_the_other_direction_is_not_significant() -> None:
    """A clear rise is significant for "greater" and has p near 1 for "less"."""
    up = compare(LAST, THIS, alternative="greater")
    down = compare(LAST, THIS, alternative="less")
    assert up.significant
    assert not down.significant
    assert up.p_value + down.p_value == pytest.approx(1.0, rel=1e-12)
    assert "alternative='greater'" in repr(up)
    assert up.to_dict()["alternative"] == "greater"


def test_compare_rejects_an_unknown_alternative() -> None:
    """An unknown alternative is named in the error."""
    with pytest.raises(nps.InvalidParameterError, match="alternative"):
        compare(LAST, THIS, alternative="bigger")  # type: ignore[arg-type]


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_sample_size_for_difference_one_sided(alternative: str) -> None:
    """One-sided: n = (z_(1−α) + z_power)² · 2 / δ², the same for either direction."""
    z = stats.norm.ppf(0.95) + stats.norm.ppf(0.8)
    expected = math.ceil(z**2 * 2 / 0.1**2)
    assert sample_size_for_difference(10, alternative=alternative) == expected == 1237  # type: ignore[arg-type]


def test_sample_size_for_difference_one_sided_former_value_warns() -> None:
    """The former ``alternative="one-sided"`` gives the same size, with a DeprecationWarning."""
    with pytest.warns(DeprecationWarning, match="'one-sided' is renamed"):
        former = sample_size_for_difference(10, alternative="one-sided")  # type: ignore[arg-type]
    assert former == sample_size_for_difference(10, alternative="greater")


def test_ci_is_a_named_tuple_that_unpacks_and_serialises() -> None:
    """``ci`` is still a tuple (equal to, and unpacking like, the pair) with low and high."""
    result = score(LAST)
    low, high = result.ci
    assert isinstance(result.ci, tuple)
    assert isinstance(result.ci, ConfidenceInterval)
    assert (result.ci.low, result.ci.high) == (low, high) == tuple(result.ci)
    assert json.loads(result.model_dump_json())["ci"] == [low, high]
    assert type(result).model_validate_json(result.model_dump_json()).ci == result.ci


def test_every_interval_field_is_a_confidence_interval() -> None:
    """Scores, comparisons, segment, rank and trend rows name their bounds alike."""
    data = {
        "score": LAST + THIS,
        "g": ["a", "b"] * 30,
        "t": ["2024-01-05"] * 30 + ["2024-02-05"] * 30,
    }
    intervals = [
        score(LAST).confidence_interval(0.9),
        compare(LAST, THIS).ci,
        nps.segment(data, "g").rows[0].ci,
        nps.rank(data, "g").rows[0].credible_interval,
        nps.trend(data, time="t", period="month").rows[0].ci,
    ]
    for interval in intervals:
        assert isinstance(interval, ConfidenceInterval)
        assert interval.low <= interval.high


def test_records_are_read_like_a_mapping_of_columns() -> None:
    """A list of dicts gives the same numbers as the same data as columns."""
    columns = {"score": LAST, "g": ["a", "b", "c"] * 10}
    records = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    assert score(records) == score(columns)
    assert nps.segment(records, "g").to_dicts() == nps.segment(columns, "g").to_dicts()


def test_records_with_a_missing_key_or_a_non_mapping_item() -> None:
    """A key a record lacks is a missing value; an item that is not a dict is named."""
    records = [{"score": 9, "g": "a"}, {"g": "b"}, {"score": 3, "g": "b"}]
    assert score(records, missing="drop").n_missing == 1
    with pytest.raises(nps.InvalidScoreError, match="missing"):
        score(records)
    with pytest.raises(nps.ParameterTypeError, match="item 1 is 7"):
        nps.segment([{"score": 9, "g": "a"}, 7], "g")


def test_chunked_arrays_are_read_as_scores_and_as_columns() -> None:
    """A pyarrow ChunkedArray (nulls are missing scores) is scores, or a column of a mapping."""
    chunked = pa.chunked_array([LAST[:10], LAST[10:]])
    assert score(chunked) == score(LAST)
    assert score({"score": chunked}) == score(LAST)
    with_null = pa.chunked_array([[10, None], [3]])
    assert score(with_null, missing="drop").n_missing == 1
    assert score(with_null, missing="drop").nps == score([10, 3]).nps


def test_dask_frames_give_no_narwhals_notice() -> None:
    """Reading a Dask frame passes on no FutureWarning from narwhals."""
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    frame = dd.from_pandas(pd.DataFrame({"score": LAST, "g": ["a", "b"] * 15}), npartitions=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        whole = score(frame)
        by_group = nps.segment(frame, "g")
    assert [str(w.message) for w in caught if issubclass(w.category, FutureWarning)] == []
    assert whole.nps == score(LAST).nps
    assert by_group.to_dicts() == nps.segment({"score": LAST, "g": ["a", "b"] * 15}, "g").to_dicts()
