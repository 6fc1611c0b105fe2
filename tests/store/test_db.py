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
