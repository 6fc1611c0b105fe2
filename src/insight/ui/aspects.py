"""The Aspects page's reads and figures: alerts, aspect × period and × segment grids, suggestions and quotes.

Reads are cached per aspects run (a run never changes once written, bar a merchant's rename, which
clears the cache). Quotes show the whole review with the clause about the aspect in bold.
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from insight.store import aspect_views
from insight.store import aspects as aspect_store
from insight.ui.charts import style
from insight.ui.resources import cursor
from insight.ui.text import md, plot

FEELING_ICON = {"negative": "🔴", "neutral": "⚪", "positive": "🟢"}


@st.cache_data(show_spinner=False, max_entries=8)
def alerts(run_id: str) -> pd.DataFrame:
    """The run's alerts with product and aspect names (``run_id`` keys the cache)."""
    return aspect_store.fetch_alerts(cursor())


@st.cache_data(show_spinner=False, max_entries=16)
def aspect_list(run_id: str, category: str | None = None) -> pd.DataFrame:
    """Aspects of a category (or all) with their reviews and negative share."""
    return aspect_views.fetch_aspects(cursor(), run_id, category)


@st.cache_data(show_spinner=False, max_entries=32)
def periods(run_id: str, category: str, grain: str) -> pd.DataFrame:
    """Per aspect of a category and period: reviews and negative share."""
    return aspect_views.fetch_periods(cursor(), run_id, category, grain)


@st.cache_data(show_spinner=False, max_entries=32)
def segments(run_id: str, category: str) -> pd.DataFrame:
    """Per aspect of a category and user segment: reviews and negative share."""
    return aspect_views.fetch_segments(cursor(), run_id, category)


@st.cache_data(show_spinner=False, max_entries=32)
def series(run_id: str, item_id: str, aspect_id: int) -> pd.DataFrame:
    """A product's weekly reviews and those negative on one aspect."""
    return aspect_views.fetch_series(cursor(), run_id, item_id, aspect_id)


@st.cache_data(show_spinner=False, max_entries=8)
def products(run_id: str) -> pd.DataFrame:
    """Products with aspect clauses, most complaining reviews first."""
    return aspect_views.fetch_products(cursor(), run_id)


