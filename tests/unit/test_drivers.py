"""Key-driver analysis: golden values from R, inputs, flagged rows and errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

import netpromoter as nps
from netpromoter import drivers
from netpromoter.drivers import KeyDriverResult, key_drivers
from netpromoter.exceptions import (
    ColumnLengthError,
    ColumnNotFoundError,
    EmptyDataError,
    InsufficientDataError,
    InvalidParameterError,
    InvalidScoreError,
)

GOLDEN = Path(__file__).parents[1] / "golden"
ASPECTS = ["support", "product", "price"]


def golden_columns() -> dict[str, list[float | None]]:
    """The golden ratings as a mapping of columns, None where not answered."""
    with (GOLDEN / "drivers_ratings.csv").open() as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) if r[k] else None for r in rows] for k in ["score", *ASPECTS]}


@pytest.fixture(scope="module")
def golden_result() -> KeyDriverResult:
    data = golden_columns()
    data["score"] = [int(s) for s in data["score"]]  # type: ignore[arg-type]
    return key_drivers(data, ASPECTS, scale=(1, 5), n_resamples=300, seed=1)


@pytest.mark.parametrize("aspect", ASPECTS)
def test_correlations_match_r(golden_result: KeyDriverResult, aspect: str) -> None:
    """Pairwise n, Pearson (cor.test), Spearman and both intervals equal R's."""
    expected = json.loads((GOLDEN / "r_drivers.json").read_text())["aspects"][aspect]
    row = golden_result[aspect]
    assert row.n == expected["n"]
    assert row.pearson == pytest.approx(expected["pearson"], rel=1e-13)
    assert row.pearson_ci == pytest.approx(tuple(expected["pearson_ci"]), rel=1e-12)
    assert row.spearman == pytest.approx(expected["spearman"], rel=1e-13)
    assert row.spearman_ci == pytest.approx(tuple(expected["spearman_ci"]), rel=1e-12)
    assert row.mean == pytest.approx(expected["mean"], rel=1e-14)


@pytest.mark.parametrize("aspect", ASPECTS)
def test_low_high_nps_match_r(golden_result: KeyDriverResult, aspect: str) -> None:
    """Low (below 3 on 1..5) and high (above 3) raters and their NPS equal R's."""
    expected = json.loads((GOLDEN / "r_drivers.json").read_text())["aspects"][aspect]
    row = golden_result[aspect]
    assert (row.n_low, row.n_high) == (expected["n_low"], expected["n_high"])
    assert row.nps_low == pytest.approx(expected["nps_low"], rel=1e-13)
    assert row.nps_high == pytest.approx(expected["nps_high"], rel=1e-13)


def test_relative_weights_and_r_squared_match_r(golden_result: KeyDriverResult) -> None:
    """Importance equals R's Johnson weights, summing to lm()'s R², listwise n = 48."""
    golden = json.loads((GOLDEN / "r_drivers.json").read_text())
    for aspect in ASPECTS:
        assert golden_result[aspect].importance == pytest.approx(
            golden["johnson"][aspect], rel=1e-12
        )
    assert golden_result.r_squared == pytest.approx(golden["r_squared"], rel=1e-12)
    assert golden_result.n_complete == golden["n_complete"]
    assert golden_result.n_incomplete == 60 - golden["n_complete"]


def test_low_and_high_nps_come_from_score(golden_result: KeyDriverResult) -> None:
    """The low/high NPS and intervals are exactly score() of those respondents."""
    data = golden_columns()
    support = np.array([np.nan if v is None else v for v in data["support"]])
    scores = np.array(data["score"], dtype=np.int8)
    low = nps.score(scores[support < 3])
    row = golden_result["support"]
    assert row.nps_low == low.nps
    assert row.nps_low_ci == low.ci
    high = nps.score(scores[support > 3])
    assert row.nps_high_ci == high.ci
    assert row.nps_gap == pytest.approx(high.nps - low.nps)
    assert row.nps_gap_ci is not None
    assert row.nps_gap is not None
    assert row.nps_gap_ci[0] < row.nps_gap < row.nps_gap_ci[1]


