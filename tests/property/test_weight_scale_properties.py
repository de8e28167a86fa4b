"""Scale invariance: multiplying every weight by a positive constant changes no statistic.

Weights from 1e-300 to 1e300 give the results of ordinary weights: the tally engine sums
weights so large or small that their squares would overflow or underflow divided by a
power of two (exact), and every statistic is a ratio of sums of the same degree in the
weights. Multiplying by a power of two ``2**k`` therefore gives bit-identical statistics;
an arbitrary constant ``c`` in [1e-300, 1e300] gives them to rounding (relative 1e-12).
"""

from __future__ import annotations

import itertools
import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from netpromoter import (
    NPSCounts,
    compare,
    poststratify,
    rake,
    rank,
    score,
    segment,
    trend,
)

#: Relative tolerance for an arbitrary constant; NPS points near 0 compare absolutely.
RTOL = 1e-12
ATOL = 1e-10
#: A calibrated design whose cells determine every weight (saturated) has an SE of zero
#: in exact arithmetic; computed, it is the square root of a rounding-level variance
#: (observed up to ~1e-8 points², an SE of ~1e-4 points), which differs between scales.
#: So SEs are compared as variances to this absolute tolerance, in points², and interval
#: ends allow for the SEs' own difference.
VARIANCE_ATOL = 1e-7
_START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@st.composite
def samples(draw: st.DrawFn) -> dict[str, list[Any]]:
    """Scores with a key, a time in three months, a respondent and ordinary weights."""
    n = draw(st.integers(min_value=2, max_value=30))

    def column(elements: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(elements, min_size=n, max_size=n))

    days = column(st.integers(0, 89))
    return {
        "score": column(st.integers(0, 10)),
        "group": column(st.sampled_from(["a", "b", "c"])),
        "submitted_at": [_START + timedelta(days=d, hours=9) for d in days],
        "respondent": column(st.sampled_from(["r1", "r2", "r3", "r4", "r5"])),
        "w": column(st.floats(0.05, 20.0)),
    }


#: A power of two, exact: weights up to 20 · 2**990 (about 2e299) keep finite sums.
powers = st.integers(min_value=-990, max_value=990).map(lambda k: math.ldexp(1.0, k))
#: Any constant in [1e-300, 1e300], log-uniform.
constants = st.floats(min_value=-300.0, max_value=300.0).map(lambda u: 10.0**u)


def _is_power_of_two(factor: float) -> bool:
    return math.frexp(factor)[0] == 0.5


def _scaled(data: dict[str, list[Any]], factor: float) -> dict[str, list[Any]]:
    return {**data, "w": [w * factor for w in data["w"]]}


def _same(a: float | None, b: float | None, *, exact: bool) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if exact:
        return a == b
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


def _assert_same(a: dict[str, Any], b: dict[str, Any], *, exact: bool) -> None:
    assert a.keys() == b.keys()
    for key, value in a.items():
        other = b[key]
        if isinstance(value, float) or isinstance(other, float):
            assert _same(value, other, exact=exact), (key, value, other)
        else:
            assert value == other, (key, value, other)


_STATISTICS = ("nps", "se", "ci_lower", "ci_upper", "effective_n", "margin_of_error")


def _score_stats(data: dict[str, list[Any]], method: str) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-width Wald intervals warn at every scale
        result = score(data["score"], weights=data["w"], method=method)  # type: ignore[arg-type]
    flat = result.to_dict()
    return {k: flat[k] for k in _STATISTICS}


def _segment_stats(data: dict[str, Any]) -> list[dict[str, Any]]:
    table = segment(data, "group", weights="w", min_n=1)
    keep = ("nps", "se", "ci_lower", "ci_upper", "effective_n", "vs_rest", "p_value", "p_adjusted")
    return [{k: row[k] for k in ("group", *keep)} for row in table.to_dicts(overall=True)]


