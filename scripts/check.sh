#!/usr/bin/env bash
# Install the development tools into .venv (created if absent) and run every check:
# ruff lint, ruff format, mypy --strict, pyright type completeness (at least 95 %),
# pytest (with hypothesis and doctests), mkdocs --strict.
# With CI=true (as .ci/run sets) PySpark is installed and the Spark tests run too.
# Exits non-zero on the first failure; pytest's "no tests collected" (exit 5) is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${NETPROMOTER_VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
venv="$(cd "$venv" && pwd)"
py="$venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check -U "pip>=25.1"
"$py" -m pip install -q --disable-pip-version-check -e . --group dev
# PySpark is large: CI (CI=true) installs it and runs the Spark tests; locally they are
# skipped unless CI=true is set.
spark_filter=(-m "not spark")
if [ "${CI:-}" = "true" ]; then
  "$py" -m pip install -q --disable-pip-version-check --group spark
  spark_filter=()
fi
export PATH="$venv/bin:$PATH" NO_MKDOCS_2_WARNING=1

step() { printf '\n== %s\n' "$*"; }
step "ruff check";        ruff check .
step "ruff format";       ruff format --check .
step "mypy --strict";     mypy
step "pyright --verifytypes"; python scripts/verify_types.py 95
step "pytest";            pytest -q "${spark_filter[@]}" ${PYTEST_ARGS:-}
step "mkdocs --strict";   mkdocs build --strict --quiet --site-dir "${TMPDIR:-/tmp}/netpromoter-site"
step "all checks passed"
