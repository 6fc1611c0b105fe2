import json
import shutil

import pytest

import insight
from insight.ingestion.errors import IngestError
from insight.store import staging
from tests.conftest import count


def test_canonical_folder_loads_good_rows_and_quarantines_bad_ones(con, corpus):
    report = insight.ingest(corpus, db=con)
    assert report.status == "loaded" and report.format == "canonical"
    assert report.loaded == {"users": 3, "items": 4, "events": 7, "reviews": 4}
    assert report.quarantined == {
        "event timestamp is not a date": 1,
        "event user id is missing": 1,
        "event event type is not one of view, search, click, cart, fav, purchase, refund, cancel": 1,
        "review rating is outside 1–5": 1,
    }
    assert report.duplicates["in file"] == 1
    rows = con.execute("select file, row_number, field, reason, record from quarantine order by row_number").df()
    bad_date = rows[rows["reason"] == "event timestamp is not a date"].iloc[0]
    assert (bad_date["file"], bad_date["row_number"], bad_date["field"]) == ("events.csv", 9, "timestamp")
    assert json.loads(bad_date["record"])["timestamp"] == "not a date"
    assert "events.csv, row 9, field 'timestamp'" in report.to_text()


def test_event_aliases_are_normalised(con, corpus):
    insight.ingest(corpus, db=con)
    kinds = {r[0] for r in con.execute("select distinct event_type from events").fetchall()}
    assert kinds == {"view", "purchase", "search", "cart"}


def test_user_ids_are_pseudonymised_before_storage(con, corpus):
    insight.ingest(corpus, db=con)
    stored = {r[0] for r in con.execute("select user_id from users union select user_id from events").fetchall()}
    assert not stored & {"alice", "bob", "carla"}
    assert all(uid.startswith("u_") and len(uid) == 22 for uid in stored)
    # the same person gets the same pseudonym in every table
    assert con.execute("select count(distinct user_id) from events").fetchall()[0][0] == 3


def test_languages_are_detected_per_text(con, corpus):
    insight.ingest(corpus, db=con)
    languages = dict(con.execute("select review_id, language from reviews").fetchall())
    assert languages == {"r1": "en", "r2": "zh", "r3": "pt", "r4": "en"}


def test_reingesting_the_same_files_adds_nothing(con, corpus, tmp_path):
    insight.ingest(corpus, db=con)
    before = {t: count(con, t) for t in ("users", "items", "events", "reviews")}
    again = insight.ingest(corpus, db=con)
    assert again.status == "already_loaded" and again.ok
    # a copy with one file renamed is new bytes, but every row is already stored
    copy = tmp_path / "copy"
    shutil.copytree(corpus, copy)
    (copy / "events.csv").rename(copy / "events_march.csv")
    third = insight.ingest(copy, db=con)
    assert third.status == "loaded" and sum(third.loaded.values()) == 0
    assert third.duplicates["already stored"] == sum(before.values())
    assert {t: count(con, t) for t in before} == before


def test_failure_half_way_leaves_the_store_as_it_was(con, corpus, tmp_path, monkeypatch):
    insight.ingest(corpus / "items.csv", db=con)
    before = {t: count(con, t) for t in ("users", "items", "events", "reviews", "quarantine")}

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(staging, "publish", explode)
    with pytest.raises(IngestError, match="nothing stored"):
        insight.ingest(corpus, db=con)
    assert {t: count(con, t) for t in before} == before
    assert all(count(con, f"staged_{t}") == 0 for t in before)  # nothing left half-written aside either
    failed = con.execute("select status, report from ingest_batches where status = 'failed'").fetchall()
    assert len(failed) == 1 and "disk full" in json.loads(failed[0][1])["message"]


def test_missing_required_column_is_named(con, tmp_path):
    (tmp_path / "events.csv").write_text("user_id,item_id,event_type\nu1,i1,view\n")
    with pytest.raises(IngestError) as caught:
        insight.ingest(tmp_path / "events.csv", db=con)
    assert "events.csv" in str(caught.value) and "'timestamp'" in str(caught.value)
    assert count(con, "events") == 0


def test_a_reviews_export_is_not_loaded_as_users(con, tmp_path):
    # user_id and no item_id reads as a users file; its comment and stars columns say otherwise
    (tmp_path / "export.csv").write_text("user_id,comment,stars\nu1,Lovely mug,5\nu2,Broke in a week,1\n")
    with pytest.raises(IngestError) as caught:
        insight.ingest(tmp_path / "export.csv", db=con)
    message = str(caught.value)
    assert "export.csv" in message and "comment, stars look like reviews" in message
    assert "review_id, user_id, item_id, rating, title, text" in message and "stars → rating" in message
    assert count(con, "users") == 0
    (tmp_path / "people.csv").write_text("user_id,country,age\nu1,PT,34\n")  # attributes are still welcome
    assert insight.ingest(tmp_path / "people.csv", db=con).loaded["users"] == 1


def test_reviews_naming_users_and_items_the_store_lacks_are_reported(con, corpus, tmp_path):
    insight.ingest(corpus, db=con)
    (tmp_path / "reviews.csv").write_text(
        "review_id,user_id,item_id,rating,text,timestamp\n"
        "x1,ghost,sku-1,5,Great,2025-03-01\nx2,ghost,nowhere,4,Fine,2025-03-02\nx3,ghost2,sku-1,2,Meh,2025-03-03\n"
    )
    report = insight.ingest(tmp_path / "reviews.csv", db=con)
    assert report.ok and report.loaded["reviews"] == 3  # loaded, as before, but no longer silently
    assert report.orphans == {
        "reviews naming users the store has no record of": {"rows": 3, "ids": 2},
        "reviews naming items the store has no record of": {"rows": 1, "ids": 1},
    }
    assert "3 reviews naming users the store has no record of (2 distinct ids)" in report.to_text()


def test_batch_where_every_row_is_bad_is_rejected_but_kept_for_inspection(con, tmp_path):
    (tmp_path / "events.csv").write_text("user_id,item_id,event_type,timestamp\nu1,i1,view,yesterday\n")
    report = insight.ingest(tmp_path / "events.csv", db=con)
    assert report.status == "rejected" and not report.ok
    assert "no row could be loaded" in report.message and "events.csv, row 2, field 'timestamp'" in report.message
    assert count(con, "quarantine") == 1 and count(con, "events") == 0


def test_unrecognised_columns_list_the_known_formats(con, tmp_path):
    (tmp_path / "mystery.csv").write_text("a,b\n1,2\n")
    with pytest.raises(IngestError, match="format not recognised.*canonical"):
        insight.ingest(tmp_path / "mystery.csv", db=con)


def test_connect_uses_the_configured_path(tmp_path, monkeypatch):
    monkeypatch.setenv("INSIGHT_DB_PATH", str(tmp_path / "configured.duckdb"))
    insight.connect().close()
    assert (tmp_path / "configured.duckdb").exists()
