"""netpromoter: Net Promoter Score analysis that is correct, fast and actionable.

Examples:
    >>> import netpromoter as nps
    >>> nps.score([10, 9, 8, 6]).nps
    25.0
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from netpromoter import exceptions
from netpromoter.core import (
    Category,
    Channel,
    NPSCounts,
    NPSResult,
    Response,
    classify,
    score,
)
from netpromoter.drivers import KeyDriverResult, ThemeResult, key_drivers, themes
from netpromoter.exceptions import *  # noqa: F403 - every error and warning, named in exceptions.__all__
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
from netpromoter.inference import (
    BenchmarkResult,
    ComparisonResult,
    compare,
    compare_to_benchmark,
    margin_of_error,
    sample_size,
    sample_size_for_difference,
)
from netpromoter.privacy import pseudonymise
from netpromoter.segmentation import (
    HomogeneityTest,
    RankResult,
    RankRow,
    SegmentCounts,
    SegmentResult,
    SegmentRow,
    rank,
    segment,
)
from netpromoter.trends import (
    Change,
    DecompositionResult,
    DecompositionRow,
    RespondentRow,
    TransitionRow,
    TrendResult,
    TrendRow,
    trend,
)
from netpromoter.weighting import (
    WeightingResult,
    account_weights,
    composition,
    poststratify,
    rake,
    response_rates,
    spend_weights,
    trim,
)

try:
    __version__ = version("netpromoter")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "BenchmarkResult",
    "Category",
    "Change",
    "Channel",
    "ComparisonResult",
    "DecompositionResult",
    "DecompositionRow",
    "FollowUp",
    "FollowUpRules",
    "HomogeneityTest",
    "KeyDriverResult",
    "Message",
    "NPSCounts",
    "NPSResult",
    "RankResult",
    "RankRow",
    "RespondentRow",
    "Response",
    "SegmentCounts",
    "SegmentResult",
    "SegmentRow",
    "Template",
    "TemplateLibrary",
    "ThemeResult",
    "TransitionRow",
    "TrendResult",
    "TrendRow",
    "WeightingResult",
    "__version__",
    "account_weights",
    "classify",
    "compare",
    "compare_to_benchmark",
    "composition",
    "key_drivers",
    "margin_of_error",
    "plan",
    "poststratify",
    "pseudonymise",
    "rake",
    "rank",
    "render",
    "response_rates",
    "sample_size",
    "sample_size_for_difference",
    "score",
    "segment",
    "select_template",
    "spend_weights",
    "themes",
    "trend",
    "trim",
]
#: Every error and warning of [`netpromoter.exceptions`][netpromoter.exceptions].
__all__ += exceptions.__all__
