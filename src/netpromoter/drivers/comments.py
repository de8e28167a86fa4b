"""Comment themes: what comments are about, and the NPS of those who mention each theme."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from netpromoter import _stats
from netpromoter._model import Model
from netpromoter._results import Column, TableResult, TableView
from netpromoter._results import format as fmt
from netpromoter._themes import compile_dictionary, load_starter, tag
from netpromoter.drivers.fields import (
    Interval,
    Method,
    _check_not_empty,
    _check_options,
    _opt,
    read_rows,
)
from netpromoter.exceptions import (
    InvalidParameterError,
    NotFoundError,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from numpy.typing import NDArray

    from netpromoter._validation import (
        MissingPolicy,
    )


def starter_themes() -> dict[str, tuple[str, ...]]:
    """The built-in starter dictionary: English and Dutch keywords for six themes.

    Themes: ``price``, ``support``, ``delivery``, ``product_quality``, ``ease_of_use``
    and ``billing``. Extend or replace it with your own vocabulary:
    ``{**starter_themes(), "app": ("app", "website", "inloggen")}``.

    Returns:
        A new dictionary of theme name to keywords and phrases.

    Examples:
        >>> themes = starter_themes()
        >>> list(themes)
        ['price', 'support', 'delivery', 'product_quality', 'ease_of_use', 'billing']
        >>> "klantenservice" in themes["support"]
        True
    """
    return load_starter()


class ThemeRow(Model):
    """One theme (or the untagged comments) in a theme analysis.

    Attributes:
        theme: The theme's name (``"(untagged)"`` for comments matching no theme).
        n_mentions: Comments mentioning the theme.
        comment_share: ``n_mentions`` over all comments, 0..1.
        nps: NPS of the respondents mentioning it (``None`` when nobody does).
        nps_ci: Its confidence interval.
        detractor_share: Share of the detractors who commented that mention it, 0..1.
        promoter_share: Share of the promoters who commented that mention it, 0..1.
        examples: Example comments, in input order.
        keywords: The keywords found, with how many comments each was found in, most
            frequent first.
    """

    theme: str
    n_mentions: int
    comment_share: float | None
    nps: float | None
    nps_ci: Interval | None
    detractor_share: float | None
    promoter_share: float | None
    examples: tuple[str, ...]
    keywords: tuple[tuple[str, int], ...]


class ThemeResult(TableResult[ThemeRow]):
    """What comments are about: one row per theme, plus the untagged comments.

    Attributes:
        rows: The themes, most mentioned first (ties in dictionary order).
        untagged: Comments that match no theme.
        n: Respondents with a valid recommend score.
        n_missing: Respondents whose missing score was dropped (``missing="drop"``).
        n_comments: Respondents who left a comment (not blank).
        n_without_comment: Respondents without a comment (``None`` or blank).
        nps: NPS of all ``n`` respondents, for comparison.
        confidence_level: Confidence level of the intervals.
        method: Interval method.
    """

    CSS: ClassVar[str] = "netpromoter-themes"
    INTERVALS: ClassVar[dict[str, str]] = {"nps_ci": "nps_ci"}
    COLUMNS: ClassVar[tuple[Column[ThemeRow], ...]] = (
        Column("Theme", lambda r: r.theme, numeric=False),
        Column("Mentions", lambda r: fmt.count(r.n_mentions)),
        Column("Share of comments", lambda r: fmt.share(r.comment_share, 0)),
        Column("NPS", lambda r: fmt.signed(r.nps)),
        Column("interval", lambda r: fmt.between(r.nps_ci, fmt.signed)),
        Column("Detractors mentioning", lambda r: fmt.share(r.detractor_share, 0)),
        Column("Example", lambda r: r.examples[0] if r.examples else "", numeric=False),
    )

    untagged: ThemeRow
    n: int
    n_missing: int
    n_comments: int
    n_without_comment: int
    nps: float
    confidence_level: float
    method: Method

    def __getitem__(self, theme: str) -> ThemeRow:  # type: ignore[override]
        """The row of one theme."""
        for row in (*self.rows, self.untagged):
            if row.theme == theme:
                return row
        raise NotFoundError("theme", theme, [r.theme for r in (*self.rows, self.untagged)])

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dictionary per theme, the untagged comments last."""
        return [self._record(row) for row in (*self.rows, self.untagged)]

    def _caption(self) -> str:
        shown = ", ".join(f"{r.theme}={r.n_mentions}" for r in self.rows)
        return f"n_comments={self.n_comments:,}, {shown}, untagged={self.untagged.n_mentions}"

    def _footer(self) -> Sequence[ThemeRow]:
        return (self.untagged,)

    def _view(self) -> TableView:
        view = super()._view()
        level = f"{self.confidence_level:.0%} interval"
        header = [level if h == "interval" else h for h in view.header]
        note = (
            f"{self.n_comments:,} of {self.n:,} respondents commented (NPS of all "
            f"respondents {self.nps:+.1f}); a comment can mention several themes."
        )
        return TableView(header, view.rows, view.caption, view.footer, view.numeric, [note])


def _comment_texts(values: NDArray[Any], name: str) -> list[str | None]:
    """Comments as ``str`` or ``None`` (``None``, NaN, ``pd.NA`` and nulls are no comment)."""
    out: list[str | None] = []
    bad: list[int] = []
    for i, value in enumerate(values.tolist()):
        if isinstance(value, str):
            out.append(value)
        elif (
            value is None
            or (isinstance(value, float) and math.isnan(value))
            or type(value).__name__ == "NAType"  # pandas' missing value
        ):
            out.append(None)
        else:
            bad.append(i)
            out.append(None)
    if bad:
        msg = (
            f"comments {name!r}: {len(bad)} values are not text, first "
            f"{values[bad[0]]!r} at position {bad[0]}"
        )
        raise InvalidParameterError(msg, name=name, value=values[bad[0]])
    return out


