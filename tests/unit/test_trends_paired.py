"""The change test with returning respondents: its variance, and its size by simulation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from netpromoter import trends
from reference import t_margin

SCORES = np.array([3, 7, 10])  # a detractor, a passive and a promoter score
VALUE = np.array([-1.0, 0.0, 1.0])


def _panel(before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    """The same respondents, one answer each in January and in February."""
    m = len(before)
    return {
        "score": np.r_[SCORES[before], SCORES[after]],
        "who": np.r_[np.arange(m), np.arange(m)],
        "submitted_at": np.array(["2026-01-10T00:00Z"] * m + ["2026-02-10T00:00Z"] * m),
    }


def _adjusted_paired_se(before: np.ndarray, after: np.ndarray) -> float:
    """The adjusted Wald SE of a paired change, respondent by respondent.

    Each period gets 0.75 / 1.5 / 0.75 pseudo-responses of its own; with adjusted means
    ``ȳ = Σ s / (m + 3)``, the variance is the sum of the squared per-respondent
    differences of the centred values plus each period's pseudo-responses' squares,
    all over ``(m + 3)²``.
    """
    m = len(before)
    s_a, s_b = VALUE[before], VALUE[after]
    mean_a, mean_b = s_a.sum() / (m + 3), s_b.sum() / (m + 3)
    real = float(np.sum(((s_b - mean_b) - (s_a - mean_a)) ** 2))
    pseudo = sum(
        c * ((v - mean) ** 2)
        for mean in (mean_a, mean_b)
        for c, v in zip((0.75, 1.5, 0.75), VALUE, strict=True)
    )
    return 100.0 * math.sqrt(real + pseudo) / (m + 3)


def test_adjusted_paired_variance_is_the_per_respondent_differences() -> None:
    """Adjusted Wald: SE from per-respondent differences plus the pseudo-responses."""
    rng = np.random.default_rng(4)
    before = rng.choice(3, size=40, p=[0.2, 0.3, 0.5])
    after = np.where(rng.random(40) < 0.8, before, rng.choice(3, size=40))
    result = trends.trend(_panel(before, after), respondent="who", min_n=1)
    change = result[1].vs_previous
    (transition,) = result.transitions
    expected = _adjusted_paired_se(before, after)
    assert change is not None
    assert change.se == pytest.approx(expected, rel=1e-12)
    assert transition.se == pytest.approx(expected, rel=1e-12)
    # The centre is the difference of the adjusted estimates: Σ s / (m + 3) each.
    centre = 100.0 * (VALUE[after].sum() - VALUE[before].sum()) / 43
    assert change.ci is not None
    assert change.df is not None
    # (half-width from scipy's t with the reported degrees of freedom)
    margin = t_margin(expected, change.df)
    lower, upper = centre - margin, centre + margin
    delta = float(change.delta or 0.0)
    assert change.ci == pytest.approx((min(lower, delta), max(upper, delta)), rel=1e-9)


def test_everyone_moving_up_one_category_is_not_known_exactly() -> None:
    """All passives becoming promoters: a positive SE and an interval holding +100."""
    before, after = np.full(12, 1), np.full(12, 2)
    result = trends.trend(_panel(before, after), respondent="who", min_n=1)
    change = result[1].vs_previous
    assert change is not None
    assert change.delta == 100.0
    assert change.se == pytest.approx(_adjusted_paired_se(before, after), rel=1e-12)
    assert change.ci is not None
    assert change.ci[0] < change.ci[1]
    assert change.ci[0] <= 100.0 <= change.ci[1]
    assert change.p_value is not None
    assert change.p_value > 0.0


def test_nobody_changing_gives_no_evidence_of_change() -> None:
    """A panel whose every respondent keeps the score: delta 0, p = 1, a positive SE."""
    rng = np.random.default_rng(8)
    before = rng.choice(3, size=30)
    result = trends.trend(_panel(before, before), respondent="who", min_n=1)
    change = result[1].vs_previous
    assert change is not None
    assert (change.delta, change.p_value) == (0.0, 1.0)
    assert change.se is not None
    assert change.se > 0.0


@pytest.mark.filterwarnings("ignore::netpromoter.exceptions.FirstTimeRespondentWarning")
def test_adjusted_covariance_keeps_the_variance_positive() -> None:
    """Weighted, rolling: Var = V_a + V_b − 2 cov exceeds (√V_a − √V_b)² (Cauchy–Schwarz)."""
    rng = np.random.default_rng(12)
    n = 600
    data = {
        "score": rng.choice([0, 5, 7, 8, 9, 10], size=n),
        "who": rng.integers(0, 90, n),
        "w": rng.lognormal(0.0, 0.8, n),
        "submitted_at": np.array([f"2026-{m:02d}-10T00:00Z" for m in rng.integers(1, 9, n)]),
    }
    result = trends.trend(data, respondent="who", weights="w", rolling=2, min_n=1)
    changes = [r.vs_previous for r in result if r.vs_previous and r.vs_previous.se is not None]
    assert changes
    for change in changes:
        assert change.n_overlap > 0
        assert change.se is not None
        assert change.se > 0.0


# --- size of the paired test by simulation -----------------------------------------
#
# Worlds with no change at all: each of m respondents answers in January from the
# profile, and in February keeps that category with probability `keep` or answers
# afresh from the same profile, so both months have the same distribution. All worlds
# of a cell go through one trend() call as segments (`by="world"`), each segment's
# change being its own paired test. REPLICATES worlds per cell give a Monte Carlo SE of
# sqrt(0.05 · 0.95 / 2000) = 0.0049 for a rejection rate near 0.05; the margin allowed
# above 0.05 is 0.025, over 5 of those SEs. The full table (more profiles and sizes,
# 10,000 worlds per cell) is printed by benchmarks/size.py.

REPLICATES = 2_000
PROFILES = ((0.2, 0.3, 0.5), (0.45, 0.1, 0.45), (0.05, 0.15, 0.8))
KEEP = (0.0, 0.7, 0.9, 0.97)
LIMIT = 0.075


def _worlds(rng: np.random.Generator, m: int, keep: float, p: tuple[float, ...]) -> Any:
    before = rng.choice(3, size=(REPLICATES, m), p=p)
    fresh = rng.choice(3, size=(REPLICATES, m), p=p)
    after = np.where(rng.random((REPLICATES, m)) < keep, before, fresh)
    who = np.arange(REPLICATES * m)
    world = np.repeat(np.arange(REPLICATES), m)
    size = REPLICATES * m
    return {
        "score": np.r_[SCORES[before.ravel()], SCORES[after.ravel()]],
        "who": np.r_[who, who],
        "world": np.r_[world, world],
        "submitted_at": np.repeat(np.array(["2026-01-10", "2026-02-10"], "datetime64[D]"), size),
    }


@pytest.mark.parametrize("m", [30, 60])
def test_paired_change_test_holds_its_size(m: int) -> None:
    """No change: rejected at most 7.5 % of the time at alpha 0.05, whatever keeps its score."""
    rng = np.random.default_rng(2026 + m)
    rates = {}
    for p in PROFILES:
        for keep in KEEP:
            data = _worlds(rng, m, keep, p)
            for method in ("adjusted_wald", "wald"):
                result = trends.trend(
                    data, by="world", respondent="who", method=method, correction="none", min_n=1
                )
                p_values = [r.vs_previous.p_value for r in result if r.vs_previous]
                assert len(p_values) == REPLICATES
                rates[method, p, keep] = float(np.mean(np.array(p_values) < 0.05))
    assert max(rates.values()) <= LIMIT, rates


def _transition_worlds(rng: np.random.Generator, m: int, keep: float) -> dict[str, Any]:
    """World k answers on days 2k and 2k + 1: one transition table per world."""
    worlds = REPLICATES // 5
    p = (0.45, 0.1, 0.45)
    before = rng.choice(3, size=(worlds, m), p=p)
    after = np.where(rng.random((worlds, m)) < keep, before, rng.choice(3, size=(worlds, m), p=p))
    day = np.datetime64("2020-01-01") + np.arange(worlds) * np.timedelta64(2, "D")
    return {
        "score": np.r_[SCORES[before.ravel()], SCORES[after.ravel()]],
        "who": np.r_[np.arange(worlds * m), np.arange(worlds * m)],
        "submitted_at": np.r_[np.repeat(day, m), np.repeat(day + np.timedelta64(1, "D"), m)],
    }


@pytest.mark.filterwarnings("ignore::netpromoter.exceptions.FirstTimeRespondentWarning")
@pytest.mark.parametrize("keep", [0.0, 0.7, 0.9])
def test_transition_test_holds_its_size(keep: float) -> None:
    """The paired test of each transition table rejects at most 7.5 % under no change.

    400 tables per share kept (Monte Carlo SE 0.011 near 0.05; the full simulation is
    in benchmarks/size.py).
    """
    rng = np.random.default_rng(int(keep * 100))
    data = _transition_worlds(rng, 30, keep)
    result = trends.trend(data, period="day", respondent="who", correction="none", min_n=1)
    p_values = np.array([t.p_value for t in result.transitions if t.n])
    assert len(p_values) == REPLICATES // 5
    assert float(np.mean(p_values < 0.05)) <= LIMIT
