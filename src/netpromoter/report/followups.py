"""The follow-up workload of a report: the plan of the recent responses, counted."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from netpromoter._models import Category, Response
from netpromoter.followup import PLACEHOLDERS, plan
from netpromoter.report.parts import FollowUpWorkload

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime


def placeholder_context(static: Mapping[str, str]) -> Callable[[Response], dict[str, str]]:
    """A follow-up context: ``static`` values plus each response's own placeholder columns.

    A response whose ``segments`` hold a column named like a placeholder (``first_name``,
    ``referral_code``, ...) fills that placeholder with its own non-empty value. Pass the
    result as ``context`` to [`plan`][netpromoter.followup.plan].

    Examples:
        >>> context = placeholder_context({"company": "Acme"})
        >>> context(Response(score=9, segments={"first_name": "Sanne"}))
        {'company': 'Acme', 'first_name': 'Sanne'}
    """
    names = [name for name in PLACEHOLDERS if name not in {"comment", "score"}]

    def context(response: Response) -> dict[str, str]:
        values = dict(static)
        for name in names:
            value = response.segments.get(name)
            if value:
                values[name] = value
        return values

    return context


def workload(
    recent: Sequence[Response],
    *,
    now: datetime,
    since: datetime,
    context: Mapping[str, str],
) -> FollowUpWorkload:
    """The follow-up plan of the responses submitted from ``since`` to ``now``, counted."""
    planned = plan(recent, now=now, context=placeholder_context(context))
    due: dict[str, Counter[str]] = {}
    for item in planned:
        due.setdefault(item.due.date().isoformat(), Counter())[str(item.category)] += 1
    categories = Counter(str(item.category) for item in planned)
    return FollowUpWorkload(
        planned_at=now,
        since=since,
        n=len(planned),
        by_category={c.value: categories.get(c.value, 0) for c in Category},
        by_channel=dict(sorted(Counter(str(item.channel) for item in planned).items())),
        by_due_date=tuple(
            (day, c["detractor"], c["passive"], c["promoter"]) for day, c in sorted(due.items())
        ),
        overdue=sum(item.overdue for item in planned),
    )
