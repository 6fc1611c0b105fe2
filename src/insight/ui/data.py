"""Cached reads for pages; each takes ``data_version`` so results refresh after any write."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from insight.filters import Filters
from insight.store import batches, overview
from insight.ui.resources import cursor


@st.cache_data(show_spinner=False, max_entries=64)
def kpis(filters: Filters, data_version: int) -> dict:
    """Headline counts under the filters."""
    return overview.fetch_kpis(cursor(), filters)


@st.cache_data(show_spinner=False, max_entries=64)
def event_activity(filters: Filters, grain: str, data_version: int) -> pd.DataFrame:
    """Events per period and type."""
    return overview.fetch_event_activity(cursor(), filters, grain)


@st.cache_data(show_spinner=False, max_entries=64)
def review_activity(filters: Filters, grain: str, data_version: int) -> pd.DataFrame:
    """Reviews per period and language."""
    return overview.fetch_review_activity(cursor(), filters, grain)


@st.cache_data(show_spinner=False, max_entries=64)
def top_categories(filters: Filters, data_version: int) -> pd.DataFrame:
    """Categories by activity."""
    return overview.fetch_top_categories(cursor(), filters)


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(data_version: int) -> dict:
    """Choices offered by the shared filters."""
    return overview.fetch_filter_options(cursor())


def recent_batches(limit: int = 20) -> pd.DataFrame:
    """Latest ingest batches (not cached: the Ingest page must show a batch the moment it lands)."""
    return batches.fetch_batches(cursor(), limit=limit)


def quarantined_rows(batch_id: str, reason: str | None = None) -> pd.DataFrame:
    """Quarantined rows of one batch."""
    return batches.fetch_quarantine(cursor(), batch_id, reason=reason)


def user_id_candidates(typed: str) -> list[str]:
    """The pseudonyms a user id typed on a page may mean, most likely first (the shop's own id, or as typed).

    The key is the store's own and is never created here: a store without one holds no raw ids to match.
    """
    from insight import config
    from insight.ingestion.pseudonymise import stored_user_ids
    from insight.store.keys import find_key

    return stored_user_ids(typed, find_key(config.db_path(), create=False))


def current_run(kind: str) -> dict | None:
    """The current run of a kind (not cached: it changes when a job ends)."""
    from insight.store.runs import current_run as read

    return read(cursor(), kind)


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
def complaint_keywords(run_id: str, filters: Filters, item_id: str) -> pd.DataFrame:
    """What an item's negative reviews say that other negative reviews do not (c-TF-IDF)."""
    from insight.keywords import distinctive_keywords
    from insight.store.sentiment import fetch_scored_reviews

    negative = fetch_scored_reviews(cursor(), run_id, filters, sentiment="negative", limit=20_000)
    if negative.empty:
        return pd.DataFrame(columns=["keyword", "weight"])
    of_item = fetch_scored_reviews(cursor(), run_id, filters, sentiment="negative", item_id=item_id, limit=20_000)
    chosen = negative["review_id"].isin(of_item["review_id"]).tolist()
    return distinctive_keywords(negative["text"].tolist(), negative["language"].tolist(), chosen)


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
