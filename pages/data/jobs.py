"""Jobs: start encoding, sentiment, keyword, segment and topic jobs; watch progress; see what every run did."""

import streamlit as st

from insight.encode.models import MODELS
from insight.ui import jobs

st.header("Jobs")
st.caption(
    "Jobs run in the background, one at a time, on the GPU when there is one. You can leave this page; "
    "a toast says when a job ends. Cancelling keeps the previous results."
)

encode, sentiment, keywords, segments, topics = st.columns(5)
with encode:
    st.subheader("1 · Encode texts")
    st.caption("Embeds item texts, reviews and search queries not embedded yet; a re-run reuses the cache.")
    model = st.selectbox(
        "Model",
        ["auto", *MODELS],
        key="encode_model",
        help="auto: every text with the store's one encoder (the one it was encoded with, else multilingual-e5-small)",
    )
    device = st.selectbox("Device", ["auto", "cpu", "cuda"], key="encode_device")
    jobs.start_button("encode", {"model": model, "device": device}, "Start encoding", key="start_encode")
with sentiment:
    st.subheader("2 · Sentiment")
    st.caption("Scores every review; adapts the shipped model to your ratings when that is measurably better.")
    adapt = st.selectbox("Adapt to this store's ratings", ["auto", "yes", "no"], key="sentiment_adapt")
    jobs.start_button(
        "sentiment",
        {"adapt": {"auto": "auto", "yes": True, "no": False}[adapt]},
        "Start sentiment",
        key="start_sentiment",
    )
    st.caption("Fine-tuning the encoder's top layers on your ratings is better still.")
    jobs.start_button("sentiment_finetune", {"keep": "auto"}, "Fine-tune on my ratings", key="start_finetune")
    jobs.finetune_estimate_note()
with keywords:
    st.subheader("3 · Keywords")
    st.caption("Keywords per category, item and sentiment; trends per period with rising and fading words.")
    freq = st.selectbox("Trend period", ["M", "W"], format_func={"M": "month", "W": "week"}.get, key="kw_freq")
    jobs.start_button("keywords", {"freq": freq}, "Start keywords", key="start_keywords")

with segments:
    st.subheader("4 · Segments")
    st.caption("Builds every user's interest profile, then finds segments; ids carry over from the last run.")
    half_life = st.number_input("Recency half-life (days)", 7, 3650, 90, key="seg_half_life")
    size = st.number_input("Smallest segment (users, 0 = 1 % of users)", 0, 100_000, 0, key="seg_min_size")
    seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="seg_seed")
    params = {"half_life_days": float(half_life), "seed": int(seed)}
    if size:
        params["min_cluster_size"] = int(size)
    jobs.start_button("segments", params, "Start segments", key="start_segments")
with topics:
    st.subheader("5 · Topics")
    st.caption("Groups reviews by what they talk about, named by their keywords; ids carry over from the last run.")
    size = st.number_input("Smallest topic (reviews, 0 = 1 % of reviews)", 0, 100_000, 0, key="topic_min_size")
    params = {"min_cluster_size": int(size)} if size else {}
    jobs.start_button("topics", params, "Start topics", key="start_topics")

st.subheader("Running")
jobs.live_jobs()
st.subheader("History")
jobs.job_history()
