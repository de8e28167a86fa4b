"""Theme tagging of comments: normalisation, plurals, word boundaries, and themes()."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

import netpromoter as nps
from netpromoter._themes import compile_dictionary, normalise, tag, word_forms, words
from netpromoter.drivers import ThemeResult, starter_themes, themes
from netpromoter.exceptions import ColumnNotFoundError, InvalidParameterError


def mentions(comment: str, keywords: list[str]) -> bool:
    """Whether a one-theme dictionary of ``keywords`` tags ``comment``."""
    return bool(tag([comment], compile_dictionary({"t": keywords})).mentions[0, 0])


def test_normalise_folds_case_accents_and_apostrophes() -> None:
    """Case, accents and typographic apostrophes are folded."""
    assert normalise("ÉÉN Café’s INTUÏTIEF Straße") == "een cafe's intuitief strasse"


def test_words_split_on_punctuation_and_hyphens() -> None:
    """Words are runs of letters/digits; hyphens and punctuation separate them."""
    assert words("E-mail: 2x te laat!! menu's (ok)") == [
        "e",
        "mail",
        "2x",
        "te",
        "laat",
        "menu's",
        "ok",
    ]


@pytest.mark.parametrize(
    ("keyword", "plural"),
    [
        ("price", "prices"),
        ("box", "boxes"),
        ("delivery", "deliveries"),
        ("invoice", "invoices"),
        ("prijs", "prijzen"),
        ("levering", "leveringen"),
        ("pakket", "pakketten"),
        ("probleem", "problemen"),
        ("week", "weken"),
        ("factuur", "facturen"),
        ("medewerker", "medewerkers"),
        ("menu", "menu's"),
        ("brief", "brieven"),
        ("fout", "fouten"),
    ],
)
def test_simple_plurals_match_both_ways(keyword: str, plural: str) -> None:
    """A singular keyword matches the plural, and a plural keyword the singular."""
    assert mentions(f"about the {plural} here", [keyword])
    assert mentions(f"about the {keyword} here", [plural])


def test_matching_is_case_and_accent_insensitive() -> None:
    """'INTUITIEF' matches 'intuïtief' and the other way round."""
    assert mentions("Heel INTUITIEF", ["intuïtief"])
    assert mentions("heel intuïtief", ["Intuitief"])


@pytest.mark.parametrize(
    ("comment", "keyword"),
    [
        ("a priceless experience", "price"),
        ("de klantenservice was top", "service"),
        ("unsupported device", "support"),
        ("cheapest option", "cheap"),
    ],
)
def test_keywords_match_whole_words_only(comment: str, keyword: str) -> None:
    """A keyword never matches inside a longer word."""
    assert not mentions(comment, [keyword])


def test_phrases_need_consecutive_words() -> None:
    """A phrase matches its words in order and adjacent, across punctuation."""
    assert mentions("Great customer service!", ["customer service"])
    assert mentions("great customer-services", ["customer service"])
    assert not mentions("customer was happy with the service", ["customer service"])
    assert not mentions("service customer", ["customer service"])
    assert not mentions("customer", ["customer service"])


def test_short_words_only_match_exactly() -> None:
    """Two-letter words get no plural forms: 'op' does not match 'ops'."""
    assert word_forms("op") == frozenset({"op"})


def test_a_keyword_counts_once_per_comment() -> None:
    """Repeated keywords in one comment count that comment once."""
    tagging = tag(["price price prices", "price"], compile_dictionary({"p": ["price"]}))
    assert tagging.keyword_hits.tolist() == [2]
    assert tagging.mentions[:, 0].tolist() == [True, True]


def test_no_comment_blank_and_wordless_comments() -> None:
    """None and blank are no comment; an emoji is a comment that mentions nothing."""
    tagging = tag([None, "   ", "👍"], compile_dictionary({"p": ["price"]}))
    assert tagging.has_comment.tolist() == [False, False, True]
    assert not tagging.mentions.any()


@pytest.mark.parametrize(
    ("dictionary", "match"),
    [
        ({}, "empty"),
        ({"": ["x"]}, "non-empty strings"),
        ({"price": []}, "has no keywords"),
        ({"price": "cheap"}, r"write \['cheap'\]"),
        ({"price": ["!!"]}, "no letters or digits"),
        ({"price": [3]}, "no letters or digits"),
    ],
)
def test_bad_dictionaries_are_rejected(dictionary: object, match: str) -> None:
    """Malformed dictionaries raise a clear error naming the theme and keyword."""
    with pytest.raises(InvalidParameterError, match=match):
        compile_dictionary(dictionary)  # type: ignore[arg-type]


def test_starter_dictionary_has_the_six_themes_in_two_languages() -> None:
    """The built-in dictionary covers price, support, delivery, quality, ease, billing."""
    starter = starter_themes()
    assert list(starter) == [
        "price",
        "support",
        "delivery",
        "product_quality",
        "ease_of_use",
        "billing",
    ]
    assert {"price", "prijs"} <= set(starter["price"])
    assert {"invoice", "factuur"} <= set(starter["billing"])
    starter["price"] = ()
    assert starter_themes()["price"]  # a fresh copy each time
    compile_dictionary(starter_themes())


SCORES = [2, 10, 6, 9, 8, 4, 10, 3, 7]
TEXTS: list[str | None] = [
    "Veel te duur en de klantenservice reageert niet",
    "Fast delivery, great prices",
    "Prijzen zijn omhoog gegaan",
    None,
    "Prima",
    "Factuur klopt niet, twee keer afgeschreven",
    "   ",
    "De levering was te laat en het pakket was beschadigd",
    "👍",
]
COMMENTS: dict[str, object] = {"score": SCORES, "comment": TEXTS}


@pytest.fixture(scope="module")
def result() -> ThemeResult:
    return themes(COMMENTS)


def test_theme_counts_and_nps(result: ThemeResult) -> None:
    """Mentions and NPS per theme, each NPS equal to score() of the mentioners."""
    price = result["price"]
    assert price.n_mentions == 3
    assert price.nps == nps.score([2, 10, 6]).nps
    assert price.nps_ci == nps.score([2, 10, 6]).ci
    assert result["delivery"].n_mentions == 2
    assert result["product_quality"].n_mentions == 1
    assert result["billing"].n_mentions == 1
    assert result["ease_of_use"].n_mentions == 0
    assert result["ease_of_use"].nps is None
    assert result["ease_of_use"].nps_ci is None


def test_untagged_and_missing_comments_are_reported(result: ThemeResult) -> None:
    """'Prima' and an emoji are untagged; None and blank count as without comment."""
    assert result.n == 9
    assert result.n_comments == 7
    assert result.n_without_comment == 2
    assert result.untagged.n_mentions == 2
    assert result.untagged.examples == ("Prima", "👍")
    assert result.untagged.nps == nps.score([8, 7]).nps
    assert result.nps == nps.score(SCORES).nps


def test_detractor_share_and_examples(result: ThemeResult) -> None:
    """Shares are of the detractors (promoters) who commented; examples in input order."""
    # Detractors who commented: scores 2, 6, 4, 3; two of them mention price.
    assert result["price"].detractor_share == pytest.approx(2 / 4)
    assert result["price"].promoter_share == pytest.approx(1 / 1)
    assert result["price"].comment_share == pytest.approx(3 / 7)
    assert result["price"].examples[0] == TEXTS[0]
    assert dict(result["price"].keywords) == {"duur": 1, "prijs": 1, "te duur": 1, "price": 1}


def test_rows_sorted_by_mentions(result: ThemeResult) -> None:
    """Themes come most mentioned first, ties in dictionary order."""
    counts = [r.n_mentions for r in result.rows]
    assert counts == sorted(counts, reverse=True)
    assert result.rows[0].theme == "price"


def test_custom_dictionary_and_examples_limit() -> None:
    """A user dictionary replaces the starter; examples are capped."""
    out = themes(COMMENTS, dictionary={"speed": ["te laat", "fast"]}, examples=1)
    assert [r.theme for r in out.rows] == ["speed"]
    assert out["speed"].n_mentions == 2
    assert out["speed"].examples == ("Fast delivery, great prices",)
    assert out.untagged.n_mentions == 5


def test_responses_and_dataframes_give_the_same_result(result: ThemeResult) -> None:
    """A list of Response, a pandas and a polars frame all read the same columns."""
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    responses = [nps.Response(score=s, comment=c) for s, c in zip(SCORES, TEXTS, strict=True)]
    assert themes(responses) == result
    assert themes(pd.DataFrame(COMMENTS)) == result
    assert themes(pl.DataFrame(COMMENTS)) == result


def test_missing_scores_dropped_with_their_comments() -> None:
    """With missing='drop', a comment without a score is dropped and counted."""
    data = {"nps": [None, 10], "why": ["too expensive", "great support"]}
    out = themes(data, score="nps", comment="why", missing="drop")
    assert (out.n, out.n_missing) == (1, 1)
    assert out["price"].n_mentions == 0
    assert out["support"].n_mentions == 1


def test_bad_inputs() -> None:
    """Comments that are not text, missing columns and bad options are clear errors."""
    with pytest.raises(InvalidParameterError, match="comments 'comment': 1 values are not text"):
        themes({"score": [1, 2], "comment": ["ok", 5]})
    with pytest.raises(ColumnNotFoundError, match="no column 'comment'"):
        themes({"score": [1, 2]})
    with pytest.raises(InvalidParameterError, match="examples"):
        themes(COMMENTS, examples=-1)
    with pytest.raises(InvalidParameterError, match="unknown method"):
        themes(COMMENTS, method="bogus")  # type: ignore[arg-type]


def test_nan_comment_is_no_comment() -> None:
    """NaN (as pandas stores a missing text) counts as no comment."""
    out = themes({"score": np.array([3, 9]), "comment": np.array(["duur", np.nan], dtype=object)})
    assert out.n_without_comment == 1
    assert out["price"].n_mentions == 1


def test_result_exports(result: ThemeResult) -> None:
    """Frozen; to_dicts has one flat row per theme plus untagged; repr and HTML."""
    with pytest.raises(ValidationError):
        result.n = 3
    rows = result.to_dicts()
    assert len(rows) == 7
    assert rows[-1]["theme"] == "(untagged)"
    assert {"nps_ci_lower", "nps_ci_upper", "detractor_share"} <= set(rows[0])
    assert repr(result).startswith("ThemeResult(n_comments=7, price=3")
    assert "untagged=2" in repr(result)
    page = result._repr_html_()
    assert "<table class='netpromoter-themes'>" in page
    assert "(untagged)" in page
    with pytest.raises(KeyError, match="no theme 'speed'"):
        result["speed"]


def test_pandas_nullable_strings_are_read() -> None:
    """Nullable pandas 'string' columns with pd.NA count NA as no comment."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"score": [3, 9, 10], "comment": pd.array(["te duur", None, "ok"], dtype="string")}
    )
    out = themes(frame)
    assert (out.n_comments, out.n_without_comment) == (2, 1)
    assert out["price"].n_mentions == 1
