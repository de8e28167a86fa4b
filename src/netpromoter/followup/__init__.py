"""Follow-up: templates as data, safe rendering, and a prioritised plan per response.

Every respondent should hear back, quickly, on the channel they used, with a message
that fits their category and what they wrote. This package turns responses into
ready-to-send follow-ups:

* [`Template`][netpromoter.followup.Template] and
  [`TemplateLibrary`][netpromoter.followup.TemplateLibrary]: messages as data, built in
  (Dutch and English, email and short SMS/chat variants) or loaded from your own
  TOML, JSON or YAML file;
* [`select_template`][netpromoter.followup.select_template]: the most specific template
  for a response, with documented fall-backs;
* [`render`][netpromoter.followup.render]: fills ``{placeholders}`` without evaluating
  anything and quotes the respondent's comment safely;
* [`plan`][netpromoter.followup.plan]: one prioritised
  [`FollowUp`][netpromoter.followup.FollowUp] per response, with a due date.
"""

from __future__ import annotations

from netpromoter._placeholders import PLACEHOLDERS
from netpromoter.followup.plan import FollowUp, FollowUpRules, plan
from netpromoter.followup.render import Message, render
from netpromoter.followup.select import select_template
from netpromoter.followup.templates import Template, TemplateLibrary
from netpromoter.followup.text import CHANNEL_LIMITS, sms_segments

__all__ = [  # noqa: RUF022 - plain sorted order, as checked against docs/api
    "CHANNEL_LIMITS",
    "FollowUp",
    "FollowUpRules",
    "Message",
    "PLACEHOLDERS",
    "Template",
    "TemplateLibrary",
    "plan",
    "render",
    "select_template",
    "sms_segments",
]
