"""The one table renderer: plain text for ``repr`` and terminals, HTML for notebooks.

The report uses it too. Cells arrive formatted (see [`format`][netpromoter._results.format]); here
they are only aligned, escaped and, for long tables, shortened to their head and tail.

Examples:
    >>> print(text_table(["a", "nps"], [["x", "+1.0"]]))
    a   nps
    x  +1.0
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Rows shown of a long table: this many from the head and from the tail.
EDGE_ROWS = 10


@dataclass(frozen=True)
class TableView:
    """A table ready to render: formatted cells, and what to say around them.

    Attributes:
        header: Column headers.
        rows: Formatted cells, one list per row.
        caption: One line above the table.
        footer: Rows shown below the others, never shortened (such as an overall row).
        numeric: Positions of the columns to align right in HTML.
        notes: Lines below the table.
    """

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""
    footer: Sequence[Sequence[str]] = ()
    numeric: frozenset[int] = field(default_factory=frozenset)
    notes: Sequence[str] = ()


def shorten(
    rows: Sequence[Sequence[str]], edge: int = EDGE_ROWS
) -> tuple[list[Sequence[str]], int, int]:
    """Head and tail of a long table: the rows kept, where the gap is, how many left out.

    Examples:
        >>> kept, at, left_out = shorten([[str(i)] for i in range(25)], edge=2)
        >>> [r[0] for r in kept], at, left_out
        (['0', '1', '23', '24'], 2, 21)
    """
    if len(rows) <= 2 * edge + 1:
        return list(rows), len(rows), 0
    return [*rows[:edge], *rows[-edge:]], edge, len(rows) - 2 * edge


def _more(count: int) -> str:
    return f"… {count:,} more row" + ("" if count == 1 else "s")


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Right-aligned columns, two spaces apart, header first."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def render_text(view: TableView, *, edge: int = EDGE_ROWS) -> str:
    """The caption, the (shortened) table, its footer rows and notes, as plain text."""
    kept, at, left_out = shorten(view.rows, edge)
    body = [*kept, *view.footer]
    lines = text_table(view.header, body).split("\n")
    if left_out:
        lines.insert(1 + at, _more(left_out))
    head = [view.caption] if view.caption else []
    return "\n".join([*head, *lines, *view.notes])


def html_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    css: str = "netpromoter-table",
    numeric: frozenset[int] | set[int] = frozenset(),
) -> str:
    """An HTML table with every header, cell and the caption escaped.

    Examples:
        >>> html_table(["a"], [["<b>"]], caption="x & y")[:61]
        "<table class='netpromoter-table'><caption>x &amp; y</caption>"
        >>> "<td>&lt;b&gt;</td>" in html_table(["a"], [["<b>"]], css="t")
        True
    """

    def cell(tag: str, i: int, value: str) -> str:
        css_class = " class='num'" if i in numeric else ""
        return f"<{tag}{css_class}>{html.escape(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    title = "" if caption is None else f"<caption>{html.escape(caption)}</caption>"
    return (
        f"<table class='{css}'>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def render_html(view: TableView, *, edge: int = EDGE_ROWS, css: str = "netpromoter-table") -> str:
    """The table as escaped HTML, shortened like pandas shortens long frames."""
    kept, at, left_out = shorten(view.rows, edge)
    rows: list[Sequence[str]] = list(kept)
    if left_out:
        rows.insert(at, ["…"] * len(view.header))
    table = html_table(
        view.header,
        [*rows, *view.footer],
        caption=view.caption or None,
        css=css,
        numeric=view.numeric,
    )
    extra = [_more(left_out)] if left_out else []
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in [*extra, *view.notes])
    return table + notes


def html_pairs(rows: Sequence[Sequence[str]], *, css: str = "netpromoter-result") -> str:
    """A two-column HTML table of labels and values (a one-record summary), escaped.

    Examples:
        >>> html_pairs([["NPS", "+12.0"]])[34:]
        "<tr><th style='text-align:left'>NPS</th><td>+12.0</td></tr></table>"
    """
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
        f"<td>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    return f"<table class='{css}'>{body}</table>"
