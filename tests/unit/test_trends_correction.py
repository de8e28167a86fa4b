"""trend(correction=...): verdicts on p-values adjusted over every comparison of the table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from netpromoter import trends
from netpromoter.exceptions import InvalidParameterError

MONTHS = np.array([f"2025-{m:02d}-15" for m in range(1, 13)] + ["2026-01-15"], "datetime64[D]")
REGIONS = np.array(list("abcdefgh"))
SCORES = np.array([3, 7, 10])


def _table(rng: np.random.Generator, n_cell: int = 40, drop: float = 0.0) -> dict[str, Any]:
    """8 regions × 13 months, every cell drawn from one profile: nothing changes."""
    cells = len(REGIONS) * len(MONTHS)
    category = rng.choice(3, size=cells * n_cell, p=[0.25, 0.3, 0.45])
    keep = rng.random(cells * n_cell) >= drop
    return {
        "score": SCORES[category][keep],
        "region": np.repeat(np.tile(REGIONS, len(MONTHS)), n_cell)[keep],
        "submitted_at": np.repeat(np.repeat(MONTHS, len(REGIONS)), n_cell)[keep],
    }


def _changes(result: trends.TrendResult) -> list[trends.Change]:
    rows = [*result.rows, *result.overall]
    return [c for r in rows for c in (r.vs_previous, r.vs_year_ago) if c is not None]


def _holm(p: list[float]) -> list[float]:
    """Holm's step-down adjustment by its definition, one p-value at a time."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def test_p_values_are_adjusted_over_every_comparison_with_a_verdict() -> None:
    """Both kinds of change, every segment series and the overall one form one family."""
    rng = np.random.default_rng(3)
    data = _table(rng, n_cell=35, drop=0.2)  # some cells fall under min_n = 30
    result = trends.trend(data, by="region")
    changes = _changes(result)
    family = [c for c in changes if c.verdict != "not enough data"]
    assert 0 < len(family) < len(changes)
    assert result.n_comparisons == len(family)
    expected = _holm([c.p_value for c in family])  # type: ignore[misc]
    assert [c.p_adjusted for c in family] == pytest.approx(expected, rel=1e-12)
    for change in family:
        assert change.p_value is not None
        assert change.p_adjusted is not None
        assert change.p_adjusted >= change.p_value
        significant = change.verdict.startswith("significant")
        assert significant == (change.p_adjusted < result.alpha)
    assert all(c.p_adjusted is None for c in changes if c.verdict == "not enough data")


def test_verdicts_come_from_the_adjusted_p_values() -> None:
    """A change significant on its own is not called so once 117 comparisons are counted."""
    rng = np.random.default_rng(11)
    data = _table(rng)
    raw = trends.trend(data, by="region", correction="none")
    held = trends.trend(data, by="region")
    pairs = list(zip(_changes(raw), _changes(held), strict=True))
    alone = [(a, b) for a, b in pairs if a.verdict.startswith("significant")]
    assert alone
    for a, b in alone:
        assert a.p_value == b.p_value
        assert a.p_adjusted == a.p_value
        assert b.verdict == "no significant change"


def test_benjamini_hochberg_on_request() -> None:
    """correction='bh' adjusts the same family by Benjamini–Hochberg."""
    rng = np.random.default_rng(5)
    result = trends.trend(_table(rng), by="region", correction="bh")
    family = [c for c in _changes(result) if c.verdict != "not enough data"]
    p = np.array([c.p_value for c in family])
    order = np.argsort(p)
    m = len(p)
    bh = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    expected = np.empty(m)
    expected[order] = np.minimum(bh, 1.0)
    assert [c.p_adjusted for c in family] == pytest.approx(expected.tolist(), rel=1e-12)


def test_caption_and_exports_say_what_was_adjusted() -> None:
    """The caption names the correction and the family size; exports keep both p-values."""
    rng = np.random.default_rng(2)
    data = _table(rng, n_cell=30)
    result = trends.trend(data, by="region")
    assert "p adjusted (holm) over 117 comparisons" in repr(result)
    assert "p_adjusted" in repr(result).splitlines()[1]
    none = trends.trend(data, by="region", correction="none")
    assert "p not adjusted for multiple comparisons" in repr(none)
    row = result.to_dicts()[1]
    assert {"vs_previous_p_value", "vs_previous_p_adjusted", "vs_year_ago_p_adjusted"} <= set(row)
    with pytest.raises(InvalidParameterError, match="correction must be one of"):
        trends.trend(data, correction="bonferroni")  # type: ignore[arg-type]


def test_transitions_are_adjusted_among_themselves() -> None:
    """Each transition table's paired p-value gets a Holm-adjusted one beside it."""
    rng = np.random.default_rng(9)
    people = np.arange(50)
    data = {
        "score": rng.choice([2, 8, 10], size=200),
        "who": np.tile(people, 4),
        "submitted_at": np.repeat(MONTHS[:4], 50),
    }
    result = trends.trend(data, respondent="who", min_n=1)
    p = [t.p_value for t in result.transitions]
    assert len(p) == 3
    assert [t.p_adjusted for t in result.transitions] == pytest.approx(_holm(p))  # type: ignore[arg-type]


# --- family-wise error by simulation --------------------------------------------------
#
# 1,000 tables of 8 regions × 13 months, 40 answers per cell, all from one profile:
# 117 comparisons each (12 months against the previous and one against a year before, in
# 8 regions and overall). The family-wise error is the share of tables with at least one
# "significant" verdict; its Monte Carlo SE near 0.05 is sqrt(0.05 · 0.95 / 1000) =
# 0.0069. benchmarks/size.py runs 10,000 tables.

TABLES = 1_000


def test_holm_keeps_the_family_wise_error_of_a_trend_table_under_alpha() -> None:
    """No change anywhere: at most 5 % of tables get any "significant" verdict."""
    rng = np.random.default_rng(2026)
    any_held = any_raw = 0
    for _ in range(TABLES):
        data = _table(rng)
        held = trends.trend(data, by="region")
        any_held += any(c.verdict.startswith("significant") for c in _changes(held))
        p_raw = [c.p_value for c in _changes(held) if c.p_value is not None]
        any_raw += min(p_raw) < held.alpha
    assert any_held / TABLES <= 0.05
    # Without the correction nearly every such table shows a "significant" change.
    assert any_raw / TABLES > 0.9
