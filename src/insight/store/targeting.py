"""Reads and writes behind the audience builder: behaviour per user, memberships, overlaps, saved audiences.

Every audience arrives here as a list of user ids; it is registered as a one-column frame with an
explicit string dtype (:func:`~insight.store.fragments.registered_users`) so DuckDB joins it like a
table, whatever its size.
Review sentiment is the mean score of a user's reviews in the current sentiment run; a review that
run did not score (no run yet, or written since) counts by its rating instead: (rating − 3) / 2.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from insight.store.db import pop_vectors, transaction
from insight.store.fragments import PEOPLE, USER_FACTS, registered_users


def fetch_base_size(con: duckdb.DuckDBPyConnection) -> int:
    """How many people the store knows (users, and anyone with events or reviews): the denominator of a share."""
    return int(con.execute(f"select count(*) from ({PEOPLE})").fetchall()[0][0])


def fetch_purchase_categories(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Categories someone bought from, most bought first."""
    rows = con.execute(
        """select i.category from events e join items i using (item_id)
            where e.event_type = 'purchase' and i.category is not null
            group by i.category order by count(*) desc, i.category"""
    ).fetchall()
    return [row[0] for row in rows]


def fetch_behaviour_matches(
    con: duckdb.DuckDBPyConnection,
    *,
    recency_days: int | None = None,
    min_orders: int | None = None,
    min_spend: float | None = None,
    categories: Sequence[str] = (),
    sentiment_min: float | None = None,
    sentiment_max: float | None = None,
) -> list[str]:
    """Users meeting every behavioural condition given (None or empty: no condition), sorted.

    ``recency_days``: bought within that many days of the store's latest event; ``min_orders`` and
    ``min_spend``: purchases and their summed value; ``categories``: bought from any of them;
    ``sentiment_min``/``max``: mean review sentiment in [-1, 1] (users without reviews fail it).
    """
    rows = con.execute(
        f"""with facts as ({USER_FACTS}),
                 as_of as (select max(ts) as ts from events),
                 bought as (select distinct e.user_id from events e join items i using (item_id)
                             where e.event_type = 'purchase' and list_contains($categories::varchar[], i.category))
            select user_id from facts
             where ($recency is null
                    or last_purchase >= (select ts from as_of) - to_days(cast($recency as integer)))
               and ($min_orders is null or orders >= $min_orders)
               and ($min_spend is null or spend >= $min_spend)
               and (len($categories::varchar[]) = 0 or user_id in (select user_id from bought))
               and ($sentiment_min is null or sentiment >= $sentiment_min)
               and ($sentiment_max is null or sentiment <= $sentiment_max)
             order by user_id""",
        {
            "recency": recency_days,
            "min_orders": min_orders,
            "min_spend": min_spend,
            "categories": list(categories),
            "sentiment_min": sentiment_min,
            "sentiment_max": sentiment_max,
        },
    ).fetchall()
    return [row[0] for row in rows]


def fetch_segment_users(con: duckdb.DuckDBPyConnection, run_id: str, segment_ids: Sequence[int]) -> list[str]:
    """Members of any of the segments (stable ids) in a segments run, sorted."""
    rows = con.execute(
        """select user_id from segment_members
            where run_id = $run and list_contains($segments::integer[], segment_id) order by user_id""",
        {"run": run_id, "segments": [int(s) for s in segment_ids]},
    ).fetchall()
    return [row[0] for row in rows]


def fetch_audience_users(con: duckdb.DuckDBPyConnection, audience_ids: Sequence[str]) -> list[str]:
    """Members of any of the saved audiences, sorted and distinct."""
    rows = con.execute(
        """select distinct user_id from audience_members
            where list_contains($ids::varchar[], audience_id) order by user_id""",
        {"ids": list(audience_ids)},
    ).fetchall()
    return [row[0] for row in rows]


