"""The public API: __all__ lists are sorted and each public name is documented."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import netpromoter
from netpromoter import exceptions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api"
PUBLIC_MODULES = sorted(p.stem for p in DOCS.glob("*.md") if p.stem != "index")


def test_top_level_all_is_sorted_and_importable() -> None:
    """Every name in netpromoter.__all__ exists: its own names, sorted, then every error."""
    own = netpromoter.__all__[: -len(exceptions.__all__)]
    assert sorted(own) == own
    assert netpromoter.__all__[len(own) :] == exceptions.__all__
    assert not set(own) & set(exceptions.__all__)
    for name in netpromoter.__all__:
        assert hasattr(netpromoter, name), name


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_api_page_lists_exactly_the_module_all(module_name: str) -> None:
    """Each docs/api/<module>.md documents exactly the members in the module's __all__."""
    module = importlib.import_module(f"netpromoter.{module_name}")
    page = (DOCS / f"{module_name}.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\s+- (\w+)\s*$", page, flags=re.MULTILINE)
    assert sorted(documented) == sorted(module.__all__)
    assert sorted(module.__all__) == list(module.__all__)
