"""Channel values as exports write them: built-in English and Dutch synonyms, and ``other``.

A channel cell is matched after lower-casing and trimming, first against the caller's
``channel_map`` (``{"whatsapp": "chat"}``), then against the built-in synonyms of
``data/channel_synonyms.json``. A value that matches nothing is read as ``other``: the
response keeps its score, and the reader counts the unknown values in one warning (with a
few examples).
"""

from __future__ import annotations

import json
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

from netpromoter._redaction import shareable_value
from netpromoter.core import Channel
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The file of channel values recognised besides the channel names themselves, per channel.
_SYNONYMS_FILE = "channel_synonyms.json"


def _load_synonyms() -> dict[str, str]:
    """``{value: channel}`` from ``data/channel_synonyms.json`` (``{channel: [value, ...]}``)."""
    file = resources.files("netpromoter") / "data" / _SYNONYMS_FILE
    per_channel: dict[str, list[str]] = json.loads(file.read_text(encoding="utf-8"))
    return {value: channel for channel, values in per_channel.items() for value in values}


#: Channel values recognised besides the channel names themselves (English and Dutch).
SYNONYMS: Mapping[str, str] = MappingProxyType(_load_synonyms())
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
