"""Topics: what reviews talk about, as groups of similar reviews named by their keywords."""

import pandas as pd
import streamlit as st

from insight.ui import auth, charts, tables, topics, widgets

st.header("Topics")
run = widgets.require_run("topics", "No topics yet. Start **Topics** on the Jobs page (it embeds reviews first).")
params, run_id = run["params"], run["run_id"]
cards = topics.cards(run_id)
labels = dict(zip(cards["topic_id"], cards["label"], strict=True))

widgets.kpi_row(
    {
        "Reviews": f"{params['reviews']:,}",
        "Topics": params["topics"],
        "Outliers": f"{params['outliers_after']:.0%}",
        "Stability (ARI)": f"{params['stability']:.2f}",
    }
)
st.caption(
    "Reviews that read alike share a topic; a topic is named by the words that set it apart from the others "
    "and come closest to what its reviews mean (no units or stock phrases, no two topics named alike). "
    "Stability is the agreement (adjusted Rand index, 1 = identical) with refits on random halves of the reviews. "
    f"HDBSCAN left {params['outliers_before']:.0%} of the reviews as outliers; those closest to a topic were "
    f"reassigned until {params['outliers_after']:.0%} remained. The sidebar filters do not apply to this page."
)

table = cards.assign(
    topic=[charts.segment_name(t, labels) for t in cards["topic_id"]],
    share=cards["size"] / max(int(params["reviews"]), 1),
)
shown = [c for c in ("topic", "size", "share", "rating", "negative", "keywords") if table[c].notna().any()]
tables.show(
    table[shown],  # without star ratings or a sentiment run, those columns would be empty
    column_config={
        "share": st.column_config.ProgressColumn("Share of reviews", format="percent", min_value=0.0, max_value=1.0),
        "rating": st.column_config.NumberColumn("Average rating", format="%.2f ★"),
        "negative": st.column_config.NumberColumn("Negative", format="percent", help="by the current sentiment run"),
    },
)

st.subheader("Map of reviews")
st.caption("Each dot is a review, placed near reviews that read alike; hover to read it.")
points = topics.members(run_id)
st.plotly_chart(
    charts.group_map(points, labels, group="topic_id", key="review_id", hover="text"),
    width="stretch",
    key="topic_map",
)

st.subheader("Topics over time")
if topics.shares(run_id, "month")["period"].nunique() > 1:
    grain = st.segmented_control("Period", ["month", "quarter", "year"], default="month", key="topic_grain")
    shares = topics.shares(run_id, grain or "month")
    st.plotly_chart(
        charts.segment_shares(shares, labels, group="topic_id", count="reviews", of="the period's reviews"),
        width="stretch",
    )
else:
    st.caption("The reviews span a single month (or carry no dates), so there is no trend to draw.")

st.subheader("Read a topic")
chosen = st.selectbox(
    "Topic",
    cards["topic_id"].tolist(),
    format_func=lambda t: charts.segment_name(int(t), labels),
    key="topic_pick",
)
if chosen is not None and auth.individual_view("review list", f"topic {chosen}", "Reading a topic's reviews"):
    reviews = topics.typical_reviews(run_id, int(chosen))
    st.caption(f"The {len(reviews)} most typical reviews of this topic (highest membership first).")
    reviews = reviews.assign(date=pd.to_datetime(reviews["ts"]).dt.date)
    tables.show(
        reviews[[c for c in ("text", "rating", "sentiment", "date") if c == "text" or reviews[c].notna().any()]]
    )
