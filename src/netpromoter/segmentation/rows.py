"""The rows of a segment table and its omnibus test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from netpromoter import _stats, _validation
from netpromoter._model import Model
from netpromoter._results import EstimateFields
from netpromoter._results.format import p_text
from netpromoter._validation import check_int, check_names, check_number

if TYPE_CHECKING:
    from collections.abc import Sequence

Method = _stats.Method
Correction = _validation.Correction
_Model = TypeVar("_Model", bound=BaseModel)
#: Label of every key column in the overall row.
ALL = "(all)"


def _keys(by: str | Sequence[str]) -> tuple[str, ...]:
    return check_names(by, "by")


def _check_min_n(min_n: int) -> int:
    return check_int(min_n, "min_n", minimum=0)


def _trusted(cls: type[_Model], values: dict[str, Any]) -> _Model:
    """Build a model from values computed here, skipping validation.

    What ``model_construct`` does for a model without defaults to fill, private
    attributes or post-init hooks, at a quarter of its cost: segment tables build one row
    per segment. A test checks the rows equal validated ones.
    """
    obj = cls.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(obj, "__dict__", values)
    setattr_(obj, "__pydantic_fields_set__", set(values))
    setattr_(obj, "__pydantic_extra__", None)
    setattr_(obj, "__pydantic_private__", None)
    return obj


class SegmentRow(EstimateFields):
    """One segment (or the overall row) of a segment table.

    Its estimate (``n``, the category counts and shares, ``nps``, ``se``, ``ci``,
    ``effective_n``) has the fields of every NPS estimate
    ([`EstimateFields`][netpromoter._results.base.EstimateFields]).

    Attributes:
        key: The segment's label for each ``by`` column (``"(all)"`` in the overall row).
        small_sample: ``n < min_n``: read with care (flagged, never dropped).
        vs_overall: ``nps`` minus the overall NPS (``None`` in the overall row).
        vs_rest: ``nps`` minus the NPS of all other responses.
        p_value: Two-sided p-value of "this segment's NPS equals the rest's" (equivalently
            the overall's), from the method's two-sample z test.
        p_adjusted: ``p_value`` corrected for the number of segments tested.
    """

    key: tuple[Any, ...]
    small_sample: bool
    vs_overall: float | None = None
    vs_rest: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None

    def significant(self, alpha: float = 0.05) -> bool:
        """Whether the corrected p-value is below ``alpha``."""
        check_number(alpha, "alpha", minimum=0, maximum=1, strict=True)
        return self.p_adjusted is not None and self.p_adjusted < alpha


class HomogeneityTest(Model):
    """An omnibus test that every segment has the same NPS: do the segments differ at all?

    The Rao–Scott test of R ``survey``'s ``regTermTest(svyglm(I(promoter - detractor) ~
    segment, d), ~segment, method = "WorkingWald", lrt.approximation = "satterthwaite")``
    (see [`rao_scott_homogeneity`][netpromoter._stats.rao_scott_homogeneity]): the
    spread of the segment NPS around their weighted mean, weighted by each segment's
    total weight, referred to its design-based distribution, whose first two moments
    come from the segments' design-based covariance (each segment a domain of the whole
    sample: R ``survey``'s linearisation, weights of 1 when unweighted; with a weighting
    result, the covariance matrix its calibrated design gives the segments). The
    result is an ``F`` on real degrees of freedom. Each segment's test against the rest
    answers "is this segment different?"; this answers "is any?".

    Attributes:
        statistic: The ``F`` statistic (infinite when segments whose NPS has no
            sampling variance at all differ).
        df: Numerator degrees of freedom: the number of segments minus one when their
            variances are alike, fewer when they are not.
        df_denominator: Denominator degrees of freedom: responses minus segments.
        p_value: ``P(F > statistic)``.
        segments: Number of segments compared (those with a positive weight).
        design: ``"linearisation"`` (unweighted or plain weights) or ``"calibrated"``
            (a weighting result's design).
    """

    statistic: float
    df: float
    df_denominator: float
    p_value: float
    segments: int
    design: Literal["linearisation", "calibrated"]

    def __str__(self) -> str:
        """``F(6.8, 312) = 3.1, p = 0.004``."""
        return (
            f"F({self.df:.3g}, {self.df_denominator:,.0f}) = {self.statistic:.2f}, "
            f"{p_text(self.p_value)}"
        )
