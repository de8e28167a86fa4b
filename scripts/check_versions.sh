#!/usr/bin/env bash
# Run the test suite (pytest only) on the edges of the supported versions, each leg in a
# fresh virtualenv under .versions/ built with uv (installed from the package index):
#
#   lowest  the lowest declared version of every direct dependency
#           (uv pip install --resolution lowest-direct), on python3
#   oldest  the newest dependencies on the oldest supported Python (3.10)
#   newest  the newest dependencies on the newest supported Python (3.13)
#
# Usage: bash scripts/check_versions.sh [lowest|oldest|newest]...  (all three by default)
#
# The oldest and newest Pythons are looked up in pyenv's versions folder (`pyenv root`,
# else ~/.pyenv); a leg whose Python is absent is skipped with a message saying so. The
# Spark and slow tests are left to scripts/check.sh. Exits non-zero when a leg fails or
# runs no test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with requires-python in pyproject.toml and the README.
OLDEST_PYTHON=3.10
NEWEST_PYTHON=3.13
# Everything the test suite imports: the test tools and every optional engine but Spark.
TEST_GROUPS=(--group test --group dataframes --group templates --group cli --group lazy)
# Direct dependencies whose installed versions each leg prints.
SHOWN='^(numpy|pydantic|pandas|polars|pyarrow|narwhals|dask|duckdb|scipy|hypothesis|pytest) '

root="$(pwd)/.versions"
mkdir -p "$root"
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1

if [ ! -x "$root/tools/bin/uv" ]; then
  python3 -m venv "$root/tools"
  "$root/tools/bin/python" -m pip install -q --disable-pip-version-check "uv>=0.7"
fi
uv="$root/tools/bin/uv"

# The newest installed CPython of a minor version (e.g. 3.10) from pyenv, or nothing.
pyenv_python() {
  local base
  base="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")/versions"
  [ -d "$base" ] || return 0
  local found
  found="$(find "$base" -mindepth 1 -maxdepth 1 -name "$1.*" -printf '%f\n' |
    grep -E "^$(printf '%s' "$1" | sed 's/\./\\./')\.[0-9]+$" | sort -t. -k3,3n | tail -n 1)"
  if [ -n "$found" ] && [ -x "$base/$found/bin/python3" ]; then
    echo "$base/$found/bin/python3"
  fi
}

# run_leg NAME PYTHON [uv pip install options...]
run_leg() {
  local name="$1" python="$2"
  shift 2
  local venv="$root/$name"
  printf '\n== versions: %s (%s)\n' "$name" "$("$python" --version 2>&1)"
  rm -rf "$venv"
  # (set -e does not apply inside a function called as a condition: each step says so)
  "$uv" venv -q -p "$python" "$venv" || return 1
  "$uv" pip install -q -p "$venv/bin/python" "$@" -e . "${TEST_GROUPS[@]}" || return 1
  "$uv" pip list -p "$venv/bin/python" 2>/dev/null | grep -iE "$SHOWN" | tr -s ' ' | paste -sd ',' |
    sed 's/,/, /g'
  local status=0 started=$SECONDS
  "$venv/bin/python" -m pytest -q -p no:cacheprovider -m "not spark and not slow" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "versions: $name FAILED (pytest exit $status)" >&2
    return 1
  fi
  echo "versions: $name passed ($((SECONDS - started)) s of tests)"
}

legs=("$@")
[ ${#legs[@]} -gt 0 ] || legs=(lowest oldest newest)
passed=()
failed=()
skipped=()
for leg in "${legs[@]}"; do
  case "$leg" in
    lowest)
      if run_leg lowest "$(command -v python3)" --resolution lowest-direct; then
        passed+=("$leg")
      else
        failed+=("$leg")
      fi
      ;;
    oldest | newest)
      version="$OLDEST_PYTHON"
      [ "$leg" = newest ] && version="$NEWEST_PYTHON"
      python="$(pyenv_python "$version")"
      if [ -z "$python" ]; then
        printf '\n== versions: %s SKIPPED: no Python %s under pyenv root\n' "$leg" "$version"
        skipped+=("$leg")
        continue
      fi
      if run_leg "$leg" "$python"; then passed+=("$leg"); else failed+=("$leg"); fi
      ;;
    *)
      echo "unknown leg $leg (expected lowest, oldest or newest)" >&2
      exit 2
      ;;
  esac
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "versions: failed legs: ${failed[*]}" >&2
  exit 1
fi
echo "versions: passed: ${passed[*]:-none}; skipped: ${skipped[*]:-none}"