def test_rows_are_ranked_by_importance(golden_result: KeyDriverResult) -> None:
    """Rows come most important first, with ranks 1..p and shares summing to 1."""
    assert [r.aspect for r in golden_result.rows] == ["support", "product", "price"]
    assert [r.rank for r in golden_result.rows] == [1, 2, 3]
    shares = [r.importance_share for r in golden_result.rows]
    assert sum(s for s in shares if s is not None) == pytest.approx(1.0)


def test_bootstrap_intervals_bracket_the_estimates(golden_result: KeyDriverResult) -> None:
    """Each weight and R² lies inside its bootstrap interval; rank intervals are whole."""
    for row in golden_result.rows:
        assert row.importance_ci is not None
        assert row.importance is not None
        assert row.importance_ci[0] <= row.importance <= row.importance_ci[1]
        assert row.importance_share is not None
        assert row.importance_share_ci is not None
        assert row.importance_share_ci[0] <= row.importance_share <= row.importance_share_ci[1]
        assert row.rank_ci is not None
        assert 1 <= row.rank_ci[0] <= row.rank_ci[1] <= 3
    assert golden_result.r_squared_ci is not None
    lo, hi = golden_result.r_squared_ci
    assert lo <= golden_result.r_squared <= hi


def test_same_seed_same_result_other_seed_other_intervals() -> None:
    """The bootstrap is reproducible through its seed."""
    data = golden_columns()
    a = key_drivers(data, ASPECTS, n_resamples=50, seed=3)
    b = key_drivers(data, ASPECTS, n_resamples=50, seed=3)
    c = key_drivers(data, ASPECTS, n_resamples=50, seed=4)
    assert a == b
    assert a.rows[0].importance_ci != c.rows[0].importance_ci
    assert a.rows[0].importance == c.rows[0].importance


def test_notes_say_how_missing_answers_were_handled(golden_result: KeyDriverResult) -> None:
    """The notes report pairwise correlations and the listwise rows used and left out."""
    text = " ".join(golden_result.notes)
    assert "pairwise" in text
    assert "48 of 60 respondents" in text
    assert "12 left out" in text
    assert "not causation" in text


def test_fix_first_is_important_and_poorly_rated() -> None:
    """An aspect that drives the score and is rated low lands in "fix first"."""
    rng = np.random.default_rng(0)
    n = 400
    support = rng.integers(1, 4, n).astype(float)  # rated low on 1..5, drives the score
    product = rng.integers(3, 6, n).astype(float)  # rated high, drives it a little
    price = rng.integers(1, 6, n).astype(float)  # unrelated
    score = np.clip(np.round(2 + 2.5 * support + 0.3 * product + rng.normal(0, 1, n)), 0, 10)
    result = key_drivers(
        {"score": score, "support": support, "product": product, "price": price},
        ["support", "product", "price"],
        scale=(1, 5),
        n_resamples=50,
    )
    assert result.fix_first() == ("support",)
    table = result.importance_performance()
    assert table["fix first"] == ("support",)
    assert set(table["possible overkill"]) | set(table["low priority"]) == {"product", "price"}
    assert result["support"].performance == pytest.approx((support.mean() - 1) / 4)


def test_inputs_responses_mapping_and_dataframes_agree() -> None:
    """Responses with aspect columns, a mapping and pandas/polars frames give one result."""
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    data = golden_columns()
    scores = [int(s) for s in data["score"]]  # type: ignore[arg-type]
    aspects = {a: data[a] for a in ASPECTS}
    responses = [nps.Response(score=s) for s in scores]
    options = {"n_resamples": 30, "seed": 2}
    expected = key_drivers({"score": scores, **aspects}, ASPECTS, **options)  # type: ignore[arg-type]
    assert key_drivers(responses, aspects, **options) == expected  # type: ignore[arg-type]
    frame = {"score": scores, **aspects}
    assert key_drivers(pd.DataFrame(frame), ASPECTS, **options) == expected  # type: ignore[arg-type]
    assert key_drivers(pl.DataFrame(frame), ASPECTS, **options) == expected  # type: ignore[arg-type]


