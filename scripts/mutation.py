"""Mutation testing: does the test suite notice a small wrong change in the code?

Each mutant is one small edit of the source text (``<`` to ``<=``, ``+=`` to ``=``, ``*``
to ``/``, a constant nudged, ``min`` to ``max``, ``and`` to ``or``, a sign or a ``not``
dropped...), found by walking the syntax tree of the target files. A mutant is *killed*
when some test fails (or runs past the timeout) with the edit applied, and *survives*
when every test still passes: then no test checks what that piece of code does.

How a run works:

1. The repository's files (``git ls-files``: tracked, and untracked but not ignored) are
   copied into one temporary directory per worker; edits are made there, never in the
   checkout, and pytest imports the package from there.
2. The test pool runs once on the unchanged code under ``coverage``, with one context per
   test, to learn which tests execute each line and how long each test takes (kept in
   ``.mutation-cache/`` for the same sources and tests). The run stops if a test fails on
   the unchanged code.
3. Each mutant runs the tests that execute its statement, fastest first, with ``-x``: first
   those of the two test files with the most such tests per second, then the others. An
   edit of code that runs when a function or class is defined (a default value, a
   decorator) runs the tests that execute the function's body or the class's lines; an
   edit at module level, the tests that execute any line of the file. An edit of a line
   no test executes survives without running anything.
4. Mutants listed as known-equivalent (``scripts/mutation_equivalent.toml``: edits with no
   observable effect, such as a chunk size) are not run and not counted.

Targets (files as globs, so a module split into a package is still found, and the
functions in them), the test pool and pytest's options come from a TOML file,
``scripts/mutation.toml`` by default. Hypothesis runs derandomised, without its example
database, so a run gives the same outcome every time. Run it before a release, not in
CI; docs/testing.md has the command and the last figures.

Usage::

    python scripts/mutation.py --list                   # mutants per file, nothing run
    python scripts/mutation.py --sample 480 --seed 1    # a seeded sample on two workers
    python scripts/mutation.py --target stats --match shrink   # only some mutants
    python scripts/mutation.py --target stats --match shrink --show   # their diffs
    python scripts/mutation.py --check-equivalent       # entries that match no mutant
"""

from __future__ import annotations

import argparse
import ast
import bisect
import contextlib
import dataclasses
import difflib
import fnmatch
import hashlib
import io
import itertools
import json
import os
import queue
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "scripts" / "mutation.toml"
CACHE = ROOT / ".mutation-cache"
#: Statements on a line with one of these comments are not mutated (nor what they contain).
PRAGMAS = ("pragma: no mutate", "pragma: no cover")
#: Test files run first for a mutant (the rest only if it survives them).
FIRST_FILES = 2
#: Seconds added to every timeout (interpreter and pytest start-up, collection).
START_UP = 30.0
WHOLE_FILE = (1, 1 << 30)
#: Process groups of the pytest runs under way, and whether the run is being stopped.
RUNNING: set[int] = set()
STOP = threading.Event()

# ---------------------------------------------------------------------------------------
# Mutation operators
# ---------------------------------------------------------------------------------------

