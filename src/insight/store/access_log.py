"""The ``access_log`` table: every individual-level look, for the admins' "who looked at whom"."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd


def insert_access(
    con: duckdb.DuckDBPyConnection,
    *,
    actor: str,
    role: str,
    action: str,
    subject: str,
    page: str | None = None,
    at: datetime | None = None,
) -> None:
    """Record one look: who (``actor`` in ``role``) saw what (``action`` on ``subject``), where and when."""
    con.execute(
        "insert into access_log (seen_at, actor, role, action, subject, page) "
        "values (coalesce($at, now()::timestamp), $actor, $role, $action, $subject, $page)",
        {"at": at, "actor": actor, "role": role, "action": action, "subject": subject, "page": page},
    ).fetchall()


def fetch_access(
    con: duckdb.DuckDBPyConnection,
    *,
    limit: int = 500,
    actor: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
) -> pd.DataFrame:
    """Latest looks first, optionally narrowed to one actor, one subject (a substring) or a start time."""
    return con.execute(
        """select seen_at, actor, role, action, subject, page from access_log
           where ($actor is null or actor = $actor)
             and ($subject is null or contains(subject, $subject))
             and ($since is null or seen_at >= $since)
           order by seen_at desc limit $limit""",
        {"limit": limit, "actor": actor, "subject": subject, "since": since},
    ).df()
