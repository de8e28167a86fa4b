"""A small, dependency-free SVG line chart: lines with confidence bands and counts.

Used by ``TrendResult.to_svg`` and reusable by any report: give it x labels and one or
more series (values with optional lower/upper limits and ``n`` per point); missing values
(``None``) break the line and band. All text is XML-escaped; the output is a standalone
``<svg>`` element that a notebook shows and an HTML page embeds as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Colour-blind-safe palette (Okabe–Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass(frozen=True)
class Series:
    """One line: a value per x position (``None`` where there is none).

    Attributes:
        name: Legend label.
        values: One value per x label.
        lower: Optional lower band limit per x label.
        upper: Optional upper band limit per x label.
        n: Optional count per x label, written under the axis (first series only).
    """

    name: str
    values: Sequence[float | None]
    lower: Sequence[float | None] = field(default_factory=tuple)
    upper: Sequence[float | None] = field(default_factory=tuple)
    n: Sequence[int] = field(default_factory=tuple)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """Maximal runs of consecutive positions that have a finite value."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, v in enumerate(values):
        if v is not None and math.isfinite(v):
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


@dataclass(frozen=True)
class _Frame:
    """Pixel geometry: maps x positions and y values into the plot area."""

    left: int
    top: int
    width: int
    height: int
    count: int
    lo: float
    hi: float

    def x(self, i: int) -> float:
        return self.left + self.width * (i + 0.5) / self.count

    def y(self, v: float) -> float:
        return self.top + self.height * (self.hi - v) / (self.hi - self.lo)


def _limits(series: Sequence[Series], y_range: tuple[float, float] | None) -> tuple[float, float]:
    if y_range is not None:
        return y_range
    finite = [
        float(v)
        for s in series
        for seq in (s.values, s.lower, s.upper)
        for v in seq
        if v is not None and math.isfinite(v)
    ]
    if not finite:
        return -100.0, 100.0
    lo, hi = min(finite), max(finite)
    pad = max((hi - lo) * 0.1, 5.0)
    return lo - pad, hi + pad


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    y_range: tuple[float, float] | None = None,
    y_label: str = "",
    width: int = 720,
    height: int = 320,
) -> str:
    """Render lines with shaded bands as an SVG string.

    Args:
        labels: The x axis labels, in order.
        series: The lines; each has one value per label.
        title: Chart title.
        y_range: Fixed y limits; by default the data's range with some margin.
        y_label: Y axis title.
        width: Width in pixels.
        height: Height in pixels.

    Returns:
        An ``<svg>`` element.

    Examples:
        >>> svg = line_chart(["Jan", "Feb"], [Series("NPS <all>", [10.0, None], n=[5, 0])])
        >>> svg.startswith("<svg") and "NPS &lt;all&gt;" in svg
        True
    """
    left, right, top, bottom = 48, 16, 28 if title else 12, 58
    lo, hi = _limits(series, y_range)
    frame = _Frame(
        left, top, width - left - right, height - top - bottom, max(len(labels), 1), lo, hi
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="11">'
    )
    parts = [head, f"<title>{escape(title or 'chart')}</title>"]
    if title:
        parts.append(f'<text x="{left}" y="16" font-size="13">{escape(title)}</text>')
    parts.extend(_axes(frame, labels, y_label))
    for k, s in enumerate(series):
        parts.extend(_line(frame, s, labels, PALETTE[k % len(PALETTE)]))
    if series and series[0].n:
        parts.extend(_counts(frame, series[0].n))
    legend_y = height - 10
    offset = left
    for k, s in enumerate(series[: len(PALETTE)]):
        parts.append(
            f'<rect x="{offset}" y="{legend_y - 8}" width="10" height="10" '
            f'fill="{PALETTE[k]}"/><text x="{offset + 14}" y="{legend_y}">{escape(s.name)}</text>'
        )
        offset += 24 + 7 * len(s.name)
    parts.append("</svg>")
    return "".join(parts)


