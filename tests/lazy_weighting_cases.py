"""Weighting on lazy frames: the sample, the weightings, and the in-memory comparison.

Every case weights the same rows in memory (a pandas frame) and on an engine, then
checks that the weights, the result's numbers and the weighted ``score``, ``segment``,
``rank`` and ``trend`` agree: counts exactly, floats to 1e-12 relative.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import netpromoter as nps
from netpromoter.segmentation import rank, segment
from netpromoter.weighting import CellWeightingResult, poststratify, rake, trim

if TYPE_CHECKING:
    from collections.abc import Callable

N_ROWS = 6_000
REL = 1e-12
MARGINS: dict[str, dict[Any, float]] = {
    "role": {"decision maker": 0.3, "end user": 0.6, "admin": 0.1},
    "region": {"north": 0.3, "south": 0.3, "east": 0.3, "(missing)": 0.1},
    "size": {"S": 5_000, "M": 3_000, "L": 2_000},
}
CELLS = {
    (role, size): count
    for (role, size), count in zip(
        [(r, s) for r in ("decision maker", "end user", "admin") for s in ("S", "M", "L")],
        [900, 600, 500, 3_000, 2_000, 1_000, 200, 300, 100],
        strict=True,
    )
}


def columns(seed: int = 20) -> dict[str, list[Any]]:
    """Scores with 3% NaN, three weighting columns (one with nulls), a segment, base weights.

    ``d`` differs within the weighting cells, ``dr`` (by role) does not.
    """
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 11, N_ROWS).astype(np.float64)
    score[rng.random(N_ROWS) < 0.03] = np.nan
    role = rng.choice(["decision maker", "end user", "admin"], N_ROWS, p=[0.1, 0.8, 0.1])
    region = np.array(["north", "south", "east", None], dtype=object)[rng.integers(0, 4, N_ROWS)]
    return {
        "id": list(range(N_ROWS)),
        "score": score.tolist(),
        "role": role.tolist(),
        "region": region.tolist(),
        "size": rng.choice(["S", "M", "L"], N_ROWS, p=[0.6, 0.3, 0.1]).tolist(),
        "team": rng.choice(["a", "b", "c", "d"], N_ROWS).tolist(),
        "d": rng.choice([0.5, 1.0, 2.0, 3.0], N_ROWS).tolist(),
        "dr": [BY_ROLE[r] for r in role.tolist()],
    }


#: Base weights equal within each weighting cell (set by role, a raking margin).
BY_ROLE = {"decision maker": 3.0, "end user": 0.5, "admin": 1.25}
#: The columns as a Spark schema.
SPARK_SCHEMA = (
    "id long, score double, role string, region string, size string, team string, d double, "
    "dr double"
)


WEIGHTINGS: dict[str, Callable[[Any], Any]] = {
    "poststratify": lambda data: poststratify(data, CELLS, by=["role", "size"], missing="drop"),
    "poststratify-base": lambda data: poststratify(
        data, CELLS, by=["role", "size"], weights="d", missing="drop"
    ),
    "rake": lambda data: rake(data, MARGINS, missing="drop"),
    "rake-base": lambda data: rake(data, MARGINS, weights="d", missing="drop"),
    "trim": lambda data: trim(
        rake(data, MARGINS, missing="drop"), upper=1.4, lower=0.5, relative_to="mean"
    ),
    "trim-base": lambda data: trim(
        rake(data, MARGINS, weights="dr", missing="drop"), upper=1.6, lower=0.3, relative_to="mean"
    ),
}


#: Trend options checked with each weighting: segments, and rolling windows of 5 months
#: (whose year-ago windows, 12 months back, are not among the previous-window pairs).
TRENDS: tuple[dict[str, Any], ...] = ({"by": "team"}, {"by": "team", "rolling": 5})


def times(n_rows: int = N_ROWS, seed: int = 21) -> list[datetime]:
    """Answer times spread over 20 months, for the trends."""
    rng = np.random.default_rng(seed)
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    days, hours = rng.integers(0, 600, n_rows), rng.integers(0, 24, n_rows)
    return [start + timedelta(days=int(d), hours=int(h)) for d, h in zip(days, hours, strict=True)]


def check_trend(expected: Any, actual: CellWeightingResult, eager: Any, frame: Any) -> None:
    """``trend`` with the results agrees, lazy and in memory, row for row and change for change.

    ``eager`` and ``frame`` have the answer times as column ``at``.
    """
    for options in TRENDS:
        mine = nps.trend(frame, time="at", weights=actual, missing="drop", **options)
        theirs = nps.trend(eager, time="at", weights=expected, missing="drop", **options)
        rows, reference = mine.to_dicts(overall=True), theirs.to_dicts(overall=True)
        assert len(rows) == len(reference)
        assert any(row["vs_year_ago_se"] is not None for row in reference)
        for a, b in zip(rows, reference, strict=True):
            same(a, b)


def without_places(message: str) -> str:
    """An error message without where the bad values are (rows of a lazy frame have none)."""
    return re.sub(r" \(rows [^)]*\)|: (position|None|nan|-1\.5|<NA>).*$", "", message)


def close(actual: float | None, expected: float | None) -> bool:
    """Equal to 1e-12 relative (NaN equals NaN; 1e-12 absolute near 0)."""
    if actual is None or expected is None:
        return actual is expected
    return bool(actual == pytest.approx(expected, rel=REL, abs=REL, nan_ok=True))


def row_weights(result: CellWeightingResult, frame: Any) -> np.ndarray:
    """The weights ``apply`` adds to ``frame``, collected and ordered by ``id``."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - optional dependency

    applied = nw.from_native(result.apply(frame, name="weight")).select("id", "weight")
    collected = applied.collect().sort("id")
    return np.asarray(collected.get_column("weight").to_numpy(), dtype=np.float64)


