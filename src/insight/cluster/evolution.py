"""How segments change over time: which grow, which shrink, and how many users moved."""

from __future__ import annotations

import pandas as pd


def share_change(shares: pd.DataFrame, source, target) -> pd.DataFrame:
    """Each segment's share of active users in ``source`` and ``target`` and the change, in points.

    ``shares`` has columns period, segment_id, users, share (one row per segment and period).
    Returns segment_id, share_before, share_after, change (percentage points), fastest growing first.
    """
    table = shares.pivot_table(index="segment_id", columns="period", values="share", fill_value=0.0)
    before = table[source] if source in table.columns else 0.0
    after = table[target] if target in table.columns else 0.0
    frame = pd.DataFrame({"share_before": before, "share_after": after}).reset_index()
    frame["change"] = 100 * (frame["share_after"] - frame["share_before"])
    frame = frame[frame["segment_id"] >= 0]
    return frame.sort_values("change", ascending=False, kind="stable").reset_index(drop=True)


def moved_share(flows: pd.DataFrame) -> float:
    """Share of users present in both periods whose segment changed (nan when there are none)."""
    total = flows["users"].sum()
    if not total:
        return float("nan")
    return float(flows.loc[flows["source"] != flows["target"], "users"].sum() / total)
