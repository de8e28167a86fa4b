"""Trimming passes (R ``trimWeights(strict = TRUE)``) worked by hand on small weights."""

from __future__ import annotations

import numpy as np
import pytest

from netpromoter.weighting import kernels

#: Ten weights of 1, two of 2.8 and one of 10, capped at 3: the first pass caps the 10
#: and shares 7 over the twelve others, which lifts the two 2.8s above 3; each later pass
#: caps what the previous share lifted above 3 (a weight on the cap takes a share too).
WEIGHTS = np.array([1.0] * 10 + [2.8, 2.8, 10.0])


def test_passes_end_with_the_three_largest_on_the_cap() -> None:
    """The fixed point by hand: three weights of 3, the ten others share 25.6 − 9."""
    got, passes, done = kernels.trim(WEIGHTS, upper=3.0, lower=0.0, max_iter=100)
    np.testing.assert_allclose(got, [1.66] * 10 + [3.0, 3.0, 3.0], rtol=1e-12)
    assert done
    assert 3 <= passes < 100
    assert got.sum() == pytest.approx(WEIGHTS.sum(), rel=1e-14)


def test_one_pass_allowed_is_not_enough_here() -> None:
    """Stopped after one pass, two weights are still above the cap: not converged."""
    got, passes, done = kernels.trim(WEIGHTS, upper=3.0, lower=0.0, max_iter=1)
    assert (passes, done) == (1, False)
    assert np.count_nonzero(got > 3.0) == 2


def test_weights_all_outside_the_bounds_cannot_be_trimmed() -> None:
    """Nothing inside the bounds can take the trimmed amount: not converged, unchanged."""
    got, passes, done = kernels.trim(np.ones(4), upper=3.0, lower=2.0, max_iter=100)
    assert (passes, done) == (0, False)
    assert got.tolist() == [1.0] * 4


def test_weights_one_rounding_step_above_the_cap_stop_on_it_in_one_pass() -> None:
    """Only rounding noise above the cap: one pass puts every weight on it."""
    w = np.full(3, 171.63459083413971)
    cap = float(np.nextafter(w[0], 0.0))
    got, passes, done = kernels.trim(w, upper=cap, lower=0.0, max_iter=100)
    assert (passes, done) == (1, True)
    assert got.tolist() == [cap] * 3
