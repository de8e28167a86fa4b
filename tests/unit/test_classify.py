"""Classification of single scores and the Category enum."""

from __future__ import annotations

import math

import numpy as np
import pytest

from netpromoter import Category, InvalidScoreError, NetPromoterError, classify


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Category.DETRACTOR),
        (6, Category.DETRACTOR),
        (7, Category.PASSIVE),
        (8, Category.PASSIVE),
        (9, Category.PROMOTER),
        (10, Category.PROMOTER),
        (9.0, Category.PROMOTER),
        (np.int8(7), Category.PASSIVE),
        (np.uint64(3), Category.DETRACTOR),
        (np.float32(10.0), Category.PROMOTER),
    ],
)
def test_classify_boundaries(value: object, expected: Category) -> None:
    """Each score falls in its category; integral floats and numpy integers are accepted."""
    assert expected == classify(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "boolean"),
        (False, "boolean"),
        (np.bool_(True), "boolean"),
        (7.5, "not a whole number"),
        ("7", "convert text"),
        (None, "None"),
        (math.nan, "missing"),
        (math.inf, "not a whole number"),
        (-1, "out of range"),
        (11, "out of range"),
        (np.int64(42), "out of range"),
        ([7], r"\[7\]"),
    ],
)
def test_classify_rejects_non_scores(value: object, fragment: str) -> None:
    """Anything but an integer 0..10 raises InvalidScoreError naming the value and range."""
    with pytest.raises(InvalidScoreError, match=fragment) as info:
        classify(value)
    message = str(info.value)
    assert "from 0 to 10" in message


def test_invalid_score_error_is_both_library_and_value_error() -> None:
    """Callers can catch the library base class or plain ValueError."""
    assert issubclass(InvalidScoreError, NetPromoterError)
    assert issubclass(InvalidScoreError, ValueError)


def test_invalid_score_error_keeps_the_value() -> None:
    """The offending value is kept as an attribute."""
    with pytest.raises(InvalidScoreError) as info:
        classify(11)
    assert info.value.value == 11


def test_category_is_a_string_enum() -> None:
    """Members compare equal to, and print as, their plain values."""
    assert [c.value for c in Category] == ["detractor", "passive", "promoter"]
    assert isinstance(Category.PROMOTER, str)
    assert Category("promoter") is Category.PROMOTER
    assert str(Category.PASSIVE) == "passive"
