"""A report to share: NPS, segments, trend, weighting and follow-up work in one place.

[`build_report`][netpromoter.report.build_report] composes the public functions —
[`score`][netpromoter.core.score], [`segment`][netpromoter.segmentation.segment],
[`trend`][netpromoter.trends.trend], [`rake`][netpromoter.weighting.rake] and
[`plan`][netpromoter.followup.plan] — into one
frozen [`Report`][netpromoter.report.Report]; nothing is computed here that those do not
compute. [`render_html`][netpromoter.report.render_html] turns it into one
self-contained HTML file (inline CSS and SVG charts, no scripts, no network, every text
escaped); [`render_text`][netpromoter.report.render_text] into terminal tables. Every
table of both goes through the one result renderer, with the one formatting of numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter._lazy import attach, typed_homes

if TYPE_CHECKING:
    from netpromoter.report.build import build_report
    from netpromoter.report.followups import placeholder_context
    from netpromoter.report.model import Report
    from netpromoter.report.page import render_html
    from netpromoter.report.parts import FollowUpWorkload, ReportPeriod, WeightingSummary
    from netpromoter.report.text import render_text
    from netpromoter.report.words import ReportLanguage

# Each name is imported from its module (the imports above) when first used.
__getattr__, __dir__ = attach(__name__, typed_homes(__file__), {})

__all__ = [
    "FollowUpWorkload",
    "Report",
    "ReportLanguage",
    "ReportPeriod",
    "WeightingSummary",
    "build_report",
    "placeholder_context",
    "render_html",
    "render_text",
]
