"""What a weighting gives: the weights, their targets and diagnostics, and its design."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray  # noqa: TC002 - pydantic resolves the weights annotation
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SkipValidation,
    WithJsonSchema,
)

from netpromoter._model import Held, Model
from netpromoter._results import Result, TableView, html_table
from netpromoter._results import format as fmt
from netpromoter._stats import design as _design_se
from netpromoter._stats.cells import CellCounts, CellDesign
from netpromoter._validation import (
    ScoreColumn,
    validate_weights,
)
from netpromoter.core import NPSResult  # noqa: TC001 - pydantic resolves the annotation
from netpromoter.exceptions import (
    InvalidParameterError,
)
from netpromoter.weighting.apply import with_weights
from netpromoter.weighting.arguments import design_arguments
from netpromoter.weighting.diagnostics import (
    WeightDiagnostics,  # noqa: TC001 - pydantic resolves the annotation
)

if TYPE_CHECKING:
    from netpromoter._stats.design import Domain

Method = Literal["poststratify", "rake", "trim", "account", "spend"]
#: The domains whose SE ``WeightingResult.design_se`` gives.
_CROSS = " × "


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

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    dimension: str
    level: object
    respondents: int
    base_total: float
    target: float
    weighted_total: float
    sample_share: float
    target_share: float
    adjustment: float


def _label(level: object) -> str:
    if isinstance(level, tuple):
        return _CROSS.join(str(v) for v in level)
    return str(level)


@dataclass(frozen=True)
class WeightingSource:
    """What a weighting was computed from, kept so that trimming can finish it again.

    Attributes:
        scores: The validated scores of the weighted rows (``None`` without scores).
        base: The base weights the calibration started from.
        layout: How the targets map to cells (for the targets table after trimming).
    """

    scores: ScoreColumn | None
    base: NDArray[np.float64] | None
    layout: object


@dataclass(frozen=True)
class CellSource:
    """What a lazy frame's cell weights were computed from (to trim them later).

    Attributes:
        layout: How the targets map to cells.
        counts: Rows per cell.
        sums: Per cell, the sums of the base weights and of their squares.
        per_category: Per cell and category, the engine's counts (``None`` without
            scores).
        n_missing: Rows with a missing score.
        ranges: Per cell, the smallest and the largest base weight (``None``: not
            counted).
    """

    layout: Any
    counts: NDArray[np.int64]
    sums: tuple[NDArray[np.float64], NDArray[np.float64]]
    per_category: CellCounts | None
    n_missing: int
    ranges: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None


def _read_only(weights: object) -> NDArray[np.float64]:
    """The weights, checked, as a read-only array (for a result built from its fields).

    Raises:
        InvalidWeightsError: When they are not finite, non-negative numbers.
    """
    size = len(weights) if isinstance(weights, Sequence | np.ndarray) else -1
    out: NDArray[np.float64] = validate_weights(weights, size).copy()
    out.flags.writeable = False
    return out


def _weights_array(weights: object) -> object:
    """Weights read from JSON (a list) as a read-only array; anything else as it is.

    The design built from them checks them (and names what is wrong).
    """
    if not isinstance(weights, list):
        return weights
    try:
        out = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        return weights
    out.flags.writeable = False
    return out


def _weights_list(weights: NDArray[np.float64]) -> list[float]:
    """The weights as a JSON array."""
    out: list[float] = weights.tolist()
    return out


class _Weighting(Result):
    """What every weighting result holds, and its text, table and HTML forms."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True
    )
    #: What the weights are given to, in the HTML summary.
    _weighted_what: ClassVar[str] = "rows"

    method: Method
    by: tuple[str, ...]
    n: int
    targets: tuple[TargetRow, ...]
    iterations: int
    converged: bool
    max_target_error: float
    tol: float | None = None
    upper: float | None = None
    lower: float | None = None
    n_trimmed: int = 0
    diagnostics: WeightDiagnostics
    unweighted: NPSResult | None = None
    weighted: NPSResult | None = None
    se_plain_weights: float | None = None

    def to_dicts(self) -> list[dict[str, Any]]:
        """The targets table as a list of plain dictionaries (one per target)."""
        return [row.model_dump() for row in self.targets]

    def __repr__(self) -> str:
        """Short form: method, n, effective n, NPS before and after."""
        return _short(self)

    __str__ = __repr__

    def _view(self) -> TableView:
        return _targets_view(self)

    def _repr_html_(self) -> str:
        return _html(self, self._weighted_what)