BINARY: dict[type[ast.operator], tuple[str, tuple[str, ...]]] = {
    ast.Add: ("+", ("-",)),
    ast.Sub: ("-", ("+",)),
    ast.Mult: ("*", ("/",)),
    ast.Div: ("/", ("*",)),
    ast.FloorDiv: ("//", ("/",)),
    ast.Mod: ("%", ("//",)),
    ast.Pow: ("**", ("*",)),
    ast.LShift: ("<<", (">>",)),
    ast.RShift: (">>", ("<<",)),
    ast.BitAnd: ("&", ("|",)),
    ast.BitOr: ("|", ("&",)),
    ast.BitXor: ("^", ("|",)),
}
COMPARE: dict[type[ast.cmpop], tuple[str, str]] = {
    ast.Lt: ("<", "<="),
    ast.LtE: ("<=", "<"),
    ast.Gt: (">", ">="),
    ast.GtE: (">=", ">"),
    ast.Eq: ("==", "!="),
    ast.NotEq: ("!=", "=="),
    ast.Is: ("is", "is not"),
    ast.IsNot: ("is not", "is"),
    ast.In: ("in", "not in"),
    ast.NotIn: ("not in", "in"),
}
BOOLEAN: dict[type[ast.boolop], tuple[str, str]] = {
    ast.And: ("and", "or"),
    ast.Or: ("or", "and"),
}
UNARY: dict[type[ast.unaryop], str] = {ast.USub: "-", ast.Not: "not", ast.Invert: "~"}
#: Functions and methods swapped for their opposite (builtins, numpy functions, methods).
OPPOSITES = {
    "min": "max",
    "max": "min",
    "minimum": "maximum",
    "maximum": "minimum",
    "fmin": "fmax",
    "fmax": "fmin",
    "argmin": "argmax",
    "argmax": "argmin",
    "floor": "ceil",
    "ceil": "floor",
    "any": "all",
    "all": "any",
}
#: Subscripts that are type expressions, not code.
TYPE_FORMS = {"Literal", "Annotated", "TypeVar", "NDArray", "Callable"}


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One edit of one file: ``source[start:end]`` replaced by ``replacement``.

    ``reach`` are the line ranges whose tests may notice the edit; ``definition`` tells
    that the edit runs when the module, class or function is defined (then, when no test
    executes those lines, every test of the file is run instead).
    """

    path: str
    start: int
    end: int
    replacement: str
    line: int
    reach: tuple[tuple[int, int], ...]
    definition: bool
    qualname: str
    key: str

    def apply(self, source: str) -> str:
        """The mutated source text."""
        return source[: self.start] + self.replacement + source[self.end :]

    def diff(self, source: str) -> str:
        """A unified diff of the edit, with one line of context."""
        lines = difflib.unified_diff(
            source.splitlines(keepends=True),
            self.apply(source).splitlines(keepends=True),
            fromfile=self.path,
            tofile=self.path,
            n=1,
        )
        return "".join(lines)


class _Positions:
    """Character offsets of AST positions (UTF-8 byte columns) and of the tokens."""

    def __init__(self, source: str) -> None:
        self.text = source
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        every = list(tokenize.generate_tokens(io.StringIO(source).readline))
        self.tokens = [t for t in every if t.type in (tokenize.OP, tokenize.NAME)]
        self.token_starts = [self.starts[t.start[0] - 1] + t.start[1] for t in self.tokens]
        #: Column where each line's comment starts, for the lines that have one.
        self.comments = {t.start[0]: t.start[1] for t in every if t.type == tokenize.COMMENT}

    def offset(self, line: int, byte_column: int) -> int:
        """Offset of an AST (line, UTF-8 byte column) position."""
        text = self.lines[line - 1].encode("utf-8")[:byte_column].decode("utf-8")
        return self.starts[line - 1] + len(text)

    def span(self, node: ast.expr) -> tuple[int, int]:
        assert node.end_lineno is not None  # noqa: S101 - parsed code has positions
        assert node.end_col_offset is not None  # noqa: S101
        start = self.offset(node.lineno, node.col_offset)
        return start, self.offset(node.end_lineno, node.end_col_offset)

    def tokens_between(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Operator and name tokens inside ``[start, end)``, brackets left out."""
        out = []
        i = bisect.bisect_left(self.token_starts, start)
        while i < len(self.tokens) and self.token_starts[i] < end:
            string = self.tokens[i].string
            if string not in {"(", ")"}:
                begin = self.token_starts[i]
                out.append((begin, begin + len(string), string))
            i += 1
        return out

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
    )


def _nudged(value: float) -> float:
    """A constant a little off: integers + 1; floats 0 → 1, |x| ≥ 1 → x + 1, else 2x."""
    if isinstance(value, int):
        return value + 1
    if value == 0:
        return 1.0
    return value + 1.0 if abs(value) >= 1 else value * 2.0


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and _is_text(first.value):
        return body[1:]
    return body


@dataclasses.dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    replacement: str
    qualname: str
    reach: tuple[tuple[int, int], ...]
    definition: bool
    #: The module-level names the edited statement assigns.
    names: tuple[str, ...] = ()


