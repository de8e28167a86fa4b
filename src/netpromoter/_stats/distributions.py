"""Tails and quantiles of the normal, Student t, chi-square and F distributions."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal

import numpy as np

from netpromoter._validation import check_choice, check_confidence_level
from netpromoter.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import NDArray


def z_value(confidence_level: float) -> float:
    """Two-sided standard normal quantile for a confidence level (1.959964 for 0.95)."""
    level = check_confidence_level(confidence_level)
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def normal_quantile(p: float) -> float:
    """Standard normal quantile: the ``z`` with ``P(Z ≤ z) = p`` (0 < p < 1)."""
    return NormalDist().inv_cdf(p)


#: Bisection steps of the score interval: 2 / 2**60 is far below 1e-6 NPS points.
_SCORE_STEPS = 60


Alternative = Literal["two-sided", "greater", "less"]


ALTERNATIVES: tuple[Alternative, ...] = ("two-sided", "greater", "less")


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def normal_sf(z: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Standard normal survival function ``P(Z > z)``, elementwise, via ``erfc``.

    Keeps full relative precision far into the upper tail (``normal_sf(37.5)`` is about
    4.6e-308, not 0), which ``1 - cdf`` cannot.
    """
    x = np.asarray(z, dtype=np.float64)
    out: NDArray[np.float64] = 0.5 * np.asarray(_ERFC(x / math.sqrt(2.0)), dtype=np.float64)
    return out


def p_values(
    z: NDArray[np.float64] | float, alternative: Alternative = "two-sided"
) -> NDArray[np.float64]:
    """P-values of standard normal statistics, elementwise.

    Args:
        z: Test statistics.
        alternative: ``"two-sided"`` (``2 P(Z > |z|)``), ``"greater"`` (``P(Z > z)``) or
            ``"less"`` (``P(Z < z)``).

    Returns:
        The p-values; NaN where ``z`` is NaN.

    Raises:
        InvalidParameterError: For an unknown alternative.
    """
    x = np.asarray(z, dtype=np.float64)
    check_choice(alternative, "alternative", ALTERNATIVES)
    if alternative == "two-sided":
        return np.minimum(1.0, 2.0 * normal_sf(np.abs(x)))
    if alternative == "greater":
        return normal_sf(x)
    if alternative == "less":
        return normal_sf(-x)
    msg = (
        f"unknown alternative {alternative!r}; expected one of {', '.join(map(repr, ALTERNATIVES))}"
    )
    raise InvalidParameterError(msg, name="alternative", value=alternative)


_TINY = 1e-300


#: Largest number of continued-fraction steps of ``beta_incomplete``; it needs about
#: ``sqrt(max(a, b))`` of them, so this covers t distributions with 10^8 degrees of freedom.
_CF_STEPS = 20_000


