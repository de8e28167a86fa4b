"""Fair ranks: the Dirichlet-multinomial prior of many units and their shrunken NPS."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from netpromoter._stats.distributions import log_gamma
from netpromoter._validation import check_confidence_level

if TYPE_CHECKING:
    from numpy.typing import NDArray


def dirichlet_multinomial_loglik(
    counts: NDArray[np.float64],
    mean: NDArray[np.float64],
    concentration: float | NDArray[np.float64],
) -> NDArray[np.float64]:
    """Log marginal likelihood of category counts under a Dirichlet–multinomial model.

    With ``α = concentration`` and prior mean shares ``m``, the counts ``x_g`` of group
    ``g`` (``n_g`` in all) have, up to a term free of ``α`` and ``m``,
    ``ln Γ(α) − ln Γ(n_g + α) + Σ_k [ln Γ(x_gk + α m_k) − ln Γ(α m_k)]``.

    Args:
        counts: ``(G, K)`` counts (may be fractional, e.g. effective counts).
        mean: ``(K,)`` prior mean shares, each positive, summing to 1.
        concentration: ``α > 0``, or an array of them.

    Returns:
        The log likelihood summed over groups, one per concentration.
    """
    alpha = np.asarray(concentration, dtype=np.float64)[..., None]
    a = alpha[..., None] * mean
    n = counts.sum(axis=-1)
    per_group = (
        log_gamma(alpha)
        - log_gamma(n + alpha)
        + (log_gamma(counts + a) - log_gamma(a)).sum(axis=-1)
    )
    out: NDArray[np.float64] = per_group.sum(axis=-1)
    return out


#: The grid of prior concentrations ``α`` (pseudo-responses) integrated over: log-spaced.
CONCENTRATION_GRID = np.logspace(-2.0, 7.0, 181)


def mean_information(n: NDArray[np.float64], alpha: NDArray[np.float64]) -> NDArray[np.float64]:
    """``N_α = N² / Σ_g n_g (n_g + α) / (1 + α)``: the effective size of the overall shares.

    The pooled shares of groups whose own shares are ``Dirichlet(α m)`` vary as those of
    a simple sample of ``N_α`` answers: ``N`` (all answers) when the groups are alike
    (``α → ∞``), the number of groups' worth when they differ completely (``α → 0``).
    """
    total = n.sum()
    out: NDArray[np.float64] = (
        total * total / ((n[:, None] * (n[:, None] + alpha)).sum(axis=0) / (1.0 + alpha))
    )
    return out


def concentration_posterior(
    counts: NDArray[np.float64], mean: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Posterior weights of ``CONCENTRATION_GRID`` given ``(G, K)`` counts.

    The Dirichlet–multinomial likelihood at the overall shares ``mean``, times
    ``N_α^(−(K−1)/2)`` (``mean_information``: integrating the shares out, as restricted
    maximum likelihood does for a variance, so that groups fitted by their own average
    do not look more alike than they are), times the prior ``p(α) ∝ (1 + α)^(−2)``:
    uniform in ``ρ = 1 / (1 + α)``, the share of a group's variance that lies between
    groups, so groups that differ no more than sampling explains keep every small ``ρ``
    possible rather than all of them being shrunk to the overall. The grid is even in
    ``ln α`` (Jacobian ``α``).
    """
    alpha = CONCENTRATION_GRID
    k = counts.shape[-1]
    log_post = dirichlet_multinomial_loglik(counts, mean, alpha)
    log_post = log_post - 0.5 * (k - 1) * np.log(mean_information(counts.sum(axis=-1), alpha))
    log_post = log_post - 2.0 * np.log1p(alpha) + np.log(alpha)
    weights = np.exp(log_post - log_post.max())
    out: NDArray[np.float64] = weights / weights.sum()
    return out