class _Finder(ast.NodeVisitor):
    """Walk a module and collect every edit, with where it runs."""

    def __init__(self, source: str) -> None:
        self.pos = _Positions(source)
        self.edits: list[_Edit] = []
        self.scope: list[str] = []
        #: Enclosing definitions, innermost last.
        self.regions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []
        self.statements: list[ast.stmt] = []
        #: The function whose decorators or default values are being visited.
        self.defining: ast.FunctionDef | ast.AsyncFunctionDef | None = None
        #: Where each name is read: the lines whose tests see its value.
        self.uses: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)

    # -- structure --------------------------------------------------------------------

    def visit_body(self, body: Iterable[ast.stmt]) -> None:
        for stmt in body:
            if any(p in self.pos.lines[stmt.lineno - 1] for p in PRAGMAS):
                continue
            self.statements.append(stmt)
            self.visit(stmt)
            self.statements.pop()

    def visit_Module(self, node: ast.Module) -> None:
        self.visit_body(node.body)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.defining = node
        for expr in [
            *node.decorator_list,
            *node.args.defaults,
            *(d for d in node.args.kw_defaults if d is not None),
        ]:
            self.visit(expr)
        self.defining = None
        self.regions.append(node)
        self.visit_body(_without_docstring(node.body))
        self.regions.pop()
        self.scope.pop()

    visit_FunctionDef = _function  # noqa: N815 - the NodeVisitor protocol
    visit_AsyncFunctionDef = _function  # noqa: N815 - the NodeVisitor protocol

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.regions.append(node)
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.visit_body(_without_docstring(node.body))
        self.regions.pop()
        self.scope.pop()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING":
            self.visit_body(node.orelse)
            return
        self.visit(test)
        self.visit_body(node.body)
        self.visit_body(node.orelse)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.visit_body(node.body)
        self.visit_body(node.orelse)

    def visit_While(self, node: ast.While) -> None:
        self.visit(node.test)
        self.visit_body(node.body)
        self.visit_body(node.orelse)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
        self.visit_body(node.body)

    def visit_Try(self, node: ast.Try) -> None:
        self.visit_body(node.body)
        for handler in node.handlers:
            if not any(p in self.pos.lines[handler.lineno - 1] for p in PRAGMAS):
                self.visit_body(handler.body)
        self.visit_body(node.orelse)
        self.visit_body(node.finalbody)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:  # the annotation is not code
            self.visit(node.value)

    def visit_Assign(self, node: ast.Assign) -> None:
        if not any(getattr(t, "id", None) == "__all__" for t in node.targets):
            self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        """Messages are not mutated."""

    def visit_Subscript(self, node: ast.Subscript) -> None:
        value = node.value
        if getattr(value, "id", getattr(value, "attr", None)) not in TYPE_FORMS:
            self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.body)

    # -- edits ------------------------------------------------------------------------

    def _where(self, line: int) -> tuple[tuple[tuple[int, int], ...], bool]:
        """The lines whose tests see code at ``line`` here, and whether it runs at definition."""
        if self.defining is not None:
            # A decorator or default value: it changes what calls of the function do.
            return ((self.defining.body[0].lineno, self.defining.end_lineno or 0),), True
        if self.regions and not isinstance(self.regions[-1], ast.ClassDef):
            return ((self.statements[-1].lineno,) * 2, (line, line)), False
        if self.regions:  # a class body: what the class's methods and users see
            node = self.regions[-1]
            return ((node.lineno, node.end_lineno or 0),), True
        return (WHOLE_FILE,), True

    def _add(self, start: int, end: int, replacement: str) -> None:
        reach, definition = self._where(self.pos.line_of(start))
        names: tuple[str, ...] = ()
        statement = self.statements[-1]
        if not self.regions and isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = tuple(t.id for t in targets if isinstance(t, ast.Name))
        qualname = ".".join(self.scope) or "<module>"
        self.edits.append(_Edit(start, end, replacement, qualname, reach, definition, names))

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.uses[node.id].extend(self._where(node.lineno)[0])

    def _operator_between(
        self, left: ast.expr, right: ast.expr, symbol: str
    ) -> tuple[int, int] | None:
        tokens = self.pos.tokens_between(self.pos.span(left)[1], self.pos.span(right)[0])
        if not tokens or " ".join(t[2] for t in tokens) != symbol:
            return None
        return tokens[0][0], tokens[-1][1]

    def visit_BinOp(self, node: ast.BinOp) -> None:
        self.generic_visit(node)
        if _is_text(node.left) or _is_text(node.right) or type(node.op) not in BINARY:
            return
        symbol, replacements = BINARY[type(node.op)]
        span = self._operator_between(node.left, node.right, symbol)
        if span is not None:
            for new in replacements:
                self._add(*span, new)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        if type(node.op) not in BINARY:
            return
        symbol, replacements = BINARY[type(node.op)]
        span = self._operator_between(node.target, node.value, symbol + "=")
        if span is not None:
            self._add(*span, "=")
            for new in replacements:
                self._add(*span, new + "=")

    def visit_Compare(self, node: ast.Compare) -> None:
        self.generic_visit(node)
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            symbol, new = COMPARE[type(op)]
            span = self._operator_between(operands[i], operands[i + 1], symbol)
            if span is not None:
                self._add(*span, new)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        self.generic_visit(node)
        symbol, new = BOOLEAN[type(node.op)]
        for left, right in itertools.pairwise(node.values):
            span = self._operator_between(left, right, symbol)
            if span is not None:
                self._add(*span, new)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        self.generic_visit(node)
        symbol = UNARY.get(type(node.op))
        if symbol is None:
            return
        start, operand = self.pos.span(node)[0], self.pos.span(node.operand)[0]
        tokens = self.pos.tokens_between(start, operand)
        if tokens and tokens[0][2] == symbol:
            end = tokens[0][1]
            while symbol == "not" and self.pos.text[end] in " \t":
                end += 1  # "not x" -> "x"
            self._add(tokens[0][0], end, "")

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self._add(*self.pos.span(node), repr(not value))
        elif isinstance(value, (int, float)):
            self._add(*self.pos.span(node), repr(_nudged(value)))

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        name = getattr(func, "id", getattr(func, "attr", None))
        if name in OPPOSITES:
            end = self.pos.span(func)[1]
            self._add(end - len(name), end, OPPOSITES[name])


