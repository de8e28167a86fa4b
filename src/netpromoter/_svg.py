"""A small, dependency-free SVG line chart: lines with confidence bands and counts.

Used by ``TrendResult.to_svg`` and reusable by any report: give it x labels and one or
more series (values with optional lower/upper limits and ``n`` per point); missing values
(``None``) break the line and band. All text is XML-escaped; the output is a standalone
``<svg>`` element that a notebook shows and an HTML page embeds as it is.

Also the report's charts: a stacked category bar, a score histogram, forest plots of
estimates with intervals (small samples hollow), and stacked columns. Every text that
reaches the markup goes through ``html.escape``; these charts scale to their container
(``viewBox`` + ``width="100%"``).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, NamedTuple

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


# --------------------------------------------------------------------------------------
# The report's charts
# --------------------------------------------------------------------------------------

DETRACTOR = "#c0392b"
PASSIVE = "#95a5a6"
PROMOTER = "#1e8449"
INK = "#1c2833"
MUTED = "#7f8c8d"
BAND = "#aed6f1"
LINE = "#2471a3"
FONT = "font-family='system-ui, sans-serif' font-size='12'"


def esc(text: object) -> str:
    """Escape any value for HTML text and attributes."""
    return html.escape(str(text), quote=True)


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f"<svg viewBox='0 0 {width} {height}' "
        f"width='100%' role='img' aria-label='{esc(title)}' {FONT}>"
        f"<title>{esc(title)}</title>{body}</svg>"
    )


def _text(x: float, y: float, text: object, *, anchor: str = "start", fill: str = INK) -> str:
    return f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' fill='{fill}'>{esc(text)}</text>"


def category_bar(shares: tuple[float, float, float], title: str) -> str:
    """One stacked bar: detractors, passives, promoters (shares 0..1), labelled."""
    width, height, top, bar = 640, 64, 8, 28
    x = 0.0
    parts = []
    names = ("Detractors", "Passives", "Promoters")
    for share, colour, name in zip(shares, (DETRACTOR, PASSIVE, PROMOTER), names, strict=True):
        w = share * width
        parts.append(
            f"<rect x='{x:.1f}' y='{top}' width='{w:.1f}' height='{bar}' fill='{colour}'>"
            f"<title>{esc(name)}: {share:.1%}</title></rect>"
        )
        if w > 60:  # noqa: PLR2004 - room for the label
            parts.append(
                _text(x + w / 2, top + bar / 2 + 4, f"{share:.0%}", anchor="middle", fill="#fff")
            )
        parts.append(_text(x + 2, top + bar + 18, f"{name} {share:.1%}", fill=colour))
        x += w
    return _svg(width, height, title, "".join(parts))


def score_histogram(counts: Sequence[float], title: str) -> str:
    """Bars of the number of answers per score 0..10, coloured by category."""
    width, height, left, bottom = 640, 180, 8, 24
    peak = max(*counts, 1)
    slot = (width - 2 * left) / len(counts)
    parts = []
    for score, count in enumerate(counts):
        colour = DETRACTOR if score <= 6 else PASSIVE if score <= 8 else PROMOTER  # noqa: PLR2004
        h = (height - bottom - 20) * count / peak
        x = left + score * slot + 4
        y = height - bottom - h
        parts.append(
            f"<rect x='{x:.1f}' y='{y:.1f}' width='{slot - 8:.1f}' height='{h:.1f}' "
            f"fill='{colour}'><title>score {score}: {count:,.0f}</title></rect>"
        )
        parts.append(_text(x + (slot - 8) / 2, y - 4, f"{count:,.0f}", anchor="middle"))
        parts.append(_text(x + (slot - 8) / 2, height - 6, score, anchor="middle", fill=MUTED))
    return _svg(width, height, title, "".join(parts))


class Interval(NamedTuple):
    """One labelled estimate with its interval, for forest plots."""

    label: str
    value: float
    lower: float
    upper: float
    n: int
    flagged: bool


def _domain(values: Sequence[float]) -> tuple[float, float]:
    lo = max(-100.0, math.floor(min(values) / 10) * 10)
    hi = min(100.0, math.ceil(max(values) / 10) * 10)
    if hi - lo < 20:  # noqa: PLR2004 - a readable minimum span
        lo, hi = max(-100.0, lo - 10), min(100.0, hi + 10)
    return lo, hi


def forest(rows: Sequence[Interval], reference: float | None, title: str) -> str:
    """Dot-and-whisker chart: one row per estimate, a dashed line at ``reference``.

    Flagged rows (small samples) are drawn hollow and labelled.
    """
    label_w, right, row_h, top = 170, 90, 26, 24
    width = 640
    height = top + row_h * len(rows) + 28
    lo, hi = _domain(
        [v for r in rows for v in (r.lower, r.upper)]
        + ([reference] if reference is not None else [])
    )
    span = width - label_w - right

    def x(value: float) -> float:
        return label_w + (value - lo) / (hi - lo) * span

    parts = []
    for tick in range(int(lo), int(hi) + 1, 20 if hi - lo > 80 else 10):  # noqa: PLR2004
        parts.append(
            f"<line x1='{x(tick):.1f}' y1='{top - 6}' x2='{x(tick):.1f}' y2='{height - 22}' "
            f"stroke='#e5e8e8'/>"
        )
        parts.append(
            _text(x(tick), height - 6, f"{tick:+d}" if tick else "0", anchor="middle", fill=MUTED)
        )
    if reference is not None:
        parts.append(
            f"<line x1='{x(reference):.1f}' y1='{top - 10}' x2='{x(reference):.1f}' "
            f"y2='{height - 22}' stroke='{INK}' stroke-dasharray='4 3'/>"
        )
        parts.append(
            _text(x(reference), top - 12, f"overall {reference:+.1f}", anchor="middle", fill=MUTED)
        )
    for i, row in enumerate(rows):
        y = top + i * row_h + row_h / 2
        fill = "#fff" if row.flagged else LINE
        parts.append(_text(label_w - 8, y + 4, _short(row.label), anchor="end"))
        parts.append(
            f"<line x1='{x(row.lower):.1f}' y1='{y:.1f}' x2='{x(row.upper):.1f}' y2='{y:.1f}' "
            f"stroke='{LINE}' stroke-width='2'/>"
        )
        parts.append(
            f"<circle cx='{x(row.value):.1f}' cy='{y:.1f}' r='5' fill='{fill}' stroke='{LINE}' "
            f"stroke-width='2'><title>{esc(row.label)}: {row.value:+.1f} "
            f"[{row.lower:+.1f}, {row.upper:+.1f}], n={row.n:,}</title></circle>"
        )
        note = f"n={row.n:,}" + (" small" if row.flagged else "")
        parts.append(
            _text(width - right + 8, y + 4, note, fill=DETRACTOR if row.flagged else MUTED)
        )
    return _svg(width, height, title, "".join(parts))


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def stacked_columns(
    labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]], title: str
) -> str:
    """Columns per label, stacked by series ``(name, colour, values)``, with a legend."""
    width, height, left, bottom, top = 640, 200, 36, 40, 24
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    peak = max([*totals, 1])
    slot = (width - left - 8) / max(len(labels), 1)
    parts = []
    for i, label in enumerate(labels):
        base: float = height - bottom
        x = left + i * slot + slot * 0.15
        for name, colour, values in series:
            h = (height - bottom - top) * values[i] / peak
            if h > 0:
                parts.append(
                    f"<rect x='{x:.1f}' y='{base - h:.1f}' width='{slot * 0.7:.1f}' "
                    f"height='{h:.1f}' fill='{colour}'><title>{esc(label)}: {values[i]:,} "
                    f"{esc(name)}</title></rect>"
                )
            base -= h
        parts.append(_text(x + slot * 0.35, base - 4, f"{totals[i]:,}", anchor="middle"))
        parts.append(
            _text(x + slot * 0.35, height - bottom + 16, label, anchor="middle", fill=MUTED)
        )
    legend_x = left
    for name, colour, _ in series:
        parts.append(f"<rect x='{legend_x}' y='4' width='10' height='10' fill='{colour}'/>")
        parts.append(_text(legend_x + 14, 13, name))
        legend_x += 24 + 7 * len(name)
    return _svg(width, height, title, "".join(parts))
