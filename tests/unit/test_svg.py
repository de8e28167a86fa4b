"""_svg: a dependency-free line chart that escapes every text."""

from __future__ import annotations

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
