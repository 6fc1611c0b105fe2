"""Reads behind recommendations: item vectors, what each user touched (before a date), purchases in a window.

Item texts and their hashes are the ones the encoding job uses (``store.embeddings.TEXTS``): an item's
text is its title and description together, a search its query, a review its title and text.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd

from insight.store.db import pop_vectors
from insight.store.fragments import item_text, review_text, text_key

# What each user touched. Item events name the item (its vector is the item's); searches and reviews
# carry their own text, whose vector is looked up separately. Refunds and cancels are kept: the caller
# decides what a kind of touch is worth.
USER_TOUCHES = f"""
    select e.user_id, e.ts, e.event_type as kind, e.item_id, null::varchar as text_hash, null::varchar as text
      from events e
     where e.user_id is not null and e.item_id is not null
    union all
    select user_id, ts, 'search', null, {text_key("query")}, query from events
     where event_type = 'search' and query is not null and user_id is not null
    union all
    select user_id, ts, 'review', null, {text_key(review_text())}, {review_text()}
      from reviews where user_id is not null and text is not null
"""


def item_vector_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Items that have an embedding, per model: tells which model to use, or that nothing is encoded yet."""
    rows = con.execute(
        f"""select e.model, count(*)
           from items i join embeddings e on e.text_hash = {text_key(item_text("i"))}
           where coalesce(i.title, i.description) is not null
           group by e.model"""
    ).fetchall()
    return {model: int(n) for model, n in rows}


def item_text_summary(con: duckdb.DuckDBPyConnection) -> tuple[int, list[str]]:
    """Items that have a text to embed, and the distinct languages of those texts (None left out)."""
    n, languages = con.execute(
        """select count(*), list(distinct language) filter (where language is not null)
           from items where coalesce(title, description) is not null"""
    ).fetchall()[0]
    return int(n), sorted(languages or [])


def fetch_item_vectors(con: duckdb.DuckDBPyConnection, model: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Items with an embedding under ``model``: rows (item_id, title, category) and a float32 (n, dim) matrix."""
    frame = con.execute(
        f"""select i.item_id, coalesce(i.title, i.description) as title, i.category, e.vector
           from items i join embeddings e
             on e.model = $model and e.text_hash = {text_key(item_text("i"))}
           where coalesce(i.title, i.description) is not null
           order by i.item_id""",
        {"model": model},
    ).df()
    vectors = pop_vectors(frame)
    return frame, vectors


def fetch_user_touches(
    con: duckdb.DuckDBPyConnection,
    model: str,
    *,
    before: date | datetime | None = None,
    user_id: str | None = None,
) -> pd.DataFrame:
    """Touches (user_id, ts, kind, item_id, text_hash, text) before ``before``, of one user or all.

    Item touches have ``item_id`` (text null); searches and reviews have their text and its hash and
    are kept only when that text has an embedding under ``model``. Oldest first.
    """
    return con.execute(
        f"""select t.user_id, t.ts, t.kind, t.item_id, t.text_hash, t.text
            from ({USER_TOUCHES}) t
            where ($before is null or t.ts < $before)
              and ($user is null or t.user_id = $user)
              and (t.item_id is not null
                   or exists (select 1 from embeddings e where e.model = $model and e.text_hash = t.text_hash))
            order by t.user_id, t.ts, t.kind, t.item_id, t.text_hash  -- a total order: profiles are seeded""",
        {"model": model, "before": before, "user": user_id},
    ).df()


def fetch_purchases(
    con: duckdb.DuckDBPyConnection, *, since: date | datetime, until: date | datetime | None = None
) -> pd.DataFrame:
    """Distinct (user_id, item_id) pairs purchased in [since, until) (until None: to the end of the data)."""
    return con.execute(
        """select distinct user_id, item_id from events
           where event_type = 'purchase' and user_id is not null and item_id is not null
             and ts >= $since and ($until is null or ts < $until)
           order by user_id, item_id""",
        {"since": since, "until": until},
    ).df()


def user_exists(con: duckdb.DuckDBPyConnection, user_id: str) -> bool:
    """True when the store knows the user (as a user row, or from any event or review)."""
    return bool(
        con.execute(
            """select exists (select 1 from users where user_id = $u)
                   or exists (select 1 from events where user_id = $u)
                   or exists (select 1 from reviews where user_id = $u)""",
            {"u": user_id},
        ).fetchall()[0][0]
    )


def purchase_span(con: duckdb.DuckDBPyConnection) -> tuple[datetime | None, datetime | None]:
    """First and last purchase time in the store ((None, None) without purchases): where a time split can fall."""
    first, last = con.execute(
        """select min(ts), max(ts) from events
           where event_type = 'purchase' and user_id is not null and item_id is not null"""
    ).fetchall()[0]
    return first, last
