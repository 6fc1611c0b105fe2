"""One ingest batch end to end: read, adapt, drop personal data, validate, pseudonymise, detect language, load.

Everything a batch writes happens in one transaction, so a failure half-way leaves the store as it
was; the failed attempt itself is then recorded, so the Ingest page can show what went wrong. The
pseudonym key is checked against the store's fingerprint of it first, so a store is never fed
under two keys; the fingerprint is recorded with the first batch.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from insight import config
from insight.ingestion.adapters import adapter, detect_format
from insight.ingestion.dates import check_date_format
from insight.ingestion.errors import IngestError
from insight.ingestion.language import detect_languages
from insight.ingestion.personal import drop_personal_attributes
from insight.ingestion.pseudonymise import pseudonymise, scrub_record
from insight.ingestion.readers import read_source
from insight.ingestion.report import IngestReport
from insight.ingestion.validate import Validated, validate
from insight.progress import ProgressFn, silent
from insight.store import batches, keys, records
from insight.store.db import bump_data_version, transaction

REPORTED_FIELDS = {
    "users": ("country", "city", "first_seen"),
    "items": ("title", "category", "description", "price", "language"),
    "events": ("item_id", "quantity", "value"),
    "reviews": ("user_id", "item_id", "rating", "title", "text", "timestamp", "language"),
}


def ingest_path(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    format: str | None = None,
    encoding: str = "utf-8",
    date_format: str | None = None,
    db_path: str | Path | None = None,
    source_name: str | None = None,
    progress: ProgressFn = silent,
) -> IngestReport:
    """Load one file or folder into the store and return its quality report.

    Raises ``IngestError`` when the input cannot be read at all, or when the pseudonym key is not
    the one the store was made with (nothing is written then); a batch whose every row is
    quarantined is stored (for inspection) with status ``rejected``. ``date_format`` (strftime,
    e.g. ``%d/%m/%Y``) settles dates such as 03/04/2024. ``source_name`` is what reports call the
    input (an upload's file name rather than its temporary path).
    """
    name = source_name or str(path)
    try:
        key = keys.key_for_store(con, db_path)
        date_format = check_date_format(date_format)
        keep = _keep_columns(db_path)
    except (keys.PseudonymKeyError, ValueError) as exc:
        raise IngestError(str(exc)) from None
    progress(0.0, f"reading {path}")
    source = read_source(path, encoding=encoding)
    previous = batches.find_loaded_batch(con, source.content_hash)
    fmt = format or detect_format(source)
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
    progress(0.2, f"converting {fmt} data")
    canon = adapter(fmt).convert(source)
    canon.users, dropped = drop_personal_attributes(canon.users, keep)
    rows_read = sum(len(f.frame) for f in source.files) + canon.extra_rows
    progress(0.4, f"validating {rows_read:,} rows")
    checked = validate(canon, date_format=date_format)
    progress(0.6, "pseudonymising ids and detecting languages")
    _pseudonymise(checked, key.secret, personal={c.lower() for c in dropped})
    _detect_languages(checked)
    report = _report(batch_id, name, fmt, rows_read, checked)
    report.dropped_columns = dropped
    report.settings_file = str(config.settings_file(db_path)) if dropped else ""
    progress(0.8, "writing to the store")
    try:
        with transaction(con):
            keys.record_key(con, key)
            batches.insert_batch(
                con, batch_id=batch_id, source=name, format=fmt, content_hash=source.content_hash, started_at=started
            )
            for table, frame in checked.tables.items():
                added = records.insert_records(con, table, frame, batch_id)
                report.loaded[table] = added
                report.duplicates["already stored"] = report.duplicates.get("already stored", 0) + len(frame) - added
            records.insert_quarantine(con, checked.quarantine, batch_id)
            report.orphans = records.batch_orphans(con, batch_id)
            if sum(report.loaded.values()) == 0 and not report.duplicates.get("already stored"):
                report.status, report.message = "rejected", _rejection(report)
            else:
                bump_data_version(con)
            batches.finish_batch(con, batch_id, status=report.status, report=report.to_dict())
    except Exception as exc:
        with transaction(con):
            batches.insert_batch(
                con, batch_id=batch_id, source=name, format=fmt, content_hash=source.content_hash, started_at=started
            )
            report.status, report.message, report.loaded = "failed", f"nothing stored: {exc}", {}
            batches.finish_batch(con, batch_id, status="failed", report=report.to_dict())
        raise IngestError(f"nothing stored ({exc})", file=name) from exc
    progress(1.0, report.status)
    return report


def _keep_columns(db_path: str | Path | None) -> list[str]:
    """``[privacy] keep_columns`` from the settings file: personal-looking columns to store anyway."""
    keep = config.file_settings(db_path).get("privacy", {}).get("keep_columns", [])
    if not isinstance(keep, list) or not all(isinstance(c, str) for c in keep):
        raise ValueError(f"{config.settings_file(db_path)}: [privacy] keep_columns must be a list of column names")
    return keep


def _pseudonymise(checked: Validated, key: bytes, *, personal: set[str]) -> None:
    """Pseudonyms for user ids in the good rows and in quarantined records, which lose personal columns too."""
    for table in ("users", "events", "reviews"):
        frame = checked.tables[table]
        if not frame.empty:
            checked.tables[table] = frame.assign(user_id=pseudonymise(frame["user_id"], key))
    if not checked.quarantine.empty:
        checked.quarantine = checked.quarantine.assign(
            record=[scrub_record(r, key, personal=personal) for r in checked.quarantine["record"]]
        )


def _detect_languages(checked: Validated) -> None:
    for table, parts in (("items", ("title", "description")), ("reviews", ("title", "text"))):
        frame = checked.tables[table]
        if frame.empty or frame["language"].notna().all():
            continue
        text = frame[list(parts)].astype("string").fillna("").agg(" ".join, axis=1).str.strip()
        hint = frame.attrs.get("language_hint")
        checked.tables[table] = frame.assign(language=frame["language"].fillna(detect_languages(text, hint)))


def _report(batch_id: str, source: str, fmt: str, rows_read: int, checked: Validated) -> IngestReport:
    quarantine = checked.quarantine
    examples = (
        quarantine.drop_duplicates("reason").apply(
            lambda r: f"{r['_file']}, row {r['_row']}, field '{r['field']}'", axis=1
        )
        if not quarantine.empty
        else pd.Series(dtype=str)
    )
    stamps = [
        f[c].dropna()
        for f, c in ((checked.tables["events"], "timestamp"), (checked.tables["reviews"], "timestamp"))
        if not f.empty
    ]
    stamps = pd.concat(stamps) if stamps else pd.Series(dtype="datetime64[us]")
    languages = pd.concat([checked.tables[t]["language"] for t in ("items", "reviews")]).value_counts()
    missing = {
        f"{table}.{col}": int(checked.tables[table][col].isna().sum())
        for table, cols in REPORTED_FIELDS.items()
        for col in cols
        if not checked.tables[table].empty
        and checked.tables[table][col].isna().any()
        and checked.tables[table][col].notna().any()  # a field the source never has is not "missing"
    }
    return IngestReport(
        batch_id=batch_id,
        source=source,
        format=fmt,
        status="loaded",
        rows_read=rows_read,
        duplicates={"in file": sum(checked.duplicates_in_file.values())},
        quarantined={str(k): int(v) for k, v in quarantine["reason"].value_counts().items()} if len(quarantine) else {},
        quarantine_examples=dict(zip(quarantine.drop_duplicates("reason")["reason"], examples, strict=False))
        if len(quarantine)
        else {},
        missing=missing,
        date_range=(str(stamps.min()) if len(stamps) else None, str(stamps.max()) if len(stamps) else None),
        languages={str(k): int(v) for k, v in languages.items()},
    )


def _applicable(frame: pd.DataFrame, table: str, column: str) -> pd.Series:
    """The values of a column on the rows where it should have one (searches have no item, views no quantity)."""
    if frame.empty:
        return pd.Series(dtype=object)
    if table == "events" and column == "item_id":
        return frame.loc[frame["event_type"] != "search", column]
    if table == "events" and column in ("quantity", "value"):
        return frame.loc[frame["event_type"].isin(["purchase", "refund"]), column]
    return frame[column]


def _rejection(report: IngestReport) -> str:
    if not report.quarantined:
        return "nothing to load: the input has no rows"
    reason, count = max(report.quarantined.items(), key=lambda kv: kv[1])
    return (
        f"no row could be loaded: {sum(report.quarantined.values()):,} quarantined, most often "
        f"'{reason}' ({count:,}; first at {report.quarantine_examples.get(reason)})"
    )
