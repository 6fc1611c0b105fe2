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


OTHER = -2  # the id of "every other segment" once small ones are folded together (-1 is outliers)


def fold_small_shares(shares: pd.DataFrame, *, group: str, count: str, keep: int = 10) -> tuple[pd.DataFrame, int]:
    """Shares per period with all but the ``keep`` largest groups summed into one :data:`OTHER` row per period.

    A stacked area with 40 colours cannot be read; the largest groups (by their total ``count`` over all
    periods; outliers stay themselves) keep their own band. Returns the folded frame (same columns) and
    how many groups were folded.
    """
    totals = shares[shares[group] >= 0].groupby(group)[count].sum().sort_values(ascending=False, kind="stable")
    folded = totals.index[keep:]
    if len(folded) == 0:
        return shares, 0
    small = shares[group].isin(folded)
    other = shares[small].groupby("period", as_index=False)[[count, "share"]].sum().assign(**{group: OTHER})
    frame = pd.concat([shares[~small], other[shares.columns]], ignore_index=True)
    return frame.sort_values(["period", group], kind="stable").reset_index(drop=True), len(folded)


def fold_small_flows(flows: pd.DataFrame, *, keep: int = 8) -> tuple[pd.DataFrame, int]:
    """Flows between segments with all but the ``keep`` largest segments on each side summed as :data:`OTHER`.

    ``flows`` has source, target, users. A Sankey of 21 nodes a side hides its links under its labels;
    the segments with most users on each side stay, the rest become one node. Returns the folded flows
    and how many segments were folded (on either side).
    """
    folded = set()
    frame = flows.copy()
    for side in ("source", "target"):
        sizes = frame[frame[side] >= 0].groupby(side)["users"].sum().sort_values(ascending=False, kind="stable")
        small = set(sizes.index[keep:])
        folded |= small
        frame[side] = frame[side].where(~frame[side].isin(small), OTHER)
    if not folded:
        return flows, 0
    return frame.groupby(["source", "target"], as_index=False)["users"].sum(), len(folded)
