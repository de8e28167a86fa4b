"""A catalogue of hostile values, by family, each with the behaviour it must show.

Families: scores, weights, keys, dates, targets, inference parameters, merging. A case
either raises a given error whose message contains a given text, or returns a value a
check compares with an independent reference (a hand count, unit weights, the same
data scored another way), or warns with a given warning.

The inputs are wrong on purpose, of types the annotations refuse: the type checker is
told so once, here, rather than on each line.
"""
# mypy: disable-error-code="arg-type, list-item"

from __future__ import annotations

import math
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from pydantic import ValidationError

import netpromoter as nps
from netpromoter import (
    AmbiguousLabelError,
    Category,
    ColumnNotFoundError,
    EmptyDataError,
    InvalidParameterError,
    InvalidScoreError,
    InvalidTallyError,
    InvalidTimeError,
    InvalidWeightsError,
    MarginTotalsError,
    MissingTargetError,
    MixedWeightsWarning,
    ModelValidationError,
    NetPromoterError,
    NPSCounts,
    ParameterTypeError,
    Response,
    SegmentCounts,
    TargetError,
)


@dataclass(frozen=True)
class Case:
    """One hostile input and what it must do.

    Attributes:
        family: The boundary the input tests.
        name: What the input is.
        call: Makes the call.
        error: The error it must raise (``None``: it must succeed).
        match: A regular expression the message must contain.
        check: For a success, a predicate the result must satisfy.
        warns: A warning the call must give.
    """

    family: str
    name: str
    call: Callable[[], Any]
    error: type[BaseException] | None = None
    match: str = ""
    check: Callable[[Any], bool] | None = None
    warns: type[Warning] | None = None


SCORES4 = [10, 9, 3, 8]
UNIT = nps.score(SCORES4, weights=[1.0] * 4)
NFC = unicodedata.normalize("NFC", "café")
NFD = unicodedata.normalize("NFD", "café")
UTC = timezone.utc


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _same_result(result: nps.NPSResult, reference: nps.NPSResult) -> bool:
    """NPS, SE, interval and effective n equal to rounding."""
    pairs = [
        (result.nps, reference.nps),
        (result.se, reference.se),
        (result.ci[0], reference.ci[0]),
        (result.ci[1], reference.ci[1]),
        (result.effective_n, reference.effective_n),
    ]
    return all(_close(a, b) for a, b in pairs)


def _trend(times: list[object], **options: Any) -> nps.TrendResult:
    scores = [9, 3, 10, 6][: len(times)]
    return nps.trend({"score": scores, "submitted_at": times}, min_n=1, **options)


def _weighted_counts(count: int, total: float, squares: float, score: int = 10) -> NPSCounts:
    counts = [0] * 11
    sums = [0.0] * 11
    squared = [0.0] * 11
    counts[score], sums[score], squared[score] = count, total, squares
    return NPSCounts(
        count=tuple(counts), sum_weights=tuple(sums), sum_squared_weights=tuple(squared)
    )


def _segment_counts(levels: tuple[tuple[Any, ...], ...]) -> SegmentCounts:
    rows = tuple((0,) * 10 + (1,) for _ in levels)
    return SegmentCounts(by=("g",), levels=levels, count=rows)


_SURVEY = {"score": [10, 9, 3, 8, 7, 2], "g": ["a", "a", "b", "b", "a", "b"]}
_PAIR = {"score": [9, 3], "g": ["a", "b"]}


