"""The segment pages' reads and figures: Segments, Interest evolution, User profile (Topics reuses the map).

Each read takes the segments run id: a run never changes once written, so its results can be
cached for as long as the process lives, and a new run simply misses the cache. What a segment card
shows of its members (size, spend, buyers, sentiment) goes through the minimum-audience rules
(:func:`insight.targeting.segment_figures`), and it also keys on the data version: spend moves with new data.

The figures here are the segment-only ones (lasso map, movements, drift, growth); the name, colour,
point map and shares chart segments share with topics are in :mod:`insight.ui.charts`.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from insight.cluster.evolution import OTHER, fold_small_flows
from insight.profiles.match import DEFAULT_STRENGTH  # noqa: F401 - the default the User profile page names
from insight.store import profiles
from insight.store import segments as segments_db
from insight.ui.charts import colour_map, group_map, segment_name
from insight.ui.resources import cursor, data_version, user_id_candidates
from insight.ui.text import plot


@st.cache_data(show_spinner=False, max_entries=8)
def cards(run_id: str) -> pd.DataFrame:
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
    from insight.ui.campaigns import index

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


def user_map(members: pd.DataFrame, labels: dict[int, str]) -> go.Figure:
    """Users on the 2-D map, one WebGL trace per segment; lasso or box to select, hover for interests.

    Each point's customdata is its user id, so a selection is a list of users.
    """
    return group_map(members, labels, group="segment_id", key="user_id", hover="keywords")


def movements(
    flows: pd.DataFrame, labels: dict[int, str], source_name: str, target_name: str, *, keep: int = 8
) -> go.Figure:
    """A Sankey of users from their segment in one period (left) to their segment in the next (right).

    At most ``keep`` segments a side keep their own node (the rest are one "other" node), names are
    short, and the two periods head their columns instead of being repeated on every node.
    """
    flows, _ = fold_small_flows(flows, keep=keep)
    labels = {**labels, OTHER: "smaller segments"}  # a side's own segments fold, so the count differs per side
    left = sorted(flows["source"].unique())
    right = sorted(flows["target"].unique())
    names = [plot(_short(segment_name(s, labels))) for s in left + right]
    colours = colour_map(sorted(set(left) | set(right)))
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node=dict(label=names, color=[colours[s] for s in left + right], pad=14, thickness=14),
            link=dict(
                source=[left.index(s) for s in flows["source"]],
                target=[len(left) + right.index(t) for t in flows["target"]],
                value=flows["users"].tolist(),
                color="rgba(120,120,120,0.25)",
                hovertemplate="%{source.label} → %{target.label}: %{value:,} users<extra></extra>",
            ),
        )
    )
    for x, text, anchor in ((0, source_name, "left"), (1, target_name, "right")):
        fig.add_annotation(x=x, y=1.06, xref="paper", yref="paper", text=plot(text), showarrow=False, xanchor=anchor)
    fig.update_layout(height=max(420, 40 * max(len(left), len(right))), margin=dict(l=10, r=10, t=40, b=10))
    return fig


def _short(name: str, limit: int = 32) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def drift(periods: pd.DataFrame) -> go.Figure:
    """A user's interest drift month by month (1 - cosine to the previous active month)."""
    fig = px.bar(periods, x="period", y="drift", labels={"drift": "interest drift", "period": ""})
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=10, b=10), yaxis_range=[0, 1])
    return fig


def growth(frame: pd.DataFrame, labels: dict[int, str]) -> go.Figure:
    """Segments by change in share between two periods (points of share gained or lost)."""
    frame = frame.assign(segment=[plot(segment_name(int(s), labels)) for s in frame["segment_id"]])
    fig = px.bar(frame, x="change", y="segment", orientation="h", labels={"change": "change in share (points)"})
    fig.update_layout(height=max(260, 24 * len(frame)), margin=dict(l=10, r=10, t=10, b=10), yaxis_title=None)
    fig.update_yaxes(autorange="reversed")
    return fig
