"""Channel values as exports write them: built-in English and Dutch synonyms, and ``other``.

A channel cell is matched after lower-casing and trimming, first against the caller's
``channel_map`` (``{"whatsapp": "chat"}``), then against the built-in synonyms below. A
value that matches nothing is read as ``other``: the response keeps its score, and the
reader counts the unknown values in one warning (with a few examples).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from netpromoter._redaction import shareable_value
from netpromoter.core import Channel
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Channel values recognised besides the channel names themselves (English and Dutch).
SYNONYMS: Mapping[str, str] = MappingProxyType(
    {
        "e-mail": "email",
        "e mail": "email",
        "mail": "email",
        "email": "email",
        "nieuwsbrief": "email",
        "telefoon": "phone",
        "telefonisch": "phone",
        "tel": "phone",
        "tel.": "phone",
        "bellen": "phone",
        "gebeld": "phone",
        "telephone": "phone",
        "call": "phone",
        "phone call": "phone",
        "ivr": "phone",
        "sms": "sms",
        "tekst": "sms",
        "tekstbericht": "sms",
        "sms-bericht": "sms",
        "text": "sms",
        "text message": "sms",
        "app": "in_app",
        "in-app": "in_app",
        "in app": "in_app",
        "mobiele app": "in_app",
        "mobile app": "in_app",
        "chat": "chat",
        "livechat": "chat",
        "live chat": "chat",
        "whatsapp": "chat",
        "web": "web",
        "website": "web",
        "webformulier": "web",
        "online": "web",
        "internet": "web",
        "web form": "web",
        "overig": "other",
        "anders": "other",
    }
)
_SHOWN = 3


def channel_key(value: object) -> str:
    """A channel cell as it is looked up: trimmed, lower-case, inner spaces as one."""
    return " ".join(str(value).split()).lower()


def check_channel_map(channel_map: Mapping[str, str] | None) -> dict[str, Channel]:
    """``{value: channel}`` with every target a known channel.

    Raises:
        InvalidParameterError: A target is not a channel.
    """
    allowed = {c.value: c for c in Channel}
    checked: dict[str, Channel] = {}
    for value, target in (channel_map or {}).items():
        channel = allowed.get(channel_key(target).replace("-", "_"))
        if channel is None:
            msg = (
                f"channel_map sends {value!r} to {target!r}, which is not one of "
                f"{', '.join(allowed)}"
            )
            raise InvalidParameterError(msg, name="channel_map", value=target)
        checked[channel_key(value)] = channel
    return checked


def lookup_channel(value: object, channel_map: Mapping[str, Channel]) -> Channel | None:
    """The channel a cell stands for, or ``None`` when it is unknown."""
    key = channel_key(value)
    if key in channel_map:
        return channel_map[key]
    key = SYNONYMS.get(key, key).replace("-", "_")
    try:
        return Channel(key)
    except ValueError:
        return None


def unknown_channels_note(column: str, counts: Mapping[str, int]) -> str:
    """One warning for every unknown channel value of a file (counted, with examples).

    A value that could identify someone (an id, an e-mail address...) is not shown, as in
    the rejection report.
    """
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    examples = ", ".join(f"{_shown(value)} ({n:,})" for value, n in ranked[:_SHOWN])
    more = f" and {len(ranked) - _SHOWN:,} more" if len(ranked) > _SHOWN else ""
    rows = "row" if total == 1 else "rows"
    return (
        f"column {column!r}: {total:,} {rows} with an unknown channel, read as 'other': "
        f"{examples}{more}; map them with channel_map (--channel-map VALUE=CHANNEL)"
    )


def _shown(value: str) -> str:
    shown = shareable_value("channel", value)
    return "a value withheld" if shown is None else repr(shown)
