"""Representativeness and weighting: response rates, composition, post-stratification, raking.

An NPS is only as good as the people who answered. This package measures how
representative a sample is ([`response_rates`][netpromoter.weighting.response_rates],
[`composition`][netpromoter.weighting.composition]) and corrects it:
[`poststratify`][netpromoter.weighting.poststratify] to known population cell counts,
[`rake`][netpromoter.weighting.rake] to the margins of several dimensions,
[`trim`][netpromoter.weighting.trim] extreme weights, and for B2B
[`account_weights`][netpromoter.weighting.account_weights] (each account one voice, or
accounts weighted by spend) and [`spend_weights`][netpromoter.weighting.spend_weights].

Each weighting function returns a frozen
[`WeightingResult`][netpromoter.weighting.WeightingResult]: its ``weights`` are a numpy
array aligned with the input rows, with diagnostics (Kish's effective sample size,
design effect, quantiles) and the weighted NPS beside the unweighted one. Pass the result
itself as ``weights`` to [`score`][netpromoter.core.score]: the standard error is then
the calibration-aware one of R ``survey`` for the post-stratified, raked or trimmed
design (influence values residualised within cells or margins), not the plain weighted
SE, which overstates the uncertainty of a calibrated estimate.

On a lazy or distributed frame (polars ``LazyFrame``, DuckDB, Dask, Spark) only the
cell table leaves the engine: the functions return a
[`CellWeightingResult`][netpromoter.weighting.CellWeightingResult], one factor per cell,
which ``score``, ``segment``, ``rank`` and ``trend`` apply to their own per-cell
aggregate of the same frame (see the how-to "Weighting on Spark").

Weights and standard errors match R ``survey`` (``postStratify``, ``rake``,
``trimWeights``, ``svymean``/``svycontrast``); see the method page for the formulas.

Examples:
    >>> data = {
    ...     "score": [10, 9, 3, 8, 10, 6, 9, 2],
    ...     "role": ["dm", "eu", "eu", "eu", "eu", "eu", "dm", "eu"],
    ... }
    >>> result = poststratify(data, {"dm": 0.5, "eu": 0.5}, by="role")
    >>> result.weights.round(3).tolist()
    [2.0, 0.667, 0.667, 0.667, 0.667, 0.667, 2.0, 0.667]
    >>> round(result.unweighted.nps, 1), round(result.weighted.nps, 1)
    (12.5, 41.7)
"""

from __future__ import annotations

from netpromoter.weighting.accounts import account_weights, spend_weights
from netpromoter.weighting.calibrate import poststratify, rake, trim
from netpromoter.weighting.composition import (
    CompositionResult,
    CompositionRow,
    DimensionTest,
    composition,
)
from netpromoter.weighting.diagnostics import WeightDiagnostics
from netpromoter.weighting.rates import ResponseRate, ResponseRateResult, response_rates
from netpromoter.weighting.result import (
    CellWeight,
    CellWeightingResult,
    TargetRow,
    WeightingResult,
)

__all__ = [
    "CellWeight",
    "CellWeightingResult",
    "CompositionResult",
    "CompositionRow",
    "DimensionTest",
    "ResponseRate",
    "ResponseRateResult",
    "TargetRow",
    "WeightDiagnostics",
    "WeightingResult",
    "account_weights",
    "composition",
    "poststratify",
    "rake",
    "response_rates",
    "spend_weights",
    "trim",
]
