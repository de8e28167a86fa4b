"""Who answered against who is out there: the sample's composition per dimension, tested."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import ConfigDict

from netpromoter import _stats, _svg
from netpromoter._input.frames import is_lazy
from netpromoter._model import Model
from netpromoter._results import Result, TableView
from netpromoter._results import format as fmt
from netpromoter._results.chart import DEFAULT_ROWS, Chart, first_rows, forest
from netpromoter.exceptions import (
    InvalidParameterError,
    TargetError,
)
from netpromoter.weighting import lazy as _lazy
from netpromoter.weighting.targets import _level_targets, _missing_target, _names, _read

if TYPE_CHECKING:
    from numpy.typing import NDArray


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

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

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

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    dimension: str
    chi_square: float
    df: int
    p_value: float
    n: int
    most_over: object
    most_under: object


class CompositionResult(Result):
    """Sample composition against the population, per dimension.

    Attributes:
        rows: One row per dimension and level.
        tests: One goodness-of-fit test per dimension.
        weighted: Whether sample shares are weighted.
        most_over: The most over-represented level overall (highest ratio).
        most_under: The most under-represented level overall (lowest ratio).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

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

    CSS: ClassVar[str] = "netpromoter-composition"

    def plot(self, *, max_rows: int = DEFAULT_ROWS) -> Chart:
        """Each level's sample share minus its population share, in percentage points.

        One dot per dimension and level (0 is representative; right of it,
        over-represented), with the respondents of each level.

        Args:
            max_rows: Levels drawn at most (the first ones, in the table's order).
        """
        shown, more = first_rows(self.rows, max_rows)
        rows = [
            _svg.Interval(
                f"{r.dimension} = {fmt.label(r.level)}",
                r.difference,
                r.difference,
                r.difference,
                f"n = {fmt.count(r.respondents)}",
                flagged=False,
            )
            for r in shown
        ]
        return forest(rows, None, f"Sample share minus population share, points{more}")

    def _view(self) -> TableView:
        tests = {t.dimension: t for t in self.tests}
        return TableView(
            ["Dimension", "Level", "n", "Sample", "Population", "Ratio", "Diff (pp)", "χ² p"],
            [
                [
                    r.dimension,
                    fmt.label(r.level),
                    fmt.count(r.respondents),
                    fmt.share(r.sample_share),
                    fmt.share(r.population_share),
                    fmt.number(r.ratio, 2),
                    fmt.signed(r.difference),
                    fmt.p_value(tests[r.dimension].p_value),
                ]
                for r in self.rows
            ],
            numeric=frozenset(range(2, 8)),
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
    rows: list[CompositionRow] = []
    tests: list[DimensionTest] = []
    for name in names:
        raw = _level_targets(name, population[name])
        present, counts, mass = level_totals(data, name, weights)
        for level, count in zip(present, counts, strict=True):
            if count and level not in raw:
                raise _missing_target(name, (level,), int(count), (name,))
        total_pop = sum(raw.values())
        if total_pop <= 0:
            msg = f"the population of {name!r} sums to 0; give counts or shares"
            raise TargetError(msg, dimension=name)
        index = {level: i for i, level in enumerate(present)}
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
        weighted=weights is not None,
        most_over=max(rows, key=lambda r: r.ratio),
        most_under=min(rows, key=lambda r: r.ratio),
    )


def level_totals(
    data: object, name: str, weights: object
) -> tuple[tuple[object, ...], NDArray[np.int64], NDArray[np.float64]]:
    """The levels of column ``name``, respondents per level and their total weight.

    A lazy or distributed frame is counted on its engine (one small aggregate).
    """
    if is_lazy(data):
        return _lazy.level_totals(data, name, weights)
    table = _read(data, (name,), score=None, weights=weights, cluster=None)
    w = table.weights(weights)
    factor = table.factor(name)
    codes = factor.codes.astype(np.intp)
    counts = np.bincount(codes, minlength=len(factor.levels))
    mass = np.bincount(codes, weights=w, minlength=len(factor.levels)).astype(np.float64)
    return tuple(factor.levels), counts.astype(np.int64), mass