def test_score_column_name_and_dropped_missing_scores() -> None:
    """A named score column; missing scores dropped with their ratings and counted."""
    data = golden_columns()
    renamed = {"nps": [*data["score"][:-1], None], **{a: data[a] for a in ASPECTS}}
    result = key_drivers(renamed, ASPECTS, score="nps", missing="drop", n_resamples=20)
    trimmed = {k: v[:-1] for k, v in golden_columns().items()}
    assert result.n == 59
    assert result.n_missing == 1
    assert result.rows == key_drivers(trimmed, ASPECTS, n_resamples=20).rows
    assert "1 respondents without a recommend score dropped." in result.notes[0]


def flagged_data() -> dict[str, list[float | None]]:
    data = golden_columns()
    data["constant"] = [4.0] * 60
    data["empty"] = [None] * 60
    return data


def test_constant_and_empty_aspects_are_flagged_not_fatal() -> None:
    """A constant and an all-missing aspect stay as flagged rows outside the model."""
    result = key_drivers(flagged_data(), [*ASPECTS, "constant", "empty"], n_resamples=20)
    constant, empty = result["constant"], result["empty"]
    assert constant.flag is not None
    assert "no variation" in constant.flag
    assert empty.flag is not None
    assert "no ratings" in empty.flag
    for row in (constant, empty):
        assert row.importance is None
        assert row.rank is None
        assert row.pearson is None
    assert empty.n == 0
    assert empty.n_missing == 60
    assert [r.aspect for r in result.rows][-2:] == ["constant", "empty"]
    reference = key_drivers(golden_columns(), ASPECTS, n_resamples=20)
    assert result.r_squared == pytest.approx(reference.r_squared, rel=1e-14)


def test_few_ratings_flag_missing_interval() -> None:
    """An aspect with three ratings has a correlation but no interval nor weight."""
    data = golden_columns()
    data["rare"] = [1.0, 5.0, 3.0] + [None] * 57
    result = key_drivers(data, [*ASPECTS, "rare"], n_resamples=5)
    row = result["rare"]
    assert row.pearson is not None
    assert row.pearson_ci is None
    assert row.importance is None
    assert row.flag == "fewer than 4 ratings: no correlation interval, left out of the model"


def test_no_usable_aspect_is_an_error() -> None:
    """Only constant or empty aspects: a clear error listing each one's problem."""
    with pytest.raises(InsufficientDataError, match=r"constant: no variation.*empty: no ratings"):
        key_drivers(flagged_data(), ["constant", "empty"])


def test_fewer_respondents_than_aspects_is_an_error() -> None:
    """Five respondents and four aspects: the error names the numbers needed."""
    data = {
        "score": [1, 5, 9, 10, 7],
        "a": [1, 2, 3, 4, 5],
        "b": [3, 1, 2, 5, 4],
        "c": [2, 2, 1, 1, 5],
        "d": [5, 4, 4, 1, 2],
    }
    with pytest.raises(InsufficientDataError, match="only 5 respondents rated all 4") as info:
        key_drivers(data, ["a", "b", "c", "d"])
    assert (info.value.n, info.value.needed) == (5, 6)
    assert isinstance(info.value, ValueError)


def test_three_respondents_is_an_error() -> None:
    """With three respondents no aspect has enough ratings, and the error says so."""
    data = {"score": [1, 5, 9], "a": [1, 2, 3], "b": [3, 1, 2]}
    with pytest.raises(InsufficientDataError, match="a: fewer than 4 ratings"):
        key_drivers(data, ["a", "b"])


def test_collinear_aspects_are_named() -> None:
    """Two perfectly correlated aspects make the weights undefined: both are named."""
    data = golden_columns()
    data["support_again"] = [None if v is None else 2 * v for v in data["support"]]
    with pytest.raises(InsufficientDataError, match="'support' and 'support_again'"):
        key_drivers(data, [*ASPECTS, "support_again"])


def test_aspect_constant_among_complete_rows_is_named() -> None:
    """An aspect that only varies where another is missing is named in the error."""
    data = {
        "score": [1, 5, 9, 10, 3, 7, 8, 2],
        "a": [None, 2, 3, 4, 5, 1, 2, 3],
        "b": [1, 4, 4, 4, 4, 4, 4, 4],
    }
    with pytest.raises(InsufficientDataError, match="'b' do not vary"):
        key_drivers(data, ["a", "b"])


