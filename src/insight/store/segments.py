"""Reads and writes behind user segments: segments, members, monthly membership and id events."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight.store.db import insert_run_rows
from insight.store.fragments import current_run

_COLUMNS = {  # fixed table -> select list after run_id; nothing here comes from a user
    "segments": "segment_id, size, label, keywords, categories, centroid::float[]",
    "segment_members": "user_id, segment_id, x, y, probability",
    "segment_history": "user_id, period::date, segment_id",
    "segment_events": "kind, segment_id, previous_ids, similarity",
}


def insert_segmentation(con: duckdb.DuckDBPyConnection, run_id: str, frames: dict[str, pd.DataFrame]) -> None:
    """Store one segments run: a frame per table of ``_COLUMNS`` (call inside the run's transaction)."""
    insert_run_rows(con, run_id, {table: (frame, _COLUMNS[table]) for table, frame in frames.items()})


def fetch_centroids(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[int, np.ndarray]:
    """Stable segment id -> centroid of a run."""
    rows = con.execute("select segment_id, centroid from segments where run_id = $run", {"run": run_id}).fetchall()
    return {int(segment): np.asarray(centroid, dtype=np.float32) for segment, centroid in rows}


def fetch_segments(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Segments of a run, largest first, with what their members spent and how their reviews read.

    Columns: segment_id, size, label, keywords, categories, spend (sum of event values), buyers,
    reviews and sentiment (mean score of the members' reviews in the current sentiment run).
    """
    return con.execute(
        f"""with members as (select user_id, segment_id from segment_members where run_id = $run),
                spend as (select m.segment_id, sum(e.value) as spend, count(distinct e.user_id) as buyers
                            from events e join members m using (user_id)
                           where e.event_type = 'purchase' group by m.segment_id),
                sentiment_run as {current_run("sentiment")},
                feeling as (select m.segment_id, count(*) as reviews, avg(s.score) as sentiment
                              from reviews r join members m using (user_id)
                              left join sentiment_scores s on s.review_id = r.review_id
                                   and s.run_id = (select run_id from sentiment_run)
                             group by m.segment_id)
           select g.segment_id, g.size, g.label, g.keywords, g.categories,
                  coalesce(spend.spend, 0) as spend, coalesce(spend.buyers, 0) as buyers,
                  coalesce(feeling.reviews, 0) as reviews, feeling.sentiment
             from segments g
             left join spend using (segment_id) left join feeling using (segment_id)
            where g.run_id = $run
            order by g.size desc, g.segment_id""",
        {"run": run_id},
    ).df()


def fetch_members(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Every profiled user of a run: user_id, segment_id (-1: outlier), x, y, probability, keywords, drift."""
    return con.execute(
        """select m.user_id, m.segment_id, m.x, m.y, m.probability, p.keywords, p.drift, p.touches, p.cold_start
             from segment_members m join user_profiles p using (run_id, user_id)
            where m.run_id = $run order by m.user_id""",
        {"run": run_id},
    ).df()


def fetch_segment_events(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """How this run's ids relate to the previous run's: kind, segment_id, previous_ids, similarity."""
    return con.execute(
        "select kind, segment_id, previous_ids, similarity from segment_events where run_id = $run "
        "order by kind, segment_id",
        {"run": run_id},
    ).df()


def fetch_segment_shares(con: duckdb.DuckDBPyConnection, run_id: str, *, grain: str = "month") -> pd.DataFrame:
    """Users per segment and period (each user once per period: their most frequent monthly segment)."""
    return con.execute(
        """with per_user as (
               select user_id, date_trunc($grain, period) as period, mode(segment_id) as segment_id
                 from segment_history where run_id = $run group by all)
           select period, segment_id, count(*) as users,
                  count(*) / sum(count(*)) over (partition by period) as share
             from per_user group by period, segment_id order by period, segment_id""",
        {"run": run_id, "grain": grain},
    ).df()


def fetch_periods(con: duckdb.DuckDBPyConnection, run_id: str, *, grain: str = "month") -> list:
    """The periods (at ``grain``) that have segment history, oldest first."""
    rows = con.execute(
        "select distinct date_trunc($grain, period) as p from segment_history where run_id = $run order by p",
        {"run": run_id, "grain": grain},
    ).fetchall()
    return [row[0] for row in rows]


def fetch_transitions(
    con: duckdb.DuckDBPyConnection, run_id: str, *, grain: str, source: object, target: object
) -> pd.DataFrame:
    """Users active in both periods, by their segment in ``source`` and in ``target``: source, target, users."""
    return con.execute(
        """with per_user as (
               select user_id, date_trunc($grain, period) as period, mode(segment_id) as segment_id
                 from segment_history where run_id = $run group by all)
           select a.segment_id as source, b.segment_id as target, count(*) as users
             from per_user a join per_user b using (user_id)
            where a.period = $source::date and b.period = $target::date
            group by all order by users desc""",
        {"run": run_id, "grain": grain, "source": source, "target": target},
    ).df()


def fetch_user_segment(con: duckdb.DuckDBPyConnection, run_id: str, user_id: str) -> dict | None:
    """One user's membership and profile in a run, or None when the user was not profiled."""
    frame = con.execute(
        """select m.segment_id, m.x, m.y, p.keywords, p.drift, p.touches, p.cold_start, g.label
             from segment_members m join user_profiles p using (run_id, user_id)
             left join segments g on g.run_id = m.run_id and g.segment_id = m.segment_id
            where m.run_id = $run and m.user_id = $user""",
        {"run": run_id, "user": user_id},
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()