SCORES = [
    Case("scores", "above 10", lambda: nps.score([11]), InvalidScoreError, r"position 0 \(11\)"),
    Case("scores", "negative", lambda: nps.score([-1]), InvalidScoreError, r"position 0 \(-1\)"),
    Case("scores", "fraction", lambda: nps.score([7.5]), InvalidScoreError, r"\(7\.5\)"),
    Case("scores", "boolean", lambda: nps.score([True]), InvalidScoreError, r"\(True\)"),
    Case("scores", "text digit", lambda: nps.score(["9"]), InvalidScoreError, r"\('9'\)"),
    Case("scores", "None", lambda: nps.score([None]), InvalidScoreError, "missing"),
    Case("scores", "NaN", lambda: nps.score([math.nan]), InvalidScoreError, "missing"),
    Case(
        "scores",
        "None dropped",
        lambda: nps.score([None, 9], missing="drop"),
        check=lambda r: (r.nps, r.n, r.n_missing) == (100.0, 1, 1),
    ),
    Case("scores", "a bare int", lambda: nps.score(9), ParameterTypeError, "scores must be a"),
    Case("scores", "text", lambda: nps.score("9"), ParameterTypeError, r"'9' \(str\)"),
    Case("scores", "bytes", lambda: nps.score(b"\t"), ParameterTypeError, "bytes"),
    Case("scores", "empty", lambda: nps.score([]), EmptyDataError, "no scores"),
    Case("scores", "ragged", lambda: nps.score([[9, 10], [3]]), InvalidScoreError, r"\[9, 10\]"),
    Case("scores", "2-D array", lambda: nps.score(np.ones((2, 2))), InvalidScoreError, "one-dim"),
    Case("scores", "huge int", lambda: nps.score([10**100]), InvalidScoreError, "position 0"),
    Case(
        "scores",
        "integral floats",
        lambda: nps.score([9.0, 10.0, 3.0]),
        check=lambda r: _close(r.nps, 100 / 3),
    ),
    Case(
        "scores",
        "uint8",
        lambda: nps.score(np.array([9, 3], dtype=np.uint8)),
        check=lambda r: r.nps == 0.0,
    ),
    Case(
        "scores",
        "responses mixed with ints",
        lambda: nps.score([Response(score=9), 3]),
        ParameterTypeError,
        "item 1 is 3",
    ),
    Case("scores", "classify None", lambda: nps.classify(None), InvalidScoreError, "None"),
    Case(
        "scores",
        "classify numpy int",
        lambda: nps.classify(np.int8(9)),
        check=lambda c: c is Category.PROMOTER,
    ),
    Case("scores", "Response of 11", lambda: Response(score=11), ModelValidationError, "11"),
    Case(
        "scores",
        "one-column mapping",
        lambda: nps.score({"s": [9, 3]}),
        check=lambda r: r.nps == 0.0,
    ),
    Case(
        "scores",
        "column name not text",
        lambda: nps.score([9], score=5),
        ParameterTypeError,
        "score",
    ),
    Case(
        "scores",
        "column of a list",
        lambda: nps.score([9], score="s"),
        ParameterTypeError,
        "not a table",
    ),
]

