"""Changes and their verdicts: each row against its reference rows, tested as one family.

Every row is compared with the previous (non-overlapping) window and with the same period
a year before. The tests are those of [`difference`][netpromoter._stats.difference]: two
independent samples, less the covariance of repeat respondents (paired sums) and of a
calibrated design (domain contrasts). The p-values of every comparison that can get a
verdict, in every series and of both kinds, are adjusted together.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from netpromoter import _stats
from netpromoter.trends.overlap import paired_sums
from netpromoter.trends.rows import Change, interval_or_none, none_if_nan

if TYPE_CHECKING:
    from collections.abc import Mapping

    from numpy.typing import NDArray

    from netpromoter._tally import Tally
    from netpromoter._validation import Correction
    from netpromoter.trends.design import DesignRows
    from netpromoter.trends.options import Options
    from netpromoter.trends.respondents import Panel
    from netpromoter.trends.rows import Verdict

#: Per kind of change (``"previous"``, ``"year"``): per series, per period, the change.
Grid = dict[str, list[list[Change | None]]]


class Tested(NamedTuple):
    """The comparisons of one kind (previous period or a year ago) in every series."""

    name: str
    ref: NDArray[np.intp]
    valid: NDArray[np.intp]
    diff: _stats.Difference
    has: NDArray[np.bool_]
    enough: NDArray[np.bool_]
    n_overlap: NDArray[np.int64]


class Comparisons(NamedTuple):
    """Every change of a trend, and how many were adjusted together.

    Attributes:
        changes: Per kind, per series and per period: the change (``None``: none).
        n_comparisons: The comparisons that got a verdict (the adjusted family).
    """

    changes: Grid
    n_comparisons: int


def compare(
    flat: Tally,
    references: Mapping[str, NDArray[np.intp]],
    labels: tuple[str, ...],
    opts: Options,
    *,
    panel: Panel | None = None,
    design: DesignRows | None = None,
    design_se: NDArray[np.float64] | None = None,
) -> Comparisons:
    """Test every row against its reference rows and give each change its verdict.

    Args:
        flat: One row per series × period (series major), as ``Counts.series`` gives.
        references: Per kind, the period each period is compared with (−1: none).
        labels: The period labels.
        opts: The trend's options: ``rolling`` periods pooled per row, rows with fewer
            than ``min_n`` responses get the verdict ``"not enough data"``, verdicts at
            level ``alpha`` after adjusting the family by ``correction``, changes tested
            by ``test_method`` at ``confidence_level``.
        panel: Repeat respondents' sums, for the paired test.
        design: The calibrated design's rows, for the domain contrasts.
        design_se: The design's SE of every row (with ``design``).
    """
    n_periods = len(labels)
    n_series = flat.n_groups // n_periods
    n = flat.count.sum(axis=1)
    series = np.arange(n_series)[:, None] * n_periods
    tested: list[Tested] = []
    for name, ref in references.items():
        valid = np.flatnonzero(ref >= 0)
        if not len(valid):
            continue
        b_idx = (series + valid[None, :]).ravel()
        a_idx = (series + ref[valid][None, :]).ravel()
        covariance = paired = None
        n_overlap = np.zeros((n_series, len(valid)), dtype=np.int64)
        if panel is not None:
            paired = paired_sums(panel.overall, panel.segments, ref[valid], valid, opts.rolling)
            n_overlap = paired.cross.n.reshape(n_series, len(valid))
        if design is not None and design_se is not None:
            contrast = design.contrast_ses(ref)[b_idx]
            se_a, se_b = design_se[a_idx], design_se[b_idx]
            covariance = np.nan_to_num((se_a * se_a + se_b * se_b - contrast * contrast) / 2.0)
        diff = _stats.difference(
            flat.take(a_idx),
            flat.take(b_idx),
            weighted=flat.weighted,
            method=opts.test_method,
            confidence_level=opts.confidence_level,
            covariance=covariance,
            overlap=paired,
            design_se=None if design_se is None else (design_se[a_idx], design_se[b_idx]),
            reference="t",
        )
        has = (n[a_idx] > 0) & (n[b_idx] > 0)
        enough = (n[a_idx] >= max(opts.min_n, 1)) & (n[b_idx] >= max(opts.min_n, 1))
        tested.append(Tested(name, ref, valid, diff, has, enough, n_overlap))
    adjusted, n_comparisons = _adjust(tested, opts.correction)
    changes: Grid = {name: [[None] * n_periods for _ in range(n_series)] for name in references}
    for t, p_adjusted in zip(tested, adjusted, strict=True):
        _fill(changes[t.name], t, p_adjusted, labels, opts.alpha)
    return Comparisons(changes, n_comparisons)


def _adjust(tested: list[Tested], correction: Correction) -> tuple[list[NDArray[np.float64]], int]:
    """Adjust, as one family, every comparison that can get a verdict; per kind."""
    none = np.zeros(0)
    raw_p = np.concatenate([none, *(t.diff.p_value for t in tested)])
    family = np.concatenate([none > 0, *(t.enough & ~np.isnan(t.diff.p_value) for t in tested)])
    adjusted = np.full(len(raw_p), np.nan)
    adjusted[family] = _stats.adjust(raw_p[family], correction)
    cuts = np.cumsum([len(t.diff.p_value) for t in tested])[:-1]
    return np.split(adjusted, cuts) if tested else [], int(family.sum())


def _fill(
    grid: list[list[Change | None]],
    t: Tested,
    p_adjusted: NDArray[np.float64],
    labels: tuple[str, ...],
    alpha: float,
) -> None:
    """Put one kind's changes into the grid, series by series."""
    verdict = verdicts(t.diff.delta, p_adjusted, t.enough, alpha)
    k = 0
    for series_index, row in enumerate(grid):
        for j, later in enumerate(t.valid.tolist()):
            has = bool(t.has[k])
            d = t.diff
            row[later] = Change(
                reference=labels[int(t.ref[later])],
                delta=float(d.raw_delta[k]) if has else None,
                se=none_if_nan(float(d.se[k])) if has else None,
                df=none_if_nan(float(d.df[k])) if has else None,
                ci=interval_or_none(float(d.lower[k]), float(d.upper[k])) if has else None,
                p_value=none_if_nan(float(d.p_value[k])) if has else None,
                p_adjusted=none_if_nan(float(p_adjusted[k])) if has else None,
                n_overlap=int(t.n_overlap[series_index, j]),
                verdict=verdict[k],
            )
            k += 1


def verdicts(
    delta: NDArray[np.float64],
    p: NDArray[np.float64],
    enough: NDArray[np.bool_],
    alpha: float,
) -> list[Verdict]:
    """Each change's verdict from its adjusted p-value.

    ``"not enough data"`` when either row is too small or the p-value is undefined,
    else a significant rise or fall at ``p < alpha``, else no significant change.
    """
    out: list[Verdict] = []
    for d, pv, ok in zip(delta.tolist(), p.tolist(), enough.tolist(), strict=True):
        if not ok or math.isnan(d) or math.isnan(pv):
            out.append("not enough data")
        elif pv < alpha:
            out.append("significant rise" if d > 0 else "significant fall")
        else:
            out.append("no significant change")
    return out
