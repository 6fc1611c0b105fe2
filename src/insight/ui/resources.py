"""Process-wide resources: the store connection and the job runner, opened once per app process.

``insight serve`` opens both at start-up (``serve.py``'s lifespan calls :func:`start`), before any page
is visited: the process holds the store's lock from its first second, so a CLI command started
meanwhile is told the store is busy, and jobs that a stopped app left ``running`` are marked failed
at once. Pages reach them through :func:`cursor` and :func:`runner`; a page run in a process that was
not started that way (AppTest, ``streamlit run app.py``) opens them on first use.
"""

from __future__ import annotations

import logging
import threading
import time

import duckdb

from insight import config

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_STORES: dict[str, duckdb.DuckDBPyConnection] = {}
_RUNNERS: dict = {}


def start(path: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store at ``path`` (default: ``INSIGHT_DB_PATH``) and its job runner, once per process."""
    from insight.jobs.runner import JobRunner
    from insight.store import connect

    key = str(path or config.db_path())
    with _LOCK:
        if key not in _STORES:
            _STORES[key] = connect(key)
            log.info("store %s open", key)
        if key not in _RUNNERS:
            _RUNNERS[key] = JobRunner(_STORES[key])  # marks jobs a stopped process left running as failed
        return _STORES[key]


def stop() -> None:
    """Finish queued jobs, then close every runner and store this process opened (server shutdown, tests)."""
    with _LOCK:
        runners, stores = list(_RUNNERS.values()), list(_STORES.values())
        _RUNNERS.clear()
        _STORES.clear()
    for job_runner in runners:
        job_runner.close()
    for con in stores:
        _close(con)


def _close(con: duckdb.DuckDBPyConnection, attempts: int = 50) -> None:
    """Close a store connection, interrupting a query still running on it (a page mid-run at shutdown).

    DuckDB refuses to close a connection that is busy rather than waiting, which made the server's
    shutdown fail whenever a visitor's page was still reading.
    """
    for _ in range(attempts):
        try:
            con.close()
            return
        except duckdb.Error:
            try:
                con.interrupt()
            except duckdb.Error:  # the failed close closed it after all
                return
            time.sleep(0.1)
    log.warning("the store connection was still busy after %d attempts to close it", attempts)


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the app's store for this script run (DuckDB connections are not thread-safe)."""
    return start().cursor()


def data_version() -> int:
    """The store's data version; cached reads take it so that a write invalidates them."""
    from insight.store.db import data_version as read_version

    return read_version(cursor())


def runner():
    """The app's job runner (one worker thread), started with the store."""
    start()
    return _RUNNERS[str(config.db_path())]


def close_runner() -> None:
    """Finish the current store's queued jobs and stop its worker; the next :func:`runner` starts a new one."""
    with _LOCK:
        job_runner = _RUNNERS.pop(str(config.db_path()), None)
    if job_runner is not None:
        job_runner.close()


def user_id_candidates(typed: str) -> list[str]:
    """The pseudonyms a user id typed on a page may mean, most likely first (the shop's own id, or as typed).

    The key is the store's own and is never created here: a store without one holds no raw ids to match.
    """
    from insight import config
    from insight.ingestion.pseudonymise import stored_user_ids
    from insight.store.keys import find_key

    return stored_user_ids(typed, find_key(config.db_path(), create=False))


def current_run(kind: str) -> dict | None:
    """The current run of a kind (not cached: it changes when a job ends)."""
    from insight.store.runs import current_run as read

    return read(cursor(), kind)