def mutants_of(relative: str, include: Sequence[str], exclude: Sequence[str]) -> list[Mutant]:
    """Every mutant of one file, in the functions ``include`` selects and ``exclude`` not.

    The key of a mutant names its function and shows the line before and after the edit
    (code only, spaces collapsed), with ``#2``, ``#3``... for identical edits: it stays
    the same when code above it moves.
    """
    source = (ROOT / relative).read_text(encoding="utf-8")
    finder = _Finder(source)
    finder.visit(ast.parse(source))
    pos = finder.pos
    shared = _names_used_elsewhere(relative)
    out: list[Mutant] = []
    seen: Counter[str] = Counter()
    made: set[str] = set()
    for edit in sorted(finder.edits, key=lambda e: (e.start, e.replacement)):
        if not _selected(edit.qualname, include, exclude):
            continue
        mutated = source[: edit.start] + edit.replacement + source[edit.end :]
        if mutated in made:
            continue
        try:
            compile(mutated, relative, "exec")
        except SyntaxError:
            continue
        made.add(mutated)
        reach = edit.reach
        if edit.names and not shared.intersection(edit.names):
            # A module constant used only here: the tests of the code that reads it.
            uses = [r for name in edit.names for r in finder.uses.get(name, [])]
            reach = tuple(sorted(set(uses))) or reach
        line = pos.line_of(edit.start)
        text = pos.lines[line - 1]
        cut = pos.comments.get(line, len(text))
        column = edit.start - pos.starts[line - 1]
        changed = text[:column] + edit.replacement + text[column + edit.end - edit.start :]
        shift = len(edit.replacement) - (edit.end - edit.start)
        base = f"{edit.qualname}: {' '.join(text[:cut].split())} => "
        base += " ".join(changed[: cut + shift].split())
        seen[base] += 1
        out.append(
            Mutant(
                path=relative,
                start=edit.start,
                end=edit.end,
                replacement=edit.replacement,
                line=line,
                reach=reach,
                definition=edit.definition,
                qualname=edit.qualname,
                key=base if seen[base] == 1 else f"{base} #{seen[base]}",
            )
        )
    return out


