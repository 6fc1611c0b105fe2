"""Audience exports and what their members did afterwards: the raw material of campaign results."""

from __future__ import annotations

import uuid
from datetime import datetime

import duckdb
import pandas as pd

from insight.store.db import transaction


def insert_export(
    con: duckdb.DuckDBPyConnection,
    *,
    name: str,
    groups: pd.DataFrame,
    holdout_share: float,
    seed: int,
    exported_at: datetime,
) -> str:
    """Record an export (``groups``: user_id, group) in one transaction; its id."""
    export_id = f"exp-{uuid.uuid4().hex[:10]}"
    with transaction(con):
        con.execute(
            "insert into audience_exports values ($id, $name, $at, $share, $seed, $users)",
            {"id": export_id, "name": name, "at": exported_at, "share": holdout_share, "seed": seed,
             "users": len(groups)},
        )  # fmt: skip
        con.execute(
            "insert into export_members select $id, unnest($users), unnest($groups)",
            {"id": export_id, "users": groups["user_id"].astype(str).tolist(),
             "groups": groups["group"].astype(str).tolist()},
        )  # fmt: skip
    return export_id


def fetch_exports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every recorded export, newest first: export_id, name, exported_at, holdout_share, seed, users."""
    return con.execute("select * from audience_exports order by exported_at desc").df()


def fetch_export(con: duckdb.DuckDBPyConnection, export_id: str) -> dict | None:
    """One export's record, or None."""
    frame = con.execute("select * from audience_exports where export_id = $id", {"id": export_id}).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def fetch_outcomes(con: duckdb.DuckDBPyConnection, export_id: str, until: datetime | None = None) -> pd.DataFrame:
    """Per member of an export: group, and purchases and revenue from the export time (up to ``until``)."""
    return con.execute(
        """select m.user_id, m.grp as "group",
                  count(e.event_id) filter (where e.event_type = 'purchase') as purchases,
                  coalesce(sum(coalesce(e.value, 0)) filter (where e.event_type = 'purchase'), 0) as revenue
             from export_members m
             join audience_exports x using (export_id)
             left join events e on e.user_id = m.user_id and e.ts >= x.exported_at
                                and ($until is null or e.ts < $until)
            where m.export_id = $id
            group by m.user_id, m.grp""",
        {"id": export_id, "until": until},
    ).df()


def latest_event(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the newest stored event happened: how far after an export the data reaches."""
    return con.execute("select max(ts) from events").fetchall()[0][0]
