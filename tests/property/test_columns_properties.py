"""Invariants of the input layer: factorising and combining keys."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netpromoter._input.factors import DENSE_LIMIT, Factor, band, combine, factorise
from netpromoter._labels import MISSING
from netpromoter._validation import validate_nullable_scores, validate_scores
from netpromoter.exceptions import InvalidScoreError

ints = st.lists(
    st.integers(-(2**40), 2**40) | st.integers(-5, 5) | st.integers(2**40, 2**40 + 9),
    min_size=1,
    max_size=60,
)
floats = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([math.nan, 1.0, 2.0]),
    min_size=1,
    max_size=60,
)
texts = st.lists(st.sampled_from(["a", "b", "zz", "", None]), min_size=1, max_size=60)


def _decoded(factor: Factor) -> list[object]:
    return [factor.levels[c] for c in factor.codes.tolist()]


@given(ints)
def test_integers_decode_to_themselves(values: list[int]) -> None:
    """Every integer row decodes to its own value; compact levels are sorted and used."""
    factor = factorise(np.asarray(values, dtype=np.int64))
    assert _decoded(factor) == values
    compact = factor.compact()
    assert _decoded(compact) == values
    assert list(compact.levels) == sorted(set(values))
    assert len(factor.levels) <= max(DENSE_LIMIT, len(set(values)))


@given(floats)
def test_floats_decode_with_missing(values: list[float]) -> None:
    """Floats decode to themselves, NaN to "(missing)"; levels are sorted, missing last."""
    factor = factorise(np.asarray(values, dtype=np.float64))
    expected = [MISSING if math.isnan(v) else v for v in values]
    assert _decoded(factor) == expected
    numbers = [float(v) for v in factor.levels if isinstance(v, float)]
    assert numbers == sorted(set(numbers))


@given(texts)
def test_objects_decode_with_missing(values: list[str | None]) -> None:
    """Python objects decode to themselves, None to "(missing)"."""
    items = np.empty(len(values), dtype=object)
    items[:] = values
    factor = factorise(items)
    assert _decoded(factor) == [MISSING if v is None else v for v in values]


@given(floats, st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=5, unique=True))
def test_band_puts_each_value_in_its_band(values: list[float], edges: list[float]) -> None:
    """Each value lands in the band whose edges enclose it; nothing is dropped."""
    edges = sorted(edges)
    factor = band(values, edges)
    for value, label in zip(values, _decoded(factor), strict=True):
        if math.isnan(value):
            assert label == MISSING
        elif value < edges[0]:
            assert str(label).startswith("< ")
        elif value >= edges[-1]:
            assert str(label).startswith(">= ")
        else:
            assert str(label).startswith("[")


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 400)), min_size=1, max_size=80))
def test_combine_decodes_to_each_key(pairs: list[tuple[int, int]]) -> None:
    """The group of every row decodes back to that row's codes, dense or compacted."""
    a = Factor(np.asarray([p[0] for p in pairs], dtype=np.uint8), tuple(range(4)))
    b = Factor(np.asarray([p[1] for p in pairs], dtype=np.uint16), tuple(range(401)))
    big = Factor(b.codes, tuple(range(70_000)))  # forces the compacted path
    for grouping in (combine([a, b]), combine([a, big])):
        keys = grouping.key_codes[grouping.group_codes()]
        assert keys.tolist() == [list(p) for p in pairs]


@given(
    st.lists(
        st.tuples(st.integers(-3, 14), st.booleans(), st.integers(-128, 127)),
        min_size=0,
        max_size=60,
    ),
    st.sampled_from(["raise", "drop"]),
)
def test_nullable_scores_validate_as_floats_with_nan(
    rows: list[tuple[int, bool, int]], missing: str
) -> None:
    """Values and a null mask validate as the same column with NaN at the nulls would.

    Kept scores, the kept mask and ``n_missing`` agree; errors agree in type, message and
    positions, except that values are shown as integers; under a null any value may sit.
    """
    nulls = np.array([null for _, null, _ in rows], dtype=bool)
    values = np.array([junk if null else v for v, null, junk in rows], dtype=np.int8)
    floats = np.where(nulls, np.nan, values.astype(np.float64))
    error: InvalidScoreError | None = None
    try:
        expected = validate_scores(floats, missing=missing)  # type: ignore[arg-type]
    except InvalidScoreError as exc:
        error = exc
    if error is not None:
        with pytest.raises(InvalidScoreError) as info:
            validate_nullable_scores(values, nulls, missing=missing)  # type: ignore[arg-type]
        assert info.value.positions == error.positions
        assert str(info.value) == str(error).replace(".0)", ")")
        return
    column = validate_nullable_scores(values, nulls, missing=missing)  # type: ignore[arg-type]
    assert column.scores.tolist() == expected.scores.tolist()
    assert column.scores.dtype == np.int8
    assert column.n_missing == expected.n_missing
    assert (column.kept is None) == (expected.kept is None)
    if column.kept is not None and expected.kept is not None:
        assert column.kept.tolist() == expected.kept.tolist()
