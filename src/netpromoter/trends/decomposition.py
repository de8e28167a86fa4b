"""A change of the overall NPS split into segment mix and within-segment change."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from netpromoter._model import Model
from netpromoter._tables import html_table, text_table
from netpromoter.trends.rows import _fmt


class DecompositionRow(Model):
    """One segment's part in a change of the overall NPS.

    Attributes:
        key: The segment's labels.
        share_from: The segment's (weighted) share of responses in the earlier period.
        share_to: Its share in the later period.
        nps_from: Its NPS in the earlier period (``None`` when absent).
        nps_to: Its NPS in the later period.
        mix: Points of the change due to the segment's share changing.
        within: Points due to the segment's own NPS changing.
        total: ``mix + within``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: tuple[Any, ...]
    share_from: float
    share_to: float
    nps_from: float | None
    nps_to: float | None
    mix: float
    within: float
    total: float


class DecompositionResult(Model):
    """A change in NPS split into segment mix and within-segment change.

    ``mix + within == change`` exactly (up to floating point), and each equals the sum of
    its per-segment terms. See [`shift_share`][netpromoter._stats.shift_share].

    Attributes:
        by: The segment columns.
        from_period: The earlier period.
        to_period: The later period.
        nps_from: Overall NPS in the earlier period.
        nps_to: Overall NPS in the later period.
        change: ``nps_to − nps_from``.
        mix: Part of the change due to segment mix.
        within: Part due to scores changing within segments.
        rows: Per-segment terms.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: tuple[str, ...]
    from_period: str
    to_period: str
    nps_from: float
    nps_to: float
    change: float
    mix: float
    within: float
    rows: tuple[DecompositionRow, ...]

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dictionary per segment."""
        out = []
        for r in self.rows:
            row: dict[str, Any] = dict(zip(self.by, r.key, strict=True))
            row.update(r.model_dump(exclude={"key"}))
            out.append(row)
        return out

    def _caption(self) -> str:
        return (
            f"NPS {self.from_period} {_fmt(self.nps_from)} → {self.to_period} "
            f"{_fmt(self.nps_to)}: change {self.change:+.1f} = mix {self.mix:+.1f} "
            f"+ within {self.within:+.1f}"
        )

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        header = [*self.by, "share_from", "share_to", "nps_from", "nps_to", "mix", "within"]
        cells = [
            [
                *(str(k) for k in r.key),
                f"{r.share_from:.1%}",
                f"{r.share_to:.1%}",
                _fmt(r.nps_from),
                _fmt(r.nps_to),
                f"{r.mix:+.2f}",
                f"{r.within:+.2f}",
            ]
            for r in self.rows
        ]
        return header, cells

    def __repr__(self) -> str:
        """The caption and the per-segment table."""
        header, cells = self._cells()
        return f"DecompositionResult({self._caption()})\n{text_table(header, cells)}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        header, cells = self._cells()
        return html_table(header, cells, caption=self._caption())
