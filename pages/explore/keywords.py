"""Keywords: what reviews talk about per group, how that changes, and the reviews behind any keyword."""

import pandas as pd
import streamlit as st

from insight.ui import auth, keywords, tables, widgets
from insight.ui.filters import current as current_filters

PLURALS = {"category": "categories", "sentiment": "sentiments", "language": "languages", "item": "items"}

st.header("Keywords")
filters = current_filters()
run = widgets.require_run(
    "keywords",
    "No keyword run yet. Start **Keywords** on the Jobs page (after Sentiment, to get keywords per sentiment too).",
)
run_id, picked = run["run_id"], None

st.subheader("Top keywords by group")
kinds = ["all", "category", "sentiment", "language", "item"]
kind = st.segmented_control("Group by", kinds, default="all", key="kw_kind") or "all"
group = None
if kind != "all":
    group = widgets.searchable_picker(
        "Group",
        lambda search: keywords.keyword_groups(run_id, kind, search),
        key=f"kw_group_{kind}",
        noun=PLURALS[kind],
    )
top = keywords.keywords_of(run_id, kind, group)
st.caption(
    (
        "Words this shop's reviews use far more than everyday language does (each language's word frequencies), "
        "favouring those found in some categories over those in every review. "
        if kind == "all"
        else "Words that set this group apart from the other groups (c-TF-IDF). "
    )
    + 'Numbers, units and words any review uses ("weeks ago", "value") are left out.'
)
if top.empty:
    st.caption("No keywords for this grouping.")
else:
    for (keyword,) in widgets.clicked_points(keywords.keyword_bars(top.head(20)), f"kw_bars_{kind}"):
        picked = (keyword, None, None)

st.subheader("Rising and fading")
bursts = keywords.keyword_bursts(run_id)
if bursts.empty:
    st.caption("No keyword's latest share stands out from its history (|z| ≥ 3).")
else:
    tables.show(bursts)

st.subheader("Keywords over time")
trends = keywords.keyword_trends(run_id, filters)
if trends.empty:
    st.caption("These reviews carry no dates, so there are no trends.")
else:
    for keyword, period in widgets.clicked_points(keywords.keyword_heatmap(trends), "kw_heatmap"):
        start = pd.Timestamp(period)
        step = pd.offsets.MonthBegin(1) if run["params"].get("freq", "M") == "M" else pd.Timedelta(days=7)
        picked = (keyword, start, start + step)
    followed = trends.groupby("keyword")["count"].sum().sort_values(ascending=False).index.tolist()
    chosen = st.multiselect("Trend of", followed, default=followed[:3], key="kw_trend_of")
    if chosen:
        lines = trends[trends["keyword"].isin(chosen)]
        widgets.chart_with_table(keywords.keyword_lines(lines), lines, "keyword_trends")

st.subheader("Reviews using a keyword")
typed = st.text_input(
    "Keyword",
    value=picked[0] if picked else "",
    key="kw_search",
    placeholder="click a bar or a heatmap cell, or type a word",
)
if typed and auth.individual_view("review list", f"keyword: {typed}", "Reading the reviews that use a keyword"):
    since, until = (picked[1], picked[2]) if picked and picked[0] == typed else (None, None)
    reviews, total = keywords.reviews_with_keyword(typed, filters, since, until)
    shown = f", the {len(reviews):,} newest shown" if total > len(reviews) else ""
    st.caption(f"{total:,} reviews" + (f" from {since:%Y-%m-%d}" if since is not None else "") + shown)
    tables.show(reviews)
    widgets.download_csv(reviews, "keyword_reviews.csv", "Download (CSV)")
