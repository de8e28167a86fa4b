"""Relative importance of correlated aspects: Johnson's relative weights, bootstrapped.

Johnson (2000), "A heuristic method for estimating the relative weight of predictor
variables in multiple regression", Multivariate Behavioral Research 35(1), 1-19.
With ``R_xx`` the aspects' correlation matrix and ``r_xy`` their correlations with the
score, take the eigen-decomposition ``R_xx = V diag(e) Vᵀ`` and

* ``Λ = R_xx^{1/2} = V diag(√e) Vᵀ`` (loadings of the aspects on their closest
  orthogonal counterparts ``Z``),
* ``β = Λ^{-1} r_xy = V diag(1/√e) Vᵀ r_xy`` (regression of the score on ``Z``),
* relative weight ``ε_j = Σ_k Λ_jk² β_k²``.

The weights are non-negative and add up to the model's ``R² = r_xyᵀ R_xx^{-1} r_xy``.

Everything is vectorised over a leading batch axis, so one call computes the weights of
every bootstrap replicate in a chunk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Smallest eigenvalue of R_xx, relative to the largest, treated as non-singular.
SINGULAR_TOLERANCE = 1e-10
#: Values per bootstrap chunk (replicates × rows × columns): about 32 MiB of float64.
_CHUNK_VALUES = 1 << 22
#: A resampled variance below this fraction of the full sample's is a constant column.
_CONSTANT_VARIANCE = 1e-10


def correlation_matrices(data: NDArray[np.float64]) -> NDArray[np.float64]:
    """Correlation matrices of a batch of data sets ``(..., n, q)`` → ``(..., q, q)``.

    A column without variation gives NaN in its row and column.
    """
    centred = data - data.mean(axis=-2, keepdims=True)
    cross = np.swapaxes(centred, -1, -2) @ centred
    scale = np.sqrt(np.diagonal(cross, axis1=-2, axis2=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out: NDArray[np.float64] = cross / (scale[..., :, None] * scale[..., None, :])
    return out


def relative_weights(corr: NDArray[np.float64]) -> NDArray[np.float64]:
    """Johnson's relative weights from correlation matrices ``(..., p + 1, p + 1)``.

    Args:
        corr: Correlation matrices whose last row and column belong to the score.

    Returns:
        Weights ``(..., p)``; a matrix with NaN entries or a singular ``R_xx`` (an
        eigenvalue below ``SINGULAR_TOLERANCE`` times the largest) gives NaN weights.

    Examples:
        Two uncorrelated aspects: each weight is the squared correlation.

        >>> corr = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
        >>> relative_weights(corr).round(6).tolist()
        [0.36, 0.09]
    """
    rxx = corr[..., :-1, :-1]
    rxy = corr[..., :-1, -1]
    finite = np.asarray(np.isfinite(corr).all(axis=(-2, -1)))
    safe_rxx = np.where(finite[..., None, None], rxx, np.eye(rxx.shape[-1]))
    eigenvalues, vectors = np.linalg.eigh(safe_rxx)
    singular = np.asarray(eigenvalues[..., 0] <= SINGULAR_TOLERANCE * eigenvalues[..., -1])
    root = np.sqrt(np.clip(eigenvalues, SINGULAR_TOLERANCE, None))
    vectors_t = np.swapaxes(vectors, -1, -2)
    loadings = (vectors * root[..., None, :]) @ vectors_t
    beta = (vectors * (1.0 / root)[..., None, :]) @ (vectors_t @ rxy[..., None])
    weights: NDArray[np.float64] = (loadings * loadings) @ (beta[..., 0] ** 2)[..., None]
    weights = weights[..., 0]
    bad = singular | ~finite
    return np.where(bad[..., None], np.nan, weights)


class Bootstrap(NamedTuple):
    """Bootstrap replicates of the relative weights and of the aspects' ranks."""

    weights: NDArray[np.float64]
    ranks: NDArray[np.float64]
    n_failed: int


