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
from netpromoter._stats import chi_square_sf, fit_dirichlet_prior, shrink
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


def test_dirichlet_concentration_is_the_likelihood_maximum() -> None:
    """The fitted α maximises the marginal likelihood found by a grid and a local search."""
    counts = np.array(
        [[40, 10, 50], [10, 20, 70], [60, 15, 25], [30, 30, 40], [5, 10, 85], [45, 20, 35]],
        dtype=np.float64,
    )
    mean, alpha = fit_dirichlet_prior(counts)
    np.testing.assert_allclose(mean, counts.sum(axis=0) / counts.sum(), rtol=1e-12)
    grid = np.linspace(math.log(1e-2), math.log(1e8), 4001)
    values = [_loglik(counts, mean, math.exp(g)) for g in grid]
    best = int(np.argmax(values))
    assert 0 < best < len(grid) - 1  # an interior maximum
    refined = optimize.minimize_scalar(
        lambda g: -_loglik(counts, mean, math.exp(g)),
        bounds=(grid[best - 1], grid[best + 1]),
        method="bounded",
        options={"xatol": 1e-10},
    ).x
    assert alpha == pytest.approx(math.exp(refined), rel=1e-5)


def test_dirichlet_concentration_stops_at_its_upper_bound() -> None:
    """Groups no more different than sampling explains push α to the bound given."""
    counts = np.array([[20, 30, 50], [21, 29, 50], [19, 31, 50]], dtype=np.float64)
    _, alpha = fit_dirichlet_prior(counts, max_concentration=300.0)
    assert alpha == pytest.approx(300.0, rel=1e-5)


def test_shrunken_intervals_match_dirichlet_draws_for_every_group() -> None:
    """Every group's credible interval and P(NPS > ref) match numpy Dirichlet draws."""
    rng = np.random.default_rng(21)
    n_groups = 300  # more groups than one block of draws holds
    counts = rng.multinomial(40, [0.15, 0.25, 0.6], size=n_groups).astype(np.float64)
    counts[0] = [1.0, 2.0, 37.0]  # group 0 far from 0 on both ends
    mean = np.array([0.2, 0.3, 0.5])
    alpha, reference = 15.0, 40.0
    got = shrink(counts, mean, alpha, reference=reference, draws=5000, seed=4)
    posterior = alpha * mean + counts
    np.testing.assert_allclose(
        got.nps, 100 * (posterior[:, 2] - posterior[:, 0]) / posterior.sum(axis=1), rtol=1e-12
    )
    check = np.random.default_rng(5)
    for g in range(n_groups):
        theta = check.dirichlet(posterior[g], size=20_000)
        nps = 100 * (theta[:, 2] - theta[:, 0])
        lower, upper = np.quantile(nps, [0.025, 0.975])
        assert abs(got.lower[g] - lower) < 3.0, g
        assert abs(got.upper[g] - upper) < 3.0, g
        assert abs(got.prob_above[g] - float(np.mean(nps > reference))) < 0.05, g


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
    se = (change.ci[1] - change.ci[0]) / (2 * Z95)  # type: ignore[index]
    assert se == pytest.approx(math.sqrt(se_a2 + se_b2 - 2 * cov), rel=1e-10)
