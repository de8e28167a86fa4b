"""Rendering a follow-up: placeholders filled, never evaluated; the comment quoted to fit."""

from __future__ import annotations

import difflib
import html
from collections.abc import Callable, Mapping
from typing import NamedTuple

from netpromoter._model import Model
from netpromoter._models import Channel, Response
from netpromoter._placeholders import PLACEHOLDERS
from netpromoter._validation import check_type
from netpromoter.exceptions import (
    InvalidParameterError,
    RenderError,
)
from netpromoter.followup.templates import _FALLBACK_CHANNEL, Format, Template, _as_channel
from netpromoter.followup.text import (
    _FROM_RESPONSE,
    _WORD_BACKOFF,
    CHANNEL_LIMITS,
    _clean,
    _isolate,
    _one_line,
    _safe_cut,
    _substitute,
    sms_segments,
)

_SHORT_CHANNELS = frozenset({Channel.SMS, Channel.CHAT, Channel.IN_APP})


class Message(Model):
    """A rendered message, ready to send.

    Attributes:
        respondent_id: Who to send it to (the real id: never share a message as is).
        template_id: The template it was rendered from.
        postscript_id: The postscript template appended, if any.
        channel: The channel to send it on.
        language: The template's language.
        subject: The subject line (``None`` for templates without one).
        body: The text (HTML when ``format`` is ``"html"``).
        format: ``"text"`` or ``"html"``.
        truncated: Whether the quoted comment was shortened (with ``…``) to fit.
    """

    respondent_id: str | None
    template_id: str
    postscript_id: str | None = None
    channel: Channel
    language: str
    subject: str | None
    body: str
    format: Format = "text"
    truncated: bool = False

    @property
    def length(self) -> int:
        """The body's length in characters."""
        return len(self.body)

    @property
    def segments(self) -> int | None:
        """SMS segments the body needs (``None`` for other channels)."""
        return sms_segments(self.body) if self.channel == Channel.SMS else None


ContextValues = Mapping[str, str]


Context = ContextValues | Callable[[Response], ContextValues]