def _trend_stats(data: dict[str, Any], *, respondent: str | None) -> list[dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # first-time respondent caveats, at every scale
        result = trend(data, weights="w", period="month", respondent=respondent, min_n=1)
    keep = ("period", "nps", "se", "ci_lower", "ci_upper", "effective_n")
    changes = ("previous_delta", "previous_ci_lower", "previous_ci_upper", "previous_p_value")
    return [{k: row.get(k) for k in (*keep, *changes)} for row in result.to_dicts()]


@settings(max_examples=60)
@given(samples(), st.one_of(powers, constants), st.sampled_from(["wald", "adjusted_wald", "score"]))
def test_score_is_scale_invariant(data: dict[str, list[Any]], factor: float, method: str) -> None:
    """NPS, SE, interval, margin and effective n of score() ignore the weights' scale."""
    exact = _is_power_of_two(factor)
    _assert_same(
        _score_stats(data, method), _score_stats(_scaled(data, factor), method), exact=exact
    )


@settings(max_examples=60)
@given(samples(), st.one_of(powers, constants))
def test_weight_totals_scale_with_the_weights(data: dict[str, list[Any]], factor: float) -> None:
    """Weighted category totals are the sums of the weights as given: they scale with them."""
    base = score(data["score"], weights=data["w"])
    scaled = score(data["score"], weights=[w * factor for w in data["w"]])
    for name in ("detractors", "passives", "promoters"):
        expected = getattr(base, name) * factor
        assert math.isclose(getattr(scaled, name), expected, rel_tol=1e-12)


@settings(max_examples=40)
@given(samples(), st.one_of(powers, constants))
def test_segment_is_scale_invariant(data: dict[str, list[Any]], factor: float) -> None:
    """Every segment's NPS, SE, interval, effective n and tests ignore the weights' scale."""
    exact = _is_power_of_two(factor)
    for a, b in zip(_segment_stats(data), _segment_stats(_scaled(data, factor)), strict=True):
        _assert_same(a, b, exact=exact)


@settings(max_examples=25)
@given(samples(), st.one_of(powers, constants))
def test_lazy_segment_is_scale_invariant(data: dict[str, list[Any]], factor: float) -> None:
    """A lazy frame tallied on its engine gives the in-memory results at any weight scale."""
    columns = ["score", "group", "w"]
    lazy = pl.LazyFrame({k: _scaled(data, factor)[k] for k in columns})
    for a, b in zip(_segment_stats(data), _segment_stats(lazy), strict=True):  # type: ignore[arg-type]
        _assert_same(a, b, exact=False)


@settings(max_examples=25)
@given(samples(), st.one_of(powers, constants), st.booleans())
def test_trend_is_scale_invariant(data: dict[str, list[Any]], factor: float, paired: bool) -> None:
    """Each period's statistics and changes (paired or not) ignore the weights' scale."""
    exact = _is_power_of_two(factor)
    respondent = "respondent" if paired else None
    for a, b in zip(
        _trend_stats(data, respondent=respondent),
        _trend_stats(_scaled(data, factor), respondent=respondent),
        strict=True,
    ):
        _assert_same(a, b, exact=exact)


@settings(max_examples=40)
@given(samples(), samples(), st.one_of(powers, constants), st.one_of(powers, constants))
def test_compare_is_scale_invariant(
    a: dict[str, list[Any]], b: dict[str, list[Any]], factor_a: float, factor_b: float
) -> None:
    """Comparing two weighted samples ignores each one's weight scale (tallies or results)."""

    def stats(x: dict[str, list[Any]], y: dict[str, list[Any]]) -> dict[str, Any]:
        counts = NPSCounts.from_scores(x["score"], weights=x["w"])
        result = score(y["score"], weights=y["w"])
        out = compare(counts, result).model_dump(include={"delta", "se", "ci", "p_value"})
        return {"lower": out["ci"][0], "upper": out["ci"][1], **out, "ci": None}

    _assert_same(stats(a, b), stats(_scaled(a, factor_a), _scaled(b, factor_b)), exact=False)


@settings(max_examples=20)
@given(samples(), st.one_of(powers, constants))
def test_rank_is_scale_invariant(data: dict[str, list[Any]], factor: float) -> None:
    """Raw and shrunken NPS (and, for a power of two, the draws) ignore the weights' scale.

    With a power of two everything is identical, the seeded posterior draws included.
    Scaled by another constant, the inputs move by rounding: the raw NPS stays equal to
    1e-12, the shrunken NPS to the precision its prior is fitted to (1e-6 relative on
    ``ln α``), and the draws' summaries are not compared (a probability at a tie, a group
    at -100 with the overall at -100, can flip).
    """

    def stats(d: dict[str, Any]) -> list[dict[str, Any]]:
        rows = rank(d, "group", weights="w", draws=200).to_dicts()
        keep = ("group", "nps", "shrunken_nps", "credible_lower", "credible_upper", "prob_above")
        return [{k: row[k] for k in keep} for row in rows]

    exact = _is_power_of_two(factor)
    plain, scaled = stats(data), stats(_scaled(data, factor))
    if exact:
        for a, b in zip(plain, scaled, strict=True):
            _assert_same(a, b, exact=True)
        return
    # Rows are ordered by shrunken NPS: groups whose values agree to rounding (ties, such
    # as every group at -100) may swap places, so rows are matched by group, and the
    # order is checked wherever the values are apart.
    by_group = {row["group"]: row for row in scaled}
    assert sorted(by_group) == sorted(row["group"] for row in plain)
    for a in plain:
        b = by_group[a["group"]]
        assert _same(a["nps"], b["nps"], exact=False)
        assert math.isclose(a["shrunken_nps"], b["shrunken_nps"], rel_tol=1e-6, abs_tol=1e-6)
    values = [row["shrunken_nps"] for row in scaled]
    for first, second in itertools.pairwise(values):
        assert first >= second or math.isclose(first, second, rel_tol=1e-6, abs_tol=1e-6)


#: Population adjustment per group: the targets are the sample's counts times these, so
#: a raking solution always exists (margins consistent with the occupied cells).
_ADJUST = {"a": 1.0, "b": 1.7, "c": 0.6}


@settings(max_examples=30)
@given(samples(), st.one_of(powers, constants), st.booleans())
@example(
    data={
        "score": [0, 7, 0, 0],
        "group": ["a", "a", "b", "b"],
        "submitted_at": [datetime(2026, m, 1, 9, tzinfo=timezone.utc) for m in (1, 2, 2, 2)],
        "respondent": ["r1"] * 4,
        "w": [1.0] * 4,
    },
    factor=10.0,
    raked=True,
)
@example(
    data={
        "score": [0, 0, 7],
        "group": ["a", "b", "a"],
        "submitted_at": [datetime(2026, m, 1, 9, tzinfo=timezone.utc) for m in (1, 1, 2)],
        "respondent": ["r1"] * 3,
        "w": [1.0] * 3,
    },
    factor=10.0,
    raked=True,
)
def test_weighting_based_scoring_is_scale_invariant(
    data: dict[str, list[Any]], factor: float, raked: bool
) -> None:
    """Scoring with calibrated weights ignores the scale of the population targets."""
    halves = ["early" if t.month == 1 else "late" for t in data["submitted_at"]]
    table = {**data, "half": halves}
    group_targets: dict[str, float] = {}
    half_targets: dict[str, float] = {}
    for g, h in zip(data["group"], halves, strict=True):
        group_targets[g] = group_targets.get(g, 0.0) + _ADJUST[g]
        half_targets[h] = half_targets.get(h, 0.0) + _ADJUST[g]

    def stats(c: float) -> dict[str, Any]:
        if raked:
            margins = {
                "group": {g: v * c for g, v in group_targets.items()},
                "half": {h: v * c for h, v in half_targets.items()},
            }
            design = rake(table, margins, tol=1e-12)
        else:
            cells = {(g,): v * c for g, v in group_targets.items()}
            design = poststratify(table, cells, by="group")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = score(np.asarray(data["score"]), weights=design)
        by_group = segment(table, "group", weights=design, min_n=1).to_dicts(overall=True)
        out = {k: result.to_dict()[k] for k in ("nps", "se", "ci_lower", "ci_upper")}
        for row in by_group:
            for k in ("nps", "se", "ci_lower", "ci_upper", "p_value"):
                out[f"{row['group']}_{k}"] = row[k]
        return out

    plain, scaled = stats(1.0), stats(factor)
    assert plain.keys() == scaled.keys()
    for key, value in plain.items():
        other = scaled[key]
        if value is None or other is None or key.endswith("p_value"):
            assert _same(value, other, exact=False), (key, value, other)
        elif key.endswith("se"):
            assert math.isclose(value**2, other**2, rel_tol=1e-9, abs_tol=VARIANCE_ATOL), (
                key,
                value,
                other,
            )
        elif key.endswith(("ci_lower", "ci_upper")):
            se = key.removesuffix("ci_lower").removesuffix("ci_upper") + "se"
            slack = 3 * abs(plain[se] - scaled[se])  # an interval is nps ± z·se, z < 3
            assert math.isclose(value, other, rel_tol=RTOL, abs_tol=ATOL + slack), (key, value)
        else:
            assert _same(value, other, exact=False), (key, value, other)
