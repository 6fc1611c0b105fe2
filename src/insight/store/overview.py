"""Reads behind the Overview page: headline counts, activity over time and the filter choices.

Filters are the shared ``EVENTS`` and ``REVIEWS`` of :mod:`insight.store.fragments`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from insight.filters import Filters
from insight.store.fragments import EVENTS, ITEM_FILTER, REVIEWS

GRAINS = {"day": "day", "week": "week", "month": "month"}  # allow-list for date_trunc


def fetch_kpis(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> dict:
    """Headline counts: users, active users, items, events, reviews, average rating and date range."""
    row = con.execute(
        f"""with e as ({EVENTS}), r as ({REVIEWS})
            select (select count(*) from users),
                   (select count(distinct user_id) from (select user_id from e union all select user_id from r)
                     where user_id is not null),
                   (select count(*) from items i where {ITEM_FILTER}),
                   (select count(*) from e), (select count(*) from r), (select avg(rating) from r),
                   (select min(ts) from (select ts from e union all select ts from r)),
                   (select max(ts) from (select ts from e union all select ts from r)),
                   (select count(*) from e where event_type = 'purchase'),
                   (select sum(value) from e where event_type = 'purchase')""",
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

    ``users_about`` is approximate (HyperLogLog, about 2 % off): exact distinct users per period cost
    seconds at 10 M events, and the table says "about".
    """
    return con.execute(
        f"""select date_trunc('{GRAINS[grain]}', ts) as period, event_type,
                   count(*) as events, approx_count_distinct(user_id) as users_about
            from ({EVENTS}) group by all order by period, event_type""",
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
    """Categories by events, purchases, users (approximate, as in :func:`fetch_event_activity`) and revenue."""
    return con.execute(
        f"""select coalesce(i.category, '(none)') as category, count(*) as events,
                   count(*) filter (where e.event_type = 'purchase') as purchases,
                   approx_count_distinct(e.user_id) as users_about,
                   round(sum(e.value) filter (where e.event_type = 'purchase'), 2) as revenue
            from ({EVENTS}) e left join items i using (item_id)
            group by all order by events desc limit $limit""",
        {**filters.params(), "limit": limit},
    ).df()


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
