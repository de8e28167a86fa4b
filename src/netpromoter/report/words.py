"""The report's words in English and Dutch, and numbers written the way each reads them.

Every text of the report (HTML page, charts, terminal tables) comes from here: a key per
phrase, one template per language. Method, field and channel names are shown in plain
words (``adjusted_wald`` → "adjusted Wald", ``customer_type`` → "customer type",
``in_app`` → "in-app"); Dutch numbers use a decimal comma and a point between thousands.

Examples:
    >>> nl = Words("nl")
    >>> nl("responses", n=nl.count(1234)), nl.number("[-3.2, +14.0]"), nl.method("wald")
    ('1.234 antwoorden', '[-3,2; +14,0]', 'Wald')
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Literal

from netpromoter._results import format as fmt

if TYPE_CHECKING:
    from collections.abc import Iterable

#: A language the report speaks.
ReportLanguage = Literal["en", "nl"]
LANGUAGES: tuple[ReportLanguage, ...] = ("en", "nl")

#: The file of phrases, method and channel names, each as ``{"en": ..., "nl": ...}``.
_WORDS_FILE = "report_words.json"


def _load_words() -> dict[str, dict[str, tuple[str, ...]]]:
    """Each table of ``data/report_words.json``: a key to its text in every language."""
    text = (resources.files("netpromoter") / "data" / _WORDS_FILE).read_text(encoding="utf-8")
    tables: dict[str, dict[str, dict[str, str]]] = json.loads(text)
    return {
        name: {
            key: tuple(phrase[language] for language in LANGUAGES) for key, phrase in table.items()
        }
        for name, table in tables.items()
    }


_WORDS = _load_words()
#: Each phrase in every language of ``LANGUAGES``.
_TEXT = _WORDS["text"]
_METHODS = _WORDS["methods"]
_CHANNELS = _WORDS["channels"]


#: English to Dutch number marks: decimal point and thousands comma swap places.
_DUTCH_MARKS = str.maketrans(",.", ".,")


class Words:
    """The report's words and number style in one language.

    Args:
        language: ``"en"`` or ``"nl"``.
    """

    def __init__(self, language: ReportLanguage = "en") -> None:
        """Choose the language."""
        self.language: ReportLanguage = language
        self._at = LANGUAGES.index(language)

    def __call__(self, key: str, **values: object) -> str:
        """The phrase ``key`` with ``values`` filled in."""
        return _TEXT[key][self._at].format(**values)

    def verdict(self, text: str) -> str:
        """A trend verdict (``"significant rise"``) in this language."""
        return self(text) if text in _TEXT else text

    def method(self, name: str) -> str:
        """An interval method in plain words: ``adjusted_wald`` → "adjusted Wald"."""
        return _METHODS[name][self._at] if name in _METHODS else plain(name)

    def channel(self, name: str) -> str:
        """A follow-up channel in plain words: ``in_app`` → "in-app"."""
        return _CHANNELS[name][self._at] if name in _CHANNELS else plain(name)

    def number(self, text: str) -> str:
        """A number already formatted by ``format`` (English style), in this language.

        Dutch swaps the decimal point and the thousands comma; the comma between an
        interval's limits becomes a semicolon.
        """
        if self.language == "en":
            return text
        return text.replace(", ", "; ").translate(_DUTCH_MARKS)

    def count(self, value: float | None) -> str:
        """A count with thousands separators (``1,234`` / ``1.234``)."""
        return self.number(fmt.count(value))

    def signed(self, value: float | None, digits: int = 1) -> str:
        """An NPS or a change with its sign."""
        return self.number(fmt.signed(value, digits))

    def share(self, value: float | None, digits: int = 1) -> str:
        """A share as a percentage."""
        return self.number(fmt.share(value, digits))

    def interval(self, bounds: tuple[float, float] | None) -> str:
        """An interval of NPS points."""
        return self.number(fmt.interval(bounds))

    def decimal(self, value: float | None, digits: int = 1) -> str:
        """A number with fixed decimals."""
        return self.number(fmt.number(value, digits))

    def p_value(self, value: float | None) -> str:
        """A p-value (``< 0.001`` below that)."""
        return self.number(fmt.p_value(value))


def plain(name: str) -> str:
    """A column or code name in plain words: underscores become spaces."""
    return name.replace("_", " ").strip() or name


def language_of(values: Iterable[object]) -> ReportLanguage:
    """The report's default language: the data's own when it is one of ours and uniform.

    Examples:
        >>> language_of(["nl", "NL-be", None]), language_of(["nl", "en"]), language_of([])
        ('nl', 'en', 'en')
    """
    seen = {str(v).strip().lower()[:2] for v in values if v is not None and str(v).strip()}
    if len(seen) == 1:
        (only,) = seen
        if only in LANGUAGES:
            return "nl" if only == "nl" else "en"
    return "en"
