"""A deliberately naive pure-Python NPS, the reference the vectorised path must equal."""

from __future__ import annotations

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


def reference_counts(scores: Sequence[int]) -> list[int]:
    """Count per score 0..10 by an explicit loop."""
    counts = [0] * 11
    for s in scores:
        counts[s] += 1
    return counts
