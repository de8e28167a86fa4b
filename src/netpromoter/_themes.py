"""Tag comments with themes from a dictionary of keywords and phrases.

Matching is on whole words, after the same normalisation of comment and keyword:

1. Case folding (``str.casefold``), typographic apostrophes to ``'``.
2. Accents removed: Unicode NFKD, combining marks dropped (``intuïtief`` = ``intuitief``).
3. Split into words: runs of letters and digits, an inner apostrophe kept (``menu's``);
   everything else (spaces, punctuation, hyphens) separates words, so ``e-mail`` is the
   two-word phrase ``e mail`` and ``price`` does not match inside ``priceless``.
4. Simple plurals: the last word of a keyword also matches its regular plural forms in
   English (``+s``, ``+es``, ``y → ies``) and Dutch (``+en``, ``+s``, ``+'s``, ``+n``,
   a doubled final consonant ``pakket → pakketten``, an undoubled long vowel
   ``probleem → problemen``, ``s → z`` and ``f → v`` as in ``prijs → prijzen``), and a
   keyword given in such a plural also matches its singular. Irregular forms
   (``child → children``) must be listed.

A phrase matches when its words occur consecutively. Compound words are single words:
``klantenservice`` must be listed to be found, ``service`` does not match inside it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from netpromoter._validation import check_type
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import NDArray

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_VOWELS = frozenset("aeiouy")
_LONG_VOWELS = ("aa", "ee", "oo", "uu")
#: Shortest word that gets plural forms; shorter ones (``op``, ``te``) only match exactly.
_MIN_INFLECTED = 3
STARTER_FILE = "themes.json"


def normalise(text: str) -> str:
    """Case-fold, unify apostrophes and strip accents.

    Examples:
        >>> normalise("Intuïtief — Café’s")
        "intuitief — cafe's"
    """
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    return "".join(c for c in folded if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The normalised words of a text.

    Examples:
        >>> words("Levering: TE laat!! (e-mail)")
        ['levering', 'te', 'laat', 'e', 'mail']
    """
    return _WORD.findall(normalise(text))


def word_forms(word: str) -> frozenset[str]:
    """A normalised word and its simple plural (or singular) forms, as matched.

    Examples:
        >>> sorted(word_forms("probleem") & {"problemen", "probleem", "problem"})
        ['probleem', 'problemen']
        >>> "prijzen" in word_forms("prijs"), "deliveries" in word_forms("delivery")
        (True, True)
    """
    forms = {word}
    if len(word) < _MIN_INFLECTED:
        return frozenset(forms)
    last, before = word[-1], word[-2]
    # Plurals of a singular keyword (English, then Dutch).
    forms.update({word + "s", word + "es", word + "'s", word + "en", word + "n"})
    if last == "y" and before not in _VOWELS:
        forms.add(word[:-1] + "ies")
    if last not in _VOWELS:
        soft = {"s": "z", "f": "v"}.get(last, last)
        forms.add(word[:-1] + soft + "en")
        if word[-3:-1] in _LONG_VOWELS:
            forms.add(word[:-2] + soft + "en")
        elif before in _VOWELS and word[-3] not in _VOWELS:
            forms.add(word + last + "en")
    # Singulars of a keyword given in a regular plural.
    for suffix, replacement in (("'s", ""), ("ies", "y"), ("es", ""), ("s", ""), ("en", "")):
        stem = word[: -len(suffix)] + replacement
        if word.endswith(suffix) and len(stem) >= _MIN_INFLECTED:
            forms.add(stem)
    if word.endswith("en") and len(word) - 2 >= _MIN_INFLECTED:
        forms.update(_dutch_singulars(word[:-2]))
    return frozenset(forms)


def _dutch_singulars(stem: str) -> set[str]:
    """Singulars of the stem of a Dutch ``-en`` plural.

    ``prijz → prijs`` (z → s, v → f), ``pakkett → pakket`` (undoubled consonant),
    ``problem → probleem`` (doubled vowel of an open syllable).
    """
    hard = stem[:-1] + {"z": "s", "v": "f"}.get(stem[-1], stem[-1])
    out = {hard}
    if hard[-1] == hard[-2] and hard[-1] not in _VOWELS:
        out.add(hard[:-1])
    elif hard[-1] not in _VOWELS and hard[-2] in _VOWELS and hard[-3] not in _VOWELS:
        out.add(hard[:-1] + hard[-2] + hard[-1])
    return out


@dataclass(frozen=True)
class Keyword:
    """One keyword or phrase of a theme, compiled: the accepted forms of each word."""

    theme: int
    text: str
    forms: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Dictionary:
    """Compiled themes: names, keywords, and an index from a first word to its keywords."""

    themes: tuple[str, ...]
    keywords: tuple[Keyword, ...]
    by_first_word: Mapping[str, tuple[int, ...]]


