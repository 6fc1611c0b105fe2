"""insight: an analytics workbench for e-commerce behaviour logs and reviews.

The public Python API for analysts in notebooks; the CLI and the app are thin layers over it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from insight.ingestion import IngestError, IngestReport

__version__ = "0.1.0"
__all__ = ["IngestError", "IngestReport", "connect", "ingest"]


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store (default: ``INSIGHT_DB_PATH``, else ``data/insight.duckdb``), creating and migrating it."""
    from insight.store import db

    return db.connect(path, read_only=read_only)


def ingest(
    path: str | Path,
    format: str | None = None,
    db: str | Path | duckdb.DuckDBPyConnection | None = None,
    *,
    encoding: str = "utf-8",
) -> IngestReport:
    """Load a file, archive or folder into the store and return its data-quality report.

    ``format`` names an adapter (see ``insight ingest --help``); ``None`` detects it. ``db`` is a path,
    an open connection, or ``None`` for the configured default. Raises ``IngestError`` when nothing
    can be read; rows that fail validation are quarantined, not raised.
    """
    from insight import config
    from insight.ingestion.pipeline import ingest_path

    if isinstance(db, duckdb.DuckDBPyConnection):
        from insight.store.db import database_path

        return ingest_path(db, path, format=format, encoding=encoding, db_path=database_path(db))
    db_path = config.db_path() if db is None else Path(db)
    con = connect(db_path)
    try:
        return ingest_path(con, path, format=format, encoding=encoding, db_path=db_path)
    finally:
        con.close()
