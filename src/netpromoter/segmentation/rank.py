"""Fair ranking of agents (or any small units) by an empirical-Bayes shrunken NPS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ConfigDict

from netpromoter import _stats
from netpromoter._model import Model
from netpromoter._tables import html_table, text_table
from netpromoter._validation import (
    check_int,
)
from netpromoter.exceptions import (
    EmptyDataError,
)
from netpromoter.segmentation.rows import _REPR_ROWS, _fmt, _keys, _to_pandas, _to_polars, _trusted
from netpromoter.segmentation.table import SegmentCounts

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from netpromoter._validation import MissingPolicy


#: Most posterior draws per unit in ``rank`` (their Monte Carlo error is then 0.0002).
MAX_DRAWS = 10**7


def _weight(alpha: float) -> str:
    """A concentration for display: three significant digits, whole numbers from 100 on."""
    return f"{alpha:,.0f}" if alpha >= 100 else f"{alpha:.3g}"  # noqa: PLR2004


class RankRow(Model):
    """One agent (or unit) in a fair ranking.

    Attributes:
        key: The unit's label for each ``by`` column.
        rank: 1 for the highest shrunken NPS.
        n: Number of responses.
        nps: The raw NPS.
        shrunken_nps: Posterior mean NPS, pulled toward the overall NPS.
        credible_interval: Equal-tailed posterior interval of the NPS.
        prob_above: Posterior probability that the unit's NPS exceeds the overall NPS.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: tuple[Any, ...]
    rank: int
    n: int
    nps: float
    shrunken_nps: float
    credible_interval: tuple[float, float]
    prob_above: float


class RankResult(Model):
    """Units ranked by their shrunken NPS, with the fitted prior.

    Attributes:
        by: The key column names.
        rows: Units from best to worst shrunken NPS.
        overall_nps: The NPS of all responses (weighted when weighted): the prior's mean.
        prior_shares: Overall detractor, passive, promoter shares: the prior's mean.
        prior_concentration: Posterior median of the prior concentration ``α``, in
            pseudo-responses: a unit with ``n`` responses keeps about ``n / (n + α)``
            of the weight on its own data.
        credible_level: Probability inside each credible interval.
        weighted: Whether weights were used (as Kish effective counts).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: tuple[str, ...]
    rows: tuple[RankRow, ...]
    overall_nps: float
    prior_shares: tuple[float, float, float]
    prior_concentration: float
    credible_level: float
    weighted: bool

    def __iter__(self) -> Iterator[RankRow]:  # type: ignore[override]
        """Iterate over the ranked rows, best first."""
        return iter(self.rows)

    def __len__(self) -> int:
        """Number of units."""
        return len(self.rows)

    def __getitem__(self, index: int) -> RankRow:
        """The row at a position (0 is the best)."""
        return self.rows[index]

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dictionary per unit: key columns, then the statistics."""
        out = []
        for r in self.rows:
            row: dict[str, Any] = dict(zip(self.by, r.key, strict=True))
            row.update(r.model_dump(exclude={"key", "credible_interval"}))
            row["credible_lower"], row["credible_upper"] = r.credible_interval
            out.append(row)
        return out

    def to_pandas(self) -> Any:  # noqa: ANN401 - optional dependency
        """The ranking as a pandas DataFrame (needs pandas)."""
        return _to_pandas(self.to_dicts())

    def to_polars(self) -> Any:  # noqa: ANN401 - optional dependency
        """The ranking as a polars DataFrame (needs polars)."""
        return _to_polars(self.to_dicts())

    def _cells(self, limit: int) -> tuple[list[str], list[list[str]]]:
        header = ["rank", *self.by, "n", "nps", "shrunken", "credible", "P(above)"]
        cells = [
            [
                str(r.rank),
                *(str(k) for k in r.key),
                f"{r.n:,}",
                _fmt(r.nps),
                _fmt(r.shrunken_nps),
                f"[{_fmt(r.credible_interval[0])}, {_fmt(r.credible_interval[1])}]",
                f"{r.prob_above:.2f}",
            ]
            for r in self.rows[:limit]
        ]
        return header, cells

    def _caption(self) -> str:
        return (
            f"{len(self.rows)} units by shrunken NPS (overall {self.overall_nps:+.1f}, "
            f"prior weight α ≈ {_weight(self.prior_concentration)} responses)"
        )

    def __repr__(self) -> str:
        """The caption and the top rows as a text table."""
        header, cells = self._cells(_REPR_ROWS)
        more = len(self.rows) - _REPR_ROWS
        tail = f"\n... {more} more" if more > 0 else ""
        return f"RankResult({self._caption()})\n{text_table(header, cells)}{tail}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        header, cells = self._cells(len(self.rows))
        return html_table(header, cells, caption=self._caption())


