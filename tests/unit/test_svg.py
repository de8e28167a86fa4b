"""_svg: a dependency-free line chart that escapes every text."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

from netpromoter import _svg


def test_chart_is_well_formed_xml_and_escapes_text() -> None:
    """Labels and titles with markup characters are escaped; the output parses as XML."""
    svg = _svg.line_chart(
        ["<Jan>", "Feb & Mar", "Apr"],
        [
            _svg.Series(
                'north "<b>"',
                [10.0, None, -20.0],
                lower=[0.0, None, -40.0],
                upper=[20.0, None, 0.0],
                n=[12, 0, 30],
            ),
            _svg.Series("south", [5.0, 6.0, 7.0]),
        ],
        title="NPS <script>alert(1)</script>",
        y_label="NPS",
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag.endswith("svg")
    assert "<script>" not in svg
    assert "&lt;Jan&gt;" in svg
    assert "Feb &amp; Mar" in svg


def test_gaps_break_lines_and_single_points_get_a_bar() -> None:
    """A missing value splits the line; an isolated point's interval is a bar, not a polygon."""
    svg = _svg.line_chart(
        ["a", "b", "c"],
        [_svg.Series("x", [1.0, None, 3.0], lower=[0.0, None, 2.0], upper=[2.0, None, 4.0])],
    )
    assert svg.count("<polyline") == 2
    assert "<polygon" not in svg
    assert svg.count('stroke-width="6"') == 2


def test_empty_chart_has_default_range() -> None:
    """With no values at all, the y axis spans -100..100."""
    svg = _svg.line_chart([], [])
    assert ">-100<" in svg
    assert ">100<" in svg


def test_fixed_range_and_many_labels_are_thinned() -> None:
    """A fixed y range is used as given, and at most 16 x labels are written."""
    labels = [f"d{i}" for i in range(40)]
    svg = _svg.line_chart(
        labels, [_svg.Series("x", [float(i) for i in range(40)])], y_range=(0, 50)
    )
    assert sum(f">{label}<" in svg for label in labels) <= 20
    assert ">50<" in svg


def _written(svg: str) -> list[tuple[float, str]]:
    """The x position and text of every axis label under the plot (middle-anchored)."""
    found = re.findall(r'<text x="([\d.]+)" y="\d+" text-anchor="middle">([^<]+)</text>', svg)
    return [(float(x), text) for x, text in found]


def test_weekly_labels_are_thinned_to_fit_and_the_last_is_kept() -> None:
    """Sixty weeks on a phone-wide chart: the latest week is labelled, no two labels touch."""
    weeks = [f"2025-W{i:02d}" for i in range(1, 53)] + [f"2026-W{i:02d}" for i in range(1, 9)]
    svg = _svg.line_chart(
        weeks, [_svg.Series("NPS", [10.0] * len(weeks))], width=340, font_size=13, scalable=True
    )
    written = _written(svg)
    assert written[-1][1] == weeks[-1]
    assert 2 <= len(written) < len(weeks)
    for (x0, a), (x1, b) in itertools.pairwise(written):
        assert x1 - x0 >= (_svg.text_width(a, 13) + _svg.text_width(b, 13)) / 2
    assert all(
        _svg.text_width(t, 13) / 2 <= x <= 340 - _svg.text_width(t, 13) / 2 for x, t in written
    )
    assert 'width="100%"' in svg
    assert 'height="' not in svg.split(">", 1)[0]


def test_long_labels_are_cut_on_the_right_and_kept_whole_in_a_tooltip() -> None:
    """A forest row's long label ends in "…" where it is cut; the tooltip holds all of it."""
    name = "Customer success and onboarding of business customers in the Benelux (pilot)"
    for width in (_svg.WIDE, _svg.NARROW):
        svg = _svg.forest(
            [_svg.Interval(name, 10.0, 0.0, 20.0, "n = 50", False)], 5.0, "t", width=width
        )
        shown = re.search(rf">([^<>]*…)<title>{re.escape(name)}</title>", svg)
        assert shown is not None
        assert name.startswith(shown.group(1)[:-1].rstrip())


def test_category_legend_wraps_instead_of_overlapping() -> None:
    """With few passives the three category labels still stand apart, on one line or two."""
    shares = [(0.333, "33.3%", "33%"), (0.083, "8.3%", "8%"), (0.584, "58.4%", "58%")]
    svg = _svg.category_bar(shares, ("Detractors", "Passives", "Promoters"), "t", _svg.NARROW)
    labels = re.findall(r"<text x='([\d.]+)' y='([\d.]+)'[^>]*>([A-Z][a-z]+ [\d.]+%)<", svg)
    assert len(labels) == 3
    placed = sorted((float(y), float(x), text) for x, y, text in labels)
    for (y0, x0, a), (y1, x1, _) in itertools.pairwise(placed):
        assert y1 > y0 or x1 >= x0 + _svg.text_width(a, _svg.FONT_SIZE)
