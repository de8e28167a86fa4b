"""Round-trip invariants of the file adapters: what is written is read back unchanged."""

from __future__ import annotations

import io
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter import NPSCounts, Response
from netpromoter.io import read_responses, tally_file, write_csv, write_json

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
    min_size=1,
    max_size=20,
).filter(lambda t: t.strip() == t)
_WHEN = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=1, minutes=30))]),
)


@st.composite
def responses(draw: st.DrawFn) -> list[Response]:
    n = draw(st.integers(1, 8))
    return [
        Response(
            score=draw(st.integers(0, 10)),
            respondent_id=f"r{i}",
            submitted_at=draw(st.none() | _WHEN),
            channel=draw(st.none() | st.sampled_from(["email", "sms", "web"])),
            language=draw(st.none() | st.sampled_from(["nl", "en-GB"])),
            comment=draw(st.none() | _TEXT),
            spend=draw(st.none() | st.floats(0, 1e6, allow_nan=False)),
            segments=draw(st.dictionaries(st.sampled_from(["region", "team"]), _TEXT)),
        )
        for i in range(n)
    ]


@settings(max_examples=60, deadline=None)
@given(responses())
def test_csv_round_trip(rows: list[Response]) -> None:
    """Responses written to CSV (ids kept, formulas untouched) read back equal."""
    out = io.StringIO()
    write_csv(rows, out, respondent_ids="keep", neutralise_formulas=False)
    read = read_responses(io.StringIO(out.getvalue()), duplicates="keep_all")
    assert read.rejected == ()
    assert tuple(rows) == read.responses


@settings(max_examples=60, deadline=None)
@given(responses())
def test_jsonl_round_trip(rows: list[Response]) -> None:
    """Responses written to JSON Lines read back equal."""
    out = io.StringIO()
    write_json(rows, out, lines=True, respondent_ids="keep")
    read = read_responses(io.StringIO(out.getvalue()), format="jsonl", duplicates="keep_all")
    assert read.rejected == ()
    assert tuple(rows) == read.responses


_CELLS = st.lists(
    st.one_of(
        st.integers(-2, 12).map(str),
        st.sampled_from(["", "7,5", "ten", " 9 ", "9.0", "1e1", '"3"']),
    ),
    max_size=25,
)


@settings(max_examples=30, deadline=None)
@given(_CELLS, st.sampled_from(["csv", "pyarrow"]))
def test_streaming_loses_nothing(cells: list[str], engine: str) -> None:
    """Streaming accepts exactly what read_responses accepts, and rejects the rest."""
    text = "score,team\n" + "".join(f"{c},t{i % 3}\n" for i, c in enumerate(cells))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cells.csv"
        path.write_text(text, encoding="utf-8")
        streamed = tally_file(path, by=["team"], engine=engine, progress=False)  # type: ignore[arg-type]
    read = read_responses(io.StringIO(text))
    assert streamed.rows_read == read.rows_read == streamed.counts.n + len(streamed.rejected)
    assert streamed.counts == NPSCounts.from_scores(read.responses)
