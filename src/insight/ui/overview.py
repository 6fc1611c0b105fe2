"""The Overview page's reads and figures: headline counts, activity over time, busiest categories.

Reads are cached and take ``data_version`` (or filters) so results refresh after any write.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from insight.filters import Filters
from insight.store import overview
from insight.ui.charts import PALETTE, style
from insight.ui.resources import cursor
from insight.ui.tables import language_name
from insight.ui.text import plot_column


@st.cache_data(show_spinner=False, max_entries=64)
def kpis(filters: Filters, data_version: int) -> dict:
    """Headline counts under the filters."""
    return overview.fetch_kpis(cursor(), filters)


@st.cache_data(show_spinner=False, max_entries=64)
def event_counts(filters: Filters, grain: str, data_version: int) -> pd.DataFrame:
    """Events per period and type."""
    return overview.fetch_event_activity(cursor(), filters, grain)


@st.cache_data(show_spinner=False, max_entries=64)
def review_counts(filters: Filters, grain: str, data_version: int) -> pd.DataFrame:
    """Reviews per period and language."""
    return overview.fetch_review_activity(cursor(), filters, grain)


@st.cache_data(show_spinner=False, max_entries=64)
def category_counts(filters: Filters, data_version: int) -> pd.DataFrame:
    """Categories by activity."""
    return overview.fetch_top_categories(cursor(), filters)


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(data_version: int) -> dict:
    """Choices offered by the shared filters."""
    return overview.fetch_filter_options(cursor())


DEFAULT_GRAIN = "week"  # the periods the Overview opens with (the start-up warm-up fills these)
EVENT_ORDER = ["view", "search", "click", "cart", "fav", "purchase", "refund", "cancel"]


def event_activity(frame: pd.DataFrame, grain: str) -> go.Figure:
    """Stacked events per period, one colour per event type."""
    frame = frame.assign(event_type=plot_column(frame["event_type"]))
    order = [t for t in EVENT_ORDER if t in set(frame["event_type"])] + sorted(
        set(frame["event_type"]) - set(EVENT_ORDER)
    )
    fig = px.bar(
        frame,
        x="period",
        y="events",
        color="event_type",
        color_discrete_sequence=PALETTE,
        category_orders={"event_type": order},
        labels={"period": grain, "events": "events", "event_type": "event type"},
    )
    return style(fig, y_title=f"events per {grain}")


GRAIN_LENGTH = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1)}


def mark_partial(fig: go.Figure, periods: pd.Series, grain: str, last_day) -> go.Figure:
    """Fade the last period's bars and say so when the data ends before that period does.

    A week or month that has only begun holds a fraction of a full one's events; drawn like the others it
    reads as a collapse in the shop's activity rather than as the edge of the data.
    """
    if last_day is None or periods.empty or grain not in GRAIN_LENGTH:
        return fig
    start = pd.Timestamp(periods.max())
    end = start + GRAIN_LENGTH[grain]  # exclusive
    if pd.Timestamp(last_day).normalize() + pd.Timedelta(days=1) >= end:
        return fig
    for trace in fig.data:
        if isinstance(trace, go.Bar):
            trace.marker.opacity = [0.4 if pd.Timestamp(x) == start else 1.0 for x in trace.x]
    fig.add_annotation(
        x=start, y=1, yref="paper", text=f"partial {grain}: data ends {pd.Timestamp(last_day):%Y-%m-%d}",
        showarrow=False, yanchor="bottom", font=dict(size=11, color="#555555"),
    )  # fmt: skip
    return fig


def review_activity(frame: pd.DataFrame, grain: str) -> go.Figure:
    """Reviews per period (bars, by language) with the average rating (line, right axis)."""
    shown = frame.assign(language=plot_column(frame["language"].map(language_name, na_action="ignore")))
    fig = px.bar(shown, x="period", y="reviews", color="language", color_discrete_sequence=PALETTE)
    rating = (
        frame.groupby("period")
        .apply(
            lambda g: (
                (g["avg_rating"] * g["reviews"]).sum() / g["reviews"].sum() if g["avg_rating"].notna().any() else None
            ),
            include_groups=False,
        )
        .rename("avg_rating")
        .reset_index()
    )
    if rating["avg_rating"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=rating["period"],
                y=rating["avg_rating"],
                name="average rating (1–5)",
                yaxis="y2",
                mode="lines+markers",
                line=dict(color="#333333"),
            )
        )
        fig.update_layout(  # whole stars: plotly would otherwise line the ticks up with the bars' (1, 1.7, 2.41 …)
            yaxis2=dict(
                title="average rating (1–5)",
                overlaying="y",
                side="right",
                range=[1, 5],
                tickvals=[1, 2, 3, 4, 5],
                showgrid=False,
            )
        )
    return style(fig, y_title=f"reviews per {grain}")


def top_categories(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars of events per category, purchases overlaid."""
    frame = frame.sort_values("events").assign(category=lambda f: plot_column(f["category"]))
    fig = go.Figure(
        [
            go.Bar(y=frame["category"], x=frame["events"], orientation="h", name="events", marker_color=PALETTE[0]),
            go.Bar(
                y=frame["category"], x=frame["purchases"], orientation="h", name="purchases", marker_color=PALETTE[1]
            ),
        ]
    )
    fig.update_layout(
        barmode="overlay",
        xaxis_title="events in range",
        height=max(260, 24 * len(frame)),
        margin=dict(l=10, r=10, t=30, b=10),
    )
    return fig
