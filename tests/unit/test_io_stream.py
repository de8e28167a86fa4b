"""Big-file scoring: chunked tallies equal in-memory scoring, with the same rejections."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from netpromoter import NPSCounts, score, segment
from netpromoter.cli import example_path
from netpromoter.exceptions import DataFileError, InvalidParameterError, RejectedRowError
from netpromoter.io import Engine, read_responses, tally_file
from netpromoter.segmentation import SegmentCounts

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "io"
ENGINES = ["csv", "pyarrow"]


def _write_big(path: Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 11, n)
    regions = np.array(["north", "south", "east", "west"])[rng.integers(0, 4, n)]
    cells = np.char.add(np.char.add(scores.astype(str), ","), regions)
    lines = np.char.add(np.char.add(np.arange(n).astype(str), ","), cells)
    path.write_text("id,score,region\n" + "\n".join(lines.tolist()) + "\n", encoding="utf-8")
    return scores, regions


def test_million_rows_equal_in_memory_scoring(tmp_path: Path) -> None:
    """A generated 10^6-row file, streamed in chunks, gives exactly the in-memory result."""
    path = tmp_path / "big.csv"
    scores, regions = _write_big(path, 1_000_000)
    tallied = tally_file(path, by=["region"], progress=False)
    assert tallied.rows_read == 1_000_000
    assert tallied.rejected == ()
    assert tallied.result() == score(scores)
    for (region,), result in tallied.group_results().items():
        assert result == score(scores[regions == region])


@pytest.mark.parametrize("engine", ENGINES)
def test_small_chunks_equal_one_chunk(tmp_path: Path, engine: Engine) -> None:
    """Merging many small chunks gives the same tallies as one pass (both engines)."""
    path = tmp_path / "mid.csv"
    scores, _ = _write_big(path, 5_000)
    one = tally_file(path, by=["region"], engine="csv", chunk_rows=10_000, progress=False)
    many = tally_file(path, by=["region"], engine=engine, chunk_rows=333, progress=False)
    assert one.groups == many.groups
    assert one.counts == many.counts == NPSCounts.from_scores(scores)


@pytest.mark.parametrize("engine", ENGINES)
def test_same_rejections_as_read_responses(engine: Engine) -> None:
    """The streaming reader rejects the golden file's bad scores with the same reasons."""
    path = GOLDEN / "survey_export_nl.csv"
    streamed = tally_file(path, engine=engine, progress=False)
    full = read_responses(path, duplicates="keep_all")
    score_rejections = [r for r in full.rejected if r.column == "Aanbevelingsscore"]
    assert [r.reason for r in streamed.rejected if r.column] == [r.reason for r in score_rejections]
    assert streamed.rows_read == streamed.counts.n + len(streamed.rejected)
    # Every engine names the exact line each rejected row starts on.
    assert [r.line for r in streamed.rejected if r.column] == [r.line for r in score_rejections]
    assert [r.line for r in streamed.rejected if not r.column] == [14]


@pytest.mark.parametrize("engine", ENGINES)
def test_example_data_by_two_columns(engine: Engine) -> None:
    """Segmenting the example file by two columns matches scoring each subset in memory."""
    read = read_responses(example_path(), duplicates="keep_all")
    tallied = tally_file(
        example_path(),
        by=["region", "customer_type"],
        engine=engine,
        progress=False,
    )
    assert tallied.counts == NPSCounts.from_scores(read.responses)
    for (region, kind), counts in tallied.groups:
        subset = [
            r
            for r in read.responses
            if r.segments["region"] == region and r.segments["customer_type"] == kind
        ]
        assert counts == NPSCounts.from_scores(subset)


@pytest.mark.parametrize("engine", ENGINES)
def test_weights_column(tmp_path: Path, engine: Engine) -> None:
    """A weight column is tallied like score(weights=...); a bad weight rejects its row."""
    path = tmp_path / "w.csv"
    path.write_text("score;w\n10;2\n6;0.5\n9;1\n8;-1\n7;x\n", encoding="utf-8")
    tallied = tally_file(path, weights="w", engine=engine, progress=False)
    assert tallied.result() == score([10, 6, 9], weights=[2, 0.5, 1])
    assert [(r.column, r.value) for r in tallied.rejected] == [("w", "-1"), ("w", "x")]


