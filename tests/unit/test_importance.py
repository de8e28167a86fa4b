"""Johnson's relative weights and their bootstrap, against R and numpy."""

from __future__ import annotations

import csv
import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from netpromoter import _importance
from netpromoter._importance import (
    bootstrap,
    correlation_matrices,
    percentile_interval,
    ranks_descending,
    relative_weights,
)

GOLDEN = Path(__file__).parents[1] / "golden"
ASPECTS = ("support", "product", "price")


def golden_complete() -> np.ndarray:
    """Complete rows of the golden ratings: the three aspects, then the score."""
    with (GOLDEN / "drivers_ratings.csv").open() as f:
        rows = [
            [float(r[a]) for a in (*ASPECTS, "score")]
            for r in csv.DictReader(f)
            if all(r[a] for a in ASPECTS)
        ]
    return np.array(rows)


def r_squared(data: np.ndarray) -> float:
    """R² of the least-squares fit of the last column on the others, with intercept."""
    x = np.column_stack([np.ones(len(data)), data[:, :-1]])
    y = data[:, -1]
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    centred = y - y.mean()
    return float(1 - resid @ resid / (centred @ centred))


def test_relative_weights_match_r() -> None:
    """Weights equal R's eigen()/solve() computation (tests/golden/r_drivers.json)."""
    golden = json.loads((GOLDEN / "r_drivers.json").read_text())
    data = golden_complete()
    assert len(data) == golden["n_complete"]
    weights = relative_weights(correlation_matrices(data))
    expected = [golden["johnson"][a] for a in ASPECTS]
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    assert weights.sum() == pytest.approx(golden["r_squared"], rel=1e-12)


def test_relative_weights_close_to_shapley_decomposition() -> None:
    """Johnson's weights approximate the Shapley (LMG) split of R², computed by R's lm().

    The two decompositions differ in general; on this data they agree to 0.001.
    """
    golden = json.loads((GOLDEN / "r_drivers.json").read_text())
    weights = relative_weights(correlation_matrices(golden_complete()))
    lmg = [golden["lmg"][a] for a in ASPECTS]
    np.testing.assert_allclose(weights, lmg, atol=1e-3)


def test_shapley_by_hand_in_numpy_also_close() -> None:
    """An independent Shapley decomposition by least squares gives the same picture."""
    data = golden_complete()
    p = data.shape[1] - 1

    def r2(columns: tuple[int, ...]) -> float:
        return r_squared(data[:, [*columns, p]]) if columns else 0.0

    shapley = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            for subset in combinations(others, size):
                weight = 1.0 / (p * len(list(combinations(others, size))))
                shapley[j] += weight * (r2((*subset, j)) - r2(subset))
    weights = relative_weights(correlation_matrices(data))
    np.testing.assert_allclose(weights, shapley, atol=1e-3)
    assert shapley.sum() == pytest.approx(weights.sum(), rel=1e-12)


def test_uncorrelated_aspects_get_their_squared_correlation() -> None:
    """With orthogonal aspects each weight is r² with the score (Johnson 2000)."""
    corr = np.array(
        [[1.0, 0.0, 0.0, 0.5], [0.0, 1.0, 0.0, -0.3], [0.0, 0.0, 1.0, 0.1], [0.5, -0.3, 0.1, 1.0]]
    )
    np.testing.assert_allclose(relative_weights(corr), [0.25, 0.09, 0.01], atol=1e-15)


def test_two_aspects_closed_form() -> None:
    """Two aspects: weights from the 2 × 2 square root of R_xx, worked by hand.

    With r12 = 0.6, ``R_xx^{1/2}`` has diagonal a = (sqrt(1.6) + sqrt(0.4)) / 2 and
    off-diagonal b = (sqrt(1.6) - sqrt(0.4)) / 2; beta solves ``R_xx^{1/2} beta = r_xy``
    and weight_j = Σ_k λ_jk² β_k².
    """
    r12, r1y, r2y = 0.6, 0.5, 0.4
    a = (np.sqrt(1.6) + np.sqrt(0.4)) / 2
    b = (np.sqrt(1.6) - np.sqrt(0.4)) / 2
    det = a * a - b * b
    beta1 = (a * r1y - b * r2y) / det
    beta2 = (a * r2y - b * r1y) / det
    expected = [a * a * beta1**2 + b * b * beta2**2, b * b * beta1**2 + a * a * beta2**2]
    corr = np.array([[1.0, r12, r1y], [r12, 1.0, r2y], [r1y, r2y, 1.0]])
    np.testing.assert_allclose(relative_weights(corr), expected, rtol=1e-13)