def _names_used_elsewhere(relative: str) -> set[str]:
    """Names of the module at ``relative`` that other modules of ``src/`` import or read."""
    path = Path(relative)
    parts = path.with_suffix("").parts[1:]  # src/pkg/mod.py -> pkg.mod
    dotted, package, stem = ".".join(parts), ".".join(parts[:-1]), parts[-1]
    names: set[str] = set()
    for other in (ROOT / "src").rglob("*.py"):
        if other == ROOT / relative:
            continue
        for node in ast.walk(ast.parse(other.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == dotted:
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module == package:
                if any(alias.name == stem for alias in node.names):
                    names.add("*")  # the module itself: attributes read below
            elif isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == stem:
                names.add(node.attr)
    return names


def _selected(qualname: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    def matches(patterns: Sequence[str]) -> bool:
        return any(
            fnmatch.fnmatchcase(qualname, p) or fnmatch.fnmatchcase(qualname, p + ".*")
            for p in patterns
        )

    return (not include or matches(include)) and not matches(exclude)


# ---------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """Files (globs relative to the repository) and the functions in them to mutate."""

    name: str
    paths: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def files(self) -> list[str]:
        """The Python files the globs match, in order, each once."""
        found: dict[str, None] = {}
        for pattern in self.paths:
            for path in sorted(ROOT.glob(pattern)):
                if path.is_file() and path.suffix == ".py":
                    found[path.relative_to(ROOT).as_posix()] = None
        return list(found)


@dataclasses.dataclass(frozen=True)
class Config:
    """The targets, named groups of them, the test pool and the known-equivalent mutants."""

    targets: dict[str, Target]
    groups: dict[str, tuple[str, ...]]
    tests: tuple[str, ...]
    pytest_args: tuple[str, ...]
    equivalent: dict[str, str]


def load_config(path: Path, equivalent_path: Path | None) -> Config:
    """Read the config and the list of known-equivalent mutants it names."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    run = data.get("run", {})
    targets = {}
    for raw in data.get("target", []):
        targets[raw["name"]] = Target(
            name=raw["name"],
            paths=tuple(raw["paths"]),
            include=tuple(raw.get("include", ())),
            exclude=tuple(raw.get("exclude", ())),
        )
    listed = equivalent_path or path.with_name(run.get("equivalent", "mutation_equivalent.toml"))
    equivalent = {}
    if listed.exists():
        for entry in tomllib.loads(listed.read_text(encoding="utf-8")).get("equivalent", []):
            equivalent[entry["mutant"]] = entry["reason"]
    return Config(
        targets=targets,
        groups={name: tuple(members) for name, members in data.get("group", {}).items()},
        tests=tuple(run.get("tests", ["tests"])),
        pytest_args=tuple(run.get("pytest_args", [])),
        equivalent=equivalent,
    )


# ---------------------------------------------------------------------------------------
# Running the tests
# ---------------------------------------------------------------------------------------

PLUGIN = '''"""Loaded into every pytest run of scripts/mutation.py."""
import json
import os
from pathlib import Path

import pytest

_durations = {}


def pytest_configure(config):
    import netpromoter

    root = Path(os.environ["MUTATION_ROOT"]).resolve()
    if root not in Path(netpromoter.__file__).resolve().parents:
        raise pytest.UsageError(f"netpromoter imported from {netpromoter.__file__}, not {root}")
    from hypothesis import settings

    # The same examples on every run, and no example database carried between mutants.
    settings.register_profile(
        "mutation", deadline=None, derandomize=True, database=None, print_blob=False
    )
    settings.load_profile("mutation")


def pytest_runtest_logreport(report):
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    out = os.environ.get("MUTATION_DURATIONS")
    if out:
        Path(out).write_text(json.dumps(_durations))
'''


def _repository_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [f for f in listed.split("\0") if f and (ROOT / f).is_file()]


def _environment(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE", "COVERAGE"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(root / "src"), str(root)]),
        MUTATION_ROOT=str(root),
        PYTHONHASHSEED="0",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    env.update(extra)
    return env


def _run(
    command: Sequence[str], cwd: Path, env: dict[str, str], timeout: float
) -> tuple[int | None, str]:
    """Run a command in its own process group; the code is ``None`` when it timed out."""
    if STOP.is_set():
        raise KeyboardInterrupt
    with subprocess.Popen(  # noqa: S603 - this interpreter running pytest
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    ) as process:
        RUNNING.add(process.pid)
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
            return None, out.decode(errors="replace")
        finally:
            RUNNING.discard(process.pid)
        return process.returncode, out.decode(errors="replace")


def _stop_everything() -> None:
    """Stop the pytest runs this script started (each is its own process group)."""
    STOP.set()
    for pid in list(RUNNING):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def _pytest(*args: str) -> list[str]:
    plugins = ["-p", "_mutation_plugin", "-p", "no:cacheprovider"]
    return [sys.executable, "-m", "pytest", *plugins, "-q", "--no-header", *args]


def _fingerprint(files: Sequence[str], config: Config) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([config.tests, config.pytest_args, sys.version]).encode())
    for name in sorted(f for f in files if f.startswith(("src/", "tests/", "pyproject.toml"))):
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return digest.hexdigest()[:20]


@dataclasses.dataclass
class TestMap:
    """Which tests execute each line, and how long each test takes."""

    lines: dict[str, dict[int, set[str]]]
    durations: dict[str, float]
    #: Run these tests (pytest arguments) for every mutant instead of choosing by line.
    fixed: tuple[str, ...] = ()

    def tests_for(self, mutant: Mutant) -> list[list[str]]:
        """The tests to run, in stages: the most promising files first, then the rest."""
        if self.fixed:
            return [list(self.fixed)]
        per_line = self.lines.get(mutant.path, {})
        chosen: set[str] = set()
        for line, tests in per_line.items():
            if any(lo <= line <= hi for lo, hi in mutant.reach):
                chosen |= tests
        if not chosen and mutant.definition:
            chosen = set().union(*per_line.values())
        if not chosen:
            return []
        by_file: dict[str, list[str]] = defaultdict(list)
        for test in sorted(chosen, key=lambda t: (self.durations.get(t, 0.0), t)):
            by_file[test.split("::")[0]].append(test)

        def speed(file: str) -> float:
            tests = by_file[file]
            return len(tests) / (0.5 + sum(self.durations.get(t, 0.0) for t in tests))

        ranked = sorted(by_file, key=lambda f: (-speed(f), f))
        first = [t for f in ranked[:FIRST_FILES] for t in by_file[f]]
        rest = [t for f in ranked[FIRST_FILES:] for t in by_file[f]]
        return [first, rest] if rest else [first]

    def seconds(self, tests: Iterable[str]) -> float:
        """The time the tests took on the unchanged code (a minute for fixed tests)."""
        if self.fixed:
            return 60.0
        return sum(self.durations.get(t, 0.0) for t in tests)


def build_test_map(worker: Path, config: Config, files: Sequence[str]) -> TestMap:
    """Run the test pool once under coverage with a context per test (cached)."""
    CACHE.mkdir(exist_ok=True)
    cached = CACHE / f"testmap-{_fingerprint(files, config)}.json"
    if cached.exists():
        data = json.loads(cached.read_text())
        lines = {p: {int(k): set(v) for k, v in per.items()} for p, per in data["lines"].items()}
        return TestMap(lines, data["durations"])
    data_file = worker / ".coverage-mutation"
    durations_file = worker / ".durations-mutation.json"
    env = _environment(worker, COVERAGE_FILE=str(data_file), MUTATION_DURATIONS=str(durations_file))
    coverage_args = ("--cov=netpromoter", "--cov-context=test", "--cov-report=")
    command = _pytest(*coverage_args, *config.pytest_args, *config.tests)
    print(f"which tests run which line: {shlex.join(command[3:])}", flush=True)
    began = time.monotonic()
    code, output = _run(command, worker, env, timeout=4 * 3600.0)
    if code != 0:
        print(output[-6000:])
        msg = f"the tests fail on the unchanged code (pytest exit {code}): fix that first"
        raise SystemExit(msg)
    print(f"  {time.monotonic() - began:.0f} s", flush=True)
    from coverage import CoverageData  # noqa: PLC0415 - only needed here

    coverage = CoverageData(basename=str(data_file))
    coverage.read()
    prefix = str(worker.resolve()) + os.sep
    lines = {}
    for measured in coverage.measured_files():
        resolved = str(Path(measured).resolve())
        if resolved.startswith(prefix):
            contexts = coverage.contexts_by_lineno(measured)
            lines[resolved[len(prefix) :]] = {
                line: {c.split("|")[0] for c in found if c} for line, found in contexts.items()
            }
    durations = json.loads(durations_file.read_text())
    serialised = {p: {k: sorted(v) for k, v in per.items()} for p, per in lines.items()}
    cached.write_text(json.dumps({"lines": serialised, "durations": durations}))
    return TestMap(lines, durations)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of one mutant, how many tests it ran and for how long."""

    mutant: Mutant
    status: str  # killed, timeout, survived, uncovered (no test runs it), error
    tests: int
    seconds: float
    detail: str = ""


class Workers:
    """Temporary copies of the repository, one per worker, handed out one at a time."""

    def __init__(self, count: int, files: Sequence[str]) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="netpromoter-mutation-"))
        self.free: queue.Queue[Path] = queue.Queue()
        self.roots = []
        for i in range(count):
            root = self.base / f"w{i}"
            for name in files:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, root / name)
            (root / "_mutation_plugin.py").write_text(PLUGIN, encoding="utf-8")
            self.roots.append(root)
            self.free.put(root)

    def close(self) -> None:
        """Delete the copies."""
        shutil.rmtree(self.base, ignore_errors=True)


