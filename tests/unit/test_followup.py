"""Unit tests for netpromoter.followup: templates, libraries, selection, rendering, plans."""

from __future__ import annotations

import html
import importlib
import re
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from followup_data import COMMENTS, CONTEXT, MONDAY, SCORES
from netpromoter import (
    Category,
    Channel,
    FollowUpRules,
    InvalidParameterError,
    NetPromoterError,
    NoTemplateError,
    RenderError,
    Response,
    Template,
    TemplateError,
    TemplateLibrary,
    plan,
    pseudonymise,
    render,
    select_template,
)
from netpromoter.followup import CHANNEL_LIMITS, sms_segments

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

KEY = "a test key of at least sixteen bytes"


def _template(**fields: object) -> Template:
    base: dict[str, object] = {
        "id": "t",
        "channels": ["sms"],
        "language": "en",
        "body": "Hi {first_name}",
    }
    return Template.model_validate({**base, **fields})


# --- Template -------------------------------------------------------------------------


def test_template_lists_its_placeholders() -> None:
    """A template reports the placeholders of its subject and body."""
    t = _template(channels=["email"], subject="For {first_name}", body="{company} {score}")
    assert frozenset({"first_name", "company", "score"}) == t.placeholders


def test_template_rejects_unknown_placeholder_with_suggestion() -> None:
    """An unknown placeholder is refused, suggesting the closest known name."""
    with pytest.raises(ValidationError, match=r"unknown placeholder \{frist_name\}.*first_name"):
        _template(body="Hi {frist_name}")


@pytest.mark.parametrize(
    "body", ["{0.__class__}", "{first_name.upper}", "{first_name!r}", "{x[0]}", "{ first_name }"]
)
def test_template_rejects_anything_but_plain_names(body: str) -> None:
    """Attribute access, indexing, conversions and expressions are not placeholders."""
    with pytest.raises(ValidationError, match="malformed placeholder"):
        _template(body=body)


def test_template_rejects_stray_brace() -> None:
    """A lone brace is an error; doubled braces are literal."""
    with pytest.raises(ValidationError, match="stray"):
        _template(body="Hi } there")
    assert "{{" in _template(body="Use {{braces}}").body


def test_only_comment_templates_may_quote_the_comment() -> None:
    """Quoting {comment} needs comment="required"."""
    with pytest.raises(ValidationError, match='comment="required"'):
        _template(body="You wrote {comment}", comment="any")


def test_email_template_needs_a_subject() -> None:
    """A template serving email must have a subject line."""
    with pytest.raises(ValidationError, match="no subject"):
        _template(channels=["email"])


def test_subject_is_one_line() -> None:
    """A subject with a line break is refused (it would break the mail header)."""
    with pytest.raises(ValidationError, match="one line"):
        _template(channels=["email"], subject="Hi\nBcc: x@example.com")


def test_template_body_may_be_given_as_lines() -> None:
    """A list of lines is joined with newlines."""
    assert _template(body=["Hi {first_name},", "", "Thanks"]).body == "Hi {first_name},\n\nThanks"


def test_template_is_frozen() -> None:
    """Templates cannot be changed after creation."""
    t = _template()
    with pytest.raises(ValidationError):
        t.body = "changed"  # type: ignore[misc]


# --- Library --------------------------------------------------------------------------


def test_builtin_library_covers_every_combination_in_both_languages() -> None:
    """Every category, with and without a comment, has email and SMS in Dutch and English."""
    library = TemplateLibrary.builtin()
    for purpose in ("follow_up", "close_loop"):
        library.check_coverage(channels=["email", "sms", "chat", "in_app"], purpose=purpose)
    assert {"en", "nl"} == {t.language for t in library.templates}


def test_library_rejects_duplicate_ids() -> None:
    """Two templates with one id make an invalid library."""
    with pytest.raises(ValidationError, match="duplicate template id 't'"):
        TemplateLibrary(templates=(_template(), _template()))


