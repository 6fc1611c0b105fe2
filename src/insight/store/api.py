"""The live loop's tables: API keys (hashed), the lists the API served, and the feedback posted on them."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from insight.store.db import transaction


def insert_key(con: duckdb.DuckDBPyConnection, *, key_id: str, name: str, scope: str, secret_sha: str) -> None:
    """Record a new key (its secret only as a hash)."""
    con.execute(
        "insert into api_keys (key_id, name, scope, secret_sha, created_at) values ($id, $name, $scope, $sha, now())",
        {"id": key_id, "name": name, "scope": scope, "sha": secret_sha},
    )


def revoke_key(con: duckdb.DuckDBPyConnection, key_id: str) -> bool:
    """Mark a key revoked; False when there is no such live key."""
    found = con.execute(
        "update api_keys set revoked_at = now() where key_id = $id and revoked_at is null returning key_id",
        {"id": key_id},
    ).fetchall()
    return bool(found)


def fetch_key(con: duckdb.DuckDBPyConnection, key_id: str) -> dict | None:
    """A live (not revoked) key's name, scope and secret hash, or None."""
    rows = con.execute(
        "select name, scope, secret_sha from api_keys where key_id = $id and revoked_at is null", {"id": key_id}
    ).fetchall()
    return dict(zip(("name", "scope", "secret_sha"), rows[0], strict=True)) if rows else None


def fetch_keys(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every key ever made, newest first, without its hash."""
    return con.execute("select key_id, name, scope, created_at, revoked_at from api_keys order by created_at desc").df()


def insert_served(
    con: duckdb.DuckDBPyConnection,
    *,
    request_id: str,
    user_id: str,
    policy: str,
    exploration: float,
    items: pd.DataFrame,
) -> None:
    """Log one served list (``items``: item_id, kind, score, propensity, in rank order) in one transaction.

    The items go in as bound lists unnested by one statement: a request's own cost, not a table
    registration's (this runs on every API call). ``items.attrs["exploration"]`` (one entry per item,
    None for other slots) says how each exploration slot was chosen.
    """
    how = items.attrs.get("exploration") or [None] * len(items)
    with transaction(con):
        con.execute(
            "insert into served_lists values ($id, $user, $policy, $exploration, now())",
            {"id": request_id, "user": user_id, "policy": policy, "exploration": exploration},
        )
        con.execute(
            """insert into served_items
               select $id, unnest(range(1, $n + 1)), unnest($items), unnest($kinds), unnest($scores),
                      unnest($propensities), unnest($areas), unnest($area_chances), unnest($candidates),
                      unnest($n_explore)""",
            {
                "id": request_id,
                "n": len(items),
                "items": items["item_id"].astype(str).tolist(),
                "kinds": items["kind"].astype(str).tolist(),
                "scores": [float(v) for v in items["score"]],
                "propensities": [float(v) for v in items["propensity"]],
                "areas": [e and e["area"] for e in how],
                "area_chances": [e and float(e["area_chance"]) for e in how],
                "candidates": [e and e["candidates"] for e in how],
                "n_explore": [e and e["n_explore"] for e in how],
            },
        )


def serving_state(con: duckdb.DuckDBPyConnection) -> tuple[str, int, str | None, int]:
    """(store file, data version, current encode run's model, feedback rows): what an API call's caches key on.

    One read, since every API call asks.
    """
    return con.execute(
        """select (select path from duckdb_databases() where database_name = current_database()),
                  (select cast(value as integer) from meta where key = 'data_version'),
                  (select model from runs where kind = 'encode' and is_current order by created_at desc limit 1),
                  (select count(*) from feedback)"""
    ).fetchall()[0]


def served_requests(con: duckdb.DuckDBPyConnection, request_ids: list[str]) -> dict[str, str]:
    """request_id -> user_id for those of ``request_ids`` the API served."""
    if not request_ids:
        return {}
    rows = con.execute(
        "select request_id, user_id from served_lists where list_contains($ids, request_id)", {"ids": request_ids}
    ).fetchall()
    return dict(rows)


def insert_feedback(con: duckdb.DuckDBPyConnection, events: pd.DataFrame) -> int:
    """Store checked feedback rows in one transaction; rows whose event_id is stored already add nothing.

    ``events``: event_id, request_id, user_id, item_id, type, ts, value. Returns the rows newly stored.
    """
    if events.empty:
        return 0
    frame = events.assign(received_at=datetime.now())
    con.register("feedback_now", frame)
    try:
        with transaction(con):
            return con.execute(
                """insert or ignore into feedback
                   select distinct on (event_id) event_id, request_id, user_id, item_id, type, ts, value, received_at
                     from feedback_now"""
            ).fetchall()[0][0]
    finally:
        con.unregister("feedback_now")


def user_reactions(con: duckdb.DuckDBPyConnection, user_id: str) -> tuple[list[str], list[str]]:
    """(liked, disliked) item ids of a user: each item's latest like or dislike decides."""
    rows = con.execute(
        """select item_id, arg_max(type, ts) from feedback where user_id = $user and type in ('like', 'dislike')
           group by item_id""",
        {"user": user_id},
    ).fetchall()
    return [i for i, t in rows if t == "like"], [i for i, t in rows if t == "dislike"]


POSITIVE = ("click", "like", "cart", "purchase")  # the outcomes that reward an exploration slot


def explore_outcomes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per item served in an exploration slot: times shown, and times its list drew a positive reaction to it."""
    return con.execute(
        """select s.item_id, count(*) as shown,
                  count(*) filter (where exists (select 1 from feedback f where f.request_id = s.request_id
                                                  and f.item_id = s.item_id and list_contains($positive, f.type)))
                      as rewarded
             from served_items s where s.kind = 'explore' group by s.item_id""",
        {"positive": list(POSITIVE)},
    ).df()
