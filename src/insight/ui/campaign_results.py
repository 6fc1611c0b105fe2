"""The Campaigns page's results view: each audience file taken, and its target group against its holdout."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from insight import targeting
from insight.store.exports import fetch_exports
from insight.ui import tables
from insight.ui.campaigns import audience
from insight.ui.resources import cursor, data_version
from insight.ui.text import md


def record_export(definition_json: str, version: int, run_id: str | None, saved: tuple, share: float, seed: int):
    """Remember that this audience's file was taken, with its groups, so its campaign can be measured later."""
    users = audience(definition_json, version, run_id, saved)
    name = st.session_state.get("aud_name") or "audience"
    targeting.record_export(cursor(), users, name=name, holdout_share=share, seed=seed)


def exports() -> pd.DataFrame:
    """Audience files taken so far, newest first (not cached: a new export must show at once)."""
    return fetch_exports(cursor())


@st.cache_data(show_spinner=False, max_entries=16)
def results(export_id: str, version: int) -> targeting.CampaignResult:
    """Target against holdout after one export, on the data as it is now."""
    return targeting.campaign_results(cursor(), export_id)


def show_results() -> None:
    """Pick an export; see conversion and revenue per user in each group, the uplifts and what they mean."""
    taken = exports()
    if taken.empty:
        st.caption(
            "No audience file has been downloaded yet. Each download above is remembered with its groups, "
            "so that once data from after it is ingested, its target group can be set against its holdout here."
        )
        return
    labels = {
        row.export_id: f"{row.name} · {row.exported_at:%Y-%m-%d %H:%M} · {row.users:,} users · "
        f"holdout {row.holdout_share:.0%}"
        for row in taken.itertuples()
    }
    chosen = st.selectbox("Export", list(labels), format_func=labels.get, key="campaign_export")
    result = results(chosen, data_version())
    table = result.groups.rename(columns={"revenue_per_user": "revenue per user"})
    tables.show(table[["group", "users", "buyers", "conversion", "revenue per user"]])
    low, high = result.conversion_interval
    r_low, r_high = result.revenue_interval
    if low == low:  # not NaN: both groups have people in them
        st.markdown(
            f"**Conversion uplift** {result.conversion_uplift:+.1%} (95 % interval {low:+.1%} to {high:+.1%}) · "
            f"**revenue per user** {result.revenue_uplift:+,.2f} ({r_low:+,.2f} to {r_high:+,.2f}) · "
            f"data reaches {result.days_after:.0f} days past the export"
        )
    verdict = md(result.verdict)
    if result.verdict.startswith("The campaign raised"):
        st.success(verdict)
    elif result.verdict.startswith(("Too small", "No data")):
        st.warning(verdict)
    else:
        st.info(verdict)