def test_singular_or_undefined_matrices_give_nan() -> None:
    """Duplicate aspects (singular R_xx) and NaN correlations give NaN weights."""
    singular = np.array([[1.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 0.5, 1.0]])
    undefined = np.array([[1.0, np.nan, 0.5], [np.nan, np.nan, np.nan], [0.5, np.nan, 1.0]])
    out = relative_weights(np.stack([singular, undefined]))
    assert np.isnan(out).all()


def test_batch_equals_one_by_one() -> None:
    """The batched computation equals separate calls."""
    rng = np.random.default_rng(3)
    batch = correlation_matrices(rng.normal(size=(5, 30, 4)))
    np.testing.assert_allclose(
        relative_weights(batch), np.stack([relative_weights(c) for c in batch]), rtol=1e-13
    )


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    """The same seed gives the same replicates; another seed different ones."""
    data = golden_complete()
    first = bootstrap(data, n_resamples=50, seed=11)
    again = bootstrap(data, n_resamples=50, seed=11)
    other = bootstrap(data, n_resamples=50, seed=12)
    np.testing.assert_array_equal(first.weights, again.weights)
    assert not np.array_equal(first.weights, other.weights)


def test_bootstrap_does_not_depend_on_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawing the replicates in small chunks gives the same replicates (to rounding)."""
    data = golden_complete()
    whole = bootstrap(data, n_resamples=40, seed=5)
    monkeypatch.setattr(_importance, "_CHUNK_VALUES", data.size * 3)
    chunked = bootstrap(data, n_resamples=40, seed=5)
    np.testing.assert_allclose(whole.weights, chunked.weights, rtol=1e-12)


def test_bootstrap_replicate_is_the_weights_of_a_resample() -> None:
    """Replicate 0 equals the weights of the rows the generator drew first."""
    data = golden_complete()
    rows = np.random.default_rng(9).integers(0, len(data), size=(1, len(data)))
    expected = relative_weights(correlation_matrices(data[rows[0]]))
    np.testing.assert_allclose(
        bootstrap(data, n_resamples=1, seed=9).weights[0], expected, rtol=1e-12
    )


def test_bootstrap_counts_failed_replicates() -> None:
    """Resamples in which an aspect is constant have no weights and are counted."""
    data = np.array([[1.0, 2.0, 3.0], [1.0, 3.0, 4.0], [1.0, 1.0, 9.0], [2.0, 2.0, 5.0]])
    boot = bootstrap(data, n_resamples=200, seed=0)
    failed = np.isnan(boot.weights).any(axis=1)
    assert boot.n_failed == int(failed.sum()) > 0
    assert np.isnan(boot.ranks[failed]).all()


def test_ranks_descending() -> None:
    """Rank 1 is the largest weight; rows with NaN get NaN ranks."""
    ranks = ranks_descending(np.array([[0.1, 0.3, 0.2], [0.1, np.nan, 0.2]]))
    assert ranks[0].tolist() == [3.0, 1.0, 2.0]
    assert np.isnan(ranks[1]).all()


def test_percentile_interval_ignores_failed_replicates() -> None:
    """NaN replicates are left out; all-NaN gives NaN limits."""
    values = np.array([[1.0], [2.0], [np.nan], [3.0], [4.0]])
    lower, upper = percentile_interval(values, 0.5)
    np.testing.assert_allclose([lower[0], upper[0]], np.quantile([1, 2, 3, 4], [0.25, 0.75]))
    lower, _ = percentile_interval(np.full((3, 2), np.nan), 0.95)
    assert np.isnan(lower).all()
