"""Uploads are written by base name only, into a private folder that is removed afterwards."""

import stat

import pytest

from insight.ingestion import ingest_path
from insight.ingestion.errors import IngestError
from insight.ingestion.uploads import safe_name, saved_uploads

ITEMS = b"item_id,title\nuploaded-1,Uploaded shoe\n"
SERVER_ITEMS = b"item_id,title\nserver-secret,Server's own file\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("items.csv", "items.csv"),
        ("../secret/items.csv", "items.csv"),
        ("../../../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\x.csv", "x.csv"),
        ("C:\\x\\items.csv", "items.csv"),
        ("C:items.csv", "items.csv"),
        ("folder/sub\\mixed/events.csv", "events.csv"),
    ],
)
def test_only_the_base_name_of_an_upload_is_used(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["", ".", "..", "../..", "a/..", "dir/", "C:\\", "items\x00.csv", "bad\nname.csv"])
def test_names_without_a_safe_base_name_are_refused(name):
    with pytest.raises(IngestError, match="refused"):
        safe_name(name)


def test_uploads_go_to_a_private_folder_that_is_removed_afterwards():
    with saved_uploads([("items.csv", ITEMS), ("items.csv", b"item_id\nx\n"), ("ITEMS.csv", b"item_id\ny\n")]) as saved:
        folder = saved.folder
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert [p.name for p in saved.paths] == ["items.csv", "items (2).csv", "ITEMS (3).csv"]
        assert all(p.parent == folder and stat.S_IMODE(p.stat().st_mode) == 0o600 for p in saved.paths)
        assert saved.paths[0].read_bytes() == ITEMS  # the duplicate did not overwrite the first
        assert saved.target == folder
    assert not folder.exists()


@pytest.mark.parametrize(
    "hostile",
    ["../secret/items.csv", "..\\secret\\items.csv", "{server}", "C:\\secret\\items.csv"],
)
def test_a_traversal_name_never_reads_or_writes_a_server_file(hostile, tmp_path, con):
    # The attack: a file already on the server, named through the upload's name.
    work = tmp_path / "work"
    work.mkdir()
    secret = tmp_path / "secret" / "items.csv"
    secret.parent.mkdir()
    secret.write_bytes(SERVER_ITEMS)
    name = hostile.format(server=secret)  # an absolute path to it
    before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    with saved_uploads([(name, ITEMS)]) as saved:
        assert saved.target.parent == saved.folder and saved.display_name == "items.csv"
        report = ingest_path(con, saved.target, source_name=saved.display_name)
    assert report.status == "loaded"
    stored = [r[0] for r in con.execute("select item_id from items").fetchall()]
    assert stored == ["uploaded-1"]  # the uploaded bytes, not the server's file
    assert secret.read_bytes() == SERVER_ITEMS  # nor was the server's file overwritten
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == before  # and nothing written beside it
    assert not saved.folder.exists()


def test_a_refused_name_stores_nothing(con):
    with pytest.raises(IngestError, match="no file name"):
        with saved_uploads([("..", ITEMS)]):
            pass
    assert con.execute("select count(*) from ingest_batches").fetchall()[0][0] == 0


def test_an_upload_named_etc_passwd_is_only_the_uploaded_bytes(con):
    with saved_uploads([("/etc/passwd", ITEMS)]) as saved:
        assert saved.paths == [saved.folder / "passwd"] and saved.paths[0].read_bytes() == ITEMS
        with pytest.raises(IngestError, match="no CSV, Parquet or JSONL file"):  # not a data file name
            ingest_path(con, saved.target, source_name=saved.display_name)
    assert con.execute("select count(*) from items").fetchall()[0][0] == 0
