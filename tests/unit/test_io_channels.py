"""Channel values as exports write them, placeholder columns, and checked tallies."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from netpromoter.core import NPSCounts
from netpromoter.exceptions import InvalidParameterError
from netpromoter.io import read_columns, read_responses, tally_file

if TYPE_CHECKING:
    from netpromoter.io._read import ReadKeywords

DUTCH = Path(__file__).resolve().parents[1] / "golden" / "cli" / "klanttevredenheid_nl.csv"

CHANNELS = [
    ("e-mail", "email"),
    ("E-Mail", "email"),
    ("mail", "email"),
    ("Email", "email"),
    ("telefoon", "phone"),
    ("Telefonisch", "phone"),
    ("phone", "phone"),
    ("SMS", "sms"),
    ("tekst", "sms"),
    ("app", "in_app"),
    ("In-app", "in_app"),
    ("in_app", "in_app"),
    ("chat", "chat"),
    ("Live chat", "chat"),
    ("web", "web"),
    ("Website", "web"),
    ("online", "web"),
    ("overig", "other"),
]


@pytest.mark.parametrize(("value", "channel"), CHANNELS)
def test_english_and_dutch_channel_names(value: str, channel: str) -> None:
    """Each written form is read as its channel, and no warning is given."""
    read = read_responses(io.StringIO(f"score;kanaal\n9;{value}\n"))
    assert [str(r.channel) for r in read.responses] == [channel]
    assert read.notes == ()


def test_unknown_channels_are_other_and_counted_once() -> None:
    """Unknown values keep their rows and scores: one warning, counted, with examples."""
    text = "score,channel\n9,fax\n3,fax\n7,pigeon\n10,email\n6,telex\n5,carrier\n"
    read = read_responses(io.StringIO(text))
    assert [r.score for r in read.responses] == [9, 3, 7, 10, 6, 5]
    assert [str(r.channel) for r in read.responses] == [
        "other", "other", "other", "email", "other", "other"
    ]  # fmt: skip
    (note,) = read.notes
    assert note.startswith("column 'channel': 5 rows with an unknown channel, read as 'other'")
    assert "'fax' (2), 'carrier' (1), 'pigeon' (1) and 1 more" in note


def test_channel_map_wins_and_is_checked() -> None:
    """A caller's value wins over the built-in names; a target must be a channel."""
    text = "score,channel\n9,WhatsApp\n8,mail\n"
    read = read_columns(io.StringIO(text), channel_map={"whatsapp": "chat", "MAIL": "web"})
    assert read.data["channel"] == ("chat", "web")
    with pytest.raises(InvalidParameterError, match=r"'fax'.*not one of email"):
        read_columns(io.StringIO(text), channel_map={"whatsapp": "fax"})


def test_placeholder_columns_by_mapping_or_by_name() -> None:
    """first_name comes from a mapped column or a Voornaam column; blanks are left out."""
    text = "score;Naam;regio\n9;Sanne;noord\n7;;zuid\n"
    read = read_responses(io.StringIO(text), mapping={"first_name": "Naam"})
    assert [dict(r.segments) for r in read.responses] == [
        {"first_name": "Sanne", "regio": "noord"},
        {"regio": "zuid"},
    ]
    assert read.columns["first_name"] == "Naam"
    found = read_responses(io.StringIO("score;Voornaam\n9;Piet\n"))
    assert found.responses[0].segments == {"first_name": "Piet"}
    with pytest.raises(InvalidParameterError, match="placeholder columns are"):
        read_responses(io.StringIO(text), mapping={"voornaam": "Naam"})


def test_checked_tally_is_the_tally_of_the_accepted_responses() -> None:
    """tally_file(read=...) counts exactly the rows read_responses accepts."""
    options: ReadKeywords = {
        "mapping": {"score": "Cijfer"},
        "decimal": ",",
        "date_format": "%d-%m-%Y %H:%M",
        "naive_timezone": ZoneInfo("Europe/Amsterdam"),
    }
    read = read_responses(DUTCH, **options)
    tallied = tally_file(DUTCH, read=options, by=["Regio"], progress=False)
    assert tallied.counts == NPSCounts.from_scores([r.score for r in read.responses])
    assert tallied.rejected == read.rejected
    assert tallied.rows_read == read.rows_read
    for (region,), counts in tallied.groups:
        scores = [r.score for r in read.responses if r.segments.get("Regio") == region]
        assert counts == NPSCounts.from_scores(scores)


def test_checked_tally_reads_json_lines(tmp_path: Path) -> None:
    """With read=, a JSON Lines file is tallied as read_responses reads it."""
    path = tmp_path / "answers.jsonl"
    path.write_text(
        '{"score": 9, "channel": "telefoon"}\n{"score": "ten"}\n{"score": 3, "channel": "fax"}\n',
        encoding="utf-8",
    )
    tallied = tally_file(path, read={}, by=["channel"], progress=False)
    assert tallied.counts == NPSCounts.from_scores([9, 3])
    assert [r.line for r in tallied.rejected] == [2]
    assert sorted(key for key, _ in tallied.groups) == [("other",), ("phone",)]
    with pytest.raises(InvalidParameterError, match="JSON Lines"):
        tally_file(path, progress=False)
