"""netpromoter: Net Promoter Score analysis that is correct, fast and actionable.

Examples:
    >>> import netpromoter as nps
    >>> nps.score([10, 9, 8, 6]).nps
    25.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter import exceptions
from netpromoter._lazy import attach, typed_homes
from netpromoter.exceptions import *  # noqa: F403 - every error and warning, named in exceptions.__all__

if TYPE_CHECKING:
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
    )

    # rank, segment and composition are imported from the modules that define them: for
    # mypy, the modules of the same names shadow them in their packages.
    from netpromoter.segmentation.rank import rank
    from netpromoter.segmentation.segment import segment
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
        poststratify,
        rake,
        response_rates,
        spend_weights,
        trim,
    )
    from netpromoter.weighting.composition import composition

    __version__: str

#: Where each public name lives (the imports above): a module is imported when one of its
#: names is first used, so that ``import netpromoter`` (and the command line) load only
#: what is used.
_HOMES = typed_homes(__file__)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - on demand

    try:
        return version("netpromoter")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


# The public modules load on first use too (``netpromoter.trends``), as ``import
# netpromoter`` once imported them all.
__getattr__, __dir__ = attach(
    __name__,
    _HOMES,
    {"__version__": _version},
    modules=sorted({module.split(".")[1] for module in _HOMES}),
)

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
