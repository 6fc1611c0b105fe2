"""Reads and writes behind review aspects.

The reviews to cut into clauses, each run's aspects, mentions and alerts, and the merchant's edits
(the page's aggregates are in :mod:`insight.store.aspect_views`).
"""

from __future__ import annotations

import json
import uuid

import duckdb
import numpy as np
import pandas as pd

from insight.store.db import insert_run_rows
from insight.store.fragments import current_run, review_text

_COLUMNS = {  # fixed table -> select list after run_id; nothing here comes from a user
    "aspects": "aspect_id, category, label, keywords, words, mentions, seeded, centroid::float[]",
    "aspect_mentions": "review_id, clause, start_char, end_char, aspect_id, label, score",
    "aspect_alerts": "alert_id, item_id, aspect_id, kind, start::date, negative_share, baseline, category_share, "
    "reviews, negatives, p_value, segments",
}
_ASPECTS = current_run("aspects")
_SEGMENTS = current_run("segments")


def fetch_reviews(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every review with text: review_id, user_id, item_id, category, rating, ts, language, title and body.

    The review as shown is its title, a space and its body, trimmed (the text that is encoded).
    """
    return con.execute(
        f"""select r.review_id, r.user_id, r.item_id, coalesce(i.category, '(no category)') as category,
                   r.rating, r.ts, r.language, trim(r.title) as title, trim(r.text) as body
              from reviews r left join items i using (item_id)
             where r.text is not null and length({review_text("r")}) > 0
             order by r.review_id"""
    ).df()


def fetch_head_bytes(con: duckdb.DuckDBPyConnection) -> tuple[str, str, bytes | None]:
    """The current sentiment run's head: (version, encoder, stored head or None for a shipped one)."""
    row = con.execute(
        f"select model from runs where run_id = {current_run('sentiment')}",
    ).fetchall()
    version = row[0][0].split(" + ", 1)[-1] if row and row[0][0] else ""
    found = con.execute("select encoder, head from sentiment_models where version = $v", {"v": version}).fetchall()
    return (version, found[0][0], bytes(found[0][1])) if found else (version, "", None)


def fetch_review_feelings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """review_id, p_negative, p_neutral, p_positive of the current sentiment run; empty without one."""
    return con.execute(
        f"""select review_id, p_negative, p_neutral, p_positive from sentiment_scores
             where run_id = {current_run("sentiment")} and p_negative is not null"""
    ).df()


def fetch_user_segments(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """user_id, segment (label) of the current segments run; empty without one."""
    return con.execute(
        f"""select m.user_id, s.label as segment
              from segment_members m join segments s using (run_id, segment_id)
             where m.run_id = {_SEGMENTS}"""
    ).df()


def insert_aspects(con: duckdb.DuckDBPyConnection, run_id: str, frames: dict[str, pd.DataFrame]) -> None:
    """Store one aspects run: a frame per table of ``_COLUMNS`` (call inside the run's transaction)."""
    insert_run_rows(con, run_id, {table: (frame, _COLUMNS[table]) for table, frame in frames.items()})


def fetch_centroids(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """aspect_id, category, label, seeded and centroid (float32 array) of a run's aspects."""
    frame = con.execute(
        "select aspect_id, category, label, seeded, centroid from aspects where run_id = $run order by aspect_id",
        {"run": run_id},
    ).df()
    frame["centroid"] = [np.asarray(c, dtype=np.float32) for c in frame["centroid"]]
    return frame


def insert_edit(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    category: str,
    aspect_id: int | None = None,
    into_id: int | None = None,
    label: str | None = None,
    phrases: list[str] | None = None,
) -> str:
    """Record a merchant's edit; the next aspects run applies it. Returns its id."""
    edit_id = uuid.uuid4().hex[:12]
    con.execute(
        "insert into aspect_edits values ($id, $kind, $cat, $aspect, $into, $label, $phrases, now())",
        {
            "id": edit_id,
            "kind": kind,
            "cat": category,
            "aspect": aspect_id,
            "into": into_id,
            "label": label,
            "phrases": json.dumps(phrases or [], ensure_ascii=False),
        },
    ).fetchall()
    return edit_id


def fetch_edits(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every edit, oldest first: edit_id, kind, category, aspect_id, into_id, label, phrases (list)."""
    frame = con.execute(
        "select edit_id, kind, category, aspect_id, into_id, label, phrases from aspect_edits order by created_at"
    ).df()
    frame["phrases"] = [json.loads(p) if p else [] for p in frame["phrases"]]
    return frame


def apply_label(con: duckdb.DuckDBPyConnection, aspect_id: int, label: str) -> None:
    """Show a new name on the current run at once (the edit itself keeps it for the next runs)."""
    con.execute(
        f"update aspects set label = $label where run_id = {_ASPECTS} and aspect_id = $aspect",
        {"label": label, "aspect": aspect_id},
    ).fetchall()


def fetch_alerts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The current aspects run's alerts, most significant first, with product and aspect names.

    Columns: alert_id, item_id, title, category, aspect_id, aspect, kind, start, negative_share,
    baseline, category_share, reviews, negatives, p_value, segments (JSON list). Empty without a run.
    """
    return con.execute(
        f"""select al.alert_id, al.item_id, i.title, a.category, al.aspect_id, a.label as aspect, al.kind,
                   al.start, al.negative_share, al.baseline, al.category_share, al.reviews, al.negatives,
                   al.p_value, al.segments
              from aspect_alerts al
              join aspects a on a.run_id = al.run_id and a.aspect_id = al.aspect_id
              left join items i on i.item_id = al.item_id
             where al.run_id = {_ASPECTS}
             order by al.p_value, al.negatives desc, al.alert_id"""
    ).df()
