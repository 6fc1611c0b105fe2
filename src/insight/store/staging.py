"""Staging a batch a slice at a time, then publishing it whole.

DuckDB holds everything a transaction appends in memory until it commits (~0.2 GiB per million
event rows), so a 30-million-row batch written in one transaction needs gigabytes. Each slice is
therefore committed into ``staged_<table>`` (migration 10), tagged with its batch, and one final
transaction moves the batch into the real tables (:func:`publish`): a single ``insert … select``
that DuckDB writes to disk as it goes. Readers never look at the staged tables, so they see all of
a batch or none of it, as before. Staged rows of a batch that failed are deleted
(:func:`discard`); those of a process that died are deleted by the next ingest
(:func:`discard_abandoned`).
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import pandas as pd

from insight.store.db import scalar
from insight.store.records import COLUMNS, TYPES, quarantine_rows
from insight.store.summaries import refresh_for_batch

TABLES = ("users", "items", "events", "reviews")
_ALL = (*TABLES, "quarantine")


def stage_records(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, batch_id: str) -> int:
    """Append validated rows of ``table`` (a canonical frame) to its staging table; return how many."""
    if frame.empty:
        return 0
    mapping = COLUMNS[table]  # the allow-list that makes the table name safe to format in
    incoming = pd.DataFrame({target: frame[source] for target, source in mapping.items()})
    con.register("staging_rows", incoming)
    try:
        select = ", ".join(f"cast({c} as {TYPES.get(c, 'varchar')})" for c in mapping)
        sql = f"insert into staged_{table} ({', '.join(mapping)}, batch_id) select {select}, $batch from staging_rows"
        return scalar(con, sql, {"batch": batch_id})
    finally:
        con.unregister("staging_rows")


def stage_quarantine(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, batch_id: str) -> int:
    """Append quarantined rows (``_file``, ``_row``, field, reason, record) to the staged quarantine."""
    if frame.empty:
        return 0
    con.register("staging_quarantine", quarantine_rows(frame, batch_id))
    try:
        con.execute("insert into staged_quarantine select * from staging_quarantine").fetchall()
    finally:
        con.unregister("staging_quarantine")
    return len(frame)


def staged_already(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, batch_id: str) -> pd.Series:
    """Which rows of ``frame`` an earlier slice of the batch already staged (duplicates within the input).

    A boolean Series on ``frame``'s index.
    """
    if frame.empty:
        return pd.Series(False, index=frame.index)
    key = next(iter(COLUMNS[table]))
    keys = pd.DataFrame({"pos": range(len(frame)), "key": frame[COLUMNS[table][key]].to_numpy()})
    con.register("staging_keys", keys)
    try:
        rows = con.execute(
            f"select k.pos from staging_keys k semi join staged_{table} t on t.{key} = k.key and t.batch_id = $batch",
            {"batch": batch_id},
        ).fetchall()
    finally:
        con.unregister("staging_keys")
    seen = pd.Series(False, index=frame.index)
    seen.iloc[[r[0] for r in rows]] = True
    return seen


def publish(con: duckdb.DuckDBPyConnection, batch_id: str) -> dict[str, tuple[int, int]]:
    """Move a staged batch into the real tables (call inside the batch's final transaction).

    Rows whose key is already stored are skipped (events by an anti-join: they have no key
    index), and the summary tables are brought up to date. Returns {table: (rows staged, rows
    added)} and leaves no staged row of the batch.
    """
    out = {}
    for table in TABLES:
        columns = ", ".join((*COLUMNS[table], "batch_id"))
        staged = scalar(con, f"select count(*) from staged_{table} where batch_id = $batch", {"batch": batch_id})
        if table == "events":
            sql = (
                f"insert into events ({columns}) select {columns} from staged_events s where batch_id = $batch "
                "and not exists (select 1 from events e where e.event_id = s.event_id)"
            )
        else:
            sql = (
                f"insert or ignore into {table} ({columns}) "
                f"select {columns} from staged_{table} where batch_id = $batch"
            )
        added = scalar(con, sql, {"batch": batch_id}) if staged else 0
        out[table] = (int(staged), int(added))
    con.execute("insert into quarantine select * from staged_quarantine where batch_id = $batch", {"batch": batch_id})
    if any(added for _, added in out.values()):
        refresh_for_batch(con, batch_id)  # the summaries change in the same transaction as the rows
    discard(con, batch_id)
    return out


def discard(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
    """Delete every staged row of a batch."""
    for table in _ALL:
        con.execute(f"delete from staged_{table} where batch_id = $batch", {"batch": batch_id})


def discard_abandoned(con: duckdb.DuckDBPyConnection, running: Collection[str]) -> None:
    """Delete staged rows of every batch not in ``running`` (the batches this process is writing).

    Only one process can write a DuckDB store, so staged rows of any other batch belong to an
    ingest that died before publishing.
    """
    keep = pd.DataFrame({"batch_id": list(running) or [""]})
    con.register("running_batches", keep)
    try:
        for table in _ALL:
            con.execute(f"delete from staged_{table} where batch_id not in (select batch_id from running_batches)")
    finally:
        con.unregister("running_batches")
