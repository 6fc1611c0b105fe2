"""Feedback from the shop's systems: each event checked, the good ones stored together, the bad ones named.

A batch's good events are stored in one transaction (all of them or, on failure, none); a replayed
batch adds nothing, because each event's id (given, or derived from its content) is stored once.
User ids are the shop's own, pseudonymised on arrival with the store's key, as ingest does.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import duckdb
import pandas as pd

from insight.store import api as store

TYPES = ("impression", "click", "like", "dislike", "cart", "purchase")
MAX_EVENTS = 10_000  # per request: bigger batches are split by the caller
REQUIRED = ("user_id", "item_id", "type", "timestamp")


def check_events(events: object, pseudonymise) -> tuple[pd.DataFrame, list[dict]]:
    """(good rows ready to store, rejections ``{index, field, reason}``) for a posted ``events`` list.

    ``pseudonymise`` turns the shop's user id into the store's pseudonym.
    """
    if not isinstance(events, list):
        raise ValueError('the body must be {"events": [...]}, a list of events')
    if len(events) > MAX_EVENTS:
        raise ValueError(f"at most {MAX_EVENTS:,} events per request, got {len(events):,}: split the batch")
    good, rejected = [], []
    for index, event in enumerate(events):
        row, problem = _check(event)
        if problem:
            rejected.append({"index": index, "field": problem[0], "reason": problem[1]})
        else:
            good.append({**row, "position": index})
    columns = ["position", "event_id", "request_id", "user_id", "item_id", "type", "ts", "value"]
    frame = pd.DataFrame(good, columns=columns)
    if not frame.empty:
        frame["user_id"] = [pseudonymise(u) for u in frame["user_id"]]
    return frame, rejected


def _check(event: object) -> tuple[dict, tuple[str, str] | None]:
    if not isinstance(event, dict):
        return {}, ("event", "each event must be an object")
    for field in REQUIRED:
        if event.get(field) in (None, ""):
            return {}, (field, f"{field} is required")
    if event["type"] not in TYPES:
        return {}, ("type", f"type must be one of {', '.join(TYPES)}, not {event['type']!r}")
    try:
        ts = pd.Timestamp(event["timestamp"])
    except (ValueError, TypeError):
        return {}, ("timestamp", f"timestamp is not a date: {event['timestamp']!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    value = event.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        return {}, ("value", f"value must be a number, not {value!r}")
    row = {
        "request_id": str(event["request_id"]) if event.get("request_id") else None,
        "user_id": str(event["user_id"]),
        "item_id": str(event["item_id"]),
        "type": event["type"],
        "ts": ts.to_pydatetime(),
        "value": None if value is None else float(value),
    }
    row["event_id"] = str(event.get("event_id") or _content_id(row))
    return row, None


def _content_id(row: dict) -> str:
    """An id for an event sent without one: the same event sent twice gets the same id."""
    content = json.dumps({k: str(v) for k, v in row.items()}, sort_keys=True)
    return "fb_" + hashlib.sha256(content.encode()).hexdigest()[:24]


def record_feedback(con: duckdb.DuckDBPyConnection, events: object, pseudonymise) -> dict:
    """Check and store a posted batch: ``{accepted, stored, rejected}`` (stored: new rows, 0 on a replay)."""
    frame, rejected = check_events(events, pseudonymise)
    served = store.served_requests(con, sorted(set(frame["request_id"].dropna())))
    unknown = frame["request_id"].notna() & ~frame["request_id"].isin(list(served))
    wrong_user = frame["request_id"].isin(list(served)) & (frame["request_id"].map(served) != frame["user_id"])
    for row in frame[unknown].itertuples():
        rejected.append({"index": row.position, "field": "request_id", "reason": "no list was served with this id"})
    for row in frame[wrong_user].itertuples():
        reason = "the list with this request_id was served to another user"
        rejected.append({"index": row.position, "field": "user_id", "reason": reason})
    frame = frame[~unknown & ~wrong_user]
    rejected.sort(key=lambda r: r["index"])
    stored = store.insert_feedback(con, frame.drop(columns="position"))
    return {"accepted": int(len(frame)), "stored": int(stored), "rejected": rejected, "at": datetime.now().isoformat()}
