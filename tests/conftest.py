"""Small named fixtures shared by the tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings
from numpy.typing import NDArray

# Property tests check invariants, not speed: on a loaded two-core machine a single example
# may take longer than hypothesis' default 200 ms deadline, which is not a failure.
settings.register_profile("netpromoter", deadline=None)
settings.load_profile("netpromoter")


@pytest.fixture
def mixed() -> list[int]:
    """Ten answers: five promoters, two passives, three detractors (NPS +20)."""
    return [10, 9, 9, 8, 7, 6, 3, 10, 9, 5]


@pytest.fixture
def all_promoters() -> list[int]:
    """Twenty promoters."""
    return [9, 10] * 10


@pytest.fixture
def big_int8() -> NDArray[np.int8]:
    """A million random int8 scores (odd length, to exercise the tail of the kernel)."""
    return np.random.default_rng(7).integers(0, 11, 1_000_003, dtype=np.int8)