def _step(count: int) -> int:
    """Label every ``step``-th x position, so at most 16 labels are written."""
    return max(1, math.ceil(count / 16))


def _axes(frame: _Frame, labels: Sequence[str], y_label: str) -> list[str]:
    right = frame.left + frame.width
    out = []
    for tick in _ticks(frame.lo, frame.hi):
        ty = frame.y(tick)
        out.append(
            f'<line x1="{frame.left}" x2="{right}" y1="{_num(ty)}" y2="{_num(ty)}" '
            f'stroke="#ddd"/><text x="{frame.left - 4}" y="{_num(ty + 4)}" '
            f'text-anchor="end">{escape(_num(tick))}</text>'
        )
    if frame.lo < 0 < frame.hi:
        zero = _num(frame.y(0))
        out.append(f'<line x1="{frame.left}" x2="{right}" y1="{zero}" y2="{zero}" stroke="#888"/>')
    if y_label:
        out.append(
            f'<text transform="translate(12,{_num(frame.top + frame.height / 2)}) rotate(-90)" '
            f'text-anchor="middle">{escape(y_label)}</text>'
        )
    step = _step(len(labels))
    out.extend(
        f'<text x="{_num(frame.x(i))}" y="{frame.top + frame.height + 14}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(labels)
        if i % step == 0
    )
    return out


def _line(frame: _Frame, s: Series, labels: Sequence[str], colour: str) -> list[str]:
    out = _band(frame, s, colour) if s.lower and s.upper else []
    for run in _runs(s.values):
        xy = [(frame.x(i), frame.y(float(s.values[i] or 0.0)), i) for i in run]
        points = " ".join(f"{_num(px)},{_num(py)}" for px, py, _ in xy)
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.extend(
            f'<circle cx="{_num(px)}" cy="{_num(py)}" r="2.5" fill="{colour}"><title>'
            f"{escape(s.name)} {escape(labels[i])}: {escape(_num(float(s.values[i] or 0.0)))}"
            "</title></circle>"
            for px, py, i in xy
        )
    return out


def _counts(frame: _Frame, counts: Sequence[int]) -> list[str]:
    y = frame.top + frame.height + 30
    step = _step(len(counts))
    out = [f'<text x="{frame.left - 4}" y="{y}" text-anchor="end" fill="#555">n</text>']
    out.extend(
        f'<text x="{_num(frame.x(i))}" y="{y}" text-anchor="middle" fill="#555">{int(n)}</text>'
        for i, n in enumerate(counts)
        if i % step == 0
    )
    return out


def _band(frame: _Frame, s: Series, colour: str) -> list[str]:
    """The shaded interval: a polygon per run of points with both limits, a bar if alone."""
    out = []
    usable = [
        None if lo is None or hi is None or v is None else 1.0
        for v, lo, hi in zip(s.values, s.lower, s.upper, strict=True)
    ]
    for run in _runs(usable):
        upper = [(frame.x(i), frame.y(float(s.upper[i] or 0.0))) for i in run]
        lower = [(frame.x(i), frame.y(float(s.lower[i] or 0.0))) for i in reversed(run)]
        if len(run) == 1:
            (px, top), (_, bottom) = upper[0], lower[0]
            out.append(
                f'<line x1="{_num(px)}" x2="{_num(px)}" y1="{_num(top)}" y2="{_num(bottom)}" '
                f'stroke="{colour}" stroke-opacity="0.35" stroke-width="6"/>'
            )
            continue
        points = " ".join(f"{_num(px)},{_num(py)}" for px, py in upper + lower)
        out.append(f'<polygon points="{points}" fill="{colour}" fill-opacity="0.15"/>')
    return out


def _ticks(lo: float, hi: float) -> list[float]:
    """About five round tick values between ``lo`` and ``hi``."""
    span = hi - lo
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 1)]
