"""Ingest batches: one row per file or folder loaded, with its quality report."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pandas as pd


def insert_batch(
    con: duckdb.DuckDBPyConnection, *, batch_id: str, source: str, format: str, content_hash: str, started_at: datetime
) -> None:
    """Record the start of a batch."""
    con.execute(
        "insert into ingest_batches (batch_id, source, format, content_hash, status, started_at) "
        "values ($id, $source, $format, $hash, 'running', $started)",
        {"id": batch_id, "source": source, "format": format, "hash": content_hash, "started": started_at},
    )


def finish_batch(con: duckdb.DuckDBPyConnection, batch_id: str, *, status: str, report: dict) -> None:
    """Store a batch's outcome and quality report."""
    con.execute(
        """update ingest_batches set status = $status, finished_at = now(), rows_read = $read,
               rows_loaded = $loaded, rows_quarantined = $quarantined, rows_duplicate = $duplicate,
               report = $report
           where batch_id = $id""",
        {
            "id": batch_id,
            "status": status,
            "read": report.get("rows_read"),
            "loaded": sum(report.get("loaded", {}).values()),
            "quarantined": sum(report.get("quarantined", {}).values()),
            "duplicate": sum(report.get("duplicates", {}).values()),
            "report": json.dumps(report, default=str, ensure_ascii=False),
        },
    )


def find_loaded_batch(con: duckdb.DuckDBPyConnection, content_hash: str) -> dict | None:
    """The earlier batch that loaded exactly these bytes, if any."""
    rows = con.execute(
        "select batch_id, source, finished_at from ingest_batches "
        "where content_hash = $hash and status = 'loaded' order by finished_at limit 1",
        {"hash": content_hash},
    ).fetchall()
    row = rows[0] if rows else None
    return None if row is None else {"batch_id": row[0], "source": row[1], "finished_at": row[2]}


def fetch_batches(con: duckdb.DuckDBPyConnection, *, limit: int = 20) -> pd.DataFrame:
    """The latest batches, newest first, with their reports as dicts."""
    frame = con.execute(
        """select batch_id, source, format, status, started_at, finished_at, rows_read, rows_loaded,
                  rows_quarantined, rows_duplicate, report
           from ingest_batches order by started_at desc limit $limit""",
        {"limit": limit},
    ).df()
    frame["report"] = frame["report"].map(lambda r: json.loads(r) if isinstance(r, str) else {})
    return frame


def fetch_quarantine(
    con: duckdb.DuckDBPyConnection, batch_id: str, *, reason: str | None = None, limit: int = 200
) -> pd.DataFrame:
    """Quarantined rows of a batch (optionally one reason), in file order."""
    return con.execute(
        """select file, row_number, field, reason, record from quarantine
           where batch_id = $id and ($reason is null or reason = $reason)
           order by file, row_number limit $limit""",
        {"id": batch_id, "reason": reason, "limit": limit},
    ).df()