def _beta_fraction(
    a: NDArray[np.float64], b: NDArray[np.float64], x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The continued fraction of the incomplete beta function (modified Lentz).

    Each element stops at its own convergence, so its value does not depend on the
    other elements of the call (further steps would only add rounding noise).
    """
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
    h = d.copy()
    going = np.ones(np.shape(h), dtype=bool)
    for m in range(1, _CF_STEPS + 1):
        m2 = 2.0 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1.0 + aa / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            delta = d * c
            h = np.where(going, h * delta, h)
        going &= ~(np.abs(delta - 1.0) < 1e-15)  # noqa: PLR2004 - relative precision
        if not going.any():
            break
    out: NDArray[np.float64] = h
    return out


def beta_incomplete(
    a: NDArray[np.float64] | float, b: NDArray[np.float64] | float, x: NDArray[np.float64] | float
) -> NDArray[np.float64]:
    """Regularised incomplete beta function ``I_x(a, b)``, elementwise.

    ``x^a (1 − x)^b / (a B(a, b))`` times a continued fraction, evaluated where it
    converges fast (``x < (a + 1) / (a + b + 2)``) and through
    ``I_x(a, b) = 1 − I_(1−x)(b, a)`` elsewhere (Numerical Recipes, §6.4); to about
    1e-9 relative (the log-gamma terms bound it). As R's ``pbeta(x, a, b)``.

    Examples:
        >>> round(float(beta_incomplete(2.0, 3.0, 0.4)[()]), 10)  # 1 - pbinom(1, 4, 0.4)
        0.5248
    """
    a_, b_, x_ = np.broadcast_arrays(
        np.asarray(a, dtype=np.float64),
        np.asarray(b, dtype=np.float64),
        np.asarray(x, dtype=np.float64),
    )
    inside = (x_ > 0.0) & (x_ < 1.0)
    xs = np.where(inside, x_, 0.5)
    flip = xs >= (a_ + 1.0) / (a_ + b_ + 2.0)
    p, q, y = np.where(flip, b_, a_), np.where(flip, a_, b_), np.where(flip, 1.0 - xs, xs)
    log_front = p * np.log(y) + q * np.log1p(-y) - log_gamma(p) - log_gamma(q) + log_gamma(p + q)
    part = np.exp(log_front) * _beta_fraction(p, q, y) / p
    value = np.where(flip, 1.0 - part, part)
    out: NDArray[np.float64] = np.where(x_ <= 0.0, 0.0, np.where(x_ >= 1.0, 1.0, value))
    return np.clip(out, 0.0, 1.0)


def student_sf(
    t: NDArray[np.float64] | float, df: NDArray[np.float64] | float
) -> NDArray[np.float64]:
    """Upper tail ``P(T > t)`` of Student's t with ``df`` degrees of freedom, elementwise.

    ``½ I_(df / (df + t²))(df / 2, ½)`` for ``t ≥ 0`` (and one minus it below), the
    standard normal's where ``df`` is infinite; as R's ``pt(t, df, lower.tail = FALSE)``.

    Examples:
        >>> round(float(student_sf(2.0, 10.0)[()]), 10)
        0.0366940174
    """
    x, nu = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(df, dtype=np.float64))
    finite = np.isfinite(nu)
    nu_ = np.where(finite, nu, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        tail = 0.5 * beta_incomplete(nu_ / 2.0, 0.5, nu_ / (nu_ + x * x))
    tail = np.where(x >= 0.0, tail, 1.0 - tail)
    tail = np.where(np.isinf(x), np.where(x > 0, 0.0, 1.0), tail)
    out: NDArray[np.float64] = np.where(finite, tail, normal_sf(x))
    return np.where(np.isnan(x) | np.isnan(nu), np.nan, out)


def _student_log_density(t: NDArray[np.float64], df: NDArray[np.float64]) -> NDArray[np.float64]:
    half = (df + 1.0) / 2.0
    out: NDArray[np.float64] = (
        log_gamma(half)
        - log_gamma(df / 2.0)
        - 0.5 * np.log(df * math.pi)
        - half * np.log1p(t * t / df)
    )
    return out


def student_quantile(p: float, df: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """The ``t`` with ``P(T > t) = p`` for each ``df`` (``0 < p ≤ ½``).

    Newton's method on ``student_sf`` from the Cornish–Fisher start
    ``z + (z³ + z) / (4 ν) + (5 z⁵ + 16 z³ + 3 z) / (96 ν²)``, kept inside a bracket that
    bisection narrows whenever a Newton step would leave it; the normal quantile where
    ``df`` is infinite.

    Examples:
        >>> [round(float(x), 9) for x in student_quantile(0.025, np.array([1.0, 10.0]))]
        [12.706204736, 2.228138852]
    """
    nu = np.asarray(df, dtype=np.float64)
    z = normal_quantile(1.0 - p)
    finite = np.isfinite(nu) & (nu > 0)
    nu_ = np.where(finite, nu, 1.0)
    t = z + (z**3 + z) / (4.0 * nu_) + (5 * z**5 + 16 * z**3 + 3 * z) / (96.0 * nu_ * nu_)
    lo = np.full_like(nu_, min(z, 0.0) - 1.0)
    hi = np.full_like(nu_, np.inf)
    for _ in range(_SCORE_STEPS):
        excess = student_sf(t, nu_) - p
        lo = np.where(excess > 0, t, lo)
        hi = np.where(excess > 0, hi, t)
        step = excess / np.exp(_student_log_density(t, nu_))
        proposal = t + step
        inside = (proposal >= lo) & (proposal <= hi)
        middle = np.where(np.isfinite(hi), 0.5 * (lo + hi), 2.0 * np.maximum(t, 1.0))
        t_new = np.where(inside, proposal, middle)
        if np.all(np.abs(t_new - t) <= 1e-9 * np.maximum(1.0, np.abs(t))):
            t = t_new
            break
        t = t_new
    out: NDArray[np.float64] = np.where(finite, t, z)
    return out


_QUANTILES: dict[tuple[float, float], float] = {}


_QUANTILES_KEPT = 100_000


def student_quantiles(p: float, df: NDArray[np.float64]) -> NDArray[np.float64]:
    """``student_quantile`` for many degrees of freedom, each distinct one computed once.

    Results are kept between calls (whole degrees of freedom repeat across the tables of
    a trend), up to a bounded number.
    """
    unique, inverse = np.unique(df, return_inverse=True)
    missing = [d for d in unique.tolist() if (p, d) not in _QUANTILES]
    if missing:
        if len(_QUANTILES) + len(missing) > _QUANTILES_KEPT:
            _QUANTILES.clear()
        values = student_quantile(p, np.asarray(missing))
        _QUANTILES.update(zip(((p, d) for d in missing), values.tolist(), strict=True))
    found = np.array([_QUANTILES[p, d] for d in unique.tolist()], dtype=np.float64)
    out: NDArray[np.float64] = found[inverse.reshape(df.shape)]
    return out


_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


_LGAMMA_SHIFT = 8


def log_gamma(x: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """``ln Γ(x)`` for ``x > 0``, elementwise (absolute error below 1e-11).

    Arguments below 8 are shifted up with ``Γ(x) = Γ(x + 8) / (x (x+1) ... (x+7))``;
    from 8 on, Stirling's series ``(z − ½) ln z − z + ½ ln 2π + 1/(12z) − 1/(360z³) +
    1/(1260z⁵) − 1/(1680z⁷)`` is used (Abramowitz & Stegun 6.1.41).

    Examples:
        >>> round(float(log_gamma(5.0)[()]), 10) == round(math.lgamma(5.0), 10)
        True
    """
    x = np.asarray(x, dtype=np.float64)
    small = x < _LGAMMA_SHIFT
    z = np.where(small, x + _LGAMMA_SHIFT, x)
    product = np.ones_like(x)
    for j in range(_LGAMMA_SHIFT):
        product = np.where(small, product * (x + j), product)
    inv = 1.0 / z
    inv2 = inv * inv
    series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
    out: NDArray[np.float64] = (
        (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + series - np.where(small, np.log(product), 0.0)
    )
    return out


_EPSILON = 1e-16


def _settled_tail(statistic: float) -> float | None:
    """An upper tail of a statistic that is never negative, where no series is needed.

    NaN for NaN, 1 at or below 0, 0 at infinity; ``None`` otherwise.
    """
    if math.isnan(statistic):
        return math.nan
    if statistic <= 0.0:
        return 1.0
    if math.isinf(statistic):
        return 0.0
    return None


def chi_square_sf(statistic: float, df: int) -> float:
    """Upper tail ``P(X > statistic)`` of a chi-square variable with ``df`` degrees of freedom.

    The regularised upper incomplete gamma function ``Q(df / 2, statistic / 2)``: a series
    below ``a + 1``, a Lentz continued fraction above (Numerical Recipes, §6.2), to about
    1e-15 relative; as R's ``pchisq(statistic, df, lower.tail = FALSE)``.

    Examples:
        >>> round(chi_square_sf(3.841458820694124, 1), 12)
        0.05
        >>> chi_square_sf(0.0, 3)
        1.0
    """
    edge = _settled_tail(statistic)
    if edge is not None:
        return edge
    a, x = df / 2.0, statistic / 2.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    tiny = 1e-300
    if x < a + 1.0:
        term = total = 1.0 / a
        denom = a
        for _ in range(10_000):
            denom += 1.0
            term *= x / denom
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPSILON:
            break
    return math.exp(log_prefix) * h


def f_sf(statistic: float, df1: float, df2: float) -> float:
    """Upper tail ``P(F > statistic)`` of an F distribution (real degrees of freedom).

    ``I_(df2 / (df2 + df1 F))(df2 / 2, df1 / 2)``; as R's ``pf(x, df1, df2,
    lower.tail = FALSE)``.

    Examples:
        >>> round(f_sf(3.0, 2.0, 10.0), 9)
        0.095367432
    """
    edge = _settled_tail(statistic)
    if edge is not None:
        return edge
    x = df2 / (df2 + df1 * statistic)
    return float(beta_incomplete(df2 / 2.0, df1 / 2.0, x)[()])
