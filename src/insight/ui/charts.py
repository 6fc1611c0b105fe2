"""What figures share: the house style (colour-blind-safe palette, labelled axes) and the group figures.

Segments and topics are both groups with stable ids: one name, one colour per id, the same point map
and shares-over-time chart on the Segments, Topics and Interest evolution pages.

Categories, languages and keywords are shop text, and Plotly renders HTML in labels: every label a
figure shows goes through :func:`insight.ui.text.plot`, while ``customdata`` keeps the raw value that
a click hands back to the page (to filter the store by).
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from insight.cluster.evolution import OTHER, fold_small_shares
from insight.ui.text import plot

PALETTE = px.colors.qualitative.Safe


def style(fig: go.Figure, *, y_title: str) -> go.Figure:
    """Margins, legend, hover and the y axis's title (with its unit) as every chart has them."""
    fig.update_layout(
        margin=dict(l=10, r=10, t=30, b=10),
        legend_title_text="",
        hovermode="x unified",
        yaxis_title=y_title,
        xaxis_title=None,
        height=340,
    )
    return fig


GROUP_PALETTE = px.colors.qualitative.Dark24 + px.colors.qualitative.Light24
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
    return {
        s: OTHER_COLOUR if s == OTHER else OUTLIER_COLOUR if s < 0 else GROUP_PALETTE[s % len(GROUP_PALETTE)]
        for s in ids
    }


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
