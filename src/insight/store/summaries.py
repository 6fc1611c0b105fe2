"""Summary tables that ingest keeps up to date, so pages add up thousands of rows instead of millions.

``event_days`` (migration 11) counts events per day, item category, item language and event type,
with their summed value. A page's date, category and language filters apply to it exactly as to
the raw events (:data:`insight.store.fragments.EVENT_DAYS`), because an event's category and
language are its item's and its day is its timestamp's date.

The table is refreshed inside each batch's publishing transaction (:func:`refresh_for_batch`), so
readers see the events and their summary change together. Only the days a batch can change are
recounted: the days of the events it added, and the days of already-stored events whose item it
added (an event stored before its item counted under no category until then).
"""

from __future__ import annotations

import duckdb

_COUNT = """
    select e.ts::date as day, i.category, i.language, e.event_type, count(*) as events, sum(e.value) as value
      from events e left join items i using (item_id)
     where {where}
     group by all
"""


def refresh_for_batch(con: duckdb.DuckDBPyConnection, batch_id: str) -> int:
    """Recount the days batch ``batch_id`` touched (call after its rows are inserted); return how many days."""
    days = con.execute(
        """select distinct ts::date from events where batch_id = $batch
           union
           select distinct e.ts::date from events e
            where e.item_id in (select item_id from items where batch_id = $batch)""",
        {"batch": batch_id},
    ).fetchall()
    if not days:
        return 0
    _recount(con, [d[0] for d in days])
    return len(days)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recount every day from the raw events (for stores filled by other means, such as benchmarks)."""
    con.execute("delete from event_days")
    con.execute(f"insert into event_days {_COUNT.format(where='true')}")


def _recount(con: duckdb.DuckDBPyConnection, days: list) -> None:
    params = {"days": days, "first": min(days), "last": max(days)}
    con.execute("delete from event_days where day in (select unnest($days::date[]))", {"days": days})
    # The range lets DuckDB skip row groups before the exact semi-join on the list of days.
    where = "e.ts >= $first and e.ts < $last + interval 1 day and e.ts::date in (select unnest($days::date[]))"
    con.execute(f"insert into event_days {_COUNT.format(where=where)}", params)
