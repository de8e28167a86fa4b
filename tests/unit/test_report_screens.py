"""The HTML report in a real browser at desktop and phone widths (headless Chromium).

Each page is shown in a frame exactly as wide as the screen (1280, 420 and 360 px; a
headless window cannot be narrower than 500 px, a frame can), and a script of the
surrounding page measures it: how wide the page is against its viewport, the size every
visible text is drawn at (SVG text scaled by its chart), and whether any two labels of a
chart overlap or a label sticks out of its chart.

These tests need Chromium (Debian's ``chromium``). Without it they are skipped locally and
fail in CI (``CI=true``), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from netpromoter.cli import EXAMPLE_CONTEXT, EXAMPLE_TARGETS, example_path
from netpromoter.io import read_columns
from netpromoter.report import build_report, render_html

if TYPE_CHECKING:
    from pathlib import Path

    from netpromoter.report import Report

pytestmark = pytest.mark.browser

#: Screen widths checked: a desktop, a large phone and a small phone.
WIDTHS = (1280, 420, 360)
#: The smallest text size a reader should have to read, in CSS pixels.
MIN_TEXT_PX = 12.0

_MEASURE = r"""
function measure() {
  const frame = document.getElementById('page');
  const win = frame.contentWindow, doc = frame.contentDocument;
  const out = {viewport: win.innerWidth, scrollWidth: doc.documentElement.scrollWidth,
               small: [], overlaps: [], outside: [], texts: 0};
  for (const el of doc.body.querySelectorAll('*')) {
    if (el.closest('title, style')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    let size = parseFloat(win.getComputedStyle(el).fontSize);
    if (el instanceof win.SVGElement) {
      const m = el.getScreenCTM();
      size *= Math.hypot(m.a, m.b);
    }
    out.texts += 1;
    if (size < MIN - 0.01) out.small.push([el.textContent.trim().slice(0, 40), size]);
  }
  for (const svg of doc.querySelectorAll('svg')) {
    if (!svg.getClientRects().length) continue;
    const box = svg.getBoundingClientRect();
    const labels = [...svg.querySelectorAll('text')].map(t => [t, t.getBoundingClientRect()]);
    for (const [t, r] of labels) {
      if (r.left < box.left - 1 || r.right > box.right + 1)
        out.outside.push(t.textContent.trim().slice(0, 40));
    }
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i][1], b = labels[j][1];
        const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        const name = k => labels[k][0].textContent.trim().slice(0, 40);
        if (dx > 1 && dy > 1) out.overlaps.push([name(i), name(j)]);
      }
    }
  }
  document.body.setAttribute('data-measured', JSON.stringify(out));
}
window.addEventListener('load', measure);
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium executable; required in CI, skipped locally when it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("headless Chromium is required in CI: apt-get install -y chromium")
        pytest.skip("no headless chromium installed (apt-get install -y chromium)")
    return found


def _browser(chromium: str, profile: Path) -> list[str]:
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]


