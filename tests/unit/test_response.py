"""The Response model."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from netpromoter import Category, Channel, Response


def test_response_with_every_field() -> None:
    """A fully described response keeps its values and knows its category."""
    when = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    r = Response(
        score=8,
        respondent_id="R-1",
        submitted_at=when,
        channel="sms",
        language="nl",
        comment="Prima, maar de app kan beter.",
        account_id="ACC-7",
        role="decision_maker",
        spend=120.5,
        segments={"region": "north", "agent": "agent-03"},
    )
    assert r.category is Category.PASSIVE
    assert r.channel is Channel.SMS
    assert r.submitted_at == when
    assert r.segments["agent"] == "agent-03"


def test_response_is_frozen() -> None:
    """Fields cannot be reassigned, and segments cannot be mutated."""
    r = Response(score=9, segments={"region": "north"})
    with pytest.raises(ValidationError):
        r.score = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.segments["region"] = "south"  # type: ignore[index]


def test_response_copy_leaves_original_untouched() -> None:
    """model_copy(update=...) returns a new response."""
    r = Response(score=9)
    changed = r.model_copy(update={"comment": "thanks"})
    assert r.comment is None
    assert changed.comment == "thanks"


def test_equal_responses_hash_equal() -> None:
    """Responses are hashable by value, segments included."""
    a = Response(score=9, segments={"a": "1", "b": "2"})
    b = Response(score=9, segments={"b": "2", "a": "1"})
    assert a == b
    assert len({a, b}) == 1


def test_response_serialises_to_plain_json() -> None:
    """model_dump_json round-trips, segments included."""
    r = Response(score=9, channel="web", segments={"region": "north"})
    assert Response.model_validate_json(r.model_dump_json()) == r
    assert r.model_dump()["segments"] == {"region": "north"}


@pytest.mark.parametrize("bad", [True, 7.5, "7", None, 11, -1, float("nan")])
def test_response_rejects_bad_scores(bad: object) -> None:
    """The score is validated exactly as classify() does."""
    with pytest.raises(ValidationError, match="0 to 10"):
        Response(score=bad)


def test_response_rejects_naive_datetime() -> None:
    """A naive timestamp is rejected with a hint to add a time zone."""
    with pytest.raises(ValidationError, match="has no time zone"):
        Response(score=9, submitted_at=datetime(2026, 1, 1, 12, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spend", -1.0),
        ("spend", float("inf")),
        ("channel", "pigeon"),
        ("language", "Dutch"),
        ("unknown_field", 1),
    ],
)
def test_response_rejects_bad_fields(field: str, value: object) -> None:
    """Negative spend, unknown channels, malformed language tags and extra fields fail."""
    with pytest.raises(ValidationError, match=field):
        Response(score=9, **{field: value})