def test_extend_puts_templates_after_and_refuses_clashes() -> None:
    """extend() appends the other library and refuses shared ids."""
    mine = TemplateLibrary(templates=(_template(id="mine"),))
    combined = mine.extend(TemplateLibrary.builtin())
    assert combined.templates[0].id == "mine"
    assert len(combined) == len(TemplateLibrary.builtin()) + 1
    with pytest.raises(TemplateError, match="mine"):
        combined.extend(mine)


def test_check_coverage_lists_what_is_missing() -> None:
    """A coverage check names every missing combination."""
    library = TemplateLibrary(templates=(_template(categories=["promoter"]),))
    with pytest.raises(
        TemplateError, match=r"4 combination\(s\): detractor with a comment on sms in en"
    ):
        library.check_coverage(channels=["sms"])


def test_get_finds_a_template_by_id() -> None:
    """get() returns the template with that id, or raises KeyError."""
    library = TemplateLibrary.builtin()
    assert library.get("nl-email-promoter-comment").language == "nl"
    with pytest.raises(KeyError):
        library.get("nope")


# --- Files ----------------------------------------------------------------------------

TOML = """\
[[templates]]
id = "promoter-sms"
categories = ["promoter"]
channels = ["sms"]
language = "en"
body = "Thanks {first_name}!"

[[templates]]
id = "others-sms"
categories = ["passive", "detractor"]
channels = ["sms"]
language = "en"
body = \"\"\"
Hi {first_name},
sorry about {compnay}.\"\"\"
"""


def test_toml_file_with_unknown_placeholder_names_file_and_line(tmp_path: Path) -> None:
    """An unknown placeholder in a TOML file is reported with the file and its line."""
    path = tmp_path / "mine.toml"
    path.write_text(TOML, encoding="utf-8")
    with pytest.raises(TemplateError, match=r"mine\.toml, line 15: template 'others-sms'") as e:
        TemplateLibrary.from_file(path)
    assert e.value.line == 15
    assert e.value.template_id == "others-sms"
    assert "did you mean {company}" in str(e.value)


def test_toml_file_loads_and_checks_coverage(tmp_path: Path) -> None:
    """A valid TOML file loads; asking to cover a missing channel fails clearly."""
    path = tmp_path / "mine.toml"
    path.write_text(TOML.replace("{compnay}", "{company}"), encoding="utf-8")
    library = TemplateLibrary.from_file(path, cover_channels=["sms"])
    assert [t.id for t in library.templates] == ["promoter-sms", "others-sms"]
    with pytest.raises(TemplateError, match="on email in en"):
        TemplateLibrary.from_file(path, cover_channels=["sms", "email"])


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    """A TOML syntax error is reported with the file and line."""
    path = tmp_path / "bad.toml"
    path.write_text('[[templates]]\nid = "x"\nbody = "unterminated\n', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"bad\.toml, line 3: malformed TOML") as e:
        TemplateLibrary.from_file(path)
    assert e.value.line == 3


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    """A JSON syntax error is reported with the file and line.

    A missing colon is placed alike by every Python (a trailing comma is not: 3.13
    points at the comma, earlier versions at the brace after it).
    """
    path = tmp_path / "bad.json"
    path.write_text('{"templates": [\n  {"id": "x",\n  "body" "y"}\n]}\n', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"bad\.json, line 3: malformed JSON"):
        TemplateLibrary.from_file(path)


def test_json_duplicate_id_names_the_second_line(tmp_path: Path) -> None:
    """A duplicate id in a file points at the second occurrence."""
    record = '  {"id": "a", "channels": ["sms"], "language": "en", "body": "Hi"}'
    path = tmp_path / "dup.json"
    path.write_text(f'{{"templates": [\n{record},\n{record}\n]}}\n', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"dup\.json, line 3: duplicate template id 'a'"):
        TemplateLibrary.from_file(path)


def test_json_unknown_field_is_named(tmp_path: Path) -> None:
    """A misspelt field is reported by name."""
    path = tmp_path / "typo.json"
    path.write_text(
        '[{"id": "a", "channels": ["sms"], "language": "en", "bodyy": "Hi"}]', encoding="utf-8"
    )
    with pytest.raises(
        TemplateError,
        match=r"typo\.json, line 1: template 'a': body: missing field; bodyy: unknown field",
    ):
        TemplateLibrary.from_file(path)


