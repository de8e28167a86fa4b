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
    font_size: int = 11,
    scalable: bool = False,
) -> str:
    """Render lines with shaded bands as an SVG string.

    Args:
        labels: The x axis labels, in order; thinned so that written ones do not touch.
        series: The lines; each has one value per label.
        title: Chart title.
        y_range: Fixed y limits; by default the data's range with some margin.
        y_label: Y axis title.
        width: Width in pixels (with ``scalable``, of the drawing the page scales).
        height: Height in pixels.
        font_size: Size of the labels (the title is 2 larger).
        scalable: Fill the container's width (``width="100%"``, the ``viewBox`` keeps
            the proportions) instead of a fixed size.

    Returns:
        An ``<svg>`` element.

    Examples:
        >>> svg = line_chart(["Jan", "Feb"], [Series("NPS <all>", [10.0, None], n=[5, 0])])
        >>> svg.startswith("<svg") and "NPS &lt;all&gt;" in svg
        True
    """
    left, right, top, bottom = 48, 16, font_size + 17 if title else 12, 4 * font_size + 14
    lo, hi = _limits(series, y_range)
    frame = _Frame(
        left, top, width - left - right, height - top - bottom, max(len(labels), 1), lo, hi
    )
    size = 'width="100%"' if scalable else f'width="{width}" height="{height}"'
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} '
        f'viewBox="0 0 {width} {height}" role="img" font-family="system-ui, sans-serif" '
        f'font-size="{font_size}">'
    )
    parts = [head, f"<title>{escape(title or 'chart')}</title>"]
    if title:
        parts.append(
            f'<text x="{left}" y="{font_size + 5}" font-size="{font_size + 2}">'
            f"{escape(title)}</text>"
        )
    placed = _placed(frame, labels, font_size, width)
    parts.extend(_axes(frame, labels, placed, y_label, font_size))
    for k, s in enumerate(series):
        parts.extend(_line(frame, s, labels, PALETTE[k % len(PALETTE)]))
    if series and series[0].n:
        parts.extend(_counts(frame, series[0].n, placed, font_size))
    legend_y = height - 10
    offset = left
    for k, s in enumerate(series[: len(PALETTE)]):
        name = fit(s.name, width - offset - 14, font_size)
        parts.append(
            f'<rect x="{offset}" y="{legend_y - 8}" width="10" height="10" '
            f'fill="{PALETTE[k]}"/><text x="{offset + 14}" y="{legend_y}">{escape(name)}'
            f"<title>{escape(s.name)}</title></text>"
        )
        offset += 24 + round(text_width(name, font_size))
    parts.append("</svg>")
    return "".join(parts)


#: Characters from here on (CJK and beyond) are about as wide as they are high.
_WIDE_SCRIPTS = 0x2E80


