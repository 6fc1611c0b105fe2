"""Canonical columns and types as stored, quarantine rows as stored, and the orphans a batch left."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

# Target columns per table, and the canonical column that feeds each.
COLUMNS: dict[str, dict[str, str]] = {
    "users": {
        "user_id": "user_id",
        "first_seen": "first_seen",
        "country": "country",
        "city": "city",
        "attributes": "attributes",
    },
    "items": {
        "item_id": "item_id",
        "title": "title",
        "category": "category",
        "description": "description",
        "price": "price",
        "language": "language",
    },
    "events": {
        "event_id": "event_id",
        "user_id": "user_id",
        "item_id": "item_id",
        "event_type": "event_type",
        "ts": "timestamp",
        "quantity": "quantity",
        "value": "value",
        "query": "query",
    },
    "reviews": {
        "review_id": "review_id",
        "user_id": "user_id",
        "item_id": "item_id",
        "rating": "rating",
        "title": "title",
        "text": "text",
        "ts": "timestamp",
        "language": "language",
        "label": "label",
    },
}
TYPES = {
    "first_seen": "timestamp",
    "ts": "timestamp",
    "price": "double",
    "quantity": "double",
    "value": "double",
    "rating": "tinyint",
    "attributes": "json",
}


def quarantine_rows(frame: pd.DataFrame, batch_id: str) -> pd.DataFrame:
    """Quarantined rows (``_file``, ``_row``, field, reason, record) in the quarantine table's columns."""
    return pd.DataFrame(
        {
            "batch_id": batch_id,
            "file": frame["_file"].astype(str),
            "row_number": pd.to_numeric(frame["_row"], errors="coerce").astype("Int64"),
            "field": frame["field"].astype(str),
            "reason": frame["reason"].astype(str),
            "record": [json.dumps(_plain(r), default=str, ensure_ascii=False) for r in frame["record"]],
        }
    )


_ORPHANS = {  # (table, column, table it should be in): only checked when that table holds anything at all
    "events naming users the store has no record of": ("events", "user_id", "users"),
    "events naming items the store has no record of": ("events", "item_id", "items"),
    "reviews naming users the store has no record of": ("reviews", "user_id", "users"),
    "reviews naming items the store has no record of": ("reviews", "item_id", "items"),
}


def batch_orphans(con: duckdb.DuckDBPyConnection, batch_id: str) -> dict[str, dict[str, int]]:
    """Rows of a batch that name a user or item missing from a store that has users or items; by kind.

    Each kind gives ``rows`` and distinct ``ids``. A store with no users (or items) at all is not
    checked for them: events alone are a valid shop, and every user would count.
    """
    out = {}
    for reason, (table, column, known) in _ORPHANS.items():  # names from the fixed map above, never user input
        rows, ids = con.execute(
            f"""select count(*), count(distinct t.{column}) from {table} t
                 where t.batch_id = $batch and t.{column} is not null
                   and exists (select 1 from {known})
                   and not exists (select 1 from {known} k where k.{column} = t.{column})""",
            {"batch": batch_id},
        ).fetchall()[0]
        if rows:
            out[reason] = {"rows": int(rows), "ids": int(ids)}
    return out


def _plain(record: dict) -> dict:
    """A record with missing values as JSON nulls rather than the text '<NA>'."""
    return {k: (None if v is None or (not isinstance(v, list | dict) and pd.isna(v)) else v) for k, v in record.items()}
