"""Sentiment: how reviews feel, where it is worst, what the complaints say, with the reviews as proof."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from insight.ui import auth, resources, sentiment, tables, widgets
from insight.ui.filters import current as current_filters
from insight.ui.text import md

TOP_CATEGORIES = 20  # bars a reader can tell apart; the rest are summed as one

st.header("Review sentiment")
filters = current_filters()
run = widgets.require_run(
    "sentiment",
    "No sentiment run yet. Start **Encode** and then **Sentiment** on the Jobs page.",
)
run_id = run["run_id"]

by_label = sentiment.sentiment_summary(run_id, filters, "language")
total = int(by_label["reviews"].sum())
if total == 0:
    st.info("No scored review matches the filters.")
    st.stop()
shares = by_label.groupby("sentiment")["reviews"].sum() / total
widgets.kpi_row(
    {
        "Reviews scored": total,
        **{f"{k.capitalize()}": f"{shares.get(k, 0):.0%}" for k in ("negative", "neutral", "positive")},
        "Mean score": f"{(by_label['mean_score'] * by_label['reviews']).sum() / total:+.2f}",
    }
)

drill: dict = {}
review_filters = filters  # a click on a month narrows the review list below, not the whole page
st.subheader("Over time")
trend = sentiment.sentiment_summary(run_id, filters, "month")
if trend.empty:
    st.caption("These reviews carry no dates.")
else:
    for label, month in widgets.clicked_points(sentiment.sentiment_bars(trend, "month"), "sentiment_trend"):
        first = pd.Timestamp(month).date()
        drill = {"sentiment": label}
        review_filters = replace(filters, start=first, end=(pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date())

st.subheader("By dimension")
by = (
    st.segmented_control("Break down by", ["category", "language", "rating"], default="category", key="sentiment_by")
    or "category"
)
breakdown = sentiment.sentiment_summary(run_id, filters, by, top=TOP_CATEGORIES if by == "category" else None)
others = set(breakdown.loc[breakdown["is_other"], by])
if others:
    st.caption(f"The {TOP_CATEGORIES} categories with the most reviews; the rest are summed as one bar.")
for label, value in widgets.clicked_points(
    sentiment.sentiment_bars(breakdown, by, horizontal=True), f"sentiment_by_{by}"
):
    drill = {"sentiment": label, **({"category": value} if by == "category" and value not in others else {})}
with st.expander("Table"):
    tables.show(breakdown.drop(columns="is_other"))

st.subheader("Most negative products")
worst = sentiment.most_negative_items(run_id, filters)
if worst.empty:
    st.caption("No product has enough reviews to rank.")
else:
    tables.show(worst.drop(columns="item_id"))
    item = st.selectbox(
        "What do its complaints say?",
        worst["item_id"],
        key="worst_item",
        format_func=lambda i: worst.set_index("item_id").loc[i, "item"],
    )
    keywords_run = resources.current_run("keywords")
    if keywords_run is None:
        st.caption("Start **Keywords** on the Jobs page to see what each product's complaints say.")
    else:
        keywords = sentiment.complaint_keywords(keywords_run["run_id"], item)
        words = ", ".join(f"**{md(k)}**" for k in keywords["keyword"]) or "—"
        st.write(f"Top complaint keywords (all dates, from the keywords run): {words}")
    if st.toggle("Show this product's negative reviews", key="show_item_reviews"):
        drill = {"sentiment": "negative", "item_id": item}

st.subheader("Reviews")
left, right = st.columns(2)
keyword = left.text_input("Containing", key="sentiment_keyword", placeholder="a word, e.g. leak or 漏水")
chosen = right.selectbox(
    "Sentiment",
    ["any", "negative", "neutral", "positive"],
    index=["any", "negative", "neutral", "positive"].index(drill.get("sentiment", "any")),
)
drill["sentiment"] = None if chosen == "any" else chosen
scope = [f"{k} = {md(v)}" for k, v in drill.items() if v]
if review_filters is not filters:
    scope.append(f"{review_filters.start} … {review_filters.end}")
if scope:
    st.caption("The reviews behind your selection: " + ", ".join(scope))
looked_at = "sentiment: " + (", ".join(scope + ([f"containing {keyword}"] if keyword else [])) or "all reviews")
if not auth.individual_view("review list", looked_at, "Reading the reviews"):
    st.stop()
reviews = sentiment.scored_reviews(run_id, review_filters, keyword=keyword or None, **drill)
tables.show(reviews)
widgets.download_csv(reviews, "reviews.csv", "Download these reviews (CSV)")
