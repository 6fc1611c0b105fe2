"""Validation of canonical frames: typed good rows out, bad rows to quarantine with a plain reason.

A row with several problems is quarantined for the first one found. Reasons are worded without the
offending value (so the quality report can count them); the value itself is in the stored record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from insight.ingestion.canonical import EVENT_ALIASES, EVENT_TYPES, FIELDS, LABELS, PROVENANCE, Canonical

LABEL_ALIASES = {"pos": "positive", "neg": "negative", "neu": "neutral", "1": "positive", "0": "negative"}
KEYS = {"users": ("user_id",), "items": ("item_id",), "reviews": ("review_id",), "events": ("event_id",)}


@dataclass
class Validated:
    """Clean, typed tables plus what was set aside and why."""

    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame
    duplicates_in_file: dict[str, int] = field(default_factory=dict)


def parse_timestamps(values: pd.Series) -> pd.Series:
    """Timestamps (naive, UTC for zoned input) from ISO or other common spellings; NaT where unreadable."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_convert(None) if getattr(values.dt, "tz", None) else values
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
    retry = parsed.isna() & text.notna()
    if retry.any():
        parsed[retry] = pd.to_datetime(text[retry], errors="coerce", format="mixed", utc=True)
    return parsed.dt.tz_convert(None).astype("datetime64[us]")


def _blank_to_null(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if col not in PROVENANCE and (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])):
            stripped = frame[col].astype("string").str.strip()
            frame[col] = stripped.where(stripped != "", None).astype(object).where(stripped.notna(), None)
    return frame


class _Checker:
    """Collects failed rows of one table, removing each from the frame as it fails."""

    def __init__(self, table: str, frame: pd.DataFrame):
        self.table, self.frame = table, frame
        self.source_fields: dict[str, str] = frame.attrs.get("source_fields", {})
        self.failed: list[pd.DataFrame] = []

    def fail(self, mask: pd.Series, column: str, reason: str) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        bad = self.frame[mask]
        self.failed.append(
            pd.DataFrame(
                {
                    "_file": bad["_file"],
                    "_row": bad["_row"],
                    "field": self.source_fields.get(column, column),
                    "reason": f"{self.table[:-1]} {reason}",
                    "record": bad[[c for c in FIELDS[self.table] if c in bad]].astype("string").to_dict("records"),
                }
            )
        )
        self.frame = self.frame[~mask]

    def required(self, column: str) -> None:
        self.fail(self.frame[column].isna(), column, f"{column.replace('_', ' ')} is missing")

    def numeric(self, column: str, *, low: float | None = None, high: float | None = None, what: str = "") -> None:
        raw = self.frame[column]
        number = pd.to_numeric(raw, errors="coerce")
        self.fail(raw.notna() & number.isna(), column, f"{column} is not a number")
        number = number.loc[self.frame.index]
        if low is not None or high is not None:
            outside = (number < (low if low is not None else -float("inf"))) | (
                number > (high if high is not None else float("inf"))
            )
            self.fail(outside, column, what or f"{column} is out of range")
        self.frame = self.frame.assign(**{column: pd.to_numeric(self.frame[column], errors="coerce")})

    def timestamp(self, column: str, *, required: bool) -> None:
        if required:
            self.required(column)
        parsed = parse_timestamps(self.frame[column])
        self.fail(self.frame[column].notna() & parsed.isna(), column, f"{column} is not a date")
        self.frame = self.frame.assign(**{column: parse_timestamps(self.frame[column])})


def validate(canon: Canonical) -> Validated:
    """Check every table; return typed good rows, quarantined rows and in-file duplicate counts."""
    tables, failed, duplicates = {}, [], {}
    for table, frame in canon.tables().items():
        check = _Checker(table, _blank_to_null(frame))
        check.frame.attrs = frame.attrs
        if check.frame.empty:
            tables[table] = check.frame
            continue
        _CHECKS[table](check)
        clean = check.frame
        clean.attrs = frame.attrs
        if table == "events":
            clean = clean.assign(
                event_id=pd.util.hash_pandas_object(
                    clean[["user_id", "item_id", "event_type", "timestamp", "quantity", "value", "query"]].astype(
                        "string"
                    ),
                    index=False,
                ).map("{:016x}".format)
            )
        before = len(clean)
        clean = clean.drop_duplicates(list(KEYS[table]))
        duplicates[table] = before - len(clean)
        tables[table], failed = clean, failed + check.failed
    rejected = canon.rejected if not canon.rejected.empty else None
    quarantine = (
        pd.concat([q for q in (*failed, rejected) if q is not None], ignore_index=True)
        if (failed or rejected is not None)
        else pd.DataFrame(columns=["_file", "_row", "field", "reason", "record"])
    )
    return Validated(tables=tables, quarantine=quarantine, duplicates_in_file=duplicates)


def _users(check: _Checker) -> None:
    check.required("user_id")
    check.timestamp("first_seen", required=False)


def _items(check: _Checker) -> None:
    check.required("item_id")
    check.numeric("price", low=0, what="price is negative")


def _events(check: _Checker) -> None:
    check.required("user_id")
    check.required("event_type")
    kind = check.frame["event_type"].astype("string").str.lower().str.strip()
    check.frame = check.frame.assign(event_type=kind.map(lambda k: EVENT_ALIASES.get(k, k)))
    check.fail(
        ~check.frame["event_type"].astype(object).isin(EVENT_TYPES),
        "event_type",
        "event type is not one of " + ", ".join(EVENT_TYPES),
    )
    is_search = check.frame["event_type"] == "search"
    check.fail(~is_search & check.frame["item_id"].isna(), "item_id", "item id is missing")
    check.fail(
        is_search & check.frame["query"].isna() & check.frame["item_id"].isna(), "query", "search has no query text"
    )
    check.timestamp("timestamp", required=True)
    check.numeric("quantity", low=0, what="quantity is negative")
    check.numeric("value")


def _reviews(check: _Checker) -> None:
    check.numeric("rating", low=1, high=5, what="rating is outside 1–5")
    # A label describes a text; without the text (or a rating) there is nothing to analyse.
    check.fail(check.frame["text"].isna() & check.frame["rating"].isna(), "text", "has neither text nor rating")
    check.timestamp("timestamp", required=False)
    label = check.frame["label"].astype("string").str.lower().str.strip()
    check.frame = check.frame.assign(label=label.map(lambda v: LABEL_ALIASES.get(v, v) if pd.notna(v) else None))
    check.fail(
        check.frame["label"].notna() & ~check.frame["label"].astype(object).isin(LABELS),
        "label",
        "label is not one of " + ", ".join(LABELS),
    )
    if check.frame["review_id"].isna().any():
        missing = check.frame["review_id"].isna()
        content = check.frame.loc[missing, ["user_id", "item_id", "rating", "title", "text", "timestamp", "label"]]
        generated = pd.util.hash_pandas_object(content.astype("string"), index=False).map("r{:016x}".format)
        check.frame = check.frame.assign(review_id=check.frame["review_id"].where(~missing, generated))


_CHECKS = {"users": _users, "items": _items, "events": _events, "reviews": _reviews}
