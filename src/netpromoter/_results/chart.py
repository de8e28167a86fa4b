"""Charts of results: the HTML report's SVG charts, shown inline in notebooks and saved.

A result's ``plot()`` draws with the report's own chart code (``netpromoter._svg``) and
returns a [`Chart`][netpromoter._results.chart.Chart]: Jupyter shows it (``_repr_svg_``,
``_repr_html_``) and ``save`` writes it to an ``.svg`` or ``.html`` file. No plotting
library is needed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from netpromoter import _svg
from netpromoter._results import format as fmt
from netpromoter._validation import check_int
from netpromoter.exceptions import InvalidParameterError, ParameterTypeError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

__all__ = ["Chart", "first_rows", "forest", "key_label"]

_RowT = TypeVar("_RowT")
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
#: Rows a forest draws by default: more make a chart taller than a screen.
DEFAULT_ROWS = 40


class Chart:
    """A chart as SVG markup: displayed inline by Jupyter, saved with ``save``.

    Attributes:
        svg: The standalone ``<svg>`` element.

    Examples:
        >>> import netpromoter as nps
        >>> chart = nps.score([10, 9, 8, 6, 3]).plot()
        >>> chart.svg.startswith("<svg")
        True
    """

    __slots__ = ("svg",)

    svg: str

    def __init__(self, svg: str) -> None:
        if not isinstance(svg, str) or not svg.lstrip().startswith("<svg"):
            msg = f"a chart is an <svg> element, got {type(svg).__name__}"
            raise ParameterTypeError(msg, name="svg", value=svg)
        if "xmlns=" not in svg.split(">", 1)[0]:
            # A standalone SVG (a file, an <img>) needs its namespace; inline HTML does not.
            svg = svg.replace("<svg", f"<svg xmlns='{_SVG_NAMESPACE}'", 1)
        self.svg = svg

    @property
    def title(self) -> str:
        """The chart's title (also its accessible name)."""
        found = _TITLE.search(self.svg)
        return "" if found is None else found.group(1)

    def __repr__(self) -> str:
        return f"Chart({self.title!r})"

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return f"<div class='netpromoter-chart'>{self.svg}</div>"

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the chart to ``path``: an ``.svg`` file, or an ``.html`` page.

        Args:
            path: The file to write; its suffix (``.svg`` or ``.html``) says which.

        Returns:
            The path written.

        Raises:
            InvalidParameterError: For another suffix.
            ParameterTypeError: When ``path`` is not a path.
        """
        if not isinstance(path, str | Path):
            msg = f"path must be a file path (text or pathlib.Path), got {type(path).__name__}"
            raise ParameterTypeError(msg, name="path", value=path)
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".svg":
            text = f"<?xml version='1.0' encoding='utf-8'?>\n{self.svg}\n"
        elif suffix in {".html", ".htm"}:
            text = (
                "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
                f"<title>{self.title}</title></head><body>{self.svg}</body></html>\n"
            )
        else:
            msg = f"a chart is saved as .svg or .html, got {str(path)!r}"
            raise InvalidParameterError(msg, name="path", value=path)
        target.write_text(text, encoding="utf-8")
        return target


def key_label(key: Iterable[object]) -> str:
    """A row's labels as one text: ``"north / new"``."""
    return " / ".join(fmt.label(k) for k in key)


def first_rows(
    rows: Sequence[_RowT], max_rows: int, *, word: str = "first"
) -> tuple[Sequence[_RowT], str]:
    """The rows a chart draws (at most ``max_rows``, checked) and a note for its title.

    Examples:
        >>> first_rows([1, 2, 3], 2)
        ([1, 2], ' (first 2 of 3)')
    """
    shown = rows[: check_int(max_rows, "max_rows", minimum=1)]
    more = f" ({word} {len(shown):,} of {len(rows):,})" if len(shown) < len(rows) else ""
    return shown, more


def forest(rows: Sequence[_svg.Interval], reference: float | None, title: str) -> Chart:
    """A dot-and-whisker chart of estimates with their intervals (the report's forest)."""
    return Chart(_svg.forest(rows, reference, title))
