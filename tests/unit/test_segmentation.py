"""segment(), SegmentResult, SegmentCounts and rank(): behaviour and errors."""

from __future__ import annotations

import math
import tracemalloc
from typing import Any

import numpy as np
import pytest

from netpromoter import (
    ColumnLengthError,
    ColumnNotFoundError,
    EmptyDataError,
    InvalidParameterError,
    InvalidScoreError,
    InvalidWeightsError,
    MixedWeightsWarning,
    Response,
    SegmentCounts,
    _stats,
    rank,
    score,
    segment,
)
from netpromoter._tally import CHUNK
from netpromoter.segmentation import ALL, RankRow, SegmentRow

DATA: dict[str, list[Any]] = {
    "score": [10, 9, 3, 8, 10, 6, 9, 2],
    "region": ["n", "n", "s", "s", None, "s", "n", "s"],
    "tier": ["a", "b", "a", "b", "a", "b", "a", "b"],
    "spend": [20.0, 150.0, 5000.0, None, 80.0, 900.0, 3.0, 10.0],
    "w": [1.0, 2.0, 1.0, 0.5, 1.0, 1.0, 3.0, 1.0],
}


def test_rows_in_label_order_with_missing_last() -> None:
    """Rows follow the key labels; a missing key value is its own "(missing)" row."""
    result = segment(DATA, "region", min_n=1)
    assert [row.key for row in result] == [("n",), ("s",), ("(missing)",)]
    assert [row.n for row in result] == [3, 4, 1]


def test_row_statistics_equal_score_of_that_slice() -> None:
    """Each row has the NPS, SE and interval of score() on its rows."""
    result = segment(DATA, "region", min_n=1)
    expected = score([3, 8, 6, 2])
    row = result.get("s")
    assert (row.nps, row.se, row.ci) == (expected.nps, expected.se, expected.ci)
    assert (row.detractors, row.passives, row.promoters) == (3, 1, 0)


def test_overall_row_equals_score() -> None:
    """The overall row is score() on all rows, with "(all)" keys."""
    result = segment(DATA, ["region", "tier"])
    expected = score(DATA["score"])
    assert result.overall.key == (ALL, ALL)
    assert (result.overall.nps, result.overall.se) == (expected.nps, expected.se)
    assert result.overall.n == 8


def test_small_segments_are_flagged_not_dropped() -> None:
    """Segments under min_n stay in the table with small_sample set."""
    result = segment(DATA, "region", min_n=3)
    assert [row.small_sample for row in result] == [False, False, True]
    assert len(result.filter(small_sample=False)) == 2


def test_two_keys_only_list_occurring_combinations() -> None:
    """Combinations with no responses are left out."""
    result = segment(DATA, ["region", "tier"], min_n=1)
    keys = [row.key for row in result]
    assert ("(missing)", "b") not in keys
    assert ("(missing)", "a") in keys
    assert sum(row.n for row in result) == 8


def test_bands_cut_spend() -> None:
    """A numeric key is banded at the given edges, missing kept."""
    result = segment(DATA, "spend", bands={"spend": [0, 100, 1000, math.inf]}, min_n=1)
    assert [row.key[0] for row in result] == ["[0, 100)", "[100, 1000)", "[1000, inf)", "(missing)"]
    assert [row.n for row in result] == [4, 2, 1, 1]


def test_weights_by_column_array_and_object() -> None:
    """Weights may be a column name, an array, or an object with .weights."""

    class Weighting:
        weights = np.asarray(DATA["w"])

    by_name = segment(DATA, "region", weights="w")
    by_array = segment(DATA, "region", weights=DATA["w"])
    by_object = segment(DATA, "region", weights=Weighting())
    expected = score([10, 9, 9], weights=[1.0, 2.0, 3.0])
    assert by_name.get("n").nps == expected.nps
    assert by_name.get("n").se == expected.se
    assert by_name.to_dicts() == by_array.to_dicts() == by_object.to_dicts()
    assert by_name.weighted


def test_p_values_come_from_segment_versus_rest() -> None:
    """p_value is the two-sample test against the rest; p_adjusted is Holm's."""
    result = segment(DATA, "region", min_n=1)
    tallied = result.counts.to_tally()
    diff = _stats.difference(
        _stats.complement(tallied), tallied, weighted=False, method="adjusted_wald"
    )
    assert [row.p_value for row in result] == diff.p_value.tolist()
    assert [row.p_adjusted for row in result] == _stats.holm(diff.p_value).tolist()
    assert [row.vs_rest for row in result] == diff.raw_delta.tolist()


