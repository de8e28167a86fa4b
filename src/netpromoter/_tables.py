"""Plain-text and HTML tables for the ``__repr__`` and ``_repr_html_`` of results.

Every cell is text already formatted by the result; here it is only aligned (text) or
escaped (HTML), so no value reaches a notebook unescaped.
"""

from __future__ import annotations

import html
import math
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


#: P-values below this are shown as "< 0.001": a normal approximation's 5.55e-26 has no
#: meaningful digits (the full value stays in the result's data).
P_FLOOR = 0.001


def format_p(p: float | None) -> str:
    """A p-value for display: three decimals, ``"< 0.001"`` below 0.001, ``""`` for none.

    Examples:
        >>> format_p(0.04567), format_p(5.55e-26), format_p(None), format_p(float("nan"))
        ('0.046', '< 0.001', '', 'nan')
    """
    if p is None:
        return ""
    if math.isnan(p):
        return "nan"
    return f"< {P_FLOOR:g}" if p < P_FLOOR else f"{p:.3f}"


def p_text(p: float | None) -> str:
    """``"p = 0.046"`` or ``"p < 0.001"``, for captions and short reprs.

    Examples:
        >>> p_text(0.04567), p_text(1e-30)
        ('p = 0.046', 'p < 0.001')
    """
    shown = format_p(p)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"
