"""The README's examples run, and the output they show is what they print."""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```python\n(.*?)```", flags=re.DOTALL)
# A line ``print(x)  # value`` promises that it prints exactly ``value``.
SHOWN = re.compile(r"^print\(.*\)  # ((?:NPSResult|ComparisonResult)\(.*\)|-?\d+(?:\.\d+)?|\w+)$")


def test_readme_examples_run_and_print_what_they_say() -> None:
    """Every python block runs; a `print(x)  # value` line prints exactly that value."""
    namespace: dict[str, object] = {}
    printed: dict[int, str] = {}

    def record(*args: object) -> None:
        printed[sys._getframe(1).f_lineno] = " ".join(map(str, args))

    checked = 0
    for block in BLOCK.findall(README.read_text(encoding="utf-8")):
        printed.clear()
        namespace["print"] = record
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
        for number, line in enumerate(block.splitlines(), start=1):
            match = SHOWN.match(line)
            if match:
                assert printed[number] == match.group(1), line
                checked += 1
    assert checked >= 3
