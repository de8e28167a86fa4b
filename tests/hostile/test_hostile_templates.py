"""Hostile template files: every one is a TemplateError naming the file (and the line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netpromoter.exceptions import TemplateError
from netpromoter.followup import TemplateLibrary

_TEMPLATE: dict[str, object] = {
    "id": "en-email-promoter",
    "purpose": "follow_up",
    "categories": ["promoter"],
    "channels": ["email"],
    "language": "en",
    "comment": "any",
    "subject": "Thank you",
    "body": "Thank you for rating us {score} out of 10, {first_name}.",
}


def _json(template: dict[str, object]) -> str:
    return json.dumps({"templates": [template]}, ensure_ascii=False, indent=1)


CASES = [
    pytest.param(
        "t.json",
        _json(_TEMPLATE | {"body": "Bedankt, café {first_name}"}).encode("latin-1"),
        "line 15: not UTF-8 text",
        id="latin-1-json",
    ),
    pytest.param(
        "t.yaml",
        "templates:\n  - id: x\n    body: caf\xe9\n".encode("latin-1"),
        "line 3: not UTF-8 text",
        id="latin-1-yaml",
    ),
    pytest.param(
        "t.toml",
        '[[templates]]\nid = "x"\nbody = "caf\xe9"\n'.encode("cp1252"),
        "line 3: not UTF-8 text",
        id="cp1252-toml",
    ),
    pytest.param(
        "t.json",
        b'{"templates": [], "templates": [1]}',
        "the key 'templates' is given twice",
        id="json-repeated-top-level-key",
    ),
    pytest.param(
        "t.json",
        _json(_TEMPLATE).replace('"subject"', '"body": "Hi",\n "subject"', 1).encode(),
        "the key 'body' is given twice",
        id="json-repeated-field-hides-a-body",
    ),
    pytest.param(
        "t.yaml",
        b"templates:\n  - id: a\n    body: first\n    body: second\n",
        "line 4: the key 'body' is given twice",
        id="yaml-repeated-field",
    ),
    pytest.param(
        "t.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="json-nested-deep"
    ),
    pytest.param("t.json", b"", "malformed JSON", id="empty-json"),
    pytest.param("t.toml", b'[[templates]]\nid = "x\n', "malformed TOML", id="toml-open-string"),
    pytest.param("t.yaml", b"templates: [\n", "malformed YAML", id="yaml-open-list"),
    pytest.param("t.txt", b"{}", "unknown template file type", id="unknown-suffix"),
    pytest.param("t.json", b'{"templates": {}}', "non-empty list", id="templates-not-a-list"),
    pytest.param(
        "t.json",
        _json(_TEMPLATE | {"body": "Hi {email_address}"}).encode(),
        "email_address",
        id="unknown-placeholder",
    ),
]


@pytest.mark.parametrize(("name", "content", "text"), CASES)
def test_bad_template_files(tmp_path: Path, name: str, content: bytes, text: str) -> None:
    """The file is refused with a TemplateError that names it and what is wrong."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TemplateError) as info:
        TemplateLibrary.from_file(path)
    assert text in str(info.value)
    assert str(path) in str(info.value)
    assert info.value.path == str(path)


def test_a_directory_is_a_template_error(tmp_path: Path) -> None:
    """A directory named like a template file is a TemplateError that says so."""
    folder = tmp_path / "templates.json"
    folder.mkdir()
    with pytest.raises(TemplateError, match="is a directory"):
        TemplateLibrary.from_file(folder)


def test_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    """A missing template file is the builtin FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        TemplateLibrary.from_file(tmp_path / "nope.json")


def test_utf8_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """A UTF-8 file saved with a byte-order mark (as Notepad does) loads."""
    path = tmp_path / "t.json"
    path.write_bytes(b"\xef\xbb\xbf" + _json(_TEMPLATE | {"body": "Café {first_name}"}).encode())
    library = TemplateLibrary.from_file(path)
    assert library.get("en-email-promoter").body == "Café {first_name}"