def test_parquet(tmp_path: Path) -> None:
    """Parquet files stream by row batches, typed values checked like text cells."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"nps": [10, 3, None, 11, 9], "team": ["a", "b", "a", "b", "b"]}), path)
    tallied = tally_file(path, by=["team"], chunk_rows=2, progress=False)
    assert tallied.groups == (
        (("a",), NPSCounts.from_scores([10])),
        (("b",), NPSCounts.from_scores([3, 9])),
    )
    assert [(r.line, r.value) for r in tallied.rejected] == [(3, ""), (4, "11")]


def test_strict(tmp_path: Path) -> None:
    """Strict streaming stops at the first bad row."""
    path = tmp_path / "s.csv"
    path.write_text("score\n9\nnine\n", encoding="utf-8")
    with pytest.raises(RejectedRowError, match="line 3"):
        tally_file(path, strict=True, engine="csv", progress=False)


def test_missing_by_column(tmp_path: Path) -> None:
    """A segment column that is not in the file is named in a DataFileError."""
    path = tmp_path / "m.csv"
    path.write_text("score\n9\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="no column 'region'"):
        tally_file(path, by=["region"], progress=False)


def test_bad_options(tmp_path: Path) -> None:
    """Unknown engines, JSON Lines and non-positive chunk sizes are InvalidParameterErrors."""
    path = tmp_path / "m.csv"
    path.write_text("score\n9\n", encoding="utf-8")
    with pytest.raises(InvalidParameterError, match="engine"):
        tally_file(path, engine="spark")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="chunk_rows"):
        tally_file(path, chunk_rows=0)
    with pytest.raises(InvalidParameterError, match="JSON Lines"):
        tally_file(tmp_path / "x.jsonl")


def test_export_rows() -> None:
    """A file tally flattens to one row per segment for exports."""
    tallied = tally_file(example_path(), by=["region"], progress=False)
    rows = tallied.to_dicts()
    assert [row["region"] for row in rows] == sorted(row["region"] for row in rows)
    assert sum(row["n"] for row in rows) == 3000
    assert "<table" in tallied._repr_html_()


def test_no_progress_bar_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """By default the bar is drawn only on a terminal: nothing on captured stderr."""
    tally_file(example_path(), progress=None)
    assert capsys.readouterr().err == ""


def test_progress_bar_on_request(tmp_path: Path) -> None:
    """An explicit progress=True runs the rich bar (when installed) without changing results."""
    pytest.importorskip("rich")
    path = tmp_path / "p.csv"
    _write_big(path, 2_000)
    quiet = tally_file(path, progress=False, engine="csv", chunk_rows=500)
    shown = tally_file(path, progress=True, engine="csv", chunk_rows=500)
    assert quiet == shown


@pytest.mark.parametrize("engine", ENGINES)
def test_weighted_segments_equal_segment(tmp_path: Path, engine: Engine) -> None:
    """Streamed weighted segment tables equal segment() on the same rows in memory."""
    path = tmp_path / "ws.csv"
    rows = [(10, "a", 2.0), (6, "a", 0.5), (9, "b", 1.0), (3, "b", 1.5), (8, "", 1.0)] * 7
    path.write_text(
        "score,team,w\n" + "".join(f"{s},{t},{w}\n" for s, t, w in rows), encoding="utf-8"
    )
    streamed = tally_file(path, by=["team"], weights="w", engine=engine, progress=False)
    data = {
        "score": [s for s, _, _ in rows],
        "team": [t or None for _, t, _ in rows],
        "w": [w for _, _, w in rows],
    }
    counted = streamed.tally
    counts = SegmentCounts.from_tally(counted, counted.by, counted.labels or (), weighted=True)
    assert counts.result(min_n=5) == segment(data, "team", weights="w", min_n=5)
