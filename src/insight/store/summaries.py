"""Summary tables that ingest keeps up to date, so pages add up thousands of rows instead of millions.

``user_facts`` (migration 12) has one row per person an audience can hold (a users row, or any
event or review) with their events, purchases, spend, last purchase and reviews.

``event_days`` (migration 11) counts events per day, item category, item language and event type,
with their summed value. A page's date, category and language filters apply to it exactly as to
the raw events (:data:`insight.store.fragments.EVENT_DAYS`), because an event's category and
language are its item's and its day is its timestamp's date.

Both tables are refreshed inside each batch's publishing transaction (:func:`refresh_for_batch`), so
readers see the rows and their summaries change together. Only what a batch can change is
recounted: the days of the events it added, the days of already-stored events whose item it added
(an event stored before its item counted under no category until then), and the people it named.
"""

from __future__ import annotations

import duckdb

_COUNT = """
    select e.ts::date as day, i.category, i.language, e.event_type, count(*) as events, sum(e.value) as value
      from events e left join items i using (item_id)
     where {where}
     group by all
"""


_USER_COUNT = """
    with people as ({people}),
         did as (select user_id, count(*) as events,
                        count(*) filter (where event_type = 'purchase') as orders,
                        coalesce(sum(coalesce(value, 0)) filter (where event_type = 'purchase'), 0) as spend,
                        max(ts) filter (where event_type = 'purchase') as last_purchase
                   from events where user_id in (select user_id from people) group by user_id),
         wrote as (select user_id, count(*) as reviews
                     from reviews where user_id in (select user_id from people) group by user_id)
    select p.user_id, coalesce(d.events, 0), coalesce(d.orders, 0), coalesce(d.spend, 0), d.last_purchase,
           coalesce(w.reviews, 0)
      from people p left join did d using (user_id) left join wrote w using (user_id)
"""
_EVERYONE = """select user_id from users
               union select user_id from events where user_id is not null
               union select user_id from reviews where user_id is not null"""
_NAMED_BY_BATCH = """select user_id from users where batch_id = $batch
                     union select user_id from events where batch_id = $batch and user_id is not null
                     union select user_id from reviews where batch_id = $batch and user_id is not null"""


def refresh_for_batch(con: duckdb.DuckDBPyConnection, batch_id: str) -> int:
    """Recount what batch ``batch_id`` changed (call after its rows are inserted); return how many days."""
    con.execute(f"delete from user_facts where user_id in ({_NAMED_BY_BATCH})", {"batch": batch_id})
    con.execute(f"insert into user_facts {_USER_COUNT.format(people=_NAMED_BY_BATCH)}", {"batch": batch_id})
    days = con.execute(
        """select distinct ts::date from events where batch_id = $batch
           union
           select distinct e.ts::date from events e
            where e.item_id in (select item_id from items where batch_id = $batch)""",
        {"batch": batch_id},
    ).fetchall()
    if days:
        _recount(con, [d[0] for d in days])
    return len(days)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recount every summary from the raw tables (for stores filled by other means, such as benchmarks)."""
    con.execute("delete from event_days")
    con.execute(f"insert into event_days {_COUNT.format(where='true')}")
    con.execute("delete from user_facts")
    con.execute(f"insert into user_facts {_USER_COUNT.format(people=_EVERYONE)}")


def _recount(con: duckdb.DuckDBPyConnection, days: list) -> None:
    params = {"days": days, "first": min(days), "last": max(days)}
    con.execute("delete from event_days where day in (select unnest($days::date[]))", {"days": days})
    # The range lets DuckDB skip row groups before the exact semi-join on the list of days.
    where = "e.ts >= $first and e.ts < $last + interval 1 day and e.ts::date in (select unnest($days::date[]))"
    con.execute(f"insert into event_days {_COUNT.format(where=where)}", params)
