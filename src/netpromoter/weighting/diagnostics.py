"""How far weights are from equal: quantiles, Kish's effective sample size, design effect."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray  # noqa: TC002 - pydantic resolves the annotations
from pydantic import ConfigDict

from netpromoter._model import Model
from netpromoter._tally import scaled_weights

_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


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
        p1: 1st percentile (``None`` when unavailable: see ``of_cells``).
        p5: 5th percentile (likewise).
        p25: Lower quartile (likewise).
        median: Median (likewise).
        p75: Upper quartile (likewise).
        p95: 95th percentile (likewise).
        p99: 99th percentile (likewise).
        max: Largest weight.
        max_to_min: ``max / min`` (infinite when a weight is 0).
        cv: Coefficient of variation (population standard deviation / mean).
        effective_n: Kish's effective sample size.
        design_effect: Kish's design effect ``n / effective_n``.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    n: int
    n_zero: int
    total: float
    mean: float
    min: float
    p1: float | None
    p5: float | None
    p25: float | None
    median: float | None
    p75: float | None
    p95: float | None
    p99: float | None
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
        squares = float(np.dot(scaled, scaled))
        if not n:
            q = np.full(len(_QUANTILES), np.nan)
        elif distinct is None:
            q = np.quantile(weights, _QUANTILES)
        else:
            q = _grouped_quantiles(*distinct)
        extremes = (float(weights.min()), float(weights.max())) if n else (math.nan, math.nan)
        return cls._made(
            n,
            int(np.count_nonzero(weights == 0)),
            (total, math.ldexp(total, -exponent), squares),
            extremes,
            q,
        )

    @classmethod
    def of_cells(
        cls,
        factors: NDArray[np.float64],
        counts: NDArray[np.int64],
        sums: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
        ranges: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
    ) -> WeightDiagnostics:
        """Diagnostics of weights set per cell: ``factors[c]`` times the base weights.

        Args:
            factors: The weight per unit of base weight, per cell.
            counts: Rows per cell.
            sums: Per cell, the sums of the base weights and of their squares (``None``:
                every base weight is 1): the totals, mean, CV and effective n are exact.
            ranges: Per cell, the smallest and the largest base weight (with ``sums``):
                ``min``, ``max`` and ``n_zero`` are exact (NaN, NaN and 0 without them).
                When the base weights are equal within every cell, the weights take one
                value per cell and the quantiles are exact too; otherwise the weights
                within a cell differ, are not at hand, and the quantiles are ``None``:
                unavailable (collect the frame, or its weights with ``apply``, for them).

        Examples:
            >>> d = WeightDiagnostics.of_cells(np.array([1.0, 2.0, 4.0]), np.array([2, 1, 1]))
            >>> d.effective_n, d.design_effect, d.median
            (2.909090909090909, 1.375, 1.5)
            >>> d = WeightDiagnostics.of_cells(
            ...     np.array([1.0, 2.0]), np.array([2, 2]), (np.array([1.0, 3.0]),
            ...     np.array([0.5, 5.0])), (np.array([0.5, 1.0]), np.array([0.5, 2.0])))
            >>> d.min, d.max, d.median
            (0.5, 4.0, None)
        """
        n = int(counts.sum())
        sum_d, sum_d2 = (counts.astype(np.float64),) * 2 if sums is None else sums
        if sums is None:
            ranges = (np.ones(len(factors)), np.ones(len(factors)))
        total = float(factors @ sum_d)
        squares = float((factors * factors) @ sum_d2)
        q: NDArray[np.float64] | None = np.full(len(_QUANTILES), np.nan)
        extremes = (math.nan, math.nan)
        n_zero = 0
        if ranges is not None and n:
            used = counts > 0
            low, high = ((factors * r)[used] for r in ranges)
            extremes = (float(low.min()), float(high.max()))
            n_zero = int(counts[used][factors[used] == 0].sum())
            equal = bool((ranges[0] == ranges[1])[used].all())
            q = _grouped_quantiles(low, counts[used]) if equal else None
        elif sums is not None:
            q = None
        return cls._made(n, n_zero, (total, total, squares), extremes, q)

    @classmethod
    def _made(
        cls,
        n: int,
        n_zero: int,
        sums: tuple[float, float, float],
        extremes: tuple[float, float],
        q: NDArray[np.float64] | None,
    ) -> WeightDiagnostics:
        """The diagnostics of ``n`` weights from their total, extremes and quantiles.

        ``sums``: the total, and the total and the sum of squares at one power of two
        (where the squares fit); ``q``: the quantiles at ``_QUANTILES`` (``None``:
        unavailable).
        """
        total, scaled_total, squares = sums
        low, high = extremes
        scaled_mean = scaled_total / n if n else math.nan
        effective = scaled_total * scaled_total / squares if squares > 0 else math.nan
        quantiles = [None] * len(_QUANTILES) if q is None else [float(v) for v in q]
        return cls(
            n=n,
            n_zero=n_zero,
            total=total,
            mean=total / n if n else math.nan,
            min=low,
            p1=quantiles[0],
            p5=quantiles[1],
            p25=quantiles[2],
            median=quantiles[3],
            p75=quantiles[4],
            p95=quantiles[5],
            p99=quantiles[6],
            max=high,
            max_to_min=high / low if low > 0 else (math.nan if n and math.isnan(low) else math.inf),
            cv=(
                math.sqrt(max(squares / n - scaled_mean * scaled_mean, 0.0)) / scaled_mean
                if n and scaled_mean
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
