"""The canonical format: one file per table, recognised by its columns (or its file name).

* ``items``: item_id, title, category, description, price, language
* ``users``: user_id, plus any attributes (country, city, age …)
* ``events``: user_id, item_id, event_type, timestamp, quantity, value, query
* ``reviews``: review_id, user_id, item_id, rating, title, text, timestamp, language, label
"""

from __future__ import annotations

import json

import pandas as pd

from insight.ingestion.canonical import FIELDS, REQUIRED, Canonical, with_provenance
from insight.ingestion.errors import IngestError
from insight.ingestion.readers import Source, SourceFile

NAME = "canonical"
DESCRIPTION = "insight's own format: items, users, events and reviews files (CSV, Parquet or JSONL)"


def table_of(file: SourceFile) -> str | None:
    """Which canonical table a file holds, judged by its name first and its columns second."""
    if file.stem in FIELDS:
        return file.stem
    cols = {str(c).strip().lower() for c in file.frame.columns}
    if "event_type" in cols:
        return "events"
    if "text" in cols or "rating" in cols:
        return "reviews"
    if "item_id" in cols and "title" in cols and "user_id" not in cols:
        return "items"
    if "user_id" in cols and "item_id" not in cols:
        return "users"
    return None


# Column names that say "this is a review", in the words shops export them with. A users file may carry
# any attribute, but not these: a reviews export with ``comment`` and ``stars`` would otherwise load as
# users whose attributes are their reviews, with a green "loaded".
REVIEW_WORDS = {"comment", "comments", "review", "reviews", "review_text", "review_body", "body", "content"}
REVIEW_WORDS |= {"stars", "star", "star_rating", "score", "rate", "评论", "评价", "内容", "评分", "星级"}


def _not_users(file: SourceFile, columns: list[str]) -> str | None:
    """Why a file taken for users by its columns is not one (None: it may well be)."""
    found = [c for c in columns if c in REVIEW_WORDS]
    if not found and "review" not in file.stem.lower():
        return None
    hint = f"columns {', '.join(found)} look like reviews" if found else "its name says reviews"
    return (
        f"taken for a users file by its columns, but {hint}; a reviews file has the columns "
        f"{', '.join(FIELDS['reviews'])}, with 'text' or 'rating' at least: rename them "
        "(e.g. comment → text, stars → rating) and load it again"
    )


def detect(source: Source) -> bool:
    """True when every file is a recognisable canonical table."""
    return all(table_of(f) for f in source.files)


def convert(source: Source) -> Canonical:
    """Stack each table's files; extra user columns become attributes."""
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in FIELDS}
    for file in source.files:
        table = table_of(file)
        if table is None:
            raise IngestError("columns match no canonical table (items, users, events, reviews)", file=file.name)
        frame = file.frame.rename(columns=lambda c: str(c).strip().lower())
        for column in REQUIRED[table]:
            if column not in frame.columns:
                raise IngestError(
                    f"required column '{column}' is missing from this {table} file "
                    f"(columns: {', '.join(map(str, frame.columns))})",
                    file=file.name,
                    row=1,
                    field=column,
                )
        if table == "reviews" and not {"text", "rating"} & set(frame.columns):
            raise IngestError("a reviews file needs a 'text' or a 'rating' column", file=file.name, row=1)
        if table == "users" and file.stem != "users":
            reason = _not_users(file, list(frame.columns))
            if reason:
                raise IngestError(reason, file=file.name, row=1)
        if table == "users":
            frame = _users(frame)
        parts[table].append(with_provenance(frame, file.name, file.first_row))
    return Canonical(**{name: pd.concat(frames, ignore_index=True) for name, frames in parts.items() if frames})


def _users(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep known user fields; fold the rest into a JSON ``attributes`` column."""
    known = set(FIELDS["users"]) | {"signup_date"}
    extra = [c for c in frame.columns if c not in known]
    out = frame.rename(columns={"signup_date": "first_seen"})
    if extra:
        out["attributes"] = [
            json.dumps({k: v for k, v in row.items() if isinstance(v, dict | list) or pd.notna(v)}, ensure_ascii=False)
            for row in frame[extra].to_dict("records")
        ]
        out = out.drop(columns=extra)
    return out