def test_bh_correction_on_request() -> None:
    """correction='bh' applies Benjamini-Hochberg; 'none' leaves p-values as they are."""
    bh = segment(DATA, "region", correction="bh")
    none = segment(DATA, "region", correction="none")
    raw = np.array([row.p_value for row in none])
    assert [row.p_adjusted for row in bh] == _stats.benjamini_hochberg(raw).tolist()
    assert [row.p_adjusted for row in none] == raw.tolist()


def test_vs_overall_is_difference_from_overall() -> None:
    """vs_overall is the segment NPS minus the overall NPS."""
    result = segment(DATA, "region")
    for row in result:
        assert row.vs_overall == row.nps - result.overall.nps


def test_responses_as_input() -> None:
    """A list of Response segments by fields and by segments keys."""
    responses = [
        Response(score=s, channel="email" if i % 2 else "sms", segments={"dept": "x"})
        for i, s in enumerate([10, 9, 3, 7])
    ]
    result = segment(responses, ["dept", "channel"], min_n=1)
    assert [row.key for row in result] == [("x", "email"), ("x", "sms")]
    assert [row.n for row in result] == [2, 2]


def test_missing_scores_can_be_dropped_with_their_keys() -> None:
    """missing='drop' drops missing scores with their key and weight, and counts them."""
    data = {"score": [10.0, math.nan, 3.0], "k": ["a", "b", "a"], "w": [1.0, 5.0, 2.0]}
    with pytest.raises(InvalidScoreError, match="missing"):
        segment(data, "k")
    result = segment(data, "k", missing="drop", weights="w")
    assert [row.key for row in result] == [("a",)]
    assert result.counts.n_missing == 1


def test_sort_and_filter_return_new_results() -> None:
    """sort() orders by a field (NaN last) or key; filter() keeps matching rows."""
    result = segment(DATA, "region", min_n=1)
    by_nps = result.sort("nps")
    assert [row.nps for row in by_nps] == sorted((row.nps for row in result), reverse=True)
    assert [row.key for row in result.sort("region", descending=False)] == [
        ("n",),
        ("s",),
        ("(missing)",),
    ]
    assert [row.key for row in result.filter(lambda r: r.nps > 0)] == [("n",), ("(missing)",)]
    assert len(result) == 3


def test_sort_by_unknown_field() -> None:
    """Sorting by a name that is neither a field nor a key is an error."""
    with pytest.raises(InvalidParameterError, match="cannot sort by 'npss'"):
        segment(DATA, "region").sort("npss")


def test_to_dicts_pandas_and_polars() -> None:
    """Exports are flat: key columns, statistics, ci_lower and ci_upper."""
    result = segment(DATA, "region", min_n=1)
    records = result.to_dicts(overall=True)
    assert records[0]["region"] == "n"
    assert records[-1]["region"] == ALL
    assert records[0]["ci_lower"] == result[0].ci[0]
    pd = pytest.importorskip("pandas")
    pytest.importorskip("polars")
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert frame["n"].tolist() == [3, 4, 1]
    assert result.to_polars().get_column("nps").to_list() == [row.nps for row in result]


def test_repr_and_html() -> None:
    """The text repr shows the caption, rows and overall; HTML is a table."""
    result = segment(DATA, "region", min_n=3)
    text = repr(result)
    assert text.startswith("SegmentResult(NPS by region: 3 segments")
    assert "(missing)" in text
    assert "(all)" in text
    assert "small" in text
    assert result._repr_html_().startswith("<table class='netpromoter-table'>")


def test_result_is_frozen() -> None:
    """Results cannot be changed in place."""
    result = segment(DATA, "region")
    with pytest.raises(ValueError, match="frozen"):
        result.min_n = 3  # type: ignore[misc]


def test_unknown_column_names_the_available_ones() -> None:
    """Unknown by, score and weights columns raise ColumnNotFoundError."""
    with pytest.raises(ColumnNotFoundError, match="no column 'regio'; available columns"):
        segment(DATA, "regio")
    with pytest.raises(ColumnNotFoundError, match="'nps'"):
        segment(DATA, "region", score="nps")
    with pytest.raises(ColumnNotFoundError, match="'weight'"):
        segment(DATA, "region", weights="weight")


def test_empty_by_is_an_error() -> None:
    """by=[] is rejected."""
    with pytest.raises(InvalidParameterError, match="at least one column"):
        segment(DATA, [])


