"""Message text: placeholders, the respondent's own words made safe, and SMS length."""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from types import MappingProxyType
from typing import TYPE_CHECKING

from netpromoter._models import Channel
from netpromoter._placeholders import PLACEHOLDERS

if TYPE_CHECKING:
    from collections.abc import Mapping

_FROM_RESPONSE = frozenset({"comment", "score"})


CHANNEL_LIMITS: Mapping[Channel, int] = MappingProxyType(
    {Channel.SMS: 160, Channel.IN_APP: 500, Channel.CHAT: 1000}
)


_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


_LITERAL_BRACES = {"{{": "{", "}}": "}"}


class _PlaceholderError(ValueError):
    """A placeholder error, carrying the text to look for in a file to find its line."""

    def __init__(self, message: str, needle: str) -> None:
        super().__init__(message)
        self.needle = needle


@functools.lru_cache(maxsize=1024)
def _parse_placeholders(text: str) -> tuple[str, ...]:
    names: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in {"{{", "}}"}:
            continue
        inner = match.group(1)
        if inner is None:
            msg = f"stray {token!r}; write {token * 2} for a literal brace"
            raise _PlaceholderError(msg, token)
        if not _NAME.match(inner):
            msg = (
                f"malformed placeholder {token}: placeholders are plain lower-case names such "
                "as {first_name}; attribute access, indexing, format specifications and "
                "expressions are not supported (write {{ and }} for literal braces)"
            )
            raise _PlaceholderError(msg, token)
        if inner not in PLACEHOLDERS:
            close = difflib.get_close_matches(inner, list(PLACEHOLDERS), n=1)
            hint = f"; did you mean {{{close[0]}}}?" if close else ""
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            msg = f"unknown placeholder {token}{hint} Known placeholders: {known}"
            raise _PlaceholderError(msg, token)
        names.append(inner)
    return tuple(dict.fromkeys(names))


def _substitute(text: str, values: Mapping[str, str]) -> str:
    """Replace every placeholder in one pass: inserted values are never scanned again."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return _LITERAL_BRACES[match.group(0)] if name is None else values[name]

    return _TOKEN.sub(replace, text)


# Explicit embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI):
# invisible controls that could reorder the text around a quote ("Trojan source").
# Removed from user text: the C0 and C1 control characters (Unicode category Cc) except
# tab and line feed, and those bidi controls.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_RTL_CLASSES = frozenset({"R", "AL"})


_FSI, _PDI = "\u2068", "\u2069"


_WHITESPACE = re.compile(r"\s+")


_WORD_BACKOFF = 12  # characters a shortened quote may give up to end on a whole word


def _clean(text: str | None) -> str | None:
    r"""User text without control characters and bidi controls, stripped; None if empty.

    Newlines and tabs are kept (``\r\n`` becomes ``\n``); other C0/C1 control
    characters and explicit bidi controls are removed. Letters, emoji, joiners and marks
    are left untouched.
    """
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", text).strip() or None


def _isolate(text: str) -> str:
    """Wrap text holding right-to-left letters in a first-strong isolate (FSI ... PDI)."""
    if not text.isascii() and any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text):
        return f"{_FSI}{text}{_PDI}"
    return text


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text)


def _safe_cut(text: str, k: int) -> int:
    """Move a cut point back so it does not split a character from its marks or joiners."""
    while 0 < k < len(text):
        nxt, prev = text[k], text[k - 1]
        if (
            unicodedata.combining(nxt)
            or nxt in "\u200d\ufe0e\ufe0f"
            or prev == "\u200d"
            or "\U0001f3fb" <= nxt <= "\U0001f3ff"  # skin-tone modifiers
            or "\U000e0020" <= nxt <= "\U000e007f"  # tag characters (flag sequences)
        ):
            k -= 1
            continue
        regional = sum(1 for ch in text[:k] if "\U0001f1e6" <= ch <= "\U0001f1ff")
        if "\U0001f1e6" <= nxt <= "\U0001f1ff" and regional % 2 == 1:
            k -= 1
            continue
        break
    return k


_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """Count the SMS segments a text needs (GSM 03.38 / 3GPP TS 23.038).

    Text that fits the GSM 7-bit alphabet takes 160 septets in one segment and 153 per
    segment when split (extension characters such as ``€`` and ``[`` take two septets).
    Any other character (curly quotes, ``ë``, emoji, right-to-left letters) switches the
    whole message to UCS-2: 70 UTF-16 code units in one segment, 67 per segment when
    split.

    Args:
        text: The message body.

    Returns:
        The number of segments (0 for an empty text).

    Examples:
        >>> sms_segments("a" * 160), sms_segments("a" * 161)
        (1, 2)
        >>> sms_segments("Thanks! 🎉")
        1
        >>> sms_segments("ë" * 71)
        2
    """
    if not text:
        return 0
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in text):
        septets = len(text) + sum(1 for ch in text if ch in _GSM_EXTENSION)
        return 1 if septets <= 160 else math.ceil(septets / 153)  # noqa: PLR2004
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)  # noqa: PLR2004