WEIGHTS = [
    Case(
        "weights",
        "1e300",
        lambda: nps.score(SCORES4, weights=[1e300] * 4),
        check=lambda r: _same_result(r, UNIT),
    ),
    Case(
        "weights",
        "1e-200",
        lambda: nps.score(SCORES4, weights=[1e-200] * 4),
        check=lambda r: _same_result(r, UNIT),
    ),
    Case(
        "weights",
        "2**1000 is bit-identical",
        lambda: nps.score(SCORES4, weights=[2.0**1000] * 4),
        check=lambda r: (
            (r.nps, r.se, r.ci, r.effective_n) == (UNIT.nps, UNIT.se, UNIT.ci, UNIT.effective_n)
        ),
    ),
    Case(
        "weights",
        "totals as given",
        lambda: nps.score(SCORES4, weights=[1e300] * 4),
        check=lambda r: (r.promoters, r.detractors) == (2e300, 1e300),
    ),
    Case(
        "weights",
        "segment at 1e300",
        lambda: nps.segment(_SURVEY, "g", weights=[1e300] * 6, min_n=1),
        check=lambda t: all(
            _close(a["se"], b["se"]) and _close(a["p_value"], b["p_value"])
            for a, b in zip(
                t.to_dicts(),
                nps.segment(_SURVEY, "g", weights=[1.0] * 6, min_n=1).to_dicts(),
                strict=True,
            )
        ),
    ),
    Case(
        "weights",
        "counts at 1e300",
        lambda: NPSCounts.from_scores(SCORES4, weights=[1e300] * 4),
        check=lambda c: (
            c.weight_exponent == math.frexp(1e300)[1] and _same_result(c.result(), UNIT)
        ),
    ),
    Case(
        "weights",
        "negative",
        lambda: nps.score([9, 3], weights=[-1, 1]),
        InvalidWeightsError,
        r"position 0 \(-1",
    ),
    Case(
        "weights",
        "NaN",
        lambda: nps.score([9, 3], weights=[math.nan, 1]),
        InvalidWeightsError,
        r"\(nan\)",
    ),
    Case(
        "weights",
        "infinite",
        lambda: nps.score([9, 3], weights=[math.inf, 1]),
        InvalidWeightsError,
        r"\(inf\)",
    ),
    Case(
        "weights",
        "None",
        lambda: nps.score([9, 3], weights=[None, 1]),
        InvalidWeightsError,
        r"\(None\)",
    ),
    Case(
        "weights",
        "text",
        lambda: nps.score([9, 3], weights=["1", "2"]),
        InvalidWeightsError,
        "numbers",
    ),
    Case(
        "weights",
        "1_0",
        lambda: nps.score([9, 3], weights=["1_0", 1]),
        InvalidWeightsError,
        "'1_0'",
    ),
    Case(
        "weights",
        "complex",
        lambda: nps.score([9, 3], weights=[1 + 2j, 1]),
        InvalidWeightsError,
        "must be numbers",
    ),
    Case(
        "weights",
        "all zero",
        lambda: nps.score([9, 3], weights=[0, 0]),
        InvalidWeightsError,
        "all 2 weights are zero",
    ),
    Case(
        "weights",
        "sum overflows",
        lambda: nps.score([9, 3], weights=[1e308, 1e308]),
        InvalidWeightsError,
        "overflows",
    ),
    Case(
        "weights",
        "too few",
        lambda: nps.score([9, 3], weights=[1.0]),
        InvalidWeightsError,
        "got 1 weights for 2",
    ),
    Case(
        "weights",
        "2-D",
        lambda: nps.score([9, 3], weights=np.ones((2, 2))),
        InvalidWeightsError,
        "one-dimensional",
    ),
    Case(
        "weights",
        "column name with a list",
        lambda: nps.score([9, 3], weights="w"),
        InvalidWeightsError,
        "names a column",
    ),
]

