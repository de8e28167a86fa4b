"""The placeholders a follow-up message may use, and what each one holds.

Kept apart from [`netpromoter.followup`][netpromoter.followup] (which re-exports them) so
that the file readers, which read columns named like placeholders (``first_name``),
need not import the follow-up machinery.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

PLACEHOLDERS: Mapping[str, str] = MappingProxyType(
    {
        "agent_name": "who signs the message and follows up",
        "change": "what changed because of feedback like theirs (closing the loop)",
        "comment": "the respondent's own comment, taken from the response",
        "company": "your company or product name",
        "feedback_link": "where to send more feedback at any time",
        "first_name": "the respondent's first name",
        "help_link": "guides or help for features they may be missing",
        "referral_link": "the respondent's personal referral link",
        "referral_code": "the respondent's referral code",
        "review_link": "where to post a public review",
        "score": "the score they gave, 0 to 10, taken from the response",
    }
)