def fetch_interest_vectors(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Every profile and interest-centre vector of a run: rows (user_id, source) and float32 (n, dim).

    ``source`` is ``profile`` for the whole-profile vector, else ``interest`` (one row per centre).
    """
    frame = con.execute(
        """select user_id, 'profile' as source, vector from user_profiles where run_id = $run
           union all
           select user_id, 'interest', vector from user_interests where run_id = $run
           order by user_id, source desc""",
        {"run": run_id},
    ).df()
    vectors = pop_vectors(frame)
    return frame, vectors


def fetch_overlaps(con: duckdb.DuckDBPyConnection, user_ids: Sequence[str]) -> pd.DataFrame:
    """Each saved audience, newest first: audience_id, name, users (its size), overlap (shared users)."""
    with registered_users(con, user_ids) as picked:
        return con.execute(
            f"""select a.audience_id, a.name, count(m.user_id) as users,
                       count(p.user_id) as overlap
                  from audiences a left join audience_members m using (audience_id)
                  left join {picked} p on p.user_id = m.user_id
                 group by all order by max(a.created_at) desc, a.audience_id"""
        ).df()


def fetch_member_facts(con: duckdb.DuckDBPyConnection, user_ids: Sequence[str], run_id: str | None) -> pd.DataFrame:
    """Behaviour of the given users: user_id, orders, spend, reviews, sentiment, segment_id, keywords."""
    with registered_users(con, user_ids) as picked:
        return con.execute(
            f"""with facts as ({USER_FACTS})
                select f.*, m.segment_id, p.keywords
                  from facts f semi join {picked} using (user_id)
                  left join segment_members m on m.user_id = f.user_id and m.run_id = $run
                  left join user_profiles p on p.user_id = f.user_id and p.run_id = $run
                 order by f.user_id""",
            {"run": run_id},
        ).df()


def fetch_member_categories(
    con: duckdb.DuckDBPyConnection, user_ids: Sequence[str], spend_cap: float | None = None
) -> pd.DataFrame:
    """What the given users bought, by category: category, buyers, spend; most spent first.

    With ``spend_cap``, each user's spend in a category counts up to that much (see the privacy rules).
    """
    with registered_users(con, user_ids) as picked:
        return con.execute(
            f"""with per_user as (
                    select i.category, e.user_id, sum(coalesce(e.value, 0)) as spend
                      from events e join items i using (item_id) semi join {picked} using (user_id)
                     where e.event_type = 'purchase' and i.category is not null
                     group by all)
                select category, count(*) as buyers,
                       sum(case when $cap is null then spend else least(greatest(spend, 0), $cap) end) as spend
                  from per_user group by category order by spend desc, category""",
            {"cap": spend_cap},
        ).df()


def fetch_segment_names(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[int, str]:
    """Stable segment id -> how it is written (``#3 running · shoes``) in a segments run."""
    rows = con.execute("select segment_id, label from segments where run_id = $run", {"run": run_id}).fetchall()
    return {int(segment): f"#{segment} {label}" for segment, label in rows}


def fetch_segment_labels(con: duckdb.DuckDBPyConnection, user_ids: Sequence[str], run_id: str) -> pd.DataFrame:
    """The given users with their segment label in a run: user_id, segment ('outliers' or unprofiled: null)."""
    with registered_users(con, user_ids) as picked:
        return con.execute(
            f"""select p.user_id,
                       case when m.segment_id < 0 then 'outliers'
                            else '#' || m.segment_id || ' ' || g.label end as segment
                  from {picked} p
                  left join segment_members m on m.user_id = p.user_id and m.run_id = $run
                  left join segments g on g.run_id = m.run_id and g.segment_id = m.segment_id
                 order by p.user_id""",
            {"run": run_id},
        ).df()


def insert_audience(
    con: duckdb.DuckDBPyConnection,
    name: str,
    user_ids: Sequence[str],
    definition: dict,
    *,
    data_version: int | None,
    segments_run: str | None,
) -> str:
    """Store an audience and its members in one transaction; return its id.

    A built audience records the data version and segments run it was evaluated on; a fixed
    selection (a lasso on the Segments page) passes ``data_version=None`` and records none.
    """
    audience_id = f"aud-{uuid.uuid4().hex[:8]}"
    with transaction(con):
        con.execute(
            "insert into audiences (audience_id, name, created_at, definition) values ($id, $name, now(), $definition)",
            {"id": audience_id, "name": name, "definition": json.dumps(definition, default=str)},
        ).fetchall()
        _insert_members(con, audience_id, user_ids)
        if data_version is not None:
            _record_build(con, audience_id, data_version, segments_run)
    return audience_id


def replace_members(
    con: duckdb.DuckDBPyConnection,
    audience_id: str,
    user_ids: Sequence[str],
    *,
    data_version: int,
    segments_run: str | None,
) -> None:
    """Swap an audience's members for a re-evaluation's, in one transaction."""
    with transaction(con):
        con.execute("delete from audience_members where audience_id = $id", {"id": audience_id}).fetchall()
        _insert_members(con, audience_id, user_ids)
        con.execute("delete from audience_builds where audience_id = $id", {"id": audience_id}).fetchall()
        _record_build(con, audience_id, data_version, segments_run)


def _insert_members(con: duckdb.DuckDBPyConnection, audience_id: str, user_ids: Sequence[str]) -> None:
    with registered_users(con, sorted(set(user_ids))) as picked:
        con.execute(f"insert into audience_members select $id, user_id from {picked}", {"id": audience_id}).fetchall()


def _record_build(
    con: duckdb.DuckDBPyConnection, audience_id: str, data_version: int, segments_run: str | None
) -> None:
    con.execute(
        "insert into audience_builds values ($id, $version, $run, now())",
        {"id": audience_id, "version": data_version, "run": segments_run},
    ).fetchall()


def fetch_saved(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Saved audiences, newest first.

    Columns: audience_id, name, created_at, definition (parsed), users, and for built audiences
    data_version, segments_run and refreshed_at (null for a fixed selection such as a lasso).
    """
    frame = con.execute(
        """select a.audience_id, a.name, a.created_at, a.definition, count(m.user_id) as users,
                  b.data_version, b.segments_run, b.refreshed_at
             from audiences a left join audience_members m using (audience_id)
             left join audience_builds b using (audience_id)
            group by all order by a.created_at desc, a.audience_id"""
    ).df()
    frame["definition"] = [json.loads(d) if isinstance(d, str) else (d or {}) for d in frame["definition"]]
    return frame
