"""The biased 2,000-row sample and the population targets of the weighting goldens.

Both are written by tests/golden/r/make_weighting_goldens.R and read here once for every
test module that checks weighted results against R ``survey``.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from netpromoter.weighting import WeightingResult, poststratify, rake

GOLDEN = Path(__file__).resolve().parent / "golden"


@cache
def weighting_golden() -> dict[str, Any]:
    """R survey reference values (tests/golden/r_weighting.json)."""
    data: dict[str, Any] = json.loads((GOLDEN / "r_weighting.json").read_text(encoding="utf-8"))
    return data


def population() -> dict[str, Any]:
    """The population targets the R script weights to."""
    pop: dict[str, Any] = weighting_golden()["population"]
    return pop


def role_region_cells() -> dict[tuple[str, str], float]:
    """Population counts of the role × region cells, keyed by ``(role, region)``."""
    return {
        (key.split("|")[0], key.split("|")[1]): value
        for key, value in population()["cells_role_region"].items()
    }


@cache
def sample() -> dict[str, NDArray[Any]]:
    """The 2,000-row biased sample as columns."""
    with (GOLDEN / "r" / "weighting_sample.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    columns: dict[str, NDArray[Any]] = {
        name: np.array([r[name] for r in rows])
        for name in ("role", "region", "spend_band", "account_id")
    }
    columns["id"] = np.array([int(r["id"]) for r in rows])
    columns["score"] = np.array([int(r["score"]) for r in rows], dtype=np.int8)
    columns["w0"] = np.array([float(r["w0"]) for r in rows])
    columns["spend"] = np.array([float(r["spend"]) for r in rows])
    return columns


@cache
def poststratified() -> WeightingResult:
    """The sample post-stratified to the role × region cells, from its base weights."""
    return poststratify(sample(), role_region_cells(), by=("role", "region"), weights="w0")


@cache
def raked() -> WeightingResult:
    """The sample raked to the role, region and spend-band margins, from its base weights."""
    margins = {name: population()[name] for name in ("role", "region", "spend_band")}
    return rake(sample(), margins, weights="w0", tol=1e-13)