class Shrunken(NamedTuple):
    """Posterior summaries of each group's NPS under a hierarchical Dirichlet prior.

    Attributes:
        nps: Posterior mean NPS, in points.
        lower: Lower limit of the equal-tailed credible interval.
        upper: Upper limit of the equal-tailed credible interval.
        prob_above: Posterior probability that the group's NPS exceeds ``reference``.
        concentration: Posterior median of the prior concentration ``α``.
    """

    nps: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    prob_above: NDArray[np.float64]
    concentration: float


def shrink(
    counts: NDArray[np.float64],
    mean: NDArray[np.float64],
    *,
    reference: float,
    credible_level: float = 0.95,
    draws: int = 4_000,
    seed: int = 0,
) -> Shrunken:
    """Posterior NPS per group, the prior's mean and concentration integrated over.

    Model: group ``g``'s (detractor, passive, promoter) shares are
    ``θ_g ~ Dirichlet(α m)`` and its counts multinomial given ``θ_g``. Neither ``α`` nor
    ``m`` is taken as known:

    * ``α`` has the posterior ``concentration_posterior`` on ``CONCENTRATION_GRID``;
    * given ``α``, ``m ~ Dirichlet(N_α m̂)`` around the overall shares ``m̂`` (``mean``),
      with ``N_α`` (``mean_information``) the effective size of ``m̂`` when groups differ
      as ``α`` says;
    * ``θ_g ~ Dirichlet(α m + x_g)``.

    Each of ``draws`` draws takes ``α``, then ``m``, then every group's ``θ`` (gamma
    variates normalised, seeded); the credible interval and ``P(NPS_g > reference)``
    come from the draws (the Monte Carlo SE of the probability is at most
    ``0.5 / sqrt(draws)``). The posterior mean is exact:
    ``Σ_α p(α) (x_gP − x_gD + α (m̂_P − m̂_D)) / (n_g + α)``, between the raw and the
    overall NPS.

    Args:
        counts: ``(G, 3)`` detractor, passive, promoter counts (effective counts when
            weighted).
        mean: ``(3,)`` overall shares ``m̂``, the prior's mean.
        reference: NPS (points) to compare each group with, usually the overall NPS.
        credible_level: Probability inside the equal-tailed credible interval.
        draws: Posterior draws per group.
        seed: Seed of the random generator.

    Returns:
        Posterior mean, credible interval, probability above the reference and the
        posterior median of ``α``.
    """
    level = check_confidence_level(credible_level)
    prior = np.maximum(mean, 1e-12)
    prior = prior / prior.sum()
    weights = concentration_posterior(counts, prior)
    alpha = CONCENTRATION_GRID
    n = counts.sum(axis=-1)
    exact = counts[:, None, 2] - counts[:, None, 0] + alpha * (prior[2] - prior[0])
    nps = 100.0 * (exact / (n[:, None] + alpha)) @ weights
    rng = np.random.default_rng(seed)
    picked = alpha[rng.choice(len(alpha), size=draws, p=weights)]
    size = mean_information(n, picked)
    m = rng.standard_gamma(size[:, None] * prior)
    m = m / m.sum(axis=1, keepdims=True)
    shape = (picked[:, None] * m).T  # (3, draws): the prior part of every draw
    tails = [(1.0 - level) / 2.0, (1.0 + level) / 2.0]
    lower = np.empty(len(counts))
    upper = np.empty(len(counts))
    prob = np.empty(len(counts))
    block = max(1, (1 << 22) // max(draws * 3, 1))
    for start in range(0, len(counts), block):
        part = counts[start : start + block]
        # Category-major draws keep each category's gammas contiguous.
        g = rng.standard_gamma(shape[:, None, :] + part.T[:, :, None])
        sample = 100.0 * (g[2] - g[0]) / (g[0] + g[1] + g[2])
        lo, hi = np.quantile(sample, tails, axis=1)
        lower[start : start + block] = lo
        upper[start : start + block] = hi
        prob[start : start + block] = (sample > reference).mean(axis=1)
    cumulative = np.cumsum(weights)
    median = float(alpha[int(np.searchsorted(cumulative, 0.5))])
    return Shrunken(nps, lower, upper, prob, median)
