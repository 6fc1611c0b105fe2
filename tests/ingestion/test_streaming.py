"""A large input is read a slice at a time, and the store and report come out as if it had been read whole."""

import gzip
import shutil

import pandas as pd
import pytest

import insight
from insight.ingestion.errors import IngestError
from insight.store import connect
from tests.conftest import count

TABLES = {
    "users": "user_id",
    "items": "item_id",
    "events": "event_id",
    "reviews": "review_id",
}


def _contents(con) -> dict[str, pd.DataFrame]:
    out = {
        table: con.execute(f"select * exclude (batch_id) from {table} order by {key}").df()
        for table, key in TABLES.items()
    }
    out["quarantine"] = con.execute(
        "select file, row_number, field, reason, record from quarantine order by file, row_number, reason"
    ).df()
    return out


def _report_fields(report) -> dict:
    fields = report.to_dict()
    fields.pop("batch_id")
    return fields


@pytest.fixture
def whole(corpus, tmp_path):
    con = connect(tmp_path / "whole.duckdb")
    report = insight.ingest(corpus, db=con)
    yield report, _contents(con)
    con.close()


def _mixed_formats(corpus, folder):
    """The corpus as gzipped CSV events, JSON Lines reviews and Parquet items (users stay CSV)."""
    folder.mkdir()
    with gzip.open(folder / "events.csv.gz", "wb") as out:
        out.write((corpus / "events.csv").read_bytes())
    reviews = pd.read_csv(corpus / "reviews.csv", dtype=str, keep_default_na=False, na_values=[""])
    reviews.to_json(folder / "reviews.jsonl", orient="records", lines=True, force_ascii=False)
    pd.read_csv(corpus / "items.csv", dtype=str).to_parquet(folder / "items.parquet")
    shutil.copy(corpus / "users.csv", folder / "users.csv")
    return folder


@pytest.mark.parametrize("rows", [1, 2, 5])
def test_slices_of_any_size_store_and_report_what_the_whole_file_does(corpus, tmp_path, whole, rows):
    report, stored = whole
    con = connect(tmp_path / "sliced.duckdb")
    sliced = insight.ingest(corpus, db=con, chunk_rows=rows)
    assert _report_fields(sliced) == _report_fields(report)
    assert sliced.duplicates["in file"] == 1  # the repeated view sits in another slice than its first copy
    for table, frame in _contents(con).items():
        pd.testing.assert_frame_equal(frame, stored[table], obj=table)
    con.close()


def test_gzipped_csv_json_lines_and_parquet_stream_alike(corpus, tmp_path):
    folder = _mixed_formats(corpus, tmp_path / "mixed")
    whole_con, sliced_con = connect(tmp_path / "a.duckdb"), connect(tmp_path / "b.duckdb")
    whole = insight.ingest(folder, db=whole_con)
    sliced = insight.ingest(folder, db=sliced_con, chunk_rows=3)
    assert whole.loaded == sliced.loaded == {"users": 3, "items": 4, "events": 7, "reviews": 4}
    assert sliced.quarantine_examples["event timestamp is not a date"] == "events.csv, row 9, field 'timestamp'"
    for table, frame in _contents(sliced_con).items():
        pd.testing.assert_frame_equal(frame, _contents(whole_con)[table], obj=table)
    whole_con.close()
    sliced_con.close()


def test_the_same_bytes_are_recognised_whichever_way_they_were_read(con, corpus):
    first = insight.ingest(corpus, db=con, chunk_rows=2)
    again = insight.ingest(corpus, db=con)
    assert again.status == "already_loaded" and again.batch_id == first.batch_id


def test_a_bad_slice_late_in_the_file_leaves_nothing_stored_and_names_the_file(con, corpus, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(corpus, folder)
    events = (corpus / "events.csv").read_bytes()
    (folder / "events.csv").write_bytes(events + b"carla,sku-3,view,2026-03-09 08:00:00,,,caf\xe9\n")
    with pytest.raises(IngestError) as raised:
        insight.ingest(folder, db=con, chunk_rows=2)
    assert "events.csv" in str(raised.value) and "not valid utf-8" in str(raised.value)
    assert all(count(con, table) == 0 for table in TABLES)
    assert con.execute("select count(*) from ingest_batches where status = 'loaded'").fetchall() == [(0,)]


def test_progress_says_how_far_the_reading_got(corpus, tmp_path):
    seen = []
    con = connect(tmp_path / "progress.duckdb")
    insight.ingest(corpus, db=con, chunk_rows=2, progress=lambda share, message: seen.append((share, message)))
    loading = [share for share, message in seen if message.startswith("loading")]
    assert len(loading) >= 4 and loading == sorted(loading) and loading[-1] > 0.85
    con.close()


def test_rows_staged_by_an_ingest_that_died_are_cleared_not_published(con, corpus):
    con.execute(
        "insert into staged_events (event_id, user_id, event_type, ts, batch_id) "
        "values ('dead', 'u_dead', 'view', timestamp '2026-01-01', 'b-died')"
    )
    insight.ingest(corpus, db=con, chunk_rows=3)
    assert count(con, "staged_events") == 0
    assert con.execute("select count(*) from events where event_id = 'dead'").fetchall() == [(0,)]


def test_slices_checked_by_worker_processes_store_and_report_what_one_process_does(
    corpus, tmp_path, whole, monkeypatch
):
    from insight.ingestion import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # the corpus is small: check its slices in workers anyway
    monkeypatch.setenv("INSIGHT_INGEST_WORKERS", "2")
    report, stored = whole
    con = connect(tmp_path / "parallel.duckdb")
    parallel = insight.ingest(corpus, db=con, chunk_rows=2)
    assert _report_fields(parallel) == _report_fields(report)
    for table, frame in _contents(con).items():
        pd.testing.assert_frame_equal(frame, stored[table], obj=table)
    con.close()


def test_an_error_raised_in_a_worker_arrives_with_its_file_row_and_field():
    from insight.ingestion.checking import SliceRules, checked_in_order
    from insight.ingestion.readers import Source, SourceFile

    row = {"user_id": ["a"], "event_type": ["view"], "timestamp": ["2026-01-02"]}
    good = SourceFile("events.csv", pd.DataFrame(row))
    bad = SourceFile("events.csv", pd.DataFrame({"user_id": ["a"], "item_id": ["b"]}))
    sources = [Source(path="x", files=[f], content_hash="") for f in (good, bad)]
    with pytest.raises(IngestError) as raised:
        list(checked_in_order(sources, SliceRules("canonical", (), None, b"key"), workers=2))
    assert (raised.value.file, raised.value.field) == ("events.csv", "event_type")
    assert "required column 'event_type' is missing" in str(raised.value)


def test_a_worker_count_that_is_not_a_number_is_refused_before_anything_is_stored(corpus, tmp_path, monkeypatch):
    from insight.ingestion import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    monkeypatch.setenv("INSIGHT_INGEST_WORKERS", "two")
    con = connect(tmp_path / "store.duckdb")
    with pytest.raises(IngestError, match="INSIGHT_INGEST_WORKERS must be a whole number"):
        insight.ingest(corpus, db=con, chunk_rows=2)
    assert count(con, "events") == 0
    con.close()
