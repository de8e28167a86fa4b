"""Weighting lazy frames (polars lazy, DuckDB, Dask): every number equals in-memory."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import netpromoter as nps
from lazy_weighting_cases import (
    MARGINS,
    WEIGHTINGS,
    check_features,
    check_result,
    check_trend,
    columns,
    times,
    without_places,
)
from netpromoter.exceptions import InvalidParameterError, InvalidWeightsError
from netpromoter.weighting import CellWeightingResult, kernels, poststratify, rake, trim

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
dd = pytest.importorskip("dask.dataframe")
duckdb = pytest.importorskip("duckdb")

ENGINES = ["polars-lazy", "dask", "duckdb"]


def lazy(frame: Any, engine: str) -> Any:
    """The pandas ``frame`` as a lazy frame of ``engine``."""
    if engine == "polars-lazy":
        return pl.from_pandas(frame, nan_to_null=False).lazy()
    if engine == "dask":
        return dd.from_pandas(frame, npartitions=3)
    return duckdb.from_df(frame)


@pytest.fixture(scope="module")
def eager() -> Any:
    return pd.DataFrame(columns())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(WEIGHTINGS))
def test_weighting_equals_in_memory(eager: Any, engine: str, case: str) -> None:
    """Weights, targets, diagnostics, NPS and SE; then score, segment and rank with them."""
    frame = lazy(eager, engine)
    expected = WEIGHTINGS[case](eager)
    actual = WEIGHTINGS[case](frame)
    check_result(expected, actual, frame)
    check_features(expected, actual, eager, frame)


@pytest.mark.parametrize("engine", ENGINES)
def test_diagnostics_of_base_weights_equal_within_cells(eager: Any, engine: str) -> None:
    """Base weights set by role (a raking margin): every quantile is exact, as in memory."""
    expected = rake(eager, MARGINS, weights="dr", missing="drop")
    actual = rake(lazy(eager, engine), MARGINS, weights="dr", missing="drop")
    assert isinstance(actual, CellWeightingResult)
    assert actual.diagnostics.median is not None
    check_result(expected, actual, lazy(eager, engine))


def test_cell_factors_equal_independent_raking(eager: Any) -> None:
    """The cell factors are those of raking the crossed-cell counts with plain numpy."""
    result = rake(lazy(eager, "duckdb"), MARGINS, missing="drop")
    assert isinstance(result, CellWeightingResult)
    filled = eager.fillna({"region": "(missing)"})
    counts = filled.groupby(["role", "region", "size"]).size()
    w = counts.to_numpy().astype(np.float64)
    index = counts.index.to_frame(index=False)
    total = sum(MARGINS["size"].values())
    for _ in range(200):
        for name, targets in MARGINS.items():
            scale = total / sum(targets.values())
            sums = index.assign(w=w).groupby(name)["w"].sum()
            w *= index[name].map({k: targets[k] * scale / sums[k] for k in sums.index}).to_numpy()
    expected = dict(zip(counts.index, w / counts.to_numpy(), strict=True))
    for cell in result.cells:
        assert cell.factor == pytest.approx(expected[cell.level], rel=1e-9)


def test_trim_with_base_weights_differing_within_cells_is_refused(eager: Any) -> None:
    result = rake(lazy(eager, "polars-lazy"), MARGINS, weights="d", missing="drop")
    assert isinstance(result, CellWeightingResult)
    with pytest.raises(InvalidParameterError, match="base weights 'd' differ within 36 of the"):
        trim(result, upper=2.0, relative_to="mean")


BAD_BASE_WEIGHTS: dict[str, Any] = {"zero": 0.0, "negative": -1.5, "null": None, "nan": np.nan}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bad", list(BAD_BASE_WEIGHTS))
@pytest.mark.parametrize("case", ["poststratify-base", "rake-base"])
def test_bad_base_weights_are_refused_as_in_memory(
    eager: Any, engine: str, bad: str, case: str
) -> None:
    """Zero, negative, null and NaN base weights: the in-memory error, counted on the engine.

    Rows 3 and 50 share a cell with others; the whole cell of row 7 is zero too when
    ``bad`` is zero (whose factor would otherwise be infinite).
    """
    data = eager.astype({"d": "Float64"})
    value = pd.NA if bad == "null" else BAD_BASE_WEIGHTS[bad]
    data.loc[[3, 50], "d"] = value
    if bad == "zero":
        cell = (data["role"] == data.loc[7, "role"]) & (data["size"] == data.loc[7, "size"])
        data.loc[cell, "d"] = 0.0
    with pytest.raises(InvalidWeightsError) as in_memory:
        WEIGHTINGS[case](data)
    with pytest.raises(InvalidWeightsError) as on_engine:
        WEIGHTINGS[case](lazy(data, engine))
    expected, actual = str(in_memory.value), str(on_engine.value)
    assert "'d'" in actual
    assert ("are zero" in actual) is (bad == "zero")
    assert without_places(actual) == without_places(expected)
    assert without_places(actual) != actual


def test_cluster_is_refused(eager: Any) -> None:
    with pytest.raises(InvalidParameterError, match="cluster='team'"):
        rake(lazy(eager, "duckdb"), MARGINS, cluster="team", missing="drop")


def test_cell_weights_need_their_frame(eager: Any) -> None:
    """In-memory data, or a frame with other rows, is refused with a clear error."""
    result = rake(lazy(eager, "duckdb"), MARGINS, missing="drop")
    with pytest.raises(InvalidWeightsError, match=r"result\.apply"):
        nps.score(eager, score="score", weights=result, missing="drop")
    fewer = lazy(eager.iloc[:-10], "duckdb")
    with pytest.raises(InvalidWeightsError, match=r"for 6000 rows but the frame has 5990"):
        nps.score(fewer, score="score", weights=result, missing="drop")
    other = eager.assign(role="board")
    with pytest.raises(InvalidWeightsError, match="'board"):
        nps.score(lazy(other, "duckdb"), score="score", weights=result, missing="drop")


def test_weighting_without_scores(eager: Any) -> None:
    """score=None: only the cells are counted, and no NPS is reported."""
    frame = lazy(eager.drop(columns="score"), "duckdb")
    result = poststratify(frame, {("S",): 0.5, ("M",): 0.3, ("L",): 0.2}, by="size", score=None)
    expected = poststratify(
        eager.drop(columns="score"), {("S",): 0.5, ("M",): 0.3, ("L",): 0.2}, by="size", score=None
    )
    assert result.weighted is None
    assert isinstance(result, CellWeightingResult)
    by_size = dict(zip(eager["size"], expected.weights, strict=True))
    for cell in result.cells:
        assert cell.factor == pytest.approx(by_size[cell.level], rel=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(WEIGHTINGS))
def test_weighted_trend_equals_in_memory(eager: Any, engine: str, case: str) -> None:
    """Per period and segment, rolling windows and every change: as in memory."""
    timed = eager.assign(at=times())
    frame = lazy(timed, engine)
    check_trend(WEIGHTINGS[case](timed), WEIGHTINGS[case](frame), timed, frame)


def test_trim_kernel_counts_equal_repeated_weights() -> None:
    """Trimming values with counts equals trimming the repeated values."""
    rng = np.random.default_rng(3)
    values = rng.gamma(1.0, 1.0, 40)
    counts = rng.integers(1, 50, 40)
    mine, passes, done = kernels.trim(values, upper=2.0, lower=0.2, max_iter=100, counts=counts)
    theirs, passes_r, done_r = kernels.trim(
        np.repeat(values, counts), upper=2.0, lower=0.2, max_iter=100
    )
    assert (passes, done) == (passes_r, done_r)
    np.testing.assert_allclose(np.repeat(mine, counts), theirs, rtol=1e-12)


def test_themes_on_a_duckdb_relation() -> None:
    """A DuckDB relation's comments are read like any frame's."""
    relation = duckdb.sql(
        "select * from (values (3, 'far too expensive'), (10, 'great'), (9, null)) "
        "t(score, comment)"
    )
    result = nps.drivers.themes(relation)
    assert result["price"].n_mentions == 1
    assert result.n_without_comment == 1


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("weights", [None, "d"])
def test_composition_equals_in_memory(eager: Any, engine: str, weights: str | None) -> None:
    """Shares, ratios and chi-square tests per margin, counted on the engine."""
    population = {**MARGINS, "size": {"S": 0.5, "M": 0.3, "L": 0.15, "XL": 0.05}}
    expected = nps.weighting.composition(eager, population, weights=weights)
    actual = nps.weighting.composition(lazy(eager, engine), population, weights=weights)
    assert actual.weighted is expected.weighted
    assert len(actual.rows) == len(expected.rows)
    for a, b in zip(actual.rows, expected.rows, strict=True):
        assert (a.dimension, a.level, a.respondents) == (b.dimension, b.level, b.respondents)
        assert a.sample_share == pytest.approx(b.sample_share, rel=1e-12)
        assert a.ratio == pytest.approx(b.ratio, rel=1e-12)
    for t, u in zip(actual.tests, expected.tests, strict=True):
        assert (t.df, t.n, t.most_over, t.most_under) == (u.df, u.n, u.most_over, u.most_under)
        assert t.chi_square == pytest.approx(u.chi_square, rel=1e-12)
        assert t.p_value == pytest.approx(u.p_value, rel=1e-12)