def test_same_score_for_everyone_is_an_error() -> None:
    """Nothing can be explained when every respondent gave the same score."""
    with pytest.raises(InsufficientDataError, match=r"same recommend score \(9\)"):
        key_drivers({"score": [9] * 5, "a": [1, 2, 3, 4, 5]}, ["a"])


def test_ratings_that_are_not_numbers_are_named() -> None:
    """Text ratings raise naming the column, the value and its position."""
    data = {"score": [1, 5, 9], "support": [1, "good", 3]}
    with pytest.raises(InvalidParameterError, match=r"ratings 'support'.*position 1 \('good'\)"):
        key_drivers(data, ["support"])


def test_ratings_outside_the_scale_are_an_error() -> None:
    """A 6 on a declared 1..5 scale is reported with its position."""
    data = {"score": [1, 5, 9, 3, 8], "a": [1, 2, 6, 4, 5]}
    with pytest.raises(
        InvalidParameterError, match=r"outside the scale 1\.\.5, first 6 at position 2"
    ):
        key_drivers(data, ["a"], scale=(1, 5))


def test_scale_per_aspect_and_bad_scale() -> None:
    """Scales can differ per aspect; an inverted scale is rejected."""
    data = golden_columns()
    result = key_drivers(data, ASPECTS, scale={"support": (0, 10)}, n_resamples=5)
    assert result["support"].scale == (0.0, 10.0)
    assert result["support"].n_high == 0  # nobody rated support above 5 on 0..10
    assert result["product"].scale == (1.0, 5.0)  # observed
    with pytest.raises(InvalidParameterError, match="lowest < highest"):
        key_drivers(data, ASPECTS, scale=(5, 1))
    with pytest.raises(InvalidParameterError, match="must be a pair"):
        key_drivers(data, ASPECTS, scale=(5,))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("aspects", "error", "match"),
    [
        ([], InvalidParameterError, "no aspects"),
        ("support", InvalidParameterError, "got the string 'support'"),
        (["support", "support"], InvalidParameterError, "distinct"),
        (["servise"], ColumnNotFoundError, "no column 'servise'"),
        ({"support": [1, 2]}, ColumnLengthError, "same length"),
    ],
)
def test_bad_aspects(aspects: object, error: type[Exception], match: str) -> None:
    """Missing, misspelt, repeated or misaligned aspects are clear errors."""
    with pytest.raises(error, match=match):
        key_drivers(golden_columns(), aspects)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"n_resamples": 0}, "n_resamples"),
        ({"n_resamples": True}, "n_resamples"),
        ({"confidence_level": 1.5}, "confidence_level"),
        ({"method": "bogus"}, "unknown method"),
    ],
)
def test_bad_options(options: dict[str, object], match: str) -> None:
    """Options outside their range are rejected before any work."""
    with pytest.raises(InvalidParameterError, match=match):
        key_drivers(golden_columns(), ASPECTS, **options)  # type: ignore[arg-type]


def test_invalid_and_missing_scores() -> None:
    """Scores are validated as in score(); all missing and dropped is empty."""
    with pytest.raises(InvalidScoreError):
        key_drivers({"score": [11, 3], "a": [1, 2]}, ["a"])
    with pytest.raises(EmptyDataError, match="all 2 scores were missing"):
        key_drivers({"score": [None, None], "a": [1, 2]}, ["a"], missing="drop")


def test_result_is_frozen_and_exports(golden_result: KeyDriverResult) -> None:
    """Results are immutable; to_dicts gives flat rows; repr and HTML are readable."""
    with pytest.raises(ValidationError):
        golden_result.r_squared = 1.0
    rows = golden_result.to_dicts()
    assert [r["aspect"] for r in rows] == ["support", "product", "price"]
    assert {"pearson_ci_lower", "pearson_ci_upper", "scale_lower", "rank_ci_upper"} <= set(rows[0])
    assert all(not isinstance(v, tuple) for r in rows for v in r.values())
    assert repr(golden_result).startswith("KeyDriverResult(R²=0.612, n_complete=48")
    page = golden_result._repr_html_()
    assert "<table class='netpromoter-drivers'>" in page
    assert "support" in page
    assert "not causation" in page
    with pytest.raises(KeyError, match="no aspect 'speed'"):
        golden_result["speed"]


