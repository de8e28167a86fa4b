"""Reading responses from files: the rejection report, mappings, duplicates and formats."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter.exceptions import (
    DataFileError,
    DuplicateResponseError,
    InvalidParameterError,
    RejectedRowError,
)
from netpromoter.io import read_columns, read_responses, read_scores

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "io"


@pytest.mark.parametrize("name", ["survey_export_nl.csv", "survey_export.jsonl"])
def test_golden_rejection_report(name: str) -> None:
    """The whole rejection report of a realistic messy export matches the reviewed golden file."""
    expected = json.loads((GOLDEN / f"{name}.expected.json").read_text(encoding="utf-8"))
    read = read_responses(GOLDEN / name)
    actual = {
        "rows_read": read.rows_read,
        "accepted_respondents": [r.respondent_id for r in read.responses],
        "rejected": [r.model_dump() for r in read.rejected],
    }
    assert {k: expected[k] for k in actual} == actual


def test_golden_invariant_and_fields() -> None:
    """Rows read equal rows accepted plus rejected, and Dutch headers map to fields."""
    read = read_responses(GOLDEN / "survey_export_nl.csv")
    assert read.rows_read == len(read.responses) + len(read.rejected)
    assert dict(read.columns) == {
        "score": "Aanbevelingsscore",
        "respondent_id": "Respondent",
        "submitted_at": "Datum",
        "channel": "Kanaal",
        "comment": "Opmerking",
    }
    multi_line = next(r for r in read.responses if r.respondent_id == "r008")
    assert multi_line.comment == "Snel; vriendelijk\nen goed geholpen"
    assert multi_line.segments == {"Regio": "noord"}


@st.composite
def _csv_rows(draw: st.DrawFn) -> list[str]:
    cell = st.one_of(
        st.integers(-3, 14).map(str),
        st.sampled_from(["", "7,5", "ten", " 9 ", "9.0", "nan", "1e1"]),
    )
    return draw(st.lists(cell, max_size=30))


@settings(max_examples=60, deadline=None)
@given(_csv_rows())
def test_nothing_vanishes(cells: list[str]) -> None:
    """Every data row is accepted or rejected, whatever its score cell holds."""
    text = "id,score\n" + "".join(f'r{i},"{c}"\n' for i, c in enumerate(cells))
    read = read_responses(io.StringIO(text))
    assert len(cells) == read.rows_read == len(read.responses) + len(read.rejected)
    assert all(r.column == "score" for r in read.rejected)


def test_strict_raises_on_first_bad_row() -> None:
    """Strict mode stops at the first bad row and names its line and column."""
    data = io.StringIO("score\n9\n11\nten\n")
    with pytest.raises(RejectedRowError, match=r"line 3, column 'score': '11'") as info:
        read_responses(data, strict=True)
    assert (info.value.line, info.value.column, info.value.value) == (3, "score", "11")


_DUPES = (
    "respondent_id,submitted_at,score\n"
    "a,2026-01-03T10:00:00Z,4\n"
    "a,2026-01-20T10:00:00Z,9\n"
    "a,2026-02-01T10:00:00Z,7\n"
    ",2026-01-03T10:00:00Z,5\n"
    ",2026-01-03T10:00:00Z,5\n"
)


def test_duplicates_keep_latest_reports_the_dropped_row() -> None:
    """The earlier answer in the same month is set aside and reported, naming the kept line."""
    read = read_responses(io.StringIO(_DUPES))
    assert [r.score for r in read.responses] == [9, 7, 5, 5]
    assert read.n_duplicates == 1
    assert read.rejected[0].line == 2
    assert "line 3" in read.rejected[0].reason


def test_duplicates_keep_all() -> None:
    """keep_all keeps every answer and rejects nothing."""
    read = read_responses(io.StringIO(_DUPES), duplicates="keep_all")
    assert (len(read.responses), read.rejected) == (5, ())


def test_duplicates_error_names_lines() -> None:
    """The error policy raises with the lines of each repeated respondent."""
    with pytest.raises(DuplicateResponseError, match=r"'a' in 2026-01 \(lines 2, 3\)") as info:
        read_responses(io.StringIO(_DUPES), duplicates="error")
    assert info.value.lines == ((2, 3),)


def test_duplicates_by_year() -> None:
    """A longer period makes all three answers one respondent's duplicates."""
    read = read_responses(io.StringIO(_DUPES), duplicate_period="year")
    assert [r.score for r in read.responses] == [7, 5, 5]


def test_caller_mapping_and_segments() -> None:
    """A caller's mapping wins over aliases; other columns become segments."""
    data = io.StringIO("Cijfer\tnps\tteam\n8\tx\tsupport\n")
    read = read_responses(data, mapping={"score": "Cijfer"})
    assert read.responses[0].score == 8
    assert read.responses[0].segments == {"nps": "x", "team": "support"}


def test_unknown_mapping_field() -> None:
    """A mapping key that is not a Response field is an InvalidParameterError."""
    with pytest.raises(InvalidParameterError, match="unknown field"):
        read_responses(io.StringIO("score\n9\n"), mapping={"rating": "score"})


def test_mapped_header_absent() -> None:
    """Mapping a header that is not in the file names the headers there are."""
    with pytest.raises(DataFileError, match=r"no such column; got 'score'"):
        read_responses(io.StringIO("score\n9\n"), mapping={"comment": "Toelichting"})


def test_no_score_column() -> None:
    """A file without any score-like header is a DataFileError listing the aliases."""
    with pytest.raises(DataFileError, match="no score column; expected one of score, nps"):
        read_responses(io.StringIO("id,value\n1,9\n"))


