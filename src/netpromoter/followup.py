"""Follow-up: templates as data, safe rendering, and a prioritised plan per response.

Every respondent should hear back, quickly, on the channel they used, with a message
that fits their category and what they wrote. This module turns responses into
ready-to-send follow-ups:

* [`Template`][netpromoter.followup.Template] and
  [`TemplateLibrary`][netpromoter.followup.TemplateLibrary]: messages as data, built in
  (Dutch and English, email and short SMS/chat variants) or loaded from your own
  TOML, JSON or YAML file;
* [`select_template`][netpromoter.followup.select_template]: the most specific template
  for a response, with documented fall-backs;
* [`render`][netpromoter.followup.render]: fills ``{placeholders}`` without evaluating
  anything and quotes the respondent's comment safely;
* [`plan`][netpromoter.followup.plan]: one prioritised
  [`FollowUp`][netpromoter.followup.FollowUp] per response, with a due date.
"""

from __future__ import annotations

import difflib
import functools
import html
import importlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from netpromoter._model import Model
from netpromoter._validation import check_choice, check_flag, check_type, shown
from netpromoter.core import Category, Channel, Response
from netpromoter.exceptions import (
    InvalidParameterError,
    NoTemplateError,
    NotFoundError,
    ParameterTypeError,
    RenderError,
    TemplateError,
)
from netpromoter.privacy import pseudonymise

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [  # noqa: RUF022 - plain sorted order, as checked against docs/api
    "CHANNEL_LIMITS",
    "FollowUp",
    "FollowUpRules",
    "Message",
    "PLACEHOLDERS",
    "Template",
    "TemplateLibrary",
    "plan",
    "render",
    "select_template",
    "sms_segments",
]

PLACEHOLDERS: Mapping[str, str] = MappingProxyType(
    {
        "agent_name": "who signs the message and follows up",
        "change": "what changed because of feedback like theirs (closing the loop)",
        "comment": "the respondent's own comment, taken from the response",
        "company": "your company or product name",
        "feedback_link": "where to send more feedback at any time",
        "first_name": "the respondent's first name",
        "help_link": "guides or help for features they may be missing",
        "referral_link": "the respondent's personal referral link",
        "referral_code": "the respondent's referral code",
        "review_link": "where to post a public review",
        "score": "the score they gave, 0 to 10, taken from the response",
    }
)
"""The placeholders a template may use, with what each stands for.

``comment`` and ``score`` come from the response; every other value comes from the
``context`` given to [`render`][netpromoter.followup.render] or
[`plan`][netpromoter.followup.plan].
"""

_FROM_RESPONSE = frozenset({"comment", "score"})

CHANNEL_LIMITS: Mapping[Channel, int] = MappingProxyType(
    {Channel.SMS: 160, Channel.IN_APP: 500, Channel.CHAT: 1000}
)
"""Default maximum body length in characters per channel (a template's ``max_length``
overrides it). 160 is one SMS segment in the GSM 7-bit alphabet; see
[`sms_segments`][netpromoter.followup.sms_segments] for the exact segment count."""

Purpose = Literal["follow_up", "close_loop", "review_invite"]
CommentRule = Literal["required", "absent", "any"]
Format = Literal["text", "html"]
ReviewInvitations = Literal["none", "everyone"]

_LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
_PURPOSES: tuple[Purpose, ...] = ("follow_up", "close_loop", "review_invite")
_FALLBACK_LANGUAGE = "en"
_FALLBACK_CHANNEL = Channel.EMAIL
_SHORT_CHANNELS = frozenset({Channel.SMS, Channel.CHAT, Channel.IN_APP})

# ---------------------------------------------------------------------------------------
# Placeholders: parsing and single-pass substitution (nothing is ever evaluated)
# ---------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------
# Cleaning user text
# ---------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------
# SMS segments (GSM 03.38)
# ---------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------
# Templates and the library
# ---------------------------------------------------------------------------------------


