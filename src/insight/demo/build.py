"""Building the demo store: generate the canonical demo files, then ingest them like any user's data.

Going through the ordinary ingest path means the demo exercises validation, pseudonymisation and
language detection too; generation is deterministic, so a second build adds nothing.
"""

from __future__ import annotations

from pathlib import Path

from insight.ingestion.report import IngestReport
from insight.progress import ProgressFn, silent


def build_demo_store(db: str | Path, *, seed: int = 0, progress: ProgressFn = silent) -> list[IngestReport]:
    """Write the demo files beside ``db`` and ingest them; return the batch report."""
    from insight.demo.generate import write_demo_files
    from insight.ingestion.pipeline import ingest_path
    from insight.store import connect

    db = Path(db)
    folder = db.parent / "demo_files"
    folder.mkdir(parents=True, exist_ok=True)
    progress(0.0, "generating demo data")
    write_demo_files(folder, seed=seed)
    con = connect(db)
    try:
        return [ingest_path(con, folder, format="canonical", db_path=db, progress=progress)]
    finally:
        con.close()
