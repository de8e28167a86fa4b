"""The result layer: shared fields, conversions, and one renderer for text and HTML."""

from __future__ import annotations

from netpromoter._results.base import (
    CategoryFields,
    Column,
    ConfidenceInterval,
    EstimateFields,
    Result,
    SummaryResult,
    TableResult,
    flatten,
    frame_records,
)
from netpromoter._results.render import (
    TableView,
    html_pairs,
    html_table,
    render_html,
    render_text,
    text_table,
)

__all__ = [
    "CategoryFields",
    "Column",
    "ConfidenceInterval",
    "EstimateFields",
    "Result",
    "SummaryResult",
    "TableResult",
    "TableView",
    "flatten",
    "frame_records",
    "html_pairs",
    "html_table",
    "render_html",
    "render_text",
    "text_table",
]
