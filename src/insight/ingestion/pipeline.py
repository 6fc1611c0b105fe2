"""One ingest batch end to end: read, adapt, drop personal data, validate, pseudonymise, detect language, load.

Everything a batch writes happens in one transaction, so a failure half-way leaves the store as it
was; the failed attempt itself is then recorded, so the Ingest page can show what went wrong. The
pseudonym key is checked against the store's fingerprint of it first, so a store is never fed
under two keys; the fingerprint is recorded with the first batch.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb

from insight import config
from insight.ingestion import chunks
from insight.ingestion.adapters import detect_format
from insight.ingestion.adapters.canonical import NAME as CANONICAL
from insight.ingestion.checking import SliceRules, checked_in_order
from insight.ingestion.dates import check_date_format
from insight.ingestion.errors import IngestError
from insight.ingestion.readers import Source, read_source
from insight.ingestion.report import IngestReport
from insight.ingestion.tally import ReportTally
from insight.ingestion.validate import Validated
from insight.progress import ProgressFn, silent
from insight.store import batches, keys, records, staging
from insight.store.db import bump_data_version, memory_limit, transaction

_RUNNING: set[str] = set()  # batches this process is writing (their staged rows are not abandoned)
_RUNNING_LOCK = threading.Lock()
PARALLEL_BYTES = chunks.STREAM_BYTES  # inputs larger than this are checked by INSIGHT_INGEST_WORKERS processes
INGEST_MEMORY = "1GiB"  # DuckDB's share while a batch is written: 11 M rows peaked at 2.1 GiB without it, 1.7 with


def ingest_path(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    format: str | None = None,
    encoding: str = "utf-8",
    date_format: str | None = None,
    db_path: str | Path | None = None,
    source_name: str | None = None,
    chunk_rows: int | None = None,
    progress: ProgressFn = silent,
) -> IngestReport:
    """Load one file or folder into the store and return its quality report.

    Raises ``IngestError`` when the input cannot be read at all, or when the pseudonym key is not
    the one the store was made with (nothing is written then); a batch whose every row is
    quarantined is stored (for inspection) with status ``rejected``. ``date_format`` (strftime,
    e.g. ``%d/%m/%Y``) settles dates such as 03/04/2024. ``source_name`` is what reports call the
    input (an upload's file name rather than its temporary path). Canonical inputs above
    :data:`~insight.ingestion.chunks.STREAM_BYTES` are read ``chunk_rows`` rows at a time
    (default :data:`~insight.ingestion.chunks.CHUNK_ROWS`; giving it streams any canonical input),
    still as one all-or-nothing batch.
    """
    name = source_name or str(path)
    try:
        key = keys.key_for_store(con, db_path)
        date_format = check_date_format(date_format)
        keep = _keep_columns(db_path)
        workers = _ingest_workers()
    except (keys.PseudonymKeyError, ValueError) as exc:
        raise IngestError(str(exc)) from None
    progress(0.0, f"reading {path}")
    fmt, slices, content_hash = _open_input(path, format, encoding, chunk_rows)
    previous = batches.find_loaded_batch(con, content_hash)
    batch_id = "b" + uuid.uuid4().hex[:12]
    if previous:
        return IngestReport(
            batch_id=previous["batch_id"],
            source=name,
            format=fmt,
            status="already_loaded",
            message=f"these exact bytes were loaded as batch {previous['batch_id']} on "
            f"{previous['finished_at']:%Y-%m-%d %H:%M}; nothing added",
        )
    started = datetime.now()
    tally, dropped = ReportTally(), {}
    with _RUNNING_LOCK:
        _RUNNING.add(batch_id)
    try:
        with memory_limit(con, INGEST_MEMORY):  # DuckDB would otherwise cache pages up to 80 % of RAM
            staging.discard_abandoned(con, _RUNNING)
            rules = SliceRules(fmt, tuple(keep), date_format, key.secret)
            if chunks.input_bytes(path) <= PARALLEL_BYTES:  # worker processes pay off on large inputs only
                workers = 1
            for number, done in enumerate(checked_in_order(slices, rules, workers=workers)):
                checked, rows_read = done.checked, done.rows_read
                dropped.update(done.dropped)
                share = done.read_share if done.read_share is not None else 0.5
                progress(0.05 + 0.8 * share, f"loading: {tally.rows_read + rows_read:,} rows read so far")
                with transaction(con):  # one slice: committed, so memory does not grow with the batch
                    if number:  # a row repeating one of an earlier slice is a duplicate within the input
                        _drop_repeats(con, checked, batch_id)
                    tally.add(checked, rows_read)
                    for table, frame in checked.tables.items():
                        staging.stage_records(con, table, frame, batch_id)
                    staging.stage_quarantine(con, checked.quarantine, batch_id)
            progress(0.9, f"publishing {tally.rows_read:,} rows")
            with transaction(con):  # the whole batch becomes visible at once
                keys.record_key(con, key)
                batches.insert_batch(
                    con, batch_id=batch_id, source=name, format=fmt, content_hash=content_hash, started_at=started
                )
                moved = staging.publish(con, batch_id)
                report = tally.report(batch_id, name, fmt)
                report.loaded = {table: added for table, (_, added) in moved.items()}
                report.duplicates["already stored"] = sum(staged - added for staged, added in moved.values())
                report.dropped_columns = dropped
                report.settings_file = str(config.settings_file(db_path)) if dropped else ""
                report.orphans = records.batch_orphans(con, batch_id)
                if sum(report.loaded.values()) == 0 and not report.duplicates["already stored"]:
                    report.status, report.message = "rejected", _rejection(report)
                else:
                    bump_data_version(con)
                batches.finish_batch(con, batch_id, status=report.status, report=report.to_dict())
    except Exception as exc:
        _record_failure(con, tally.report(batch_id, name, fmt), exc, content_hash, started)
        if isinstance(exc, IngestError):
            raise
        raise IngestError(f"nothing stored ({exc})", file=name) from exc
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(batch_id)
    progress(1.0, report.status)
    return report


def _record_failure(
    con: duckdb.DuckDBPyConnection, report: IngestReport, exc: Exception, content_hash: str, started: datetime
) -> None:
    """Forget what the batch staged and record the failed attempt, so the Ingest page can say why."""
    with transaction(con):
        staging.discard(con, report.batch_id)
        batches.insert_batch(
            con,
            batch_id=report.batch_id,
            source=report.source,
            format=report.format,
            content_hash=content_hash,
            started_at=started,
        )
        report.status, report.message = "failed", f"nothing stored: {exc}"
        batches.finish_batch(con, report.batch_id, status="failed", report=report.to_dict())


def _open_input(
    path: str | Path, fmt: str | None, encoding: str, chunk_rows: int | None
) -> tuple[str, Iterator[Source], str]:
    """(format, the input as a sequence of sources to load in order, content hash).

    A small input, or one in a format whose files must be read together, is one source read whole;
    a large canonical one is a source per slice of rows of one file.
    """
    large = chunk_rows is not None or chunks.input_bytes(path) > chunks.STREAM_BYTES
    if large:
        fmt = fmt or detect_format(chunks.head_source(path, encoding=encoding))
        if fmt == CANONICAL:
            rows = chunk_rows or chunks.CHUNK_ROWS
            pieces = (
                Source(path=str(path), files=[piece], content_hash="")
                for piece in chunks.iter_chunks(path, encoding=encoding, rows=rows)
            )
            return fmt, pieces, chunks.content_hash(path)
    source = read_source(path, encoding=encoding)
    return fmt or detect_format(source), iter([source]), source.content_hash


def _drop_repeats(con: duckdb.DuckDBPyConnection, checked: Validated, batch_id: str) -> None:
    """Remove from a slice the rows an earlier slice of this batch staged, counting them as in-file duplicates."""
    for table, frame in checked.tables.items():
        seen = staging.staged_already(con, table, frame, batch_id)
        if seen.any():
            checked.tables[table] = frame[~seen]
            checked.duplicates_in_file[table] = checked.duplicates_in_file.get(table, 0) + int(seen.sum())


def _keep_columns(db_path: str | Path | None) -> list[str]:
    """``[privacy] keep_columns`` from the settings file: personal-looking columns to store anyway."""
    keep = config.file_settings(db_path).get("privacy", {}).get("keep_columns", [])
    if not isinstance(keep, list) or not all(isinstance(c, str) for c in keep):
        raise ValueError(f"{config.settings_file(db_path)}: [privacy] keep_columns must be a list of column names")
    return keep


def _ingest_workers() -> int:
    """``INSIGHT_INGEST_WORKERS``: how many processes check slices (1: this one)."""
    value = config.setting("INSIGHT_INGEST_WORKERS").strip()
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"INSIGHT_INGEST_WORKERS must be a whole number of processes, 1 or more, not {value!r}")
    return int(value)


def _rejection(report: IngestReport) -> str:
    if not report.quarantined:
        return "nothing to load: the input has no rows"
    reason, count = max(report.quarantined.items(), key=lambda kv: kv[1])
    return (
        f"no row could be loaded: {sum(report.quarantined.values()):,} quarantined, most often "
        f"'{reason}' ({count:,}; first at {report.quarantine_examples.get(reason)})"
    )
