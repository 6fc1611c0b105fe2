"""Campaign results: what an exported audience's target group did after the export, against its holdout.

The holdout was left out of the campaign at random (a hash of seed and user), so the difference in
conversion and revenue per user between the groups after the export is the campaign's effect. Each
difference comes with a 95 % interval (normal approximation for conversion, Welch for revenue); a
small merchant is told plainly when the groups are too small for any conclusion rather than shown a
percentage that means nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from insight.store import exports as store
from insight.store import targeting as targeting_store
from insight.targeting.export import holdout_groups
from insight.targeting.guard import known_members
from insight.targeting.privacy import AudienceTooSmall, privacy_rules

MIN_GROUP = 30  # users in the smaller group below which nothing is concluded
MIN_BUYERS = 10  # buyers in both groups together below which nothing is concluded
Z95 = 1.959964


@dataclass(frozen=True)
class CampaignResult:
    """One export's outcome: per-group figures, the uplifts with their intervals, and the verdict in words."""

    export: dict
    groups: pd.DataFrame  # group, users, buyers, conversion, revenue_per_user
    conversion_uplift: float  # target minus holdout, in conversion share
    conversion_interval: tuple[float, float]
    revenue_uplift: float  # target minus holdout, revenue per user
    revenue_interval: tuple[float, float]
    days_after: float  # how far after the export the data reaches
    verdict: str


def record_export(
    con: duckdb.DuckDBPyConnection,
    users,
    *,
    name: str,
    holdout_share: float = 0.1,
    seed: int = 0,
    at: datetime | None = None,
) -> str:
    """Record that an audience file was handed out (its groups as the file has them); the export's id."""
    users = known_members(con, users)
    reason = privacy_rules().audience_reason(len(users), targeting_store.fetch_base_size(con))
    if reason is not None:
        raise AudienceTooSmall(reason)
    groups = holdout_groups(users, share=holdout_share, seed=seed)
    return store.insert_export(
        con, name=name.strip() or "audience", groups=groups, holdout_share=holdout_share, seed=seed,
        exported_at=at or datetime.now(),
    )  # fmt: skip


def campaign_results(con: duckdb.DuckDBPyConnection, export_id: str) -> CampaignResult:
    """Target against holdout after the export of ``export_id`` (KeyError for an unknown id)."""
    export = store.fetch_export(con, export_id)
    if export is None:
        raise KeyError(f"no recorded export {export_id!r}")
    outcomes = store.fetch_outcomes(con, export_id)
    outcomes["bought"] = outcomes["purchases"] > 0
    groups = (
        outcomes.groupby("group")
        .agg(users=("user_id", "size"), buyers=("bought", "sum"), revenue=("revenue", "sum"))
        .reindex(["target", "holdout"], fill_value=0)
        .reset_index()
    )
    groups["conversion"] = groups["buyers"] / groups["users"].clip(lower=1)
    groups["revenue_per_user"] = groups["revenue"] / groups["users"].clip(lower=1)
    by = {g: outcomes[outcomes["group"] == g] for g in ("target", "holdout")}
    conversion = _difference(by["target"]["bought"].to_numpy(float), by["holdout"]["bought"].to_numpy(float))
    revenue = _difference(by["target"]["revenue"].to_numpy(float), by["holdout"]["revenue"].to_numpy(float))
    latest = store.latest_event(con)
    reach = (pd.Timestamp(latest) - pd.Timestamp(export["exported_at"])).total_seconds() if latest else 0.0
    days = max(0.0, reach / 86400)
    return CampaignResult(
        export, groups.drop(columns="revenue"), conversion[0], conversion[1], revenue[0], revenue[1], days,
        _verdict(groups, conversion, days),
    )  # fmt: skip


def _difference(target: np.ndarray, holdout: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Mean of target minus mean of holdout, with a 95 % interval (Welch's standard error)."""
    if len(target) < 2 or len(holdout) < 2:
        return float("nan"), (float("nan"), float("nan"))
    diff = float(target.mean() - holdout.mean())
    se = math.sqrt(target.var(ddof=1) / len(target) + holdout.var(ddof=1) / len(holdout))
    return diff, (diff - Z95 * se, diff + Z95 * se)


def _verdict(groups: pd.DataFrame, conversion: tuple, days: float) -> str:
    smaller = int(groups["users"].min())
    buyers = int(groups["buyers"].sum())
    if days <= 0:
        return "No data after the export yet: ingest what happened since, then look again."
    if smaller < MIN_GROUP or buyers < MIN_BUYERS:
        return (
            f"Too small to conclude: the smaller group has {smaller} users and {buyers} bought in all "
            f"(at least {MIN_GROUP} per group and {MIN_BUYERS} buyers are needed). Wait for more data, or "
            "export a larger audience or holdout next time."
        )
    low, high = conversion[1]
    if low > 0:
        return f"The campaign raised conversion: by {low:+.1%} to {high:+.1%} (95 % interval), target against holdout."
    if high < 0:
        return f"The campaign lowered conversion: by {low:+.1%} to {high:+.1%} (95 % interval)."
    return (
        f"No clear effect on conversion: the difference could be anywhere from {low:+.1%} to {high:+.1%} "
        "(95 % interval), which includes none."
    )
