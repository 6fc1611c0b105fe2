"""Validation of canonical frames: typed good rows out, bad rows to quarantine with a plain reason.

A row with several problems is quarantined for the first one found. Reasons are worded without the
offending value (so the quality report can count them); the value itself is in the stored record.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insight.ingestion.canonical import EVENT_ALIASES, EVENT_TYPES, FIELDS, LABELS, PROVENANCE, Canonical
from insight.ingestion.dates import read_timestamps
from insight.ingestion.row_hash import hex_ids, row_hashes

LABEL_ALIASES = {"pos": "positive", "neg": "negative", "neu": "neutral", "1": "positive", "0": "negative"}
KEYS = {"users": ("user_id",), "items": ("item_id",), "reviews": ("review_id",), "events": ("event_id",)}
IDS = ("user_id", "item_id", "review_id")
_DECIMAL = r"[+-]?\d+(\.\d+)?"


@dataclass
class Validated:
    """Clean, typed tables plus what was set aside and why."""

    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame
    duplicates_in_file: dict[str, int] = field(default_factory=dict)


def _blank_to_null(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if col not in PROVENANCE and (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])):
            stripped = frame[col].astype("str").str.strip()
            frame[col] = stripped.where(stripped != "")
    return frame


class _Checker:
    """Collects failed rows of one table, removing each from the frame as it fails."""

    def __init__(self, table: str, frame: pd.DataFrame, *, date_format: str | None = None):
        self.table, self.frame, self.date_format = table, frame, date_format
        self.source_fields: dict[str, str] = frame.attrs.get("source_fields", {})
        self.failed: list[pd.DataFrame] = []

    def fail(self, mask: pd.Series, column: str, reason: str) -> None:
        mask = mask.reindex(self.frame.index, fill_value=False).fillna(False).astype(bool)
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
        # inf, -inf and numbers too large for a double (1e400) would turn every sum into inf
        self.fail(np.isinf(number.loc[self.frame.index].astype(float)), column, f"{column} is not a finite number")
        number = number.loc[self.frame.index]
        if low is not None or high is not None:
            outside = (number < (low if low is not None else -float("inf"))) | (
                number > (high if high is not None else float("inf"))
            )
            self.fail(outside, column, what or f"{column} is out of range")
        if len(self.frame) < len(raw):  # read again: without the bad rows, whole numbers may read as integers
            number = pd.to_numeric(self.frame[column], errors="coerce")
        self.frame = self.frame.assign(**{column: number})

    def timestamp(self, column: str, *, required: bool) -> None:
        if required:
            self.required(column)
        stamps, reasons = read_timestamps(self.frame[column], files=self.frame["_file"], date_format=self.date_format)
        for reason in reasons.dropna().unique():
            self.fail(reasons == reason, column, f"{column} {reason}")
        self.frame = self.frame.assign(**{column: stamps.loc[self.frame.index]})

    def ids(self) -> None:
        """Ids as text; whole numbers stored as floats (Parquet ``1.0``, CSV ``2.0``) become ``1``, ``2``.

        Otherwise a float id never joins the same id written as an integer elsewhere. A number with
        a fraction is no id at all, so it is set aside rather than rounded.
        """
        for column in (c for c in IDS if c in self.frame.columns):
            values = self.frame[column]
            if pd.api.types.is_integer_dtype(values):
                text, whole = values.astype("Int64").astype("string"), pd.Series(True, index=values.index)
            elif pd.api.types.is_float_dtype(values):
                whole = values.map(lambda v: pd.isna(v) or (math.isfinite(v) and float(v).is_integer()))
                text = values.map(lambda v: None if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v))
                text = text.where(whole, values.astype("string"))
            else:
                written = values.dropna().astype(str)
                # A column of decimals with a point is a float column written out (2.0, 3.0); text ids stay as they are.
                if (
                    written.empty
                    or not written.str.fullmatch(_DECIMAL).all()
                    or not written.str.contains(".", regex=False).any()
                ):
                    continue
                text = values.astype("string").str.replace(r"\.0+$", "", regex=True)
                whole = values.isna() | ~text.str.contains(".", regex=False).fillna(False)
            self.fail(~whole, column, f"{column.replace('_', ' ')} is a number with a fraction")
            self.frame = self.frame.assign(
                **{column: text.loc[self.frame.index].astype(object).where(lambda t: t.notna(), None)}
            )

    def attributes(self) -> None:
        """Quarantine rows whose attributes are not a JSON object, with the parser's own reason."""
        reasons = self.frame["attributes"].map(_json_problem)
        for reason in reasons.dropna().unique():
            self.fail(reasons == reason, "attributes", f"attributes {reason}")


def _json_problem(value) -> str | None:
    if value is None or (not isinstance(value, dict | list) and pd.isna(value)):
        return None
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as exc:
        return f"are not valid JSON ({exc.msg})"
    return None if isinstance(parsed, dict) else "are not a JSON object"


def validate(canon: Canonical, *, date_format: str | None = None) -> Validated:
    """Check every table; return typed good rows, quarantined rows and in-file duplicate counts.

    ``date_format`` (strftime, e.g. ``%d/%m/%Y``) settles the day/month order of numeric dates.
    """
    tables, failed, duplicates = {}, [], {}
    for table, frame in canon.tables().items():
        # a unique index: checks line up masks by label, and adapters may stack frames without one
        check = _Checker(table, _blank_to_null(frame).reset_index(drop=True), date_format=date_format)
        check.frame.attrs = frame.attrs
        if check.frame.empty:
            tables[table] = check.frame
            continue
        check.ids()
        _CHECKS[table](check)
        clean = check.frame
        clean.attrs = frame.attrs
        if table == "events":
            # numbers as floats first: a batch whose quantities are all whole reads them as integers
            # ("1"), one with a blank as floats ("1.0"), and the same event must get the same id in both
            content = clean[["user_id", "item_id", "event_type", "timestamp", "quantity", "value", "query"]]
            content = content.astype({"quantity": "float64", "value": "float64"})
            clean = clean.assign(event_id=hex_ids(row_hashes(content)))
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
    check.attributes()
    check.timestamp("first_seen", required=False)


def _items(check: _Checker) -> None:
    check.required("item_id")
    check.numeric("price", low=0, what="price is negative")


def _events(check: _Checker) -> None:
    check.required("user_id")
    check.required("event_type")
    kind = check.frame["event_type"].astype("string").str.lower().str.strip()
    check.frame = check.frame.assign(event_type=kind.map(EVENT_ALIASES).fillna(kind))
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
    rating = check.frame["rating"]
    check.fail(rating.notna() & (rating % 1 != 0), "rating", "rating is not a whole number of stars (1–5)")
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
        generated = hex_ids(row_hashes(content), prefix="r")
        check.frame = check.frame.assign(review_id=check.frame["review_id"].where(~missing, generated))


_CHECKS = {"users": _users, "items": _items, "events": _events, "reviews": _reviews}
