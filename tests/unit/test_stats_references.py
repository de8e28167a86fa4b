"""The statistics checked against independent references.

References: scipy's distributions and optimisers, closed forms written out here, brute
force (a dense grid, a Monte Carlo sample from numpy's Dirichlet), and relations that
must hold exactly (a finite population correction that halves the variance is a sample
twice as large).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, special, stats

from netpromoter import margin_of_error, score
from netpromoter import trends as trends_module
from netpromoter._stats.bayes import (
    CONCENTRATION_GRID,
    concentration_posterior,
    dirichlet_multinomial_loglik,
    mean_information,
    shrink,
)
from netpromoter._stats.distributions import chi_square_sf, student_quantile, student_sf
from netpromoter.exceptions import FirstTimeRespondentWarning

Z95 = float(stats.norm.ppf(0.975))
#: Detractors, passives and promoters of a small sample (n = 25, NPS +24).
COUNTS = (5, 9, 11)
ADJUSTMENT = (0.75, 1.5, 0.75)


def _scores(counts: tuple[int, int, int]) -> list[int]:
    detractors, passives, promoters = counts
    return [3] * detractors + [8] * passives + [10] * promoters


def _adjusted_wald(counts: tuple[int, int, int], size: float) -> tuple[float, float]:
    """Rocks' adjusted Wald estimate and SE (points) for shares ``counts / n`` and ``size``.

    The counts are rescaled to ``size`` responses, 0.75 / 1.5 / 0.75 pseudo-responses
    added, and the Wald SE of the adjusted shares taken with ``size + 3`` responses.
    """
    n = sum(counts)
    adjusted = [(c * size / n + a) / (size + 3.0) for c, a in zip(counts, ADJUSTMENT, strict=True)]
    diff = adjusted[2] - adjusted[0]
    variance = adjusted[2] + adjusted[0] - diff * diff
    return 100.0 * diff, 100.0 * math.sqrt(variance / (size + 3.0))


def test_adjusted_wald_with_a_population_matches_the_closed_form() -> None:
    """With N = 2n − 1 the correction (N − n) / (N − 1) is ½: the method works with 2n."""
    n = sum(COUNTS)
    result = score(_scores(COUNTS), method="adjusted_wald", population_size=2 * n - 1)
    centre, se = _adjusted_wald(COUNTS, 2.0 * n)
    assert result.se == pytest.approx(se, rel=1e-12)
    assert result.ci[0] == pytest.approx(centre - Z95 * se, rel=1e-12)
    assert result.ci[1] == pytest.approx(centre + Z95 * se, rel=1e-12)


@pytest.mark.parametrize("method", ["adjusted_wald", "score"])
def test_a_population_correction_of_one_half_is_a_sample_twice_as_large(method: str) -> None:
    """Halving the variance by the correction gives the interval of the doubled sample."""
    x = _scores(COUNTS)
    corrected = score(x, method=method, population_size=2 * len(x) - 1)  # type: ignore[arg-type]
    doubled = score(x + x, method=method)  # type: ignore[arg-type]
    assert corrected.ci == pytest.approx(doubled.ci, rel=1e-12, abs=1e-12)
    assert corrected.nps == doubled.nps


def _score_limits(counts: tuple[int, int, int], size: float, z: float) -> tuple[float, float]:
    """The score interval by constrained maximum likelihood, maximised numerically.

    For a null NPS ``t`` the detractor share ``q`` maximises the multinomial likelihood
    with promoter share ``q + t``; the null variance of one response is
    ``q_P + q_D − t²``; the interval holds every ``t`` with ``|Z(t)| ≤ z``.
    """
    n = sum(counts)
    b, c = counts[0] / n, counts[2] / n
    a = 1.0 - b - c

    def statistic(t: float) -> float:
        low, high = max(0.0, -t), (1.0 - t) / 2.0

        def minus_loglik(q: float) -> float:
            return -(b * math.log(q) + a * math.log(1.0 - 2.0 * q - t) + c * math.log(q + t))

        q = optimize.minimize_scalar(
            minus_loglik,
            bounds=(low + 1e-13, high - 1e-13),
            method="bounded",
            options={"xatol": 1e-13},
        ).x
        variance = (q + t) + q - t * t
        return (c - b - t) / math.sqrt(variance / size)

    point = c - b
    lower = optimize.brentq(lambda t: statistic(t) - z, -0.999, point, xtol=1e-13)
    upper = optimize.brentq(lambda t: statistic(t) + z, point, 0.999, xtol=1e-13)
    return 100.0 * lower, 100.0 * upper


def test_score_interval_with_a_population_matches_constrained_likelihood() -> None:
    """The corrected score interval equals the one found by maximising the likelihood."""
    n = sum(COUNTS)
    result = score(_scores(COUNTS), method="score", population_size=2 * n - 1)
    lower, upper = _score_limits(COUNTS, 2.0 * n, Z95)
    assert result.ci[0] == pytest.approx(lower, abs=1e-6)
    assert result.ci[1] == pytest.approx(upper, abs=1e-6)


def test_margin_of_error_with_a_population_is_the_srs_formula() -> None:
    """100 z sqrt(v / n) sqrt((N − n) / (N − 1)), v = 1 in the worst case."""
    n, big_n = 200, 1000
    expected = 100.0 * Z95 * math.sqrt(1.0 / n) * math.sqrt((big_n - n) / (big_n - 1))
    assert margin_of_error(n, population_size=big_n) == pytest.approx(expected, rel=1e-12)


def test_equal_weights_give_a_design_size_of_n_minus_one() -> None:
    """Equal weights: the linearisation variance is v / (n − 1), so the size is n − 1."""
    n = sum(COUNTS)
    result = score(_scores(COUNTS), weights=[2.5] * n, method="adjusted_wald")
    centre, se = _adjusted_wald(COUNTS, n - 1.0)
    assert result.se == pytest.approx(se, rel=1e-12)
    assert result.ci[0] == pytest.approx(centre - Z95 * se, rel=1e-12)
    assert result.ci[1] == pytest.approx(centre + Z95 * se, rel=1e-12)


# ``x < df + 2`` is where the lower series is summed, above it the continued fraction.
STATISTICS = [1e-3, 0.1, 0.5, 1.0, 2.0, 3.0, 3.841458820694124, 5.0, 8.0, 12.0, 20.0, 40.0, 90.0]
DEGREES = [1, 2, 3, 4, 5, 7, 10, 15, 30, 60]


@pytest.mark.parametrize("df", DEGREES)
def test_chi_square_upper_tail_matches_scipy(df: int) -> None:
    """P(X > x) equals scipy's chi2.sf on a grid covering both ways of computing it."""
    for x in STATISTICS:
        assert chi_square_sf(x, df) == pytest.approx(float(stats.chi2.sf(x, df)), rel=1e-12)


