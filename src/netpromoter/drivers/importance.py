"""Relative importance of the model's aspects, bootstrapped, and their quadrants."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from netpromoter._importance import (
    bootstrap,
    correlation_matrices,
    percentile_interval,
    relative_weights,
)
from netpromoter.drivers.fields import Interval, Quadrant, _opt_pair
from netpromoter.exceptions import (
    InsufficientDataError,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray


def _model_problem(names: list[str], complete: NDArray[np.float64]) -> str:
    """Say why the relative weights cannot be computed on the complete rows."""
    corr = correlation_matrices(complete)
    if np.isnan(corr[-1, -1]):
        return "every complete respondent gave the same recommend score"
    constant = [names[j] for j in range(len(names)) if np.isnan(corr[j, j])]
    if constant:
        return f"aspect(s) {', '.join(map(repr, constant))} do not vary among them"
    pairs = [
        f"{names[i]!r} and {names[j]!r}"
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if abs(corr[i, j]) > 1 - 1e-9
    ]
    detail = f" ({'; '.join(pairs)} are perfectly correlated)" if pairs else ""
    return f"the aspects are linearly dependent{detail}; leave one of them out"


class _Model(NamedTuple):
    """Relative weights of the model's aspects, on the complete rows, bootstrapped."""

    n_complete: int
    weights: NDArray[np.float64]
    shares: NDArray[np.float64]
    r_squared: float
    r_squared_ci: Interval | None
    weight_ci: tuple[NDArray[np.float64], NDArray[np.float64]]
    share_ci: tuple[NDArray[np.float64], NDArray[np.float64]]
    rank: NDArray[np.intp]
    rank_ci: tuple[NDArray[np.float64], NDArray[np.float64]]
    n_failed: int


def _fit(
    names: list[str],
    block: NDArray[np.float64],
    *,
    n_resamples: int,
    seed: int,
    confidence_level: float,
) -> _Model:
    """Relative weights on the rows of ``block`` (aspects..., score) without NaN."""
    complete = block[~np.isnan(block).any(axis=1)]
    n_complete = len(complete)
    needed = len(names) + 2
    if n_complete < needed:
        msg = (
            f"only {n_complete} respondents rated all {len(names)} aspects in the model "
            f"({', '.join(map(repr, names))}); relative weights need at least {needed} "
            "(the number of aspects + 2). Analyse fewer aspects, or collect more complete "
            "answers"
        )
        raise InsufficientDataError(msg, n=n_complete, needed=needed)
    weights = relative_weights(correlation_matrices(complete))
    if np.isnan(weights).any():
        msg = (
            f"relative weights are undefined on the {n_complete} complete respondents: "
            f"{_model_problem(names, complete)}"
        )
        raise InsufficientDataError(msg, n=n_complete)
    r_squared = float(weights.sum())
    boot = bootstrap(complete, n_resamples=n_resamples, seed=seed)
    r2_lo, r2_hi = percentile_interval(boot.weights.sum(axis=1, keepdims=True), confidence_level)
    order = np.argsort(-weights, kind="stable")
    rank = np.empty(len(names), dtype=np.intp)
    rank[order] = np.arange(1, len(names) + 1)
    return _Model(
        n_complete=n_complete,
        weights=weights,
        shares=weights / r_squared,
        r_squared=r_squared,
        r_squared_ci=_opt_pair(float(r2_lo[0]), float(r2_hi[0])),
        weight_ci=percentile_interval(boot.weights, confidence_level),
        share_ci=percentile_interval(
            boot.weights / boot.weights.sum(axis=1, keepdims=True), confidence_level
        ),
        rank=rank,
        rank_ci=percentile_interval(boot.ranks, confidence_level),
        n_failed=boot.n_failed,
    )


def _importance_fields(model: _Model, i: int | None) -> dict[str, Any]:
    if i is None:
        return dict.fromkeys(
            (
                "importance",
                "importance_share",
                "importance_ci",
                "importance_share_ci",
                "rank",
                "rank_ci",
            )
        )
    (weight_lo, weight_hi), (rank_lo, rank_hi) = model.weight_ci, model.rank_ci
    share_lo, share_hi = model.share_ci
    return {
        "importance": float(model.weights[i]),
        "importance_share": float(model.shares[i]),
        "importance_ci": _opt_pair(float(weight_lo[i]), float(weight_hi[i])),
        "importance_share_ci": _opt_pair(float(share_lo[i]), float(share_hi[i])),
        "rank": int(model.rank[i]),
        "rank_ci": None
        if math.isnan(rank_lo[i])
        else (math.floor(rank_lo[i]), math.ceil(rank_hi[i])),
    }


def _fit_fields(model: _Model, n: int) -> dict[str, Any]:
    """The result's fields of the model fit (of ``n`` respondents)."""
    return {
        "n_complete": model.n_complete,
        "n_incomplete": n - model.n_complete,
        "r_squared": model.r_squared,
        "r_squared_ci": model.r_squared_ci,
        "n_failed_resamples": model.n_failed,
    }


def _quadrant(
    share: float | None,
    performance: float,
    *,
    average_share: float,
    average_performance: float,
) -> Quadrant | None:
    """The importance × performance quadrant of a model aspect."""
    if share is None or math.isnan(performance):
        return None
    good = performance >= average_performance
    if share > average_share:
        return "keep up" if good else "fix first"
    return "possible overkill" if good else "low priority"


def _quadrant_note(
    share_lower: float | None,
    share_upper: float | None,
    performance_ci: Interval | None,
    *,
    average_share: float,
    average_performance: float,
) -> str | None:
    """Which side of the quadrant an aspect's uncertainty straddles, if any."""
    if share_lower is None or share_upper is None or performance_ci is None:
        return None
    notes = []
    if not math.isnan(share_lower) and share_lower <= average_share <= share_upper:
        notes.append(f"importance share interval holds the average ({average_share:.0%})")
    if performance_ci[0] <= average_performance <= performance_ci[1]:
        notes.append(f"performance interval holds the average ({average_performance:.0%})")
    return "; ".join(notes) + ": quadrant unsettled" if notes else None


def _notes(
    model: _Model,
    *,
    n: int,
    n_missing: int,
    n_model: int,
    n_resamples: int,
    seed: int,
) -> tuple[str, ...]:
    n_complete, n_failed = model.n_complete, model.n_failed
    failed = (
        f"; {n_failed:,} resamples without weights (an aspect did not vary) are left out "
        "of the intervals."
        if n_failed
        else "."
    )
    notes = [
        (
            "Correlations and low/high NPS use every respondent who rated the aspect "
            "(pairwise); a missing rating leaves out only that aspect."
        ),
        (
            f"Relative weights use the {n_complete:,} of {n:,} respondents who rated all "
            f"{n_model} aspects in the model (listwise); {n - n_complete:,} left out for a "
            "missing rating."
        ),
        f"Bootstrap: {n_resamples:,} resamples of those respondents, seed {seed}{failed}",
        (
            "Intervals of relative weights, their shares and ranks are approximate "
            "(percentile bootstrap); a quadrant is marked unsettled when the aspect's "
            "share or performance interval holds the average."
        ),
        (
            "Correlation is not causation: an aspect may move with the score because both "
            "depend on something else."
        ),
    ]
    if n_missing:
        notes.insert(0, f"{n_missing:,} respondents without a recommend score dropped.")
    return tuple(notes)
