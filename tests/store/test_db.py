import pytest

from insight.store.db import bump_data_version, connect, data_version, migrate, schema_version, transaction
from insight.store.schema import MIGRATIONS


def test_new_store_has_every_table_and_migration(con):
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {"users", "items", "events", "reviews", "ingest_batches", "quarantine", "jobs", "runs"} <= tables
    assert schema_version(con) == MIGRATIONS[-1][0]


def test_migrations_run_once(db_path):
    first = connect(db_path)
    first.close()
    again = connect(db_path)
    assert migrate(again) == []
    assert again.execute("select count(*) from schema_migrations").fetchall()[0][0] == len(MIGRATIONS)


def test_transaction_rolls_back_everything_on_error(con):
    with pytest.raises(RuntimeError):
        with transaction(con):
            con.execute("insert into items (item_id, batch_id) values ('x', 'b')")
            bump_data_version(con)
            raise RuntimeError("half-way")
    assert con.execute("select count(*) from items").fetchall()[0][0] == 0
    assert data_version(con) == 0


def test_a_store_made_before_events_lost_their_key_index_keeps_its_events(tmp_path, corpus):
    import insight
    from tests.conftest import store_at_version

    path = tmp_path / "old.duckdb"
    store_at_version(path, 8).close()
    con = connect(path)  # migrates to the newest version
    insight.ingest(corpus, db=con)
    events = con.execute("select count(*) from events").fetchall()[0][0]
    again = insight.ingest(corpus / "events.csv", db=con)  # other bytes, the same events
    assert events == 7 and again.loaded["events"] == 0 and again.duplicates["already stored"] == 7
    assert con.execute("select count(*) from events").fetchall()[0][0] == 7
    con.close()


def test_a_lowered_memory_limit_is_restored_afterwards_even_on_error(con):
    import pytest

    from insight.store.db import memory_limit, scalar

    before = scalar(con, "select current_setting('memory_limit')")
    with pytest.raises(RuntimeError), memory_limit(con, "512MiB"):
        assert scalar(con, "select current_setting('memory_limit')") == "512.0 MiB"
        raise RuntimeError("the write failed")
    assert scalar(con, "select current_setting('memory_limit')") == before
    with pytest.raises(ValueError):
        with memory_limit(con, "1GiB'; drop table events; --"):
            pass
