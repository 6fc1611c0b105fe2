"""Interest evolution: how segment shares change, who moved between segments, which interests are emerging."""

import streamlit as st

from insight.cluster.evolution import moved_share, share_change
from insight.ui import charts, segments, tables, widgets

st.header("Interest evolution")
run = widgets.require_run(
    "segments",
    "No segments yet. Start **Segments** on the Jobs page.",
)
run_id = run["run_id"]
cards = segments.cards(run_id)
labels = dict(zip(cards["segment_id"], cards["label"], strict=True))
st.caption(
    "Each user's profile for a period is placed in the nearest of today's segments, so the same segment can be "
    "followed back in time; a user active in several months of a period counts in their most frequent segment."
)

grain = st.segmented_control("Period", ["month", "quarter", "year"], default="quarter", key="evo_grain") or "quarter"
shares = segments.shares(run_id, grain)
available = segments.periods(run_id, grain)
if len(available) < 2:
    st.info(f"The data spans a single {grain}: pick a shorter period to see change.")
    st.stop()

st.subheader("Segment shares over time")
widgets.chart_with_table(charts.segment_shares(shares, labels), shares, "segment_shares")

st.subheader("Who moved where")
fmt = {"month": "%Y-%m", "quarter": "%Y-%m", "year": "%Y"}[grain]
source, target = st.select_slider(
    "From → to",
    options=available,
    value=(available[-2], available[-1]),
    format_func=lambda p: p.strftime(fmt),
    key=f"evo_span_{grain}",
)
flows = segments.transitions(run_id, grain, source, target)
if flows.empty:
    st.caption("No user was active in both periods.")
else:
    st.caption(
        f"{flows['users'].sum():,} users active in both periods; {moved_share(flows):.0%} of them changed segment."
    )
    widgets.chart_with_table(
        segments.movements(flows, labels, source.strftime(fmt), target.strftime(fmt)), flows, "movements"
    )

st.subheader("Emerging interests")
change = share_change(shares, source, target)
left, right = st.columns([3, 2])
with left:
    st.caption(f"Change in share of active users, {source:{fmt}} → {target:{fmt}}.")
    st.plotly_chart(segments.growth(change.head(8), labels), width="stretch")
with right:
    st.caption("Fastest-growing segments and what they are about.")
    top = change.head(5).merge(cards[["segment_id", "keywords", "size"]], on="segment_id")
    tables.show(top)
    births = segments.id_events(run_id)
    births = births[births["kind"].isin(["birth", "split"])]
    if run["params"].get("previous_run") and len(births):
        st.caption("New since the previous run: " + ", ".join(f"#{s}" for s in births["segment_id"]))
