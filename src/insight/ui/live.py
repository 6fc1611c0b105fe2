"""The Live page's reads and figures: what the API served, and what shoppers did with it."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from insight.recommendations import exploration_estimates
from insight.store import live
from insight.ui import charts
from insight.ui.resources import cursor


@st.cache_data(show_spinner=False, max_entries=4)
def _summary(version: tuple) -> pd.DataFrame:
    """Per policy and exploration level, with the rates a person compares."""
    frame = live.fetch_live_summary(cursor())
    shown = frame["shown"].clip(lower=1)
    return frame.assign(
        click_through=frame["clicks"] / shown,
        conversion=frame["purchases"] / frame["lists"].clip(lower=1),
        revenue_per_1000_lists=1000 * frame["revenue"] / frame["lists"].clip(lower=1),
    )


@st.cache_data(show_spinner=False, max_entries=4)
def _by_kind(version: tuple) -> pd.DataFrame:
    """Per slot kind: shown, clicks, purchases and click-through."""
    frame = live.fetch_live_by_kind(cursor())
    return frame.assign(click_through=frame["clicks"] / frame["shown"].clip(lower=1))


@st.cache_data(show_spinner=False, max_entries=4)
def _exploration(version: tuple) -> pd.DataFrame:
    return exploration_estimates(live.fetch_explore_log(cursor()))


@st.cache_data(show_spinner=False, max_entries=4)
def _daily_figure(version: tuple):
    """Click-through per day, one line per exploration level (None before anything was served)."""
    frame = live.fetch_live_daily(cursor())
    if frame.empty:
        return None
    frame = frame.assign(
        click_through=frame["clicks"] / frame["shown"].clip(lower=1),
        exploration=frame["exploration"].map(lambda e: f"exploration {e:g}"),
    )
    figure = px.line(frame, x="day", y="click_through", color="exploration", markers=True)
    figure.update_yaxes(tickformat=".0%")
    return charts.style(figure, y_title="click-through")


def version() -> tuple:
    """What the Live page's reads depend on (lists served, feedback rows): two counts, read per visit."""
    return live.fetch_live_version(cursor())


def summary() -> pd.DataFrame:
    """Per policy and exploration level: lists, shown, clicks, likes, dislikes, purchases, revenue and rates."""
    return _summary(version())


def by_kind() -> pd.DataFrame:
    """Per slot kind: shown, clicks, purchases and click-through."""
    return _by_kind(version())


def daily_figure():
    """Click-through per day, one line per exploration level (None before anything was served)."""
    return _daily_figure(version())


def exploration() -> pd.DataFrame:
    """The deployed exploration's reward rate, and uniform exploration's estimated on the log (IPS, SNIPS, DR)."""
    return _exploration(version())
