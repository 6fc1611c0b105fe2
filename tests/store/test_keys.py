"""One store, one pseudonym key: found the same way from any folder, and another key is refused."""

import json

import pytest

import insight
from insight.cli import main
from insight.ingestion.errors import IngestError
from insight.store import connect
from insight.store.keys import PseudonymKeyError
from tests.conftest import count

EVENTS = "user_id,item_id,event_type,timestamp\nalice@example.com,sku-1,{kind},2024-05-05 10:00\n"
TABLES = ("users", "items", "events", "reviews", "quarantine", "ingest_batches")


def _events(folder, kind="view"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "events.csv").write_text(EVENTS.format(kind=kind))
    return folder / "events.csv"


def _counts(db):
    con = connect(db)
    try:
        return {t: count(con, t) for t in TABLES}
    finally:
        con.close()


def test_the_same_raw_id_gets_the_same_pseudonym_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("INSIGHT_PSEUDONYM_KEY")
    db = tmp_path / "data" / "store.duckdb"
    here, there = tmp_path / "here", tmp_path / "there"
    # a secrets file in one working directory used to give the same person a second pseudonym
    (there / ".streamlit").mkdir(parents=True)
    (there / ".streamlit" / "secrets.toml").write_text('pseudonym_key = "another key"\n')
    monkeypatch.chdir(_events(here).parent)
    assert main(["ingest", "events.csv", "--db", str(db)]) == 0
    monkeypatch.chdir(_events(there, kind="cart").parent)
    assert main(["ingest", "events.csv", "--db", str(db)]) == 0
    con = connect(db)
    assert con.execute("select count(distinct user_id), count(*) from events").fetchall() == [(1, 2)]
    con.close()
    assert (tmp_path / "data" / "store.duckdb.key").is_file()


def test_another_key_on_an_existing_store_is_refused_and_nothing_is_written(tmp_path, monkeypatch, capsys):
    db = tmp_path / "store.duckdb"
    insight.ingest(_events(tmp_path / "a"), db=db)  # made with INSIGHT_PSEUDONYM_KEY=test-key
    before = _counts(db)
    monkeypatch.setenv("INSIGHT_PSEUDONYM_KEY", "a different key")
    with pytest.raises(IngestError) as refused:
        insight.ingest(_events(tmp_path / "b", kind="cart"), db=db)
    message = str(refused.value)
    assert "INSIGHT_PSEUDONYM_KEY" in message and "made with another pseudonym key" in message
    assert "Nothing was written" in message and "set INSIGHT_PSEUDONYM_KEY to the original key" in message
    assert main(["ingest", str(tmp_path / "b" / "events.csv"), "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "another pseudonym key" in err and len(err.splitlines()) == 1
    with pytest.raises(PseudonymKeyError):
        connect(db)
    monkeypatch.setenv("INSIGHT_PSEUDONYM_KEY", "test-key")
    assert _counts(db) == before


def test_an_open_connection_checks_the_key_before_writing(tmp_path, monkeypatch):
    db = tmp_path / "store.duckdb"
    con = connect(db)
    insight.ingest(_events(tmp_path / "a"), db=con)
    before = {t: count(con, t) for t in TABLES}
    monkeypatch.setenv("INSIGHT_PSEUDONYM_KEY", "a different key")
    with pytest.raises(IngestError, match="another pseudonym key"):
        insight.ingest(_events(tmp_path / "b", kind="cart"), db=con)
    assert {t: count(con, t) for t in TABLES} == before
    con.close()


def test_a_store_made_with_its_key_file_refuses_an_environment_key(tmp_path, monkeypatch):
    monkeypatch.delenv("INSIGHT_PSEUDONYM_KEY")
    db = tmp_path / "store.duckdb"
    insight.ingest(_events(tmp_path / "a"), db=db)
    monkeypatch.setenv("INSIGHT_PSEUDONYM_KEY", "not the file's key")
    with pytest.raises(IngestError) as refused:
        insight.ingest(_events(tmp_path / "b", kind="cart"), db=db)
    assert f"key file {db}.key" in str(refused.value) and "unset it" in str(refused.value)


def test_a_store_whose_key_cannot_be_found_is_refused_without_making_a_new_key(tmp_path, monkeypatch):
    db = tmp_path / "store.duckdb"
    insight.ingest(_events(tmp_path / "a"), db=db)  # under INSIGHT_PSEUDONYM_KEY
    monkeypatch.delenv("INSIGHT_PSEUDONYM_KEY")
    con = connect(db)  # no key to check on open: reading is fine
    with pytest.raises(IngestError, match="no key was found"):
        insight.ingest(_events(tmp_path / "b", kind="cart"), db=con)
    con.close()
    assert not (tmp_path / "store.duckdb.key").exists()


def test_the_store_keeps_a_fingerprint_of_the_key_not_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("INSIGHT_PSEUDONYM_KEY", "a-long-and-secret-pseudonym-key")
    db = tmp_path / "store.duckdb"
    insight.ingest(_events(tmp_path / "a"), db=db)
    con = connect(db)
    meta = dict(con.execute("select key, value from meta").fetchall())
    report = json.loads(con.execute("select report from ingest_batches").fetchall()[0][0])
    con.close()
    assert len(meta["pseudonym_key_fingerprint"]) == 16 and meta["pseudonym_key_source"] == "INSIGHT_PSEUDONYM_KEY"
    assert b"a-long-and-secret-pseudonym-key" not in db.read_bytes() and "secret" not in json.dumps(report)