def check_result(expected: Any, actual: CellWeightingResult, frame: Any) -> None:
    """The lazy result, and its weights, equal the in-memory result."""
    assert isinstance(actual, CellWeightingResult)
    assert (actual.method, actual.by, actual.n) == (expected.method, expected.by, expected.n)
    assert (actual.iterations, actual.converged) == (expected.iterations, expected.converged)
    assert actual.n_trimmed == expected.n_trimmed
    assert close(actual.upper, expected.upper)
    assert close(actual.lower, expected.lower)
    weights = row_weights(actual, frame)
    np.testing.assert_allclose(weights, expected.weights, rtol=REL, atol=0)
    assert [(t.dimension, t.level, t.respondents) for t in actual.targets] == [
        (t.dimension, t.level, t.respondents) for t in expected.targets
    ]
    for mine, theirs in zip(actual.targets, expected.targets, strict=True):
        for field in ("base_total", "target", "weighted_total", "adjustment"):
            assert close(getattr(mine, field), getattr(theirs, field)), field
    assert close(actual.max_target_error, expected.max_target_error) or (
        abs(actual.max_target_error - expected.max_target_error) < 1e-9
    )
    cells = {c.level: c for c in actual.cells}
    assert sum(c.respondents for c in cells.values()) == expected.n
    d, e = actual.diagnostics, expected.diagnostics
    exact = ["n", "n_zero"]
    floats = ["total", "mean", "effective_n", "design_effect", "cv", "min", "max", "max_to_min"]
    quantiles = ["p1", "p5", "p25", "median", "p75", "p95", "p99"]
    if actual.base is None or d.median is not None:
        floats += quantiles
    else:  # unavailable, and said so: base weights differ within a cell
        assert [getattr(d, f) for f in quantiles] == [None] * len(quantiles)
    assert [getattr(d, f) for f in exact] == [getattr(e, f) for f in exact]
    for field in floats:
        assert getattr(d, field) == pytest.approx(getattr(e, field), rel=1e-9), field
    assert actual.unweighted == expected.unweighted
    for field in ("nps", "se", "margin_of_error", "effective_n", "design_se"):
        assert close(getattr(actual.weighted, field), getattr(expected.weighted, field)), field
    assert close(actual.se_plain_weights, expected.se_plain_weights)


def check_features(expected: Any, actual: Any, eager: Any, frame: Any) -> None:
    """``score``, ``segment`` and ``rank`` with the results agree, lazy and in memory."""
    mine = nps.score(frame, score="score", weights=actual, missing="drop")
    theirs = nps.score(eager, score="score", weights=expected, missing="drop")
    assert (mine.n, mine.n_missing, mine.category_counts) == (
        theirs.n,
        theirs.n_missing,
        theirs.category_counts,
    )
    for field in ("nps", "se", "promoters", "detractors", "effective_n", "design_se"):
        assert close(getattr(mine, field), getattr(theirs, field)), field
    assert close(mine.ci[0], theirs.ci[0])
    assert close(mine.ci[1], theirs.ci[1])
    table = segment(frame, "team", weights=actual, missing="drop")
    reference = segment(eager, "team", weights=expected, missing="drop")
    assert [r.key for r in table] == [r.key for r in reference]
    for a, b in zip([*table, table.overall], [*reference, reference.overall], strict=True):
        same(a.model_dump(), b.model_dump())
    ranked = rank(frame, "team", weights=actual, missing="drop")
    ranked_reference = rank(eager, "team", weights=expected, missing="drop")
    for a, b in zip(ranked, ranked_reference, strict=True):
        same(a.model_dump(), b.model_dump())


def same(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Dumped rows agree: floats to 1e-12 relative, everything else exactly."""
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        mine = actual[key]
        if isinstance(value, float):
            assert close(mine, value), key
        elif isinstance(value, tuple) and value and isinstance(value[0], float):
            assert all(close(x, y) for x, y in zip(mine, value, strict=True)), key
        else:
            assert mine == value, key
