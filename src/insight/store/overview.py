"""Reads behind the Overview page: headline counts, activity over time and the filter choices.

Filters are the shared ``EVENTS``, ``EVENT_DAYS`` and ``REVIEWS`` of :mod:`insight.store.fragments`:
event counts, purchases and revenue add up the daily summary ``event_days`` that ingest keeps
(:mod:`insight.store.summaries`), distinct users come from the events themselves.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from insight.filters import Filters
from insight.store.fragments import EVENT_DAYS, EVENTS, ITEM_FILTER, REVIEWS

GRAINS = {"day": "day", "week": "week", "month": "month"}  # allow-list for date_trunc


def fetch_kpis(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> dict:
    """Headline counts: users, active users, items, events, reviews, average rating and date range.

    Events, purchases and revenue add up the daily summary; active users are counted exactly (from the
    per-user summary when nothing is filtered).
    """
    seen = f"""select count(distinct user_id) filter (where user_id is not null) as active,
                      min(ts) as first, max(ts) as last
                 from (select user_id, ts from ({EVENTS}) union all select user_id, ts from ({REVIEWS}))"""
    if not filters.active:  # everyone: the per-user summary ingest keeps counts them without a scan
        seen = """select (select count(*) from user_facts where events > 0 or reviews > 0) as active,
                          least(min(e.ts), (select min(ts) from reviews)) as first,
                          greatest(max(e.ts), (select max(ts) from reviews)) as last from events e"""
    row = con.execute(
        f"""with seen as ({seen}), days as ({EVENT_DAYS}), r as ({REVIEWS})
            select (select count(*) from users), (select active from seen),
                   (select count(*) from items i where {ITEM_FILTER}),
                   (select coalesce(sum(events), 0) from days),
                   (select count(*) from r), (select avg(rating) from r),
                   (select first from seen), (select last from seen),
                   (select coalesce(sum(events), 0) from days where event_type = 'purchase'),
                   (select sum(value) from days where event_type = 'purchase')""",
        filters.params(),
    ).fetchall()[0]
    keys = (
        "users",
        "active_users",
        "items",
        "events",
        "reviews",
        "avg_rating",
        "first",
        "last",
        "purchases",
        "revenue",
    )
    return dict(zip(keys, row, strict=True))


def fetch_event_activity(
    con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), grain: str = "week"
) -> pd.DataFrame:
    """Events per period and type: columns period, event_type, events, users_about.

    Events add up the daily summary. ``users_about`` is approximate (HyperLogLog, about 2 % off): exact
    distinct users per period cost seconds at 10 M events, and the table says "about".
    """
    part = GRAINS[grain]
    return con.execute(
        f"""with counts as (select date_trunc('{part}', day)::timestamp as period, event_type,
                                   sum(events)::bigint as events
                              from ({EVENT_DAYS}) group by all),
                 people as (select date_trunc('{part}', ts)::timestamp as period, event_type,
                                   approx_count_distinct(user_id) as users_about
                              from ({EVENTS}) group by all)
            select c.period, c.event_type, c.events, coalesce(p.users_about, 0) as users_about
              from counts c left join people p using (period, event_type)
             order by c.period, c.event_type""",
        filters.params(),
    ).df()


def fetch_review_activity(
    con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), grain: str = "week"
) -> pd.DataFrame:
    """Dated reviews per period and language: columns period, language, reviews, avg_rating."""
    return con.execute(
        f"""select date_trunc('{GRAINS[grain]}', ts) as period, coalesce(language, 'unknown') as language,
                   count(*) as reviews, round(avg(rating), 2) as avg_rating
            from ({REVIEWS}) where ts is not null group by all order by period, language""",
        filters.params(),
    ).df()


def fetch_top_categories(
    con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), *, limit: int = 15
) -> pd.DataFrame:
    """Categories by events, purchases, users (approximate, as in :func:`fetch_event_activity`) and revenue.

    Counts add up the daily summary; distinct users are then counted for the listed categories only.
    """
    top = con.execute(
        f"""select coalesce(category, '(none)') as category, sum(events)::bigint as events,
                   coalesce(sum(events) filter (where event_type = 'purchase'), 0)::bigint as purchases,
                   round(sum(value) filter (where event_type = 'purchase'), 2) as revenue
              from ({EVENT_DAYS}) group by all order by events desc, category limit $limit""",
        {**filters.params(), "limit": limit},
    ).df()
    users = _users_per_category(
        con, filters, [c for c in top["category"] if c != "(none)"], "(none)" in set(top["category"])
    )
    top = top.merge(users, on="category", how="left")
    top["users_about"] = top["users_about"].fillna(0).astype("int64")
    return top[["category", "events", "purchases", "users_about", "revenue"]]


def _users_per_category(
    con: duckdb.DuckDBPyConnection, filters: Filters, categories: list[str], uncategorised: bool
) -> pd.DataFrame:
    """Approximate distinct users of each named category, and of "(none)" when asked (unknown items)."""
    named = f"""select i.category, approx_count_distinct(e.user_id) as users_about
                  from ({EVENTS}) e join items i using (item_id)
                 where e.item_id in (select item_id from items where list_contains($top::varchar[], category))
                 group by all"""
    none = f"""select '(none)' as category, approx_count_distinct(e.user_id) as users_about from ({EVENTS}) e
                where not exists (select 1 from items i where i.item_id = e.item_id and i.category is not null)"""
    sql = f"{named} union all {none}" if uncategorised else named
    return con.execute(sql, {**filters.params(), "top": categories}).df()


def fetch_filter_options(con: duckdb.DuckDBPyConnection) -> dict:
    """Choices for the shared filters: categories (by use), languages, and the data's date span."""
    categories = [
        r[0]
        for r in con.execute(
            "select category from items where category is not null group by category order by count(*) desc, category"
        ).fetchall()
    ]
    languages = [
        r[0]
        for r in con.execute(
            """select language from (select language from reviews union all select language from items)
           where language is not null group by language order by count(*) desc"""
        ).fetchall()
    ]
    span = con.execute(
        "select min(ts)::date, max(ts)::date from (select ts from events union all select ts from reviews)"
    ).fetchall()[0]
    return {"categories": categories, "languages": languages, "first": span[0], "last": span[1]}