KEYS = [
    Case(
        "keys",
        "1 and '1'",
        lambda: nps.segment({"score": [9, 3], "g": [1, "1"]}, "g"),
        AmbiguousLabelError,
        r"1 \(int\) and '1' \(str\)",
    ),
    Case(
        "keys",
        "NFC and NFD",
        lambda: nps.segment({"score": [9, 3], "g": [NFC, NFD]}, "g"),
        AmbiguousLabelError,
        "NFD",
    ),
    Case(
        "keys",
        "'(missing)' and None",
        lambda: nps.segment({"score": [9, 3], "g": ["(missing)", None]}, "g"),
        AmbiguousLabelError,
        "missing values",
    ),
    Case(
        "keys",
        "True and 'True'",
        lambda: nps.segment({"score": [9, 3], "g": [True, "True"]}, "g"),
        AmbiguousLabelError,
        "True",
    ),
    Case(
        "keys",
        "True and 1 stay apart",
        lambda: nps.segment({"score": [9, 3], "g": [True, 1]}, "g", min_n=1),
        check=lambda t: sorted((repr(r.key[0]), r.n) for r in t) == [("1", 1), ("True", 1)],
    ),
    Case(
        "keys",
        "1 and 1.0 are one value",
        lambda: nps.segment({"score": [9, 3], "g": [1, 1.0]}, "g", min_n=1),
        check=lambda t: [r.n for r in t] == [2],
    ),
    Case(
        "keys",
        "trailing space prints apart",
        lambda: nps.segment({"score": [9, 3], "g": ["a", "a "]}, "g", min_n=1),
        check=lambda t: [r.key for r in t] == [("a",), ("a ",)],
    ),
    Case(
        "keys",
        "polars '(missing)' and null",
        lambda: nps.segment(pl.DataFrame({"score": [9, 3], "g": ["(missing)", None]}), "g"),
        AmbiguousLabelError,
        "missing",
    ),
    Case(
        "keys",
        "lazy NFC and NFD",
        lambda: nps.segment(pl.LazyFrame({"score": [9, 3], "g": [NFC, NFD]}), "g"),
        AmbiguousLabelError,
        "NFD",
    ),
    Case(
        "keys",
        "pandas 1 and '1'",
        lambda: nps.segment(pd.DataFrame({"score": [9, 3], "g": [1, "1"]}), "g"),
        AmbiguousLabelError,
        "'1'",
    ),
    Case(
        "keys",
        "poststratify 1 and '1'",
        lambda: nps.poststratify({"score": [9, 3], "g": [1, "1"]}, {(1,): 5, ("1",): 5}, by="g"),
        AmbiguousLabelError,
        "'1'",
    ),
    Case(
        "keys",
        "stored labels 1 and '1'",
        lambda: _segment_counts(((1,), ("1",))),
        ModelValidationError,
        "show as the same label",
    ),
    Case(
        "keys",
        "merged labels 1 and '1'",
        lambda: _segment_counts(((1,),)) + _segment_counts((("1",),)),
        AmbiguousLabelError,
        "'1'",
    ),
    Case(
        "keys",
        "by a number",
        lambda: nps.segment(_PAIR, 5),
        ParameterTypeError,
        r"by must be a column name",
    ),
    Case(
        "keys", "by nothing", lambda: nps.segment(_PAIR, []), InvalidParameterError, "at least one"
    ),
    Case(
        "keys", "by twice", lambda: nps.segment(_PAIR, ["g", "g"]), InvalidParameterError, "twice"
    ),
    Case(
        "keys",
        "by unknown",
        lambda: nps.segment(_PAIR, "nope"),
        ColumnNotFoundError,
        "no column 'nope'",
    ),
    Case(
        "keys",
        "bands not a mapping",
        lambda: nps.segment(_PAIR, "g", bands=5),
        ParameterTypeError,
        "bands",
    ),
]

