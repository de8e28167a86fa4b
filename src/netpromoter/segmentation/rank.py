"""Fair ranking of agents (or any small units) by an empirical-Bayes shrunken NPS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from netpromoter import _stats, _svg
from netpromoter._model import Model
from netpromoter._results import Column, ConfidenceInterval, TableResult
from netpromoter._results import format as fmt
from netpromoter._results.chart import DEFAULT_ROWS, Chart, first_rows, forest, key_label
from netpromoter._validation import check_int
from netpromoter.exceptions import EmptyDataError
from netpromoter.segmentation.rows import _keys, _trusted
from netpromoter.segmentation.table import read

if TYPE_CHECKING:
    from collections.abc import Sequence

    from netpromoter._validation import MissingPolicy


#: Most posterior draws per unit in ``rank`` (their Monte Carlo error is then 0.0002).
MAX_DRAWS = 10**7
#: Shrunken NPS closer than this (in points) rank as ties, in label order.
TIE = 1e-6


def _weight(alpha: float) -> str:
    """A concentration for display: three significant digits, whole numbers from 100 on."""
    return f"{alpha:,.0f}" if alpha >= 100 else f"{alpha:.3g}"  # noqa: PLR2004


class RankRow(Model):
    """One agent (or unit) in a fair ranking.

    Attributes:
        key: The unit's label for each ``by`` column.
        rank: 1 for the highest shrunken NPS (units within ``1e-6`` points of each other
            are tied, and ranked in label order).
        n: Number of responses.
        nps: The raw NPS.
        shrunken_nps: Posterior mean NPS, pulled toward the overall NPS.
        credible_interval: Equal-tailed posterior interval of the NPS.
        prob_above: Posterior probability that the unit's NPS exceeds the overall NPS.
    """

    key: tuple[Any, ...]
    rank: int
    n: int
    nps: float
    shrunken_nps: float
    credible_interval: ConfidenceInterval
    prob_above: float


class RankResult(TableResult[RankRow]):
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

    COLUMNS: ClassVar[tuple[Column[RankRow], ...]] = (
        Column("rank", lambda r: str(r.rank)),
        Column("n", lambda r: fmt.count(r.n)),
        Column("nps", lambda r: fmt.signed(r.nps)),
        Column("shrunken", lambda r: fmt.signed(r.shrunken_nps)),
        Column("credible", lambda r: fmt.interval(r.credible_interval)),
        Column("P(above)", lambda r: fmt.number(r.prob_above, 2)),
    )
    INTERVALS: ClassVar[dict[str, str]] = {"credible_interval": "credible"}

    by: tuple[str, ...]
    overall_nps: float
    prior_shares: tuple[float, float, float]
    prior_concentration: float
    credible_level: float
    weighted: bool

    def plot(self, *, max_rows: int = DEFAULT_ROWS) -> Chart:
        """Each unit's shrunken NPS with its credible interval, best first.

        Args:
            max_rows: Units drawn at most (the best ones).
        """
        shown, more = first_rows(self.rows, max_rows, word="best")
        rows = [
            _svg.Interval(
                key_label(r.key),
                r.shrunken_nps,
                *r.credible_interval,
                f"n = {fmt.count(r.n)}",
                flagged=False,
            )
            for r in shown
        ]
        level = fmt.share(self.credible_level, 0)
        title = f"Shrunken NPS by {' / '.join(self.by)} with {level} credible intervals{more}"
        return forest(rows, self.overall_nps, title)

    def _caption(self) -> str:
        return (
            f"{len(self.rows)} units by shrunken NPS (overall {self.overall_nps:+.1f}, "
            f"prior weight α ≈ {_weight(self.prior_concentration)} responses)"
        )


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
    counted = read(data, keys, score=score, weights=weights, bands=None, missing=missing).tally()
    n = counted.count.sum(axis=1)
    if n.sum() == 0:
        msg = "no scores to rank; give at least one score from 0 to 10"
        raise EmptyDataError(msg)
    weighted_sums = _stats.by_category(counted.sum_w)
    categories = weighted_sums
    if counted.weighted:
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
    levels = counted.labels or ()
    # Units whose shrunken NPS agree to TIE points are tied: ranked in label order, so that
    # rounding (weights on another scale) cannot reorder them.
    order = np.argsort(-np.round(post.nps / TIE) * TIE, kind="stable")
    rows = tuple(
        _trusted(
            RankRow,
            {
                "key": levels[g],
                "rank": position + 1,
                "n": int(n[g]),
                "nps": float(raw[g]),
                "shrunken_nps": float(post.nps[g]),
                "credible_interval": ConfidenceInterval(float(post.lower[g]), float(post.upper[g])),
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
        weighted=counted.weighted,
    )
