"""``.nps`` for polars: importing this module registers two namespaces.

* ``DataFrame.nps`` and ``LazyFrame.nps``: ``score``, ``segment``, ``trend``, ``rank``
  and ``composition`` of the frame (see
  [`FrameNamespace`][netpromoter._accessor.FrameNamespace]).
* ``Expr.nps``: the NPS and its parts as polars expressions
  ([`ScoreExpressions`][netpromoter.polars.ScoreExpressions]), for ``select``,
  ``group_by(...).agg`` and ``group_by_dynamic(...).agg``.

Examples:
    >>> import polars as pl
    >>> import netpromoter.polars  # registers .nps
    >>> df = pl.DataFrame({"score": [10, 9, 3, 8], "region": ["n", "n", "s", "s"]})
    >>> df.group_by("region", maintain_order=True).agg(pl.col("score").nps.nps()).rows()
    [('n', 100.0), ('s', -50.0)]
    >>> df.nps.score().nps
    25.0
"""

from __future__ import annotations

import polars as pl

from netpromoter._accessor import FrameNamespace
from netpromoter._scale import DETRACTOR_MAX, PROMOTER_MIN

__all__ = ["FrameNamespace", "ScoreExpressions"]


class ScoreExpressions:
    """``pl.col("score").nps``: NPS statistics of a column of 0..10 scores, as expressions.

    Null scores are left out (as ``missing="drop"`` does); the scores are taken to be
    valid (validate them with [`score`][netpromoter.core.score] first when unsure). Each
    statistic is the one [`score`][netpromoter.core.score] reports for the same scores:
    shares of promoters (9-10), passives (7-8) and detractors (0-6), the NPS
    ``100 × (promoter share − detractor share)`` and its Wald standard error
    ``100 × sqrt((p + d − (p − d)²) / n)``.
    """

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def n(self) -> pl.Expr:
        """Number of (non-null) scores."""
        return self._expr.count()

    def promoter_share(self) -> pl.Expr:
        """Share of promoters, 0..1."""
        return (self._expr >= PROMOTER_MIN).mean()

    def detractor_share(self) -> pl.Expr:
        """Share of detractors, 0..1."""
        return (self._expr <= DETRACTOR_MAX).mean()

    def passive_share(self) -> pl.Expr:
        """Share of passives, 0..1."""
        return ((self._expr > DETRACTOR_MAX) & (self._expr < PROMOTER_MIN)).mean()

    def nps(self) -> pl.Expr:
        """The Net Promoter Score, -100..100."""
        return ((self.promoter_share() - self.detractor_share()) * 100.0).alias("nps")

    def se(self) -> pl.Expr:
        """Wald standard error of the NPS, in points (``score(..., method="wald").se``)."""
        p, d = self.promoter_share(), self.detractor_share()
        variance = (p + d - (p - d) ** 2) / self.n()
        return (variance.sqrt() * 100.0).alias("se")


pl.api.register_expr_namespace("nps")(ScoreExpressions)
pl.api.register_dataframe_namespace("nps")(FrameNamespace)
pl.api.register_lazyframe_namespace("nps")(FrameNamespace)