DATES = [
    Case(
        "dates",
        "0001 to 9999 by day",
        lambda: _trend(["0001-01-01", "9999-12-31"], period="day"),
        InvalidParameterError,
        "0001-01-01 to 9999-12-31: 3,652,059 periods",
    ),
    Case(
        "dates",
        "0001 to 9999 by year",
        lambda: _trend(["0001-01-01", "9999-12-31"], period="year"),
        check=lambda t: (len(t.rows), t.rows[0].period, t.rows[-1].period) == (9999, "1", "9999"),
    ),
    Case(
        "dates",
        "lazy 0001 to 9999 by day",
        lambda: nps.trend(
            pl.LazyFrame({"score": [9, 3], "t": [date(1, 1, 1), date(9999, 12, 31)]}),
            time="t",
            period="day",
        ),
        InvalidParameterError,
        "3,652,059 periods",
    ),
    Case(
        "dates",
        "offset +99:99",
        lambda: _trend(["2026-01-01T00:00:00+99:99"]),
        InvalidTimeError,
        "not timestamps: position 0",
    ),
    Case(
        "dates",
        "offset +24:00",
        lambda: _trend(["2026-01-01T00:00:00+24:00"]),
        InvalidTimeError,
        "position 0",
    ),
    Case(
        "dates",
        "offset +12:60",
        lambda: _trend(["2026-01-01T00:00:00+12:60", "2026-01-01T00:00:00Z"]),
        InvalidTimeError,
        "position 0",
    ),
    Case(
        "dates",
        "offset +23:59",
        lambda: _trend(["2026-01-01T00:00:00+23:59"], period="day"),
        check=lambda t: [r.period for r in t] == ["2025-12-31"],
    ),
    Case(
        "dates",
        "offset -23:59",
        lambda: _trend(["2026-01-01T00:00:00-23:59"], period="day"),
        check=lambda t: [r.period for r in t] == ["2026-01-01"],
    ),
    Case(
        "dates",
        "past 9999 in UTC",
        lambda: _trend(["9999-12-31T23:00:00-05:00"]),
        InvalidTimeError,
        "outside the calendar",
    ),
    Case(
        "dates",
        "before 0001 in UTC",
        lambda: _trend([datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=5)))]),
        InvalidTimeError,
        "outside the calendar",
    ),
    Case(
        "dates",
        "numpy year 20000",
        lambda: _trend(np.array(["20000-01-01"], dtype="datetime64[D]")),
        InvalidTimeError,
        "outside the calendar",
    ),
    Case(
        "dates",
        "text year 10000",
        lambda: _trend(["10000-01-01T00:00:00Z"]),
        InvalidTimeError,
        "outside the calendar",
    ),
    Case(
        "dates",
        "last month of the calendar",
        lambda: _trend(["9999-12-31"]),
        check=lambda t: (t.rows[0].period, t.rows[0].end) == ("9999-12", date(9999, 12, 31)),
    ),
    Case(
        "dates",
        "last week cut at the calendar's end",
        lambda: _trend(["9999-12-31"], period="week"),
        check=lambda t: (
            (t.rows[0].start, t.rows[0].end) == (date(9999, 12, 27), date(9999, 12, 31))
        ),
    ),
    Case(
        "dates",
        "window of 10**100 days",
        lambda: _trend(["2026-01-01"], period=10**100),
        InvalidParameterError,
        "longer than the calendar",
    ),
    Case(
        "dates",
        "window of 0 days",
        lambda: _trend(["2026-01-01"], period=0),
        InvalidParameterError,
        "unknown period",
    ),
    Case(
        "dates",
        "rolling of a million",
        lambda: _trend(["2026-01-01"], rolling=10**6),
        InvalidParameterError,
        "rolling",
    ),
    Case(
        "dates",
        "origin a datetime",
        lambda: _trend(["2026-01-01"], period=30, origin=datetime(2026, 1, 1, tzinfo=UTC)),
        InvalidParameterError,
        "not a datetime",
    ),
    Case("dates", "naive text", lambda: _trend(["2026-01-01T09:00:00"]), InvalidTimeError, "naive"),
    Case(
        "dates", "30 February", lambda: _trend(["2026-02-30"]), InvalidTimeError, "not timestamps"
    ),
    Case(
        "dates",
        "unknown zone",
        lambda: _trend(["2026-01-01"], timezone="Mars/Olympus"),
        InvalidParameterError,
        "Mars/Olympus",
    ),
    Case("dates", "a number", lambda: _trend([12345]), InvalidTimeError, "not timestamps"),
]

_CELLS = {("a",): 60, ("b",): 40}