def test_mismatched_lengths_name_the_columns() -> None:
    """Columns of different lengths are named with their lengths."""
    with pytest.raises(ColumnLengthError, match="'score' has 3, 'k' has 2"):
        segment({"score": [1, 2, 3], "k": ["a", "b"]}, "k")


def test_weights_with_nan_name_the_column() -> None:
    """A NaN weight is reported with its column and position."""
    data = {**DATA, "w": [1.0, math.nan, 1, 1, 1, 1, 1, 1]}
    with pytest.raises(InvalidWeightsError, match=r"weights column 'w'.*position 1"):
        segment(data, "region", weights="w")


def test_bad_weight_after_a_dropped_score_names_its_input_row() -> None:
    """Weights are checked while counting, but errors name the input row, not the kept one."""
    data = {
        "score": [9.0, math.nan, 7.0, 3.0],
        "k": ["a", "b", "a", "b"],
        "w": [1.0, 1.0, -2.0, 1.0],
    }
    with pytest.raises(InvalidWeightsError, match=r"weights column 'w'.*position 2"):
        segment(data, "k", weights="w", missing="drop")
    array = np.array([1.0, 1.0, 1.0, np.inf])
    with pytest.raises(InvalidWeightsError, match=r"position 3"):
        segment(data, "k", weights=array, missing="drop")


def test_bad_options() -> None:
    """Unknown correction, negative min_n and bands on a non-key column are rejected."""
    with pytest.raises(InvalidParameterError, match="correction"):
        segment(DATA, "region", correction="bonferroni")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="min_n"):
        segment(DATA, "region", min_n=-1)
    with pytest.raises(InvalidParameterError, match="bands"):
        segment(DATA, "region", bands={"spend": [0, 1]})
    with pytest.raises(InvalidParameterError, match="confidence_level"):
        segment(DATA, "region", confidence_level=1.5)


def test_no_scores() -> None:
    """An empty table is an EmptyDataError."""
    with pytest.raises(EmptyDataError):
        segment({"score": [], "k": []}, "k")
    with pytest.raises(EmptyDataError):
        segment([], "region")


def test_counts_merge_by_label_and_round_trip_json() -> None:
    """Tallies of parts add up to the tally of the whole, and survive JSON."""
    first = {k: v[:5] for k, v in DATA.items()}
    second = {k: v[5:] for k, v in DATA.items()}
    merged = SegmentCounts.from_data(first, "region") + SegmentCounts.from_data(second, "region")
    whole = SegmentCounts.from_data(DATA, "region")
    assert merged == whole
    assert (
        sum([SegmentCounts.from_data(first, "region"), SegmentCounts.from_data(second, "region")])
        == whole
    )
    assert SegmentCounts.model_validate_json(whole.model_dump_json()) == whole
    assert merged.result(min_n=1).to_dicts() == segment(DATA, "region", min_n=1).to_dicts()


def test_weighted_counts_merge() -> None:
    """Weighted and unweighted parts merge into a weighted tally, with a warning."""
    a = SegmentCounts.from_data(DATA, "region", weights="w")
    b = SegmentCounts.from_data(DATA, "region")
    with pytest.warns(MixedWeightsWarning, match="count as weights of 1"):
        merged = a + b
    assert merged.weighted
    assert merged.count[0] == tuple(2 * c for c in a.count[0])


def test_counts_reject_bad_shapes_and_keys() -> None:
    """Malformed tallies and merges of different keys are refused."""
    with pytest.raises(ValueError, match="11 values"):
        SegmentCounts(by=("k",), levels=(("a",),), count=((1, 2),))
    a = SegmentCounts.from_data(DATA, "region")
    b = SegmentCounts.from_data(DATA, "tier")
    with pytest.raises(ValueError, match="cannot merge"):
        _ = a + b


def test_rank_prefers_much_evidence_over_little() -> None:
    """3 of 3 promoters does not beat +44 on 50 answers in a team at +30."""
    team = [10] * 25 + [8] * 15 + [3] * 10
    data = {
        "score": team * 8 + [10] * 30 + [8] * 12 + [3] * 8 + [10] * 3,
        "agent": [f"a{i}" for i in range(8) for _ in team] + ["bob"] * 50 + ["ann"] * 3,
    }
    ranking = rank(data, "agent", draws=2000)
    rows = {row.key[0]: row for row in ranking}
    assert [row.key[0] for row in ranking][:2] == ["bob", "ann"]
    assert rows["ann"].nps == 100.0
    assert ranking.overall_nps < rows["ann"].shrunken_nps < rows["bob"].shrunken_nps
    assert rows["bob"].prob_above > 0.5 > rows["a0"].prob_above
    for row in ranking:  # every unit's interval is drawn, the first one's included
        lo, hi = row.credible_interval
        assert lo < row.shrunken_nps < hi
        assert 0.0 < row.prob_above < 1.0
    assert [row.rank for row in ranking] == list(range(1, 11))