def _join_lines(value: object) -> object:
    """Let a file give a long text as a list of lines."""
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)
    return value


Text = Annotated[str, BeforeValidator(_join_lines)]


class Template(Model):
    """One message, as data: who it serves and what it says.

    Placeholders are plain names in braces, ``{first_name}``; ``{{`` and ``}}`` are
    literal braces. Nothing else is allowed inside braces: no attribute access, indexing,
    format specifications or expressions. See
    [`PLACEHOLDERS`][netpromoter.followup.PLACEHOLDERS] for the names.

    Attributes:
        id: Unique name, such as ``"en-email-promoter-comment"``.
        purpose: ``"follow_up"`` (answer a response), ``"close_loop"`` (tell them later
            what changed) or ``"review_invite"`` (a postscript inviting a public review).
        categories: The categories it serves (default: all three).
        channels: The channels it is written for.
        language: Language tag, such as ``"nl"`` or ``"en"``.
        comment: ``"required"`` for respondents who commented (only these templates may
            quote ``{comment}``), ``"absent"`` for those who did not, ``"any"`` for both.
        subject: Subject line; required when ``channels`` includes email.
        body: The text (a file may give it as a list of lines).
        format: ``"text"`` or ``"html"`` (values are then HTML-escaped).
        max_length: Maximum body length in characters; default from
            [`CHANNEL_LIMITS`][netpromoter.followup.CHANNEL_LIMITS].
        description: A note for whoever maintains the template.

    Examples:
        >>> t = Template(
        ...     id="en-sms-thanks",
        ...     channels=["sms"],
        ...     language="en",
        ...     body="Thanks {first_name}! - {company}",
        ... )
        >>> sorted(t.placeholders)
        ['company', 'first_name']
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    purpose: Purpose = "follow_up"
    categories: frozenset[Category] = Field(default=frozenset(Category), min_length=1)
    channels: frozenset[Channel] = Field(min_length=1)
    language: str = Field(pattern=_LANGUAGE_PATTERN)
    comment: CommentRule = "any"
    subject: Text | None = None
    body: Text = Field(min_length=1)
    format: Format = "text"
    max_length: int | None = Field(default=None, gt=0)
    description: str = ""

    @field_validator("subject", "body", mode="after")
    @classmethod
    def _check_placeholders(cls, value: str | None) -> str | None:
        if value is not None:
            _parse_placeholders(value)
        return value

    @field_validator("language", mode="after")
    @classmethod
    def _lower_language(cls, value: str) -> str:
        return value.lower()

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        if "comment" in self.placeholders and self.comment != "required":
            msg = (
                f'quotes {{comment}} but has comment="{self.comment}"; only templates with '
                'comment="required" may quote the comment'
            )
            raise _PlaceholderError(msg, "{comment}")
        if self.subject is not None and ("\n" in self.subject or "\r" in self.subject):
            msg = "the subject has a line break; a subject is one line"
            raise ValueError(msg)
        if self.subject is not None and "comment" in _parse_placeholders(self.subject):
            msg = "the subject quotes {comment}; quote the comment in the body only"
            raise _PlaceholderError(msg, "{comment}")
        if Channel.EMAIL in self.channels and self.purpose != "review_invite" and not self.subject:
            msg = "serves email but has no subject; give a subject line"
            raise ValueError(msg)
        return self

    @field_serializer("categories", "channels")
    def _dump_sets(self, value: frozenset[str]) -> list[str]:
        return sorted(str(v) for v in value)

    @property
    def placeholders(self) -> frozenset[str]:
        """The placeholder names used in the subject and body."""
        names = _parse_placeholders(self.body)
        if self.subject is not None:
            names += _parse_placeholders(self.subject)
        return frozenset(names)


class TemplateLibrary(Model):
    """A validated set of templates with unique ids.

    Build one from the built-in set ([`builtin`][netpromoter.followup.TemplateLibrary.builtin]),
    from your own file ([`from_file`][netpromoter.followup.TemplateLibrary.from_file]), or
    directly from ``Template`` objects. When several templates fit a response equally
    well, the one that comes first wins, so put your own templates first:
    ``mine.extend(TemplateLibrary.builtin())``.

    Attributes:
        templates: The templates, in order.
        source: Where they came from (a file path, or ``"builtin"``).

    Examples:
        >>> library = TemplateLibrary.builtin()
        >>> sorted({t.language for t in library.templates})
        ['en', 'nl']
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    templates: tuple[Template, ...] = Field(min_length=1)
    source: str | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        seen: set[str] = set()
        for template in self.templates:
            if template.id in seen:
                msg = f"duplicate template id {template.id!r}; every id must be unique"
                raise ValueError(msg)
            seen.add(template.id)
        return self

    def __len__(self) -> int:
        """The number of templates."""
        return len(self.templates)

    def get(self, template_id: str) -> Template:
        """The template with this id.

        Raises:
            NotFoundError: No template has this id (a ``KeyError``).
        """
        check_type(template_id, "template_id", str, "a template id")
        for template in self.templates:
            if template.id == template_id:
                return template
        raise NotFoundError("template", template_id, [t.id for t in self.templates])

    def extend(self, other: TemplateLibrary) -> TemplateLibrary:
        """A new library with this library's templates followed by ``other``'s.

        Raises:
            TemplateError: The two libraries share a template id.
        """
        check_type(other, "other", TemplateLibrary, "a TemplateLibrary")
        clash = sorted({t.id for t in self.templates} & {t.id for t in other.templates})
        if clash:
            msg = f"both libraries have templates with ids {clash}; rename yours"
            raise TemplateError(msg, path=other.source, template_id=clash[0])
        return TemplateLibrary(templates=self.templates + other.templates, source=self.source)

    @classmethod
    def builtin(cls) -> TemplateLibrary:
        """The built-in Dutch and English templates (email; short SMS/chat/in-app).

        Covered: promoters, passives and detractors, each with and without a comment;
        closing the loop later; and a review invitation postscript. The Dutch texts use
        the informal "je". Detractor messages promise contact within one business day,
        matching the default [`FollowUpRules`][netpromoter.followup.FollowUpRules].
        """
        return _builtin_library()

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        cover_channels: Iterable[Channel | str] = (),
        cover_languages: Iterable[str] = (),
    ) -> TemplateLibrary:
        """Load templates from a TOML, JSON or YAML file (chosen by the file's suffix).

        The file holds a list of templates under ``templates`` (a top-level list is also
        accepted in JSON and YAML); each has the fields of
        [`Template`][netpromoter.followup.Template]. TOML is read with the standard
        ``tomllib`` (Python 3.11+) or the ``tomli`` package on 3.10
        (``pip install 'netpromoter[toml]'``); YAML needs PyYAML
        (``pip install 'netpromoter[yaml]'``).

        Args:
            path: The file (``.toml``, ``.json``, ``.yaml`` or ``.yml``).
            cover_channels: Channels for which every category, with and without a
                comment, must have a follow-up template (no fall-backs).
            cover_languages: Languages that must be covered likewise (default: every
                language in the file, when ``cover_channels`` is given).

        Returns:
            The validated library.

        Raises:
            TemplateError: The file is malformed (not UTF-8 text, a key repeated in one
                object, ...), is a directory, a template is invalid (an unknown
                placeholder, a duplicate id, a missing field, ...) or a requested
                combination is not covered; the message names the file and, where it
                can be found, the line.
            FileNotFoundError: There is no such file.
        """
        check_type(path, "path", (str, Path), "the path of a template file")
        if isinstance(path, str) and not path.strip():
            msg = "path is empty; give the path of a template file (.toml, .json, .yaml)"
            raise TemplateError(msg, path=path)
        file = Path(path)
        text = _read_template_file(file)
        records = _parse_file(file, text)
        library = _library_from_records(records, str(file), text)
        channels = _channels(cover_channels, "cover_channels")
        cover_languages = _items(cover_languages, "cover_languages")
        if channels or cover_languages:
            library.check_coverage(
                channels=channels or [_FALLBACK_CHANNEL],
                languages=list(cover_languages) or None,
            )
        return library

    def check_coverage(
        self,
        *,
        channels: Iterable[Channel | str],
        languages: Iterable[str] | None = None,
        purpose: Purpose = "follow_up",
    ) -> None:
        """Check that every category, with and without a comment, has a template.

        Coverage is exact: the fall-backs of
        [`select_template`][netpromoter.followup.select_template] do not count.

        Args:
            channels: The channels to cover.
            languages: The languages to cover (default: every language in the library).
            purpose: The kind of message to check.

        Raises:
            TemplateError: Listing every combination that has no template.

        Examples:
            >>> TemplateLibrary.builtin().check_coverage(channels=["email", "sms"])
        """
        check_choice(purpose, "purpose", _PURPOSES)
        wanted_channels = _channels(channels, "channels")
        wanted_languages = (
            sorted({t.language for t in self.templates})
            if languages is None
            else [str(lang).lower() for lang in _items(languages, "languages", str)]
        )
        missing: list[str] = []
        for language in wanted_languages:
            for channel in wanted_channels:
                for category in Category:
                    for has_comment in (True, False):
                        if not any(
                            t.purpose == purpose
                            and t.language == language
                            and channel in t.channels
                            and category in t.categories
                            and _comment_fits(t.comment, has_comment=has_comment)
                            for t in self.templates
                        ):
                            with_ = "with" if has_comment else "without"
                            missing.append(
                                f"{category} {with_} a comment on {channel} in {language}"
                            )
        if missing:
            shown = "; ".join(missing[:10]) + (
                f"; and {len(missing) - 10} more" if len(missing) > 10 else ""  # noqa: PLR2004
            )
            where = f"{self.source}: " if self.source else ""
            msg = f"{where}no {purpose} template for {len(missing)} combination(s): {shown}"
            raise TemplateError(msg, path=self.source)


