"""What a shared output may show of a rejected value: the privacy rule in one place.

A rejected row is reported with its line, its column and the reason. The offending value
itself is shown only when it is of a kind that does not identify anyone (a score, a
weight, an amount, a date, a channel or a language) *and* it has the shape of such a
value. An id, a comment, a segment cell, a whole raw row, or a score cell that holds an
e-mail address or a telephone number, is withheld: ``None``.
"""

from __future__ import annotations

import re
from typing import Literal

ValueKind = Literal["score", "weight", "spend", "date", "channel", "language", "personal"]

#: The longest value shown for a number-like kind (``"10.000"``, ``"1e300"``, ``"7,5"``).
_MAX_NUMBER_CHARS = 12
#: Seven digits or more can be a telephone number, a customer number or a postcode.
_MAX_DIGITS = 6
#: A number as typed, right or wrong: digits, signs, separators, an exponent or hex mark.
_NUMBER_LIKE = re.compile(r"[ \t0-9.,+\-_eExX]*")
#: A single word (``"ten"``, ``"nan"``, ``"email"``, ``"in-app"``), without digits.
_WORD = re.compile(r"[A-Za-z][A-Za-z_\-/]{0,23}")
_DATE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"  # the date, in any order of its parts
    r"(?:[ T]\d{1,2}(?::\d{2}){0,2}(?:[.,]\d{1,9})?)?"  # an optional time
    r"\s*(?:[Zz]|[+-]\d{1,2}(?::?\d{2})?|UTC|GMT)?",  # an optional zone
)


def shareable_value(kind: ValueKind, text: str | None) -> str | None:
    """``text`` when a value of this kind and shape cannot identify anyone, else ``None``.

    Examples:
        >>> shareable_value("score", "7,5"), shareable_value("score", "jan@example.com")
        ('7,5', None)
        >>> shareable_value("date", "31-13-2026"), shareable_value("date", "+31 6 12345678")
        ('31-13-2026', None)
        >>> shareable_value("personal", "r-1001") is None
        True
    """
    if text is None or kind == "personal" or "@" in text:
        return None
    if kind == "date":
        return text if _DATE.fullmatch(text.strip()) else None
    if kind in ("channel", "language"):
        return text if _WORD.fullmatch(text.strip()) or not text.strip() else None
    if len(text) > _MAX_NUMBER_CHARS:
        return None
    if _WORD.fullmatch(text.strip()):
        return text
    digits = sum(char.isdigit() for char in text)
    return text if digits <= _MAX_DIGITS and _NUMBER_LIKE.fullmatch(text) else None


def scrub(reason: str, raw: str | None, shown: str | None) -> str:
    """The reason without the raw value in it, when that value is withheld.

    A reason is written not to repeat the value; this guards the reasons that come from
    elsewhere (a validation message) all the same.

    Examples:
        >>> scrub("bad value 'jan@example.com'", "jan@example.com", None)
        'bad value (value withheld)'
    """
    if shown is not None or raw is None or len(raw.strip()) < 2:  # noqa: PLR2004 - one character says nothing
        return reason
    for form in (repr(raw), raw, raw.strip()):
        reason = reason.replace(form, "(value withheld)")
    return reason
