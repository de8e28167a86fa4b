"""Representativeness and weighting: response rates, composition, post-stratification, raking.

An NPS is only as good as the people who answered. This module measures how
representative a sample is ([`response_rates`][netpromoter.weighting.response_rates],
[`composition`][netpromoter.weighting.composition]) and corrects it:
[`poststratify`][netpromoter.weighting.poststratify] to known population cell counts,
[`rake`][netpromoter.weighting.rake] to the margins of several dimensions,
[`trim`][netpromoter.weighting.trim] extreme weights, and for B2B
[`account_weights`][netpromoter.weighting.account_weights] (each account one voice, or
accounts weighted by spend) and [`spend_weights`][netpromoter.weighting.spend_weights].

Each weighting function returns a frozen
[`WeightingResult`][netpromoter.weighting.WeightingResult]: its ``weights`` are a numpy
array aligned with the input rows, with diagnostics (Kish's effective sample size,
design effect, quantiles) and the weighted NPS beside the unweighted one. Pass the result
itself as ``weights`` to [`score`][netpromoter.core.score]: the standard error is then
the calibration-aware one of R ``survey`` for the post-stratified, raked or trimmed
design (influence values residualised within cells or margins), not the plain weighted
SE, which overstates the uncertainty of a calibrated estimate.

Weights and standard errors match R ``survey`` (``postStratify``, ``rake``,
``trimWeights``, ``svymean``/``svycontrast``); see the method page for the formulas.

Examples:
    >>> data = {
    ...     "score": [10, 9, 3, 8, 10, 6, 9, 2],
    ...     "role": ["dm", "eu", "eu", "eu", "eu", "eu", "dm", "eu"],
    ... }
    >>> result = poststratify(data, {"dm": 0.5, "eu": 0.5}, by="role")
    >>> result.weights.round(3).tolist()
    [2.0, 0.667, 0.667, 0.667, 0.667, 0.667, 2.0, 0.667]
    >>> round(result.unweighted.nps, 1), round(result.weighted.nps, 1)
    (12.5, 41.7)
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray  # noqa: TC002 - pydantic resolves the weights annotation
from pydantic import ConfigDict, Field, PrivateAttr, SkipValidation

from netpromoter import _calibration, _stats
from netpromoter._input.columns import Table, read_table
from netpromoter._input.factors import Factor, combine
from netpromoter._labels import MISSING
from netpromoter._model import Model
from netpromoter._tables import format_p, html_table
from netpromoter._tally import CHUNK, scaled_weights
from netpromoter._validation import (
    MissingPolicy,
    ScoreColumn,
    check_choice,
    check_flag,
    check_int,
    check_names,
    check_number,
    check_type,
    shown,
    validate_scores,
    validate_weights,
)
from netpromoter.core import NPSResult, score
from netpromoter.exceptions import (
    ConvergenceError,
    EmptyCellError,
    InvalidParameterError,
    InvalidWeightsError,
    MarginTotalsError,
    MissingTargetError,
    ParameterTypeError,
    SmallSampleWarning,
    TargetError,
    WeightingError,
)

__all__ = [
    "CompositionResult",
    "CompositionRow",
    "DimensionTest",
    "ResponseRate",
    "ResponseRateResult",
    "TargetRow",
    "WeightDiagnostics",
    "WeightingResult",
    "account_weights",
    "composition",
    "poststratify",
    "rake",
    "response_rates",
    "spend_weights",
    "trim",
]

Method = Literal["poststratify", "rake", "trim", "account", "spend"]
#: The domains whose SE ``WeightingResult.design_se`` gives.
Domain = Literal["group", "rest", "group_minus_rest"]
CustomerType = Literal["b2c", "b2b"]
#: Default response-rate targets: 20 % for consumers, 30 % for business customers.
DEFAULT_RATE_TARGETS: dict[str, float] = {"b2c": 0.20, "b2b": 0.30}
#: Margins given as shares sum to 1 within this (float rounding of typed shares).
SHARE_TOLERANCE = 1e-6
#: Count margins must agree to this relative precision (then they are made equal).
TOTAL_TOLERANCE = 1e-9
_CROSS = " × "
_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


# --------------------------------------------------------------------- result types


class TargetRow(Model):
    """One population target (a cell, or a level of one margin) and how it was met.

    Attributes:
        dimension: The column, or crossed columns joined by ``" × "``.
        level: The level (a tuple of levels for crossed cells).
        respondents: Respondents in the level.
        base_total: Sum of their base weights before weighting.
        target: Population count aimed at.
        weighted_total: Sum of their final weights.
        sample_share: Respondents' share of the sample (unweighted).
        target_share: The target's share of the population.
        adjustment: Mean factor applied, ``weighted_total / base_total``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    dimension: str
    level: object
    respondents: int
    base_total: float
    target: float
    weighted_total: float
    sample_share: float
    target_share: float
    adjustment: float


class WeightDiagnostics(Model):
    """How far weights are from equal, and what that costs in precision.

    Quantiles are R's default type 7 (numpy ``"linear"``). Kish's effective sample size is
    ``(Σw)² / Σw²`` and his design effect due to weighting ``n / n_eff = 1 + CV²`` (with
    the population coefficient of variation of the weights).

    Attributes:
        n: Number of weights.
        n_zero: Weights equal to zero (respondents who do not count).
        total: Sum of weights.
        mean: Mean weight.
        min: Smallest weight.
        p1: 1st percentile.
        p5: 5th percentile.
        p25: Lower quartile.
        median: Median.
        p75: Upper quartile.
        p95: 95th percentile.
        p99: 99th percentile.
        max: Largest weight.
        max_to_min: ``max / min`` (infinite when a weight is 0).
        cv: Coefficient of variation (population standard deviation / mean).
        effective_n: Kish's effective sample size.
        design_effect: Kish's design effect ``n / effective_n``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int
    n_zero: int
    total: float
    mean: float
    min: float
    p1: float
    p5: float
    p25: float
    median: float
    p75: float
    p95: float
    p99: float
    max: float
    max_to_min: float
    cv: float
    effective_n: float
    design_effect: float

    @classmethod
    def of(
        cls,
        weights: NDArray[np.float64],
        *,
        distinct: tuple[NDArray[np.float64], NDArray[np.int64]] | None = None,
    ) -> WeightDiagnostics:
        """Diagnostics of a weight array.

        Args:
            weights: The weights.
            distinct: Optionally, the distinct values the weights take and how often
                (one weight per cell when base weights are equal): quantiles then come
                from these few values instead of a partition of every weight.

        Examples:
            >>> d = WeightDiagnostics.of(np.array([1.0, 1.0, 2.0, 4.0]))
            >>> d.effective_n, d.design_effect
            (2.909090909090909, 1.375)
        """
        n = len(weights)
        total = float(weights.sum())
        # Effective n and cv are ratios: computed at a power of two where squares fit.
        scaled, exponent = scaled_weights(weights)
        scaled_total = math.ldexp(total, -exponent)
        squares = float(np.dot(scaled, scaled))
        if not n:
            q = np.full(len(_QUANTILES), np.nan)
        elif distinct is None:
            q = np.quantile(weights, _QUANTILES)
        else:
            q = _grouped_quantiles(*distinct)
        mean = total / n if n else math.nan
        scaled_mean = scaled_total / n if n else math.nan
        low, high = (float(weights.min()), float(weights.max())) if n else (math.nan, math.nan)
        effective = scaled_total * scaled_total / squares if squares > 0 else math.nan
        return cls(
            n=n,
            n_zero=int(np.count_nonzero(weights == 0)),
            total=total,
            mean=mean,
            min=low,
            p1=float(q[0]),
            p5=float(q[1]),
            p25=float(q[2]),
            median=float(q[3]),
            p75=float(q[4]),
            p95=float(q[5]),
            p99=float(q[6]),
            max=high,
            max_to_min=high / low if low > 0 else math.inf,
            cv=(
                math.sqrt(max(squares / n - scaled_mean * scaled_mean, 0.0)) / scaled_mean
                if n and mean
                else math.nan
            ),
            effective_n=effective,
            design_effect=n / effective if effective > 0 else math.nan,
        )


def _grouped_quantiles(
    values: NDArray[np.float64], counts: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Type-7 quantiles of ``values`` repeated ``counts`` times, without expanding them.

    The ``k``-th order statistic (0-based) is the value whose cumulative count first
    exceeds ``k``; the quantile at ``p`` interpolates those at ``floor(h)`` and
    ``floor(h) + 1`` with ``h = (n − 1) p``, as ``np.quantile`` does.

    Examples:
        >>> _grouped_quantiles(np.array([2.0, 1.0]), np.array([1, 3])).tolist()[3]
        1.0
    """
    order = np.argsort(values, kind="stable")
    sorted_values, cumulative = values[order], np.cumsum(counts[order])
    n = int(cumulative[-1])
    h = (n - 1) * np.asarray(_QUANTILES)
    low = np.floor(h).astype(np.int64)
    high = np.minimum(low + 1, n - 1)
    at_low = sorted_values[np.searchsorted(cumulative, low, side="right")]
    at_high = sorted_values[np.searchsorted(cumulative, high, side="right")]
    out: NDArray[np.float64] = at_low + (h - low) * (at_high - at_low)
    return out