def _posterior_mean(counts: np.ndarray) -> np.ndarray:
    """E[NPS_g] on the concentration grid, the posterior computed here with scipy.

    Dirichlet–multinomial likelihood (gammaln) at the pooled shares, the N_α^(−1)
    factor of integrating the shares out, the prior (1 + α)^(−2), Jacobian α.
    """
    special = pytest.importorskip("scipy.special")
    alpha = np.logspace(-2.0, 7.0, 181)
    n = counts.sum(axis=1)
    m = counts.sum(axis=0) / counts.sum()
    a = alpha[:, None, None] * m
    loglik = (
        special.gammaln(alpha)[:, None]
        - special.gammaln(n + alpha[:, None])
        + (special.gammaln(counts + a) - special.gammaln(a)).sum(axis=2)
    ).sum(axis=1)
    size = n.sum() ** 2 / ((n[:, None] * (n[:, None] + alpha)).sum(axis=0) / (1 + alpha))
    log_post = loglik - np.log(size) - 2 * np.log1p(alpha) + np.log(alpha)
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    part = (counts[:, 2:3] - counts[:, 0:1] + alpha * (m[2] - m[0])) / (n[:, None] + alpha)
    out: np.ndarray = 100 * part @ w
    return out


def test_rank_shrunken_nps_is_the_posterior_mean_over_the_concentration() -> None:
    """Each shrunken NPS is E[NPS] with α integrated over, between raw and overall."""
    rng = np.random.default_rng(5)
    data = {"score": rng.integers(0, 11, 600), "agent": rng.integers(0, 12, 600)}
    ranking = rank(data, "agent", draws=500)
    scores, agents = data["score"], data["agent"]
    counts = np.zeros((12, 3))
    np.add.at(counts, (agents, (scores >= 7).astype(int) + (scores >= 9)), 1)
    expected = _posterior_mean(counts)
    for row in ranking:
        assert row.shrunken_nps == pytest.approx(expected[row.key[0]], rel=1e-9)
        low, high = sorted((row.nps, ranking.overall_nps))
        assert low <= row.shrunken_nps <= high


def test_weighted_rank_prior_mean_is_the_weighted_nps() -> None:
    """With weights the prior's mean (and overall_nps) is the weighted NPS."""
    rng = np.random.default_rng(21)
    n = 400
    data = {
        "score": rng.integers(0, 11, n),
        "agent": rng.integers(0, 8, n),
        "w": rng.lognormal(0.0, 1.0, n),
    }
    ranking = rank(data, "agent", weights="w", draws=300)
    weighted = score(data["score"], weights=data["w"])
    assert ranking.overall_nps == pytest.approx(weighted.nps, rel=1e-12)
    assert ranking.prior_shares == pytest.approx(
        (weighted.detractor_share, weighted.passive_share, weighted.promoter_share), rel=1e-12
    )


# --- coverage of the credible intervals by simulation ---------------------------------
#
# 100 worlds of 50 agents whose true shares are Dirichlet(c · (0.25, 0.3, 0.45)), each
# agent with 10 + Poisson(30) answers; c = 100 (agents differ: the spread of their true
# NPS is about 8 points) and c = 1,000 (nearly alike: about 2.6 points). 5,000 intervals
# per c give a Monte Carlo SE of sqrt(0.95 · 0.05 / 5000) = 0.003 for a coverage near
# 0.95 (somewhat more as agents of one world share its prior); the margin to 0.92 is 0.03.


def _agents(rng: np.random.Generator, c: float) -> tuple[dict[str, Any], np.ndarray]:
    theta = rng.dirichlet(c * np.array([0.25, 0.3, 0.45]), size=50)
    sizes = 10 + rng.poisson(30, size=50)
    agent = np.repeat(np.arange(50), sizes)
    u = rng.random(len(agent))
    cumulative = np.cumsum(theta, axis=1)[agent]
    category = (u[:, None] > cumulative[:, :2]).sum(axis=1)
    return {"score": np.array([3, 7, 10])[category], "agent": agent}, 100 * (
        theta[:, 2] - theta[:, 0]
    )


