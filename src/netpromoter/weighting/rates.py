"""Response rates per segment against the B2C (20 %) and B2B (30 %) targets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import ConfigDict

from netpromoter import _stats
from netpromoter._model import Model
from netpromoter._results import Result, TableView
from netpromoter._results import format as fmt
from netpromoter._validation import (
    check_choice,
    check_type,
)
from netpromoter.exceptions import (
    InvalidParameterError,
)

CustomerType = Literal["b2c", "b2b"]
#: Default response-rate targets: 20 % for consumers, 30 % for business customers.
DEFAULT_RATE_TARGETS: dict[str, float] = {"b2c": 0.20, "b2b": 0.30}


class ResponseRate(Model):
    """The response rate of one segment (or of all, ``segment=None``).

    Attributes:
        segment: The segment, or ``None`` for the overall row.
        invited: People invited.
        responses: People who answered.
        rate: ``responses / invited``.
        target: The target rate.
        below_target: Whether the rate is below the target.
        nps_margin_of_error: Worst-case margin of error of an NPS from these responses,
            in points: ``100 z sqrt((N − n) / (n (N − 1)))`` (per-response variance at
            most 1, finite population ``N = invited``).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    segment: object
    invited: int
    responses: int
    rate: float
    target: float
    below_target: bool
    nps_margin_of_error: float


class ResponseRateResult(Result):
    """Response rates per segment and overall, against targets.

    Attributes:
        rates: One row per segment, in input order.
        overall: All segments together (target: the invitation-weighted mean target).
        confidence_level: The level of the margins of error.
        flagged: The segments below target.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    rates: tuple[ResponseRate, ...]
    overall: ResponseRate
    confidence_level: float
    flagged: tuple[object, ...]

    def to_dicts(self) -> list[dict[str, Any]]:
        """One dictionary per segment, then the overall row."""
        return [r.model_dump() for r in (*self.rates, self.overall)]

    def __repr__(self) -> str:
        """Short form: overall rate and the flagged segments."""
        o = self.overall
        return (
            f"ResponseRateResult(overall {o.rate:.1%} of {o.invited:,} invited, "
            f"{len(self.flagged)} of {len(self.rates)} segments below target)"
        )

    CSS: ClassVar[str] = "netpromoter-response-rates"

    def _view(self) -> TableView:
        return TableView(
            ["Segment", "Invited", "Responses", "Rate", "Target", "NPS ± (worst case)", ""],
            [
                [
                    "overall" if r.segment is None else fmt.label(r.segment),
                    fmt.count(r.invited),
                    fmt.count(r.responses),
                    fmt.share(r.rate),
                    fmt.share(r.target, 0),
                    f"±{fmt.number(r.nps_margin_of_error)}",
                    fmt.flag(r.below_target, "below target"),
                ]
                for r in (*self.rates, self.overall)
            ],
            numeric=frozenset({1, 2, 3, 4, 5}),
        )


def _count(value: object, what: str, segment: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float | np.floating):
        msg = f"{what} of segment {segment!r} must be a whole number, got {value!r}"
        raise InvalidParameterError(msg, name=what, value=value)
    number = float(value)
    if not math.isfinite(number) or number < 0 or not number.is_integer():
        msg = f"{what} of segment {segment!r} must be a whole number >= 0, got {value!r}"
        raise InvalidParameterError(msg, name=what, value=value)
    return int(number)


def _rate_row(
    segment: object, invited: int, responses: int, target: float, z: float
) -> ResponseRate:
    rate = responses / invited
    if responses == 0:
        moe = math.inf
    elif invited == 1:
        moe = 0.0
    else:
        moe = 100.0 * z * math.sqrt((invited - responses) / (responses * (invited - 1.0)))
    return ResponseRate(
        segment=segment,
        invited=invited,
        responses=responses,
        rate=rate,
        target=target,
        below_target=rate < target,
        nps_margin_of_error=moe,
    )


def response_rates(
    invited: Mapping[Any, int],
    responses: Mapping[Any, int],
    *,
    customer_type: CustomerType = "b2c",
    target: float | Mapping[Any, float] | None = None,
    confidence_level: float = 0.95,
) -> ResponseRateResult:
    """Response rates per segment and overall, checked against targets.

    Args:
        invited: People invited per segment.
        responses: People who answered per segment (segments absent count 0).
        customer_type: Picks the default target: ``"b2c"`` 20 %, ``"b2b"`` 30 %.
        target: A target rate for every segment, or one per segment (others get the
            default), overriding ``customer_type``.
        confidence_level: Level of the NPS margins of error.

    Returns:
        Rates, targets, flags and the worst-case NPS margin of error each rate implies.

    Raises:
        InvalidParameterError: Counts are not whole numbers, a segment got more responses
            than invitations or has none invited, a response segment was never invited,
            or a target is not between 0 and 1.

    Examples:
        >>> r = response_rates({"north": 1000, "south": 400}, {"north": 260, "south": 60})
        >>> [(x.segment, round(x.rate, 3), x.below_target) for x in r.rates]
        [('north', 0.26, False), ('south', 0.15, True)]
        >>> round(r.rates[1].nps_margin_of_error, 1)
        23.4
    """
    z = _stats.z_value(confidence_level)
    check_choice(customer_type, "customer_type", tuple(DEFAULT_RATE_TARGETS))
    check_type(invited, "invited", Mapping, "a mapping of segment to people invited")
    check_type(responses, "responses", Mapping, "a mapping of segment to people who answered")
    default = DEFAULT_RATE_TARGETS[customer_type]
    unknown = [s for s in responses if s not in invited]
    if unknown:
        msg = f"responses for segments that were never invited: {unknown[:5]!r}"
        raise InvalidParameterError(msg, name="responses", value=unknown)
    if not invited:
        msg = "invited is empty: give the number invited per segment"
        raise InvalidParameterError(msg, name="invited", value=invited)
    rows = []
    for segment, raw_invited in invited.items():
        n_invited = _count(raw_invited, "invited", segment)
        n_resp = _count(responses.get(segment, 0), "responses", segment)
        if n_invited == 0:
            msg = f"segment {segment!r} has 0 invited: a response rate needs invitations"
            raise InvalidParameterError(msg, name="invited", value=segment)
        if n_resp > n_invited:
            msg = (
                f"segment {segment!r} has {n_resp} responses but only {n_invited} invited; "
                "responses cannot exceed invitations"
            )
            raise InvalidParameterError(msg, name="responses", value=segment)
        goal = _rate_target(target, segment, default)
        rows.append(_rate_row(segment, n_invited, n_resp, goal, z))
    total_invited = sum(r.invited for r in rows)
    overall_target = sum(r.target * r.invited for r in rows) / total_invited
    overall = _rate_row(None, total_invited, sum(r.responses for r in rows), overall_target, z)
    return ResponseRateResult(
        rates=tuple(rows),
        overall=overall,
        confidence_level=confidence_level,
        flagged=tuple(r.segment for r in rows if r.below_target),
    )


def _rate_target(
    target: float | Mapping[Any, float] | None, segment: object, default: float
) -> float:
    value: object = default
    if isinstance(target, Mapping):
        value = target.get(segment, default)
    elif target is not None:
        value = target
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        msg = f"target response rate for {segment!r} must be between 0 and 1, got {value!r}"
        raise InvalidParameterError(msg, name="target", value=value)
    return float(value)
