"""The report in English or Dutch: chosen or taken from the data, plain names, Dutch numbers."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest

from netpromoter import Response
from netpromoter.cli import EXAMPLE_CONTEXT, EXAMPLE_TARGETS, example_path, main
from netpromoter.io import read_columns
from netpromoter.report import build_report, render_html, render_text

if TYPE_CHECKING:
    from netpromoter.report import Report

WHEN = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def _responses(languages: list[str | None]) -> list[Response]:
    return [
        Response(score=(10, 6, 8)[i % 3], submitted_at=WHEN, language=language)
        for i, language in enumerate(languages)
    ]


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (["nl", "nl", "nl-BE"], "nl"),
        (["nl", "en", "nl"], "en"),
        (["en-GB", "en"], "en"),
        (["de", "de"], "en"),
        ([None, None], "en"),
        (["nl", None], "nl"),
    ],
)
def test_default_language_is_the_datas_when_uniform(
    languages: list[str | None], expected: str
) -> None:
    """One language in the data (region variants included) is the report's; else English."""
    assert expected == build_report(_responses(languages), period=None).language


def test_language_given_wins_over_the_data() -> None:
    """An explicit language is used whatever the data says."""
    report = build_report(_responses(["nl", "nl"]), period=None, language="en")
    assert report.language == "en"
    assert "Net Promoter Score report" in render_text(report)


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    """The example report in both languages."""
    margins = json.loads(example_path(EXAMPLE_TARGETS).read_text(encoding="utf-8"))
    context = json.loads(example_path(EXAMPLE_CONTEXT).read_text(encoding="utf-8"))
    read = read_columns(example_path())
    return {
        language: build_report(
            read,
            by=["region", "customer_type"],
            margins=margins,
            followups=context,
            language=language,
        )
        for language in ("en", "nl")
    }


def _visible(page: str) -> str:
    """The page's text without its markup, tooltips and attributes."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", page)


def test_plain_names_for_methods_fields_and_channels(reports: dict[str, Report]) -> None:
    """No code name reaches a reader: method, field and channel names are plain words."""
    for language, report in reports.items():
        for shown in (_visible(render_html(report)), render_text(report)):
            for raw in ("adjusted_wald", "customer_type", "in_app"):
                assert raw not in shown, (language, raw)
    english = _visible(render_html(reports["en"]))
    for plain in ("adjusted Wald", "customer type", "in-app"):
        assert plain in english


def test_effective_n_is_labelled(reports: dict[str, Report]) -> None:
    """The weighted row's n is named the effective n, in the terminal table and the chart."""
    report = reports["en"]
    assert report.weighting is not None
    effective = f"{report.weighting.effective_n:,.0f}"
    assert f"{effective} (effective n)" in render_text(report)
    page = render_html(report)
    assert f"effective n = {effective}" in page
    dutch = render_html(reports["nl"])
    assert f"effectieve n = {effective.replace(',', '.')}" in dutch


def test_dutch_page_speaks_dutch(reports: dict[str, Report]) -> None:
    """Every heading is Dutch, the page says so, and numbers use a decimal comma."""
    page = render_html(reports["nl"])
    english = render_html(reports["en"])
    assert "<html lang='nl'>" in page
    assert "<html lang='en'>" in english
    for en, nl in [
        ("How people answered", "Hoe mensen antwoordden"),
        ("NPS by region", "NPS per region"),
        ("NPS per month", "NPS per maand"),
        ("Weighted and unweighted", "Gewogen en ongewogen"),
        ("Follow-up workload", "Opvolgwerk"),
        ("Rows not used", "Niet gebruikte rijen"),
        ("Promoters", "Promotors"),
    ]:
        assert en in english
        assert nl in page
        assert en not in _visible(page) or en == "NPS by region"
    o = reports["nl"].overall
    assert f"{o.nps:+.1f}".replace(".", ",") in page
    low, high = o.ci
    assert f"[{low:+.1f}; {high:+.1f}]".replace(".", ",") in page
    assert f"{o.n:,}".replace(",", ".") in page


def test_dutch_text_report(reports: dict[str, Report]) -> None:
    """The terminal summary is Dutch too: captions, verdicts, shares with a decimal comma."""
    text = render_text(reports["nl"])
    o = reports["nl"].overall
    assert "aangepaste Wald" in text
    assert "Per maand" in text
    assert "geen significante verandering" in text
    assert "no significant change" not in text
    assert f"Promotors      {o.promoter_share:.1%}".replace(".", ",") in text


def test_cli_language_option(capsys: pytest.CaptureFixture[str]) -> None:
    """``report --language nl`` writes the Dutch summary; a third language is a usage error."""
    assert main(["report", "--language", "nl", "--period", "none"]) == 0
    assert "Net Promoter Score-rapport" in capsys.readouterr().out
    assert main(["report", "--language", "de"]) == 2
    assert "--language" in capsys.readouterr().err


@pytest.mark.parametrize(("language", "phone"), [("en", "phone"), ("nl", "telefoon")])
def test_channel_segments_are_named_in_plain_words(language: str, phone: str) -> None:
    """A segment table by channel names its rows as the reader says them, not as codes."""
    report = build_report(
        read_columns(example_path()),
        by=["channel"],
        period=None,
        language=language,  # type: ignore[arg-type]
    )
    labels = {row.key[0] for row in report.segments[0]}
    assert {"in_app", "phone"} <= labels  # the data's own codes
    for shown in (_visible(render_html(report)), render_text(report)):
        assert "in_app" not in shown
        assert "in-app" in shown
        assert phone in shown
