"""Reads and writes behind interest profiles: what each user touched, and the stored profiles."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight.store.db import pop_vectors, with_vectors
from insight.store.embeddings import fetch_text_vectors
from insight.store.fragments import item_text, review_text, text_key

# Every text a user touched, with the kind of touch: item events carry the item's text (title +
# description), searches the query, reviews their own text. A review also carries the reviewed
# item's text when the user has no event on that item: "fast delivery, well packed" says nothing of
# what was bought, the item does, and a shop that sends reviews without purchase events would
# otherwise profile its reviewers by their tone; a logged purchase keeps counting the item once.
# Hashes match store.embeddings.TEXTS. A search query has no stored language (the job detects it).
TOUCHES = f"""
    with item_texts as (  -- each item's text and hash once, not once per event
        select item_id, {text_key(item_text("i"))} as text_hash, {item_text("i")} as text, i.category, i.language
          from items i where coalesce(i.title, i.description) is not null
    )
    select e.user_id, e.ts, e.event_type as kind, it.text_hash, it.text, it.category, e.value, it.language
      from events e join item_texts it using (item_id)
     where e.user_id is not null
    union all
    select user_id, ts, 'search', {text_key("query")}, query, null, null, null from events
     where event_type = 'search' and query is not null and user_id is not null
    union all
    select user_id, ts, 'review', {text_key(review_text())}, {review_text()}, null, null, language
      from reviews where user_id is not null and text is not null
    union all
    select r.user_id, r.ts, 'review', it.text_hash, it.text, it.category, null, it.language
      from reviews r join item_texts it using (item_id)
      anti join events e on e.user_id = r.user_id and e.item_id = r.item_id
     where r.user_id is not null
"""


def fetch_touches(con: duckdb.DuckDBPyConnection, model: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Each user's touches that have an embedding under ``model``, and the distinct texts' vectors.

    Rows (user_id, ts, kind, text, category, value, language, text_index) point into the float32
    (m, dim) matrix of distinct texts by ``text_index``: a shop's 800k events touch a few thousand texts.
    """
    frame = (
        con.sql(  # through Arrow: half the time of a pandas result for 10 M touches
            f"""select t.user_id, t.ts, t.kind, t.text, t.category, t.value, t.language, t.text_hash
            from ({TOUCHES}) t semi join embeddings e on e.model = $model and e.text_hash = t.text_hash
            order by t.user_id, t.ts""",
            params={"model": model},
        )
        .to_arrow_table()
        .to_pandas()
    )
    codes, hashes = pd.factorize(frame.pop("text_hash"))
    frame["text_index"] = codes
    vectors = fetch_text_vectors(con, model, list(hashes))
    return frame, vectors


def insert_profiles(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    users: pd.DataFrame,
    vectors: np.ndarray,
    interests: pd.DataFrame,
    interest_vectors: np.ndarray,
    periods: pd.DataFrame,
) -> None:
    """Store one profiles run (call inside the run's transaction); monthly profiles keep their drift, not vectors."""
    for table, frame, matrix in (
        ("user_profiles", users, vectors),
        ("user_interests", interests, interest_vectors),
        ("user_periods", periods, None),
    ):
        if frame.empty:
            continue
        incoming = frame.assign(run_id=run_id)
        con.register("incoming_profiles", incoming if matrix is None else with_vectors(incoming, matrix))
        try:
            columns = {
                "user_profiles": "run_id, user_id, vector::float[], touches, cold_start, drift, keywords, language",
                "user_interests": "run_id, user_id, interest, weight, vector::float[]",
                "user_periods": "run_id, user_id, period::date, touches, drift",
            }[table]  # fixed names: nothing here comes from a user
            con.execute(f"insert into {table} select {columns} from incoming_profiles").fetchall()
        finally:
            con.unregister("incoming_profiles")


def fetch_profiles(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Profiles of a run: rows (user_id, touches, cold_start, drift, keywords, language) and their (n, dim) vectors."""
    frame = con.execute(
        "select user_id, touches, cold_start, drift, keywords, language, vector from user_profiles where run_id = $run "
        "order by user_id",
        {"run": run_id},
    ).df()
    vectors = pop_vectors(frame)
    return frame, vectors


def fetch_user_timeline(con: duckdb.DuckDBPyConnection, user_id: str, *, limit: int = 500) -> pd.DataFrame:
    """A user's events and reviews, newest first: ts, kind, item_id, title, category, value, text, rating."""
    return con.execute(
        """select * from (
               select e.ts, e.event_type as kind, e.item_id, i.title, i.category, e.value,
                      e.query as text, null::tinyint as rating
                 from events e left join items i using (item_id) where e.user_id = $user
               union all
               select r.ts, 'review', r.item_id, i.title, i.category, null, r.text, r.rating
                 from reviews r left join items i using (item_id) where r.user_id = $user)
           order by ts desc nulls last limit $limit""",
        {"user": user_id, "limit": limit},
    ).df()


def fetch_user_periods(con: duckdb.DuckDBPyConnection, run_id: str, user_id: str) -> pd.DataFrame:
    """One user's monthly profiles: period, touches, drift, and the segment nearest that month."""
    return con.execute(
        """select p.period, p.touches, p.drift, h.segment_id
             from user_periods p
             left join segment_history h on h.run_id = p.run_id and h.user_id = p.user_id and h.period = p.period
            where p.run_id = $run and p.user_id = $user
            order by p.period""",
        {"run": run_id, "user": user_id},
    ).df()


def fetch_profile_languages(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.Series:
    """Each profiled user's main language in a run (user_id -> language; None for runs made before it was kept)."""
    frame = con.execute(
        "select user_id, language from user_profiles where run_id = $run order by user_id", {"run": run_id}
    ).df()
    return frame.set_index("user_id")["language"]
