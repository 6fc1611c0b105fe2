"""Audience files to upload to a campaign tool: CSV or Parquet, with a random holdout group.

The holdout is what makes a campaign measurable: those users are left out of the send and compared
with the rest. Assignment is seeded and exact: users are ordered by a hash of (seed, user id) and
the first ``round(share × n)`` are held out, so the same audience, share and seed always give the
same file, and a user keeps their group when the audience grows a little.

CSV files are written by :func:`insight.exports.csv_bytes`, which neutralises spreadsheet formulas
(segment labels are made of shop text); Parquet is not read as formulas and keeps values as they are.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

import duckdb
import pandas as pd

from insight.exports import csv_bytes
from insight.store import runs
from insight.store import targeting as store
from insight.targeting.guard import known_members
from insight.targeting.privacy import AudienceTooSmall, PrivacyRules, privacy_rules

FORMATS = ("csv", "parquet")
MAX_HOLDOUT_SHARE = 0.5


def holdout_groups(users: Sequence[str], *, share: float = 0.1, seed: int = 0) -> pd.DataFrame:
    """Each user with a group, ``target`` or ``holdout``: user_id, group (sorted by user_id).

    ``share`` of the users (rounded, at least one when ``share`` > 0) are held out.
    """
    if not 0.0 <= share <= MAX_HOLDOUT_SHARE:
        raise ValueError(f"holdout share must be between 0 and {MAX_HOLDOUT_SHARE}, got {share}")
    users = sorted(set(map(str, users)))
    n_holdout = 0 if share == 0 or not users else max(1, int(share * len(users) + 0.5))
    order = sorted(users, key=lambda u: hashlib.sha256(f"{seed}:{u}".encode()).hexdigest())
    held = set(order[:n_holdout])
    return pd.DataFrame(
        {
            "user_id": pd.Series(users, dtype="string"),
            "group": pd.Series(["holdout" if u in held else "target" for u in users], dtype="string"),
        }
    )


def audience_file(
    con: duckdb.DuckDBPyConnection,
    users: Sequence[str],
    *,
    fmt: str = "csv",
    holdout_share: float = 0.1,
    seed: int = 0,
    rules: PrivacyRules | None = None,
) -> bytes:
    """The audience as file bytes: user_id, group (target/holdout) and segment (label in the current run).

    Only users of this store count: ids it does not know are refused, with how many
    (:class:`~insight.targeting.privacy.UnknownUsers`), never used to reach k. Raises
    :class:`~insight.targeting.privacy.AudienceTooSmall` under k users (or leaving out 1 to k − 1 of
    the store's users), ValueError for an unknown format or share.
    """
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    rules = rules or privacy_rules()
    users = known_members(con, users)
    reason = rules.audience_reason(len(users), store.fetch_base_size(con))
    if reason is not None:
        raise AudienceTooSmall(reason)
    frame = audience_frame(con, users, holdout_share=holdout_share, seed=seed)
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    return csv_bytes(frame)


def audience_frame(
    con: duckdb.DuckDBPyConnection, users: Sequence[str], *, holdout_share: float = 0.1, seed: int = 0
) -> pd.DataFrame:
    """The rows of an export, unguarded: user_id, group, segment."""
    frame = holdout_groups(users, share=holdout_share, seed=seed)
    run = runs.current_run(con, "segments")
    if run is None:
        return frame.assign(segment=pd.Series([None] * len(frame), dtype="string"))
    labels = store.fetch_segment_labels(con, frame["user_id"].tolist(), run["run_id"])
    segment = frame["user_id"].map(dict(zip(labels["user_id"], labels["segment"], strict=True)))
    return frame.assign(segment=segment.astype("string"))