class WeightingResult(_Weighting):
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
        design: The weighting design (calibration, clusters): what every standard error
            of these weights needs; ``score``, ``segment``, ``trend``... read it when the
            result is passed as ``weights``.
        source: What the weights were computed from (for trimming them later).
    """

    weights: Annotated[
        SkipValidation[NDArray[np.float64]],
        BeforeValidator(_weights_array),
        PlainSerializer(_weights_list, when_used="json"),
        WithJsonSchema({"type": "array", "items": {"type": "number", "minimum": 0}}),
    ] = Field(repr=False)
    cluster: str | None = None

    design: Annotated[_design_se.Design, Held(_design_se.Design)] = Field(
        default_factory=lambda data: _design_se.Design(_read_only(data["weights"])),
        exclude=True,
        repr=False,
    )
    source: Annotated[WeightingSource, Held(WeightingSource)] = Field(
        default_factory=lambda: WeightingSource(None, None, None), exclude=True, repr=False
    )

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
        checked = design_arguments(self.n, scores, rows, codes, n_groups, domain, partner)
        return _design_se.domain_se(self.design, checked)

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


class CellWeight(Model):
    """The weight of one cell of a lazy frame: every row in it gets ``base × factor``.

    Attributes:
        level: The cell's levels (a bare level when there is one weighting column).
        respondents: Rows in the cell.
        base_total: Sum of their base weights (their count without base weights).
        factor: The weight per unit of base weight (the weight itself without base
            weights).
        weighted_total: Sum of their weights, ``factor × base_total``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: object
    respondents: int
    base_total: float
    factor: float
    weighted_total: float


class CellWeightingResult(_Weighting):
    """Weights set per cell of a lazy or distributed frame, and what they do to the NPS.

    What ``poststratify``, ``rake`` and ``trim`` return for a polars ``LazyFrame``, a
    DuckDB relation, a Dask or a Spark DataFrame: the rows stay on their engine, so the
    weights are one factor per cell (crossed levels of ``by``); a row's weight is its
    base weight times its cell's factor. Pass the result as ``weights`` to ``score``,
    ``segment``, ``trend`` or ``rank`` with the same frame: the factors are applied to
    the engine's per-cell aggregate, with the calibration-aware SE, and the numbers
    equal those of the same data in memory. ``apply(frame)`` adds the weights to the
    frame as a column, lazily.

    Attributes:
        method: ``"poststratify"``, ``"rake"`` or ``"trim"``.
        by: The weighting columns.
        base: The base weights column, if any.
        n: Number of rows weighted.
        targets: Each population target with the totals reached.
        iterations: Raking sweeps or trimming passes used.
        converged: Whether every target is met (raking) or no weight is outside the
            bounds (trimming).
        max_target_error: Largest ``|weighted total − target|``.
        tol: The raking tolerance.
        upper: The trimming cap applied, as a weight.
        lower: The trimming floor applied, as a weight.
        n_trimmed: Rows whose weight was capped or floored.
        cells: The weight of every occupied cell.
        diagnostics: Distribution of the weights and Kish's effective n (see
            ``WeightDiagnostics.of_cells`` for base weights).
        unweighted: The NPS with equal weights (``None`` without scores).
        weighted: The NPS with these weights and this design's SE, Wald interval.
        se_plain_weights: The SE these weights would get as plain weights.
        cell_design: The cell design (cells, factors, calibration) every SE needs;
            ``None`` in a result read back from JSON (see ``design``).
        cell_source: The engine's cell table behind the weights (``None`` likewise).
    """

    _weighted_what: ClassVar[str] = "rows, one factor per cell"

    base: str | None = None
    cells: tuple[CellWeight, ...]
    cell_design: Annotated[CellDesign | None, Held((CellDesign, type(None)))] = Field(
        default=None, exclude=True, repr=False
    )
    cell_source: Annotated[CellSource | None, Held((CellSource, type(None)))] = Field(
        default=None, exclude=True, repr=False
    )

    @property
    def design(self) -> CellDesign:
        """The cell design (cells, factors, calibration) every SE needs.

        Raises:
            InvalidParameterError: The result was read back from JSON, which keeps its
                numbers but not what the frame's engine gave.
        """
        return _engine_side(self.cell_design)

    @property
    def source(self) -> CellSource:
        """The engine's cell table the weights were computed from (for trimming).

        Raises:
            InvalidParameterError: The result was read back from JSON.
        """
        return _engine_side(self.cell_source)

    def apply(self, frame: object, *, name: str = "weight") -> Any:  # noqa: ANN401 - a native frame
        """The frame with each row's weight added as column ``name``, lazily.

        The weight is ``base × factor`` of the row's cell, as one expression evaluated
        on the frame's engine (nothing is collected); rows of no weighted cell get null.

        Args:
            frame: The lazy frame that was weighted (or another with the same columns).
            name: The name of the new column.

        Returns:
            A frame of the same kind as ``frame``.
        """
        return with_weights(self.design, frame, name)