def _comment_fits(rule: CommentRule, *, has_comment: bool) -> bool:
    return rule == "any" or (rule == "required") == has_comment


@functools.cache
def _builtin_library() -> TemplateLibrary:
    resource = resources.files("netpromoter") / "followup_templates" / "builtin.json"
    text = resource.read_text(encoding="utf-8")
    records = _parse_json("builtin.json", text)
    return _library_from_records(records, "builtin", text)


# ---------------------------------------------------------------------------------------
# Reading template files, with file and line in every error
# ---------------------------------------------------------------------------------------


def _read_template_file(file: Path) -> str:
    """The text of a template file; a directory or bytes that are not UTF-8 are errors."""
    if file.is_dir():
        msg = f"{file}: is a directory; give a .toml, .json, .yaml or .yml template file"
        raise TemplateError(msg, path=str(file))
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        msg = f"{file}: cannot be read ({exc.strerror or exc}); check its permissions"
        raise TemplateError(msg, path=str(file)) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        msg = (
            f"{file}, line {line}: not UTF-8 text (byte {data[exc.start : exc.start + 1]!r}); "
            "save the file as UTF-8"
        )
        raise TemplateError(msg, path=str(file), line=line) from exc


class _RepeatedKeyError(ValueError):
    def __init__(self, key: object) -> None:
        super().__init__(key)
        self.key = key


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members; a key given twice would hide one of its values."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _RepeatedKeyError(key)
        out[key] = value
    return out