@st.cache_data(show_spinner=False, max_entries=32)
def suggestions(run_id: str, item_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A product's ranked complaint aspects and the aspects where it trails its peers."""
    from insight.aspects import what_to_fix

    return what_to_fix(cursor(), run_id, item_id)


@st.cache_data(show_spinner=False, max_entries=64)
def quotes(run_id: str, aspect_id: int, **where) -> pd.DataFrame:
    """Reviews behind a cell with the clause's span (see :func:`insight.store.aspect_views.fetch_quotes`)."""
    return aspect_views.fetch_quotes(cursor(), run_id, aspect_id, **where)


def quote_markdown(text: str, start: int, end: int) -> str:
    """A review as Markdown with the clause ``text[start:end]`` in bold, everything else as typed."""
    start, end = max(0, int(start)), min(len(text), int(end))
    clause = text[start:end]
    lead, trail = len(clause) - len(clause.lstrip()), len(clause) - len(clause.rstrip())
    start, end = start + lead, end - trail
    if start >= end:
        return md(text)
    return f"{md(text[:start])}**{md(text[start:end])}**{md(text[end:])}"


def show_quotes(frame: pd.DataFrame | list[dict], *, empty: str = "No review matches.") -> None:
    """One quote per review: the feeling of its clause, its stars and date, the review with the clause bold."""
    rows = frame.to_dict("records") if isinstance(frame, pd.DataFrame) else list(frame)
    if not rows:
        st.caption(empty)
        return
    for row in rows:
        stars = f" · {row['rating']:.0f}★" if pd.notna(row.get("rating")) else ""
        when = f" · {pd.Timestamp(row['ts']):%Y-%m-%d}" if pd.notna(row.get("ts")) else ""
        title = f" · {md(row['title'])}" if row.get("title") else ""
        st.markdown(
            f"{FEELING_ICON.get(row['feeling'], '')} {quote_markdown(row['text'], row['start_char'], row['end_char'])}"
        )
        st.caption(f"{md(row['item_id'])}{title}{stars}{when}")


def segment_note(raw: str) -> str:
    """An alert's or suggestion's most affected segments, as one line of Markdown."""
    found = json.loads(raw or "[]")
    return (
        ", ".join(f"{md(s['segment'])} ({s['reviews']} complaining, {s['lift']:.1f}× the rate)" for s in found) or "—"
    )


def alert_chart(frame: pd.DataFrame, start) -> go.Figure:
    """A product's weekly reviews and the share complaining about the alert's aspect, onset marked."""
    share = frame["negatives"] / frame["reviews"].where(frame["reviews"] > 0)
    fig = go.Figure()
    fig.add_bar(x=frame["period"], y=frame["reviews"], name="reviews", marker_color="#c8c8c8", yaxis="y2", opacity=0.6)
    fig.add_scatter(x=frame["period"], y=share, name="complaining share", mode="lines+markers", line_color="#CC6677")
    fig.add_vline(x=pd.Timestamp(start).timestamp() * 1000, line_dash="dash", annotation_text="onset")
    fig.update_layout(
        yaxis=dict(tickformat=".0%", rangemode="tozero"),
        yaxis2=dict(overlaying="y", side="right", showgrid=False, title="reviews"),
    )
    return style(fig, y_title="share of the week's reviews")


def grid(frame: pd.DataFrame, names: dict[int, str], column: str, *, value: str = "negative") -> go.Figure:
    """Negative share as a grid of squares: aspects down, ``column`` across; a click hands back (aspect, column).

    Squares, not a heatmap trace: Plotly selects scatter points on a click, which is what lets the page
    list the reviews behind a cell.
    """
    frame = frame[frame["reviews"] > 0]
    aspects = [a for a in names if a in set(frame["aspect_id"])]
    across = sorted(frame[column].astype(str).unique())
    label = {a: plot(names.get(a, f"aspect {a}")) for a in aspects}
    fig = go.Figure(
        go.Scatter(
            x=[plot(str(c)) for c in frame[column]],
            y=[label[a] for a in frame["aspect_id"]],
            mode="markers",
            marker=dict(
                symbol="square",
                size=22,
                color=frame[value],
                colorscale="Reds",
                cmin=0,
                cmax=max(0.5, float(frame[value].max())),
                colorbar=dict(title="negative", tickformat=".0%"),
                line=dict(width=0.5, color="#999"),
            ),
            customdata=[[int(a), str(c)] for a, c in zip(frame["aspect_id"], frame[column], strict=True)],
            text=frame["reviews"],
            hovertemplate="%{y} · %{x}<br>negative %{marker.color:.0%} of %{text} reviews<extra></extra>",
        )
    )
    fig.update_xaxes(categoryorder="array", categoryarray=[plot(c) for c in across], type="category")
    fig.update_yaxes(categoryorder="array", categoryarray=[label[a] for a in reversed(aspects)], type="category")
    style(fig, y_title="")
    fig.update_layout(clickmode="event+select", hovermode="closest", height=max(300, 28 * len(aspects) + 120))
    return fig


def save_edit(kind: str, category: str, **fields) -> None:
    """Check and store a merchant's edit (ValueError says what is wrong); a rename shows on this run at once."""
    from dataclasses import asdict

    from insight.aspects import check_edit

    edit = check_edit(kind, category, **fields)
    aspect_store.insert_edit(cursor(), **asdict(edit))
    if edit.kind == "rename":
        aspect_store.apply_label(cursor(), edit.aspect_id, edit.label)
    st.cache_data.clear()


def edits() -> pd.DataFrame:
    """Every edit merchants made, oldest first (not cached: an edit must show at once)."""
    return aspect_store.fetch_edits(cursor())
