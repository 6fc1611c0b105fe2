"""Cached reads behind the Segments, User profile and Interest evolution pages.

Each read takes the segments run id: a run never changes once written, so its results can be
cached for as long as the process lives, and a new run simply misses the cache. What a segment card
shows of its members (size, spend, buyers, sentiment) goes through the minimum-audience rules
(:func:`insight.targeting.segment_figures`), and it also keys on the data version: spend moves with new data.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from insight.profiles.match import DEFAULT_STRENGTH  # noqa: F401 - the default the User profile page names
from insight.store import profiles
from insight.store import segments as segments_db
from insight.ui.data import user_id_candidates
from insight.ui.resources import cursor, data_version


@st.cache_data(show_spinner=False, max_entries=8)
def segments(run_id: str) -> pd.DataFrame:
    """Segment cards: size, label, keywords, categories, spend and sentiment."""
    return segments_db.fetch_segments(cursor(), run_id)


@st.cache_data(show_spinner=False, max_entries=4)
def members(run_id: str) -> pd.DataFrame:
    """Every profiled user with segment, map position and interest keywords."""
    return segments_db.fetch_members(cursor(), run_id)


def map_points(people: pd.DataFrame, *, individual: bool) -> pd.DataFrame:
    """The users as the map may carry them to the browser.

    With ``individual`` (analysts, admins) each point holds its pseudonymous id and interest keywords;
    otherwise it holds only a row number ("user 17") and no keywords, since a page's chart data can be
    read by anyone who opens it. :func:`selected_users` turns a selection back into ids on the server.
    """
    if individual:
        return people
    return people.assign(user_id=[f"user {i}" for i in range(len(people))], keywords=None)


def selected_users(people: pd.DataFrame, keys: list[str], *, individual: bool) -> list[str]:
    """The pseudonymous ids behind the points a lasso or box picked (keys as :func:`map_points` made them)."""
    if individual:
        return sorted(set(keys))  # as sent: an id on no map is refused by the library, saying how many
    rows = sorted({int(k[5:]) for k in keys if k.startswith("user ") and k[5:].isdigit() and int(k[5:]) < len(people)})
    return sorted(people["user_id"].iloc[rows])


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


def find_user(run_id: str, typed: str) -> tuple[str, dict] | None:
    """(pseudonym, profile) of the user a typed id means, by pseudonym or by the shop's own id; None if none."""
    for candidate in user_id_candidates(typed):
        profile = user(run_id, candidate)
        if profile is not None:
            return candidate, profile
    return None


def user_periods(run_id: str, user_id: str) -> pd.DataFrame:
    """One user's months: touches, drift and nearest segment."""
    return profiles.fetch_user_periods(cursor(), run_id, user_id)


def user_timeline(user_id: str) -> pd.DataFrame:
    """One user's events and reviews, newest first."""
    return profiles.fetch_user_timeline(cursor(), user_id)


def most_active_users(run_id: str, limit: int = 10) -> pd.DataFrame:
    """The users with the most touches in the run: user_id, segment_id, touches, keywords (a page's first view)."""
    people = members(run_id).sort_values(["touches", "user_id"], ascending=[False, True]).head(limit)
    return people[["user_id", "segment_id", "touches", "keywords"]].reset_index(drop=True)


def users_interested_in(run_id: str, text: str, limit: int = 50) -> pd.DataFrame:
    """The users whose interests match a free text most strongly: user_id, strength, keywords, touches.

    The same match as the Campaigns page's interest condition (one index per run, shared with it),
    so a strength read here means the same there.
    """
    from insight.targeting import interest_matches
    from insight.ui.campaign_data import index

    found = interest_matches(index(run_id), text).head(limit)
    people = members(run_id).set_index("user_id")[["keywords", "touches"]]
    return found[["user_id", "strength"]].join(people, on="user_id").reset_index(drop=True)


def min_audience() -> int:
    """The minimum audience size k (``INSIGHT_MIN_AUDIENCE``)."""
    from insight.targeting import privacy_rules

    return privacy_rules().k


def save_audience(name: str, user_ids: list[str], definition: dict) -> str:
    """Save a selection of users as a named audience; the library refuses it, saying why, under the privacy rules."""
    from insight.targeting import save_selection

    return save_selection(cursor(), name, user_ids, definition)


@st.cache_data(show_spinner=False, max_entries=8)
def _figures(run_id: str, data_version: int, k: int) -> pd.DataFrame:
    from insight.targeting import PrivacyRules, segment_figures

    return segment_figures(cursor(), run_id, rules=PrivacyRules(k=k)).set_index("segment_id")


def card_numbers(run_id: str, segment_id: int) -> tuple[str, str]:
    """A segment card's size and figures as they may be shown (under k: hidden, saying why; money rounded)."""
    k = min_audience()
    figures = _figures(run_id, data_version(), k)
    if segment_id not in figures.index or pd.isna(figures.at[segment_id, "users"]):
        return f"fewer than {k} users, or all but fewer than {k}: figures hidden", ""
    row = figures.loc[segment_id]
    few = f"hidden (fewer than {k})"
    spend = few if pd.isna(row["spend"]) else f"about {row['spend']:,.0f}"
    buyers = "hidden" if pd.isna(row["buyers"]) else f"{row['buyers']:,.0f}"
    reviews = few if pd.isna(row["reviews"]) else f"{row['reviews']:,.0f}"
    sentiment = "—" if pd.isna(row["sentiment"]) else f"{row['sentiment']:+.2f}"
    return f"{row['users']:,.0f} users", f"Spend {spend} · buyers {buyers} · reviews {reviews} · sentiment {sentiment}"


def size_trend(run_id: str, segment_id: int) -> pd.Series:
    """A segment's users per month (by period); months with 1 to k − 1 of them are left blank."""
    trend = shares(run_id, "month")
    users = trend.loc[trend["segment_id"] == segment_id].set_index("period")["users"]
    k = min_audience()
    return users.where((users == 0) | (users >= k))
