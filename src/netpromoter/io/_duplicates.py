"""Answers of one respondent in one period: keep the latest, keep all, or refuse."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from netpromoter.exceptions import DuplicateResponseError
from netpromoter.io._rejection import Problem

DuplicatePolicy = Literal["keep_latest", "keep_all", "error"]
Period = Literal["day", "week", "month", "quarter", "year"]
_SHOWN = 5


def _period_key(when: datetime | None, period: Period) -> object:
    if when is None:
        return None
    if period == "day":
        return when.date()
    if period == "week":
        return when.isocalendar()[:2]
    if period == "month":
        return (when.year, when.month)
    if period == "quarter":
        return (when.year, (when.month - 1) // 3 + 1)
    return when.year


def _period_label(when: datetime | None, period: Period) -> str:
    if when is None:
        return "no date"
    labels = {
        "day": when.date().isoformat(),
        "week": "{}-W{:02d}".format(*when.isocalendar()[:2]),
        "month": f"{when.year}-{when.month:02d}",
        "quarter": f"{when.year}-Q{(when.month - 1) // 3 + 1}",
        "year": str(when.year),
    }
    return labels[period]


Fields = dict[str, Any]
"""The validated fields of one row: the keyword arguments of its ``Response``."""


def apply_duplicates(
    accepted: list[tuple[int, Fields]],
    policy: DuplicatePolicy,
    period: Period,
    id_header: str,
    name: str,
) -> tuple[list[tuple[int, Fields]], list[Problem]]:
    groups: dict[tuple[str, object], list[tuple[int, Fields]]] = {}
    for line, fields in accepted:
        if fields.get("respondent_id") is not None:
            key = (fields["respondent_id"], _period_key(fields.get("submitted_at"), period))
            groups.setdefault(key, []).append((line, fields))
    repeated = [group for group in groups.values() if len(group) > 1]
    if not repeated or policy == "keep_all":
        return accepted, []
    if policy == "error":
        shown = "; ".join(
            f"{group[0][1]['respondent_id']!r} in "
            f"{_period_label(group[0][1].get('submitted_at'), period)} "
            f"(lines {', '.join(str(line) for line, _ in group)})"
            for group in repeated[:_SHOWN]
        )
        more = len(repeated) - _SHOWN
        msg = (
            f"{name}: {len(repeated)} respondents answered more than once per {period}: {shown}"
            + (f" and {more} more" if more > 0 else "")
            + "; pass duplicates='keep_latest' or 'keep_all'"
        )
        raise DuplicateResponseError(msg, lines=[[line for line, _ in group] for group in repeated])
    dropped: dict[int, Problem] = {}
    for group in repeated:
        latest_line, latest = max(
            group,
            key=lambda item: (
                item[1].get("submitted_at") is not None,
                item[1].get("submitted_at") or datetime.min.replace(tzinfo=timezone.utc),
                item[0],
            ),
        )
        label = _period_label(latest.get("submitted_at"), period)
        for line, fields in group:
            if line != latest_line:
                reason = (
                    f"duplicate: respondent answered again in {label} (line {latest_line}); "
                    "kept the latest answer (duplicates='keep_latest')"
                )
                dropped[line] = Problem(line, id_header, reason, fields["respondent_id"])
    kept = [(line, r) for line, r in accepted if line not in dropped]
    return kept, [dropped[line] for line in sorted(dropped)]
