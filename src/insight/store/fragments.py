"""SQL written once: the texts insight encodes, the key their vectors are cached under, the filters, the current run.

Pieces of SQL that several store modules need live here, so that they cannot drift apart:

* **texts**: a review's text is its title and body together, an item's its title and description,
  and the embeddings cache is keyed on the md5 of exactly that text. If one copy of the expression
  changed, the vectors of a job and the texts a page looks up would silently stop matching;
* **filters**: the date, category and language filters of every page (``EVENTS``, ``REVIEWS``,
  ``ITEM_FILTER``, and ``EVENT_DAYS`` on the daily event summary), which
  bind ``$start``, ``$end`` (inclusive dates), ``$categories`` and ``$languages`` (lists; empty
  means all); the category and language of an event or review are its item's;
* **current runs**: the run whose results pages show, per kind;
* **people**: everyone an audience can hold, their purchase and review facts, and a list of user ids
  joined like a table (``PEOPLE``, ``USER_FACTS``, :func:`registered_users`).

Only code builds these strings (a table alias, a job kind); values always travel
as bound parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import duckdb
import pandas as pd

_KIND = re.compile(r"[a-z_]+")


def _column(alias: str, column: str) -> str:
    return f"{alias}.{column}" if alias else column


def review_text(alias: str = "") -> str:
    """A review's text as encoded: its title and body, trimmed (``alias``: the reviews table's alias)."""
    return f"trim(concat_ws(' ', {_column(alias, 'title')}, {_column(alias, 'text')}))"


def item_text(alias: str = "") -> str:
    """An item's text as encoded: its title and description, trimmed (``alias``: the items table's alias)."""
    return f"trim(concat_ws(' ', {_column(alias, 'title')}, {_column(alias, 'description')}))"


def text_key(expression: str) -> str:
    """The key a text's vector is cached under in ``embeddings.text_hash``."""
    return f"md5({expression})"


def current_run(kind: str) -> str:
    """A subquery giving the current run id of ``kind`` (null when none)."""
    if not _KIND.fullmatch(kind):  # a job kind written in code, never user input
        raise ValueError(f"not a run kind: {kind!r}")
    return f"(select run_id from runs where kind = '{kind}' and is_current limit 1)"


_ITEM_MATCH = """(len($categories::varchar[]) = 0 or list_contains($categories::varchar[], {category}))
                 and (len($languages::varchar[]) = 0 or list_contains($languages::varchar[], {language}))"""
_IN_RANGE = "($start is null or {ts} >= $start::date) and ($end is null or {ts} < $end::date + interval 1 day)"

ITEM_FILTER = _ITEM_MATCH.format(category="i.category", language="i.language")  # on items aliased ``i``
# Events need their item only to filter on it: a semi-join on the (small) items table, skipped when no
# category or language is chosen, instead of joining every one of millions of events to its item.
EVENTS = f"""select e.* from events e
             where {_IN_RANGE.format(ts="e.ts")}
               and ((len($categories::varchar[]) = 0 and len($languages::varchar[]) = 0)
                    or e.item_id in (select i.item_id from items i where {ITEM_FILTER}))"""
# The same filters on the daily event summary (insight.store.summaries): a day is in the range when its
# events are, and a row's category and language are its events' items'.
EVENT_DAYS = f"""select d.* from event_days d
                 where {_IN_RANGE.format(ts="d.day")}
                   and {_ITEM_MATCH.format(category="d.category", language="d.language")}"""
REVIEWS = f"""select r.* from reviews r left join items i using (item_id)
              where ({_IN_RANGE.format(ts="r.ts")} or (r.ts is null and $start is null and $end is null))
                and {_ITEM_MATCH.format(category="i.category", language="coalesce(r.language, i.language)")}"""


# Everyone an audience can hold: users listed in the users table, and anyone with events or reviews
# (a file of events alone creates no users rows, yet its buyers are reachable). Ingest keeps them, with
# their purchase counts, in the ``user_facts`` summary (insight.store.summaries).
PEOPLE = "select user_id from user_facts"

# One row per person with their purchase behaviour and review sentiment. "As of" is the latest event in
# the store, not the wall clock, so a shop's history reads the same whenever it is opened. Sentiment
# follows the current sentiment run, so it is read from the scores rather than kept by ingest.
USER_FACTS = f"""
    with scores as (select s.review_id, s.score from sentiment_scores s
                     where s.run_id = {current_run("sentiment")}),
         feeling as (
             select r.user_id, count(*) as reviews, avg(coalesce(s.score, (r.rating - 3) / 2.0)) as sentiment
               from reviews r left join scores s using (review_id)
              where r.user_id is not null and (s.score is not null or r.rating is not null)
              group by r.user_id)
    select u.user_id, u.orders, u.spend, u.last_purchase, coalesce(f.reviews, 0) as reviews, f.sentiment
      from user_facts u left join feeling f using (user_id)
"""


@contextmanager
def registered_users(con: duckdb.DuckDBPyConnection, user_ids: Sequence[str]) -> Iterator[str]:
    """The user ids as a temporary view ``picked_users(user_id)``, unregistered afterwards."""
    con.register("picked_users", pd.DataFrame({"user_id": pd.Series(list(user_ids), dtype="string")}))
    try:
        yield "picked_users"
    finally:
        con.unregister("picked_users")
