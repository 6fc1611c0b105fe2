"""Nothing raw about a person is stored: quarantined ids, personal columns, file modes."""

import json
import stat

import duckdb

import insight
from insight.ingestion.pseudonymise import pseudonym
from insight.store import connect
from insight.store import db as store_db
from insight.store.schema import MIGRATIONS
from tests.conftest import count

RAW = "alice@example.com"


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _store_bytes(con, path) -> bytes:
    con.execute("checkpoint")
    data = path.read_bytes()
    wal = path.with_name(path.name + ".wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_a_quarantined_row_keeps_the_pseudonym_not_the_raw_id(con, db_path, tmp_path):
    (tmp_path / "events.csv").write_text(
        f"user_id,item_id,event_type,timestamp\n{RAW},sku-1,teleport,2024-05-05\n{RAW},sku-1,view,2024-05-05\n"
    )
    report = insight.ingest(tmp_path / "events.csv", db=con)
    assert report.quarantined == {
        "event event type is not one of view, search, click, cart, fav, purchase, refund, cancel": 1
    }
    record = json.loads(con.execute("select record from quarantine").fetchall()[0][0])
    stored_user = con.execute("select user_id from events").fetchall()[0][0]
    assert record["user_id"] == stored_user == pseudonym(RAW, b"test-key")  # still joins the user's good rows
    assert record["event_type"] == "teleport"  # the rest of the row is there to fix it
    assert RAW.encode() not in _store_bytes(con, db_path)


def test_personal_columns_are_dropped_by_name_and_by_content(con, db_path, tmp_path):
    (tmp_path / "users.csv").write_text(
        "user_id,country,Email,first_name,Phone Number,contact,backup,zip,birth_date,ip,age,tier\n"
        f"u1,GB,{RAW},Alice,+44 20 7946 0958,bob@example.org,0612345678,SW1A 1AA,1990-02-03,10.0.0.1,34,gold\n"
        "u2,FR,carla@example.net,Carla,06 12 34 56 78,dan@example.com,+33 6 12 34 56 79,75001,1985-06-07,10.0.0.2,41,"
        "silver\n"
    )
    report = insight.ingest(tmp_path / "users.csv", db=con)
    attributes = [json.loads(r[0]) for r in con.execute("select attributes from users order by user_id").fetchall()]
    assert attributes == [{"age": "34", "tier": "gold"}, {"age": "41", "tier": "silver"}]
    assert report.dropped_columns == {
        "email": "its name says an e-mail address",
        "first_name": "its name says a person's name",
        "phone number": "its name says a phone number",
        "contact": "most values look like e-mail addresses",
        "backup": "most values look like phone numbers",
        "zip": "its name says a postal address",
        "birth_date": "its name says a birth date",
        "ip": "its name says an IP address",
    }
    text = report.to_text()
    assert "personal data not stored (8 user columns)" in text and "contact: most values look like e-mail" in text
    assert "[privacy]" in text and 'keep_columns = ["email"]' in text and "insight.toml" in text
    raw = _store_bytes(con, db_path)
    assert b"bob@example.org" not in raw and RAW.encode() not in raw and b"7946 0958" not in raw


def test_keep_columns_in_the_settings_file_keeps_a_column(con, db_path, tmp_path):
    (db_path.parent / "insight.toml").write_text('[privacy]\nkeep_columns = ["loyalty_phone"]\n')
    (tmp_path / "users.csv").write_text("user_id,loyalty_phone,email\nu1,+44 20 7946 0958,a@example.com\n")
    report = insight.ingest(tmp_path / "users.csv", db=con)
    assert json.loads(con.execute("select attributes from users").fetchall()[0][0]) == {
        "loyalty_phone": "+44 20 7946 0958"
    }
    assert list(report.dropped_columns) == ["email"]


def test_a_quarantined_user_row_loses_its_personal_columns_too(con, db_path, tmp_path):
    (tmp_path / "users.csv").write_text(
        f"user_id,email,first_seen\n{RAW},{RAW},yesterday\nbob,b@example.org,2024-01-01\n"
    )
    report = insight.ingest(tmp_path / "users.csv", db=con)
    assert report.quarantined == {"user first_seen is not a date": 1}
    record = json.loads(con.execute("select record from quarantine").fetchall()[0][0])
    assert record["user_id"].startswith("u_") and json.loads(record["attributes"]) == {}
    assert RAW.encode() not in _store_bytes(con, db_path)


def test_store_wal_and_key_file_are_private(tmp_path, monkeypatch, corpus):
    monkeypatch.delenv("INSIGHT_PSEUDONYM_KEY")
    db = tmp_path / "data" / "store.duckdb"
    con = connect(db)
    insight.ingest(corpus / "items.csv", db=con)
    wal = db.with_name("store.duckdb.wal")
    assert wal.exists() and _mode(wal) == 0o600  # written, not yet checkpointed
    con.close()
    assert _mode(db) == 0o600 and _mode(db.with_name("store.duckdb.key")) == 0o600


def test_an_existing_world_readable_store_is_made_private_when_opened(tmp_path):
    db = tmp_path / "old.duckdb"
    duckdb.connect(str(db)).close()
    db.chmod(0o644)
    connect(db).close()
    assert _mode(db) == 0o600


def test_migration_7_scrubs_raw_ids_that_older_versions_quarantined(tmp_path, monkeypatch):
    db = tmp_path / "old.duckdb"
    monkeypatch.setattr(store_db, "MIGRATIONS", tuple(m for m in MIGRATIONS if m[0] < 7))
    old = connect(db)
    old.execute(
        "insert into quarantine values ('b1', 'users.csv', 2, 'first_seen', 'user first_seen is not a date', ?)",
        [json.dumps({"user_id": RAW, "attributes": json.dumps({"email": RAW}), "first_seen": "soon"})],
    )
    old.close()
    monkeypatch.setattr(store_db, "MIGRATIONS", MIGRATIONS)
    con = connect(db)
    record = json.loads(con.execute("select record from quarantine").fetchall()[0][0])
    assert record["first_seen"] == "soon" and RAW not in json.dumps(record)
    assert count(con, "quarantine") == 1
    con.close()
    assert RAW.encode() not in db.read_bytes()
