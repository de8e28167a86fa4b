"""Templates as data: per category, channel, language and purpose; built in or from a file."""

from __future__ import annotations

import functools
import importlib
import json
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from netpromoter._json import RepeatedKeyError, unique_members
from netpromoter._model import Model
from netpromoter._models import Category, Channel
from netpromoter._validation import check_choice, check_type, shown
from netpromoter.exceptions import (
    InvalidParameterError,
    NotFoundError,
    ParameterTypeError,
    TemplateError,
)
from netpromoter.followup.text import _parse_placeholders, _PlaceholderError

if TYPE_CHECKING:
    from typing_extensions import Self


Purpose = Literal["follow_up", "close_loop", "review_invite"]


CommentRule = Literal["required", "absent", "any"]


Format = Literal["text", "html"]


ReviewInvitations = Literal["none", "everyone"]


_LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


_PURPOSES: tuple[Purpose, ...] = ("follow_up", "close_loop", "review_invite")


_FALLBACK_LANGUAGE = "en"


_FALLBACK_CHANNEL = Channel.EMAIL


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
        subject_without_name: The subject for a respondent whose first name is unknown
            (default: ``subject``); it may not use ``{first_name}``.
        body_without_name: The body for a respondent whose first name is unknown
            (default: ``body``), such as ``"Hi there,"`` for ``"Hi {first_name},"``; it
            may not use ``{first_name}``. Every built-in template that greets by name
            has one.
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

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    purpose: Purpose = "follow_up"
    categories: frozenset[Category] = Field(default=frozenset(Category), min_length=1)
    channels: frozenset[Channel] = Field(min_length=1)
    language: str = Field(pattern=_LANGUAGE_PATTERN)
    comment: CommentRule = "any"
    subject: Text | None = None
    body: Text = Field(min_length=1)
    subject_without_name: Text | None = None
    body_without_name: Text | None = Field(default=None, min_length=1)
    format: Format = "text"
    max_length: int | None = Field(default=None, gt=0)
    description: str = ""

    @field_validator("subject", "body", "subject_without_name", "body_without_name", mode="after")
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
        for text in (self.subject_without_name, self.body_without_name):
            if text is not None and "first_name" in _parse_placeholders(text):
                msg = "a text without name uses {first_name}; leave the name out of it"
                raise _PlaceholderError(msg, "{first_name}")
        # The text without name follows the same rules as the text itself.
        for variant in (self, self.without_name()) if self.has_name_variant else (self,):
            _check_texts(variant)
        return self

    @property
    def has_name_variant(self) -> bool:
        """Whether the template has a text for a respondent whose first name is unknown."""
        return self.subject_without_name is not None or self.body_without_name is not None

    def without_name(self) -> Template:
        """The template for a respondent whose first name is unknown (itself without one)."""
        if not self.has_name_variant:
            return self
        return self.model_copy(
            update={
                "subject": self.subject_without_name or self.subject,
                "body": self.body_without_name or self.body,
                "subject_without_name": None,
                "body_without_name": None,
            }
        )

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


def _check_texts(template: Template) -> None:
    """Refuse a subject or body that does not fit the template's rules."""
    if "comment" in template.placeholders and template.comment != "required":
        msg = (
            f'quotes {{comment}} but has comment="{template.comment}"; only templates with '
            'comment="required" may quote the comment'
        )
        raise _PlaceholderError(msg, "{comment}")
    subject = template.subject
    if subject is not None and ("\n" in subject or "\r" in subject):
        msg = "the subject has a line break; a subject is one line"
        raise ValueError(msg)
    if subject is not None and "comment" in _parse_placeholders(subject):
        msg = "the subject quotes {comment}; quote the comment in the body only"
        raise _PlaceholderError(msg, "{comment}")
    if Channel.EMAIL in template.channels and template.purpose != "review_invite" and not subject:
        msg = "serves email but has no subject; give a subject line"
        raise ValueError(msg)


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
        data = json.loads(text, object_pairs_hook=unique_members)
    except RepeatedKeyError as exc:
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
    except RepeatedKeyError as exc:
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
                    raise RepeatedKeyError(key)
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
