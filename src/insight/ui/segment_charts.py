"""Figures of the segment and topic pages: the point map, shares over time, movements and drift.

Segment and topic names are made of shop text (keywords, categories) and hover shows review texts;
Plotly renders HTML in both, so they go through :func:`insight.ui.text.plot`; ``customdata`` keeps the
raw ids a selection hands back.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from insight.cluster.evolution import OTHER, fold_small_flows, fold_small_shares
from insight.ui.text import plot

PALETTE = px.colors.qualitative.Dark24 + px.colors.qualitative.Light24
OUTLIER_COLOUR = "#c8c8c8"
OTHER_COLOUR = "#8c8c8c"


def segment_name(segment_id: int, labels: dict[int, str]) -> str:
    """How a segment is written everywhere: ``#3 running · shoes`` (``outliers`` for -1).

    ``labels`` may name :data:`~insight.cluster.evolution.OTHER` (the small segments folded together).
    """
    if segment_id == OTHER:
        return labels.get(OTHER, "other")
    return "outliers" if segment_id < 0 else f"#{segment_id} {labels.get(segment_id, '')}".strip()


def colour_map(ids: list[int]) -> dict[int, str]:
    """A fixed colour per stable segment id, so a segment looks the same on every chart and run."""
    return {s: OTHER_COLOUR if s == OTHER else OUTLIER_COLOUR if s < 0 else PALETTE[s % len(PALETTE)] for s in ids}


def user_map(members: pd.DataFrame, labels: dict[int, str]) -> go.Figure:
    """Users on the 2-D map, one WebGL trace per segment; lasso or box to select, hover for interests.

    Each point's customdata is its user id, so a selection is a list of users.
    """
    return group_map(members, labels, group="segment_id", key="user_id", hover="keywords")


def group_map(points: pd.DataFrame, labels: dict[int, str], *, group: str, key: str, hover: str) -> go.Figure:
    """Points (users, reviews) on a 2-D map (``x``, ``y``), one WebGL trace per ``group`` value.

    Each point's customdata is its ``key``, so a lasso or box selection is a list of ids; ``hover``
    is the column shown on hover.
    """
    colours = colour_map(sorted(points[group].unique()))
    fig = go.Figure()
    for segment, part in points.groupby(group, sort=True):
        fig.add_trace(
            go.Scattergl(
                x=part["x"],
                y=part["y"],
                mode="markers",
                name=plot(segment_name(int(segment), labels)),
                marker=dict(size=5, color=colours[int(segment)], opacity=0.5 if segment < 0 else 0.8),
                customdata=part[[key]].to_numpy(),
                # ids come from the shop's files too: the hover shows them escaped, never the raw customdata
                text=[
                    f"{plot(k)}<br>{plot(h)}"
                    for k, h in zip(part[key].astype(str), part[hover].fillna(""), strict=True)
                ],
                hovertemplate="%{text}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        dragmode="lasso",
        height=560,
        margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(itemsizing="constant", font=dict(size=11)),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )
    return fig


def segment_shares(
    shares: pd.DataFrame, labels: dict[int, str], *, group: str = "segment_id", count: str = "users",
    of: str = "active users", keep: int = 10,
) -> go.Figure:  # fmt: skip
    """Stacked share per ``group`` value (segment, topic) and period, the ``keep`` largest in their own colour.

    The rest are one grey band, "other N segments"; ``count`` is the column shown on hover.
    """
    shares, folded = fold_small_shares(shares, group=group, count=count, keep=keep)
    noun = "topics" if group == "topic_id" else "segments"
    labels = {**labels, OTHER: f"other {folded} {noun}"}
    frame = shares.assign(segment=[plot(segment_name(int(s), labels)) for s in shares[group]])
    colours = colour_map(sorted(shares[group].unique()))
    fig = px.area(
        frame,
        x="period",
        y="share",
        color="segment",
        color_discrete_map={plot(segment_name(s, labels)): c for s, c in colours.items()},
        custom_data=[group, count],
        labels={"share": f"share of {of}", "period": ""},
    )
    fig.update_traces(hovertemplate=f"%{{fullData.name}}<br>%{{y:.1%}} (%{{customdata[1]:,}} {count})<extra></extra>")
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=10, b=10), yaxis_tickformat=".0%", legend_title_text="")
    return fig


def movements(
    flows: pd.DataFrame, labels: dict[int, str], source_name: str, target_name: str, *, keep: int = 8
) -> go.Figure:
    """A Sankey of users from their segment in one period (left) to their segment in the next (right).

    At most ``keep`` segments a side keep their own node (the rest are one "other" node), names are
    short, and the two periods head their columns instead of being repeated on every node.
    """
    flows, _ = fold_small_flows(flows, keep=keep)
    labels = {**labels, OTHER: "smaller segments"}  # a side's own segments fold, so the count differs per side
    left = sorted(flows["source"].unique())
    right = sorted(flows["target"].unique())
    names = [plot(_short(segment_name(s, labels))) for s in left + right]
    colours = colour_map(sorted(set(left) | set(right)))
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node=dict(label=names, color=[colours[s] for s in left + right], pad=14, thickness=14),
            link=dict(
                source=[left.index(s) for s in flows["source"]],
                target=[len(left) + right.index(t) for t in flows["target"]],
                value=flows["users"].tolist(),
                color="rgba(120,120,120,0.25)",
                hovertemplate="%{source.label} → %{target.label}: %{value:,} users<extra></extra>",
            ),
        )
    )
    for x, text, anchor in ((0, source_name, "left"), (1, target_name, "right")):
        fig.add_annotation(x=x, y=1.06, xref="paper", yref="paper", text=plot(text), showarrow=False, xanchor=anchor)
    fig.update_layout(height=max(420, 40 * max(len(left), len(right))), margin=dict(l=10, r=10, t=40, b=10))
    return fig


def _short(name: str, limit: int = 32) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def drift(periods: pd.DataFrame) -> go.Figure:
    """A user's interest drift month by month (1 - cosine to the previous active month)."""
    fig = px.bar(periods, x="period", y="drift", labels={"drift": "interest drift", "period": ""})
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=10, b=10), yaxis_range=[0, 1])
    return fig


def growth(frame: pd.DataFrame, labels: dict[int, str]) -> go.Figure:
    """Segments by change in share between two periods (points of share gained or lost)."""
    frame = frame.assign(segment=[plot(segment_name(int(s), labels)) for s in frame["segment_id"]])
    fig = px.bar(frame, x="change", y="segment", orientation="h", labels={"change": "change in share (points)"})
    fig.update_layout(height=max(260, 24 * len(frame)), margin=dict(l=10, r=10, t=10, b=10), yaxis_title=None)
    fig.update_yaxes(autorange="reversed")
    return fig