TARGETS = [
    Case(
        "targets",
        "negative",
        lambda: nps.poststratify(_SURVEY, {("a",): -1, ("b",): 40}, by="g"),
        TargetError,
        "-1",
    ),
    Case(
        "targets",
        "NaN",
        lambda: nps.poststratify(_SURVEY, {("a",): math.nan, ("b",): 40}, by="g"),
        TargetError,
        "nan",
    ),
    Case(
        "targets",
        "text",
        lambda: nps.poststratify(_SURVEY, {("a",): "60", ("b",): 40}, by="g"),
        TargetError,
        "must be a number",
    ),
    Case(
        "targets",
        "zero with respondents",
        lambda: nps.poststratify(_SURVEY, {("a",): 0, ("b",): 40}, by="g"),
        TargetError,
        "is 0",
    ),
    Case(
        "targets",
        "missing level",
        lambda: nps.poststratify(_SURVEY, {("a",): 60}, by="g"),
        MissingTargetError,
        "'b'",
    ),
    Case(
        "targets",
        "margins disagree",
        lambda: nps.rake(
            {**_SURVEY, "h": ["x", "y"] * 3}, {"g": {"a": 60, "b": 40}, "h": {"x": 10, "y": 10}}
        ),
        MarginTotalsError,
        "must describe the same population",
    ),
    Case(
        "targets",
        "margins not a mapping",
        lambda: nps.rake(_SURVEY, [1, 2]),  # type: ignore[call-overload]
        InvalidParameterError,
        "margins",
    ),
    Case(
        "targets",
        "population_total text",
        lambda: nps.poststratify(_SURVEY, _CELLS, by="g", population_total="x"),  # type: ignore[call-overload]
        ParameterTypeError,
        "population_total",
    ),
    Case(
        "targets",
        "population_total negative",
        lambda: nps.poststratify(_SURVEY, _CELLS, by="g", population_total=-5),
        InvalidParameterError,
        "population_total",
    ),
    Case(
        "targets",
        "targets times 1e300",
        lambda: nps.score(
            _SURVEY["score"],
            weights=nps.poststratify(_SURVEY, {k: v * 1e300 for k, v in _CELLS.items()}, by="g"),
        ),
        check=lambda r: _same_result(
            r, nps.score(_SURVEY["score"], weights=nps.poststratify(_SURVEY, _CELLS, by="g"))
        ),
    ),
    Case(
        "targets",
        "tol of 2",
        lambda: nps.rake(_SURVEY, {"g": {"a": 60, "b": 40}}, tol=2),
        InvalidParameterError,
        "tol",
    ),
    Case(
        "targets",
        "trim below the mean",
        lambda: nps.trim([1.0, 2.0, 3.0], upper=1.0),
        InvalidParameterError,
        "below the mean",
    ),
    Case(
        "targets",
        "invited a number",
        lambda: nps.response_rates(5, {}),
        ParameterTypeError,
        "invited",
    ),
    Case(
        "targets",
        "customer type unknown",
        lambda: nps.response_rates({"a": 5}, {"a": 1}, customer_type="b2x"),
        InvalidParameterError,
        "customer_type",
    ),
    Case(
        "targets",
        "responses above invited",
        lambda: nps.response_rates({"a": 5}, {"a": 6}),
        InvalidParameterError,
        "cannot exceed",
    ),
]

