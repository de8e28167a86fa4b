"""A package's public names, imported from their modules when first used (PEP 562).

A package ``__init__`` imports its public names under ``if TYPE_CHECKING:``, which is
what type checkers read, and takes the module-level ``__getattr__`` and ``__dir__`` made
here from those same imports (``typed_homes`` reads them from the file), so each name's
home is written once. So importing a package costs only what is used: the command
line, for instance, loads neither plotting nor weighting to score a file.

Examples:
    >>> getattr_, dir_ = attach("netpromoter", {"netpromoter.core": ("score",)}, {})
    >>> getattr_("score").__name__, "score" in dir_()
    ('score', True)
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence


def attach(
    package: str,
    homes: Mapping[str, Sequence[str]],
    computed: Mapping[str, Callable[[], object]],
    *,
    modules: Sequence[str] = (),
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names load on first use.

    Args:
        package: The package's name (``"netpromoter.io"``).
        homes: Per module, the public names it defines.
        computed: Names whose value a function computes on first use (``__version__``).
        modules: Subpackages imported on first use as attributes (``netpromoter.trends``).

    Returns:
        The module-level ``__getattr__`` (each value is then kept in the package, so it
        is looked up once) and ``__dir__``.
    """
    where = {name: module for module, names in homes.items() for name in names}
    submodules = frozenset(modules)

    def getattr_(name: str) -> object:
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
        elif name in computed:
            value = computed[name]()
        elif name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        else:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        setattr(sys.modules[package], name, value)
        return value

    def dir_() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where, *computed, *submodules})

    return getattr_, dir_


def typed_homes(path: str) -> dict[str, tuple[str, ...]]:
    """Per module, the names a package file imports from it under ``if TYPE_CHECKING:``.

    Args:
        path: The package's ``__init__.py`` (its ``__file__``).

    Returns:
        Module -> names, in the order of the imports.

    Examples:
        >>> import netpromoter.report
        >>> typed_homes(netpromoter.report.__file__)["netpromoter.report.model"]
        ('Report',)
    """
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    homes: dict[str, tuple[str, ...]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    names = tuple(alias.asname or alias.name for alias in statement.names)
                    homes[statement.module] = homes.get(statement.module, ()) + names
    return homes
