"""Fail when pyright's type completeness of the public API falls under a threshold.

Runs ``pyright --verifytypes netpromoter --ignoreexternal --outputjson`` (pyright must be on
PATH, with the package importable by the Python it finds) and prints the score.

Usage: ``python scripts/verify_types.py [MINIMUM]`` (a percentage, 95 by default).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

DEFAULT_MINIMUM = 95.0


def main(argv: list[str]) -> int:
    """Print the completeness score; exit 1 when it is under the minimum."""
    minimum = float(argv[1]) if len(argv) > 1 else DEFAULT_MINIMUM
    pyright = shutil.which("pyright")
    if pyright is None:
        print("pyright is not installed (it is in the lint dependency group)")
        return 1
    command = [pyright, "--verifytypes", "netpromoter", "--ignoreexternal", "--outputjson"]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - pyright, found on PATH
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        print(completed.stdout, completed.stderr, sep="\n")
        return 1
    score = 100 * float(report["typeCompleteness"]["completenessScore"])
    print(f"pyright --verifytypes netpromoter: {score:.1f} % typed (minimum {minimum} %)")
    if score < minimum:
        for diagnostic in report.get("generalDiagnostics", [])[:40]:
            print(f"{diagnostic.get('file', '')}: {diagnostic.get('message', '')}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