def _drop_bytecode(file: Path) -> None:
    for stale in (file.parent / "__pycache__").glob(f"{file.stem}.*.pyc"):
        stale.unlink(missing_ok=True)


def _run_stage(
    root: Path, config: Config, tests: list[str], timeout: float
) -> tuple[int | None, str]:
    code, output = _run(
        _pytest("-x", "-p", "no:cov", *config.pytest_args, *tests),
        root,
        _environment(root),
        timeout,
    )
    if code == 4 and "ERROR: not found" in output:  # noqa: PLR2004 - pytest's usage error
        # The edit changed the parameters of a test (e.g. one computed from a constant):
        # run every case of those test functions instead.
        whole = list(dict.fromkeys(t.split("[")[0] for t in tests))
        code, output = _run(
            _pytest("-x", "-p", "no:cov", *config.pytest_args, *whole),
            root,
            _environment(root),
            timeout,
        )
    return code, output


@dataclasses.dataclass(frozen=True)
class Runner:
    """Runs mutants: the original sources, the worker copies, the tests and the timeout."""

    sources: dict[str, str]
    workers: Workers
    tests: TestMap
    config: Config
    factor: float

    def __call__(self, mutant: Mutant) -> Outcome:
        """Apply the edit in a free worker copy, run its tests in stages, restore the file."""
        return run_mutant(mutant, self)


def run_mutant(mutant: Mutant, runner: Runner) -> Outcome:
    """Run one mutant's tests, stage by stage, until one fails or all pass."""
    sources, workers, tests, config = runner.sources, runner.workers, runner.tests, runner.config
    stages = tests.tests_for(mutant)
    if not stages:
        return Outcome(mutant, "uncovered", 0, 0.0)
    root = workers.free.get()
    file = root / mutant.path
    began = time.monotonic()
    ran = 0
    try:
        file.write_text(mutant.apply(sources[mutant.path]), encoding="utf-8")
        _drop_bytecode(file)
        for stage in stages:
            ran += len(stage)
            timeout = runner.factor * tests.seconds(stage) + START_UP
            code, output = _run_stage(root, config, stage, timeout)
            if code != 0:
                break
    finally:
        file.write_text(sources[mutant.path], encoding="utf-8")
        _drop_bytecode(file)
        workers.free.put(root)
    seconds = time.monotonic() - began
    if code is None:
        return Outcome(mutant, "timeout", ran, seconds)
    if code == 0:
        return Outcome(mutant, "survived", ran, seconds)
    if code in (1, 2):  # a test failed, or collecting the tests failed
        failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", output, flags=re.MULTILINE)
        return Outcome(mutant, "killed", ran, seconds, failed[0] if failed else "")
    return Outcome(mutant, "error", ran, seconds, output[-3000:])


# ---------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------

COLUMNS = (
    "mutants",
    "sampled",
    "equivalent",
    "killed",
    "timeout",
    "survived",
    "not run",
    "kill rate",
)


