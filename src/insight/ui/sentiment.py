"""The Sentiment page's reads and figures: sentiment per period and dimension, the most negative items, reviews."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from insight.filters import Filters
from insight.ui.charts import style
from insight.ui.resources import cursor
from insight.ui.tables import language_name
from insight.ui.text import plot_column


@st.cache_data(show_spinner=False, max_entries=64)
def sentiment_summary(run_id: str, filters: Filters, by: str, top: int | None = None) -> pd.DataFrame:
    """Review counts per sentiment by a dimension (the ``top`` values with most reviews, the rest as one)."""
    from insight.store.sentiment import fetch_sentiment_summary

    return fetch_sentiment_summary(cursor(), run_id, filters, by=by, top=top)


@st.cache_data(show_spinner=False, max_entries=32)
def most_negative_items(run_id: str, filters: Filters) -> pd.DataFrame:
    """Items with the largest share of negative reviews."""
    from insight.store.sentiment import fetch_most_negative_items

    return fetch_most_negative_items(cursor(), run_id, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def scored_reviews(
    run_id: str,
    filters: Filters,
    sentiment: str | None = None,
    item_id: str | None = None,
    category: str | None = None,
    keyword: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Reviews behind a chart element, most negative first."""
    from insight.store.sentiment import fetch_scored_reviews

    return fetch_scored_reviews(
        cursor(), run_id, filters, sentiment=sentiment, item_id=item_id, category=category, keyword=keyword, limit=limit
    )


@st.cache_data(show_spinner=False, max_entries=32)
def complaint_keywords(keywords_run: str, item_id: str) -> pd.DataFrame:
    """What an item's negative reviews say that other items' do not, as the keywords job found it (all dates)."""
    from insight.store.keywords import fetch_keywords

    return fetch_keywords(cursor(), keywords_run, "complaint", item_id, limit=12)


SENTIMENT_COLOURS = {"negative": "#CC6677", "neutral": "#DDCC77", "positive": "#117733"}


def sentiment_bars(frame: pd.DataFrame, by: str, *, horizontal: bool = False) -> go.Figure:
    """Stacked review counts per sentiment along a dimension (click a bar to see its reviews)."""
    shown = f"{by} "  # the label column; ``by`` itself stays raw in customdata, for the click
    axis = {"y": shown, "x": "reviews", "orientation": "h"} if horizontal else {"x": shown, "y": "reviews"}
    names = frame[by].map(language_name, na_action="ignore") if by == "language" else frame[by]
    fig = px.bar(
        frame.assign(**{shown: plot_column(names)}),
        labels={shown: by},
        color="sentiment",
        color_discrete_map=SENTIMENT_COLOURS,
        category_orders={"sentiment": list(SENTIMENT_COLOURS)},
        custom_data=["sentiment", by],
        **axis,
    )
    fig.update_layout(clickmode="event+select")
    return style(fig, y_title=by if horizontal else "reviews")
