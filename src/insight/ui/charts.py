"""Plotly figures with the house style: colour-blind-safe palette, labelled axes with units.

Categories, languages and keywords are shop text, and Plotly renders HTML in labels: every label a
figure shows goes through :func:`insight.ui.text.plot`, while ``customdata`` keeps the raw value that
a click hands back to the page (to filter the store by).
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from insight.ui.text import plot, plot_column

PALETTE = px.colors.qualitative.Safe
EVENT_ORDER = ["view", "search", "click", "cart", "fav", "purchase", "refund", "cancel"]


def _style(fig: go.Figure, *, y_title: str) -> go.Figure:
    fig.update_layout(
        margin=dict(l=10, r=10, t=30, b=10),
        legend_title_text="",
        hovermode="x unified",
        yaxis_title=y_title,
        xaxis_title=None,
        height=340,
    )
    return fig


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
    return _style(fig, y_title=f"events per {grain}")


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
    shown = frame.assign(language=plot_column(frame["language"]))
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
    return _style(fig, y_title=f"reviews per {grain}")


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


SENTIMENT_COLOURS = {"negative": "#CC6677", "neutral": "#DDCC77", "positive": "#117733"}


def sentiment_bars(frame: pd.DataFrame, by: str, *, horizontal: bool = False) -> go.Figure:
    """Stacked review counts per sentiment along a dimension (click a bar to see its reviews)."""
    shown = f"{by} "  # the label column; ``by`` itself stays raw in customdata, for the click
    axis = {"y": shown, "x": "reviews", "orientation": "h"} if horizontal else {"x": shown, "y": "reviews"}
    fig = px.bar(
        frame.assign(**{shown: plot_column(frame[by])}),
        labels={shown: by},
        color="sentiment",
        color_discrete_map=SENTIMENT_COLOURS,
        category_orders={"sentiment": list(SENTIMENT_COLOURS)},
        custom_data=["sentiment", by],
        **axis,
    )
    fig.update_layout(clickmode="event+select")
    return _style(fig, y_title=by if horizontal else "reviews")


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
    return _style(fig, y_title="% of reviews using it")


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
