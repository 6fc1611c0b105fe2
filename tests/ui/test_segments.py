"""Segment charts stay readable however many segments a shop has: the largest keep a colour, the rest fold."""

import numpy as np
import pandas as pd

from insight.cluster.evolution import OTHER, fold_small_flows, fold_small_shares
from insight.ui.charts import segment_shares
from insight.ui.segments import movements


def _shares(groups=40, periods=3):
    rng = np.random.default_rng(0)
    rows = []
    for period in pd.date_range("2025-01-01", periods=periods, freq="MS"):
        users = rng.integers(1, 200, size=groups + 1)
        for segment, n in zip(range(-1, groups), users, strict=True):
            rows.append({"period": period, "segment_id": segment, "users": int(n), "share": n / users.sum()})
    return pd.DataFrame(rows)


def test_forty_segments_become_ten_bands_outliers_and_one_other_band():
    shares = _shares()
    folded, count = fold_small_shares(shares, group="segment_id", count="users", keep=10)
    assert count == 30 and folded["segment_id"].nunique() == 12  # 10 + outliers + other
    by_period = folded.groupby("period")[["users", "share"]].sum()
    assert (
        np.allclose(by_period["share"], 1.0) and (by_period["users"] == shares.groupby("period")["users"].sum()).all()
    )
    fig = segment_shares(shares, {s: f"topic {s}" for s in range(40)})
    assert len(fig.data) == 12 and "other 30 segments" in [trace.name for trace in fig.data]


def test_a_few_segments_are_drawn_as_they_are():
    shares = _shares(groups=5)
    assert fold_small_shares(shares, group="segment_id", count="users")[1] == 0
    assert len(segment_shares(shares, {}).data) == 6


def test_movements_between_21_segments_keep_eight_a_side_and_every_user():
    rng = np.random.default_rng(1)
    flows = (
        pd.DataFrame(
            {"source": rng.integers(0, 21, 300), "target": rng.integers(0, 21, 300), "users": rng.integers(1, 50, 300)}
        )
        .groupby(["source", "target"], as_index=False)["users"]
        .sum()
    )
    folded, count = fold_small_flows(flows, keep=8)
    assert folded["users"].sum() == flows["users"].sum() and count >= 13
    assert folded["source"].nunique() == 9 and folded["target"].nunique() == 9 and OTHER in set(folded["source"])
    fig = movements(flows, {s: "a very long segment name about running shoes and socks" for s in range(21)}, "Q1", "Q2")
    nodes = fig.data[0].node.label
    assert len(nodes) == 18 and all(len(name) <= 32 for name in nodes)
    assert [a.text for a in fig.layout.annotations] == ["Q1", "Q2"]
