"""Plain-text and HTML tables for the ``__repr__`` and ``_repr_html_`` of results.

Every cell is text already formatted by the result; here it is only aligned (text) or
escaped (HTML), so no value reaches a notebook unescaped.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Right-aligned columns, two spaces apart, header first.

    Examples:
        >>> print(text_table(["a", "nps"], [["x", "+1.0"]]))
        a   nps
        x  +1.0
    """
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def html_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    css: str = "netpromoter-table",
) -> str:
    """An HTML table with every header, cell and the caption escaped.

    Examples:
        >>> html_table(["a"], [["<b>"]], caption="x & y")[:61]
        "<table class='netpromoter-table'><caption>x &amp; y</caption>"
        >>> "<td>&lt;b&gt;</td>" in html_table(["a"], [["<b>"]], css="t")
        True
    """
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    title = "" if caption is None else f"<caption>{html.escape(caption)}</caption>"
    return (
        f"<table class='{css}'>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
