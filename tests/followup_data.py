"""A realistic follow-up context and comments, shared by the follow-up tests."""

from __future__ import annotations

from datetime import datetime, timezone

from netpromoter import Category

CONTEXT = {
    "first_name": "Sanne",
    "company": "Acme",
    "agent_name": "Mark de Vries",
    "referral_link": "https://acme.example/r/SANNE1",
    "referral_code": "SANNE1",
    "review_link": "https://acme.example/review",
    "help_link": "https://acme.example/help",
    "feedback_link": "https://acme.example/feedback",
    "change": "our helpdesk now also answers on Saturdays.",
}
"""Values for every placeholder, of realistic length."""

CONTEXT_NL = {**CONTEXT, "change": "onze helpdesk is nu ook op zaterdag bereikbaar."}
"""The same, with a Dutch ``change``."""

SCORES = {Category.PROMOTER: 9, Category.PASSIVE: 7, Category.DETRACTOR: 3}
"""A typical score per category."""

COMMENTS = {
    ("en", Category.PROMOTER): "Setting up was quick and your support team is always friendly.",
    ("en", Category.PASSIVE): "Works fine, but the reports are hard to find.",
    ("en", Category.DETRACTOR): "My delivery was a week late and nobody answered my emails.",
    ("nl", Category.PROMOTER): "Snel geregeld en de klantenservice is altijd vriendelijk.",
    ("nl", Category.PASSIVE): "Werkt prima, maar de rapporten zijn lastig te vinden.",
    ("nl", Category.DETRACTOR): "Mijn levering was een week te laat en niemand reageerde.",
}
"""A realistic comment per language and category."""

MONDAY = datetime(2026, 2, 2, 9, 30, tzinfo=timezone.utc)
"""A Monday morning, UTC."""