def compile_dictionary(themes: Mapping[str, Sequence[str]]) -> Dictionary:
    """Check and compile a mapping of theme name → keywords and phrases.

    Raises:
        InvalidParameterError: No themes, a theme name that is not a non-empty string, a
            theme without keywords, a keyword given as a bare string instead of a list, or
            a keyword with no letters or digits.
    """
    check_type(themes, "dictionary", Mapping, "a mapping of theme name to keywords")
    if not themes:
        msg = "the theme dictionary is empty; give at least one theme with keywords"
        raise InvalidParameterError(msg, name="dictionary", value=themes)
    names: list[str] = []
    keywords: list[Keyword] = []
    index: dict[str, list[int]] = {}
    for theme, entries in themes.items():
        if not isinstance(theme, str) or not theme.strip():
            msg = f"theme names must be non-empty strings, got {theme!r}"
            raise InvalidParameterError(msg, name="dictionary", value=theme)
        if isinstance(entries, str):
            msg = (
                f"theme {theme!r}: keywords must be a list of strings, got the string "
                f"{entries!r}; write [{entries!r}]"
            )
            raise InvalidParameterError(msg, name="dictionary", value=entries)
        check_type(entries, "dictionary", Sequence, f"a list of keywords for theme {theme!r}")
        if not entries:
            msg = f"theme {theme!r} has no keywords; give at least one keyword or phrase"
            raise InvalidParameterError(msg, name="dictionary", value=theme)
        for entry in entries:
            tokens = words(entry) if isinstance(entry, str) else []
            if not tokens:
                msg = (
                    f"theme {theme!r}: keyword {entry!r} has no letters or digits; "
                    "give words or phrases"
                )
                raise InvalidParameterError(msg, name="dictionary", value=entry)
            forms = (*(frozenset({t}) for t in tokens[:-1]), word_forms(tokens[-1]))
            keyword = Keyword(len(names), entry, forms)
            for form in forms[0]:
                index.setdefault(form, []).append(len(keywords))
            keywords.append(keyword)
        names.append(theme)
    return Dictionary(tuple(names), tuple(keywords), {k: tuple(v) for k, v in index.items()})


def load_starter() -> dict[str, tuple[str, ...]]:
    """The built-in starter dictionary, English and Dutch keywords merged per theme."""
    text = (resources.files("netpromoter") / "data" / STARTER_FILE).read_text(encoding="utf-8")
    raw: dict[str, dict[str, list[str]]] = json.loads(text)
    return {
        theme: tuple(k for lang in langs.values() for k in lang) for theme, langs in raw.items()
    }


@dataclass(frozen=True)
class Tagging:
    """Which comments mention which themes.

    Attributes:
        has_comment: ``(n,)`` whether the row has a comment that is not blank (a comment
            without any word, such as an emoji, is a comment, untagged).
        mentions: ``(n, T)`` whether the row's comment mentions each theme.
        keyword_hits: Per keyword (in dictionary order), how many comments it matched.
    """

    has_comment: NDArray[np.bool_]
    mentions: NDArray[np.bool_]
    keyword_hits: NDArray[np.int64]


def tag(comments: Sequence[str | None], dictionary: Dictionary) -> Tagging:
    """Tag each comment with the themes whose keywords it contains.

    Args:
        comments: One comment per row; ``None`` or blank means no comment.
        dictionary: A compiled dictionary.

    Returns:
        The tagging; a keyword found several times in one comment counts once.

    Examples:
        >>> d = compile_dictionary({"price": ["prijs"], "support": ["customer service"]})
        >>> t = tag(["Prijzen te hoog", "Great customer services!", None], d)
        >>> t.mentions.tolist()
        [[True, False], [False, True], [False, False]]
    """
    n = len(comments)
    has_comment = np.zeros(n, dtype=bool)
    mentions = np.zeros((n, len(dictionary.themes)), dtype=bool)
    hits = np.zeros(len(dictionary.keywords), dtype=np.int64)
    index = dictionary.by_first_word
    keywords = dictionary.keywords
    for row, comment in enumerate(comments):
        if comment is None or not comment.strip():
            continue
        has_comment[row] = True
        tokens = words(comment)
        found: set[int] = set()
        for i, token in enumerate(tokens):
            for k in index.get(token, ()):
                forms = keywords[k].forms
                if len(forms) == 1 or (
                    i + len(forms) <= len(tokens)
                    and all(tokens[i + j] in forms[j] for j in range(1, len(forms)))
                ):
                    found.add(k)
        for k in found:
            hits[k] += 1
            mentions[row, keywords[k].theme] = True
    return Tagging(has_comment, mentions, hits)