def test_yaml_file_loads_and_reports_lines(tmp_path: Path) -> None:
    """YAML files load, and a bad placeholder is reported with its line."""
    good = (
        "templates:\n  - id: a\n    channels: [sms]\n    language: nl\n    body: Hoi {first_name}\n"
    )
    path = tmp_path / "mine.yaml"
    path.write_text(good, encoding="utf-8")
    assert TemplateLibrary.from_file(path).templates[0].language == "nl"
    path.write_text(good + "  - id: b\n    channels: [sms]\n    language: nl\n    body: '{x.y}'\n")
    with pytest.raises(TemplateError, match=r"mine\.yaml, line 9: template 'b'"):
        TemplateLibrary.from_file(path)
    path.write_text("templates: [\n  - a\n")
    with pytest.raises(TemplateError, match=r"mine\.yaml, line \d+: malformed YAML"):
        TemplateLibrary.from_file(path)


@pytest.mark.parametrize(
    ("suffix", "modules", "hint"),
    [
        (".toml", {"tomllib", "tomli"}, "netpromoter[toml]"),
        (".yaml", {"yaml"}, "netpromoter[yaml]"),
    ],
)
def test_missing_optional_reader_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, modules: set[str], hint: str
) -> None:
    """Without the optional parser, loading says which extra to install."""
    real = importlib.import_module

    def without(name: str, package: str | None = None) -> ModuleType:
        if name in modules:
            raise ModuleNotFoundError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", without)
    path = tmp_path / f"mine{suffix}"
    path.write_text("templates = []\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=re.escape(hint)):
        TemplateLibrary.from_file(path)


def test_unknown_file_type_and_wrong_shape_are_errors(tmp_path: Path) -> None:
    """Only .toml/.json/.yaml/.yml files with a list of templates are accepted."""
    txt = tmp_path / "mine.txt"
    txt.write_text("x", encoding="utf-8")
    with pytest.raises(TemplateError, match="unknown template file type"):
        TemplateLibrary.from_file(txt)
    empty = tmp_path / "empty.json"
    empty.write_text('{"templates": []}', encoding="utf-8")
    with pytest.raises(TemplateError, match="non-empty list"):
        TemplateLibrary.from_file(empty)
    extra = tmp_path / "extra.json"
    extra.write_text('{"template": []}', encoding="utf-8")
    with pytest.raises(TemplateError, match="unknown top-level key"):
        TemplateLibrary.from_file(extra)


def test_template_errors_are_library_and_builtin_errors() -> None:
    """TemplateError is both a NetPromoterError and a ValueError."""
    assert issubclass(TemplateError, NetPromoterError)
    assert issubclass(TemplateError, ValueError)
    assert issubclass(NoTemplateError, LookupError)
    assert issubclass(RenderError, ValueError)


# --- Selection ------------------------------------------------------------------------


@pytest.mark.parametrize("category", list(Category))
@pytest.mark.parametrize("has_comment", [True, False])
@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_selection_follows_category_comment_channel_and_language(
    category: Category, has_comment: bool, language: str, channel: Channel
) -> None:
    """The built-in template chosen matches every property of the response."""
    response = Response(
        score=SCORES[category],
        channel=channel,
        language=language,
        comment=COMMENTS[language, category] if has_comment else None,
    )
    kind = "email" if channel == Channel.EMAIL else "short"
    suffix = "comment" if has_comment else "no-comment"
    assert f"{language}-{kind}-{category}-{suffix}" == select_template(response).id


def test_selection_falls_back_to_english_and_email() -> None:
    """An unknown language falls back to English, an unserved channel to email."""
    response = Response(score=10, channel="phone", language="de-AT")
    assert select_template(response).id == "en-email-promoter-no-comment"


def test_selection_uses_the_primary_language_of_a_regional_tag() -> None:
    """nl-BE uses the Dutch templates."""
    assert select_template(Response(score=0, language="nl-BE")).language == "nl"


def test_selection_prefers_exact_tag_then_library_order() -> None:
    """An exact regional template beats the primary language; ties go to the first."""
    be = _template(id="be", language="nl-be")
    nl1, nl2 = _template(id="nl1", language="nl"), _template(id="nl2", language="nl")
    library = TemplateLibrary(templates=(nl1, nl2, be))
    assert select_template(Response(score=5, channel="sms", language="nl-BE"), library).id == "be"
    assert select_template(Response(score=5, channel="sms", language="nl"), library).id == "nl1"


def test_selection_prefers_comment_specific_over_any() -> None:
    """A template written for respondents without a comment beats one for everybody."""
    anyone = _template(id="any")
    specific = _template(id="absent", comment="absent")
    library = TemplateLibrary(templates=(anyone, specific))
    assert select_template(Response(score=9, channel="sms"), library).id == "absent"
    assert select_template(Response(score=9, channel="sms", comment="ok"), library).id == "any"


def test_blank_comment_counts_as_no_comment() -> None:
    """A comment of only whitespace or control characters is no comment."""
    assert select_template(Response(score=3, comment=" \n\x00 ")).comment == "absent"


def test_selection_without_a_fit_raises_a_clear_error() -> None:
    """When nothing fits, the error says what was tried and what is offered."""
    library = TemplateLibrary(templates=(_template(categories=["promoter"], language="nl"),))
    with pytest.raises(NoTemplateError, match=r"detractor without a comment on sms in fr") as e:
        select_template(Response(score=1, channel="sms", language="fr"), library)
    assert "nl/sms" in str(e.value)
    assert e.value.category == "detractor"


def test_channel_and_language_arguments_override_the_response() -> None:
    """Explicit channel and language win over the response's."""
    response = Response(score=9, channel="sms", language="en")
    assert select_template(response, language="nl", channel="email").id == (
        "nl-email-promoter-no-comment"
    )


# --- Rendering ------------------------------------------------------------------------

HOSTILE = [
    "{0.__class__}",
    "{first_name}",
    "${first_name} $company ${{7*7}}",
    "{{ config }} {% for x in y %}",
    "%(first_name)s %s",
    "<script>alert('x')</script>",
    "Tevreden 👍🏽 🇳🇱 👨‍👩‍👧",
    "ممتاز جدا",
    "שירות מעולה!",
]


@pytest.mark.parametrize("comment", HOSTILE)
def test_hostile_comments_are_quoted_literally_in_email(comment: str) -> None:
    """Placeholders, template syntax and markup in a comment stay literal text."""
    response = Response(score=3, channel="email", comment=comment)
    message = render(select_template(response), response, CONTEXT)
    assert comment in message.body
    assert "Sanne" in message.body
    assert "<class" not in message.body
    assert "{first_name}" not in message.body.replace(comment, "")


def test_right_to_left_comment_is_isolated() -> None:
    """Right-to-left text is wrapped in an isolate so it cannot reorder the message."""
    response = Response(score=3, channel="email", comment="ممتاز")
    message = render(select_template(response), response, CONTEXT)
    assert "“\u2068ممتاز\u2069”" in message.body


def test_bidi_overrides_and_control_characters_are_removed() -> None:
    """Explicit bidi overrides and control characters do not reach the message."""
    response = Response(score=3, channel="email", comment="ok\u202e evil\u2069\x1b[31m red\x00")
    body = render(select_template(response), response, CONTEXT).body
    assert "“ok evil[31m red”" in body


def test_html_templates_escape_user_text() -> None:
    """In an HTML body every value is HTML-escaped."""
    template = _template(
        channels=["email"],
        subject="For {first_name}",
        comment="required",
        format="html",
        body="<p>Dear {first_name}, you wrote <q>{comment}</q></p>",
    )
    comment = "<script>alert('x')</script> & more"
    response = Response(score=3, channel="email", comment=comment)
    message = render(template, response, {"first_name": "<b>Ann</b>"})
    assert f"<q>{html.escape(comment)}</q>" in message.body
    assert "&lt;b&gt;Ann&lt;/b&gt;" in message.body
    assert message.subject == "For <b>Ann</b>"  # subjects are plain text
    assert message.format == "html"


def test_missing_placeholder_values_are_rejected() -> None:
    """A message is never rendered with an empty placeholder."""
    response = Response(score=9, channel="sms")
    template = select_template(response).model_copy(update={"body_without_name": None})
    with pytest.raises(RenderError, match=r"\{first_name\}") as e:
        render(template, response, {**CONTEXT, "first_name": "  "})
    assert "first_name" in e.value.missing
    without_company = {k: v for k, v in CONTEXT.items() if k != "company"}
    with pytest.raises(RenderError, match=r"\{company\}"):
        render(select_template(response), response, without_company)


@pytest.mark.parametrize("template", list(TemplateLibrary.builtin().templates), ids=lambda t: t.id)
def test_every_builtin_template_greets_without_a_name(template: Template) -> None:
    """A template that greets by name has a text without name that renders without one."""
    category = next(iter(template.categories))
    score = {"promoter": 10, "passive": 7, "detractor": 2}[str(category)]
    channel = min(template.channels, key=str)
    response = Response(score=score, channel=channel, comment="Snel geholpen")
    context = {**CONTEXT, "first_name": "", "change": "shorter waits"}
    message = render(template, response, context)
    named = render(template, response, {**context, "first_name": "Sanne"})
    assert "Sanne" not in message.body
    assert "Sanne" not in (message.subject or "")
    if "first_name" in template.placeholders:
        assert template.has_name_variant
        assert "Sanne" in named.body + (named.subject or "")
        assert message.body != named.body or message.subject != named.subject


def test_context_rejects_unknown_keys_and_response_fields() -> None:
    """A misspelt context key, or one that comes from the response, is an error."""
    response = Response(score=9, channel="sms")
    template = select_template(response)
    with pytest.raises(InvalidParameterError, match="did you mean 'first_name'"):
        render(template, response, {**CONTEXT, "firstname": "x"})
    with pytest.raises(InvalidParameterError, match="taken from the response"):
        render(template, response, {**CONTEXT, "comment": "x"})
    with pytest.raises(InvalidParameterError, match="must be a str"):
        render(template, response, {**CONTEXT, "company": 5})  # type: ignore[dict-item]


def test_comment_template_without_comment_is_an_error() -> None:
    """Rendering a comment-quoting template for a response without one fails."""
    template = TemplateLibrary.builtin().get("en-email-detractor-comment")
    with pytest.raises(RenderError, match="has none"):
        render(template, Response(score=2), CONTEXT)


def test_long_comment_is_shortened_visibly_on_sms_and_kept_whole_in_email() -> None:
    """SMS quotes a shortened comment ending in '...'; email quotes it in full."""
    comment = "The delivery was late. " * 40
    sms = Response(score=2, channel="sms", comment=comment)
    message = render(select_template(sms), sms, CONTEXT)
    assert message.truncated
    assert message.length <= CHANNEL_LIMITS[Channel.SMS]
    assert '"The delivery was late. The delivery...' in message.body or '..."' in message.body
    email = Response(score=2, channel="email", comment=comment)
    full = render(select_template(email), email, CONTEXT)
    assert not full.truncated
    assert comment.strip() in full.body


def test_shortening_never_splits_an_emoji_sequence() -> None:
    """A shortened quote keeps emoji sequences whole."""
    family = "👨‍👩‍👧"
    comment = family * 100
    response = Response(score=2, channel="chat", comment=comment)
    template = _template(
        channels=["chat"], comment="required", max_length=40, body='You wrote "{comment}"'
    )
    body = render(template, response).body
    quoted = body.removeprefix('You wrote "').removesuffix('…"')
    assert quoted == family * (len(quoted) // len(family))
    assert len(body) <= 40


def test_sms_comment_is_put_on_one_line() -> None:
    """Line breaks in a comment become spaces in an SMS."""
    response = Response(score=2, channel="sms", comment="late\n\nand broken")
    assert '"late and broken"' in render(select_template(response), response, CONTEXT).body


def test_too_long_without_comment_is_an_error() -> None:
    """When even the fixed text is over the limit, rendering fails clearly."""
    response = Response(score=9, channel="sms")
    long_name = {**CONTEXT, "first_name": "A" * 200}
    with pytest.raises(RenderError, match="over the sms limit of 160"):
        render(select_template(response), response, long_name)


def test_template_max_length_overrides_the_channel_limit() -> None:
    """A template's own max_length replaces the channel default."""
    template = _template(body="x" * 300, max_length=306)
    assert render(template, Response(score=9, channel="sms")).segments == 2


def test_render_on_a_channel_the_template_does_not_serve_is_an_error() -> None:
    """Asking for a channel the template is not written for fails."""
    with pytest.raises(InvalidParameterError, match="serves"):
        render(_template(), Response(score=9), {"first_name": "A"}, channel="email")


def test_every_builtin_template_renders_within_its_limit() -> None:
    """Every built-in template renders with a realistic context and fits its channel."""
    library = TemplateLibrary.builtin()
    for template in library.templates:
        for channel in template.channels:
            for category in template.categories:
                language = template.language
                comment = COMMENTS[language, category] if template.comment == "required" else None
                response = Response(score=SCORES[category], channel=channel, comment=comment)
                message = render(template, response, CONTEXT, channel=channel)
                limit = CHANNEL_LIMITS.get(channel)
                assert limit is None or message.length <= limit, template.id
                if channel == Channel.SMS:
                    assert message.segments == 1, template.id


def test_short_templates_use_only_the_gsm_alphabet() -> None:
    """Built-in SMS texts stay in the GSM 7-bit alphabet (160 characters per segment)."""
    for template in TemplateLibrary.builtin().templates:
        if Channel.SMS in template.channels:
            fixed = re.sub(r"\{[a-z_]+\}", "", template.body)
            assert sms_segments(fixed + "x" * (160 - len(fixed))) == 1, template.id


def test_sms_segments_counts_extension_characters_twice() -> None:
    """The euro sign takes two septets."""
    assert sms_segments("€" * 80) == 1
    assert sms_segments("€" * 81) == 2
    assert sms_segments("") == 0


# --- Plan -----------------------------------------------------------------------------


def _week() -> list[Response]:
    """Six responses over one week, in English and Dutch, by email and SMS."""
    return [
        Response(score=10, respondent_id="p1", channel="email", language="en", submitted_at=MONDAY),
        Response(
            score=8,
            respondent_id="n1",
            channel="sms",
            language="nl",
            comment="Prima, maar duur",
            submitted_at=MONDAY + timedelta(days=1),
        ),
        Response(
            score=2,
            respondent_id="d1",
            channel="email",
            language="en",
            comment="Late again",
            account_id="acme-nl",
            submitted_at=MONDAY + timedelta(days=4, hours=7),  # Friday 16:30
        ),
        Response(score=6, respondent_id="d2", channel="sms", language="nl"),
        Response(
            score=9,
            respondent_id="p2",
            channel="web",
            language="nl",
            comment="Top!",
            submitted_at=MONDAY + timedelta(days=5),  # Saturday
        ),
    ]


def test_plan_puts_detractors_first_and_due_soonest() -> None:
    """Detractors come first, then passives, then promoters, by due date; each response once."""
    now = MONDAY + timedelta(days=6)
    result = plan(_week(), now=now, context=CONTEXT)
    assert [f.respondent_id for f in result] == ["d2", "d1", "n1", "p1", "p2"]
    assert [f.priority for f in result] == [1, 1, 2, 3, 3]
    assert sorted(f.position for f in result) == [0, 1, 2, 3, 4]


def test_plan_due_dates_count_business_days() -> None:
    """Friday 16:30 + 1 business day is Monday 16:30; no date gives now + 1 day."""
    now = MONDAY + timedelta(days=6)
    by_id = {f.respondent_id: f for f in plan(_week(), now=now, context=CONTEXT)}
    assert by_id["d1"].due == datetime(2026, 2, 9, 16, 30, tzinfo=timezone.utc)
    assert by_id["d2"].due == datetime(2026, 2, 9, 9, 30, tzinfo=timezone.utc)  # Sunday -> Mon
    assert by_id["n1"].due == MONDAY + timedelta(days=4)  # Tuesday + 3 -> Friday
    assert by_id["p1"].due == MONDAY + timedelta(days=7)  # Monday + 5 -> next Monday
    assert by_id["p2"].due == MONDAY + timedelta(days=11)  # Saturday + 5 -> next Friday
    assert by_id["n1"].overdue
    assert not by_id["d2"].overdue


def test_plan_never_due_later_than_seven_days() -> None:
    """Holidays and slow rules are capped at seven calendar days."""
    holidays = frozenset(MONDAY.date() + timedelta(days=d) for d in range(1, 30))
    rules = FollowUpRules(holidays=holidays, due_business_days={"promoter": 7})
    result = plan(_week(), now=MONDAY, context=CONTEXT, rules=rules)
    for follow_up in result:
        start = follow_up.submitted_at or MONDAY
        assert start <= follow_up.due <= start + timedelta(days=7)


def test_plan_follows_the_respondents_channel_and_language() -> None:
    """SMS respondents get an SMS, web respondents an email, in their language."""
    by_id = {f.respondent_id: f for f in plan(_week(), now=MONDAY, context=CONTEXT)}
    assert (by_id["n1"].channel, by_id["n1"].message.language) == (Channel.SMS, "nl")
    assert (by_id["p2"].channel, by_id["p2"].message.template_id) == (
        Channel.EMAIL,
        "nl-email-promoter-comment",
    )


def test_plan_flags_managed_accounts() -> None:
    """Detractors of managed accounts flag the account contact; others do not."""
    rules = FollowUpRules(managed_accounts=frozenset({"acme-nl"}))
    flagged = {
        f.respondent_id
        for f in plan(_week(), now=MONDAY, context=CONTEXT, rules=rules)
        if f.notify_account_contact
    }
    assert flagged == {"d1"}


def test_review_invitations_default_to_nobody() -> None:
    """By default no follow-up invites a public review."""
    result = plan(_week(), now=MONDAY, context=CONTEXT)
    assert not any(f.invite_review for f in result)
    assert not any(CONTEXT["review_link"] in f.message.body for f in result)


def test_review_invitations_go_to_everyone_or_nobody() -> None:
    """With "everyone", every category gets the same invitation: no review gating."""
    rules = FollowUpRules(review_invitations="everyone")
    result = plan(_week(), now=MONDAY, context=CONTEXT, rules=rules)
    assert all(f.invite_review for f in result)
    assert all(CONTEXT["review_link"] in f.message.body for f in result)
    assert {f.category for f in result} == set(Category)


def test_review_gating_is_not_an_option() -> None:
    """There is no way to invite only promoters to review."""
    with pytest.raises(ValidationError):
        FollowUpRules(review_invitations="promoters")


def test_plan_reports_every_failing_response() -> None:
    """Missing values are reported for every response, with positions, not skipped."""
    context = {k: v for k, v in CONTEXT.items() if k not in {"help_link", "referral_link"}}
    with pytest.raises(
        RenderError, match=r"(?s)3 of 5 responses.*position 1 \(respondent n1\)"
    ) as e:
        plan(_week(), now=MONDAY, context=context)
    assert e.value.positions == (0, 1, 4)
    assert "{referral_link}" in str(e.value)


def test_plan_accepts_a_context_function() -> None:
    """A context function gives per-respondent values."""
    names = {"p1": "Pim", "n1": "Noor", "d1": "Dirk", "d2": "Daan", "p2": "Petra"}

    def context(response: Response) -> dict[str, str]:
        return {**CONTEXT, "first_name": names[response.respondent_id or ""]}

    result = plan(_week(), now=MONDAY, context=context)
    assert all(names[f.respondent_id or ""] in f.message.body for f in result)


def test_plan_close_loop_messages() -> None:
    """Closing the loop quotes the comment and says what changed."""
    result = plan(_week(), now=MONDAY, context=CONTEXT, purpose="close_loop")
    bodies = {f.respondent_id: f.message.body for f in result}
    assert "Late again" in bodies["d1"]
    assert "Saturdays" in bodies["d1"]
    assert "zaterdag" not in bodies["d1"]


def test_plan_requires_an_aware_now_and_responses() -> None:
    """A naive now, or an item that is not a Response, is rejected."""
    with pytest.raises(InvalidParameterError, match="time zone"):
        plan(_week(), now=datetime(2026, 2, 2), context=CONTEXT)  # noqa: DTZ001
    with pytest.raises(InvalidParameterError, match="position 0"):
        plan([9], now=MONDAY, context=CONTEXT)  # type: ignore[list-item]


def test_plan_of_nothing_is_empty() -> None:
    """No responses, no follow-ups."""
    assert plan([], now=MONDAY) == []


def test_rules_validate_their_values() -> None:
    """Rules refuse negative delays, caps over seven days and empty working weeks."""
    with pytest.raises(ValidationError):
        FollowUpRules(due_business_days={"detractor": -1})
    with pytest.raises(ValidationError):
        FollowUpRules(max_days=8)
    with pytest.raises(ValidationError):
        FollowUpRules(business_days=frozenset())


def test_zero_business_days_means_at_once() -> None:
    """A delay of zero business days is due at submission."""
    rules = FollowUpRules(
        due_business_days={"detractor": 0}, holidays=frozenset({date(2026, 2, 3)})
    )
    assert rules.due(MONDAY, Category.DETRACTOR) == MONDAY
    assert rules.due(MONDAY, Category.PASSIVE) == MONDAY + timedelta(days=4)


# --- Export shape and privacy ---------------------------------------------------------


def test_to_dict_without_key_keeps_ids_and_message() -> None:
    """Without a key the dict has the real id and the message."""
    follow_up = next(f for f in plan(_week(), now=MONDAY, context=CONTEXT) if f.position == 2)
    data = follow_up.to_dict()
    assert data["respondent_id"] == "d1"
    assert data["account_id"] == "acme-nl"
    assert "Late again" in data["body"]
    assert data["category"] == "detractor"


def test_to_dict_with_key_never_leaks_real_ids() -> None:
    """With a key, ids are pseudonymised and personal text is left out."""
    result = plan(_week(), now=MONDAY, context=CONTEXT)
    for follow_up in result:
        data = follow_up.to_dict(pseudonymise_key=KEY)
        real = follow_up.respondent_id
        assert real is not None
        assert data["respondent_id"] == pseudonymise(real, KEY)
        assert real not in repr(data)
        assert "body" not in data
        assert "subject" not in data
    d1 = next(f for f in result if f.position == 2)
    with_message = d1.to_dict(pseudonymise_key=KEY, include_message=True)
    assert "Late again" in with_message["body"]
    assert with_message["account_id"] == pseudonymise("acme-nl", KEY)


def test_follow_up_repr_has_no_personal_data() -> None:
    """The short repr shows no id, name or comment."""
    text = repr(plan(_week(), now=MONDAY, context=CONTEXT)[0])
    assert "d2" not in text
    assert "Sanne" not in text
    assert "detractor" in text


def test_plan_goes_on_past_a_response_it_cannot_render() -> None:
    """With on_error, a response that cannot be rendered is reported and the rest planned."""
    responses = [
        Response(score=2, respondent_id="a", channel="email", submitted_at=MONDAY),
        Response(score=9, respondent_id="b", channel="email", submitted_at=MONDAY),
        Response(score=9, respondent_id="c", channel="sms", submitted_at=MONDAY),
    ]
    broken = TemplateLibrary(
        templates=[
            t
            if t.id != "en-short-promoter-no-comment"
            else t.model_copy(update={"body_without_name": None})
            for t in TemplateLibrary.builtin().templates
        ]
    )
    context = {**CONTEXT, "first_name": ""}
    problems: list[tuple[int, str]] = []
    planned = plan(
        responses,
        now=MONDAY,
        library=broken,
        context=context,
        on_error=lambda position, reason: problems.append((position, reason)),
    )
    assert sorted(f.respondent_id or "" for f in planned) == ["a", "b"]
    assert [p for p, _ in problems] == [2]
    assert "{first_name}" in problems[0][1]
    with pytest.raises(RenderError) as raised:
        plan(responses, now=MONDAY, library=broken, context=context)
    assert list(raised.value.positions) == [2]
