"""Jobs: start encoding, sentiment, keyword, segment, topic and aspect jobs; watch progress; see what every run did."""

import streamlit as st

from insight.ui import jobs

# Each column: the step, then every job of that step with its start button (inputs come from its declaration).
STEPS = {
    "1 · Encode texts": [("encode", "Start encoding")],
    "2 · Sentiment": [("sentiment", "Start sentiment"), ("sentiment_finetune", "Fine-tune on my ratings")],
    "3 · Keywords": [("keywords", "Start keywords")],
    "4 · Segments": [("segments", "Start segments")],
    "5 · Topics": [("topics", "Start topics"), ("aspects", "Start aspects")],
}

st.header("Jobs")
st.caption(
    "Jobs run in the background, one at a time, on the GPU when there is one. You can leave this page; "
    "a toast says when a job ends. Cancelling keeps the previous results."
)
for column, (step, kinds) in zip(st.columns(len(STEPS)), STEPS.items(), strict=True):
    with column:
        st.subheader(step)
        for kind, label in kinds:
            jobs.job_form(kind, label)
        if any(kind == "encode" for kind, _ in kinds):
            jobs.encoder_tier_note()
        if any(kind == "sentiment_finetune" for kind, _ in kinds):
            jobs.finetune_estimate_note()

st.subheader("Running")
jobs.live_jobs()
st.subheader("History")
jobs.job_history()
