"""The options of ``trend()``, checked once before any input is read."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from netpromoter import _stats
from netpromoter._input import times
from netpromoter._validation import Correction, check_choice, check_correction, check_int
from netpromoter.exceptions import InvalidParameterError
from netpromoter.trends.periods import MAX_PERIODS

if TYPE_CHECKING:
    from datetime import tzinfo


class Options(NamedTuple):
    """The checked options of a trend (``test_method`` tests its changes)."""

    period: times.Period
    zone: tzinfo
    naive_zone: tzinfo | None
    rolling: int
    min_n: int
    alpha: float
    correction: Correction
    test_method: _stats.DifferenceMethod
    confidence_level: float


class When(NamedTuple):
    """The checked time options of a trend: which period each row falls in."""

    period: times.Period
    zone: tzinfo
    naive_zone: tzinfo | None
    rolling: int


def check_when(
    period: object, timezone: object, naive_timezone: object, rolling: object, origin: object
) -> When:
    """Check the time options (period, zones, rolling window, origin) before any input is read.

    Raises:
        InvalidParameterError: For an unknown period or zone, a rolling window out of
            range or an origin that is not a date (named, with what was expected).
    """
    if origin is not None and (not isinstance(origin, date) or isinstance(origin, datetime)):
        msg = f"origin must be a date (a calendar day, not a datetime), got {origin!r}"
        raise InvalidParameterError(msg, name="origin", value=origin)
    return When(
        times.check_period(period),
        times.check_zone(timezone),
        None if naive_timezone is None else times.check_zone(naive_timezone, "naive_timezone"),
        check_int(rolling, "rolling", minimum=1, maximum=MAX_PERIODS),
    )


def check_options(  # noqa: PLR0917 - trend's test options, in its order
    when: When,
    min_n: object,
    alpha: object,
    correction: object,
    method: object,
    confidence_level: float,
) -> Options:
    """The trend's options: ``when`` and its test options, checked before any input is read.

    Raises:
        InvalidParameterError: For an unknown method or correction, or a value out of
            range (named, with what was expected).
    """
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        msg = f"alpha must be a number strictly between 0 and 1 (e.g. 0.05), got {alpha!r}"
        raise InvalidParameterError(msg, name="alpha", value=alpha)
    _stats.z_value(confidence_level)
    check_choice(method, "method", _stats.METHODS)
    return Options(
        *when,
        min_n=check_int(min_n, "min_n", minimum=0),
        alpha=float(alpha),
        correction=check_correction(correction),
        # The score interval is one-sample only; changes are then tested with adjusted Wald.
        test_method=_stats.difference_method(method),  # type: ignore[arg-type]
        confidence_level=confidence_level,
    )
