"""The types of what netpromoter's functions accept, for annotating code that calls them.

Also what results give back: the named pair every interval is (``ConfidenceInterval``)
and the chart ``plot()`` draws (``Chart``); and the labelled, mergeable ``Tally`` (counts,
Σw and Σw² per group × score) that ``trend_from_tally`` reads.

Examples:
    >>> import netpromoter as nps
    >>> from netpromoter.typing import Data
    >>> def monthly(data: Data) -> nps.TrendResult:
    ...     return nps.trend(data, period="month")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, Union

from netpromoter._results import ConfidenceInterval
from netpromoter._results.chart import Chart
from netpromoter._tally import Tally

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from netpromoter.core import Response

__all__ = [
    "Chart",
    "ConfidenceInterval",
    "Data",
    "Frame",
    "Keys",
    "MissingPolicy",
    "Scores",
    "Tally",
    "TimeZone",
    "Weights",
]

#: A dataframe: pandas, polars (eager or lazy), pyarrow, Dask, PySpark, DuckDB... Typed
#: loosely, since none of them is a dependency of netpromoter.
Frame: TypeAlias = Any
#: A table of responses: a list of ``Response``, a mapping of column name to values
#: (lists or numpy arrays, all of one length), or a dataframe.
Data: TypeAlias = Union["Sequence[Response]", Mapping[str, Any], Frame]
#: Scores themselves: a numpy array, a sequence of integers, ``Response`` objects, or a
#: one-column dataframe.
Scores: TypeAlias = Union["NDArray[np.integer[Any] | np.floating[Any]]", Iterable[object], Frame]
#: Weights: the name of a weights column, one weight per input row, or a weighting result
#: (from ``poststratify``, ``rake``, ``trim``...), whose design gives the standard errors.
Weights: TypeAlias = Union[str, "NDArray[np.floating[Any]]", Sequence[float], Any, None]
#: Key columns to group by: one name, or several.
Keys: TypeAlias = str | Sequence[str]
#: What to do with a missing score: reject it (naming where) or drop it (and count it).
MissingPolicy: TypeAlias = Literal["raise", "drop"]
#: A time zone: an IANA name such as ``"Europe/Amsterdam"``, or a ``tzinfo``.
TimeZone: TypeAlias = str | tzinfo
