"""netpromoter: Net Promoter Score analysis that is correct, fast and actionable.

Examples:
    >>> import netpromoter as nps
    >>> nps.score([10, 9, 8, 6]).nps
    25.0
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from netpromoter.core import (
    Category,
    Channel,
    NPSCounts,
    NPSResult,
    Response,
    classify,
    score,
)
from netpromoter.exceptions import (
    EmptyDataError,
    InvalidParameterError,
    InvalidScoreError,
    InvalidWeightsError,
    NetPromoterError,
    NetPromoterWarning,
    NoTemplateError,
    RenderError,
    SmallSampleWarning,
    TemplateError,
)
from netpromoter.followup import (
    FollowUp,
    FollowUpRules,
    Message,
    Template,
    TemplateLibrary,
    plan,
    render,
    select_template,
)
from netpromoter.privacy import pseudonymise

try:
    __version__ = version("netpromoter")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Category",
    "Channel",
    "EmptyDataError",
    "FollowUp",
    "FollowUpRules",
    "InvalidParameterError",
    "InvalidScoreError",
    "InvalidWeightsError",
    "Message",
    "NPSCounts",
    "NPSResult",
    "NetPromoterError",
    "NetPromoterWarning",
    "NoTemplateError",
    "RenderError",
    "Response",
    "SmallSampleWarning",
    "Template",
    "TemplateError",
    "TemplateLibrary",
    "__version__",
    "classify",
    "plan",
    "pseudonymise",
    "render",
    "score",
    "select_template",
]