def _row(name: str, c: Counter[str]) -> list[str]:
    counted = c["killed"] + c["timeout"] + c["survived"] + c["uncovered"] + c["error"]
    rate = f"{100.0 * (c['killed'] + c['timeout']) / counted:.1f} %" if counted else "-"
    numbers = [c["mutants"], counted + c["equivalent"], c["equivalent"], c["killed"], c["timeout"]]
    numbers += [c["survived"] + c["error"], c["uncovered"]]
    return [name, *map(str, numbers), rate]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("| " + " | ".join(cells) + " |")
        if n == 0:
            rules = ["-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)]
            out.append("|" + "|".join(rules) + "|")
    return "\n".join(out)


def summarise(
    outcomes: list[Outcome], equivalent: list[Mutant], totals: Counter[str], sources: dict[str, str]
) -> str:
    """Per-file table (kill rate = killed or timed out / sampled − equivalent) and survivors."""
    per_file: dict[str, Counter[str]] = defaultdict(Counter)
    for path, total in totals.items():
        per_file[path]["mutants"] = total
    for outcome in outcomes:
        per_file[outcome.mutant.path][outcome.status] += 1
    for mutant in equivalent:
        per_file[mutant.path]["equivalent"] += 1
    overall: Counter[str] = Counter()
    rows = [["file", *COLUMNS]]
    for path in sorted(per_file):
        overall.update(per_file[path])
        rows.append(_row(path, per_file[path]))
    rows.append(_row("all", overall))
    out = [_table(rows), ""]
    survivors = sorted(
        (o for o in outcomes if o.status in ("survived", "uncovered", "error")),
        key=lambda o: (o.mutant.path, o.mutant.start),
    )
    if survivors:
        out.append(f"{len(survivors)} surviving mutants:\n")
    for o in survivors:
        label = {"uncovered": "no test runs this line", "error": "pytest error"}.get(
            o.status, f"{o.tests} tests ran"
        )
        out.append(f"* {o.mutant.path}:{o.mutant.line} ({label})\n  key: {o.mutant.key}")
        out.append("  " + o.mutant.diff(sources[o.mutant.path]).rstrip().replace("\n", "\n  "))
        if o.status == "error":
            out.append("  " + o.detail.rstrip().replace("\n", "\n  "))
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Mutation testing of netpromoter (see the module docstring).",
    )
    add = parser.add_argument
    add("--config", type=Path, default=DEFAULT_CONFIG, help="targets and test pool (TOML)")
    add("--equivalent", type=Path, help="known-equivalent mutants (TOML; default: the config's)")
    add(
        "--target",
        action="append",
        default=[],
        help="a target of the config (repeatable; default: all)",
    )
    add(
        "--tests",
        nargs="+",
        help="run these tests (pytest arguments) for every mutant, not those of its line",
    )
    add("--group", action="append", default=[], help="a group of targets (repeatable)")
    add(
        "--path",
        action="append",
        default=[],
        help="mutate these files (globs) instead of the targets",
    )
    add("--match", help="only the mutants whose key contains this text")
    add("--sample", type=int, help="run a random sample of this many mutants")
    add("--seed", type=int, default=0, help="seed of the sample (default 0)")
    add("--workers", type=int, default=2, help="mutants run at once (default 2)")
    add(
        "--timeout-factor",
        type=float,
        default=5.0,
        help=f"timeout: this times the tests' usual time, plus {START_UP:.0f} s",
    )
    add("--list", action="store_true", help="count the mutants per file, run nothing")
    add(
        "--show",
        action="store_true",
        help="print the key and diff of each selected mutant, run nothing",
    )
    add(
        "--check-equivalent",
        action="store_true",
        help="list equivalent entries that match no mutant",
    )
    add("--json", type=Path, help="also write every outcome to this JSON file")
    add(
        "--carry",
        type=Path,
        help="a --json report of the same selection: its killed mutants count as killed "
        "without running (valid only when the mutated files are unchanged and tests were "
        "only added since); the others run again",
    )
    return parser.parse_args(argv)


def _targets(args: argparse.Namespace, config: Config) -> list[Target]:
    if args.path:
        return [Target("command line", tuple(args.path))]
    names = list(args.target)
    for group in args.group:
        if group not in config.groups:
            msg = f"unknown group {group!r}; the config has {sorted(config.groups)}"
            raise SystemExit(msg)
        names += config.groups[group]
    names = list(dict.fromkeys(names)) or list(config.targets)
    unknown = sorted(set(names) - set(config.targets))
    if unknown:
        msg = f"unknown target(s) {unknown}; the config has {sorted(config.targets)}"
        raise SystemExit(msg)
    return [config.targets[n] for n in names]


def _run_all(
    to_run: list[Mutant], sources: dict[str, str], config: Config, args: argparse.Namespace
) -> list[Outcome]:
    files = _repository_files()
    workers = Workers(max(1, args.workers), files)
    outcomes: list[Outcome] = []
    marks = {"killed": ".", "timeout": "T", "survived": "S", "uncovered": "U", "error": "E"}
    try:
        try:
            if args.tests:
                tests = TestMap({}, {}, fixed=tuple(args.tests))
            else:
                tests = build_test_map(workers.roots[0], config, files)
        except KeyboardInterrupt:
            _stop_everything()
            raise
        print(f"running {len(to_run)} mutants on {args.workers} workers", flush=True)
        runner = Runner(sources, workers, tests, config, args.timeout_factor)
        pool = ThreadPoolExecutor(max(1, args.workers))
        futures = [pool.submit(runner, m) for m in to_run]
        try:
            for done, future in enumerate(as_completed(futures), 1):
                outcomes.append(future.result())
                end = f" {done}/{len(to_run)}\n" if done % 60 == 0 or done == len(to_run) else ""
                print(marks[outcomes[-1].status], end=end, flush=True)
        except KeyboardInterrupt:
            print("\nstopped: the mutants run so far are summarised", flush=True)
            _stop_everything()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        workers.close()
    return outcomes


