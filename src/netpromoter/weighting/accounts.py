"""B2B weights: each account one voice (or its spend's weight), and spend weights."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray  # noqa: TC002 - pydantic resolves the weights annotation

from netpromoter._validation import (
    MissingPolicy,
    validate_weights,
)
from netpromoter.exceptions import (
    InvalidWeightsError,
)
from netpromoter.weighting.build import _direct
from netpromoter.weighting.targets import _base_weights, _cluster_factor, _read

if TYPE_CHECKING:
    from netpromoter._input.columns import Table
    from netpromoter.weighting.result import WeightingResult


def account_weights(
    data: object,
    *,
    account: str = "account_id",
    spend: str | None = None,
    score: str | None = "score",
    weights: object = None,
    missing: MissingPolicy = "raise",
) -> WeightingResult:
    """Roll respondents up to accounts: each account one voice, or a voice its spend.

    Within an account, respondents share its weight in proportion to their base weights:
    ``w_i = d_i / Σ_{j∈a} d_j × v_a`` with ``v_a = 1`` (each account one voice) or the
    account's spend (the mean of its rows' ``spend``; they normally repeat one value).
    Respondents are clustered in accounts, so the SE is the cluster-robust one, as R
    ``svydesign(ids = ~account_id, weights = ~w)``.

    Args:
        data: The responses: a list of ``Response``, a mapping of columns or a dataframe.
        account: The account column.
        spend: Optional spend or revenue column: accounts then weigh by spend.
        score: The score column (``None`` to skip the NPS diagnostics).
        weights: Optional base weights within accounts (column name or array).
        missing: ``"raise"`` or ``"drop"`` for missing scores.

    Returns:
        The account weights (their total is the number of accounts, or the total spend).

    Raises:
        InvalidWeightsError: A spend is missing, negative or not finite, or an account's
            spend is 0 (its respondents would not count).

    Examples:
        >>> data = {"score": [10, 9, 2, 8], "account_id": ["a", "a", "a", "b"]}
        >>> account_weights(data).weights.round(4).tolist()
        [0.3333, 0.3333, 0.3333, 1.0]
    """
    table = _read(
        data,
        [account],
        score=score,
        weights=weights,
        cluster=None,
        extra=[spend] if spend is not None else [],
    )
    base = _base_weights(table, weights)
    factor = _cluster_factor(table, account)
    accounts = factor.codes.astype(np.intp)
    k = len(factor.levels)
    base_total = np.bincount(accounts, weights=base, minlength=k)
    voice = np.ones(k)
    if spend is not None:
        values = _spend_values(table, spend)
        rows_per = np.bincount(accounts, minlength=k)
        voice = np.bincount(accounts, weights=values, minlength=k) / np.maximum(rows_per, 1)
        zero = [factor.levels[i] for i in np.flatnonzero((voice <= 0) & (rows_per > 0))]
        if zero:
            msg = (
                f"{len(zero)} accounts have zero spend ({', '.join(map(repr, zero[:5]))}): "
                "their respondents would count for nothing; drop them explicitly"
            )
            raise InvalidWeightsError(msg)
    w = base / base_total[accounts] * voice[accounts]
    return _direct(table, ("account", w, account), base, (score, missing, account), accounts)


def _spend_values(table: Table, spend: str) -> NDArray[np.float64]:
    try:
        return validate_weights(table.values(spend), table.n_rows)
    except InvalidWeightsError as exc:
        msg = f"spend column {spend!r}: {exc}"
        raise InvalidWeightsError(msg, positions=exc.positions) from None


def spend_weights(
    data: object,
    *,
    spend: str = "spend",
    score: str | None = "score",
    weights: object = None,
    cluster: str | None = None,
    missing: MissingPolicy = "raise",
) -> WeightingResult:
    """Weight each respondent by spend (base weight × spend): the spend-weighted NPS.

    Answers "what share of revenue is promoting us?" rather than "what share of people".
    Respondents with zero spend get weight 0 and are counted in
    ``diagnostics.n_zero``.

    Args:
        data: The responses: a list of ``Response``, a mapping of columns or a dataframe.
        spend: The spend or revenue column (finite, non-negative).
        score: The score column (``None`` to skip the NPS diagnostics).
        weights: Optional base weights (column name or array).
        cluster: Optional cluster column (such as ``"account_id"``) for the SE.
        missing: ``"raise"`` or ``"drop"`` for missing scores.

    Returns:
        The spend weights.

    Raises:
        InvalidWeightsError: A spend is missing, negative or not finite (rows named), or
            all spend is zero.

    Examples:
        >>> data = {"score": [10, 2, 9], "spend": [100.0, 10.0, 0.0]}
        >>> r = spend_weights(data)
        >>> round(r.weighted.nps, 2), r.diagnostics.n_zero
        (81.82, 1)
    """
    table = _read(data, [], score=score, weights=weights, cluster=cluster, extra=[spend])
    base = _base_weights(table, weights)
    w = base * _spend_values(table, spend)
    if not (w > 0).any():
        msg = f"every value of the spend column {spend!r} is 0: nothing to weight by"
        raise InvalidWeightsError(msg)
    return _direct(table, ("spend", w, spend), base, (score, missing, cluster))
