"""The 0..10 recommendation scale and its three categories: the boundaries, once.

Scores 0-6 are detractors, 7-8 passives and 9-10 promoters; a detractor counts -1 in the
NPS, a passive 0 and a promoter +1. Every module that needs a boundary imports it from
here, so the method is written down in exactly one place.

Examples:
    >>> category_values(np.array([0, 6, 7, 8, 9, 10], dtype=np.int8)).tolist()
    [-1, -1, 0, 0, 1, 1]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Scores 0..10: the number of bins of a per-score tally.
N_SCORES = 11
MIN_SCORE = 0
MAX_SCORE = 10
#: The highest detractor score.
DETRACTOR_MAX = 6
#: The highest passive score.
PASSIVE_MAX = 8
#: The lowest promoter score.
PROMOTER_MIN = PASSIVE_MAX + 1
#: Where each category starts on the scale, and where the scale ends (for ``reduceat``).
CATEGORY_BOUNDS = (MIN_SCORE, DETRACTOR_MAX + 1, PROMOTER_MIN, MAX_SCORE + 1)
#: Value of each category in the NPS: detractor -1, passive 0, promoter +1.
CATEGORY_VALUE = np.array([-1.0, 0.0, 1.0])
#: The category (0 detractor, 1 passive, 2 promoter) of each score 0..10.
CATEGORY_OF_SCORE = np.repeat(np.arange(3, dtype=np.int8), np.diff(CATEGORY_BOUNDS))


def category_index(score: int) -> int:
    """The category of one validated score: 0 detractor, 1 passive, 2 promoter.

    Examples:
        >>> [category_index(s) for s in (6, 7, 8, 9)]
        [0, 1, 1, 2]
    """
    if score <= DETRACTOR_MAX:
        return 0
    if score <= PASSIVE_MAX:
        return 1
    return 2


def category_values(scores: NDArray[np.integer]) -> NDArray[np.int8]:
    """Each validated score's value in the NPS: -1, 0 or +1 (vectorised)."""
    promoter = (scores >= PROMOTER_MIN).view(np.int8)
    detractor = (scores <= DETRACTOR_MAX).view(np.int8)
    out: NDArray[np.int8] = promoter - detractor
    return out


def by_category(per_score: NDArray[np.floating] | NDArray[np.integer]) -> NDArray[np.float64]:
    """Collapse ``(..., 11)`` per-score sums into ``(..., 3)`` detractor/passive/promoter sums.

    Sums that are already per category (last axis of length 3) are returned as floats.

    Examples:
        >>> by_category(np.arange(11)).tolist()
        [21.0, 15.0, 19.0]
    """
    values = np.asarray(per_score, dtype=np.float64)
    if values.shape[-1] == len(CATEGORY_VALUE):
        return values
    return np.add.reduceat(values, CATEGORY_BOUNDS[:-1], axis=-1)
