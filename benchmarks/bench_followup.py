"""Benchmark follow-up planning: ``plan()`` and its parts on realistic responses.

Run ``python benchmarks/bench_followup.py`` (``--sizes 1000 10000`` to choose sizes,
``--repeat N`` for more repetitions). Responses mix the three categories, email and
SMS, Dutch and English, and comments of 0 to 600 characters; a third of the SMS
comments are long enough to be shortened. The best of N wall-clock times is reported
as responses per second, for the whole plan and for template selection alone.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import netpromoter as nps

if TYPE_CHECKING:
    from collections.abc import Callable

CONTEXT = {
    "first_name": "Sanne",
    "company": "Acme",
    "agent_name": "Mark de Vries",
    "referral_link": "https://acme.example/r/SANNE1",
    "help_link": "https://acme.example/help",
    "feedback_link": "https://acme.example/feedback",
    "review_link": "https://acme.example/review",
}
WORDS = [
    "the",
    "delivery",
    "was",
    "late",
    "but",
    "support",
    "was",
    "friendly",
    "and",
    "quick",
    "to",
    "help",
    "me",
    "out",
]


def make_responses(n: int, seed: int = 7) -> list[nps.Response]:
    """``n`` varied responses over one week."""
    rng = random.Random(seed)
    start = datetime(2026, 2, 2, tzinfo=timezone.utc)
    out = []
    for i in range(n):
        words = rng.choice([0, 0, 5, 12, 100])
        out.append(
            nps.Response(
                score=rng.randint(0, 10),
                respondent_id=f"r-{i}",
                channel=rng.choice(["email", "sms", "web"]),
                language=rng.choice(["en", "nl", "nl-BE"]),
                comment=" ".join(rng.choice(WORDS) for _ in range(words)) or None,
                submitted_at=start + timedelta(minutes=rng.randint(0, 7 * 24 * 60)),
            )
        )
    return out


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Best wall-clock seconds of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        begin = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - begin)
    return best


def main() -> None:
    """Print responses per second for plan() and select_template()."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    library = nps.TemplateLibrary.builtin()
    now = datetime(2026, 2, 9, tzinfo=timezone.utc)
    print(f"{'responses':>10} {'what':<32} {'seconds':>9} {'responses/s':>12}")
    invite_all = nps.FollowUpRules(review_invitations="everyone")
    for size in args.sizes:
        responses = make_responses(int(size))

        def select(r: list[nps.Response] = responses) -> object:
            return [nps.select_template(x, library) for x in r]

        def plain(r: list[nps.Response] = responses) -> object:
            return nps.plan(r, now=now, context=CONTEXT)

        def inviting(r: list[nps.Response] = responses) -> object:
            return nps.plan(r, now=now, context=CONTEXT, rules=invite_all)

        rows: list[tuple[str, Callable[[], object]]] = [
            ("select_template", select),
            ("plan", plain),
            ("plan, review invitations", inviting),
        ]
        for name, fn in rows:
            seconds = best_time(fn, args.repeat)
            print(f"{int(size):>10,} {name:<32} {seconds:>9.3f} {size / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
