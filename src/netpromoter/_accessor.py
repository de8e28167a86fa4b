"""The ``.nps`` namespace of a dataframe: netpromoter's functions bound to the frame.

Registered for pandas by ``import netpromoter.pandas`` and for polars by
``import netpromoter.polars``; each method is the function of the same name with the
frame as its data, so it takes the same options and gives the same result.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from netpromoter.core import score as _score
from netpromoter.segmentation import rank as _rank
from netpromoter.segmentation import segment as _segment
from netpromoter.trends import trend as _trend
from netpromoter.weighting import composition as _composition

if TYPE_CHECKING:
    from netpromoter.core import NPSResult
    from netpromoter.segmentation import RankResult, SegmentResult
    from netpromoter.trends import TrendResult
    from netpromoter.weighting import CompositionResult

__all__ = ["FrameNamespace"]


class FrameNamespace:
    """``frame.nps``: ``score``, ``segment``, ``trend``, ``rank`` and ``composition`` of it.

    Each attribute is the function with the frame bound as its data:
    ``df.nps.segment("region", min_n=10)`` is ``netpromoter.segment(df, "region",
    min_n=10)``.
    """

    def __init__(self, frame: object) -> None:
        self._frame = frame

    @property
    def score(self) -> partial[NPSResult]:
        """[`score`][netpromoter.core.score] of the frame (its ``score`` column by default)."""
        return partial(_score, self._frame)

    @property
    def segment(self) -> partial[SegmentResult]:
        """[`segment`][netpromoter.segmentation.segment] of the frame."""
        return partial(_segment, self._frame)

    @property
    def trend(self) -> partial[TrendResult]:
        """[`trend`][netpromoter.trends.trend] of the frame."""
        return partial(_trend, self._frame)

    @property
    def rank(self) -> partial[RankResult]:
        """[`rank`][netpromoter.segmentation.rank] of the frame."""
        return partial(_rank, self._frame)

    @property
    def composition(self) -> partial[CompositionResult]:
        """[`composition`][netpromoter.weighting.composition] of the frame."""
        return partial(_composition, self._frame)