INFERENCE = [
    Case(
        "inference",
        "level 1",
        lambda: nps.score([9, 3], confidence_level=1),
        InvalidParameterError,
        "strictly between",
    ),
    Case(
        "inference",
        "level NaN",
        lambda: nps.score([9, 3], confidence_level=math.nan),
        InvalidParameterError,
        "confidence_level",
    ),
    Case(
        "inference",
        "level text",
        lambda: nps.score([9, 3], confidence_level="0.95"),
        InvalidParameterError,
        "confidence_level",
    ),
    Case(
        "inference",
        "level True",
        lambda: nps.score([9, 3], confidence_level=True),
        InvalidParameterError,
        "confidence_level",
    ),
    Case(
        "inference",
        "unknown method",
        lambda: nps.score([9, 3], method="exakt"),
        InvalidParameterError,
        "unknown method 'exakt'",
    ),
    Case(
        "inference",
        "method an array",
        lambda: nps.score([9, 3], method=np.array(["wald"])),
        InvalidParameterError,
        "method",
    ),
    Case(
        "inference",
        "compare with score",
        lambda: nps.compare([9, 3], [9], method="score"),
        InvalidParameterError,
        "one-sample",
    ),
    Case(
        "inference",
        "compare a number",
        lambda: nps.compare(9, [9]),
        ParameterTypeError,
        "scores must be a",
    ),
    Case(
        "inference",
        "benchmark 101",
        lambda: nps.compare_to_benchmark([9, 3], 101),
        InvalidParameterError,
        "between -100 and 100",
    ),
    Case(
        "inference",
        "alternative unknown",
        lambda: nps.compare_to_benchmark([9, 3], 0, alternative="up"),
        InvalidParameterError,
        "alternative",
    ),
    Case(
        "inference",
        "margin for 0 responses",
        lambda: nps.margin_of_error(0),
        InvalidParameterError,
        "at least 1",
    ),
    Case(
        "inference",
        "margin for 10**20 responses",
        lambda: nps.margin_of_error(10**20),
        InvalidParameterError,
        "at most",
    ),
    Case(
        "inference",
        "sample size for 1e-300 points",
        lambda: nps.sample_size(1e-300),
        InvalidParameterError,
        "would need more than",
    ),
    Case(
        "inference",
        "negative margin",
        lambda: nps.sample_size(-5),
        InvalidParameterError,
        "positive",
    ),
    Case(
        "inference",
        "difference of 1e-300",
        lambda: nps.sample_size_for_difference(1e-300),
        InvalidParameterError,
        "would need more than",
    ),
    Case(
        "inference",
        "power 1",
        lambda: nps.sample_size_for_difference(10, power=1),
        InvalidParameterError,
        "power",
    ),
    Case(
        "inference",
        "two shares",
        lambda: nps.sample_size(5, expected=[0.5, 0.5]),
        InvalidParameterError,
        "expected",
    ),
    Case(
        "inference",
        "share None",
        lambda: nps.sample_size(5, expected=[None, 0.5, 0.5]),
        InvalidParameterError,
        "expected",
    ),
    Case(
        "inference",
        "population below n",
        lambda: nps.score([9, 3, 8], population_size=2),
        InvalidParameterError,
        "smaller than the sample",
    ),
    Case(
        "inference",
        "fractional population",
        lambda: nps.score([9, 3], population_size=2.5),
        InvalidParameterError,
        "whole number",
    ),
    Case(
        "inference",
        "sample size for 10 points",
        lambda: nps.sample_size(10),
        check=lambda n: n == math.ceil(1.959963984540054**2 / 0.1**2),
    ),
    Case(
        "inference",
        "draws 10**9",
        lambda: nps.rank(_SURVEY, "g", draws=10**9),
        InvalidParameterError,
        "at most",
    ),
    Case(
        "inference",
        "negative seed",
        lambda: nps.rank(_SURVEY, "g", seed=-1),
        InvalidParameterError,
        "seed",
    ),
    Case(
        "inference",
        "no resamples",
        lambda: nps.key_drivers({"score": [9, 3, 8, 7], "a": [1, 2, 3, 4]}, ["a"], n_resamples=0),
        InvalidParameterError,
        "n_resamples",
    ),
    Case(
        "inference",
        "min_n negative",
        lambda: nps.segment(_PAIR, "g", min_n=-1),
        InvalidParameterError,
        "min_n",
    ),
    Case(
        "inference",
        "correction unknown",
        lambda: nps.segment(_PAIR, "g", correction="bonferroni"),
        InvalidParameterError,
        "correction",
    ),
]


def _mixed_merge() -> NPSCounts:
    return NPSCounts.from_scores([10], weights=[2.0]) + NPSCounts.from_scores([0])


