"""The report as one self-contained HTML page: inline CSS and SVG, no scripts.

The page wraps the report's own HTML (its sections, see
[`sections`][netpromoter.report.sections]) in a document with a strict content policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter.report.sections import esc

if TYPE_CHECKING:
    from netpromoter.report.model import Report

# Charts are drawn twice (see sections._chart): the wide drawing above 640 px, the narrow
# one below, each filling the column, so that their 13-unit labels show at 12 px or more.
# Tables scroll sideways inside their own box, with a shadow at an edge that has more to
# see; nothing makes the page wider than the screen.
_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1c2833;margin:0;
background:#f4f6f6}
main{max-width:760px;margin:0 auto;padding:24px 20px 48px;background:#fff}
h1{font-size:1.6rem;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:32px 0 8px;border-bottom:1px solid #e5e8e8;padding-bottom:4px;
overflow-wrap:anywhere}
.meta{color:#566573;font-size:.85rem;overflow-wrap:anywhere}
.headline{display:flex;flex-wrap:wrap;gap:4px 28px;align-items:baseline;margin:18px 0 6px}
.nps{font-size:3.2rem;font-weight:700}
.ci{font-size:1rem;color:#566573}
.chart svg{display:block;width:100%;height:auto;margin:8px 0}
.chart .narrow{display:none}
.scroll{overflow-x:auto;max-width:100%;background:
linear-gradient(to right,#fff 40%,#fff0) left/28px 100% no-repeat local,
linear-gradient(to left,#fff 40%,#fff0) right/28px 100% no-repeat local,
radial-gradient(farthest-side at 0 50%,#0003,#0000) left/12px 100% no-repeat scroll,
radial-gradient(farthest-side at 100% 50%,#0003,#0000) right/12px 100% no-repeat scroll}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:8px 0}
th,td{padding:4px 8px;border-bottom:1px solid #eaeded;text-align:left;white-space:nowrap}
td:first-child:not(.num){white-space:normal;min-width:7em}
table.reasons td:last-child{white-space:normal;min-width:11em}
.num{text-align:right}
table.flagged td:last-child{color:#c0392b;text-align:left}
p.note{color:#566573;font-size:.85rem;overflow-wrap:anywhere}
@media (max-width:640px){
main{padding:16px 12px 32px}
h1{font-size:1.35rem}
.nps{font-size:2.6rem}
.chart .wide{display:none}
.chart .narrow{display:block}
th,td{padding:4px 5px}
}
"""


def render_html(report: Report) -> str:
    """One self-contained HTML page: inline CSS and SVG, no scripts, no external assets.

    Every text from the data (segment labels, file names, rejected values) is escaped.

    Examples:
        >>> from netpromoter import Response
        >>> from netpromoter.report import build_report
        >>> page = render_html(build_report([Response(score=9, segments={"t": "<b>"})],
        ...                                 by=["t"], period=None, min_n=1))
        >>> "<b>" in page, "&lt;b&gt;" in page
        (False, True)
    """
    return (
        f"<!DOCTYPE html>\n<html lang='{report.language}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(report.title)}</title><style>{_CSS}</style></head>"
        f"<body><main>\n{report._repr_html_()}\n</main></body></html>\n"
    )
