"""The NPS of every segment, tested against the rest of the data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpromoter import _stats
from netpromoter._input.source import EagerSource, LazySource
from netpromoter._stats.design import as_design
from netpromoter._validation import check_correction
from netpromoter.segmentation.estimates import DesignSE, cell_design_ses, design_ses
from netpromoter.segmentation.rows import Correction, Method, _check_min_n
from netpromoter.segmentation.table import (
    SegmentCounts,
    SegmentResult,
    read,
    result_of,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from netpromoter._input.source import Source
    from netpromoter._stats.design import Design
    from netpromoter._validation import MissingPolicy


def segment(
    data: object,
    by: str | Sequence[str],
    *,
    score: str = "score",
    weights: object = None,
    bands: Mapping[str, Sequence[float]] | None = None,
    missing: MissingPolicy = "raise",
    min_n: int = 30,
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
    correction: Correction = "holm",
) -> SegmentResult:
    """The NPS of every segment, tested against the rest of the data.

    One vectorised pass: the keys are factorised (missing values become ``"(missing)"``;
    pandas/polars categoricals use their own codes), combined into one code per row and
    every code × score is counted by the tally engine; the statistics are computed for
    all segments at once.

    Each segment is compared with all other responses by the two-sample z test of the
    method (SE ``sqrt(se_segment² + se_rest²)``); since the overall NPS is a weighted
    average of the segment and the rest, "equals the rest" and "equals the overall" are
    the same hypothesis. P-values are corrected for the number of segments: Holm (family-
    wise error, default) or Benjamini–Hochberg (``"bh"``, false discovery rate).
    ``SegmentResult.homogeneity`` answers the question before them: do the segments
    differ at all (an omnibus Wald test of equal NPS, shown in the caption)?

    With a weighting result as ``weights`` (from
    [`poststratify`][netpromoter.weighting.poststratify],
    [`rake`][netpromoter.weighting.rake], [`trim`][netpromoter.weighting.trim]...), each
    segment is a domain of that calibrated design: its SE (and the overall row's) is the
    one R ``survey`` gives for ``svyby(~I(promoter - detractor), ~segment, d, svymean)``,
    and the test against the rest uses the SE of the domain contrast NPS(segment) −
    NPS(rest), ``sqrt(se_segment² + se_rest² − 2 cov)`` with the covariance the
    calibration induces between the two. Plain weights keep the plain linearisation SE.

    Args:
        data: A list of ``Response`` (keys from their fields and ``segments``), a mapping
            of column name to array/list, a pandas, polars or pyarrow table, or a lazy or
            distributed frame (Dask, PySpark, polars ``LazyFrame``, DuckDB), which is
            tallied on its own engine (only the per-segment counts are collected).
        by: One key column or several, e.g. ``["region", "customer_type"]``.
        score: The score column.
        weights: ``None``, a weights column name, an array with one weight per row, or an
            object with a numpy ``weights`` attribute; a weighting result (or its
            ``Design``) also gives its design-based SEs.
        bands: Numeric key columns to cut into bands first, e.g.
            ``{"spend": [0, 100, 1000, math.inf]}`` gives ``"[0, 100)"``, ...
        missing: ``"raise"`` (default) or ``"drop"`` for missing scores, as in ``score``.
        min_n: Segments with fewer responses are flagged ``small_sample``.
        method: Interval method, ``"adjusted_wald"`` (default), ``"wald"``, ``"score"``
            or ``"exact"`` (unweighted only); the test against the rest uses Wald for
            ``"wald"`` and adjusted Wald otherwise (the score and exact intervals have no
            two-sample form).
        confidence_level: Two-sided confidence level.
        correction: ``"holm"`` (default), ``"bh"`` or ``"none"``.

    Returns:
        The segment table, in label order, with the overall row.

    Raises:
        ColumnNotFoundError: A column named in ``score``, ``by``, ``weights`` or ``bands``
            does not exist (the available ones are listed).
        ColumnLengthError: Columns of a mapping differ in length.
        InvalidParameterError: ``by`` is empty, or an option is out of range.
        InvalidScoreError: A score is invalid (positions named).
        InvalidWeightsError: A weight is NaN, negative or infinite (column named).
        EmptyDataError: There are no scores.

    Examples:
        >>> data = {"score": [10, 9, 3, 8, 10, 6], "region": ["n", "n", "s", "s", None, "s"]}
        >>> table = segment(data, "region", min_n=2)
        >>> [(row.key[0], row.n, round(row.nps, 1), row.small_sample) for row in table]
        [('n', 2, 100.0, False), ('s', 3, -66.7, False), ('(missing)', 1, 100.0, True)]
        >>> round(table.overall.nps, 2)
        16.67
    """
    min_n = _check_min_n(min_n)
    correction = check_correction(correction)
    _stats.z_value(confidence_level)
    source = read(data, by, score=score, weights=weights, bands=bands, missing=missing)
    # The engine's arrays as they are: no round trip through the tuples of the view.
    counted = source.tally()
    return result_of(
        counted,
        SegmentCounts.from_tally(counted),
        min_n=min_n,
        method=method,
        confidence_level=confidence_level,
        correction=correction,
        design=design_of(source, as_design(weights), counted.n_groups),
    )


def design_of(source: Source, design: Design | None, n_segments: int) -> DesignSE | None:
    """A calibrated design's SEs of the segments of ``source`` (``None`` without one)."""
    if isinstance(source, LazySource) and source.cells is not None:
        return cell_design_ses(source.cells, source.cell_counts)
    if design is None or not isinstance(source, EagerSource) or not len(source.scores):
        return None
    codes, _ = source.codes()
    return design_ses(design, source.scores, source.kept, codes, n_segments)
