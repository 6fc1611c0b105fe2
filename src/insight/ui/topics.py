"""Cached reads behind the Topics page; each takes the topics run id, and a run never changes once written."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from insight.store import topics as topic_store
from insight.ui.resources import cursor


@st.cache_data(show_spinner=False, max_entries=8)
def cards(run_id: str) -> pd.DataFrame:
    """Topic cards: size, label, keywords, mean rating and how negative their reviews read."""
    return topic_store.fetch_topics(cursor(), run_id)


@st.cache_data(show_spinner=False, max_entries=4)
def members(run_id: str) -> pd.DataFrame:
    """Every review of the run with its topic, map position and the start of its text."""
    return topic_store.fetch_members(cursor(), run_id)


@st.cache_data(show_spinner=False, max_entries=16)
def shares(run_id: str, grain: str) -> pd.DataFrame:
    """Reviews per topic and period, with the topic's share of the period."""
    return topic_store.fetch_topic_shares(cursor(), run_id, grain=grain)


@st.cache_data(show_spinner=False, max_entries=32)
def typical_reviews(run_id: str, topic_id: int, limit: int = 20) -> pd.DataFrame:
    """The most typical reviews of one topic."""
    return topic_store.fetch_topic_reviews(cursor(), run_id, topic_id, limit)