UNTAGGED = "(untagged)"


def themes(
    data: object,
    *,
    dictionary: Mapping[str, Sequence[str]] | None = None,
    score: str = "score",
    comment: str = "comment",
    missing: MissingPolicy = "raise",
    method: Method = "adjusted_wald",
    confidence_level: float = 0.95,
    examples: int = 3,
) -> ThemeResult:
    """Tag comments with themes and report, per theme, who mentions it and their NPS.

    A comment mentions a theme when it contains one of the theme's keywords or phrases
    as whole words, ignoring case, accents and simple plurals (English and Dutch; the
    how-to "Key drivers and comment themes" gives the exact rules). A comment can mention several
    themes; comments that mention none are reported as ``untagged``, and respondents
    without a comment are counted, not hidden. Each theme's NPS is that of the
    respondents mentioning it, from the shared statistics layer.

    Args:
        data: A list of ``Response``, a mapping of column name to values, or a dataframe.
        dictionary: Theme name → keywords and phrases. Default: the built-in
            [`starter_themes`][netpromoter.drivers.starter_themes].
        score: The column holding the 0..10 recommend score.
        comment: The column holding the comments.
        missing: ``"raise"`` (default) for missing recommend scores, or ``"drop"``.
        method: Interval method of the NPS.
        confidence_level: Confidence level of the intervals.
        examples: How many example comments to keep per theme.

    Returns:
        One row per theme, the untagged comments, and the counts of comments.

    Raises:
        InvalidParameterError: An empty or malformed dictionary, comments that are not
            text, or an invalid option.
        InvalidScoreError: A recommend score is not an integer from 0 to 10.
        ColumnNotFoundError: The score or comment column is not in ``data``.
        EmptyDataError: No respondents.

    Examples:
        >>> data = {
        ...     "score": [3, 10, 6, 9, 8],
        ...     "comment": [
        ...         "Veel te duur en de klantenservice reageert niet",
        ...         "Fast delivery, great prices",
        ...         "Prijzen zijn omhoog gegaan",
        ...         None,
        ...         "Prima",
        ...     ],
        ... }
        >>> result = themes(data)
        >>> result["price"].n_mentions, result["price"].nps
        (3, -33.333333333333336)
        >>> result.untagged.n_mentions, result.n_without_comment
        (1, 1)
    """
    level = _check_options(method, confidence_level)
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        msg = f"examples must be a non-negative integer, got {examples!r}"
        raise InvalidParameterError(msg, name="examples", value=examples)
    compiled = compile_dictionary(starter_themes() if dictionary is None else dictionary)
    column = read_rows(data, score, [comment], missing)
    scores = column.scores
    n = _check_not_empty(len(scores), column.n_missing)
    texts = _comment_texts(np.asarray(column.values(comment)), comment)
    tagging = tag(texts, compiled)
    n_themes = len(compiled.themes)
    untagged = tagging.has_comment & ~tagging.mentions.any(axis=1)
    commented = np.flatnonzero(tagging.has_comment)
    # Groups: themes 0..T-1, untagged T, everyone who commented T+1, everyone T+2.
    everyone = np.ones(n, dtype=bool)
    masks = [*tagging.mentions.T, untagged, tagging.has_comment, everyone]
    tallied = column.subsets(masks)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = _stats.estimate(tallied, weighted=False, method=method, confidence_level=level)
        by_category = _stats.by_category(tallied.count)
        of_commenters = by_category / by_category[n_themes + 1]
    n_comments = len(commented)
    mention_masks = [tagging.mentions[:, t] for t in range(n_themes)] + [untagged]

    def row(t: int, name: str, keywords: tuple[tuple[str, int], ...]) -> ThemeRow:
        mentioned = mention_masks[t]
        count = int(tallied.count[t].sum())
        picked = np.flatnonzero(mentioned)[:examples]
        return ThemeRow(
            theme=name,
            n_mentions=count,
            comment_share=count / n_comments if n_comments else None,
            nps=_opt(float(est.nps[t])) if count else None,
            nps_ci=(float(est.lower[t]), float(est.upper[t])) if count else None,
            detractor_share=_opt(float(of_commenters[t, 0])),
            promoter_share=_opt(float(of_commenters[t, 2])),
            examples=tuple(str(texts[i]) for i in picked),
            keywords=keywords,
        )

    found: list[list[tuple[str, int]]] = [[] for _ in compiled.themes]
    for keyword, hits in zip(compiled.keywords, tagging.keyword_hits.tolist(), strict=True):
        if hits:
            found[keyword.theme].append((keyword.text, int(hits)))
    theme_rows = [
        row(t, name, tuple(sorted(found[t], key=lambda kv: -kv[1])))
        for t, name in enumerate(compiled.themes)
    ]
    theme_rows.sort(key=lambda r: -r.n_mentions)
    return ThemeResult(
        rows=tuple(theme_rows),
        untagged=row(n_themes, UNTAGGED, ()),
        n=n,
        n_missing=column.n_missing,
        n_comments=n_comments,
        n_without_comment=n - n_comments,
        nps=float(est.nps[n_themes + 2]),
        confidence_level=level,
        method=method,
    )
