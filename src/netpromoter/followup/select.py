"""Choosing a template: the most specific one for a response, with documented fall-backs."""

from __future__ import annotations

from netpromoter._models import Channel, Response
from netpromoter._validation import check_choice, check_type
from netpromoter.exceptions import (
    NoTemplateError,
)
from netpromoter.followup.templates import (
    _FALLBACK_CHANNEL,
    _FALLBACK_LANGUAGE,
    _PURPOSES,
    Purpose,
    Template,
    TemplateLibrary,
    _as_channel,
    _comment_fits,
)
from netpromoter.followup.text import _clean


def _check_selection(response: object, library: object, language: object, purpose: object) -> None:
    """The arguments ``select_template`` and ``plan`` share, checked before any use."""
    check_type(response, "response", Response, "a Response")
    check_type(library, "library", TemplateLibrary, "a TemplateLibrary")
    if language is not None:
        check_type(language, "language", str, "a language tag such as 'nl' or 'en-GB'")
    check_choice(purpose, "purpose", _PURPOSES)


def _languages_to_try(language: str) -> list[str]:
    tag = language.lower()
    tried = [tag, tag.split("-")[0], _FALLBACK_LANGUAGE]
    return list(dict.fromkeys(tried))


def _select(
    library: TemplateLibrary,
    response: Response,
    *,
    language: str | None,
    channel: Channel | str | None,
    purpose: Purpose,
) -> tuple[Template, Channel]:
    _check_selection(response, library, language, purpose)
    category = response.category
    has_comment = _clean(response.comment) is not None
    wanted = _as_channel(channel) or response.channel or _FALLBACK_CHANNEL
    tag = language or response.language or _FALLBACK_LANGUAGE
    languages = _languages_to_try(tag)
    best: tuple[tuple[int, int, int, int], Template] | None = None
    for position, template in enumerate(library.templates):
        if (
            template.purpose != purpose
            or category not in template.categories
            or not _comment_fits(template.comment, has_comment=has_comment)
            or template.language not in languages
        ):
            continue
        if wanted in template.channels:
            channel_rank = 0
        elif _FALLBACK_CHANNEL in template.channels:
            channel_rank = 1
        else:
            continue
        key = (
            0 if template.comment != "any" else 1,
            channel_rank,
            languages.index(template.language),
            position,
        )
        if best is None or key < best[0]:
            best = (key, template)
    if best is None:
        with_ = "with" if has_comment else "without"
        channels = [str(wanted)] + ([] if wanted == _FALLBACK_CHANNEL else ["email"])
        offered = sorted(
            {
                f"{t.language}/{c}"
                for t in library.templates
                if t.purpose == purpose
                for c in t.channels
            }
        )
        msg = (
            f"no {purpose} template for a {category} {with_} a comment on {wanted} in "
            f"{tag} (tried channels {channels} and languages {languages}); "
            f"the library offers {purpose} templates for: {', '.join(offered) or 'nothing'}"
        )
        raise NoTemplateError(
            msg,
            category=str(category),
            has_comment=has_comment,
            channel=str(wanted),
            language=tag,
            purpose=purpose,
        )
    template = best[1]
    return template, wanted if best[0][1] == 0 else _FALLBACK_CHANNEL


def select_template(
    response: Response,
    library: TemplateLibrary | None = None,
    *,
    language: str | None = None,
    channel: Channel | str | None = None,
    purpose: Purpose = "follow_up",
) -> Template:
    """Pick the most specific template for a response, deterministically.

    Candidates must serve the response's category and fit whether it has a comment
    (a comment that is empty after stripping counts as none). Among them the most
    specific wins, compared in this order:

    1. a template written for "with comment" or "without comment" beats one for both;
    2. the requested channel beats the email fall-back;
    3. the exact language tag (``"nl-BE"``) beats its primary language (``"nl"``),
       which beats the English fall-back;
    4. on a tie, the template that comes first in the library.

    The channel defaults to the response's own channel (reply where the conversation
    started), then email; the language to the response's language, then English.

    Args:
        response: The response to answer.
        library: The templates (default: the built-in library).
        language: Use this language instead of the response's.
        channel: Use this channel instead of the response's.
        purpose: ``"follow_up"``, ``"close_loop"`` or ``"review_invite"``.

    Returns:
        The chosen template.

    Raises:
        NoTemplateError: Nothing fits, even after the fall-backs; the message says what
            was tried and what the library offers.

    Examples:
        >>> r = Response(score=3, channel="sms", language="nl-BE", comment="Te duur")
        >>> select_template(r).id
        'nl-short-detractor-comment'
        >>> select_template(r, channel="web").id  # no web templates: email
        'nl-email-detractor-comment'
    """
    template, _ = _select(
        TemplateLibrary.builtin() if library is None else library,
        response,
        language=language,
        channel=channel,
        purpose=purpose,
    )
    return template
