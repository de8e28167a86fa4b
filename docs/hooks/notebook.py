"""Build-time conversion of docs/notebook.ipynb into a page of the documentation site.

An mkdocs hook (``hooks:`` in mkdocs.yml): the notebook's cells become Markdown (its
Markdown cells as they are, its code in Python blocks) and their saved outputs follow
each cell: charts as inline SVG, tables as HTML, text as text blocks. The tests execute
the notebook (tests/unit/test_notebook.py), so the saved outputs are those of a run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.structure.files import File

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

NOTEBOOK = "notebook.ipynb"
PAGE = "notebook.md"


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _fence(text: str, language: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def _output(output: dict[str, Any]) -> str:
    """One saved output as Markdown: SVG, else HTML, else plain text."""
    if output.get("output_type") == "stream":
        return _fence(_text(output.get("text", "")), "text")
    if output.get("output_type") == "error":
        return _fence("\n".join(output.get("traceback", [])), "text")
    data = output.get("data", {})
    for kind in ("image/svg+xml", "text/html"):
        if kind in data:
            return f"<div class='notebook-output'>\n{_text(data[kind]).strip()}\n</div>"
    return _fence(_text(data.get("text/plain", "")), "text")


def to_markdown(notebook: dict[str, Any]) -> str:
    """The notebook as one Markdown page, with a link to download it."""
    parts = []
    for cell in notebook.get("cells", []):
        source = _text(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            parts.append(source)
        elif cell.get("cell_type") == "code":
            parts.append(_fence(source, "python"))
            parts.extend(_output(output) for output in cell.get("outputs", []))
        if len(parts) == 1:
            parts.append(f"[Download this notebook]({NOTEBOOK}) to run it yourself.")
    return "\n\n".join(parts) + "\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the page made from the notebook (the notebook itself stays, to download)."""
    source = files.get_file_from_path(NOTEBOOK)
    if source is None or source.abs_src_path is None:
        return files
    notebook = json.loads(Path(source.abs_src_path).read_text(encoding="utf-8"))
    files.append(File.generated(config, PAGE, content=to_markdown(notebook)))
    return files
