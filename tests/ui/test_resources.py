"""Stopping the app's resources while a page is still reading the store."""

import threading
import time

import duckdb

from insight.ui import resources


def test_shutdown_interrupts_a_query_still_running_instead_of_failing(tmp_path, monkeypatch):
    monkeypatch.setenv("INSIGHT_DB_PATH", str(tmp_path / "store.duckdb"))
    con = resources.start()
    outcome = {}

    def long_read():
        try:
            con.execute("select count(*) from range(100000000000) a").fetchall()
            outcome["finished"] = True
        except duckdb.Error as exc:
            outcome["error"] = type(exc).__name__

    reader = threading.Thread(target=long_read)
    reader.start()
    time.sleep(0.5)  # the read is under way on the store's own connection
    resources.stop()  # raised "connection is busy" before
    reader.join(timeout=30)
    assert not reader.is_alive() and "finished" not in outcome
    assert resources._STORES == {}
