"""The notebook in docs/ runs from top to bottom on the current version."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebook.ipynb"


def test_docs_notebook_executes_and_draws_its_charts() -> None:
    """Every cell runs without error; each plot cell shows an SVG chart and a table shows HTML."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    outputs = [output for cell in code for output in cell.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    plot_cells = [cell for cell in code if cell.source.rstrip().endswith("plot()")]
    assert len(plot_cells) >= 4
    for cell in plot_cells:
        (result,) = cell.outputs
        assert result.data["image/svg+xml"].startswith("<svg xmlns=")
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    assert any("<table" in o.data["text/html"] for o in html)
    streams = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "regions.svg True" in streams
