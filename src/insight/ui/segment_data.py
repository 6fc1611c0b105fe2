"""Cached reads behind the Segments, User profile and Interest evolution pages.

Each read takes the segments run id: a run never changes once written, so its results can be
cached for as long as the process lives, and a new run simply misses the cache.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from insight.store import profiles
from insight.store import segments as segments_db
from insight.ui.resources import cursor


@st.cache_data(show_spinner=False, max_entries=8)
def segments(run_id: str) -> pd.DataFrame:
    """Segment cards: size, label, keywords, categories, spend and sentiment."""
    return segments_db.fetch_segments(cursor(), run_id)


@st.cache_data(show_spinner=False, max_entries=4)
def members(run_id: str) -> pd.DataFrame:
    """Every profiled user with segment, map position and interest keywords."""
    return segments_db.fetch_members(cursor(), run_id)


@st.cache_data(show_spinner=False, max_entries=8)
def id_events(run_id: str) -> pd.DataFrame:
    """Births, deaths, splits and merges against the previous run."""
    return segments_db.fetch_segment_events(cursor(), run_id)


@st.cache_data(show_spinner=False, max_entries=16)
def shares(run_id: str, grain: str) -> pd.DataFrame:
    """Users per segment and period."""
    return segments_db.fetch_segment_shares(cursor(), run_id, grain=grain)


@st.cache_data(show_spinner=False, max_entries=16)
def periods(run_id: str, grain: str) -> list:
    """Periods with segment history, oldest first."""
    return segments_db.fetch_periods(cursor(), run_id, grain=grain)


@st.cache_data(show_spinner=False, max_entries=32)
def transitions(run_id: str, grain: str, source, target) -> pd.DataFrame:
    """Users by segment in ``source`` and in ``target``."""
    return segments_db.fetch_transitions(cursor(), run_id, grain=grain, source=source, target=target)


def user(run_id: str, user_id: str) -> dict | None:
    """One user's segment and profile in the run."""
    return segments_db.fetch_user_segment(cursor(), run_id, user_id)


def user_periods(run_id: str, user_id: str) -> pd.DataFrame:
    """One user's months: touches, drift and nearest segment."""
    return profiles.fetch_user_periods(cursor(), run_id, user_id)


def user_timeline(user_id: str) -> pd.DataFrame:
    """One user's events and reviews, newest first."""
    return profiles.fetch_user_timeline(cursor(), user_id)


@st.cache_resource(show_spinner=False, max_entries=2)
def _profile_matrix(run_id: str) -> tuple[pd.DataFrame, np.ndarray]:
    return profiles.fetch_profiles(cursor(), run_id)


def users_interested_in(run_id: str, model: str, text: str, limit: int = 50) -> pd.DataFrame:
    """Users whose interest profile is closest to a free text: user_id, similarity, keywords."""
    from insight.profiles.search import closest_users

    frame, vectors = _profile_matrix(run_id)
    return closest_users(frame, vectors, text, model=model, limit=limit)


def save_audience(name: str, user_ids: list[str], definition: dict) -> str:
    """Save a selection of users as a named audience."""
    from insight.targeting import save_selection

    return save_selection(cursor(), name, user_ids, definition)
