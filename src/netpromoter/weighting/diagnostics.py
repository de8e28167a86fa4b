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

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

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

    @classmethod
    def of_cells(
        cls,
        factors: NDArray[np.float64],
        counts: NDArray[np.int64],
        sums: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
    ) -> WeightDiagnostics:
        """Diagnostics of weights set per cell: ``factors[c]`` times the base weights.

        Args:
            factors: The weight per unit of base weight, per cell.
            counts: Rows per cell.
            sums: Per cell, the sums of the base weights and of their squares (``None``:
                every base weight is 1). With base weights the weights within a cell
                differ and are not at hand: the quantiles, ``min``, ``max`` and
                ``n_zero`` are then NaN (or 0), the totals exact.

        Examples:
            >>> d = WeightDiagnostics.of_cells(np.array([1.0, 2.0, 4.0]), np.array([2, 1, 1]))
            >>> d.effective_n, d.design_effect, d.median
            (2.909090909090909, 1.375, 1.5)
        """
        n = int(counts.sum())
        if sums is None:
            sum_d, sum_d2 = counts.astype(np.float64), counts.astype(np.float64)
        else:
            sum_d, sum_d2 = sums
        total = float(factors @ sum_d)
        squares = float((factors * factors) @ sum_d2)
        mean = total / n if n else math.nan
        effective = total * total / squares if squares > 0 else math.nan
        if sums is None and n:
            q = _grouped_quantiles(factors, counts)
            low, high = float(factors.min()), float(factors.max())
            n_zero = int(counts[factors == 0].sum())
        else:
            q = np.full(len(_QUANTILES), np.nan)
            low = high = math.nan
            n_zero = 0
        return cls(
            n=n,
            n_zero=n_zero,
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
            max_to_min=high / low if low > 0 else (math.nan if math.isnan(low) else math.inf),
            cv=(math.sqrt(max(squares / n - mean * mean, 0.0)) / mean if n and mean else math.nan),
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
