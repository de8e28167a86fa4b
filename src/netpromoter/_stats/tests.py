"""Tests across groups: one NPS for all segments (Rao-Scott), and why an NPS changed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from netpromoter._stats.distributions import f_sf

if TYPE_CHECKING:
    from numpy.typing import NDArray


def shift_share(
    weight_a: NDArray[np.float64],
    nps_a: NDArray[np.float64],
    weight_b: NDArray[np.float64],
    nps_b: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Split a change in NPS into segment mix and within-segment change (shift-share).

    With segment shares ``π_g = W_g / Σ W`` and segment NPS ``N_g``, the total NPS is
    ``Σ_g π_g N_g``, so its change from ``a`` to ``b`` splits exactly (the symmetric,
    midpoint form) into::

        mix_g    = (π_bg − π_ag) (N_ag + N_bg) / 2
        within_g = (N_bg − N_ag) (π_ag + π_bg) / 2

    and ``Σ_g (mix_g + within_g) = NPS_b − NPS_a``. A segment absent from one period has
    no score there; its NPS is taken as unchanged (``N_a = N_b``), so all of its
    contribution is mix, and the terms still add up exactly.

    Args:
        weight_a: Per segment, total weight (or count) in ``a``, along the last axis.
        nps_a: Per segment NPS in ``a`` (NaN where the segment is empty).
        weight_b: Per segment total weight in ``b``.
        nps_b: Per segment NPS in ``b``.

    Returns:
        The mix and within terms per segment, in points.

    Examples:
        >>> mix, within = shift_share(
        ...     np.array([50.0, 50.0]), np.array([40.0, 0.0]),
        ...     np.array([20.0, 80.0]), np.array([40.0, 10.0]),
        ... )
        >>> mix.round(6).tolist(), within.round(6).tolist()
        ([-12.0, 1.5], [0.0, 6.5])
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        pi_a = weight_a / weight_a.sum(axis=-1, keepdims=True)
        pi_b = weight_b / weight_b.sum(axis=-1, keepdims=True)
    score_a = np.where(weight_a > 0, nps_a, nps_b)
    score_b = np.where(weight_b > 0, nps_b, score_a)
    score_a = np.where(weight_a > 0, score_a, score_b)
    score_a = np.nan_to_num(score_a)
    score_b = np.nan_to_num(score_b)
    mix = (pi_b - pi_a) * (score_a + score_b) / 2.0
    within = (score_b - score_a) * (pi_a + pi_b) / 2.0
    return mix, within


class Homogeneity(NamedTuple):
    """A Rao–Scott test that ``G`` estimates are equal: ``F`` on real degrees of freedom."""

    statistic: float
    df: float
    df_denominator: float
    p_value: float


def rao_scott_homogeneity(
    estimates: NDArray[np.float64],
    covariance: NDArray[np.float64],
    working: NDArray[np.float64],
    df_denominator: float,
) -> Homogeneity:
    """Rao–Scott (second-order) test of "all ``G`` estimates are equal".

    The quadratic form uses the working model's weights ``W_g`` (each group's total
    weight, so the estimates' working variances are ``σ² / W_g``): with ``C`` the
    contrasts between the groups,
    ``Q = (Cθ)ᵀ (C W⁻¹ Cᵀ)⁻¹ (Cθ) = Σ_g W_g (θ_g − θ̄_W)²``. Its distribution under equal
    estimates is ``Σ_j λ_j χ²_1`` with ``λ`` the eigenvalues of
    ``(C W⁻¹ Cᵀ)⁻¹ (C V Cᵀ)``, ``V`` the estimates' design-based covariance; matching
    two moments (``t = mean λ``, ``r = mean λ² / t²``) gives
    ``F = Q / (ν t r)`` on ``ν = (G − 1) / r`` and ``df_denominator`` degrees of
    freedom. As R ``survey``'s ``regTermTest(svyglm(y ~ group, d), ~group,
    method = "WorkingWald", lrt.approximation = "satterthwaite")``. Unlike the plain
    Wald test it does not weight each group by the inverse of its own estimated
    variance, which makes small groups whose answers happen to vary little count far
    too much. Only ``tr(M)`` and ``tr(M²)`` of ``M = (C W⁻¹ Cᵀ)⁻¹ C V Cᵀ`` are needed:
    ``Cᵀ (C W⁻¹ Cᵀ)⁻¹ C = A = diag(W) − W Wᵀ / Σ W``, so ``tr M = tr(A V)`` and
    ``tr M² = tr(A V A V)`` (in ``O(G)`` when ``V`` is diagonal).

    Args:
        estimates: ``(G,)`` estimates.
        covariance: ``(G,)`` variances of uncorrelated estimates, or ``(G, G)``.
        working: ``(G,)`` working weights ``W_g`` (any common scale).
        df_denominator: Denominator degrees of freedom (the design's residual ones).

    Returns:
        ``F``, its two degrees of freedom and the p-value. Groups whose estimates have
        no variance at all give ``F = ∞`` and ``p = 0`` if they differ.

    Examples:
        >>> t = rao_scott_homogeneity(
        ...     np.array([10.0, 20.0]), np.array([25.0, 25.0]), np.ones(2), 100.0
        ... )
        >>> round(t.statistic, 6), t.df, round(t.p_value, 6)
        (2.0, 1.0, 0.160405)
    """
    g = len(estimates)
    w = working / working.mean()  # the statistic does not depend on their scale
    total = w.sum()
    centre = float(w @ estimates / total)
    q = float(w @ (estimates - centre) ** 2)
    if covariance.ndim == 1:
        u = w * covariance
        trace = float(u.sum() - (w * u).sum() / total)
        square = float((u * u).sum() - 2.0 * (w * u * u).sum() / total + (w @ u) ** 2 / total**2)
    else:
        a = np.diag(w) - np.outer(w, w) / total
        av = a @ covariance
        trace = float(np.trace(av))
        square = float(np.trace(av @ av))
    k = g - 1
    if trace <= 0.0 or square <= 0.0:
        spread = q > 1e-12 * max(1.0, float(w @ estimates**2))
        return Homogeneity(
            math.inf if spread else 0.0, float(k), df_denominator, 0.0 if spread else 1.0
        )
    mean = trace / k
    ratio = (square / k) / (mean * mean)
    df = k / ratio
    statistic = q / (df * mean * ratio)
    return Homogeneity(statistic, df, df_denominator, f_sf(statistic, df, df_denominator))
