"""Errors and warnings raised by netpromoter.

Every error derives from [`NetPromoterError`][netpromoter.exceptions.NetPromoterError]
and from the matching builtin, so ``except ValueError`` keeps working in code that does
not know this library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EmptyDataError",
    "InvalidParameterError",
    "InvalidScoreError",
    "InvalidWeightsError",
    "NetPromoterError",
    "NetPromoterWarning",
    "SmallSampleWarning",
]


class NetPromoterError(Exception):
    """Base class of every error raised by netpromoter."""


class InvalidScoreError(NetPromoterError, ValueError):
    """A value is not a score on the 0..10 recommendation scale.

    Attributes:
        value: The first offending value, as received.
        positions: Zero-based positions of all offending values in the input, when the
            input was a collection (empty for a single value).
    """

    def __init__(
        self, message: str, *, value: object = None, positions: Sequence[int] = ()
    ) -> None:
        super().__init__(message)
        self.value = value
        self.positions: tuple[int, ...] = tuple(positions)


class EmptyDataError(NetPromoterError, ValueError):
    """There is nothing to score: no responses, or none left after dropping missing ones."""


class InvalidWeightsError(NetPromoterError, ValueError):
    """Weights are not finite, negative, all zero, or not aligned with the scores.

    Attributes:
        positions: Zero-based positions of the offending weights (empty when the problem
            is not tied to single values, such as a length mismatch).
    """

    def __init__(self, message: str, *, positions: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.positions: tuple[int, ...] = tuple(positions)


class InvalidParameterError(NetPromoterError, ValueError):
    """An option is outside its valid range (a confidence level of 1.2, say).

    Attributes:
        name: The name of the parameter.
        value: The value received.
    """

    def __init__(self, message: str, *, name: str, value: object) -> None:
        super().__init__(message)
        self.name = name
        self.value = value


class NetPromoterWarning(UserWarning):
    """Base class of the statistical caveats netpromoter warns about."""


class SmallSampleWarning(NetPromoterWarning):
    """A result rests on too few responses to be read with confidence."""
