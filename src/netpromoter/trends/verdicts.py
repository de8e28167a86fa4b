"""Verdicts on changes: significant rise or fall, no change, or not enough data."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from netpromoter import _stats
    from netpromoter.trends.rows import Verdict


class _Tested(NamedTuple):
    """The comparisons of one kind (previous period or a year ago) in every series."""

    name: str
    ref: NDArray[np.intp]
    valid: NDArray[np.intp]
    diff: _stats.Difference
    has: NDArray[np.bool_]
    enough: NDArray[np.bool_]
    n_overlap: NDArray[np.int64]


def _verdict(
    delta: NDArray[np.float64],
    p: NDArray[np.float64],
    enough: NDArray[np.bool_],
    alpha: float,
) -> list[Verdict]:
    out: list[Verdict] = []
    for d, pv, ok in zip(delta.tolist(), p.tolist(), enough.tolist(), strict=True):
        if not ok or math.isnan(d) or math.isnan(pv):
            out.append("not enough data")
        elif pv < alpha:
            out.append("significant rise" if d > 0 else "significant fall")
        else:
            out.append("no significant change")
    return out
