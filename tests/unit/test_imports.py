"""What each command line path imports: only what it uses.

Each check runs in a fresh interpreter (a module imported once stays imported) and
looks at ``sys.modules`` afterwards.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from netpromoter import exceptions
from netpromoter._lazy import typed_homes

if TYPE_CHECKING:
    from pathlib import Path

_PROBE = """
import contextlib, io, json, sys
from netpromoter.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


def _imported(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_version_imports_no_library_module_nor_numpy() -> None:
    modules = _imported("--version")
    assert "numpy" not in modules
    assert "pydantic" not in modules
    library = {
        m for m in modules if m.startswith("netpromoter.") and not m.startswith("netpromoter.cli")
    }
    # The command line's own modules, the errors and the lazy loader: nothing else.
    assert library == {"netpromoter.exceptions", "netpromoter._lazy"}


def test_score_imports_neither_the_report_builder_nor_weighting_nor_follow_ups_nor_pandas(
    tmp_path: Path,
) -> None:
    path = tmp_path / "responses.csv"
    path.write_text(
        "submitted_at,region,score\n2026-01-05T10:00:00Z,north,9\n2026-01-06T10:00:00Z,south,3\n",
        encoding="utf-8",
    )
    modules = _imported("score", str(path), "--by", "region", "--quiet")
    assert "netpromoter.io._tally_file" in modules  # the command ran
    for heavy in (
        "netpromoter.report.build",
        "netpromoter.weighting",
        "netpromoter.trends",
        "netpromoter.drivers",
        "netpromoter.followup",
        "pandas",
        "narwhals",
    ):
        assert heavy not in modules, heavy


def test_public_names_load_on_first_use() -> None:
    probe = (
        "import sys, netpromoter as n; before = 'netpromoter.trends' in sys.modules; "
        "f = n.trend; print(before, 'netpromoter.trends' in sys.modules, f.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "netpromoter.trends.pipeline"]


@pytest.mark.parametrize("package", ["netpromoter", "netpromoter.io", "netpromoter.report"])
def test_lazy_names_are_the_typed_imports_and_the_public_list(package: str) -> None:
    """What loads on first use is what type checkers see, and ``__all__`` lists it."""
    module = importlib.import_module(package)
    homes = typed_homes(module.__file__ or "")
    lazy = {name for names in homes.values() for name in names}
    assert lazy  # the typed imports were found
    for home, names in homes.items():
        for name in names:
            assert getattr(module, name) is getattr(importlib.import_module(home), name)
    extra = set(getattr(module, "__all__", ())) - lazy
    # The top level also re-exports every error and warning, and computes its version.
    expected = set(exceptions.__all__) | {"__version__"} if package == "netpromoter" else set()
    assert extra == expected
    assert lazy <= set(module.__all__)