def ranks_descending(weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rank along the last axis, 1 = largest; rows containing NaN give NaN ranks."""
    order = np.argsort(-weights, axis=-1, kind="stable")
    ranks = np.empty_like(weights)
    np.put_along_axis(ranks, order, np.arange(1, weights.shape[-1] + 1, dtype=np.float64), -1)
    return np.where(np.isnan(weights).any(axis=-1, keepdims=True), np.nan, ranks)


def _resample_correlations(
    centred: NDArray[np.float64],
    products: NDArray[np.float64],
    rows: NDArray[np.intp],
    floor: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Correlation matrices of the resamples ``data[rows[b]]``, from resampling counts.

    A resample is summarised by how often it drew each row, so its first and second
    moments are two matrix products, ``counts @ x`` and ``counts @ (x_i x_j)``, instead
    of a gather of ``(resamples, n, q)`` values. ``x`` is centred on the full sample, so
    the moments do not lose precision to cancellation. A column whose resampled variance
    is below ``floor`` (a resample that drew one value only) gives NaN.
    """
    size, n = rows.shape
    q = centred.shape[1]
    offsets = (np.arange(size, dtype=np.intp) * n)[:, None]
    counts = np.bincount((rows + offsets).ravel(), minlength=size * n).reshape(size, n)
    weights = counts.astype(np.float64) / n
    mean = weights @ centred
    upper = np.triu_indices(q)
    second = np.empty((size, q, q))
    second[:, upper[0], upper[1]] = weights @ products
    second[:, upper[1], upper[0]] = second[:, upper[0], upper[1]]
    cov = second - mean[:, :, None] * mean[:, None, :]
    variance = np.diagonal(cov, axis1=1, axis2=2).copy()
    variance[variance <= floor] = np.nan
    scale = np.sqrt(variance)
    corr: NDArray[np.float64] = cov / (scale[:, :, None] * scale[:, None, :])
    return corr


def bootstrap(data: NDArray[np.float64], *, n_resamples: int, seed: int) -> Bootstrap:
    """Resample rows with replacement and recompute the relative weights of each replicate.

    Row indices come from ``numpy.random.default_rng(seed).integers(0, n, (chunk, n))``,
    drawn chunk after chunk, so the replicates depend only on the data, ``n_resamples``
    and ``seed``: replicate ``b`` is the weights of ``data[rows[b]]``.

    Args:
        data: Complete cases ``(n, p + 1)``, score in the last column.
        n_resamples: Number of replicates.
        seed: Seed of the random generator.

    Returns:
        Weights and ranks ``(n_resamples, p)``, NaN for replicates where the weights are
        undefined (a resample with a constant column, say), and how many those were.
    """
    n, q = data.shape
    rng = np.random.default_rng(seed)
    per_chunk = max(1, _CHUNK_VALUES // max(1, n * q))
    centred = data - data.mean(axis=0)
    upper = np.triu_indices(q)
    products = centred[:, upper[0]] * centred[:, upper[1]]
    floor = _CONSTANT_VARIANCE * centred.var(axis=0)
    weights = np.empty((n_resamples, q - 1), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        for start in range(0, n_resamples, per_chunk):
            size = min(per_chunk, n_resamples - start)
            rows = rng.integers(0, n, size=(size, n))
            corr = _resample_correlations(centred, products, rows, floor)
            weights[start : start + size] = relative_weights(corr)
    n_failed = int(np.isnan(weights).any(axis=-1).sum())
    return Bootstrap(weights, ranks_descending(weights), n_failed)


def percentile_interval(
    replicates: NDArray[np.float64], confidence_level: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Percentile interval per column, ignoring NaN replicates (NaN if all are NaN)."""
    alpha = (1.0 - confidence_level) / 2.0
    kept = replicates[~np.isnan(replicates).any(axis=-1)]
    if len(kept) == 0:
        nan = np.full(replicates.shape[-1], np.nan)
        return nan, nan.copy()
    lower, upper = np.quantile(kept, [alpha, 1.0 - alpha], axis=0)
    return lower, upper
