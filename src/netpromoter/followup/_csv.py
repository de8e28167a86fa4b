"""A follow-up plan written as CSV straight from its tuples, in chunks.

The file is the one ``write_csv`` writes from ``[f.to_dict() for f in plan(...)]`` with
``respondent_ids="keep"`` (the plan is for sending, so it holds the real ids), byte for
byte, without a ``FollowUp``, ``Message`` or dictionary per follow-up: the columns come
from the tuple directly and cells of the few values that repeat (category, channel,
template id, flags) are formatted once.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from netpromoter.io._write import _csv_cell, csv_line, neutralise

if TYPE_CHECKING:
    from datetime import datetime

    from netpromoter.followup.plan import _Planned

COLUMNS = (
    "position",
    "respondent_id",
    "account_id",
    "category",
    "score",
    "priority",
    "due",
    "submitted_at",
    "overdue",
    "channel",
    "language",
    "template_id",
    "notify_account_contact",
    "invite_review",
    "truncated",
    "subject",
    "body",
)
"""The columns, in the order of ``FollowUp.to_dict`` with the message."""

_CHUNK = 10_000
"""Follow-ups formatted and written at a time."""

_SEEN = 65_536
"""Formatted cells remembered for reuse (bodies repeat when messages render alike)."""


def write_plan_csv(planned: list[_Planned], planned_at: datetime, handle: IO[str]) -> int:
    """Write the plan's follow-ups (sorted already) to an open text file.

    Args:
        planned: The follow-ups, most urgent first.
        planned_at: The plan's ``now`` (for ``overdue``).
        handle: Where to write.

    Returns:
        The number of rows written.
    """
    seen: dict[tuple[type, object], str | int | float] = {}

    def cached(value: object) -> str | int | float:
        key = (type(value), value)
        cell = seen.get(key)
        if cell is None:
            if len(seen) >= _SEEN:
                seen.clear()
            cell = seen[key] = _csv_cell(value, safe=True)
        return cell

    def when(value: datetime | None) -> str:
        # An ISO time starts with a digit and holds no break, quote or comma: as it is.
        return "" if value is None else value.isoformat()

    handle.write("\ufeff")
    if not planned:  # as write_csv: a header of no columns
        handle.write(csv_line([], ","))
        return 0
    handle.write(csv_line([neutralise(h) for h in COLUMNS], ","))
    for start in range(0, len(planned), _CHUNK):
        lines = []
        for item in planned[start : start + _CHUNK]:
            message = item.message
            lines.append(
                csv_line(
                    [
                        item.position,
                        _csv_cell(item.respondent_id, safe=True),
                        cached(item.account_id),
                        cached(item.category),
                        item.score,
                        item.priority,
                        when(item.due),
                        when(item.submitted_at),
                        cached(item.due < planned_at),
                        cached(message.channel),
                        cached(message.language),
                        cached(message.template_id),
                        cached(item.notify_account_contact),
                        cached(item.invite_review),
                        cached(message.truncated),
                        cached(message.subject),
                        cached(message.body),
                    ],
                    ",",
                )
            )
        handle.write("".join(lines))
    return len(planned)
