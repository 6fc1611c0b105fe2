"""The Ingest page writes uploads by base name into a private folder: a traversal name reads no server file."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from insight.store import connect

APP = str(Path(__file__).resolve().parents[2] / "app.py")
UPLOADED = b"item_id,title\nuploaded-1,Uploaded shoe\n"


@pytest.mark.parametrize("name", ["../secret/items.csv", "..\\secret\\items.csv", "{absolute}"])
def test_an_upload_named_like_a_server_path_loads_only_the_uploaded_bytes(name, monkeypatch, tmp_path):
    secret = tmp_path / "secret" / "items.csv"
    secret.parent.mkdir()
    secret.write_bytes(b"item_id,title\nserver-secret,The server's own file\n")
    db = tmp_path / "store.duckdb"
    monkeypatch.setenv("INSIGHT_DB_PATH", str(db))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("pages/data/ingest.py").run()
    at.file_uploader[0].set_value((name.format(absolute=secret), UPLOADED, "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert any("items.csv" in s.value and "loaded" in s.value for s in at.success)
    con = connect(db)
    try:
        assert con.execute("select item_id from items").fetchall() == [("uploaded-1",)]
        assert con.execute("select source from ingest_batches").fetchall() == [("items.csv",)]
    finally:
        con.close()


def test_an_upload_name_with_control_characters_is_refused_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("INSIGHT_DB_PATH", str(tmp_path / "store.duckdb"))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("pages/data/ingest.py").run()
    at.file_uploader[0].set_value(("../items\n.csv", UPLOADED, "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception
    assert any("Nothing was loaded" in e.value and "control characters" in e.value for e in at.error)


def test_the_report_on_the_page_says_which_personal_columns_were_left_out(monkeypatch, tmp_path):
    monkeypatch.setenv("INSIGHT_DB_PATH", str(tmp_path / "store.duckdb"))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("pages/data/ingest.py").run()
    users = b"user_id,email,tier\nu1,alice@example.com,gold\n"
    at.file_uploader[0].set_value(("users.csv", users, "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception
    dropped = next(df.value for df in at.dataframe if "Why it was left out" in df.value.columns)
    assert dropped.to_dict("records") == [{"Column": "email", "Why it was left out": "its name says an e-mail address"}]
    assert any('keep_columns = ["email"]' in c.value for c in at.code)