def test_ambiguous_aliases() -> None:
    """Two headers matching the same field must be resolved by the caller."""
    with pytest.raises(DataFileError, match="could all be 'score'"):
        read_responses(io.StringIO("score,NPS\n9,9\n"))


def test_bom_and_binary_stream() -> None:
    """UTF-8 with a byte-order mark from a binary stream reads the first header cleanly."""
    data = io.BytesIO("\ufeffscore;opmerking\n9;Prima geholpen, dank je\n".encode())
    read = read_responses(data)
    assert read.columns["score"] == "score"
    assert read.responses[0].comment == "Prima geholpen, dank je"


def test_not_utf8() -> None:
    """Bytes that are not UTF-8 give a DataFileError suggesting an encoding."""
    data = io.BytesIO("score,opmerking\n9,caf\xe9\n".encode("latin-1"))
    with pytest.raises(DataFileError, match="encoding='cp1252'"):
        read_responses(data)
    read = read_responses(
        io.BytesIO("score,opmerking\n9,caf\xe9\n".encode("latin-1")), encoding="latin-1"
    )
    assert read.responses[0].comment == "café"


def test_empty_file() -> None:
    """An empty file is a DataFileError, not an empty result."""
    with pytest.raises(DataFileError, match="empty"):
        read_responses(io.StringIO(""))


def test_naive_timezone_and_date_format() -> None:
    """Naive times are accepted when the caller names their zone and format."""
    amsterdam = timezone(timedelta(hours=1))
    data = io.StringIO("score,datum\n9,31-01-2026 09:30\n")
    read = read_responses(data, date_format="%d-%m-%Y %H:%M", naive_timezone=amsterdam)
    assert read.responses[0].submitted_at == datetime(2026, 1, 31, 9, 30, tzinfo=amsterdam)


def test_decimal_comma_spend() -> None:
    """decimal=',' reads Dutch amounts; scores stay whole numbers."""
    data = io.StringIO("score;spend\n9;1.234,50\n7,5;10\n")
    read = read_responses(data, decimal=",")
    assert read.responses[0].spend == 1234.5
    assert read.rejected[0].column == "score"


def test_parquet(tmp_path: Path) -> None:
    """Parquet rows with typed values are checked like CSV cells, numbered from 1."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    when = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    table = pa.table(
        {
            "nps": pa.array([10, None, 12, 6], type=pa.int64()),
            "submitted_at": pa.array([when] * 4, type=pa.timestamp("s", tz="UTC")),
            "region": ["north", "south", "east", "west"],
        }
    )
    path = tmp_path / "answers.parquet"
    pq.write_table(table, path)
    read = read_responses(path)
    assert [r.score for r in read.responses] == [10, 6]
    assert [(r.line, r.value) for r in read.rejected] == [(2, "null"), (3, "12")]
    assert read.responses[1].segments == {"region": "west"}
    assert read.responses[1].submitted_at == when


def test_parquet_naive_timestamps(tmp_path: Path) -> None:
    """Timestamps without a zone are rejected in Parquet too, unless a zone is assumed."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    naive = datetime(2026, 1, 2, 9)  # noqa: DTZ001 - a naive timestamp on purpose
    path = tmp_path / "naive.parquet"
    pq.write_table(pa.table({"score": [9], "submitted_at": pa.array([naive])}), path)
    assert "no time zone" in read_responses(path).rejected[0].reason
    assumed = read_responses(path, naive_timezone=timezone.utc)
    assert assumed.responses[0].submitted_at == naive.replace(tzinfo=timezone.utc)


def test_read_scores_uses_the_same_checks() -> None:
    """The single-column reader rejects the same cells with the same reasons."""
    text = "score\n9\n7,5\n\n11\n"
    scores = read_scores(io.StringIO(text))
    full = read_responses(io.StringIO(text))
    assert scores.scores.tolist() == [9]
    assert [r.reason for r in scores.rejected] == [r.reason for r in full.rejected]


def test_printing_what_was_read_shows_no_values() -> None:
    """str() and repr() of a read file give the summary, never an id or a comment."""
    text = "respondent_id,score,comment\nsecret-id,9,call me on 0612345678\n"
    for reader in (read_responses, read_columns):
        read = reader(io.StringIO(text))
        for shown in (str(read), repr(read)):
            assert "secret-id" not in shown
            assert "0612345678" not in shown
            assert "1 rows read, 1 accepted, 0 rejected" in shown


def test_former_keyword_names_warn_and_still_work() -> None:
    """``read_scores(column=)`` and ``read_responses(assume_timezone=)`` are renamed."""
    text = "nps,submitted_at\n9,2026-01-05 10:00\n3,2026-01-06 11:00\n"
    with pytest.warns(DeprecationWarning, match=r"column= is renamed score="):
        old = read_scores(io.StringIO(text), column="nps")
    new = read_scores(io.StringIO(text), score="nps")
    assert old.scores.tolist() == new.scores.tolist() == [9, 3]
    zone = ZoneInfo("Europe/Amsterdam")
    with pytest.warns(DeprecationWarning, match=r"assume_timezone= is renamed naive_timezone="):
        before = read_responses(io.StringIO(text), assume_timezone=zone)
    after = read_responses(io.StringIO(text), naive_timezone=zone)
    assert [r.submitted_at for r in before.responses] == [r.submitted_at for r in after.responses]
    assert after.responses[0].submitted_at is not None
    assert after.responses[0].submitted_at.utcoffset() == timedelta(hours=1)
    with pytest.raises(InvalidParameterError, match="pass only score="):
        read_scores(io.StringIO(text), column="nps", score="nps")
