"""The arguments of ``WeightingResult.design_se``, checked before the statistics layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from netpromoter._stats.design import Domains
from netpromoter._validation import check_choice, check_int, shown, validate_scores
from netpromoter.exceptions import InvalidParameterError, ParameterTypeError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from netpromoter._stats.design import Domain


def _index_array(value: object, name: str, length: int, low: int, high: int) -> NDArray[np.intp]:
    """An integer array of ``length`` values in ``[low, high)``, or an error naming it."""
    arr = np.asarray(value) if isinstance(value, np.ndarray | Sequence) else None
    if arr is None or arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        msg = f"{name} must be a one-dimensional integer array, got {shown(value)}"
        raise ParameterTypeError(msg, name=name, value=value)
    if len(arr) != length or (arr.size and (arr.min() < low or arr.max() >= high)):
        msg = f"{name} must hold {length} integers from {low} to {high - 1}, got {shown(value)}"
        raise InvalidParameterError(msg, name=name, value=value)
    return arr.astype(np.intp, copy=False)


def design_arguments(  # noqa: PLR0917 - design_se's arguments, in its order
    n: int,
    scores: object,
    rows: object,
    codes: object,
    n_groups: object,
    domain: Domain,
    partner: object,
) -> Domains:
    """The arguments of ``WeightingResult.design_se``, checked (see its ``Args``)."""
    groups = check_int(n_groups, "n_groups", minimum=1)
    check_choice(domain, "domain", ("group", "rest", "group_minus_rest"))
    if not isinstance(scores, np.ndarray):
        msg = f"scores must be a numpy array of validated scores, got {shown(scores)}"
        raise ParameterTypeError(msg, name="scores", value=scores)
    column = validate_scores(scores)
    mask = None
    if rows is not None:
        mask = np.asarray(rows) if isinstance(rows, np.ndarray | Sequence) else None
        if mask is None or mask.dtype != np.bool_ or mask.shape != (n,):
            msg = f"rows must be a boolean mask of the {n} weighted rows, got {shown(rows)}"
            raise ParameterTypeError(msg, name="rows", value=rows)
    group_codes = None
    if codes is not None:
        group_codes = _index_array(codes, "codes", len(column.scores), 0, groups)
    partners = None
    if partner is not None:
        partners = _index_array(partner, "partner", groups, -1, groups)
    return Domains(column.scores, mask, group_codes, groups, domain, partners)