def _repeated_key(path: str, text: str, key: object) -> TemplateError:
    """The error of a key given twice in one object, at its second occurrence's line."""
    found = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.search(r"""(^|[\s{,])["']?""" + re.escape(str(key)) + r"""["']?\s*:""", line)
    ]
    line = found[1] if len(found) > 1 else (found[0] if found else None)
    where = f", line {line}" if line else ""
    msg = f"{path}{where}: the key {key!r} is given twice in one object; keep one of them"
    return TemplateError(msg, path=path, line=line)


def _parse_file(file: Path, text: str) -> list[Any]:
    suffix = file.suffix.lower()
    if suffix == ".json":
        return _parse_json(str(file), text)
    if suffix == ".toml":
        return _parse_toml(str(file), text)
    if suffix in {".yaml", ".yml"}:
        return _parse_yaml(str(file), text)
    msg = f"{file}: unknown template file type {suffix!r}; use .toml, .json, .yaml or .yml"
    raise TemplateError(msg, path=str(file))


def _records(path: str, data: object) -> list[Any]:
    if isinstance(data, dict):
        extra = sorted(set(data) - {"templates"})
        if extra:
            msg = f"{path}: unknown top-level key(s) {extra}; put templates under 'templates'"
            raise TemplateError(msg, path=path)
        data = data.get("templates")
    if not isinstance(data, list) or not data:
        msg = f"{path}: expected a non-empty list of templates under 'templates'"
        raise TemplateError(msg, path=path)
    return data


