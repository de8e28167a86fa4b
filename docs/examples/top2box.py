"""CSAT top-2-box on the spine: the share of 4s and 5s on a 1-5 scale, per group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from netpromoter import _stats
from netpromoter._input.source import prepare
from netpromoter._results import format as fmt
from netpromoter._results.base import Column, TableResult
from netpromoter.exceptions import InvalidScoreError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

TOP_BOX = [4, 5]  # "satisfied" and "very satisfied"
REST = [1, 2, 3]


class Top2Row(BaseModel):
    """One group's top-2-box percent and its confidence interval."""

    model_config = ConfigDict(frozen=True)
    key: tuple[object, ...]
    n: int
    top2: float
    ci: tuple[float, float]


class Top2Result(TableResult[Top2Row]):
    """Top-2-box per group: converts and renders like every other result."""

    by: tuple[str, ...]
    COLUMNS = (
        Column("n", lambda row: fmt.count(row.n)),
        Column("top-2-box %", lambda row: f"{row.top2:.1f}"),
        Column("95% CI", lambda row: f"[{row.ci[0]:.1f}, {row.ci[1]:.1f}]"),
    )


def fold(values: NDArray[Any]) -> NDArray[Any]:
    """Top box into bin 10 and the rest into bin 7: ``estimate`` then reads 100 x top share."""
    out = np.zeros_like(values)
    out[:, 10], out[:, 7] = values[:, TOP_BOX].sum(axis=1), values[:, REST].sum(axis=1)
    return out


def top2box(data: object, *, by: Sequence[str] = (), weights: object = None) -> Top2Result:
    """Percent of top-2-box answers per group, with a (design-based, if weighted) Wald CI.

    The share ``p`` is the NPS of a scale without detractors, whose Wald variance
    ``P + D - (P - D)**2`` is ``p (1 - p)``: the statistics layer needs nothing new.
    """
    tally = prepare(data, score="csat", weights=weights, by=by).tally()
    outside = [s for s in range(11) if s not in TOP_BOX + REST and tally.count[:, s].any()]
    if outside:
        msg = f"CSAT answers are 1 to 5; the data hold {outside}"
        raise InvalidScoreError(msg, value=outside[0])
    est = _stats.estimate(
        tally.map(fold), weighted=tally.weighted, method="wald", confidence_level=0.95
    )
    sizes = tally.count.sum(axis=1)
    rows = tuple(
        Top2Row(key=key, n=int(sizes[i]), top2=est.nps[i], ci=(est.lower[i], est.upper[i]))
        for i, key in enumerate(tally.labels or [()])
    )
    return Top2Result(rows=rows, by=tuple(by))
