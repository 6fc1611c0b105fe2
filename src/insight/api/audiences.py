"""Saved audiences for the shop's systems: the list, and an audience's members page by page.

Each member comes with its group (target or holdout), under the same privacy rules as the Campaigns
page and the export. Members are the store's pseudonyms, as in the export file: the store never
holds the shop's own ids. Groups come from the export's hash-based holdout (same share, same seed:
the same people), so a campaign tool reading the API and one reading the file agree on who is held out.
"""

from __future__ import annotations

import math

import duckdb

from insight.store import targeting as store
from insight.targeting import holdout_groups, privacy_rules, saved_audiences

PAGE_SIZE = 1_000


class NotFound(Exception):
    """The request names something the store does not have (answered 404)."""


def audiences(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every saved audience: id, name, kind, users (null when the privacy rules hide the count), stale, description."""
    frame = saved_audiences(con)
    return [
        {
            "audience_id": row.audience_id,
            "name": row.name,
            "kind": row.kind,
            "users": None if math.isnan(row.users) else int(row.users),
            "created_at": row.created_at.isoformat(),
            "stale": bool(row.stale),
            "description": row.description,
        }
        for row in frame.itertuples()
    ]


def members(
    con: duckdb.DuckDBPyConnection, audience_id: str, *, page: int = 1, holdout_share: float = 0.1, seed: int = 0
) -> dict:
    """One page of an audience's members with their group.

    Raises NotFound for an unknown audience, PermissionError when the privacy rules refuse it.
    """
    if page < 1:
        raise ValueError("page starts at 1")
    if audience_id not in set(store.fetch_saved(con)["audience_id"]):
        raise NotFound(f"no saved audience {audience_id!r}")
    users = store.fetch_audience_users(con, [audience_id])
    reason = privacy_rules().audience_reason(len(users), store.fetch_base_size(con))
    if reason:
        raise PermissionError(reason)
    groups = holdout_groups(users, share=holdout_share, seed=seed)
    pages = max(1, math.ceil(len(groups) / PAGE_SIZE))
    chunk = groups.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "audience_id": audience_id,
        "page": page,
        "pages": pages,
        "members": [{"user_id": u, "group": g} for u, g in zip(chunk["user_id"], chunk["group"], strict=True)],
    }
