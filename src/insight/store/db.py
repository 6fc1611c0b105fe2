"""Opening the store, applying migrations and running writes as one transaction."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from insight import config
from insight.store import keys
from insight.store.schema import MIGRATIONS

SCRUB_MIGRATION = 7  # removes raw ids from quarantined records; the file is rewritten after it


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at ``path`` and bring its schema up to date.

    ``None`` means the configured default (``INSIGHT_DB_PATH``); ``":memory:"`` gives a throw-away store.
    The store file and its write-ahead log are private to the owner (mode 0600). A read-write open
    refuses, with ``PseudonymKeyError``, a pseudonym key other than the one the store was made with,
    when a key can be found (``INSIGHT_PSEUDONYM_KEY`` or ``<db>.key``; see ``insight.store.keys``).
    """
    target = str(config.db_path() if path is None else path)
    if target != ":memory:":
        _private_files()
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(target, read_only=read_only)
    if target != ":memory:" and not read_only:
        for file in (Path(target), Path(f"{target}.wal")):
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)  # a store made before files were private
    if not read_only:
        applied = migrate(con)
        if SCRUB_MIGRATION in applied and target != ":memory:" and scalar(con, "select count(*) from quarantine"):
            # Migration 7 removed raw ids, but DuckDB leaves the old values in freed blocks of the file.
            con.close()
            _rewrite(target)
            con = duckdb.connect(target)
        key = keys.find_key(target, create=False) if target != ":memory:" else None
        if key is not None:  # without a key nothing can be pseudonymised, so reading needs no check
            try:
                keys.check_key(con, key, db_path=target)
            except keys.PseudonymKeyError:
                con.close()
                raise
    return con


def _rewrite(target: str) -> None:
    """Copy the store into a fresh file and swap it in, so no freed block keeps a value deleted earlier."""
    fresh = f"{target}.rewrite"
    for leftover in (Path(fresh), Path(f"{fresh}.wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(fresh)
    try:
        con.execute(f"attach '{target.replace(chr(39), chr(39) * 2)}' as previous (read_only)")
        name = scalar(con, "select current_database()").replace('"', '""')
        con.execute(f'copy from database previous to "{name}"')
        con.execute("detach previous")
    finally:
        con.close()
    os.replace(fresh, target)


def _private_files() -> None:
    """Make files this process creates from now on private (umask 077).

    DuckDB creates the store and re-creates its write-ahead log after every checkpoint with the
    process umask and offers no mode of its own, so a chmod after opening would not cover the log.
    """
    os.umask(os.umask(0o077) | 0o077)


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration the store lacks; return the versions applied."""
    con.execute(
        "create table if not exists schema_migrations "
        "(version integer primary key, name varchar, applied_at timestamp default current_timestamp)"
    )
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    applied = []
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("insert into schema_migrations (version, name) values (?, ?)", [version, name])
        applied.append(version)
    return applied


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest migration applied to this store."""
    return scalar(con, "select coalesce(max(version), 0) from schema_migrations")


_MEMORY = re.compile(r"\d+(\.\d+)?\s*[KMGT]i?B", re.IGNORECASE)


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's memory limit (e.g. ``"1GiB"``) for the block, then the previous one again.

    DuckDB caches table pages up to its limit (80 % of the machine's memory by default), which a long
    write such as a large ingest fills with pages it will not read again; a lower limit makes it evict
    them (and spill large joins to disk) instead. The limit is the database's, so readers on other
    cursors share it meanwhile.
    """
    if not _MEMORY.fullmatch(limit):
        raise ValueError(f"not a memory size: {limit!r}")
    before = scalar(con, "select current_setting('memory_limit')")
    con.execute(f"set memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute("reset memory_limit")  # the default exactly (the setting reads back rounded)
        if scalar(con, "select current_setting('memory_limit')") != before:
            con.execute(f"set memory_limit = '{before}'")  # someone had set their own


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block as one transaction: all of it is stored, or none of it."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None):
    """First column of the first row, or None.

    Reads the whole result, as DuckDB 2 requires before the connection does other work.
    """
    rows = con.execute(sql, params or {}).fetchall()
    return rows[0][0] if rows else None


def database_path(con: duckdb.DuckDBPyConnection) -> str | None:
    """File behind an open connection, or None for an in-memory store."""
    return scalar(con, "select path from duckdb_databases() where database_name = current_database()") or None


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Counter bumped by every write that changes the data; cached reads key on it."""
    return int(scalar(con, "select value from meta where key = 'data_version'"))


def bump_data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Advance the data version (call inside the writing transaction) and return the new value."""
    con.execute("update meta set value = cast(cast(value as integer) + 1 as varchar) where key = 'data_version'")
    return data_version(con)


def with_vectors(frame: pd.DataFrame, matrix: np.ndarray):
    """``frame``'s rows with a ``vector`` column holding ``matrix``'s rows, as an Arrow table to register.

    DuckDB reads an Arrow fixed-size list column as one block; a pandas column of per-row arrays it
    reads row by row (200,000 profiles: 0.7 s against 5.5 s in a one-off probe). Select it as ``vector::float[]``.
    """
    import pyarrow as pa

    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    dim = matrix.shape[1] if matrix.ndim == 2 and matrix.shape[1] else 1  # an empty batch may come as (0,)
    rows = pa.FixedSizeListArray.from_arrays(pa.array(matrix.reshape(-1)), dim)
    return table.append_column("vector", rows)


def pop_vectors(frame: pd.DataFrame, *, dim: int = 384) -> np.ndarray:
    """Remove the ``vector`` list column from a query result; return it as a float32 (n, dim) matrix."""
    column = frame.pop("vector")
    return np.vstack(column.to_numpy()).astype(np.float32) if len(column) else np.zeros((0, dim), dtype=np.float32)


def insert_run_rows(
    con: duckdb.DuckDBPyConnection, run_id: str, tables: dict[str, tuple[pd.DataFrame | None, str]]
) -> None:
    """Insert one run's result frames: table -> (frame, select list over the frame's columns).

    Every row gets ``run_id``; the select list follows it (casts included), so each table names its
    columns once, in its store module. Empty or missing frames are skipped. Table names and select
    lists are fixed in code, never from a user. Call inside the run's transaction.
    """
    for table, (frame, columns) in tables.items():
        if frame is None or frame.empty:
            continue
        con.register("incoming_run_rows", frame.assign(run_id=run_id))
        try:
            con.execute(f"insert into {table} select run_id, {columns} from incoming_run_rows").fetchall()
        finally:
            con.unregister("incoming_run_rows")