def _frame(page: str, width: int) -> str:
    """A page that shows ``page`` in a frame ``width`` px wide and measures it."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<style>body{margin:0}iframe{border:0;display:block}</style></head><body>"
        f"<iframe id='page' width='{width}' height='1600' srcdoc=\"{html.escape(page)}\">"
        f"</iframe><script>const MIN = {MIN_TEXT_PX};{_MEASURE}</script></body></html>"
    )


def measure(chromium: str, page: str, width: int, tmp_path: Path) -> dict[str, Any]:
    """What the browser measured of ``page`` shown ``width`` px wide."""
    framed = tmp_path / f"framed-{width}.html"
    framed.write_text(_frame(page, width), encoding="utf-8")
    dom = subprocess.run(
        [
            *_browser(chromium, tmp_path / "profile"),
            f"--window-size={max(width, 500)},1600",
            "--dump-dom",
            framed.as_uri(),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    found = re.search(r'data-measured="([^"]*)"', dom)
    assert found is not None, "the measuring script did not run"
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


def example_report() -> Report:
    """The report of the bundled example data, with every section."""
    margins = json.loads(example_path(EXAMPLE_TARGETS).read_text(encoding="utf-8"))
    context = json.loads(example_path(EXAMPLE_CONTEXT).read_text(encoding="utf-8"))
    return build_report(
        read_columns(example_path()),
        by=["region", "customer_type"],
        margins=margins,
        followups=context,
    )


#: Segment names far longer than a phone's label room.
LONG_NAMES = (
    "Klantenservice en onboarding van zakelijke klanten in de Benelux (pilot)",
    "Internationale accounts met een raamovereenkomst en eigen accountmanager",
    "kort",
)


def hard_file(tmp_path: Path) -> Path:
    """A Dutch export with 60 weekly periods, hardly any passives and long segment names."""
    start = datetime(2025, 1, 6, 9, tzinfo=timezone.utc)
    lines = ["respondent_id,submitted_at,language,afdeling,score"]
    for i in range(1_800):
        score = 8 if i % 50 == 0 else (10 if (i // 3) % 3 else 2)
        when = start + timedelta(hours=5.6 * i)
        lines.append(f"R{i},{when.isoformat()},nl,{LONG_NAMES[(i // 7) % 3]},{score}")
    path = tmp_path / "weekly.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hard_report(tmp_path: Path) -> Report:
    """The report of :func:`hard_file`, per week, in its own language (Dutch)."""
    report = build_report(read_columns(hard_file(tmp_path)), by=["afdeling"], period="week")
    assert report.language == "nl"
    assert report.trend is not None
    assert len(report.trend.overall) >= 50
    assert report.overall.passive_share < 0.03
    return report


def _check(measured: dict[str, Any], width: int) -> None:
    assert measured["viewport"] == width
    assert measured["scrollWidth"] <= width, "the page is wider than the screen"
    assert measured["texts"] > 50
    assert measured["small"] == [], f"text below {MIN_TEXT_PX} px"
    assert measured["overlaps"] == [], "chart labels overlap"
    assert measured["outside"] == [], "chart labels stick out of their chart"


@pytest.mark.parametrize("width", WIDTHS)
def test_example_report_fits_the_screen(chromium: str, width: int, tmp_path: Path) -> None:
    """The example report is no wider than the screen, its text readable, labels apart."""
    _check(measure(chromium, render_html(example_report()), width, tmp_path), width)


@pytest.mark.parametrize("width", WIDTHS)
def test_hard_report_fits_the_screen(chromium: str, width: int, tmp_path: Path) -> None:
    """Sixty weeks, 2 % passives and long names still fit: labels thinned, names cut."""
    page = render_html(hard_report(tmp_path))
    _check(measure(chromium, page, width, tmp_path), width)


def test_long_names_are_cut_on_the_right_with_a_tooltip(tmp_path: Path) -> None:
    """A long segment name is shown cut with "…" at its end; its whole name is the tooltip."""
    page = render_html(hard_report(tmp_path))
    for name in LONG_NAMES[:2]:
        shown = re.findall(rf">({re.escape(name[:12])}[^<]*)<title>{re.escape(name)}</title>", page)
        assert shown, name
        assert all(text.endswith("…") and name.startswith(text[:-1]) for text in shown)


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and decompressed scanlines of a PNG (no imaging library needed)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


def test_renders_and_paints(chromium: str, tmp_path: Path) -> None:
    """Chromium renders the page (DOM with the charts) and paints a non-blank screenshot."""
    page = tmp_path / "report.html"
    page.write_text(render_html(example_report()), encoding="utf-8")
    flags = [*_browser(chromium, tmp_path / "profile"), "--window-size=800,1400"]
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert dom.count("<svg") == 2 * 7  # each chart drawn for wide screens and for phones
    assert "NPS by region" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        check=True,
        timeout=120,
    )
    width, height, pixels = _png_pixels(shot)
    assert (width, height) == (800, 1400)
    assert len(set(pixels)) > 50
