"""NPS per segment: department, journey step, region, customer type, spend band, agent.

[`segment`][netpromoter.segmentation.segment] reads the data once through the input
layer, factorises and combines the keys, and counts every key × score in one pass of the
tally engine; every statistic then comes from the statistics layer, vectorised over the
segments. Each segment is tested against the rest of the data, with p-values corrected
for the number of segments (Holm by default, Benjamini–Hochberg on request). Small
segments are flagged, never dropped, and missing key values form a ``"(missing)"`` group.

[`rank`][netpromoter.segmentation.rank] ranks agents (or any small units) fairly, by an
empirical-Bayes estimate that shrinks each agent's NPS toward the overall NPS in
proportion to how little data the agent has.

[`SegmentCounts`][netpromoter.segmentation.SegmentCounts] is the mergeable per-segment
tally: compute it on chunks or workers, add the parts, and get the same result as on
the whole data.
"""

from __future__ import annotations

from netpromoter.segmentation.rank import MAX_DRAWS as MAX_DRAWS
from netpromoter.segmentation.rank import RankResult, RankRow, rank
from netpromoter.segmentation.rows import ALL as ALL
from netpromoter.segmentation.rows import Correction as Correction
from netpromoter.segmentation.rows import HomogeneityTest, SegmentRow
from netpromoter.segmentation.rows import Method as Method
from netpromoter.segmentation.segment import segment
from netpromoter.segmentation.table import SegmentCounts, SegmentResult

__all__ = [
    "HomogeneityTest",
    "RankResult",
    "RankRow",
    "SegmentCounts",
    "SegmentResult",
    "SegmentRow",
    "rank",
    "segment",
]