def _context_values(context: Context | None, response: Response) -> dict[str, str]:
    values = context(response) if callable(context) else ({} if context is None else context)
    check_type(
        values, "context", Mapping, "a mapping of placeholder to text, or a function giving one"
    )
    result: dict[str, str] = {}
    for key, value in values.items():
        if key in _FROM_RESPONSE:
            msg = f"context key {key!r} is taken from the response; remove it from the context"
            raise InvalidParameterError(msg, name="context", value=key)
        if key not in PLACEHOLDERS:
            close = difflib.get_close_matches(key, list(PLACEHOLDERS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            msg = f"unknown context key {key!r}{hint} Known: {', '.join(PLACEHOLDERS)}"
            raise InvalidParameterError(msg, name="context", value=key)
        if not isinstance(value, str):
            msg = f"context value for {key!r} must be a str, got {type(value).__name__}"
            raise InvalidParameterError(msg, name="context", value=value)
        result[key] = value
    return result


def _message_channel(
    template: Template, response: Response, channel: Channel | str | None
) -> Channel:
    wanted = _as_channel(channel)
    if wanted is not None:
        if wanted not in template.channels:
            served = sorted(str(c) for c in template.channels)
            msg = f"template {template.id!r} serves {served}, not {wanted}"
            raise InvalidParameterError(msg, name="channel", value=str(wanted))
        return wanted
    if response.channel is not None and response.channel in template.channels:
        return response.channel
    if _FALLBACK_CHANNEL in template.channels:
        return _FALLBACK_CHANNEL
    return min(template.channels, key=str)


def render(
    template: Template,
    response: Response,
    context: Context | None = None,
    *,
    channel: Channel | str | None = None,
    postscript: Template | None = None,
) -> Message:
    r"""Fill a template's placeholders for one response, safely.

    Values are inserted in a single pass and never evaluated or scanned again, so a
    comment such as ``{0.__class__}`` or ``${first_name}`` appears literally. User text
    (the comment and every context value) is cleaned: control characters and explicit
    bidi controls are removed, ``\r\n`` becomes ``\n``, and text with right-to-left
    letters is wrapped in a Unicode isolate (FSI … PDI) so it cannot reorder the message
    around it. Emoji and all letters are kept as they are. In ``"html"`` templates values
    are HTML-escaped; subjects get values on one line.

    A respondent without a first name (no value, or a blank one) gets the template's
    text without name (``body_without_name``, ``subject_without_name``) when it has one.

    Length: the limit is the template's ``max_length``, else the channel's entry in
    [`CHANNEL_LIMITS`][netpromoter.followup.CHANNEL_LIMITS] (none for email). When the
    message is too long, only the quoted comment is shortened, visibly: it ends in
    ``...`` on SMS (to stay in the GSM alphabet) and ``…`` elsewhere, cut after a whole
    word when one ends within 12 characters, and never inside an emoji sequence. On
    short channels (SMS, chat, in-app) the comment's line breaks become spaces. Email has
    no limit, so there the full comment is quoted.

    Args:
        template: The template.
        response: The response it answers (``comment`` and ``score`` come from here).
        context: Values for the other placeholders, as a mapping or as a function of the
            response (for per-respondent values such as ``first_name``).
        channel: The channel to render for (default: the response's channel if the
            template serves it, else email, else the template's first channel).
        postscript: A template appended after a blank line (a line break on short
            channels), such as a review invitation. Its length comes on top of the
            limit (on SMS it may take a second segment).

    Returns:
        The message.

    Raises:
        RenderError: A placeholder has no (non-blank) value, the template quotes a
            comment the response does not have, or the message is over the limit even
            without the comment.
        InvalidParameterError: The context has an unknown key, a key taken from the
            response, or a value that is not text; or the template does not serve
            ``channel``.

    Examples:
        A built-in template for a detractor's SMS that quotes the comment:

        >>> import textwrap
        >>> from netpromoter.followup import TemplateLibrary
        >>> t = TemplateLibrary.builtin().get("en-short-detractor-comment")
        >>> r = Response(score=2, channel="sms", comment="{0.__class__} ${first_name}")
        >>> message = render(t, r, {"first_name": "Ana", "agent_name": "Sam", "company": "Acme"})
        >>> print(textwrap.fill(message.body, 80))
        Hi Ana, thank you for telling us: "{0.__class__} ${first_name}". Sorry it went
        this way. I will contact you within 1 business day. - Sam, Acme
    """
    check_type(template, "template", Template, "a Template")
    check_type(response, "response", Response, "a Response")
    if postscript is not None:
        check_type(postscript, "postscript", Template, "a Template")
    rendered = _render(template, response, context, channel=channel, postscript=postscript)
    return Message(respondent_id=response.respondent_id, **rendered._asdict())


class _Rendered(NamedTuple):
    """A rendered message's fields but the respondent id: ``Message`` without validation."""

    template_id: str
    postscript_id: str | None
    channel: Channel
    language: str
    subject: str | None
    body: str
    format: Format
    truncated: bool


def _render(
    template: Template,
    response: Response,
    context: Context | None,
    *,
    channel: Channel | str | None,
    postscript: Template | None,
) -> _Rendered:
    """What ``render`` makes of checked arguments, as a plain tuple (no model built)."""
    target = _message_channel(template, response, channel)
    short = target in _SHORT_CHANNELS
    values = {k: _clean(v) or "" for k, v in _context_values(context, response).items()}
    if not values.get("first_name"):  # greet without a name where the template can
        template = template.without_name()
        postscript = None if postscript is None else postscript.without_name()
    comment = _clean(response.comment)
    parts = [template] if postscript is None else [template, postscript]
    needed = set().union(*(p.placeholders for p in parts))
    if "comment" in needed and comment is None:
        msg = f"template {template.id!r} quotes the comment, but the response has none"
        raise RenderError(msg, template_id=template.id, missing=("comment",))
    missing = sorted(n for n in needed - _FROM_RESPONSE if not values.get(n))
    if missing:
        names = ", ".join(f"{{{n}}}" for n in missing)
        msg = (
            f"template {template.id!r} needs a value for {names}; give it in the context "
            "(messages are never sent with an empty placeholder)"
        )
        raise RenderError(msg, template_id=template.id, missing=missing)
    values["score"] = str(response.score)
    full_comment = "" if comment is None else (_one_line(comment) if short else comment)

    isolated = {k: _isolate(v) for k, v in values.items()}

    def body_with(quote: str) -> str:
        body_values = {**isolated, "comment": _isolate(quote)}
        return ("\n" if short else "\n\n").join(_render_part(p, body_values) for p in parts)

    limit = template.max_length or CHANNEL_LIMITS.get(target)
    if limit is not None and postscript is not None:
        # The postscript comes on top of the template's own limit (on SMS: a second segment).
        limit += len(body_with("")) - len(_render_part(template, {**isolated, "comment": ""}))
    body = body_with(full_comment)
    truncated = False
    if limit is not None and len(body) > limit:
        if "comment" not in needed or len(body_with("")) > limit:
            msg = (
                f"template {template.id!r} renders to {len(body)} characters, over the "
                f"{target} limit of {limit} even without the comment; shorten the template "
                "or the context values"
            )
            raise RenderError(msg, template_id=template.id)
        marker = "..." if target == Channel.SMS else "…"
        body, truncated = _fit(full_comment, body_with, limit, marker)
    subject = None
    if template.subject is not None:
        one_line = {k: _isolate(_one_line(v)) for k, v in values.items()}
        subject = _substitute(template.subject, one_line)
    return _Rendered(
        template_id=template.id,
        postscript_id=None if postscript is None else postscript.id,
        channel=target,
        language=template.language,
        subject=subject,
        body=body,
        format=template.format,
        truncated=truncated,
    )


def _render_part(template: Template, values: Mapping[str, str]) -> str:
    if template.format == "html":
        values = {k: html.escape(v) for k, v in values.items()}
    return _substitute(template.body, values)


def _fit(
    comment: str, body_with: Callable[[str], str], limit: int, marker: str
) -> tuple[str, bool]:
    """The longest visibly shortened comment whose message fits (binary search)."""

    def quoted(k: int) -> str:
        cut = _safe_cut(comment, k)
        if 0 < cut < len(comment) and not comment[cut].isspace():
            space = max(comment.rfind(" ", 0, cut), comment.rfind("\n", 0, cut))
            if space > 0 and cut - space <= _WORD_BACKOFF:
                cut = space  # end on a whole word when one ends close by
        return comment[:cut].rstrip().rstrip(",;:") + marker

    low, high = 0, len(comment) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if len(body_with(quoted(middle))) <= limit:
            low = middle
        else:
            high = middle - 1
    body = body_with(quoted(low))
    if len(body) > limit:  # even the marker alone does not fit: drop the quote's text
        body = body_with("")
    return body, True