def _distinct(
    factors: NDArray[np.float64], counts: NDArray[np.int64], base: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]] | None:
    """The few values cell-calibrated weights take when every base weight is equal."""
    first = base[0] if len(base) else 1.0
    return (factors * first, counts) if len(base) and bool((base == first).all()) else None


def _fmt(x: float, digits: int = 3) -> str:
    return f"{x:,.{digits}f}" if math.isfinite(x) else str(x)


def _label(level: object) -> str:
    if isinstance(level, tuple):
        return _CROSS.join(str(v) for v in level)
    return str(level)


class WeightingResult(Model):
    """Weights for every input row, how they were made, and what they do to the NPS.

    Pass the result itself as ``weights`` to [`score`][netpromoter.core.score]: the SE is
    then the calibration-aware SE of this design (see the module docs).

    Attributes:
        method: ``"poststratify"``, ``"rake"``, ``"trim"``, ``"account"`` or ``"spend"``.
        by: The weighting dimensions (columns).
        weights: The final weights, a read-only numpy array aligned with the input rows.
        n: Number of rows (respondents).
        targets: Each population target with the totals reached (empty for trimmed plain
            weights and spend weights).
        iterations: Raking sweeps or trimming passes used (0 for post-stratification).
        converged: Whether every target is met to the tolerance (raking) or no weight is
            outside the bounds (trimming).
        max_target_error: Largest ``|weighted total − target|`` over all targets.
        tol: The raking tolerance, relative to the total target weight.
        upper: The trimming cap actually applied, as a weight.
        lower: The trimming floor actually applied, as a weight.
        n_trimmed: Weights that were capped or floored.
        cluster: The column whose values are clusters (accounts) for the SE, if any.
        diagnostics: Distribution of the weights and Kish's effective n.
        unweighted: The NPS with equal weights (``None`` without scores).
        weighted: The NPS with these weights and this design's SE, Wald interval.
        se_plain_weights: The SE these weights would get as plain weights, ignoring the
            calibration (for comparison; the classic mistake).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    method: Method
    by: tuple[str, ...]
    weights: SkipValidation[NDArray[np.float64]] = Field(repr=False)
    n: int
    targets: tuple[TargetRow, ...]
    iterations: int
    converged: bool
    max_target_error: float
    tol: float | None = None
    upper: float | None = None
    lower: float | None = None
    n_trimmed: int = 0
    cluster: str | None = None
    diagnostics: WeightDiagnostics
    unweighted: NPSResult | None = None
    weighted: NPSResult | None = None
    se_plain_weights: float | None = None

    _design: _calibration.Design | None = PrivateAttr(default=None)
    _scores: ScoreColumn | None = PrivateAttr(default=None)
    _clusters: Any = PrivateAttr(default=None)
    _base: Any = PrivateAttr(default=None)
    _layout: Any = PrivateAttr(default=None)

    def design_se(
        self,
        scores: NDArray[np.integer],
        *,
        rows: NDArray[np.bool_] | None = None,
        codes: NDArray[np.integer] | None = None,
        n_groups: int = 1,
        domain: Domain = "group",
        partner: NDArray[np.integer] | None = None,
    ) -> NDArray[np.float64]:
        """SE of the weighted NPS of ``scores`` per group, for this design, in points.

        As R ``svycontrast(svymean(~promoter + detractor, d), c(1, -1))`` on this design
        ``d``; a group (and rows left out by ``rows``) is a domain, as R's
        ``subset(d, ...)``.

        Args:
            scores: Validated scores of the rows used, in row order.
            rows: Which input rows the scores belong to (``None``: all).
            codes: Optional group code per score (``0..n_groups-1``).
            n_groups: Number of groups.
            domain: ``"group"`` (default): the SE of each group's NPS. ``"rest"``: of
                the NPS of all other groups' rows (R ``subset(d, group != g)``; rows
                left out by ``rows`` belong to none). ``"group_minus_rest"``: of the
                difference NPS(group) − NPS(rest), with the covariance the calibration
                induces between the two domains.
            partner: Optional group index per group (−1 for none); overrides
                ``domain``: the SE of the difference NPS(group) − NPS(partner group),
                two disjoint domains, with the covariance the calibration induces
                between them (R ``svycontrast(svytotal(~ys + s + yr + r, d),
                quote(ys / s - yr / r))`` for the two groups' indicators ``s``, ``r``);
                NaN without a partner.

        Returns:
            The SE per group.

        Raises:
            InvalidWeightsError: When the scores do not line up with the weighted rows.
            InvalidParameterError: When an argument is not of its kind (see ``Args``).
        """
        scores, rows, codes, partner = _design_arguments(
            self.n,
            scores,
            rows=rows,
            codes=codes,
            n_groups=n_groups,
            domain=domain,
            partner=partner,
        )
        n_used = self.n if rows is None else int(np.count_nonzero(rows))
        if len(scores) != n_used or (rows is not None and len(rows) != self.n):
            msg = (
                f"these weights are for {self.n} rows but {len(scores)} scores were given; "
                "score the same rows that were weighted"
            )
            raise InvalidWeightsError(msg)
        full_scores = np.asarray(scores)
        full_codes = None if codes is None else np.asarray(codes, dtype=np.intp)
        groups = n_groups
        if rows is not None:
            full_scores = np.zeros(self.n, dtype=np.int8)
            full_scores[rows] = scores
            full_codes = np.full(self.n, n_groups, dtype=np.intp)
            full_codes[rows] = 0 if codes is None else codes
            groups = n_groups + 1
        se = _calibration.design_se(
            full_scores,
            self.weights,
            self._design,
            codes=full_codes,
            n_groups=groups,
            clusters=self._clusters,
            complement=None if domain == "group" or partner is not None else n_groups,
            contrast=domain == "group_minus_rest",
            partner=None if partner is None else _partners(partner, groups),
        )
        return se[:n_groups]

    def __eq__(self, other: object) -> bool:
        """Equal when every field is, the weights compared element by element."""
        if not isinstance(other, WeightingResult):
            return NotImplemented
        mine = self.model_dump(exclude={"weights"})
        theirs = other.model_dump(exclude={"weights"})
        return mine == theirs and np.array_equal(self.weights, other.weights)

    def __hash__(self) -> int:
        """Hash by method, size and the weights' bytes (the weights are read-only)."""
        return hash((self.method, self.n, self.weights.tobytes()))

    def to_dicts(self) -> list[dict[str, Any]]:
        """The targets table as a list of plain dictionaries (one per target)."""
        return [row.model_dump() for row in self.targets]

    def __repr__(self) -> str:
        """Short form: method, n, effective n, NPS before and after."""
        d = self.diagnostics
        text = f"WeightingResult({self.method}, n={self.n:,}, effective n={d.effective_n:,.1f}"
        if self.unweighted is not None and self.weighted is not None:
            text += f", NPS {self.unweighted.nps:+.1f} -> {self.weighted.nps:+.1f}"
        return text + ")"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        d = self.diagnostics
        parts = [f"<p><b>{html.escape(self.method)}</b> weights for {self.n:,} rows</p>"]
        if self.unweighted is not None and self.weighted is not None:
            u, w = self.unweighted, self.weighted
            parts.append(
                html_table(
                    ["", "Unweighted", "Weighted"],
                    [
                        ["NPS", f"{u.nps:+.1f}", f"{w.nps:+.1f}"],
                        ["SE", _fmt(u.se, 2), _fmt(w.se, 2)],
                        ["Effective n", f"{u.effective_n:,.1f}", f"{w.effective_n:,.1f}"],
                    ],
                    css="netpromoter-weighting",
                )
            )
        parts.append(
            html_table(
                ["min", "median", "max", "max/min", "CV", "Kish n_eff", "design effect"],
                [
                    [
                        _fmt(d.min),
                        _fmt(d.median),
                        _fmt(d.max),
                        _fmt(d.max_to_min, 2),
                        _fmt(d.cv),
                        _fmt(d.effective_n, 1),
                        _fmt(d.design_effect),
                    ]
                ],
                css="netpromoter-weighting",
            )
        )
        if self.targets:
            parts.append(
                html_table(
                    ["Dimension", "Level", "n", "Sample share", "Target share", "Adjustment"],
                    [
                        [
                            t.dimension,
                            _label(t.level),
                            f"{t.respondents:,}",
                            f"{t.sample_share:.1%}",
                            f"{t.target_share:.1%}",
                            _fmt(t.adjustment),
                        ]
                        for t in self.targets
                    ],
                    css="netpromoter-weighting",
                )
            )
        return "".join(parts)


# --------------------------------------------------------------------- input helpers


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


def _design_arguments(
    n: int,
    scores: object,
    *,
    rows: object,
    codes: object,
    n_groups: object,
    domain: object,
    partner: object,
) -> tuple[
    NDArray[np.integer], NDArray[np.bool_] | None, NDArray[np.intp] | None, NDArray[np.intp] | None
]:
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
    return column.scores, mask, group_codes, partners


def _names(by: str | Sequence[str], what: str = "by") -> tuple[str, ...]:
    return check_names(by, what)


def _population_total(value: object) -> None:
    """Refuse a ``population_total`` that is not a positive, finite number."""
    if value is not None:
        check_number(value, "population_total", minimum=0, strict=True)


def _read(
    data: object,
    dims: Sequence[str],
    *,
    score: str | None,
    weights: object,
    cluster: str | None,
    extra: Sequence[str] = (),
) -> Table:
    columns = list(dims) + list(extra)
    if score is not None:
        columns.append(score)
    if isinstance(weights, str):
        columns.append(weights)
    if cluster is not None:
        columns.append(cluster)
    return read_table(data, columns)


def _base_weights(table: Table, weights: object) -> NDArray[np.float64]:
    """Base weights (ones when ``None``); every weight must be positive."""
    if weights is None:
        return np.ones(table.n_rows, dtype=np.float64)
    w = table.weights(weights)
    if w is None:  # pragma: no cover - weights is not None here
        return np.ones(table.n_rows, dtype=np.float64)
    return _positive(w, "base weights" if not isinstance(weights, str) else repr(weights))


def _positive(w: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    zero = np.flatnonzero(w <= 0)
    if len(zero):
        shown = ", ".join(str(int(i)) for i in zero[:5]) + (" ..." if len(zero) > 5 else "")  # noqa: PLR2004
        msg = (
            f"{len(zero)} {what} are zero (rows {shown}); a respondent with weight 0 "
            "cannot be weighted up, so drop those rows explicitly before weighting"
        )
        raise InvalidWeightsError(msg, positions=zero.tolist())
    return w


def _cluster_codes(table: Table, cluster: str | None) -> NDArray[np.intp] | None:
    if cluster is None:
        return None
    return _cluster_factor(table, cluster).codes.astype(np.intp)


def _cluster_factor(table: Table, name: str) -> Factor:
    """The cluster (account) column as a factor; a row without a cluster is an error."""
    factor = table.factor(name)
    if MISSING in factor.levels:
        code = factor.levels.index(MISSING)
        rows = np.flatnonzero(factor.codes == code)
        shown = ", ".join(str(int(i)) for i in rows[:5]) + (" ..." if len(rows) > 5 else "")  # noqa: PLR2004
        msg = (
            f"{len(rows)} rows have no {name} (rows {shown}); every respondent needs one "
            "to be clustered or rolled up: fill them in or drop those rows explicitly"
        )
        raise WeightingError(msg, dimension=name, level=MISSING)
    return factor


def _number(value: object, dimension: str, level: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"target for {dimension} = {_label(level)!r} must be a number, got {value!r}"
        raise TargetError(msg, dimension=dimension, level=level)
    number = float(value)
    if not math.isfinite(number) or number < 0:
        msg = (
            f"target for {dimension} = {_label(level)!r} is {value!r}; targets must be "
            "finite, non-negative counts or shares"
        )
        raise TargetError(msg, dimension=dimension, level=level)
    return number


def _is_share(total: float) -> bool:
    return abs(total - 1.0) <= SHARE_TOLERANCE


def _frame_of_counts(cells: object, by: tuple[str, ...]) -> dict[object, object]:
    """Read a table of counts (the ``by`` columns and one count column) into a mapping."""
    dimension = _CROSS.join(by)
    probe = read_table(cells, list(by))
    extra = [c for c in probe.available if c not in by]
    if len(extra) != 1:
        msg = (
            f"a table of population counts must have the columns {list(by)!r} and exactly "
            f"one more column with the counts; it has {list(probe.available)!r}"
        )
        raise TargetError(msg, dimension=dimension)
    table = read_table(cells, [*by, extra[0]])
    keys = list(zip(*(table.values(name).tolist() for name in by), strict=True))
    counts = table.values(extra[0]).tolist()
    out: dict[object, object] = {}
    for key, count in zip(keys, counts, strict=True):
        if key in out:
            msg = f"the population table lists {dimension} = {_label(key)!r} twice"
            raise TargetError(msg, dimension=dimension, level=key)
        out[key] = count
    return out


def _is_frame(cells: object, by: tuple[str, ...]) -> bool:
    if isinstance(cells, Mapping):
        values = list(cells.values())
        return (
            bool(values)
            and set(by) <= set(cells)
            and all(isinstance(v, Sequence | np.ndarray) and not isinstance(v, str) for v in values)
        )
    return type(cells).__module__.split(".")[0] in {"pandas", "polars", "pyarrow", "narwhals"}


def _cell_targets(cells: object, by: tuple[str, ...]) -> dict[tuple[object, ...], float]:
    dimension = _CROSS.join(by)
    raw = _frame_of_counts(cells, by) if _is_frame(cells, by) else cells
    if not isinstance(raw, Mapping):
        msg = (
            "cells must map each cell (a tuple of levels in `by` order) to its population "
            f"count, or be a table of counts; got {type(cells).__name__}"
        )
        raise TargetError(msg, dimension=dimension)
    out: dict[tuple[object, ...], float] = {}
    for key, value in raw.items():
        level = key if isinstance(key, tuple) else (key,)
        if len(level) != len(by):
            msg = (
                f"cell {key!r} has {len(level)} levels but by has {len(by)} columns "
                f"{list(by)!r}; key cells by a tuple of levels in that order"
            )
            raise TargetError(msg, dimension=dimension, level=key)
        out[level] = _number(value, dimension, level)
    return out


def _level_targets(dimension: str, raw: object) -> dict[object, float]:
    if not isinstance(raw, Mapping):
        msg = f"targets of {dimension!r} must map each level to a count or share, got {raw!r}"
        raise TargetError(msg, dimension=dimension)
    return {level: _number(value, dimension, level) for level, value in raw.items()}


def _occupied(
    codes: NDArray[np.unsignedinteger[Any]], n_groups: int, base: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64], NDArray[np.float64]]:
    """Renumber groups to occupied cells: (cell per row, group of each cell, counts, base)."""
    counts = np.zeros(n_groups, dtype=np.int64)
    for start in range(0, len(codes), CHUNK):
        # numpy < 2.2.4 refuses uint64 (the codes of int64 columns) in bincount.
        chunk = codes[start : start + CHUNK].astype(np.intp, copy=False)
        counts += np.bincount(chunk, minlength=n_groups)
    groups = np.flatnonzero(counts)
    lut = np.full(n_groups, -1, dtype=np.intp)
    lut[groups] = np.arange(len(groups))
    cells = np.empty(len(codes), dtype=np.intp)
    for start in range(0, len(codes), CHUNK):
        cells[start : start + CHUNK] = lut[codes[start : start + CHUNK]]
    base_totals = _calibration.cell_totals(cells, base, len(groups))
    return cells, groups.astype(np.intp), counts[groups], base_totals


def _scale_targets(
    totals: dict[str, float], population_total: float | None, base_total: float
) -> tuple[float, dict[str, float]]:
    """The common population total and each target set's scale factor (shares -> counts)."""
    counts = {name: t for name, t in totals.items() if not _is_share(t)}
    if population_total is not None:
        reference = _number(population_total, "population_total", None)
    elif counts:
        reference = next(iter(counts.values()))
    else:
        reference = base_total
    return reference, {name: reference / t if t > 0 else 1.0 for name, t in totals.items()}


# --------------------------------------------------------------------- shared builder


def _nps_pair(
    result: WeightingResult, column: ScoreColumn
) -> tuple[NPSResult | None, NPSResult | None, float | None]:
    n = result.n
    if column.kept is None:
        values: NDArray[Any] = column.scores
    else:
        values = np.full(n, np.nan)
        values[column.kept] = column.scores
    if len(column.scores) == 0:
        return None, None, None
    with warnings.catch_warnings():
        # Side-by-side diagnostics, not an interval to read: score() itself warns.
        warnings.simplefilter("ignore", SmallSampleWarning)
        unweighted = score(values, missing="drop", method="wald")
        weighted = score(values, weights=result, missing="drop", method="wald")
        plain = score(values, weights=result.weights, missing="drop", method="wald")
    return unweighted, weighted, plain.se


def _finish(
    result: WeightingResult,
    *,
    design: _calibration.Design | None,
    scores: ScoreColumn | None,
    clusters: NDArray[np.intp] | None,
    base: NDArray[np.float64] | None,
    layout: object,
) -> WeightingResult:
    result.weights.flags.writeable = False
    result._design = design  # noqa: SLF001 - set once, right after construction
    result._scores = scores  # noqa: SLF001
    result._clusters = clusters  # noqa: SLF001
    result._base = base  # noqa: SLF001
    result._layout = layout  # noqa: SLF001
    if scores is None:
        return result
    unweighted, weighted, plain = _nps_pair(result, scores)
    final = result.model_copy(
        update={"unweighted": unweighted, "weighted": weighted, "se_plain_weights": plain}
    )
    for name in ("_design", "_scores", "_clusters", "_base", "_layout"):
        setattr(final, name, getattr(result, name))
    return final


def _score_column(
    table: Table, score_name: str | None, missing: MissingPolicy
) -> ScoreColumn | None:
    return None if score_name is None else table.scores(score_name, missing=missing)


class _Layout:
    """How target rows map to cells, so totals can be recomputed after trimming."""

    def __init__(
        self,
        dimensions: list[str],
        levels: list[list[object]],
        members: list[NDArray[np.intp]],
        *,
        targets: list[NDArray[np.float64]],
        counts: NDArray[np.int64],
        base_totals: NDArray[np.float64],
    ) -> None:
        # For target set j: ``members[j][c]`` is the index (in levels[j]) of cell c.
        self.dimensions = dimensions
        self.levels = levels
        self.members = members
        self.targets = targets
        self.counts = counts
        self.base_totals = base_totals

    def rows(self, cell_weight_totals: NDArray[np.float64]) -> tuple[tuple[TargetRow, ...], float]:
        out: list[TargetRow] = []
        worst = 0.0
        n = float(self.counts.sum())
        for dim, levels, member, target in zip(
            self.dimensions, self.levels, self.members, self.targets, strict=True
        ):
            k = len(levels)
            resp = np.bincount(member, weights=self.counts, minlength=k)
            base = np.bincount(member, weights=self.base_totals, minlength=k)
            got = np.bincount(member, weights=cell_weight_totals, minlength=k)
            total_target = float(target.sum())
            for i, level in enumerate(levels):
                worst = max(worst, abs(float(got[i] - target[i])))
                out.append(
                    TargetRow(
                        dimension=dim,
                        level=level,
                        respondents=int(resp[i]),
                        base_total=float(base[i]),
                        target=float(target[i]),
                        weighted_total=float(got[i]),
                        sample_share=float(resp[i] / n) if n else math.nan,
                        target_share=float(target[i] / total_target) if total_target else math.nan,
                        adjustment=float(got[i] / base[i]) if base[i] > 0 else math.nan,
                    )
                )
        return tuple(out), worst


# --------------------------------------------------------------------- post-stratification


def _partners(partner: NDArray[np.integer], n_groups: int) -> NDArray[np.intp]:
    """Partner group per group, −1 for none, padded with −1 to ``n_groups``."""
    given = np.asarray(partner, dtype=np.intp)
    if given.ndim != 1 or len(given) > n_groups or np.any(given >= n_groups):
        msg = f"partner must give one group index below {n_groups} per group"
        raise InvalidParameterError(msg, name="partner", value=partner)
    out = np.full(n_groups, -1, dtype=np.intp)
    out[: len(given)] = np.where(given >= 0, given, -1)
    return out


def poststratify(
    data: object,
    cells: object,
    *,
    by: str | Sequence[str],
    score: str | None = "score",
    weights: object = None,
    cluster: str | None = None,
    missing: MissingPolicy = "raise",
    population_total: float | None = None,
) -> WeightingResult:
    """Post-stratify: weight each cell of ``by`` up to its known population count.

    Every respondent in cell ``c`` gets ``w_i = d_i N_c / Σ_{j∈c} d_j`` (``d`` the base
    weights, ``N_c`` the population count), so the weighted cell totals equal the
    population exactly; as R ``postStratify(svydesign(ids = ~1, weights = ~d), ~a + b,
    population)``.

    Args:
        data: The responses: a list of ``Response``, a mapping of columns or a dataframe.
        cells: Population count per cell, keyed by a tuple of levels in ``by`` order (a
            bare level when ``by`` is one column), or a table (mapping of columns or
            dataframe) with the ``by`` columns and one count column. Shares summing to 1
            are scaled to ``population_total`` (default: the total base weight).
        by: The column (or columns, crossed) that define the cells.
        score: The score column, for the NPS diagnostics (``None`` to skip them).
        weights: Base weights: a column name or an array, all positive (default 1).
        cluster: Optional column of clusters (such as ``"account_id"``) for a
            cluster-robust SE, as R ``svydesign(ids = ~account_id, ...)``.
        missing: ``"raise"`` or ``"drop"`` for missing scores; rows with a missing score
            are still weighted, and left out of the NPS.
        population_total: The total to scale shares to.

    Returns:
        The weights with their targets table and diagnostics.

    Raises:
        MissingTargetError: A cell with respondents has no population count.
        EmptyCellError: A cell with a positive population count has no respondents.
        TargetError: A count is negative, NaN, infinite, or zero for a cell with
            respondents; or ``cells`` is malformed.
        InvalidWeightsError: A base weight is not a positive number.

    Examples:
        >>> data = {"score": [10, 9, 3, 8, 6, 10], "region": ["n", "n", "n", "n", "s", "s"]}
        >>> r = poststratify(data, {"n": 500, "s": 500}, by="region")
        >>> r.weights.tolist()
        [125.0, 125.0, 125.0, 125.0, 250.0, 250.0]
        >>> r.targets[1].weighted_total
        500.0
    """
    names = _names(by)
    _population_total(population_total)
    dimension = _CROSS.join(names)
    table = _read(data, names, score=score, weights=weights, cluster=cluster)
    base = _base_weights(table, weights)
    targets_raw = _cell_targets(cells, names)
    grouping = combine([table.factor(name) for name in names])
    row_cells, groups, counts, base_totals = _occupied(
        grouping.group_codes(), grouping.n_groups, base
    )
    labels = [grouping.labels(int(g)) for g in groups]
    sample_cells = set(labels)
    for level, count in zip(labels, counts, strict=True):
        if level not in targets_raw:
            raise _missing_target(dimension, level, int(count), names)
        if targets_raw[level] == 0:
            msg = (
                f"the population count of {dimension} = {_label(level)!r} is 0 but "
                f"{int(count)} respondents are in it: their weights would be 0; drop "
                "them explicitly or give the cell's count"
            )
            raise TargetError(msg, dimension=dimension, level=level)
    for level, value in targets_raw.items():
        if value > 0 and level not in sample_cells:
            raise _empty_cell(dimension, level, value)
    total = float(sum(targets_raw.values()))
    scale = 1.0
    if _is_share(total):
        reference = float(base.sum()) if population_total is None else population_total
        scale = _number(reference, "population_total", None) / total
    elif population_total is not None and abs(population_total - total) > TOTAL_TOLERANCE * total:
        msg = (
            f"population_total is {population_total:,.10g} but the cell counts sum to "
            f"{total:,.10g}; give one or the other"
        )
        raise MarginTotalsError(
            msg, totals={dimension: total, "population_total": population_total}
        )
    target = np.array([targets_raw[level] for level in labels]) * scale
    factors = target / base_totals
    w = _calibration.expand(row_cells, factors, base)
    design = _calibration.Design("poststratify", row_cells, len(groups), (), w.copy())
    layout = _Layout(
        [dimension],
        [[lv[0] if len(names) == 1 else lv for lv in labels]],
        [np.arange(len(groups), dtype=np.intp)],
        targets=[target],
        counts=counts,
        base_totals=base_totals,
    )
    rows, worst = layout.rows(_calibration.cell_totals(row_cells, w, len(groups)))
    result = WeightingResult(
        method="poststratify",
        by=names,
        weights=w,
        n=table.n_rows,
        targets=rows,
        iterations=0,
        converged=True,
        max_target_error=worst,
        cluster=cluster,
        diagnostics=WeightDiagnostics.of(w, distinct=_distinct(factors, counts, base)),
    )
    return _finish(
        result,
        design=design,
        scores=_score_column(table, score, missing),
        clusters=_cluster_codes(table, cluster),
        base=base,
        layout=layout,
    )


def _missing_target(
    dimension: str, level: object, count: int, names: tuple[str, ...]
) -> MissingTargetError:
    shown = level[0] if isinstance(level, tuple) and len(names) == 1 else level
    hint = (
        " (missing values in the data form this level: fill them or drop those rows)"
        if "(missing)" in (level if isinstance(level, tuple) else (level,))
        else ""
    )
    msg = (
        f"{count} respondents have {dimension} = {_label(level)!r}, which has no "
        f"population target{hint}; give a target for every level in the sample"
    )
    return MissingTargetError(msg, dimension=dimension, level=shown)


def _empty_cell(dimension: str, level: object, value: float) -> EmptyCellError:
    msg = (
        f"{dimension} = {_label(level)!r} has a population target of {value:,.6g} but no "
        "respondents: nothing can be weighted up to it; collapse it with a neighbouring "
        "level or remove it from the targets"
    )
    shown = level[0] if isinstance(level, tuple) and len(level) == 1 else level
    return EmptyCellError(msg, dimension=dimension, level=shown)


# --------------------------------------------------------------------- raking


def _margin_arrays(
    name: str,
    factor: Factor,
    raw: dict[object, float],
    present: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Targets aligned with the factor's levels; checks both directions."""
    targets = np.zeros(len(factor.levels))
    for code, level in enumerate(factor.levels):
        if not present[code]:
            continue
        if level not in raw:
            raise _missing_target(name, (level,), int(present[code]), (name,))
        if raw[level] == 0:
            msg = (
                f"the target of {name} = {level!r} is 0 but respondents have that level: "
                "their weights would be 0; drop them explicitly or give the level's target"
            )
            raise TargetError(msg, dimension=name, level=level)
        targets[code] = raw[level]
    known = {lv for code, lv in enumerate(factor.levels) if present[code]}
    for level, value in raw.items():
        if value > 0 and level not in known:
            raise _empty_cell(name, (level,), value)
    return targets


def rake(
    data: object,
    margins: Mapping[str, Mapping[Any, float]],
    *,
    score: str | None = "score",
    weights: object = None,
    cluster: str | None = None,
    missing: MissingPolicy = "raise",
    tol: float = 1e-10,
    max_iter: int = 1000,
    normalise: bool = False,
    population_total: float | None = None,
    strict: bool = True,
) -> WeightingResult:
    """Rake (iterative proportional fitting) to the population margins of several columns.

    Rows are collapsed to the crossed cells of the margins first, so each sweep works on
    cell totals, whatever the number of rows. A sweep multiplies, margin after margin, the
    weights of each level by ``target / weighted total``; raking stops when every margin
    total is within ``tol × Σ target`` of its target (the distance to the targets, not
    the change between sweeps). Final weights are ``base × adjustment``, and rescaling
    the base weights does not change them. As R ``rake(design, list(~a, ~b),
    list(pop_a, pop_b))`` or ``calibrate(..., calfun = "raking")``.

    Args:
        data: The responses: a list of ``Response``, a mapping of columns or a dataframe.
        margins: Column name -> level -> population count or share. Margins given as
            shares (summing to 1) are scaled to the total of the count margins, else to
            ``population_total``, else to the total base weight.
        score: The score column, for the NPS diagnostics (``None`` to skip them).
        weights: Base weights: a column name or an array, all positive (default 1).
        cluster: Optional cluster column for a cluster-robust SE.
        missing: ``"raise"`` or ``"drop"`` for missing scores (rows are still weighted).
        tol: Tolerance on every margin total, relative to the total target weight.
        max_iter: Largest number of sweeps.
        normalise: Turn every margin into shares of the common total (that of the first
            count margin, or ``population_total``) instead of raising when count margins
            disagree.
        population_total: The total to scale shares to.
        strict: Raise when raking does not converge (default); with ``False``, return
            the last weights with ``converged=False``.

    Returns:
        The weights, with sweeps used, convergence, remaining target error, targets table
        and diagnostics.

    Raises:
        MarginTotalsError: Count margins sum to different totals (names each total).
        MissingTargetError: A level in the sample has no target.
        EmptyCellError: A level with a positive target has no respondents.
        TargetError: A target is negative, NaN, infinite, or 0 for a level with
            respondents.
        ConvergenceError: The targets are not met within ``max_iter`` sweeps.
        InvalidParameterError: ``tol`` or ``max_iter`` is out of range.

    Examples:
        >>> data = {
        ...     "score": [10, 9, 3, 8, 6, 10, 7, 2],
        ...     "role": ["dm", "eu", "eu", "eu", "eu", "eu", "dm", "eu"],
        ...     "region": ["n", "n", "s", "s", "n", "n", "s", "n"],
        ... }
        >>> r = rake(data, {"role": {"dm": 0.5, "eu": 0.5}, "region": {"n": 0.4, "s": 0.6}})
        >>> r.converged, [round(t.weighted_total, 6) for t in r.targets]
        (True, [4.0, 4.0, 3.2, 4.8])
    """
    if not isinstance(margins, Mapping) or not margins:
        msg = "margins must map at least one column to its level targets"
        raise InvalidParameterError(msg, name="margins", value=margins)
    check_flag(normalise, "normalise")
    check_flag(strict, "strict")
    if not (isinstance(tol, int | float) and 0 < tol < 1):
        msg = f"tol must be a number between 0 and 1 (relative to the total weight), got {tol!r}"
        raise InvalidParameterError(msg, name="tol", value=tol)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        msg = f"max_iter must be a positive integer, got {max_iter!r}"
        raise InvalidParameterError(msg, name="max_iter", value=max_iter)
    names = _names(list(margins), "margins")
    _population_total(population_total)
    raw = {name: _level_targets(name, margins[name]) for name in names}
    table = _read(data, names, score=score, weights=weights, cluster=cluster)
    base = _base_weights(table, weights)
    factors = [table.factor(name) for name in names]
    grouping = combine(factors)
    row_cells, groups, counts, base_totals = _occupied(
        grouping.group_codes(), grouping.n_groups, base
    )
    keys = grouping.key_codes[groups]
    targets = []
    for j, (name, factor) in enumerate(zip(names, factors, strict=True)):
        present = np.bincount(keys[:, j], weights=counts, minlength=len(factor.levels))
        targets.append(_margin_arrays(name, factor, raw[name], present.astype(np.int64)))
    totals = {name: float(sum(raw[name].values())) for name in names}
    targets = _reconcile(
        targets,
        totals,
        normalise=normalise,
        population_total=population_total,
        base_total=float(base.sum()),
    )
    member = tuple(keys[:, j].astype(np.intp) for j in range(len(names)))
    fit = _calibration.rake_cells(base_totals, member, tuple(targets), tol=tol, max_iter=max_iter)
    if not fit.converged and strict:
        msg = (
            f"raking did not converge in {fit.iterations} sweeps: a margin total is still "
            f"{fit.max_error:.3g} from its target (tolerance {tol:g} × total = "
            f"{tol * float(targets[0].sum()):.3g}); raise max_iter, loosen tol, or collapse "
            "sparse levels (raking cannot converge when the margins conflict with empty "
            "crossed cells)"
        )
        raise ConvergenceError(msg, iterations=fit.iterations, max_error=fit.max_error)
    w = _calibration.expand(row_cells, fit.factors, base)
    design = _calibration.Design("rake", row_cells, len(groups), member, w.copy())
    layout = _Layout(
        list(names),
        [list(f.levels) for f in factors],
        list(member),
        targets=targets,
        counts=counts,
        base_totals=base_totals,
    )
    rows, worst = layout.rows(_calibration.cell_totals(row_cells, w, len(groups)))
    rows = tuple(r for r in rows if r.respondents > 0 or r.target > 0)
    result = WeightingResult(
        method="rake",
        by=names,
        weights=w,
        n=table.n_rows,
        targets=rows,
        iterations=fit.iterations,
        converged=fit.converged,
        max_target_error=worst,
        tol=tol,
        cluster=cluster,
        diagnostics=WeightDiagnostics.of(w, distinct=_distinct(fit.factors, counts, base)),
    )
    return _finish(
        result,
        design=design,
        scores=_score_column(table, score, missing),
        clusters=_cluster_codes(table, cluster),
        base=base,
        layout=layout,
    )


def _reconcile(
    targets: list[NDArray[np.float64]],
    totals: dict[str, float],
    *,
    normalise: bool,
    population_total: float | None,
    base_total: float,
) -> list[NDArray[np.float64]]:
    """Scale share margins to counts and check count margins agree (or normalise)."""
    counts = {n: t for n, t in totals.items() if not _is_share(t)}
    if counts and not normalise:
        first_name, first = next(iter(counts.items()))
        off = {n: t for n, t in counts.items() if abs(t - first) > TOTAL_TOLERANCE * first}
        if off:
            listed = ", ".join(f"{n!r} sums to {t:,.10g}" for n, t in counts.items())
            msg = (
                f"raking margins must describe the same population, but {listed}; fix the "
                "targets, or pass normalise=True to use each margin as shares of "
                f"{first:,.10g} (the total of {first_name!r})"
            )
            raise MarginTotalsError(msg, totals=totals)
        if population_total is not None and abs(population_total - first) > TOTAL_TOLERANCE * first:
            msg = (
                f"population_total is {population_total:,.10g} but the margin {first_name!r} "
                f"sums to {first:,.10g}"
            )
            raise MarginTotalsError(msg, totals={**totals, "population_total": population_total})
    reference, _ = _scale_targets(totals, population_total, base_total)
    out = []
    for target in targets:
        total = float(target.sum())
        out.append(target * (reference / total) if total > 0 else target)
    return out


# --------------------------------------------------------------------- trimming


def trim(
    result_or_weights: WeightingResult | Sequence[float] | NDArray[np.float64],
    *,
    upper: float,
    lower: float | None = None,
    relative_to: Literal["absolute", "mean"] = "absolute",
    max_iter: int = 10_000,
) -> WeightingResult:
    """Trim weights to ``[lower, upper]`` and share the trimmed amount, keeping the total.

    Each pass caps the weights above ``upper`` (and raises those below ``lower``), then
    adds the trimmed amount in equal parts to the weights inside the bounds; passes
    repeat until no weight is outside (R ``trimWeights(design, upper, lower, strict =
    TRUE)``). A trimmed post-stratified or raked result keeps its calibration for the
    SE, as R does.

    Args:
        result_or_weights: A weighting result, or plain positive weights.
        upper: The cap: a weight, or a multiple of the mean weight with
            ``relative_to="mean"`` (such as 5). Use ``math.inf`` for no cap.
        lower: Optional floor, in the same units.
        relative_to: ``"absolute"`` (default) or ``"mean"``.
        max_iter: Largest number of passes.

    Returns:
        A result with the trimmed weights, passes used and how many weights were trimmed.

    Raises:
        InvalidParameterError: The bounds are not numbers, ``lower >= upper``, or a
            bound makes keeping the total impossible (a cap below the mean weight).
        ConvergenceError: Weights are still outside after ``max_iter`` passes.
        InvalidWeightsError: Plain weights are not positive numbers.

    Examples:
        >>> r = trim([1.0, 1.0, 1.0, 1.0, 6.0], upper=2.0, relative_to="mean")
        >>> r.weights.tolist(), r.diagnostics.total
        ([1.5, 1.5, 1.5, 1.5, 4.0], 10.0)
    """
    if isinstance(result_or_weights, WeightingResult):
        source: WeightingResult | None = result_or_weights
        w = result_or_weights.weights
    else:
        source = None
        w = _positive(validate_weights(result_or_weights, _length(result_or_weights)), "weights")
    check_choice(relative_to, "relative_to", ("absolute", "mean"))
    scale = float(w.mean()) if relative_to == "mean" and len(w) else 1.0
    cap = _bound(upper, "upper") * scale
    floor = -math.inf if lower is None else _bound(lower, "lower") * scale
    mean = float(w.mean()) if len(w) else 0.0
    if floor >= cap:
        msg = f"lower ({floor:.6g}) must be below upper ({cap:.6g})"
        raise InvalidParameterError(msg, name="lower", value=lower)
    if cap < mean or floor > mean:
        bad, value = ("upper", cap) if cap < mean else ("lower", floor)
        msg = (
            f"{bad} = {value:.6g} is {'below' if bad == 'upper' else 'above'} the mean weight "
            f"{mean:.6g}: the total cannot be kept with every weight "
            f"{'at most' if bad == 'upper' else 'at least'} that"
        )
        raise InvalidParameterError(msg, name=bad, value=value)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        msg = f"max_iter must be a positive integer, got {max_iter!r}"
        raise InvalidParameterError(msg, name="max_iter", value=max_iter)
    trimmed, passes, done = _calibration.trim(w, upper=cap, lower=floor, max_iter=max_iter)
    if not done:
        outside = int(np.count_nonzero((trimmed > cap) | (trimmed < floor)))
        msg = (
            f"trimming left {outside} weights outside [{floor:.6g}, {cap:.6g}] after "
            f"{passes} passes; widen the bounds or raise max_iter"
        )
        worst = float(np.max(np.maximum(trimmed - cap, floor - trimmed)))
        raise ConvergenceError(msg, iterations=passes, max_error=worst)
    n_trimmed = int(np.count_nonzero((trimmed >= cap) | (trimmed <= floor)))
    targets: tuple[TargetRow, ...] = ()
    worst_target = 0.0
    layout = None if source is None else source._layout  # noqa: SLF001
    design = None if source is None else source._design  # noqa: SLF001
    if isinstance(layout, _Layout) and design is not None:
        targets, worst_target = layout.rows(
            _calibration.cell_totals(design.cells, trimmed, design.n_cells)
        )
        targets = tuple(r for r in targets if r.respondents > 0 or r.target > 0)
    result = WeightingResult(
        method="trim",
        by=() if source is None else source.by,
        weights=trimmed,
        n=len(trimmed),
        targets=targets,
        iterations=passes,
        converged=done,
        max_target_error=worst_target,
        tol=None if source is None else source.tol,
        upper=cap if math.isfinite(cap) else None,
        lower=floor if math.isfinite(floor) else None,
        n_trimmed=n_trimmed,
        cluster=None if source is None else source.cluster,
        diagnostics=WeightDiagnostics.of(trimmed),
    )
    return _finish(
        result,
        design=design,
        scores=None if source is None else source._scores,  # noqa: SLF001
        clusters=None if source is None else source._clusters,  # noqa: SLF001
        base=None if source is None else source._base,  # noqa: SLF001
        layout=layout,
    )


def _length(weights: object) -> int:
    try:
        return len(weights)  # type: ignore[arg-type]
    except TypeError:
        msg = f"weights must be a weighting result or a sequence of numbers, got {weights!r}"
        raise InvalidWeightsError(msg) from None


def _bound(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"{name} must be a number, got {value!r}"
        raise InvalidParameterError(msg, name=name, value=value)
    number = float(value)
    if math.isnan(number) or number < 0:
        msg = f"{name} must be a non-negative number, got {value!r}"
        raise InvalidParameterError(msg, name=name, value=value)
    return number


# --------------------------------------------------------------------- B2B


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
    result = WeightingResult(
        method="account",
        by=(account,),
        weights=w,
        n=table.n_rows,
        targets=(),
        iterations=0,
        converged=True,
        max_target_error=0.0,
        cluster=account,
        diagnostics=WeightDiagnostics.of(w),
    )
    return _finish(
        result,
        design=None,
        scores=_score_column(table, score, missing),
        clusters=accounts,
        base=base,
        layout=None,
    )


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
    clusters = _cluster_codes(table, cluster)
    result = WeightingResult(
        method="spend",
        by=(spend,),
        weights=w,
        n=table.n_rows,
        targets=(),
        iterations=0,
        converged=True,
        max_target_error=0.0,
        cluster=cluster,
        diagnostics=WeightDiagnostics.of(w),
    )
    return _finish(
        result,
        design=None,
        scores=_score_column(table, score, missing),
        clusters=clusters,
        base=base,
        layout=None,
    )


# --------------------------------------------------------------------- response rates


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

    model_config = ConfigDict(frozen=True, extra="forbid")

    segment: object
    invited: int
    responses: int
    rate: float
    target: float
    below_target: bool
    nps_margin_of_error: float


class ResponseRateResult(Model):
    """Response rates per segment and overall, against targets.

    Attributes:
        rates: One row per segment, in input order.
        overall: All segments together (target: the invitation-weighted mean target).
        confidence_level: The level of the margins of error.
        flagged: The segments below target.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

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

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return html_table(
            ["Segment", "Invited", "Responses", "Rate", "Target", "NPS ± (worst case)", ""],
            [
                [
                    "overall" if r.segment is None else str(r.segment),
                    f"{r.invited:,}",
                    f"{r.responses:,}",
                    f"{r.rate:.1%}",
                    f"{r.target:.0%}",
                    f"±{r.nps_margin_of_error:.1f}",
                    "below target" if r.below_target else "",
                ]
                for r in (*self.rates, self.overall)
            ],
            css="netpromoter-response-rates",
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


# --------------------------------------------------------------------- composition


class CompositionRow(Model):
    """One level of one dimension: its share of the sample against the population.

    Attributes:
        dimension: The column.
        level: The level.
        respondents: Respondents with that level.
        sample_share: Their share of the sample (weighted when weights are given).
        population_share: The level's share of the population.
        ratio: ``sample_share / population_share`` (1 is representative; infinite for a
            level the population does not have).
        difference: ``sample_share − population_share``, in percentage points.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    dimension: str
    level: object
    respondents: int
    sample_share: float
    population_share: float
    ratio: float
    difference: float


class DimensionTest(Model):
    """Chi-square goodness-of-fit test of one dimension's sample counts.

    ``X² = Σ (O − E)² / E`` with ``O`` the respondent counts and ``E = n × population
    share``, on ``levels − 1`` degrees of freedom (R ``chisq.test(O, p = shares)``).

    Attributes:
        dimension: The column.
        chi_square: The statistic.
        df: Degrees of freedom.
        p_value: ``P(X² > statistic)``.
        n: Respondents.
        most_over: The level with the highest ratio.
        most_under: The level with the lowest ratio.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    dimension: str
    chi_square: float
    df: int
    p_value: float
    n: int
    most_over: object
    most_under: object


class CompositionResult(Model):
    """Sample composition against the population, per dimension.

    Attributes:
        rows: One row per dimension and level.
        tests: One goodness-of-fit test per dimension.
        weighted: Whether sample shares are weighted.
        most_over: The most over-represented level overall (highest ratio).
        most_under: The most under-represented level overall (lowest ratio).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: tuple[CompositionRow, ...]
    tests: tuple[DimensionTest, ...]
    weighted: bool
    most_over: CompositionRow
    most_under: CompositionRow

    def to_dicts(self) -> list[dict[str, Any]]:
        """One dictionary per dimension and level."""
        return [r.model_dump() for r in self.rows]

    def __repr__(self) -> str:
        """Short form: the most over- and under-represented levels."""
        over, under = self.most_over, self.most_under
        return (
            f"CompositionResult(most over-represented {over.dimension}={over.level!r} "
            f"x{over.ratio:.2f}, most under-represented {under.dimension}={under.level!r} "
            f"x{under.ratio:.2f})"
        )

    __str__ = __repr__

    def _repr_html_(self) -> str:
        tests = {t.dimension: t for t in self.tests}
        return html_table(
            ["Dimension", "Level", "n", "Sample", "Population", "Ratio", "Diff (pp)", "χ² p"],
            [
                [
                    r.dimension,
                    str(r.level),
                    f"{r.respondents:,}",
                    f"{r.sample_share:.1%}",
                    f"{r.population_share:.1%}",
                    _fmt(r.ratio, 2),
                    f"{r.difference:+.1f}",
                    format_p(tests[r.dimension].p_value),
                ]
                for r in self.rows
            ],
            css="netpromoter-composition",
        )


def composition(
    data: object,
    population: Mapping[str, Mapping[Any, float]],
    *,
    weights: object = None,
) -> CompositionResult:
    """Compare the sample's make-up with the population, dimension by dimension.

    Args:
        data: The responses: a list of ``Response``, a mapping of columns or a dataframe.
        population: Column name -> level -> population count or share.
        weights: Optional weights (column name, array or weighting result): sample shares
            are then weighted, to check a weighting; the chi-square test always uses the
            respondent counts.

    Returns:
        Shares, ratios, differences, a chi-square test per dimension and the most over-
        and under-represented levels.

    Raises:
        MissingTargetError: A level in the sample is not in the population.
        TargetError: A population value is negative, NaN or not a number, or all are 0.

    Examples:
        >>> data = {"role": ["eu"] * 8 + ["dm"] * 2}
        >>> c = composition(data, {"role": {"dm": 0.5, "eu": 0.5}})
        >>> [(r.level, r.ratio) for r in c.rows]
        [('dm', 0.4), ('eu', 1.6)]
        >>> round(c.tests[0].p_value, 4)
        0.0578
    """
    if not isinstance(population, Mapping) or not population:
        msg = "population must map at least one column to its level counts or shares"
        raise InvalidParameterError(msg, name="population", value=population)
    names = _names(list(population), "population")
    table = _read(data, names, score=None, weights=weights, cluster=None)
    w = table.weights(weights)
    rows: list[CompositionRow] = []
    tests: list[DimensionTest] = []
    for name in names:
        raw = _level_targets(name, population[name])
        factor = table.factor(name)
        codes = factor.codes.astype(np.intp)
        counts = np.bincount(codes, minlength=len(factor.levels))
        mass = (
            counts.astype(np.float64)
            if w is None
            else np.bincount(codes, weights=w, minlength=len(factor.levels))
        )
        for level, count in zip(factor.levels, counts, strict=True):
            if count and level not in raw:
                raise _missing_target(name, (level,), int(count), (name,))
        total_pop = sum(raw.values())
        if total_pop <= 0:
            msg = f"the population of {name!r} sums to 0; give counts or shares"
            raise TargetError(msg, dimension=name)
        index = {level: i for i, level in enumerate(factor.levels)}
        levels = list(raw)
        n = int(counts.sum())
        total_mass = float(mass.sum())
        dim_rows = []
        stat = 0.0
        for level in levels:
            i = index.get(level)
            count = int(counts[i]) if i is not None else 0
            share = float(mass[i]) / total_mass if i is not None and total_mass else 0.0
            pop_share = raw[level] / total_pop
            expected = n * pop_share
            if expected > 0:
                stat += (count - expected) ** 2 / expected
            dim_rows.append(
                CompositionRow(
                    dimension=name,
                    level=level,
                    respondents=count,
                    sample_share=share,
                    population_share=pop_share,
                    ratio=share / pop_share if pop_share > 0 else math.inf,
                    difference=100.0 * (share - pop_share),
                )
            )
        df = sum(1 for level in levels if raw[level] > 0) - 1
        over = max(dim_rows, key=lambda r: r.ratio)
        under = min(dim_rows, key=lambda r: r.ratio)
        tests.append(
            DimensionTest(
                dimension=name,
                chi_square=stat,
                df=df,
                p_value=_stats.chi_square_sf(stat, df) if df > 0 else math.nan,
                n=n,
                most_over=over.level,
                most_under=under.level,
            )
        )
        rows.extend(dim_rows)
    return CompositionResult(
        rows=tuple(rows),
        tests=tuple(tests),
        weighted=w is not None,
        most_over=max(rows, key=lambda r: r.ratio),
        most_under=min(rows, key=lambda r: r.ratio),
    )
