"""The Keywords page's reads and figures: keywords per group, trends, bursts and the reviews behind a word."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from insight.filters import Filters
from insight.ui.charts import PALETTE, style
from insight.ui.resources import cursor
from insight.ui.text import plot, plot_column


@st.cache_data(show_spinner=False, max_entries=64)
def keywords_of(run_id: str, group_kind: str, group_value: str | None, limit: int = 30) -> pd.DataFrame:
    """Keywords of one grouping (and group)."""
    from insight.store.keywords import fetch_keywords

    return fetch_keywords(cursor(), run_id, group_kind, group_value, limit=limit)


@st.cache_data(show_spinner=False, max_entries=16)
def keyword_groups(run_id: str, group_kind: str, search: str | None = None) -> tuple[pd.DataFrame, int]:
    """Groups of a grouping with keywords (value, label), busiest first, at most 200; and how many match."""
    from insight.store.keywords import fetch_groups

    return fetch_groups(cursor(), run_id, group_kind, search=search)


@st.cache_data(show_spinner=False, max_entries=32)
def keyword_trends(run_id: str, filters: Filters, keywords: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Keyword counts and shares per period."""
    from insight.store.keywords import fetch_trends

    return fetch_trends(cursor(), run_id, filters, list(keywords) if keywords else None)


@st.cache_data(show_spinner=False, max_entries=8)
def keyword_bursts(run_id: str) -> pd.DataFrame:
    """Rising and fading keywords."""
    from insight.store.keywords import fetch_bursts

    return fetch_bursts(cursor(), run_id)


@st.cache_data(show_spinner=False, max_entries=64)
def reviews_with_keyword(keyword: str, filters: Filters, since=None, until=None) -> tuple[pd.DataFrame, int]:
    """The newest reviews that use a keyword, and how many use it in all."""
    from insight.store.keywords import fetch_reviews_with_keyword

    return fetch_reviews_with_keyword(cursor(), keyword, filters, since=since, until=until)


def keyword_heatmap(trends: pd.DataFrame, top: int = 25) -> go.Figure:
    """Period × keyword heatmap of the share of reviews using each keyword (click a cell for its reviews)."""
    leaders = trends.groupby("keyword")["count"].sum().nlargest(top).index
    frame = trends[trends["keyword"].isin(leaders)]
    matrix = frame.pivot_table(index="keyword", columns="period", values="share", fill_value=0).loc[leaders[::-1]]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy() * 100,
            x=matrix.columns,
            y=[plot(k) for k in matrix.index],
            colorscale="Cividis",
            colorbar=dict(title="% of reviews"),
            customdata=[[[k, str(p)] for p in matrix.columns] for k in matrix.index],
            hovertemplate="%{y} · %{x|%Y-%m-%d}: %{z:.1f}% of reviews<extra></extra>",
        )
    )
    fig.update_layout(height=max(320, 18 * len(matrix)), margin=dict(l=10, r=10, t=30, b=10))
    return fig


def keyword_lines(trends: pd.DataFrame) -> go.Figure:
    """Share of reviews using each chosen keyword, per period."""
    fig = px.line(
        trends.assign(percent=trends["share"] * 100, shown=plot_column(trends["keyword"])),
        x="period",
        y="percent",
        color="shown",
        labels={"shown": "keyword"},
        markers=True,
        color_discrete_sequence=PALETTE,
        custom_data=["keyword", "period"],
    )
    return style(fig, y_title="% of reviews using it")


def keyword_bars(frame: pd.DataFrame) -> go.Figure:
    """Top keywords of a group by c-TF-IDF weight (click a bar for its reviews)."""
    frame = frame.sort_values("weight")
    fig = px.bar(
        frame.assign(shown=plot_column(frame["keyword"])),
        x="weight",
        y="shown",
        orientation="h",
        color_discrete_sequence=PALETTE,
        custom_data=["keyword"],
        hover_data=["count"],
        labels={"shown": "keyword"},
    )
    fig.update_layout(
        height=max(260, 22 * len(frame)),
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="distinctiveness (c-TF-IDF)",
        yaxis_title=None,
    )
    return fig
