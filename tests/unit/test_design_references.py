"""Design-based standard errors against the linearisation written out with numpy.

For plain weights (no calibration), R ``survey``'s linearisation SE of the NPS is
``100 sqrt(n / (n − 1) Σ_i (x_i − x̄)²)`` with influence values
``x_i = w_i (y_i − ȳ) / Σ w`` (``y`` = +1 / 0 / −1); with clusters, the ``x_i`` are summed
per cluster first and ``n`` is the number of clusters.
"""

from __future__ import annotations

import numpy as np
import pytest

from netpromoter._stats.design import Design, Domains, domain_se


def _y(scores: np.ndarray) -> np.ndarray:
    return (scores >= 9).astype(float) - (scores <= 6)


def _linearised(
    scores: np.ndarray, weights: np.ndarray, clusters: np.ndarray | None = None
) -> float:
    y = _y(scores)
    mean = float(np.sum(weights * y) / np.sum(weights))
    x = weights * (y - mean) / np.sum(weights)
    if clusters is not None:
        x = np.array([x[clusters == c].sum() for c in np.unique(clusters)])
    n = len(x)
    return float(100.0 * np.sqrt(n / (n - 1.0) * np.sum((x - x.mean()) ** 2)))


RNG = np.random.default_rng(17)
SCORES = RNG.integers(0, 11, 60).astype(np.int8)
WEIGHTS = RNG.lognormal(0.0, 0.6, 60)
CLUSTERS = np.repeat(np.arange(12), 5).astype(np.intp)


@pytest.mark.parametrize("scale", [1.0, 1e200, 1e-200])
def test_plain_weights_give_the_linearisation_se_at_any_scale(scale: float) -> None:
    """The same SE for weights of any magnitude, squares overflowing or not."""
    expected = _linearised(SCORES, WEIGHTS)
    got = domain_se(Design(weights=WEIGHTS * scale), Domains(SCORES))
    assert got[0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("scale", [1.0, 1e200])
def test_clustered_plain_weights_sum_influence_per_cluster(scale: float) -> None:
    """With clusters the influence values are summed per cluster, n = number of clusters."""
    expected = _linearised(SCORES, WEIGHTS, CLUSTERS)
    got = domain_se(Design(weights=WEIGHTS * scale, clusters=CLUSTERS), Domains(SCORES))
    assert got[0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("clusters", [None, CLUSTERS])
def test_a_difference_with_an_empty_domain_has_no_se(clusters: np.ndarray | None) -> None:
    """Group minus rest is NaN when the group or the rest has no rows; other SEs stay."""
    design = Design(weights=WEIGHTS, clusters=clusters)
    everyone = np.zeros(len(SCORES), dtype=np.intp)
    alone = domain_se(
        design, Domains(SCORES, codes=everyone, n_groups=1, domain="group_minus_rest")
    )
    assert np.isnan(alone[0])
    # Group 1 has no rows: its difference has no SE, group 0's own SE is unaffected.
    two = domain_se(design, Domains(SCORES, codes=everyone, n_groups=2, domain="group_minus_rest"))
    assert np.isnan(two[1])
    own = domain_se(design, Domains(SCORES, codes=everyone, n_groups=2))
    assert own[0] == pytest.approx(_linearised(SCORES, WEIGHTS, clusters), rel=1e-10)
    assert np.isnan(own[1])
