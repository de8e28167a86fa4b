"""A deliberately naive pure-Python NPS, the reference the vectorised path must equal."""

from __future__ import annotations

import math
from collections.abc import Sequence


def reference_nps(scores: Sequence[int], weights: Sequence[float] | None = None) -> float:
    """NPS by an explicit loop over responses."""
    w = [1.0] * len(scores) if weights is None else list(weights)
    total = promoters = detractors = 0.0
    for s, wi in zip(scores, w, strict=True):
        total += wi
        if s >= 9:
            promoters += wi
        elif s <= 6:
            detractors += wi
    return 100.0 * (promoters - detractors) / total


def reference_category_sums(
    scores: Sequence[int], weights: Sequence[float]
) -> tuple[list[int], list[float], list[float]]:
    """Per category (detractors, passives, promoters), by an explicit loop.

    Returns the counts, and the exactly rounded sums of the weights and of their squares
    (``math.fsum``).
    """
    counts = [0, 0, 0]
    values: list[list[float]] = [[], [], []]
    for s, wi in zip(scores, weights, strict=True):
        category = 0 if s <= 6 else 2 if s >= 9 else 1
        counts[category] += 1
        values[category].append(wi)
    sums = [math.fsum(v) for v in values]
    squares = [math.fsum(x * x for x in v) for v in values]
    return counts, sums, squares


def reference_counts(scores: Sequence[int]) -> list[int]:
    """Count per score 0..10 by an explicit loop."""
    counts = [0] * 11
    for s in scores:
        counts[s] += 1
    return counts


def t_margin(se: float, df: float, confidence_level: float = 0.95) -> float:
    """Half-width ``t_(1 − α/2, df) · se`` of a t interval, from scipy."""
    from scipy import stats  # noqa: PLC0415 - test dependency, only where needed

    return float(stats.t.isf((1.0 - confidence_level) / 2.0, df)) * se


def t_p_value(z: float, df: float) -> float:
    """Two-sided p-value ``2 P(T > |z|)`` of Student's t with ``df``, from scipy."""
    from scipy import stats  # noqa: PLC0415 - test dependency, only where needed

    return float(2.0 * stats.t.sf(abs(z), df))


def welch_df(var_a: float, var_b: float, nu_a: float, nu_b: float) -> float:
    """Welch–Satterthwaite degrees of freedom of a difference, rounded down."""
    return float(math.floor((var_a + var_b) ** 2 / (var_a * var_a / nu_a + var_b * var_b / nu_b)))
