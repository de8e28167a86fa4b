"""Responses and categories: the 0..10 answer, its category, and what is known about it.

A respondent answers "How likely are you to recommend us to a friend or colleague?" on a
0..10 scale. Scores 0-6 are detractors, 7-8 passives and 9-10 promoters (the boundaries
are in [`_scale`][netpromoter._scale]). These models sit below the input layer, which
reads lists of them; [`netpromoter.core`][netpromoter.core] re-exports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum, EnumMeta
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    field_serializer,
    field_validator,
)

from netpromoter._model import Model
from netpromoter._scale import category_index
from netpromoter._validation import (
    shown,
    validate_score_value,
)
from netpromoter.exceptions import InvalidParameterError

__all__ = ["Category", "Channel", "Response", "classify"]


class _Lookup(EnumMeta):
    """Enumerations whose lookup of an unknown value raises ``InvalidParameterError``.

    ``Channel("fax")`` (or ``Channel(None)``, ``Channel([])``) names the value and the
    choices; the error is still a ``ValueError``, as Python's own lookup error is.
    """

    def __call__(cls, value: object, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        """Look up a member by value."""
        if not args and not kwargs and not isinstance(value, str):
            # Every value is text: anything else (an array, a list, None) is unknown, and
            # comparing it with the values would make numpy 1.x warn instead.
            raise _unknown_member(cls, value)
        try:
            return super().__call__(value, *args, **kwargs)
        except (ValueError, TypeError):
            raise _unknown_member(cls, value) from None


class Category(str, Enum, metaclass=_Lookup):
    """The three Net Promoter categories."""

    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"

    def __str__(self) -> str:
        """Return the plain value (``"promoter"``)."""
        return self.value


class Channel(str, Enum, metaclass=_Lookup):
    """The channel a survey was answered on, and so the one to follow up on."""

    EMAIL = "email"
    SMS = "sms"
    WEB = "web"
    IN_APP = "in_app"
    PHONE = "phone"
    CHAT = "chat"
    OTHER = "other"

    def __str__(self) -> str:
        """Return the plain value (``"email"``)."""
        return self.value


def _unknown_member(cls: EnumMeta, value: object) -> InvalidParameterError:
    """The error for a value that is none of an enumeration's (a ``ValueError``)."""
    name = cls.__name__.lower()
    members: list[Enum] = list(cls)
    listed = ", ".join(repr(member.value) for member in members)
    msg = f"unknown {name} {shown(value)}; expected one of {listed}"
    return InvalidParameterError(msg, name=name, value=value)


def classify(score: object) -> Category:
    """Classify one score: 0-6 detractor, 7-8 passive, 9-10 promoter.

    Args:
        score: An integer from 0 to 10. Integral floats (``9.0``) and numpy integers are
            accepted.

    Returns:
        The category of the score.

    Raises:
        InvalidScoreError: For anything that is not an integer from 0 to 10, including
            ``True``, ``7.5``, ``"7"``, ``None``, NaN, ``-1`` and ``11``.

    Examples:
        >>> classify(9)
        <Category.PROMOTER: 'promoter'>
        >>> str(classify(7.0))
        'passive'
    """
    return _CATEGORIES[category_index(validate_score_value(score))]


_CATEGORIES = (Category.DETRACTOR, Category.PASSIVE, Category.PROMOTER)


def _check_aware(value: object) -> object:
    if isinstance(value, datetime) and (value.tzinfo is None or value.utcoffset() is None):
        msg = (
            f"submitted_at {value.isoformat()} has no time zone; give a timezone-aware "
            "datetime, e.g. datetime(2026, 1, 31, 9, 0, tzinfo=timezone.utc)"
        )
        raise ValueError(msg)
    return value


Score = Annotated[int, BeforeValidator(validate_score_value)]
AwareTimestamp = Annotated[datetime, BeforeValidator(_check_aware)]


class Response(Model):
    """One answer to the recommendation question, with what is known about it.

    Attributes:
        score: The 0..10 answer.
        respondent_id: Who answered; needed for follow-up, pseudonymise it when sharing.
        submitted_at: When, as a timezone-aware datetime.
        channel: Where the survey was answered (and where to follow up).
        language: Language tag such as ``"nl"`` or ``"en-GB"``.
        comment: The open answer ("why this score?").
        account_id: The customer account (B2B), for roll-ups and clustered SEs.
        role: The respondent's role, such as ``"decision_maker"`` or ``"end_user"``.
        spend: The customer's spend, non-negative.
        segments: Further dimensions, such as department, journey step, region,
            customer type or agent.

    Examples:
        >>> r = Response(score=9, channel="email", segments={"region": "north"})
        >>> r.category
        <Category.PROMOTER: 'promoter'>
    """

    score: Score
    respondent_id: str | None = None
    submitted_at: AwareTimestamp | None = None
    channel: Channel | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    comment: str | None = None
    account_id: str | None = None
    role: str | None = None
    spend: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    segments: Mapping[str, str] = Field(default_factory=dict)

    @field_validator("segments", mode="after")
    @classmethod
    def _freeze_segments(cls, value: Mapping[str, str]) -> Mapping[str, str]:
        return MappingProxyType(dict(value))

    @field_serializer("segments")
    def _dump_segments(self, value: Mapping[str, str]) -> dict[str, str]:
        return dict(value)

    @property
    def category(self) -> Category:
        """The category of this response's score."""
        return classify(self.score)

    def __hash__(self) -> int:
        """Hash by value, so equal responses can be de-duplicated in sets."""
        fields = tuple(
            tuple(sorted(v.items())) if isinstance(v, Mapping) else v
            for v in self.__dict__.values()
        )
        return hash(fields)
