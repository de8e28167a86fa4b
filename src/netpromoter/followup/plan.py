"""The follow-up plan: one prioritised, due-dated message per response."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BeforeValidator,
    Field,
    field_serializer,
    field_validator,
)

from netpromoter._model import Model
from netpromoter._models import Category, Channel, Response
from netpromoter._validation import check_choice, check_flag, check_type, shown
from netpromoter.exceptions import (
    InvalidParameterError,
    NoTemplateError,
    ParameterTypeError,
    RenderError,
)
from netpromoter.followup.render import Context, Message, _render, _Rendered
from netpromoter.followup.select import _select
from netpromoter.followup.templates import (
    _PURPOSES,
    ReviewInvitations,
    Template,
    TemplateLibrary,
    _as_channel,
)
from netpromoter.followup.text import _clean
from netpromoter.privacy import pseudonymise

"""The placeholders a template may use, with what each stands for.

``comment`` and ``score`` come from the response; every other value comes from the
``context`` given to [`render`][netpromoter.followup.render] or
[`plan`][netpromoter.followup.plan].
"""


"""Default maximum body length in characters per channel (a template's ``max_length``
overrides it). 160 is one SMS segment in the GSM 7-bit alphabet; see
[`sms_segments`][netpromoter.followup.sms_segments] for the exact segment count."""


_DEFAULT_DUE = {Category.DETRACTOR: 1, Category.PASSIVE: 3, Category.PROMOTER: 5}


_DEFAULT_PRIORITY = {Category.DETRACTOR: 1, Category.PASSIVE: 2, Category.PROMOTER: 3}


_MAX_DAYS = 7


def _complete(defaults: Mapping[Category, int]) -> Callable[[object], object]:
    def fill(value: object) -> object:
        if isinstance(value, Mapping):
            return {**defaults, **{Category(k): v for k, v in value.items()}}
        return value

    return fill


class FollowUpRules(Model):
    """How fast, in which order and with what extras responses are followed up.

    Business days are the weekdays in ``business_days`` that are not in ``holidays``,
    counted in the time zone of each response's ``submitted_at`` (convert timestamps to
    your team's zone first to count in it). A response due in *n* business days is due
    at the same clock time on the *n*-th business day after it was submitted (0 means
    at once): submitted Friday 16:00, one business day gives Monday 16:00. Whatever the
    rules, a follow-up is never due more than ``max_days`` calendar days after
    submission.

    Review invitations: platforms such as Google and Trustpilot forbid "review gating",
    asking only happy customers for a public review, and the US FTC treats it as
    deceptive. So the only choices are ``"none"`` (default: follow-ups never invite a
    public review; promoter messages ask for a private testimonial instead) and
    ``"everyone"`` (every follow-up, detractors included, ends with the library's
    ``review_invite`` postscript, which asks for a review "good or bad"). There is
    deliberately no "promoters only" option.

    Attributes:
        due_business_days: Business days to respond, per category (missing categories
            keep the defaults: detractors 1, passives 3, promoters 5).
        priority: Priority per category, 1 = first (defaults 1, 2, 3).
        business_days: Working weekdays, Monday = 0 (default Monday to Friday).
        holidays: Dates that are not business days.
        max_days: Hard cap in calendar days after submission, 1 to 7.
        review_invitations: ``"none"`` or ``"everyone"`` (see above).
        managed_accounts: Account ids with a named contact (B2B key accounts).
        notify_account_contact_for: Categories for which that contact is flagged to be
            notified (default detractors and passives).

    Examples:
        >>> rules = FollowUpRules(due_business_days={"promoter": 2})
        >>> rules.due_business_days[Category.PROMOTER], rules.due_business_days[Category.DETRACTOR]
        (2, 1)
    """

    due_business_days: Annotated[
        Mapping[Category, Annotated[int, Field(ge=0, le=_MAX_DAYS)]],
        BeforeValidator(_complete(_DEFAULT_DUE)),
    ] = Field(default_factory=lambda: MappingProxyType(dict(_DEFAULT_DUE)))
    priority: Annotated[
        Mapping[Category, Annotated[int, Field(ge=1)]],
        BeforeValidator(_complete(_DEFAULT_PRIORITY)),
    ] = Field(default_factory=lambda: MappingProxyType(dict(_DEFAULT_PRIORITY)))
    business_days: frozenset[Annotated[int, Field(ge=0, le=6)]] = Field(
        default=frozenset(range(5)), min_length=1
    )
    holidays: frozenset[date] = frozenset()
    max_days: int = Field(default=_MAX_DAYS, ge=1, le=_MAX_DAYS)
    review_invitations: ReviewInvitations = "none"
    managed_accounts: frozenset[str] = frozenset()
    notify_account_contact_for: frozenset[Category] = frozenset(
        {Category.DETRACTOR, Category.PASSIVE}
    )

    @field_validator("due_business_days", "priority", mode="after")
    @classmethod
    def _freeze(cls, value: Mapping[Category, int]) -> Mapping[Category, int]:
        return MappingProxyType(dict(value))

    @field_serializer("due_business_days", "priority")
    def _dump_mapping(self, value: Mapping[Category, int]) -> dict[str, int]:
        return {str(k): v for k, v in value.items()}

    def due(self, start: datetime, category: Category) -> datetime:
        """When a response of this category, submitted at ``start``, is due.

        Examples:
            >>> from datetime import datetime, timezone
            >>> friday = datetime(2026, 1, 30, 16, 0, tzinfo=timezone.utc)
            >>> FollowUpRules().due(friday, Category.DETRACTOR).strftime("%A %H:%M")
            'Monday 16:00'
        """
        check_type(start, "start", datetime, "a datetime")
        check_type(category, "category", Category, "a Category")
        cap = start + timedelta(days=self.max_days)
        remaining = self.due_business_days[category]
        day = start
        while remaining > 0 and day < cap:
            day += timedelta(days=1)
            if day.weekday() in self.business_days and day.date() not in self.holidays:
                remaining -= 1
        return min(day, cap)


class FollowUp(Model):
    """One planned follow-up: the message to send, how urgent it is and by when.

    Attributes:
        position: The response's zero-based position in the input.
        message: The rendered message (holds the real respondent id, to send it).
        category: The response's category.
        score: The response's score.
        priority: 1 = first.
        due: When it should be sent (timezone-aware).
        submitted_at: When the response was submitted (``None`` if unknown; ``due``
            then counts from the plan's ``now``).
        planned_at: The plan's ``now``.
        account_id: The customer account, if any.
        notify_account_contact: Whether to tell the account's primary contact.
        invite_review: Whether the message includes a public review invitation.
    """

    position: int = Field(ge=0)
    message: Message
    category: Category
    score: int
    priority: int = Field(ge=1)
    due: datetime
    submitted_at: datetime | None
    planned_at: datetime
    account_id: str | None = None
    notify_account_contact: bool = False
    invite_review: bool = False

    @property
    def channel(self) -> Channel:
        """The channel to send on."""
        return self.message.channel

    @property
    def respondent_id(self) -> str | None:
        """The real respondent id (from the message)."""
        return self.message.respondent_id

    @property
    def overdue(self) -> bool:
        """Whether it was already due when the plan was made."""
        return self.due < self.planned_at

    def to_dict(
        self,
        pseudonymise_key: str | bytes | None = None,
        *,
        include_message: bool | None = None,
    ) -> dict[str, Any]:
        """A flat dictionary of plain values, for tables and exports.

        Args:
            pseudonymise_key: When given, ``respondent_id`` and ``account_id`` are
                replaced by their [`pseudonymise`][netpromoter.privacy.pseudonymise]d
                values and the real ids appear nowhere in the result.
            include_message: Include ``subject`` and ``body``. Default: yes without a
                key, no with one (the body holds the first name and the comment).

        Returns:
            The follow-up as ``{column: value}`` (datetimes stay ``datetime``).
        """
        if include_message is not None:
            check_flag(include_message, "include_message")
        include = pseudonymise_key is None if include_message is None else include_message
        respondent, account = self.message.respondent_id, self.account_id
        if pseudonymise_key is not None:
            try:
                respondent, account = pseudonymise([respondent, account], pseudonymise_key)
            except InvalidParameterError as exc:
                msg = f"pseudonymise_key: {exc}"
                raise type(exc)(msg, name="pseudonymise_key", value=exc.value) from None
        data: dict[str, Any] = {
            "position": self.position,
            "respondent_id": respondent,
            "account_id": account,
            "category": str(self.category),
            "score": self.score,
            "priority": self.priority,
            "due": self.due,
            "submitted_at": self.submitted_at,
            "overdue": self.overdue,
            "channel": str(self.message.channel),
            "language": self.message.language,
            "template_id": self.message.template_id,
            "notify_account_contact": self.notify_account_contact,
            "invite_review": self.invite_review,
            "truncated": self.message.truncated,
        }
        if include:
            data["subject"] = self.message.subject
            data["body"] = self.message.body
        return data

    def __repr__(self) -> str:
        """Short form without personal data."""
        return (
            f"FollowUp(position={self.position}, {self.category}, priority={self.priority}, "
            f"due={self.due.isoformat()}, channel={self.message.channel})"
        )


def plan(
    responses: Iterable[Response],
    *,
    now: datetime | None = None,
    library: TemplateLibrary | None = None,
    context: Context | None = None,
    rules: FollowUpRules | None = None,
    purpose: Literal["follow_up", "close_loop"] = "follow_up",
    language: str | None = None,
    channel: Channel | str | None = None,
    on_error: Callable[[int, str], object] | None = None,
) -> list[FollowUp]:
    """Turn responses into one prioritised, rendered follow-up each.

    Each response gets the template [`select_template`][netpromoter.followup.select_template]
    picks, rendered with [`render`][netpromoter.followup.render], a priority and a due
    date from the rules (by default detractors first and within one business day,
    passives within three, promoters within five, and always within seven calendar
    days of submission). The plan is sorted by priority, then due date, then input
    position.

    Args:
        responses: The responses.
        now: The time of planning, timezone-aware (default: now, UTC). Responses
            without ``submitted_at`` count their due date from here.
        library: The templates (default: built-in).
        context: Placeholder values, a mapping or a function of the response.
        rules: Due dates, priorities, review invitations and account flags.
        purpose: ``"follow_up"`` (answer the response) or ``"close_loop"`` (tell them
            later what changed; give ``change`` in the context).
        language: Use this language for everyone instead of each response's.
        channel: Use this channel for everyone instead of each response's.
        on_error: Called with the position and the reason of each response that cannot
            be planned; the others are planned all the same. By default such responses
            raise ``RenderError`` (after every response was tried).

    Returns:
        One follow-up per response, most urgent first (without the responses passed to
        ``on_error``).

    Raises:
        RenderError: Without ``on_error``, some responses could not be planned (no
            template, a missing placeholder value, ...); the message lists every one with
            its position and reason, and ``positions`` holds them.
        InvalidParameterError: ``now`` has no time zone, the context is invalid, or an
            item is not a ``Response``.

    Examples:
        >>> from datetime import datetime, timezone
        >>> monday = datetime(2026, 2, 2, 9, 0, tzinfo=timezone.utc)
        >>> responses = [
        ...     Response(score=10, respondent_id="r1", channel="email", submitted_at=monday),
        ...     Response(score=2, respondent_id="r2", channel="sms", submitted_at=monday),
        ... ]
        >>> context = {
        ...     "first_name": "Sam",
        ...     "company": "Acme",
        ...     "agent_name": "Noor",
        ...     "referral_link": "https://acme.example/r/x1",
        ...     "feedback_link": "https://acme.example/feedback",
        ... }
        >>> [(f.respondent_id, f.channel.value, f.due.strftime("%a")) for f in plan(
        ...     responses, context=context, now=monday)]
        [('r2', 'sms', 'Tue'), ('r1', 'email', 'Mon')]
    """
    options = _Options.checked(now, library, context, rules, purpose, language, channel)
    return as_follow_ups(options.planned_at, _planned(responses, options, on_error))


def as_follow_ups(planned_at: datetime, planned: Iterable[_Planned]) -> list[FollowUp]:
    """The ``FollowUp`` models of ``_planned``'s tuples, planned at ``planned_at``."""
    return [_follow_up(item._asdict(), planned_at) for item in planned]


def _follow_up(fields: dict[str, Any], planned_at: datetime) -> FollowUp:
    """A ``FollowUp`` of a ``_Planned``'s fields: its id goes into the message."""
    respondent_id, rendered = fields.pop("respondent_id"), fields.pop("message")
    message = Message(respondent_id=respondent_id, **rendered._asdict())
    return FollowUp(**fields, message=message, planned_at=planned_at)


class _Options(NamedTuple):
    """``plan``'s options, checked, with the defaults filled in and ``now`` as ``planned_at``."""

    planned_at: datetime
    library: TemplateLibrary
    context: Context | None
    rules: FollowUpRules
    purpose: Literal["follow_up", "close_loop"]
    language: str | None
    channel: Channel | None

    @classmethod
    def checked(  # noqa: PLR0917 - plan's options, in plan's order
        cls,
        now: datetime | None,
        library: TemplateLibrary | None,
        context: Context | None,
        rules: FollowUpRules | None,
        purpose: Literal["follow_up", "close_loop"],
        language: str | None,
        channel: Channel | str | None,
    ) -> _Options:
        """``plan``'s options, each checked (``InvalidParameterError``, ``ParameterTypeError``)."""
        planned_at = datetime.now(timezone.utc) if now is None else now
        check_type(planned_at, "now", datetime, "a timezone-aware datetime")
        if planned_at.tzinfo is None or planned_at.utcoffset() is None:
            msg = f"now {planned_at.isoformat()} has no time zone; give a timezone-aware datetime"
            raise InvalidParameterError(msg, name="now", value=planned_at)
        library = TemplateLibrary.builtin() if library is None else library
        rules = FollowUpRules() if rules is None else rules
        check_type(library, "library", TemplateLibrary, "a TemplateLibrary")
        check_type(rules, "rules", FollowUpRules, "FollowUpRules")
        check_choice(purpose, "purpose", _PURPOSES)
        if language is not None:
            check_type(language, "language", str, "a language tag such as 'nl' or 'en-GB'")
        return cls(planned_at, library, context, rules, purpose, language, _as_channel(channel))


class _Messages:
    """Each response's message, chosen and rendered once per set of inputs.

    A template is chosen once per (category, comment or not, channel, language); a
    message is rendered once per template choice, comment, score and context values (the
    last ``_RENDERED`` remembered): all a message depends on, its respondent id aside.
    """

    def __init__(self, options: _Options) -> None:
        self.options = options
        self.invite = (
            options.rules.review_invitations == "everyone" and options.purpose == "follow_up"
        )
        self.chosen: dict[tuple[object, ...], tuple[Template, Channel, Template | None]] = {}
        self.rendered: dict[tuple[object, ...], _Rendered] = {}

    def choice(
        self, response: Response, key: tuple[object, ...]
    ) -> tuple[Template, Channel, Template | None]:
        """The template, channel and postscript for a response (all it depends on: ``key``)."""
        found = self.chosen.get(key)
        if found is None:
            options = self.options
            template, target = _select(
                options.library,
                response,
                language=options.language,
                channel=options.channel,
                purpose=options.purpose,
            )
            postscript = None
            if self.invite:
                postscript, _ = _select(
                    options.library,
                    response,
                    language=template.language,
                    channel=target,
                    purpose="review_invite",
                )
            found = self.chosen[key] = (template, target, postscript)
        return found

    def of(self, response: Response) -> _Rendered:
        """The response's message (``RenderError``, ``NoTemplateError``: none)."""
        key = (
            response.category,
            _clean(response.comment) is None,
            response.channel,
            response.language,
        )
        template, target, postscript = self.choice(response, key)
        context = self.options.context
        values = context(response) if callable(context) else context
        same = _same_message(key, response, values)
        message = None if same is None else self.rendered.get(same)
        if message is None:
            message = _render(template, response, values, channel=target, postscript=postscript)
            if same is not None:
                if len(self.rendered) >= _RENDERED:
                    self.rendered.clear()
                self.rendered[same] = message
        return message


_RENDERED = 65_536
"""Rendered messages remembered for reuse by responses that render alike."""


def _same_message(
    choice: tuple[object, ...], response: Response, values: object
) -> tuple[object, ...] | None:
    """What a rendered message depends on, as a key (``None``: values not a plain mapping)."""
    if values is None:
        return (choice, response.comment, response.score)
    if not isinstance(values, Mapping):
        return None
    key = (choice, response.comment, response.score, tuple(values.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


class _Planned(NamedTuple):
    """One follow-up's fields (the plan's ``now`` aside), without models: the bulk form."""

    priority: int
    due: datetime
    position: int
    respondent_id: str | None
    account_id: str | None
    category: Category
    score: int
    submitted_at: datetime | None
    message: _Rendered
    notify_account_contact: bool
    invite_review: bool


def _planned(
    responses: Iterable[Response],
    options: _Options,
    on_error: Callable[[int, str], object] | None,
) -> list[_Planned]:
    """The follow-ups of ``plan``, sorted, as tuples (the bulk form of ``plan``)."""
    check_type(responses, "responses", Iterable, "an iterable of Response")
    if isinstance(responses, str | bytes | Mapping):
        msg = f"responses must be an iterable of Response, got {shown(responses)}"
        raise ParameterTypeError(msg, name="responses", value=responses)
    planned_at, rules = options.planned_at, options.rules
    messages = _Messages(options)
    result: list[_Planned] = []
    problems: list[tuple[int, str]] = []
    for position, response in enumerate(responses):
        if not isinstance(response, Response):
            msg = (
                f"responses must all be Response objects, but the item at position "
                f"{position} is {shown(response)} ({type(response).__name__})"
            )
            raise ParameterTypeError(msg, name="responses", value=response)
        category = response.category
        try:
            message = messages.of(response)
        except (RenderError, NoTemplateError) as exc:
            who = f" (respondent {response.respondent_id})" if response.respondent_id else ""
            problems.append((position, f"position {position}{who}: {exc}"))
            if on_error is not None:
                on_error(*problems[-1])
            continue
        start = response.submitted_at or planned_at
        result.append(
            _Planned(
                priority=rules.priority[category],
                due=rules.due(start, category),
                position=position,
                respondent_id=response.respondent_id,
                account_id=response.account_id,
                category=category,
                score=response.score,
                submitted_at=response.submitted_at,
                message=message,
                notify_account_contact=response.account_id in rules.managed_accounts
                and category in rules.notify_account_contact_for,
                invite_review=message.postscript_id is not None,
            )
        )
    if problems and on_error is None:
        listed = "\n".join(reason for _, reason in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""  # noqa: PLR2004
        msg = (
            f"{len(problems)} of {len(problems) + len(result)} responses could not be "
            f"planned:\n{listed}{more}"
        )
        raise RenderError(msg, positions=[p for p, _ in problems])
    result.sort(key=lambda f: (f.priority, f.due, f.position))
    return result
