"""Every public result converts, plots, serialises and renders alike."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

import netpromoter as nps
from netpromoter._results import Result
from netpromoter._results.chart import Chart
from netpromoter.weighting import CellWeightingResult, CompositionResult, ResponseRateResult

if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
N = 60
DATA: dict[str, list[Any]] = {
    "score": [(7 * i) % 11 for i in range(N)],
    "region": [["north", "south", "east"][i % 3] for i in range(N)],
    "submitted_at": [NOW - timedelta(days=5 * i) for i in range(N)],
    "respondent_id": [f"r{i % 15}" for i in range(N)],
    "support": [1 + i % 5 for i in range(N)],
    "price": [1 + (i * 3) % 5 for i in range(N)],
    "comment": [["slow support", "great price", None][i % 3] for i in range(N)],
}
POPULATION = {"region": {"north": 50, "south": 30, "east": 20}}


def _results() -> dict[str, Result]:
    """One instance of every public result type."""
    trended = nps.trend(DATA, min_n=1, by="region")
    return {
        "NPSResult": nps.score(DATA),
        "ComparisonResult": nps.compare(DATA["score"][:30], DATA["score"][30:]),
        "BenchmarkResult": nps.compare_to_benchmark(DATA["score"], 10.0),
        "SegmentResult": nps.segment(DATA, "region", min_n=1),
        "RankResult": nps.rank(DATA, "region", draws=200),
        "TrendResult": trended,
        "DecompositionResult": trended.decompose(),
        "WeightingResult": nps.rake(DATA, POPULATION),
        "CompositionResult": nps.composition(DATA, POPULATION),
        "ResponseRateResult": nps.response_rates({"b2b": 100}, {"b2b": 20}),
        "KeyDriverResult": nps.key_drivers(DATA, ["support", "price"], n_resamples=50),
        "ThemeResult": nps.themes(DATA),
        "CellWeightingResult": nps.rake(pl.LazyFrame(DATA), POPULATION),
    }


RESULTS = _results()
#: The results with a chart (besides CompositionResult, which is not top-level).
PLOTTED = ("NPSResult", "ComparisonResult", "SegmentResult", "RankResult", "TrendResult")


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_public_result_type_is_covered() -> None:
    """Each concrete public result class has an instance here."""
    public = {
        c.__name__
        for c in _subclasses(Result)
        if not c.__name__.startswith("_")
        and "[" not in c.__name__
        and c.__name__ not in {"TableResult", "SummaryResult"}
    }
    assert public == set(RESULTS)
    assert {type(r).__name__ for r in RESULTS.values()} == set(RESULTS)
    assert isinstance(RESULTS["CompositionResult"], CompositionResult)
    assert isinstance(RESULTS["ResponseRateResult"], ResponseRateResult)


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_result_converts_to_every_frame_with_the_same_records(name: str) -> None:
    """pandas, polars and pyarrow get the records of ``to_dicts``, row for row."""
    result = RESULTS[name]
    records = result.to_dicts()
    assert records
    assert len(result.to_pandas()) == len(records)
    assert result.to_polars().height == len(records)
    assert result.to_arrow().num_rows == len(records)
    assert list(result.to_pandas().columns) == list(records[0])
    assert result.to_arrow().column_names == list(records[0])


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_result_json_round_trips(name: str) -> None:
    """JSON read back gives a result whose JSON, records and schema are the same."""
    result = RESULTS[name]
    text = result.model_dump_json()
    back = type(result).model_validate_json(text)
    assert back.model_dump_json() == text
    assert json.dumps(back.to_dicts(), default=str) == json.dumps(result.to_dicts(), default=str)
    assert type(result).model_json_schema()["type"] == "object"


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_result_renders_as_text_and_html(name: str) -> None:
    """``repr`` names the class; the HTML repr is one escaped element."""
    result = RESULTS[name]
    assert repr(result).startswith(type(result).__name__)
    html = result._repr_html_()
    assert html.startswith("<")
    assert "<script" not in html


@pytest.mark.parametrize("name", [*PLOTTED, "CompositionResult"])
def test_result_plots_a_chart_that_is_valid_svg(name: str, tmp_path: Path) -> None:
    """``plot()`` gives a Chart: well-formed SVG, shown by Jupyter, saved as .svg and .html."""
    chart = RESULTS[name].plot()  # type: ignore[attr-defined]
    assert isinstance(chart, Chart)
    root = ET.fromstring(chart._repr_svg_())  # noqa: S314 - our own markup
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert chart.svg in chart._repr_html_()
    assert chart.title
    svg_file = chart.save(tmp_path / "chart.svg")
    assert ET.parse(svg_file).getroot().tag == root.tag  # noqa: S314 - our own markup
    html_file = chart.save(tmp_path / "chart.html")
    assert chart.svg in html_file.read_text(encoding="utf-8")
    with pytest.raises(nps.InvalidParameterError, match=r"\.svg or \.html"):
        chart.save(tmp_path / "chart.png")


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("SegmentResult", lambda r: [row.nps for row in r.rows]),
        ("RankResult", lambda r: [row.shrunken_nps for row in r.rows]),
        ("ComparisonResult", lambda r: [r.a.nps, r.b.nps]),
        ("CompositionResult", lambda r: [row.difference for row in r.rows]),
    ],
)
def test_forest_charts_draw_one_dot_per_row_at_its_value(name: str, rows: Any) -> None:
    """A dot per row, each titled with the row's value."""
    result = RESULTS[name]
    svg = result.plot().svg  # type: ignore[attr-defined]
    values = rows(result)
    assert svg.count("<circle") == len(values)
    for value in values:
        assert f": {value:+.1f}" in svg


