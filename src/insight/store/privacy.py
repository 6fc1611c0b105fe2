"""Reads behind the minimum-audience rules: which ids are users, contribution caps, near-duplicate audiences.

The rules themselves live in :mod:`insight.targeting.privacy`; this module only answers the
questions they ask of the store. "Users" are the people an audience can hold (``PEOPLE`` in
:mod:`insight.store.targeting`): the users table, and anyone with events or reviews.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from insight.store.fragments import PEOPLE, USER_FACTS, registered_users


def fetch_known_users(con: duckdb.DuckDBPyConnection, user_ids: Sequence[str]) -> list[str]:
    """The given ids that are users of this store, sorted and distinct (unknown ids are left out)."""
    with registered_users(con, sorted(set(map(str, user_ids)))) as picked:
        rows = con.execute(
            f"select distinct p.user_id from {picked} p semi join ({PEOPLE}) u using (user_id) order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def fetch_kth_largest(con: duckdb.DuckDBPyConnection, k: int) -> tuple[float | None, float | None]:
    """The k-th largest purchase total and purchase count of any one user in the store: (spend, orders).

    None for either when fewer than k users bought anything.
    """
    row = con.execute(
        """with per_user as (
               select user_id, sum(coalesce(value, 0)) as spend, count(*) as orders
                 from events where event_type = 'purchase' and user_id is not null group by user_id)
           select (select spend from per_user order by spend desc limit 1 offset $skip),
                  (select orders from per_user order by orders desc limit 1 offset $skip)""",
        {"skip": int(k) - 1},
    ).fetchall()[0]
    return (None if row[0] is None else float(row[0]), None if row[1] is None else float(row[1]))


def fetch_close_audiences(con: duckdb.DuckDBPyConnection, k: int) -> set[str]:
    """Saved audiences whose members differ from another saved audience's by 1 to k − 1 users.

    Saving refuses such pairs; this finds any stored before that rule. Only pairs whose sizes
    differ by under k can be that close, so only those are compared.
    """
    rows = con.execute(
        """with sizes as (select a.audience_id, count(m.user_id) as n
                            from audiences a left join audience_members m using (audience_id) group by all),
                pairs as (select x.audience_id as a, y.audience_id as b, x.n + y.n as total
                            from sizes x join sizes y on x.audience_id < y.audience_id and abs(x.n - y.n) < $k),
                shared as (select p.a, p.b, p.total, count(mb.user_id) as both_in
                             from pairs p
                             left join audience_members ma on ma.audience_id = p.a
                             left join audience_members mb on mb.audience_id = p.b and mb.user_id = ma.user_id
                            group by all)
           select a, b from shared where total - 2 * both_in between 1 and $k - 1""",
        {"k": int(k)},
    ).fetchall()
    return {audience for pair in rows for audience in pair}


def fetch_segment_facts(con: duckdb.DuckDBPyConnection, run_id: str, spend_cap: float | None) -> pd.DataFrame:
    """Per segment of a run: segment_id, users, buyers, spend, reviewers, reviews, sentiment.

    ``spend`` counts each member's purchases up to ``spend_cap`` (None: counts nothing);
    ``sentiment`` is the mean over reviewers of each reviewer's mean review sentiment, so no
    prolific reviewer weighs more than another member.
    """
    return con.execute(
        f"""with facts as ({USER_FACTS})
            select m.segment_id, count(*) as users, count(*) filter (where f.orders > 0) as buyers,
                   sum(least(greatest(f.spend, 0), coalesce($cap, 0))) as spend,
                   count(f.sentiment) as reviewers, sum(f.reviews) as reviews, avg(f.sentiment) as sentiment
              from segment_members m join facts f using (user_id)
             where m.run_id = $run and m.segment_id >= 0
             group by m.segment_id order by m.segment_id""",
        {"run": run_id, "cap": spend_cap},
    ).df()