def text_width(text: str, font_size: float) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font."""
    wide = sum(ch in "MWmw@%" or ord(ch) >= _WIDE_SCRIPTS for ch in text)
    return font_size * (0.62 * len(text) + 0.3 * wide)


def fit(text: str, room: float, font_size: float) -> str:
    """``text``, cut on the right with "…" so that it fits in ``room`` pixels."""
    if text_width(text, font_size) <= room:
        return text
    kept = text
    while kept and text_width(kept + "…", font_size) > room:
        kept = kept[:-1]
    return kept.rstrip() + "…"


def _inside(x: float, text: str, font_size: float, width: float) -> float:
    """The centre of a label at ``x``, moved in so that all of it is within ``width``."""
    half = text_width(text, font_size) / 2
    return min(max(x, half + 2), width - half - 2)


def _placed(
    frame: _Frame, labels: Sequence[str], font_size: float, width: float
) -> list[tuple[int, float]]:
    """Which x labels to write, and where: every ``step``-th from the last one backwards.

    At most 16 are written; each is kept inside the chart (moved in from an edge) and a
    label that would come closer than one character to the next written one is left out.
    """
    if not labels:
        return []
    slot = frame.width / frame.count
    widest = max(text_width(label, font_size) for label in labels) + font_size
    step = max(1, math.ceil(len(labels) / 16), math.ceil(widest / max(slot, 1.0)))
    placed: list[tuple[int, float]] = []
    limit = width
    for i in range(len(labels) - 1, -1, -step):
        half = text_width(labels[i], font_size) / 2
        x = _inside(frame.x(i), labels[i], font_size, width)
        if x + half > limit:
            continue
        placed.append((i, x))
        limit = x - half - font_size
    return placed[::-1]


def _axes(
    frame: _Frame,
    labels: Sequence[str],
    placed: Sequence[tuple[int, float]],
    y_label: str,
    font_size: int,
) -> list[str]:
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
    out.extend(
        f'<text x="{_num(x)}" y="{frame.top + frame.height + font_size + 3}" '
        f'text-anchor="middle">{escape(labels[i])}</text>'
        for i, x in placed
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


def _counts(
    frame: _Frame, counts: Sequence[int], placed: Sequence[tuple[int, float]], font_size: int
) -> list[str]:
    """The count of each labelled x position, under its label."""
    y = frame.top + frame.height + 2 * font_size + 8
    out = [f'<text x="{frame.left - 4}" y="{y}" text-anchor="end" fill="#555">n</text>']
    out.extend(
        f'<text x="{_num(x)}" y="{y}" text-anchor="middle" fill="#555">{int(counts[i])}</text>'
        for i, x in placed
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
#: Label size of the report's charts, in the drawing's units: a chart is drawn for the
#: width it is shown at (wide or narrow), so this is close to its size on the screen.
FONT_SIZE = 13
#: Drawing widths of the report's charts: for wide screens, and for phones.
WIDE, NARROW = 640, 340


def esc(text: object) -> str:
    """Escape any value for HTML text and attributes."""
    return html.escape(str(text), quote=True)


def _svg(width: int, height: float, title: str, body: str) -> str:
    return (
        f"<svg viewBox='0 0 {width} {height:.0f}' width='100%' role='img' "
        f"aria-label='{esc(title)}' font-family='system-ui, sans-serif' "
        f"font-size='{FONT_SIZE}'><title>{esc(title)}</title>{body}</svg>"
    )


def _text(
    x: float,
    y: float,
    text: object,
    *,
    anchor: str = "start",
    fill: str = INK,
    full: str = "",
    halo: bool = False,
) -> str:
    """A label; ``full`` (the whole text of a shortened label) becomes its tooltip.

    With ``halo`` the label is outlined in white, so that lines behind it do not cross it.
    """
    tip = f"<title>{esc(full)}</title>" if full and full != text else ""
    outline = " stroke='#fff' stroke-width='4' paint-order='stroke'" if halo else ""
    at = f"x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' fill='{fill}'{outline}"
    return f"<text {at}>{esc(text)}{tip}</text>"


def _legend(
    items: Sequence[tuple[str, str]], width: int, top: float, *, left: float = 0
) -> tuple[list[str], float]:
    """Swatches with labels, left to right, wrapped onto new lines; and the height used."""
    line_h = FONT_SIZE + 8
    parts: list[str] = []
    x, y = left, top
    for text, colour in items:
        w = 14 + text_width(text, FONT_SIZE)
        if x > left and x + w > width:
            x, y = left, y + line_h
        parts.append(
            f"<rect x='{x:.1f}' y='{y:.1f}' width='10' height='10' fill='{colour}'/>"
            + _text(x + 14, y + 10, text)
        )
        x += w + FONT_SIZE
    return parts, y + line_h - top


def category_bar(
    shares: Sequence[tuple[float, str, str]],
    names: Sequence[str],
    title: str,
    width: int = WIDE,
) -> str:
    """One stacked bar: detractors, passives, promoters and a legend.

    Each category is ``(share 0..1, share as text, share rounded as text)``. The rounded
    share is written inside its part of the bar when it fits there; the legend below names
    every category with its share, wrapped so that no two labels touch.
    """
    top, bar = 4, 28
    x = 0.0
    parts = []
    items = []
    colours = (DETRACTOR, PASSIVE, PROMOTER)
    for (share, shown, rounded), colour, name in zip(shares, colours, names, strict=True):
        w = share * width
        parts.append(
            f"<rect x='{x:.1f}' y='{top}' width='{w:.1f}' height='{bar}' fill='{colour}'>"
            f"<title>{esc(name)}: {esc(shown)}</title></rect>"
        )
        if w > text_width(rounded, FONT_SIZE) + 8:
            parts.append(_text(x + w / 2, top + bar / 2 + 5, rounded, anchor="middle", fill="#fff"))
        items.append((f"{name} {shown}", colour))
        x += w
    legend, used = _legend(items, width, top + bar + 10)
    return _svg(width, top + bar + 10 + used, title, "".join(parts + legend))


def score_histogram(
    counts: Sequence[float], shown: Sequence[str], title: str, width: int = WIDE
) -> str:
    """Bars of the number of answers per score 0..10, coloured by category.

    ``shown`` is each bar's count as text; where the widest does not fit above its bar
    (a narrow chart of large counts), each bar is labelled with its share instead.
    """
    height, left, bottom = 190, 4, 24
    peak = max(*counts, 1)
    total = sum(counts) or 1
    slot = (width - 2 * left) / len(counts)
    gap = min(8.0, slot * 0.2)
    fits = max(text_width(text, FONT_SIZE) for text in shown) <= slot - 2
    parts = []
    for score, count in enumerate(counts):
        colour = DETRACTOR if score <= 6 else PASSIVE if score <= 8 else PROMOTER  # noqa: PLR2004
        h = (height - bottom - 22) * count / peak
        x = left + score * slot + gap / 2
        y = height - bottom - h
        parts.append(
            f"<rect x='{x:.1f}' y='{y:.1f}' width='{slot - gap:.1f}' height='{h:.1f}' "
            f"fill='{colour}'><title>{score}: {esc(shown[score])}</title></rect>"
        )
        label = shown[score] if fits else f"{count / total:.0%}"
        parts.append(_text(x + (slot - gap) / 2, y - 5, label, anchor="middle"))
        parts.append(_text(x + (slot - gap) / 2, height - 6, score, anchor="middle", fill=MUTED))
    return _svg(width, height, title, "".join(parts))


class Interval(NamedTuple):
    """One labelled estimate with its interval, for forest plots.

    ``n`` is the written count (``"n = 312"``); ``shown`` the estimate and interval as
    text for the tooltip (by default ``+12.2 [+3.2, +20.9]``).
    """

    label: str
    value: float
    lower: float
    upper: float
    n: str
    flagged: bool
    shown: str = ""


def _domain(values: Sequence[float]) -> tuple[float, float]:
    lo = max(-100.0, math.floor(min(values) / 10) * 10)
    hi = min(100.0, math.ceil(max(values) / 10) * 10)
    if hi - lo < 20:  # noqa: PLR2004 - a readable minimum span
        lo, hi = max(-100.0, lo - 10), min(100.0, hi + 10)
    return lo, hi


@dataclass(frozen=True)
class ForestText:
    """The words of a forest plot: the reference line's label, and the small-sample flag.

    An empty ``reference`` labels the line "overall" and its value.
    """

    reference: str = ""
    small: str = "small"


def forest(
    rows: Sequence[Interval],
    reference: float | None,
    title: str,
    *,
    width: int = WIDE,
    words: ForestText = ForestText(),
) -> str:
    """Dot-and-whisker chart: one row per estimate, a dashed line at ``reference``.

    Flagged rows (small samples) are drawn hollow and labelled. On a wide chart the
    labels stand left of their rows; on a narrow one (below 480 units) above them, so
    the whiskers keep the width. A label too long for its room is cut on the right with
    "…" and keeps its whole text as a tooltip.
    """
    stacked = width < 480  # noqa: PLR2004 - room for a label column beside the whiskers
    notes = [r.n + (f" {words.small}" if r.flagged else "") for r in rows]
    right = max(text_width(note, FONT_SIZE) for note in [*notes, "n"]) + 14
    label_w = 12.0 if stacked else 190.0
    row_h, top = (46, 30) if stacked else (28, 30)
    height = top + row_h * len(rows) + 24
    lo, hi = _domain(
        [v for r in rows for v in (r.lower, r.upper)]
        + ([reference] if reference is not None else [])
    )
    span = width - label_w - right

    def x(value: float) -> float:
        return label_w + (value - lo) / (hi - lo) * span

    room = text_width("-100", FONT_SIZE) + FONT_SIZE  # the widest tick label and a gap
    step = next((s for s in (10, 20, 50) if span * s / (hi - lo) >= room), 100)
    parts = []
    for tick in range(math.ceil(lo / step) * step, int(hi) + 1, step):
        parts.append(
            f"<line x1='{x(tick):.1f}' y1='{top - 6}' x2='{x(tick):.1f}' y2='{height - 22}' "
            f"stroke='#e5e8e8'/>"
        )
        text = f"{tick:+d}" if tick else "0"
        at = _inside(x(tick), text, FONT_SIZE, width)
        parts.append(_text(at, height - 6, text, anchor="middle", fill=MUTED))
    if reference is not None:
        parts.append(
            f"<line x1='{x(reference):.1f}' y1='{top - 10}' x2='{x(reference):.1f}' "
            f"y2='{height - 22}' stroke='{INK}' stroke-dasharray='4 3'/>"
        )
        text = words.reference or f"overall {reference:+.1f}"
        at = _inside(x(reference), text, FONT_SIZE, width)
        parts.append(_text(at, top - 14, text, anchor="middle", fill=MUTED))
    for i, (row, note) in enumerate(zip(rows, notes, strict=True)):
        y = top + i * row_h + (row_h - 14 if stacked else row_h / 2)
        fill = "#fff" if row.flagged else LINE
        if stacked:
            label = fit(row.label, width - right - 4, FONT_SIZE)
            parts.append(_text(0, y - 14, label, full=row.label, halo=True))
        else:
            label = fit(row.label, label_w - 12, FONT_SIZE)
            parts.append(_text(0, y + 4, label, full=row.label))
        parts.append(
            f"<line x1='{x(row.lower):.1f}' y1='{y:.1f}' x2='{x(row.upper):.1f}' y2='{y:.1f}' "
            f"stroke='{LINE}' stroke-width='2'/>"
        )
        parts.append(
            f"<circle cx='{x(row.value):.1f}' cy='{y:.1f}' r='5' fill='{fill}' stroke='{LINE}' "
            f"stroke-width='2'><title>{esc(row.label)}: "
            f"{esc(row.shown or f'{row.value:+.1f} [{row.lower:+.1f}, {row.upper:+.1f}]')}, "
            f"{esc(row.n)}</title></circle>"
        )
        parts.append(
            _text(width, y + 4, note, anchor="end", fill=DETRACTOR if row.flagged else MUTED)
        )
    return _svg(width, height, title, "".join(parts))


def stacked_columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],
    title: str,
    width: int = WIDE,
) -> str:
    """Columns per label, stacked by series ``(name, colour, values)``, with a legend.

    Labels and totals under and over the columns are thinned so that none touch.
    """
    legend, used = _legend([(name, colour) for name, colour, _ in series], width, 4)
    left, bottom, top = 4, 28, used + 24
    height = top + 150 + bottom
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    peak = max([*totals, 1])
    slot = (width - left - 4) / max(len(labels), 1)
    frame = _Frame(left, round(top), width - left - 4, 150, max(len(labels), 1), 0.0, 1.0)
    written = dict(_placed(frame, labels, FONT_SIZE, width))
    parts = []
    for i, label in enumerate(labels):
        base: float = height - bottom
        x = left + i * slot + slot * 0.15
        for name, colour, values in series:
            h = 150 * values[i] / peak
            if h > 0:
                parts.append(
                    f"<rect x='{x:.1f}' y='{base - h:.1f}' width='{slot * 0.7:.1f}' "
                    f"height='{h:.1f}' fill='{colour}'><title>{esc(label)}: {values[i]:,} "
                    f"{esc(name)}</title></rect>"
                )
            base -= h
        if i in written:
            total = f"{totals[i]:,}"
            at = _inside(x + slot * 0.35, total, FONT_SIZE, width)
            parts.append(_text(at, base - 4, total, anchor="middle"))
            parts.append(
                _text(written[i], height - bottom + 18, label, anchor="middle", fill=MUTED)
            )
    return _svg(width, height, title, "".join(legend + parts))
