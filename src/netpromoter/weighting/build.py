"""Finishing a weighting result: its NPS with and without the weights, and its targets table."""

from __future__ import annotations

import math
import warnings
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray  # noqa: TC002 - pydantic resolves the weights annotation

from netpromoter._stats import design as _design_se
from netpromoter.core import NPSResult, score
from netpromoter.exceptions import (
    SmallSampleWarning,
)
from netpromoter.weighting.diagnostics import WeightDiagnostics
from netpromoter.weighting.result import (
    TargetRow,
    WeightingResult,
    WeightingSource,
)
from netpromoter.weighting.targets import _cluster_codes

if TYPE_CHECKING:
    from netpromoter._input.columns import Table
    from netpromoter._validation import (
        MissingPolicy,
        ScoreColumn,
    )


def _nps_pair(
    design: _design_se.Design, column: ScoreColumn
) -> tuple[NPSResult | None, NPSResult | None, float | None]:
    n = design.n
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
        weighted = score(values, weights=design, missing="drop", method="wald")
        plain = score(values, weights=design.weights, missing="drop", method="wald")
    return unweighted, weighted, plain.se


def _finish(
    fields: dict[str, Any],
    *,
    calibration: _design_se.Calibration | None,
    scores: ScoreColumn | None,
    clusters: NDArray[np.intp] | None,
    base: NDArray[np.float64] | None,
    layout: object,
) -> WeightingResult:
    """The weighting result, built once: its design, and its NPS with and without weights."""
    weights: NDArray[np.float64] = fields["weights"]
    design = _design_se.Design(
        weights,
        kind=None if calibration is None else calibration.kind,
        cells=None if calibration is None else calibration.cells,
        n_cells=0 if calibration is None else calibration.n_cells,
        margins=() if calibration is None else calibration.margins,
        calibrated=None if calibration is None else calibration.calibrated,
        clusters=clusters,
    )
    unweighted, weighted, plain = (None, None, None)
    if scores is not None:
        unweighted, weighted, plain = _nps_pair(design, scores)
    return WeightingResult(
        **fields,
        design=design,
        source=WeightingSource(scores, base, layout),
        unweighted=unweighted,
        weighted=weighted,
        se_plain_weights=plain,
    )


def _direct(
    table: Table,
    fields: tuple[str, NDArray[np.float64], str],
    base: NDArray[np.float64],
    columns: tuple[str | None, MissingPolicy, str | None],
    clusters: NDArray[np.intp] | None = None,
) -> WeightingResult:
    """A result of weights set directly on the rows of ``table`` (account, spend).

    ``fields`` is the method, the weights and the column they were set by; nothing is
    calibrated, so there are no targets. ``base``, ``columns`` and ``clusters`` as for
    ``_of_table``.
    """
    method, weights, by = fields
    direct: dict[str, Any] = {
        "method": method,
        "by": (by,),
        "weights": weights,
        "targets": (),
        "iterations": 0,
        "converged": True,
        "max_target_error": 0.0,
        "diagnostics": WeightDiagnostics.of(weights),
    }
    return _of_table(table, direct, (None, None, base), columns, clusters)


def _score_column(
    table: Table, score_name: str | None, missing: MissingPolicy
) -> ScoreColumn | None:
    return None if score_name is None else table.scores(score_name, missing=missing)


def _of_table(
    table: Table,
    fields: dict[str, Any],
    calibrated: tuple[_design_se.Calibration | None, _Layout | None, NDArray[np.float64]],
    columns: tuple[str | None, MissingPolicy, str | None],
    clusters: NDArray[np.intp] | None = None,
) -> WeightingResult:
    """The result of weights computed in memory on the rows of ``table``.

    ``calibrated`` is the calibration and its target layout (``None`` for weights set
    directly) and the base weights;
    ``columns`` the score column, the policy for missing scores and the cluster column,
    read from ``table`` for the NPS diagnostics and the SE; ``clusters`` the cluster
    column's codes when the caller has already read them (they are not read again).
    """
    calibration, layout, base = calibrated
    score, missing, cluster = columns
    return _finish(
        {**fields, "n": table.n_rows, "cluster": cluster},
        calibration=calibration,
        scores=_score_column(table, score, missing),
        clusters=_cluster_codes(table, cluster) if clusters is None else clusters,
        base=base,
        layout=layout,
    )


@dataclass(frozen=True)
class _Layout:
    """How target rows map to cells, so totals can be recomputed after trimming.

    For target set j, ``members[j][c]`` is the index (in ``levels[j]``) of cell c.
    """

    dimensions: list[str]
    levels: list[list[object]]
    members: list[NDArray[np.intp]]
    _: KW_ONLY
    targets: list[NDArray[np.float64]]
    counts: NDArray[np.int64]
    base_totals: NDArray[np.float64]

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