def _collect(targets: list[Target]) -> tuple[dict[str, str], list[Mutant], Counter[str]]:
    """The sources of the targets' files, all their mutants, and how many per file."""
    sources: dict[str, str] = {}
    mutants: list[Mutant] = []
    totals: Counter[str] = Counter()
    for target in targets:
        files = target.files()
        if not files:
            print(f"warning: target {target.name!r} matches no file: {list(target.paths)}")
        for relative in files:
            sources[relative] = (ROOT / relative).read_text(encoding="utf-8")
            found = mutants_of(relative, target.include, target.exclude)
            totals[relative] += len(found)
            mutants.extend(found)
    return sources, mutants, totals


def _chosen(mutants: list[Mutant], args: argparse.Namespace) -> list[Mutant]:
    """The mutants ``--match`` and ``--sample`` select, in file order."""
    if args.match:
        mutants = [m for m in mutants if args.match in m.key]
    if args.sample is not None and args.sample < len(mutants):
        ordered = sorted(mutants, key=lambda m: (m.path, m.key))
        mutants = random.Random(args.seed).sample(ordered, args.sample)
    return sorted(mutants, key=lambda m: (m.path, m.start, m.replacement))


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; 0 unless ``--check-equivalent`` finds stale entries."""
    signal.signal(signal.SIGTERM, _interrupt)
    args = _parse(argv)
    config = load_config(args.config, args.equivalent)
    sources, mutants, totals = _collect(_targets(args, config))
    if args.check_equivalent:
        keys = {m.key for m in mutants}
        stale = [k for k in config.equivalent if k not in keys]
        for key in stale:
            print(f"matches no mutant: {key}")
        print(f"{len(config.equivalent) - len(stale)} of {len(config.equivalent)} entries match")
        return 1 if stale else 0
    if args.list:
        for path in sorted(totals):
            print(f"{path}: {totals[path]} mutants")
        print(f"all: {sum(totals.values())} mutants")
        return 0
    mutants = _chosen(mutants, args)
    if args.show:
        for m in mutants:
            print(f"key: {m.key}\n{m.diff(sources[m.path])}")
        return 0
    equivalent = [m for m in mutants if m.key in config.equivalent]
    to_run = [m for m in mutants if m.key not in config.equivalent]
    print(f"python {shlex.join(['scripts/mutation.py', *(argv or sys.argv[1:])])}")
    print(f"{len(mutants)} mutants selected, {len(equivalent)} of them known-equivalent")
    carried = _carried(args.carry, to_run, sources) if args.carry else []
    done = {o.mutant.key for o in carried}
    to_run = [m for m in to_run if m.key not in done]
    began = time.monotonic()
    outcomes = carried + _run_all(to_run, sources, config, args)
    elapsed = time.monotonic() - began
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = used.ru_utime + used.ru_stime
    print()
    print(summarise(outcomes, equivalent, totals, sources))
    print(
        f"\n{len(outcomes)} mutants run in {elapsed / 60:.1f} min on {args.workers} workers; "
        f"the test runs used {cpu / 60:.1f} min of CPU time; load average at the end "
        f"{os.getloadavg()[0]:.1f}"
    )
    if args.json:
        _write_json(args.json, outcomes, equivalent, elapsed, cpu, sources=sources)
    return 0


def _source_digests(sources: dict[str, str]) -> dict[str, str]:
    return {p: hashlib.sha256(text.encode()).hexdigest() for p, text in sorted(sources.items())}


def _carried(path: Path, to_run: list[Mutant], sources: dict[str, str]) -> list[Outcome]:
    """The outcomes of an earlier report's killed mutants, if its sources are the same."""
    report = json.loads(path.read_text())
    digests = _source_digests(sources)
    earlier = report.get("sources", {})
    if not earlier:
        print(f"warning: {path} records no source digests: check that src/ is unchanged")
    changed = sorted(p for p, d in earlier.items() if digests.get(p) != d)
    if changed:
        msg = f"{path}: these files changed since that run, so it cannot be carried: {changed}"
        raise SystemExit(msg)
    selected = {m.key: m for m in to_run}
    reported = {o["mutant"] for o in report["outcomes"]}
    if set(selected) - reported:
        msg = f"{path} reports another selection of mutants: run the same --sample and --seed"
        raise SystemExit(msg)
    # Mutants listed as equivalent since that run are not selected, so not carried.
    carried = [
        Outcome(selected[o["mutant"]], o["status"], o["tests"], o["seconds"], f"carried: {path}")
        for o in report["outcomes"]
        if o["status"] in ("killed", "timeout") and o["mutant"] in selected
    ]
    print(f"{len(carried)} killed mutants carried from {path}; the others run again")
    return carried


def _write_json(
    path: Path,
    outcomes: list[Outcome],
    equivalent: list[Mutant],
    elapsed: float,
    cpu: float,
    *,
    sources: dict[str, str],
) -> None:
    report = {
        "sources": _source_digests(sources),
        "elapsed_seconds": elapsed,
        "cpu_seconds": cpu,
        "outcomes": [
            {**dataclasses.asdict(o.mutant), **dataclasses.asdict(o), "mutant": o.mutant.key}
            for o in outcomes
        ],
        "equivalent": [m.key for m in equivalent],
    }
    path.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
