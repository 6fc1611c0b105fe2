"""What the API served and what shoppers did with it: the Live page's reads."""

from __future__ import annotations

import duckdb
import pandas as pd

# Each served item with what its shopper did with it in that list (feedback carrying the list's request id).
_OUTCOMES = """
    select l.request_id, l.policy, l.exploration, l.served_at, i.item_id, i.kind,
           count(f.event_id) filter (where f.type = 'click') > 0 as clicked,
           count(f.event_id) filter (where f.type = 'like') > 0 as liked,
           count(f.event_id) filter (where f.type = 'dislike') > 0 as disliked,
           count(f.event_id) filter (where f.type = 'purchase') > 0 as bought,
           coalesce(sum(coalesce(f.value, 0)) filter (where f.type = 'purchase'), 0) as revenue
      from served_lists l
      join served_items i using (request_id)
      left join feedback f on f.request_id = i.request_id and f.item_id = i.item_id
     group by all
"""


def fetch_live_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per policy and exploration level: lists, items shown, clicks, likes, dislikes, purchases, revenue."""
    return con.execute(
        f"""select policy, exploration, count(distinct request_id) as lists, count(*) as shown,
                   count(*) filter (where clicked) as clicks, count(*) filter (where liked) as likes,
                   count(*) filter (where disliked) as dislikes, count(*) filter (where bought) as purchases,
                   sum(revenue) as revenue
              from ({_OUTCOMES}) group by policy, exploration order by policy, exploration"""
    ).df()


def fetch_live_by_kind(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per slot kind (exploit, explore, popular): items shown, clicks, purchases."""
    return con.execute(
        f"""select kind, count(*) as shown, count(*) filter (where clicked) as clicks,
                   count(*) filter (where bought) as purchases
              from ({_OUTCOMES}) group by kind order by kind"""
    ).df()


def fetch_live_daily(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per day and exploration level: items shown and clicks."""
    return con.execute(
        f"""select date_trunc('day', served_at) as day, exploration, count(*) as shown,
                   count(*) filter (where clicked) as clicks
              from ({_OUTCOMES}) group by all order by day, exploration"""
    ).df()


def fetch_live_version(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(lists served, feedback rows): the Live page's reads change exactly when these do."""
    counts = con.execute("select (select count(*) from served_lists), (select count(*) from feedback)").fetchall()
    return tuple(counts[0])


def fetch_explore_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every logged exploration slot: area, area_chance, candidates, n_explore, and whether it was rewarded."""
    return con.execute(
        """select i.area, i.area_chance, i.candidates, i.n_explore,
                  exists (select 1 from feedback f where f.request_id = i.request_id and f.item_id = i.item_id
                           and f.type in ('click', 'like', 'cart', 'purchase')) as rewarded
             from served_items i where i.kind = 'explore' and i.area_chance is not null"""
    ).df()
