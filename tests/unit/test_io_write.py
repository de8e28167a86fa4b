"""Exports: spreadsheet-safe CSV, JSON, id handling and load -> export -> load round-trips."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest

from netpromoter import Response, plan, pseudonymise, score, segment
from netpromoter.cli import EXAMPLE_CONTEXT, EXAMPLE_TARGETS, example_path
from netpromoter.exceptions import InvalidParameterError
from netpromoter.io import neutralise, read_responses, to_records, write_csv, write_json
from netpromoter.report import placeholder_context
from netpromoter.trends import trend
from netpromoter.weighting import rake

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 12345678", "'+31 6 12345678"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r'=1+1"),
        ("great\r=cmd|' /C calc'!A0", "great\r'=cmd|' /C calc'!A0"),
        ("ok\n@SUM(A1)\r\n+1+1", "ok\n'@SUM(A1)\r\n'+1+1"),
        ("ok\n-5", "ok\n-5"),
        (
            '=HYPERLINK("http://example.invalid","klik")',
            '\'=HYPERLINK("http://example.invalid","klik")',
        ),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e3", "-1e3"),
        ("Top service = snel", "Top service = snel"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    """OWASP formula starters get an apostrophe; plain numbers and ordinary text do not."""
    assert expected == neutralise(cell)


def test_csv_numbers_stay_numbers() -> None:
    """A negative NPS is written as a bare number, formula-like text is neutralised."""
    out = io.StringIO()
    write_csv([{"segment": "-north", "nps": -12.5, "n": 40}, {"segment": "@x", "nps": 3.0}], out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert rows == [["segment", "nps", "n"], ["'-north", "-12.5", "40"], ["'@x", "3.0", ""]]


def test_csv_header_is_neutralised() -> None:
    """A user-named column that looks like a formula is neutralised in the header too."""
    out = io.StringIO()
    write_csv([{"=cmd": "x"}], out)
    assert out.getvalue().splitlines()[0] == "\ufeff'=cmd"


def test_ids_are_pseudonymised_by_default(tmp_path: Path) -> None:
    """Shared exports carry keyed pseudonyms, not ids, unless the caller keeps them."""
    responses = [
        Response(score=9, respondent_id="R1", account_id="ACC-1"),
        Response(score=3, respondent_id="R2"),
        Response(score=5, respondent_id="R1"),
    ]
    shared = tmp_path / "shared.csv"
    write_csv(responses, shared)
    text = shared.read_text(encoding="utf-8")
    assert "R1" not in text
    assert "ACC-1" not in text
    ids = [r.respondent_id for r in read_responses(shared, duplicates="keep_all").responses]
    assert ids[0] == ids[2] != ids[1]
    key = "a secret of at least sixteen bytes"
    write_csv(responses, shared, key=key)
    again = read_responses(shared, duplicates="keep_all").responses
    assert again[0].respondent_id == pseudonymise("R1", key)
    assert again[1].account_id is None


def test_ids_dropped_or_kept(tmp_path: Path) -> None:
    """The drop policy leaves the id columns out; keep writes the real ids."""
    responses = [Response(score=9, respondent_id="R1", segments={"region": "north"})]
    dropped = tmp_path / "dropped.csv"
    kept = tmp_path / "kept.csv"
    write_csv(responses, dropped, respondent_ids="drop")
    write_csv(responses, kept, respondent_ids="keep")
    assert "respondent_id" not in dropped.read_text(encoding="utf-8")
    assert "R1" in kept.read_text(encoding="utf-8")
    assert "R1" not in _json(responses)


def _json(data: object) -> str:
    out = io.StringIO()
    write_json(data, out)
    return out.getvalue()


def test_unknown_id_policy() -> None:
    """An unknown respondent_ids policy is an InvalidParameterError."""
    with pytest.raises(InvalidParameterError, match="respondent_ids"):
        write_csv([{"a": 1}], io.StringIO(), respondent_ids="hide")  # type: ignore[arg-type]


def test_result_export() -> None:
    """An NPSResult exports as one flat row with its interval bounds."""
    result = score([10, 9, 3, 2, 1])
    record = to_records(result)[0]
    assert (record["nps"], record["n"]) == (result.nps, 5)
    assert (record["ci_lower"], record["ci_upper"]) == result.ci
    assert json.loads(_json(result))[0]["nps"] == result.nps


def test_not_exportable() -> None:
    """Something that is not a result, response or row is a TypeError."""
    with pytest.raises(TypeError, match="cannot export a int"):
        to_records(5)
    with pytest.raises(TypeError, match="cannot export a int"):
        to_records([5])


def test_segment_clash() -> None:
    """A segment named like a Response field cannot be flattened into one row."""
    with pytest.raises(InvalidParameterError, match="clash"):
        to_records(Response(score=9, segments={"score": "x"}))


def test_csv_round_trip_of_the_example_data(tmp_path: Path) -> None:
    """Load -> export -> load keeps every value of every response."""
    first = read_responses(example_path())
    path = tmp_path / "copy.csv"
    assert write_csv(first, path, respondent_ids="keep") == len(first.responses)
    second = read_responses(path)
    assert second.rejected == ()
    assert first.responses == second.responses


def test_jsonl_round_trip(tmp_path: Path) -> None:
    """The same round-trip through JSON Lines, including formula-like text kept as data."""
    first = read_responses(example_path())
    extra = Response(score=0, comment="=1+1 is what I paid", segments={"region": "north"})
    path = tmp_path / "copy.jsonl"
    write_json([*first.responses, extra], path, respondent_ids="keep")
    second = read_responses(path)
    assert (*first.responses, extra) == second.responses


def test_csv_round_trip_without_neutralising(tmp_path: Path) -> None:
    """With neutralising off (machine-only files) formula-like text comes back unchanged."""
    responses = (Response(score=3, comment="-- not good", segments={"team": "@support"}),)
    path = tmp_path / "raw.csv"
    write_csv(responses, path, neutralise_formulas=False)
    assert read_responses(path).responses == responses
    write_csv(responses, path)
    assert read_responses(path).responses[0].comment == "'-- not good"


def test_exclude_columns(tmp_path: Path) -> None:
    """Columns such as first names can be left out of a shared export."""
    responses = [Response(score=9, segments={"first_name": "Sanne", "region": "noord"})]
    path = tmp_path / "shared.csv"
    write_csv(responses, path, exclude=["first_name"])
    assert "Sanne" not in path.read_text(encoding="utf-8")
    assert read_responses(path).responses[0].segments == {"region": "noord"}
    out = io.StringIO()
    write_json(responses, out, exclude=["first_name"])
    assert "Sanne" not in out.getvalue()


def test_every_result_kind_exports(tmp_path: Path) -> None:
    """Segments, trends, weights and follow-up plans export to CSV and JSON, ids hidden."""
    responses = list(read_responses(example_path()).responses)
    context = json.loads(example_path(EXAMPLE_CONTEXT).read_text(encoding="utf-8"))
    margins = json.loads(example_path(EXAMPLE_TARGETS).read_text(encoding="utf-8"))
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    results = {
        "segments": (segment(responses, "region"), 5),
        "trend": (trend(responses), 12),
        "weights": (rake(responses, margins), 7),
        "plan": (plan(responses[-10:], now=now, context=placeholder_context(context)), 10),
    }
    for name, (result, rows) in results.items():
        assert write_csv(result, tmp_path / f"{name}.csv") == rows
        assert write_json(result, tmp_path / f"{name}.json") == rows
    plan_text = (tmp_path / "plan.csv").read_text(encoding="utf-8")
    assert not any(r.respondent_id and r.respondent_id in plan_text for r in responses[-10:])