def test_the_grid_covers_both_sides_of_the_series_bound() -> None:
    """The grid above has many points on either side of x = df + 2."""
    below = sum(x < df + 2 for x in STATISTICS for df in DEGREES)
    assert below >= 40
    assert len(STATISTICS) * len(DEGREES) - below >= 20


def _loglik(counts: np.ndarray, mean: np.ndarray, alpha: float) -> float:
    """Dirichlet–multinomial log likelihood, with scipy's log gamma."""
    a = alpha * mean
    n = counts.sum(axis=1)
    return float(
        np.sum(
            special.gammaln(alpha)
            - special.gammaln(n + alpha)
            + np.sum(special.gammaln(counts + a) - special.gammaln(a), axis=1)
        )
    )


GROUPS = np.array(
    [[40, 10, 50], [10, 20, 70], [60, 15, 25], [30, 30, 40], [5, 10, 85], [45, 20, 35]],
    dtype=np.float64,
)


def test_dirichlet_multinomial_likelihood_matches_scipy_log_gamma() -> None:
    """The marginal likelihood on a grid of α equals the sum written with scipy's gammaln."""
    mean = GROUPS.sum(axis=0) / GROUPS.sum()
    alphas = np.array([0.013, 0.5, 1.0, 7.25, 300.0, 4.0e6])
    got = dirichlet_multinomial_loglik(GROUPS, mean, alphas)
    expected = [_loglik(GROUPS, mean, float(a)) for a in alphas]
    # Sums of hundreds of log-gamma terms of size ~1e3: rounding reaches ~1e-10 relative
    # (numpy 1.x, scipy 1.13), far below any difference a wrong likelihood makes.
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def _posterior_by_hand(counts: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """p(α | x) on the grid: likelihood × N_α^(−(K−1)/2) × (1 + α)^−2, even in ln α."""
    n = counts.sum(axis=1)
    log_post = []
    for alpha in CONCENTRATION_GRID:
        size = n.sum() ** 2 / sum(m * (m + alpha) / (1.0 + alpha) for m in n)
        log_post.append(
            _loglik(counts, mean, float(alpha))
            - 0.5 * (counts.shape[1] - 1) * math.log(size)
            - 2.0 * math.log(1.0 + alpha)
            + math.log(alpha)
        )
    weights = np.exp(np.array(log_post) - max(log_post))
    out: np.ndarray = weights / weights.sum()
    return out


def test_concentration_posterior_matches_the_formula_term_by_term() -> None:
    """The posterior weights of α equal the likelihood, information and prior by hand."""
    mean = GROUPS.sum(axis=0) / GROUPS.sum()
    got = concentration_posterior(GROUPS, mean)
    np.testing.assert_allclose(
        got, _posterior_by_hand(GROUPS, mean), rtol=1e-9, atol=1e-11
    )  # probabilities summing to 1: those below 1e-11 agree in absolute terms
    assert got.sum() == pytest.approx(1.0, rel=1e-12)


def test_mean_information_runs_from_the_groups_to_all_answers() -> None:
    """N_α is N for alike groups (α → ∞) and the groups' count for unlike ones (α → 0)."""
    n = np.array([10.0, 30.0, 60.0])
    got = mean_information(n, np.array([1e-12, 1.0, 1e15]))
    assert got[0] == pytest.approx(100.0**2 / (10.0**2 + 30.0**2 + 60.0**2), rel=1e-9)
    assert got[1] == pytest.approx(100.0**2 / ((10 * 11 + 30 * 31 + 60 * 61) / 2.0), rel=1e-12)
    assert got[2] == pytest.approx(100.0, rel=1e-9)


def test_shrunken_nps_is_the_posterior_mean_over_the_concentration() -> None:
    """NPS_g = Σ_α p(α | x) (x_P − x_D + α (m_P − m_D)) / (n_g + α), every group."""
    mean = GROUPS.sum(axis=0) / GROUPS.sum()
    got = shrink(GROUPS, mean, reference=0.0, draws=200, seed=1)
    weights = _posterior_by_hand(GROUPS, mean)
    for g, (d, _, p) in enumerate(GROUPS):
        expected = sum(
            w * 100.0 * (p - d + a * (mean[2] - mean[0])) / (GROUPS[g].sum() + a)
            for w, a in zip(weights, CONCENTRATION_GRID, strict=True)
        )
        assert got.nps[g] == pytest.approx(expected, rel=1e-9)
    median = CONCENTRATION_GRID[int(np.argmax(np.cumsum(weights) >= 0.5))]
    assert got.concentration == median


def _hierarchy_draws(
    counts: np.ndarray, mean: np.ndarray, groups: tuple[int, ...], draws: int, seed: int
) -> np.ndarray:
    """NPS draws of the model with numpy's Dirichlet: α from its posterior, then m, then θ_g."""
    rng = np.random.default_rng(seed)
    weights = _posterior_by_hand(counts, mean)
    n = counts.sum(axis=1)
    alphas = CONCENTRATION_GRID[rng.choice(len(CONCENTRATION_GRID), size=draws, p=weights)]
    nps = np.empty((len(groups), draws))
    for i, alpha in enumerate(alphas):
        size = n.sum() ** 2 / float(np.sum(n * (n + alpha)) / (1.0 + alpha))
        m = rng.dirichlet(size * mean)
        for j, g in enumerate(groups):
            theta = rng.dirichlet(alpha * m + counts[g])
            nps[j, i] = 100.0 * (theta[2] - theta[0])
    return nps


@pytest.mark.parametrize("level", [0.95, 0.5])
def test_shrunken_intervals_match_draws_of_the_hierarchy_for_every_group(level: float) -> None:
    """Every group's credible interval and P(NPS > ref) match draws of α, m and θ_g."""
    rng = np.random.default_rng(21)
    n_groups = 300  # more groups than one block of draws holds
    counts = rng.multinomial(40, [0.15, 0.25, 0.6], size=n_groups).astype(np.float64)
    counts[0] = [1.0, 2.0, 37.0]  # group 0 far from the others on both ends
    counts[-1] = [30.0, 5.0, 5.0]
    mean = counts.sum(axis=0) / counts.sum()
    reference = 40.0
    got = shrink(counts, mean, reference=reference, credible_level=level, draws=20_000, seed=4)
    groups = (0, 1, 150, 298, 299)
    nps = _hierarchy_draws(counts, mean, groups, draws=30_000, seed=5)
    tails = [(1.0 - level) / 2.0, (1.0 + level) / 2.0]
    for j, g in enumerate(groups):
        lower, upper = np.quantile(nps[j], tails)
        assert abs(got.lower[g] - lower) < 1.2, g
        assert abs(got.upper[g] - upper) < 1.2, g
        assert abs(got.prob_above[g] - float(np.mean(nps[j] > reference))) < 0.02, g
    assert np.all(got.lower < got.nps)
    assert np.all(got.nps < got.upper)


def test_one_repeat_respondent_adds_their_covariance() -> None:
    """With one respondent in both periods, the change SE subtracts 2 u_a u_b by hand."""
    s_a = [10, 9, 3, 7, 0, 10, 8, 5, 9, 2]
    s_b = [9, 10, 10, 6, 8, 7, 10, 4, 9, 10, 1, 8]
    who = [f"a{i}" for i in range(len(s_a))] + ["a0"] + [f"b{i}" for i in range(len(s_b) - 1)]
    data = {
        "score": s_a + s_b,
        "who": who,
        "submitted_at": ["2026-01-10T00:00Z"] * len(s_a) + ["2026-02-10T00:00Z"] * len(s_b),
    }
    with pytest.warns(FirstTimeRespondentWarning):  # 11 of the 12 are new in February
        result = trends_module.trend(data, respondent="who", method="wald", min_n=1)
    change = result[1].vs_previous
    assert change is not None
    assert change.n_overlap == 1

    def values(x: list[int]) -> np.ndarray:
        arr = np.asarray(x)
        return (arr >= 9).astype(float) - (arr <= 6)

    v_a, v_b = values(s_a), values(s_b)
    se_a2 = 1e4 * v_a.var() / len(v_a)  # Wald: divisor n
    se_b2 = 1e4 * v_b.var() / len(v_b)
    cov = 1e4 * (v_a[0] - v_a.mean()) * (v_b[0] - v_b.mean()) / (len(v_a) * len(v_b))
    assert cov != 0.0
    assert change.se == pytest.approx(math.sqrt(se_a2 + se_b2 - 2 * cov), rel=1e-10)


def test_student_tail_is_nan_where_scipy_is_and_exact_at_infinity() -> None:
    """P(T > t) with a NaN t or df is NaN, and 0 or 1 at t = ±∞, as scipy's t.sf."""
    t = np.array([np.nan, 2.0, np.nan, np.inf, -np.inf, np.inf, 1.5])
    df = np.array([5.0, np.nan, np.nan, 5.0, 5.0, np.inf, np.inf])
    got = student_sf(t, df)
    expected = stats.t.sf(t, df)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    finite = ~np.isnan(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-12)


@pytest.mark.parametrize("p", [0.4, 0.1, 0.025, 0.005, 0.0005, 1e-6, 1e-9])
def test_student_quantile_matches_scipy_over_the_whole_range(p: float) -> None:
    """The t with P(T > t) = p is scipy's t.isf to 3e-9, from df = 1 to df = ∞."""
    df = np.array([1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 30.0, 100.0, 2e6, np.inf])
    np.testing.assert_allclose(student_quantile(p, df), stats.t.isf(p, df), rtol=3e-9)


def test_student_tail_of_many_large_df_at_once_is_each_ones_own() -> None:
    """Each element of a call is what it is alone, and scipy's t.sf (periods of 160,000 answers).

    The continued fraction stops per element: elements that converged are not carried
    on through the steps of slower ones, which would only add rounding noise.
    """
    df = np.array([319869.0, 320701.0, 333210.0, 333228.0, 333331.0, 339953.0, 5.0, 30.0])
    t = np.array([1.96, 2.1, 0.3, -1.2, 2.58, 1.0, 2.0, 0.5])
    together = student_sf(t, df)
    alone = np.array([student_sf(t[i], df[i])[()] for i in range(len(t))])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_allclose(together, stats.t.sf(t, df), rtol=1e-9)