def _parse_json(path: str, text: str) -> list[Any]:
    try:
        data = json.loads(text, object_pairs_hook=_unique_members)
    except _RepeatedKeyError as exc:
        raise _repeated_key(path, text, exc.key) from exc
    except RecursionError as exc:
        msg = f"{path}: malformed JSON: nested too deeply"
        raise TemplateError(msg, path=path) from exc
    except json.JSONDecodeError as exc:
        msg = f"{path}, line {exc.lineno}: malformed JSON: {exc.msg} (column {exc.colno})"
        raise TemplateError(msg, path=path, line=exc.lineno) from exc
    return _records(path, data)


def _parse_toml(path: str, text: str) -> list[Any]:
    try:
        toml = importlib.import_module("tomllib")
    except ModuleNotFoundError:  # Python 3.10
        try:
            toml = importlib.import_module("tomli")
        except ModuleNotFoundError as exc:
            msg = (
                f"{path}: reading TOML on Python 3.10 needs the optional 'tomli' package "
                "(pip install 'netpromoter[toml]'), or use a JSON file"
            )
            raise TemplateError(msg, path=path) from exc
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else getattr(exc, "lineno", None)
        where = f", line {line}" if line else ""
        msg = f"{path}{where}: malformed TOML: {exc}"
        raise TemplateError(msg, path=path, line=line) from exc
    return _records(path, data)


def _parse_yaml(path: str, text: str) -> list[Any]:
    try:
        yaml = importlib.import_module("yaml")
    except ModuleNotFoundError as exc:
        msg = f"{path}: reading YAML needs PyYAML (pip install 'netpromoter[yaml]')"
        raise TemplateError(msg, path=path) from exc
    try:
        data = yaml.load(text, Loader=_unique_key_loader(yaml))  # a SafeLoader
    except _RepeatedKeyError as exc:
        raise _repeated_key(path, text, exc.key) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else int(mark.line) + 1
        where = f", line {line}" if line else ""
        problem = getattr(exc, "problem", None) or str(exc)
        msg = f"{path}{where}: malformed YAML: {problem}"
        raise TemplateError(msg, path=path, line=line) from exc
    return _records(path, data)


