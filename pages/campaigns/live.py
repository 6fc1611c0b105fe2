"""Live: the lists the REST API served, and what shoppers did with them, per policy and exploration level."""

import streamlit as st

from insight.ui import live, tables, widgets

st.header("Live")
st.caption(
    "Every list the shop's systems asked /api/v1 for, and the feedback they posted on it (clicks, likes, "
    "dislikes, purchases joined to the list by its request_id), as of this visit."
)
summary = live.summary()
if summary.empty:
    st.info(
        "No list has been served through the API yet. Make a key with `insight api-key create --name shop "
        "--scope read`, then ask `/api/v1/users/<customer id>/recommendations` (README: REST API)."
    )
    st.stop()
widgets.kpi_row(
    {
        "Lists served": f"{summary['lists'].sum():,}",
        "Items shown": f"{summary['shown'].sum():,}",
        "Clicks": f"{summary['clicks'].sum():,}",
        "Purchases": f"{summary['purchases'].sum():,}",
    }
)
st.subheader("By policy and exploration level")
tables.show(
    summary[["policy", "exploration", "lists", "shown", "clicks", "click_through", "likes", "dislikes", "purchases",
             "conversion", "revenue", "revenue_per_1000_lists"]].rename(
        columns={"click_through": "click-through", "revenue_per_1000_lists": "revenue per 1,000 lists"}
    )
)  # fmt: skip
st.caption("Conversion: purchases of a shown item per list served. Exploration slots are the share of each list "
           "given to interest areas the shopper has not shopped yet.")  # fmt: skip
left, right = st.columns([2, 3])
with left:
    st.subheader("By slot")
    kinds = live.by_kind()
    tables.show(kinds.rename(columns={"kind": "slot", "click_through": "click-through"}))
with right:
    st.subheader("Click-through by day")
    figure = live.daily_figure()
    if figure is not None:
        st.plotly_chart(figure, width="stretch")

st.subheader("Exploration, judged on this log")
judged = live.exploration()
if judged.empty:
    st.caption("No exploration slot has been served yet (ask with exploration above 0).")
else:
    tables.show(judged.rename(columns={"reward_rate": "reward rate", "slots": "exploration slots"}))
    st.caption(
        "Reward: a click, like, cart or purchase of the explored item in its list. Each exploration slot was "
        "logged with the chance the deployed policy had of exploring its area, so uniform exploration over the "
        "same areas is estimated from the same log by importance weighting: IPS (unbiased, noisier), SNIPS "
        "(self-normalised) and doubly robust (with each area's reward rate as its model)."
    )
