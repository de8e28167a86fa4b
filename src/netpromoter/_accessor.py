"""The ``.nps`` namespace of a dataframe: netpromoter's functions bound to the frame.

Registered for pandas by ``import netpromoter.pandas`` and for polars by
``import netpromoter.polars``; each method is the function of the same name with the
frame as its data, so it takes the same options and gives the same result.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from netpromoter.core import score as _score
from netpromoter.segmentation import rank as _rank
from netpromoter.segmentation import segment as _segment
from netpromoter.trends import trend as _trend
from netpromoter.weighting import composition as _composition

if TYPE_CHECKING:
    from collections.abc import Callable

    from netpromoter.core import NPSResult
    from netpromoter.segmentation import RankResult, SegmentResult
    from netpromoter.trends import TrendResult
    from netpromoter.weighting import CompositionResult

__all__ = ["FrameNamespace"]


_R = TypeVar("_R")


class _BoundToFrame(Generic[_R]):
    """A function read from a ``FrameNamespace``: ``partial(function, frame)``."""

    def __init__(self, function: Callable[..., _R]) -> None:
        self._function = function

    @overload
    def __get__(self, namespace: None, owner: type[object]) -> _BoundToFrame[_R]: ...

    @overload
    def __get__(self, namespace: FrameNamespace, owner: type[object]) -> partial[_R]: ...

    def __get__(
        self, namespace: FrameNamespace | None, owner: type[object]
    ) -> _BoundToFrame[_R] | partial[_R]:
        """The function bound to the namespace's frame (the descriptor itself on the class)."""
        if namespace is None:
            return self
        return partial(self._function, namespace._frame)  # noqa: SLF001 - the namespace's own frame


class FrameNamespace:
    """``frame.nps``: ``score``, ``segment``, ``trend``, ``rank`` and ``composition`` of it.

    Each attribute is the function with the frame bound as its data:
    ``df.nps.segment("region", min_n=10)`` is ``netpromoter.segment(df, "region",
    min_n=10)``.
    """

    def __init__(self, frame: object) -> None:
        self._frame = frame

    score: _BoundToFrame[NPSResult] = _BoundToFrame(_score)
    """[`score`][netpromoter.core.score] of the frame (its ``score`` column by default)."""
    segment: _BoundToFrame[SegmentResult] = _BoundToFrame(_segment)
    """[`segment`][netpromoter.segmentation.segment] of the frame."""
    trend: _BoundToFrame[TrendResult] = _BoundToFrame(_trend)
    """[`trend`][netpromoter.trends.trend] of the frame."""
    rank: _BoundToFrame[RankResult] = _BoundToFrame(_rank)
    """[`rank`][netpromoter.segmentation.rank] of the frame."""
    composition: _BoundToFrame[CompositionResult] = _BoundToFrame(_composition)
    """[`composition`][netpromoter.weighting.composition] of the frame."""
