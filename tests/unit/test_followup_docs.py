"""The follow-up how-to pages run as written and print what they show."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent.parent / "docs"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("page", ["follow-up.md", "opvolging.md"])
def test_how_to_page_runs_and_prints_what_it_shows(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every python block runs; a text block after it is exactly its output."""
    monkeypatch.chdir(tmp_path)
    blocks = FENCE.findall((DOCS / page).read_text(encoding="utf-8"))
    namespace: dict[str, object] = {"__name__": "docs"}
    checked = 0
    for index, (language, code) in enumerate(blocks):
        if language == "toml" and code.startswith("# file: "):
            name, _, content = code.partition("\n")
            Path(name.removeprefix("# file: ")).write_text(content, encoding="utf-8")
        if language != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{page}[{index}]", "exec"), namespace)  # noqa: S102
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is not None and following[0] == "text":
            assert following[1] == out.getvalue(), f"{page} block {index}"
            checked += 1
    assert checked >= 3
