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
