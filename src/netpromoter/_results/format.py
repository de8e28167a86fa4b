"""How numbers read in tables: one formatting rule per kind of value.

Every text table, HTML table and report cell formats its numbers here, so an NPS, a share,
an interval or a p-value reads the same wherever it is shown.

Examples:
    >>> signed(12.345), share(0.4567), interval((-3.21, 14.0)), p_value(0.00002)
    ('+12.3', '45.7%', '[-3.2, +14.0]', '< 0.001')
"""

from __future__ import annotations

import math

#: p-values below this are shown as "< 0.001" (their full value stays in the data).
P_FLOOR = 0.001
#: Shown for a value that is not defined (no responses, no reference).
BLANK = ""


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def signed(value: float | None, digits: int = 1) -> str:
    """An NPS or a change in points, with its sign: ``+12.3``, ``-4.0``, ``+0.0``."""
    if _missing(value):
        return BLANK
    return f"{value:+.{digits}f}"


def number(value: float | None, digits: int = 1) -> str:
    """A number with thousands separators and fixed decimals (tiny ones in 3 digits).

    Examples:
        >>> number(1234.5678, 3), number(0.00042), number(float("inf"))
        ('1,234.568', '0.00042', 'inf')
    """
    if _missing(value):
        return BLANK
    assert value is not None  # noqa: S101 - narrowed by _missing
    if not math.isfinite(value):
        return str(value)
    if value != 0 and abs(value) < 10 ** (-digits):
        return f"{value:.3g}"
    return f"{value:,.{digits}f}"


def count(value: float | None) -> str:
    """A count with thousands separators; a weighted sum with one decimal."""
    if value is None or _missing(value):
        return BLANK
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def share(value: float | None, digits: int = 1) -> str:
    """A share 0..1 as a percentage: ``45.7%``."""
    if _missing(value):
        return BLANK
    return f"{value:.{digits}%}"


def interval(bounds: tuple[float, float] | None, digits: int = 1) -> str:
    """An interval of NPS points: ``[-3.2, +14.0]``."""
    if bounds is None or _missing(bounds[0]) or _missing(bounds[1]):
        return BLANK
    return f"[{signed(bounds[0], digits)}, {signed(bounds[1], digits)}]"


def p_value(value: float | None) -> str:
    """A p-value with three decimals, or ``< 0.001`` below that (``nan`` when undefined).

    Examples:
        >>> p_value(0.04567), p_value(5.55e-26), p_value(None), p_value(float("nan"))
        ('0.046', '< 0.001', '', 'nan')
    """
    if value is None:
        return BLANK
    if math.isnan(value):
        return "nan"
    return f"< {P_FLOOR}" if value < P_FLOOR else f"{value:.3f}"


def p_text(value: float | None) -> str:
    """``p = 0.046`` or ``p < 0.001``, for captions and one-line summaries.

    Examples:
        >>> p_text(0.04567), p_text(1e-30)
        ('p = 0.046', 'p < 0.001')
    """
    shown = p_value(value)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def flag(value: bool | None, text: str) -> str:  # noqa: FBT001 - a cell's value
    """``text`` where the flag is set, else blank."""
    return text if value else BLANK


def label(value: object) -> str:
    """A group label as text."""
    return BLANK if value is None else str(value)
