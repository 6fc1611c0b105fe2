"""Reads and writes behind review topics: the reviews to segment, and each topics run's topics and members."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight.store.db import insert_run_rows
from insight.store.embeddings import fetch_text_vectors
from insight.store.fragments import current_run, review_text, text_key

_COLUMNS = {  # fixed table -> select list after run_id; nothing here comes from a user
    "topics": "topic_id, size, label, keywords, centroid::float[]",
    "topic_members": "review_id, topic_id, x, y, probability",
}
_CURRENT_SENTIMENT = current_run("sentiment")


def fetch_review_vectors(con: duckdb.DuckDBPyConnection, model: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Reviews with text that have an embedding under ``model``, and their (n, dim) float32 vectors.

    Columns: review_id, text (title and body, as encoded), language. Ordered by review_id.
    """
    frame = con.execute(
        f"""with r as (select review_id, {review_text()} as text, language
                        from reviews where text is not null)
           select r.review_id, r.text, r.language, {text_key("r.text")} as text_hash
             from r semi join embeddings e on e.model = $model and e.text_hash = {text_key("r.text")}
            where length(r.text) > 0
            order by r.review_id""",
        {"model": model},
    ).df()
    vectors = fetch_text_vectors(con, model, frame.pop("text_hash").tolist())
    return frame, vectors


def insert_topics(con: duckdb.DuckDBPyConnection, run_id: str, frames: dict[str, pd.DataFrame]) -> None:
    """Store one topics run: a frame per table of ``_COLUMNS`` (call inside the run's transaction)."""
    insert_run_rows(con, run_id, {table: (frame, _COLUMNS[table]) for table, frame in frames.items()})


def fetch_centroids(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[int, np.ndarray]:
    """Stable topic id -> centroid of a run."""
    rows = con.execute("select topic_id, centroid from topics where run_id = $run", {"run": run_id}).fetchall()
    return {int(topic): np.asarray(centroid, dtype=np.float32) for topic, centroid in rows}


def fetch_topics(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Topics of a run, largest first, with how their reviews rate and read.

    Columns: topic_id, size, label, keywords, rating (mean stars), negative (share of the topic's
    reviews the current sentiment run calls negative; null without one), sentiment (mean score).
    """
    return con.execute(
        f"""with feel as (
                select m.topic_id, avg(r.rating) as rating,
                       avg(case when s.label is null then null when s.label = 'negative' then 1.0 else 0.0 end)
                           as negative,
                       avg(s.score) as sentiment
                  from topic_members m join reviews r using (review_id)
                  left join sentiment_scores s on s.review_id = m.review_id and s.run_id = {_CURRENT_SENTIMENT}
                 where m.run_id = $run group by m.topic_id)
           select t.topic_id, t.size, t.label, t.keywords, feel.rating, feel.negative, feel.sentiment
             from topics t left join feel using (topic_id)
            where t.run_id = $run order by t.size desc, t.topic_id""",
        {"run": run_id},
    ).df()


def fetch_members(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Every review of a run on the map: review_id, topic_id (-1: outlier), x, y, text (first 140 characters)."""
    return con.execute(
        f"""select m.review_id, m.topic_id, m.x, m.y, left({review_text("r")}, 140) as text
             from topic_members m join reviews r using (review_id)
            where m.run_id = $run order by m.review_id""",
        {"run": run_id},
    ).df()


def fetch_topic_reviews(con: duckdb.DuckDBPyConnection, run_id: str, topic_id: int, limit: int = 20) -> pd.DataFrame:
    """The ``limit`` most typical reviews of a topic (highest membership first): text, rating, ts, sentiment."""
    return con.execute(
        f"""select {review_text("r")} as text, r.rating, r.ts, s.label as sentiment,
                   m.probability
              from topic_members m join reviews r using (review_id)
              left join sentiment_scores s on s.review_id = m.review_id and s.run_id = {_CURRENT_SENTIMENT}
             where m.run_id = $run and m.topic_id = $topic
             order by m.probability desc, m.review_id limit $limit""",
        {"run": run_id, "topic": int(topic_id), "limit": int(limit)},
    ).df()


def fetch_topic_shares(con: duckdb.DuckDBPyConnection, run_id: str, *, grain: str = "month") -> pd.DataFrame:
    """Reviews per topic and period (dated reviews only): period, topic_id, reviews, share of the period."""
    return con.execute(
        """with dated as (
               select date_trunc($grain, r.ts)::date as period, m.topic_id
                 from topic_members m join reviews r using (review_id)
                where m.run_id = $run and r.ts is not null)
           select period, topic_id, count(*) as reviews,
                  count(*) / sum(count(*)) over (partition by period) as share
             from dated group by period, topic_id order by period, topic_id""",
        {"run": run_id, "grain": grain},
    ).df()