@functools.cache
def _unique_key_loader(yaml: Any) -> Any:  # noqa: ANN401 - the yaml module and a loader class
    """PyYAML's SafeLoader, refusing a mapping that gives a key twice (it keeps the last)."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # noqa: ANN401, FBT001, FBT002 - PyYAML's signature
            seen: set[object] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if isinstance(key, str | int | float | bool) and key in seen:
                    raise _RepeatedKeyError(key)
                if isinstance(key, str | int | float | bool):
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return Loader


def _line_of_id(text: str, template_id: object, occurrence: int = 1) -> int | None:
    if not isinstance(template_id, str):
        return None
    pattern = re.compile(
        r"""(^|[\s{,])["']?id["']?\s*[:=]\s*["']?"""
        + re.escape(template_id)
        + r"""["']?\s*(,|}|#|$)"""
    )
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            seen += 1
            if seen == occurrence:
                return number
    return None


def _line_of(text: str, needle: str, start: int | None) -> int | None:
    lines = text.splitlines()
    first = (start or 1) - 1
    for number in range(first, len(lines)):
        if needle in lines[number]:
            return number + 1
    return start


def _describe(error: ValidationError) -> tuple[str, str | None]:
    parts: list[str] = []
    needle: str | None = None
    for item in error.errors():
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, _PlaceholderError) and needle is None:
            needle = cause.needle
        field = ".".join(str(p) for p in item["loc"])
        message = str(cause) if cause is not None else item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        elif item["type"] == "missing":
            message = "missing field"
        parts.append(f"{field}: {message}" if field else message)
    return "; ".join(parts), needle


def _library_from_records(records: list[Any], path: str, text: str) -> TemplateLibrary:
    templates: list[Template] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        template_id = record.get("id") if isinstance(record, dict) else None
        name = f"template {template_id!r}" if template_id else f"template #{index + 1}"
        occurrence = seen.get(template_id, 0) + 1 if isinstance(template_id, str) else 1
        line = _line_of_id(text, template_id, occurrence)
        if not isinstance(record, dict):
            msg = f"{path}: {name} must be a table/object, got {type(record).__name__}"
            raise TemplateError(msg, path=path, line=line)
        if isinstance(template_id, str):
            if template_id in seen:
                where = f", line {line}" if line else ""
                msg = f"{path}{where}: duplicate template id {template_id!r}"
                raise TemplateError(msg, path=path, line=line, template_id=template_id)
            seen[template_id] = occurrence
        try:
            templates.append(Template.model_validate(record))
        except ValidationError as exc:
            detail, needle = _describe(exc)
            if needle is not None:
                line = _line_of(text, needle, line)
            where = f", line {line}" if line else ""
            msg = f"{path}{where}: {name}: {detail}"
            raise TemplateError(
                msg,
                path=path,
                line=line,
                template_id=template_id if isinstance(template_id, str) else None,
            ) from exc
    return TemplateLibrary(templates=tuple(templates), source=path)


# ---------------------------------------------------------------------------------------
# Selection
# ---------------------------------------------------------------------------------------


def _items(values: object, name: str, kind: type | None = None) -> list[Any]:
    """The items of an iterable argument (not text), each of ``kind`` when given.

    Raises:
        ParameterTypeError: When ``values`` is not such an iterable.
    """
    ok = isinstance(values, Iterable) and not isinstance(values, str | bytes | Mapping)
    items = list(values) if ok else []  # type: ignore[call-overload]
    if not ok or (kind is not None and not all(isinstance(v, kind) for v in items)):
        what = f"a list of {kind.__name__}" if kind is not None else "a list"
        msg = f"{name} must be {what}, got {shown(values)} ({type(values).__name__})"
        raise ParameterTypeError(msg, name=name, value=values)
    return items


def _channels(values: object, name: str) -> list[Channel]:
    """Channels from a list of channel names (none of them ``None``)."""
    out = []
    for value in _items(values, name):
        channel = _as_channel(value, name)
        if channel is None:
            msg = f"{name} must list channels, got None in {shown(values)}"
            raise InvalidParameterError(msg, name=name, value=values)
        out.append(channel)
    return out


