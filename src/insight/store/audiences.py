"""Saved audiences: a named set of users with the definition that produced it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

import duckdb
import pandas as pd

from insight.store.db import transaction


def save_audience(con: duckdb.DuckDBPyConnection, name: str, user_ids: Sequence[str], definition: dict) -> str:
    """Store an audience and its members in one transaction; return its id."""
    name = name.strip()
    if not name:
        raise ValueError("an audience needs a name")
    members = pd.DataFrame({"user_id": pd.Series(sorted(set(map(str, user_ids))), dtype="string")})
    if members.empty:
        raise ValueError("an audience needs at least one user")
    audience_id = f"aud-{uuid.uuid4().hex[:8]}"
    with transaction(con):
        con.execute(
            "insert into audiences values ($id, $name, now(), $definition)",
            {"id": audience_id, "name": name, "definition": json.dumps(definition, default=str)},
        ).fetchall()
        con.register("incoming_members", members)
        try:
            con.execute(
                "insert into audience_members select $id, user_id from incoming_members", {"id": audience_id}
            ).fetchall()
        finally:
            con.unregister("incoming_members")
    return audience_id


def fetch_audiences(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Saved audiences, newest first: audience_id, name, created_at, definition, users."""
    return con.execute(
        """select a.audience_id, a.name, a.created_at, a.definition, count(m.user_id) as users
             from audiences a left join audience_members m using (audience_id)
            group by all order by a.created_at desc"""
    ).df()


def fetch_audience_members(con: duckdb.DuckDBPyConnection, audience_id: str) -> list[str]:
    """The user ids of an audience, sorted."""
    rows = con.execute(
        "select user_id from audience_members where audience_id = $id order by user_id", {"id": audience_id}
    ).fetchall()
    return [row[0] for row in rows]