def test_score_chart_draws_the_three_shares() -> None:
    """The stacked bar has one rect per category, titled with its share."""
    result = RESULTS["NPSResult"]
    svg = result.plot().svg  # type: ignore[attr-defined]
    assert f"Promoters: {result.promoter_share:.1%}" in svg  # type: ignore[attr-defined]
    assert f"Detractors: {result.detractor_share:.1%}" in svg  # type: ignore[attr-defined]


def test_trend_chart_is_the_to_svg_chart() -> None:
    """``TrendResult.plot()`` wraps the same chart as ``to_svg``."""
    result = RESULTS["TrendResult"]
    chart = result.plot(segments=False)  # type: ignore[attr-defined]
    assert chart.svg.replace(" xmlns='http://www.w3.org/2000/svg'", "") == result.to_svg(  # type: ignore[attr-defined]
        segments=False
    )


def test_long_tables_are_plotted_in_part_with_a_note() -> None:
    """``max_rows`` keeps the first rows and says so in the title."""
    result = RESULTS["SegmentResult"]
    chart = result.plot(max_rows=2)  # type: ignore[attr-defined]
    assert chart.svg.count("<circle") == 2
    assert "(first 2 of 3)" in chart.title
    with pytest.raises(nps.InvalidParameterError, match="max_rows"):
        result.plot(max_rows=0)  # type: ignore[attr-defined]


def test_a_lazy_weighting_read_back_from_json_keeps_its_numbers_not_its_design() -> None:
    """The JSON form has the cell weights and NPS; applying it needs the frame again."""
    lazy = pl.LazyFrame(DATA)
    result = RESULTS["CellWeightingResult"]
    assert isinstance(result, CellWeightingResult)
    back = CellWeightingResult.model_validate_json(result.model_dump_json())
    assert back.to_dicts() == result.to_dicts()
    assert back.weighted == result.weighted
    with pytest.raises(nps.InvalidParameterError, match="read back from JSON"):
        back.apply(lazy)
    with pytest.raises(nps.InvalidParameterError, match="read back from JSON"):
        nps.score(lazy, weights=back)
    assert result.weighted is not None
    assert nps.score(lazy, weights=result).nps == result.weighted.nps
