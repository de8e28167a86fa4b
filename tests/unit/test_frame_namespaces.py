# mypy: disable-error-code="attr-defined"
"""``.nps`` on pandas and polars frames and polars expressions: the functions' numbers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

import netpromoter as nps
import netpromoter.pandas
import netpromoter.polars

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
N = 90
COLUMNS: dict[str, list[Any]] = {
    "score": [(i * 7 + i // 4) % 11 for i in range(N)],
    "region": [["north", "south", "east"][(i * 5) % 3] for i in range(N)],
    "submitted_at": [START + timedelta(days=i) for i in range(N)],
}


def _by_hand(scores: list[int]) -> tuple[float, float]:
    """NPS and Wald SE from counts (independent of the library)."""
    x = np.asarray(scores)
    p, d = float(np.mean(x >= 9)), float(np.mean(x <= 6))
    return 100 * (p - d), 100 * math.sqrt((p + d - (p - d) ** 2) / len(x))


def test_pandas_accessor_gives_the_functions_results() -> None:
    """``df.nps.score()``/``segment``/``trend`` equal the functions on the same frame."""
    df = pd.DataFrame(COLUMNS)
    assert netpromoter.pandas.FrameNamespace is type(df.nps)
    assert df.nps.score() == nps.score(df)
    assert (
        df.nps.segment("region", min_n=5).to_dicts()
        == nps.segment(df, "region", min_n=5).to_dicts()
    )
    assert (
        df.nps.trend(period="month", min_n=1).to_dicts()
        == nps.trend(df, period="month", min_n=1).to_dicts()
    )
    assert (
        df.nps.rank("region", draws=200).to_dicts() == nps.rank(df, "region", draws=200).to_dicts()
    )


def test_polars_frame_namespace_gives_the_functions_results() -> None:
    """``df.nps`` on eager and lazy polars frames equals the functions."""
    df = pl.DataFrame(COLUMNS)
    assert df.nps.score() == nps.score(df)
    assert df.lazy().nps.segment("region").to_dicts() == nps.segment(df, "region").to_dicts()


def test_polars_expressions_in_group_by_match_segment_and_hand_counts() -> None:
    """``pl.col("score").nps`` per group: the segment table's NPS and the Wald SE."""
    df = pl.DataFrame(COLUMNS)
    out = df.group_by("region").agg(
        pl.col("score").nps.nps(),
        pl.col("score").nps.se(),
        pl.col("score").nps.n().alias("n"),
        pl.col("score").nps.promoter_share().alias("p"),
        pl.col("score").nps.passive_share().alias("m"),
        pl.col("score").nps.detractor_share().alias("d"),
    )
    segments = {row.key[0]: row for row in nps.segment(df, "region", method="wald")}
    assert out.height == len(segments)
    for region, value, se, n, p, m, d in out.rows():
        scores = [
            s for s, r in zip(COLUMNS["score"], COLUMNS["region"], strict=True) if r == region
        ]
        hand_nps, hand_se = _by_hand(scores)
        assert value == pytest.approx(segments[region].nps, abs=1e-12)
        assert value == pytest.approx(hand_nps, abs=1e-12)
        assert se == pytest.approx(segments[region].se, rel=1e-12)
        assert se == pytest.approx(hand_se, rel=1e-12)
        assert n == segments[region].n
        assert (p, m, d) == pytest.approx(
            (
                segments[region].promoter_share,
                segments[region].passive_share,
                segments[region].detractor_share,
            ),
            abs=1e-15,
        )


def test_polars_expressions_in_group_by_dynamic_match_the_monthly_trend() -> None:
    """Monthly windows of ``group_by_dynamic`` give the trend's monthly NPS."""
    df = pl.DataFrame(COLUMNS)
    monthly = (
        df.sort("submitted_at")
        .group_by_dynamic("submitted_at", every="1mo")
        .agg(pl.col("score").nps.nps(), pl.col("score").nps.n().alias("n"))
    )
    rows = nps.trend(df, period="month", min_n=1).overall
    assert monthly["n"].to_list() == [r.n for r in rows]
    assert monthly["nps"].to_list() == pytest.approx([r.nps for r in rows], abs=1e-12)


def test_polars_expressions_leave_out_null_scores() -> None:
    """A null score is left out, as ``missing="drop"`` does."""
    df = pl.DataFrame({"score": [10, None, 3, 9]})
    got = df.select(pl.col("score").nps.nps(), pl.col("score").nps.n().alias("n")).row(0)
    expected = nps.score([10, None, 3, 9], missing="drop")
    assert got == (pytest.approx(expected.nps, abs=1e-12), expected.n)