_HeldT = TypeVar("_HeldT")


def _engine_side(value: _HeldT | None) -> _HeldT:
    """What a lazy weighting kept from the engine; refused for a result read from JSON."""
    if value is None:
        msg = (
            "this CellWeightingResult was read back from JSON: it keeps the weights and "
            "numbers, not the frame's cell design; weight the frame again to apply them"
        )
        raise InvalidParameterError(msg, name="weights", value=None)
    return value


def _short(result: _Weighting) -> str:
    d = result.diagnostics
    text = f"{type(result).__name__}({result.method}, n={result.n:,}, "
    text += f"effective n={d.effective_n:,.1f}"
    if result.unweighted is not None and result.weighted is not None:
        text += f", NPS {result.unweighted.nps:+.1f} -> {result.weighted.nps:+.1f}"
    return text + ")"


def _targets_view(result: _Weighting) -> TableView:
    return TableView(
        ["Dimension", "Level", "n", "Sample share", "Target share", "Adjustment"],
        [
            [
                t.dimension,
                _label(t.level),
                fmt.count(t.respondents),
                fmt.share(t.sample_share),
                fmt.share(t.target_share),
                fmt.number(t.adjustment, 3),
            ]
            for t in result.targets
        ],
        numeric=frozenset({2, 3, 4, 5}),
    )


def _html(result: _Weighting, what: str) -> str:
    d = result.diagnostics
    parts = [f"<p><b>{html.escape(result.method)}</b> weights for {result.n:,} {what}</p>"]
    if result.unweighted is not None and result.weighted is not None:
        u, w = result.unweighted, result.weighted
        parts.append(
            html_table(
                ["", "Unweighted", "Weighted"],
                [
                    ["NPS", f"{u.nps:+.1f}", f"{w.nps:+.1f}"],
                    ["SE", fmt.number(u.se, 2), fmt.number(w.se, 2)],
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
                    fmt.number(d.min, 3),
                    fmt.number(d.median, 3),
                    fmt.number(d.max, 3),
                    fmt.number(d.max_to_min, 2),
                    fmt.number(d.cv, 3),
                    fmt.number(d.effective_n, 1),
                    fmt.number(d.design_effect, 3),
                ]
            ],
            css="netpromoter-weighting",
        )
    )
    if result.targets:
        view = _targets_view(result)
        parts.append(html_table(view.header, view.rows, css="netpromoter-weighting"))
    return "".join(parts)