MERGING = [
    Case(
        "merging",
        "sum of squares too small",
        lambda: _weighted_counts(2, 2.0, 1e-9),
        ModelValidationError,
        "score 10: 2 responses with sum_weights 2.0 cannot have sum_squared_weights 1e-09",
    ),
    Case(
        "merging",
        "sum of squares too big",
        lambda: _weighted_counts(2, 2.0, 5.0),
        ModelValidationError,
        "cannot have sum_squared_weights 5.0",
    ),
    Case(
        "merging",
        "weights without responses",
        lambda: _weighted_counts(0, 1.0, 1.0),
        ModelValidationError,
        "no responses, but sum_weights 1.0",
    ),
    Case(
        "merging",
        "possible sums",
        lambda: _weighted_counts(2, 3.0, 5.0).result(),
        check=lambda r: _close(r.effective_n, 9.0 / 5.0),
    ),
    Case(
        "merging",
        "exponent without weights",
        lambda: NPSCounts(weight_exponent=3),
        ModelValidationError,
        "unweighted tally has no weight_exponent",
    ),
    Case(
        "merging",
        "counts of the wrong length",
        lambda: NPSCounts(count=(1, 2)),
        ModelValidationError,
        "11 entries",
    ),
    Case(
        "merging",
        "still a pydantic ValidationError",
        lambda: isinstance(_catch(lambda: NPSCounts(count=(1, 2))), ValidationError | ValueError),
        check=lambda ok: ok is True,
    ),
    Case(
        "merging",
        "weighted plus unweighted",
        _mixed_merge,
        check=lambda m: m.result().nps == nps.score([10, 0], weights=[2.0, 1.0]).nps,
        warns=MixedWeightsWarning,
    ),
    Case(
        "merging",
        "weighted plus the empty tally",
        lambda: NPSCounts.from_scores([10, 3], weights=[2.0, 1.0]) + NPSCounts(),
        check=lambda m: m == NPSCounts.from_scores([10, 3], weights=[2.0, 1.0]),
    ),
    Case(
        "merging",
        "parts weighted 1e300",
        lambda: (
            NPSCounts.from_scores([10, 9], weights=[1e300] * 2)
            + NPSCounts.from_scores([3, 8], weights=[1e300] * 2)
        ),
        check=lambda m: _same_result(m.result(), UNIT),
    ),
    Case(
        "merging",
        "a 1e-300 part and a unit part",
        lambda: (
            NPSCounts.from_scores([10], weights=[1e-300])
            + NPSCounts.from_scores([3], weights=[1.0])
        ),
        check=lambda m: _same_result(m.result(), nps.score([10, 3], weights=[1e-300, 1.0])),
    ),
    Case(
        "merging",
        "JSON keeps the exponent",
        lambda: NPSCounts.model_validate_json(
            NPSCounts.from_scores([9], weights=[1e300]).model_dump_json()
        ),
        check=lambda c: c == NPSCounts.from_scores([9], weights=[1e300]),
    ),
    Case(
        "merging",
        "segment tallies by other keys",
        lambda: (
            SegmentCounts.from_data(_SURVEY, "g")
            + SegmentCounts.from_data({**_SURVEY, "h": _SURVEY["g"]}, "h")
        ),
        InvalidTallyError,
        "cannot merge",
    ),
    Case(
        "merging",
        "impossible segment sums",
        lambda: SegmentCounts(
            by=("g",),
            levels=(("a",),),
            count=((0,) * 10 + (2,),),
            sum_weights=((0.0,) * 10 + (2.0,),),
            sum_squared_weights=((0.0,) * 10 + (1e-9,),),
        ),
        ModelValidationError,
        r"segment \('a',\), score 10",
    ),
    Case(
        "merging",
        "True and 1 stay apart",
        lambda: _segment_counts(((True,),)) + _segment_counts(((1,),)),
        check=lambda m: len(m.levels) == 2,
    ),
]


def _catch(call: Callable[[], object]) -> BaseException | None:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - returned to the check
        return exc
    return None


CATALOGUE = SCORES + WEIGHTS + KEYS + DATES + TARGETS + INFERENCE + MERGING


def test_catalogue_is_big_enough() -> None:
    """At least 80 cases, every family represented."""
    families = {case.family for case in CATALOGUE}
    assert len(CATALOGUE) >= 80
    assert families == {"scores", "weights", "keys", "dates", "targets", "inference", "merging"}


@pytest.mark.parametrize("case", CATALOGUE, ids=[f"{c.family}-{c.name}" for c in CATALOGUE])
def test_case(case: Case) -> None:
    """The case raises its error with its message, or returns what its check expects."""
    if case.error is not None:
        assert issubclass(case.error, NetPromoterError)
        with pytest.raises(case.error, match=case.match):
            case.call()
        return
    assert case.check is not None
    if case.warns is not None:
        with pytest.warns(case.warns):
            result = case.call()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = case.call()
    assert case.check(result)