@pytest.mark.parametrize("c", [100.0, 1000.0])
def test_rank_credible_intervals_cover_when_agents_differ_and_when_alike(c: float) -> None:
    """95 % credible intervals hold the agents' true NPS at least 92 % of the time."""
    rng = np.random.default_rng(7)
    covered = []
    for world in range(100):
        data, true = _agents(rng, c)
        for row in rank(data, "agent", draws=1000, seed=world):
            lo, hi = row.credible_interval
            covered.append(lo <= true[row.key[0]] <= hi)
    assert np.mean(covered) >= 0.92


def test_rank_exports_and_repr() -> None:
    """rank() results export to dicts and print as a table."""
    ranking = rank(DATA, "region", draws=200)
    records = ranking.to_dicts()
    assert set(records[0]) >= {"region", "rank", "shrunken_nps", "credible_lower"}
    assert repr(ranking).startswith("RankResult(3 units")
    assert "<table" in ranking._repr_html_()
    assert len(ranking) == 3
    assert ranking[0].rank == 1


def test_rank_bad_draws() -> None:
    """Too few posterior draws are rejected."""
    with pytest.raises(InvalidParameterError, match="draws"):
        rank(DATA, "region", draws=5)


def test_rows_equal_validated_rows() -> None:
    """Rows built without validation equal rows validated from their own values."""
    result = segment(DATA, "region", weights="w")
    for row in [*result, result.overall]:
        assert SegmentRow.model_validate(row.model_dump()) == row
        assert row.model_fields_set == set(SegmentRow.model_fields)
    for ranked in rank(DATA, "region", draws=200):
        assert RankRow.model_validate(ranked.model_dump()) == ranked


def test_rank_with_equal_weights_equals_unweighted() -> None:
    """Weights of one give the same ranking as no weights."""
    plain = rank(DATA, "region", draws=300)
    weighted = rank({**DATA, "one": [1.0] * 8}, "region", weights="one", draws=300)
    assert weighted.weighted
    assert [r.key for r in weighted] == [r.key for r in plain]
    for a, b in zip(weighted, plain, strict=True):
        assert a.shrunken_nps == pytest.approx(b.shrunken_nps)
    assert weighted.prior_concentration == pytest.approx(plain.prior_concentration, rel=1e-6)


def test_polars_categorical_rows_in_label_order() -> None:
    """Categories stored in first-seen order still give rows in label order."""
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"score": [9, 3, 10], "team": ["zeta", "alpha", "zeta"]})
    frame = frame.with_columns(pl.col("team").cast(pl.Categorical))
    result = segment(frame, "team", min_n=1)
    assert [row.key for row in result] == [("alpha",), ("zeta",)]
    assert [row.n for row in result] == [1, 2]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("agents", [200, 2000])
def test_memory_stays_bounded(weighted: bool, agents: int) -> None:
    """Segmenting 2 million rows by two keys holds no 8-byte-per-row temporaries.

    50 x 200 combinations are counted densely; 50 x 2000 exceed the dense limit and are
    compacted (about 1,000 occur) into a 2-byte code per row. Beyond that, only
    chunk-sized buffers are allocated.
    """
    rng = np.random.default_rng(11)
    n = 2_000_000
    region = rng.integers(0, 50, n).astype(np.int16)
    agent = (region * (agents // 50) + rng.integers(0, 20, n)).astype(np.int16)
    data = {
        "score": rng.integers(0, 11, n, dtype=np.int8),
        "region": region,
        "agent": agent,
        "w": rng.uniform(0.5, 2.0, n),
    }
    tracemalloc.start()
    try:
        result = segment(data, ["region", "agent"], weights="w" if weighted else None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(row.n for row in result) == n
    assert peak < 2 * n + 64 * CHUNK


def test_score_interval_method() -> None:
    """method='score' gives score() intervals; the test against the rest is adjusted Wald."""
    result = segment(DATA, "region", method="score", min_n=1)
    expected = score([3, 8, 6, 2], method="score")
    assert result.get("s").ci == expected.ci
    adjusted = segment(DATA, "region", method="adjusted_wald", min_n=1)
    assert [r.p_value for r in result] == [r.p_value for r in adjusted]


def test_segment_table_shows_tiny_p_values_as_below_a_thousandth() -> None:
    """A segment far from the rest shows "< 0.001" in text and HTML, full value in data."""
    data = {"score": [10] * 200 + [0] * 200, "region": ["n"] * 200 + ["s"] * 200}
    table = segment(data, "region")
    assert table[0].p_adjusted is not None
    assert table[0].p_adjusted < 1e-20
    assert "< 0.001" in repr(table)
    assert "&lt; 0.001" in table._repr_html_()
    assert table.to_dicts()[0]["p_adjusted"] == table[0].p_adjusted