def _as_channel(channel: object, name: str = "channel") -> Channel | None:
    """A ``channel`` argument as a ``Channel`` (``None`` stays ``None``).

    Raises:
        InvalidParameterError: Naming the value and the channels there are.
    """
    if channel is None or isinstance(channel, Channel):
        return channel
    if isinstance(channel, str) and channel in {c.value for c in Channel}:
        return Channel(channel)
    listed = ", ".join(repr(c.value) for c in Channel)
    msg = f"{name} must be one of {listed}, got {shown(channel)}"
    raise InvalidParameterError(msg, name=name, value=channel)


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


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------


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

    model_config = ConfigDict(frozen=True, extra="forbid")

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
        >>> t = Template(
        ...     id="en-sms-detractor",
        ...     channels=["sms"],
        ...     language="en",
        ...     comment="required",
        ...     body='Sorry, {first_name}. You wrote "{comment}". - {company}',
        ... )
        >>> r = Response(score=2, channel="sms", comment="{0.__class__} ${first_name}")
        >>> render(t, r, {"first_name": "Ana", "company": "Acme"}).body
        'Sorry, Ana. You wrote "{0.__class__} ${first_name}". - Acme'
    """
    check_type(template, "template", Template, "a Template")
    check_type(response, "response", Response, "a Response")
    if postscript is not None:
        check_type(postscript, "postscript", Template, "a Template")
    target = _message_channel(template, response, channel)
    short = target in _SHORT_CHANNELS
    values = {k: _clean(v) or "" for k, v in _context_values(context, response).items()}
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
    return Message(
        respondent_id=response.respondent_id,
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


# ---------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------

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

    model_config = ConfigDict(frozen=True, extra="forbid")

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

    model_config = ConfigDict(frozen=True, extra="forbid")

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

    Returns:
        One follow-up per response, most urgent first.

    Raises:
        RenderError: Some responses could not be planned (no template, a missing
            placeholder value, ...); the message lists every one with its position and
            reason, and ``positions`` holds them.
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
    planned_at = datetime.now(timezone.utc) if now is None else now
    check_type(planned_at, "now", datetime, "a timezone-aware datetime")
    check_type(responses, "responses", Iterable, "an iterable of Response")
    if isinstance(responses, str | bytes | Mapping):
        msg = f"responses must be an iterable of Response, got {shown(responses)}"
        raise ParameterTypeError(msg, name="responses", value=responses)
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
    channel = _as_channel(channel)
    invite = rules.review_invitations == "everyone" and purpose == "follow_up"
    result: list[FollowUp] = []
    problems: list[tuple[int, str]] = []
    for position, response in enumerate(responses):
        if not isinstance(response, Response):
            msg = (
                f"responses must all be Response objects, but the item at position "
                f"{position} is {shown(response)} ({type(response).__name__})"
            )
            raise ParameterTypeError(msg, name="responses", value=response)
        try:
            template, target = _select(
                library, response, language=language, channel=channel, purpose=purpose
            )
            postscript = None
            if invite:
                postscript, _ = _select(
                    library,
                    response,
                    language=template.language,
                    channel=target,
                    purpose="review_invite",
                )
            message = render(template, response, context, channel=target, postscript=postscript)
        except (RenderError, NoTemplateError) as exc:
            who = f" (respondent {response.respondent_id})" if response.respondent_id else ""
            problems.append((position, f"position {position}{who}: {exc}"))
            continue
        category = response.category
        start = response.submitted_at or planned_at
        result.append(
            FollowUp(
                position=position,
                message=message,
                category=category,
                score=response.score,
                priority=rules.priority[category],
                due=rules.due(start, category),
                submitted_at=response.submitted_at,
                planned_at=planned_at,
                account_id=response.account_id,
                notify_account_contact=response.account_id in rules.managed_accounts
                and category in rules.notify_account_contact_for,
                invite_review=postscript is not None,
            )
        )
    if problems:
        listed = "\n".join(reason for _, reason in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""  # noqa: PLR2004
        msg = (
            f"{len(problems)} of {len(problems) + len(result)} responses could not be "
            f"planned:\n{listed}{more}"
        )
        raise RenderError(msg, positions=[p for p, _ in problems])
    result.sort(key=lambda f: (f.priority, f.due, f.position))
    return result