def rank(
    data: object,
    by: str | Sequence[str] = "agent",
    *,
    score: str = "score",
    weights: object = None,
    missing: MissingPolicy = "raise",
    credible_level: float = 0.95,
    draws: int = 4_000,
    seed: int = 0,
) -> RankResult:
    """Rank agents fairly: NPS shrunk toward the overall by an empirical-Bayes prior.

    Model: the detractor/passive/promoter shares ``θ_g`` of unit ``g`` are drawn from a
    Dirichlet prior with mean ``m`` and concentration ``α``; the unit's category counts
    are multinomial given ``θ_g``. Both are uncertain, and both are integrated over
    (see [`shrink`][netpromoter._stats.shrink]): ``α`` over a grid, weighted by the
    Dirichlet–multinomial likelihood of all units' counts and a prior flat in the
    between-unit spread (large ``α`` when units differ little, small when they differ a
    lot, and every value the data cannot rule out kept), ``m`` around the overall shares
    with the uncertainty of an estimate from units that differ as ``α`` says. So when
    agents are nearly alike their intervals still hold the small differences the data
    cannot exclude, and the uncertainty of the overall NPS itself. The shrunken NPS is
    ``Σ_α p(α) (w · raw_g + (1 − w) · overall)`` with ``w = n_g / (n_g + α)``; credible
    intervals and ``P(NPS_g > overall)`` come from seeded posterior draws. With weights,
    each unit's category sums are rescaled to its Kish effective size and the prior's
    mean is the weighted overall shares (its NPS is the weighted NPS).

    In a team where eight agents score +30 on 50 answers each, an agent with 3 promoters
    out of 3 (raw +100) is therefore not ranked above one at +44 on 50 answers: three
    answers barely move it off the overall. Where agents differ a lot, they are shrunk
    less, and a few answers count for more.

    Args:
        data: As for [`segment`][netpromoter.segmentation.segment].
        by: The unit column(s), e.g. ``"agent"``.
        score: The score column.
        weights: As for ``segment``.
        missing: ``"raise"`` or ``"drop"`` for missing scores.
        credible_level: Probability inside each credible interval.
        draws: Posterior draws per unit for the interval and probability: the Monte
            Carlo error of ``prob_above`` is at most ``0.5 / sqrt(draws)`` (0.008 at the
            default); the cost grows with units × draws (about 0.4 s per 1,000 units at
            the default).
        seed: Random seed of the draws (results are reproducible).

    Returns:
        The units from best to worst shrunken NPS.

    Raises:
        ColumnNotFoundError: A named column does not exist.
        InvalidParameterError: An option is out of range.
        EmptyDataError: There are no scores.

    Examples:
        >>> team = [10] * 25 + [8] * 15 + [3] * 10  # +30 on 50 answers
        >>> data = {
        ...     "score": team * 8 + [10] * 30 + [8] * 12 + [3] * 8 + [10] * 3,
        ...     "agent": [f"a{i}" for i in range(8) for _ in team] + ["bob"] * 50 + ["ann"] * 3,
        ... }
        >>> [row.key[0] for row in rank(data, "agent")][:3]
        ['bob', 'ann', 'a0']
    """
    keys = _keys(by)
    _stats.z_value(credible_level)
    check_int(draws, "draws", minimum=100, maximum=MAX_DRAWS)
    check_int(seed, "seed", minimum=0)
    counts = SegmentCounts.from_data(data, keys, score=score, weights=weights, missing=missing)
    counted = counts.to_tally()
    n = counted.count.sum(axis=1)
    if n.sum() == 0:
        msg = "no scores to rank; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    weighted_sums = _stats.by_category(counted.sum_w)
    categories = weighted_sums
    if counts.weighted:
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = _stats.effective_n(counted) / weighted_sums.sum(axis=1)
        categories = weighted_sums * np.nan_to_num(scale)[:, None]
    # The prior's mean is the overall (weighted) shares, so its NPS is the overall NPS.
    pooled = weighted_sums.sum(axis=0)
    mean = pooled / pooled.sum()
    overall_nps = float(_stats.nps_of(pooled))
    post = _stats.shrink(
        categories,
        mean,
        reference=overall_nps,
        credible_level=credible_level,
        draws=draws,
        seed=seed,
    )
    raw = _stats.nps_of(categories)
    order = np.argsort(-post.nps, kind="stable")
    rows = tuple(
        _trusted(
            RankRow,
            {
                "key": counts.levels[g],
                "rank": position + 1,
                "n": int(n[g]),
                "nps": float(raw[g]),
                "shrunken_nps": float(post.nps[g]),
                "credible_interval": (float(post.lower[g]), float(post.upper[g])),
                "prob_above": float(post.prob_above[g]),
            },
        )
        for position, g in enumerate(order.tolist())
    )
    return RankResult(
        by=keys,
        rows=rows,
        overall_nps=overall_nps,
        prior_shares=(float(mean[0]), float(mean[1]), float(mean[2])),
        prior_concentration=post.concentration,
        credible_level=credible_level,
        weighted=counts.weighted,
    )
