"""segment() against an independent pandas computation, row by row.

The reference works on the rows themselves (pandas groupby, boolean masks, per-row
residuals), not on tallies: shares, NPS, Wald and adjusted-Wald (Rocks 2016) SEs, the
weighted Taylor-linearisation SE (as R ``survey::svymean`` with ``ids = ~1``) and the
design-based effective size the weighted adjusted Wald interval works with, the
segment-versus-rest z test and Holm's correction written out as a loop.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest

from netpromoter import segment

pd = pytest.importorskip("pandas")
Frame = Any  # a pandas DataFrame (pandas is optional, so not imported for typing)

Z95 = NormalDist().inv_cdf(0.975)


def _frame() -> Frame:
    rng = np.random.default_rng(2024)
    n = 3000
    names = np.array(["north", "south", "east", "west", None], dtype=object)
    region = rng.choice(names, n, p=[0.3, 0.3, 0.2, 0.19, 0.01])
    tier = rng.choice(["b2b", "b2c"], n)
    # Scores depend on the region so that some segments really differ.
    shift = pd.Series(region).map({"north": 2, "south": 0, "east": -1, "west": 0}).fillna(0)
    scores = np.clip(rng.integers(3, 11, n) + shift.to_numpy().astype(int), 0, 10)
    return pd.DataFrame(
        {
            "score": scores.astype(np.int8),
            "region": region,
            "tier": tier,
            "w": rng.uniform(0.2, 3.0, n),
        }
    )


def _values(frame: Frame) -> Any:
    return np.where(frame["score"] >= 9, 1.0, np.where(frame["score"] <= 6, -1.0, 0.0))


def _stats(part: Frame, *, weighted: bool, method: str) -> tuple[float, float, float]:
    """(raw NPS, centre of the method's interval, SE), from the rows."""
    s = _values(part)
    w = part["w"].to_numpy() if weighted else np.ones(len(part))
    total = w.sum()
    mean = float((w * s).sum() / total)
    p_pro = float(w[s == 1].sum() / total)
    p_det = float(w[s == -1].sum() / total)
    n = len(part)
    if method == "wald":
        if weighted:
            resid = s - mean
            se = 100 * math.sqrt(n / (n - 1) * float((w**2 * resid**2).sum())) / total
        else:
            se = 100 * math.sqrt((p_pro + p_det - (p_pro - p_det) ** 2) / n)
        return 100 * mean, 100 * mean, se
    size = float(n)
    if weighted:
        # Design-based effective size (Korn & Graubard 1998): the simple-random-sample
        # size with the linearisation variance; Kish's size where that is undefined.
        resid = s - mean
        lin_var = n / (n - 1) * float((w**2 * resid**2).sum()) / total**2
        v = p_pro + p_det - (p_pro - p_det) ** 2
        size = v / lin_var if v > 0 and lin_var > 0 else total**2 / float((w**2).sum())
    a_pro = (p_pro * size + 0.75) / (size + 3)
    a_det = (p_det * size + 0.75) / (size + 3)
    centre = 100 * (a_pro - a_det)
    se = 100 * math.sqrt((a_pro + a_det - (a_pro - a_det) ** 2) / (size + 3))
    return 100 * mean, centre, se


def _holm(p: list[float]) -> list[float]:
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("method", ["wald", "adjusted_wald"])
def test_segment_matches_pandas(weighted: bool, method: str) -> None:
    """Every row's counts, NPS, SE, interval and Holm p-value match pandas."""
    frame = _frame()
    result = segment(
        frame,
        ["region", "tier"],
        weights="w" if weighted else None,
        method=method,  # type: ignore[arg-type]
    )
    keyed = frame.assign(region=frame["region"].fillna("(missing)"))
    groups = dict(list(keyed.groupby(["region", "tier"], sort=True)))
    rows = {row.key: row for row in result}
    assert set(rows) == set(groups)
    p_values = []
    for key, part in groups.items():
        row = rows[key]
        nps, centre, se = _stats(part, weighted=weighted, method=method)
        rest = keyed.drop(part.index)
        _, rest_centre, rest_se = _stats(rest, weighted=weighted, method=method)
        z = (centre - rest_centre) / math.hypot(se, rest_se)
        p = math.erfc(abs(z) / math.sqrt(2))
        p_values.append(p)
        assert row.n == len(part)
        assert row.nps == pytest.approx(nps, rel=1e-12, abs=1e-12)
        assert row.se == pytest.approx(se, rel=1e-12)
        assert row.ci[0] == pytest.approx(max(-100, centre - Z95 * se), rel=1e-12)
        assert row.ci[1] == pytest.approx(min(100, centre + Z95 * se), rel=1e-12)
        assert row.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
        assert row.small_sample == (len(part) < 30)
    expected = dict(zip(groups, _holm(p_values), strict=True))
    for key, row in rows.items():
        assert row.p_adjusted == pytest.approx(expected[key], rel=1e-9, abs=1e-300)


def test_pandas_groupby_counts() -> None:
    """Category counts per segment equal pandas' crosstab, missing region included."""
    frame = _frame()
    result = segment(frame, "region")
    category = np.where(frame["score"] >= 9, "P", np.where(frame["score"] <= 6, "D", "N"))
    table = pd.crosstab(frame["region"].fillna("(missing)"), category)
    for row in result:
        counts = table.loc[row.key[0]]
        assert (row.detractors, row.passives, row.promoters) == (
            counts["D"],
            counts["N"],
            counts["P"],
        )