def test_html_escapes_aspect_names() -> None:
    """Aspect names are escaped in HTML."""
    data = golden_columns()
    data["<b>"] = data.pop("price")
    result = key_drivers(data, ["support", "product", "<b>"], n_resamples=5)
    page = result._repr_html_()
    assert "<td>&lt;b&gt;</td>" in page
    assert "<b>" not in page


def test_public_names() -> None:
    """key_drivers and themes are public in netpromoter.drivers."""
    assert {"key_drivers", "themes", "starter_themes"} <= set(drivers.__all__)


def test_pandas_nullable_ratings_are_missing_answers() -> None:
    """Nullable pandas Int64/Float64 columns with pd.NA give the same result as None."""
    pd = pytest.importorskip("pandas")
    data = golden_columns()
    frame = pd.DataFrame(
        {
            "score": [int(s) for s in data["score"]],  # type: ignore[arg-type]
            "support": pd.array(data["support"], dtype="Float64"),
            "product": pd.array(
                [None if v is None else int(v) for v in data["product"]], dtype="Int64"
            ),
            "price": data["price"],
        }
    )
    expected = key_drivers(data, ASPECTS, n_resamples=20)
    assert key_drivers(frame, ASPECTS, n_resamples=20) == expected


def test_flag_names_the_constant_rating_or_score() -> None:
    """The flag says whether the rating or the score of its raters does not vary."""
    data = golden_columns()
    data["constant"] = [4.0] * 60
    promoters = [i for i, s in enumerate(data["score"]) if s == 10.0]
    data["only_tens"] = [float(i % 5) if i in promoters else None for i in range(60)]
    result = key_drivers(data, [*ASPECTS, "constant", "only_tens"], n_resamples=5)
    assert result["constant"].flag == "no variation (every rating is 4): left out of the model"
    assert result["only_tens"].flag == (
        "no variation in the recommend score of those who rated it: left out of the model"
    )


def test_performance_interval_is_the_t_interval_of_the_mean(
    golden_result: KeyDriverResult,
) -> None:
    """performance_ci is mean ± t sd / sqrt(n) of the ratings, on the 0..1 scale."""
    stats = pytest.importorskip("scipy.stats")
    for aspect in ASPECTS:
        values = np.array([v for v in golden_columns()[aspect] if v is not None])
        low, high = stats.t.interval(
            0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values)
        )
        row = golden_result[aspect]
        assert row.performance_ci == pytest.approx(((low - 1) / 4, (high - 1) / 4), rel=1e-9)


def test_quadrant_says_when_it_is_not_settled() -> None:
    """An aspect near the average share or performance gets a note; a clear one none."""
    rng = np.random.default_rng(3)
    n = 600
    support = rng.integers(1, 4, n).astype(float)  # drives the score, rated low
    product = rng.integers(1, 6, n).astype(float)  # drives it as much as price, mid rated
    price = rng.integers(1, 6, n).astype(float)
    score = np.clip(
        np.round(1 + 2.5 * support + 0.4 * product + 0.4 * price + rng.normal(0, 1, n)), 0, 10
    )
    data = {"score": score, "support": support, "product": product, "price": price}
    result = key_drivers(data, ["support", "product", "price"], scale=(1, 5), n_resamples=200)
    support_row = result["support"]
    assert support_row.quadrant == "fix first"
    assert support_row.quadrant_note is None
    average_share = 1 / 3
    for row in result.rows:
        lo, hi = row.importance_share_ci  # type: ignore[misc]
        p_lo, p_hi = row.performance_ci  # type: ignore[misc]
        average = float(np.mean([r.performance for r in result.rows]))
        straddles = lo <= average_share <= hi or p_lo <= average <= p_hi
        assert (row.quadrant_note is not None) == straddles
    # Two aspects that drive the score equally: each share's interval holds 1/2.
    even = {"score": np.clip(np.round(product + price + rng.normal(0, 1, n)), 0, 10)}
    even.update(product=product, price=price)
    result = key_drivers(even, ["product", "price"], scale=(1, 5), n_resamples=200)
    for row in result.rows:
        assert row.quadrant_note is not None
        assert "importance share interval holds the average (50%)" in row.quadrant_note
    page = result._repr_html_()
    assert "approximate, bootstrap" in page
    assert "(unsettled)" in page
    assert any("approximate" in note for note in result.notes)
