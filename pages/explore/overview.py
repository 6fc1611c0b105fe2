"""Overview: the state of the store at a glance — KPIs, activity over time, latest ingests."""

import streamlit as st

from insight.ingestion.report import IngestReport
from insight.ui import ingest, overview, widgets
from insight.ui.filters import current as current_filters
from insight.ui.resources import data_version
from insight.ui.text import md

st.header("Overview")
filters = current_filters()
version = data_version()
kpis = overview.kpis(filters, version)

if kpis["users"] == 0 and kpis["events"] == 0 and kpis["reviews"] == 0:
    widgets.empty_store()
    st.stop()

previous = filters.previous()
deltas = {}
if previous is not None:  # a full date range: each figure against the equally long period before it
    deltas = widgets.changes(
        kpis,
        overview.kpis(previous, version),
        {
            "Users (active)": "active_users",
            "Events": "events",
            "Reviews": "reviews",
            "Purchases": "purchases",
            "Revenue": "revenue",
            "Average rating": "avg_rating",
        },
    )
widgets.kpi_row(
    {
        "Users (active)": kpis["active_users"],
        "Items": kpis["items"],
        "Events": kpis["events"],
        "Reviews": kpis["reviews"],
        "First day": f"{kpis['first']:%Y-%m-%d}" if kpis["first"] else "—",
    },
    deltas,
)
widgets.kpi_row(
    {
        "Users (all)": kpis["users"],
        "Purchases": kpis["purchases"],
        "Revenue": f"{kpis['revenue']:,.0f}" if kpis["revenue"] else "—",
        "Average rating": f"{kpis['avg_rating']:.2f} / 5" if kpis["avg_rating"] else "—",
        "Last day": f"{kpis['last']:%Y-%m-%d}" if kpis["last"] else "—",
    },
    deltas,
)
if filters.active:
    st.caption("Filtered by the sidebar: active users, items, events and reviews count only what matches.")
if previous is not None:
    st.caption(
        f"Changes against the {(filters.end - filters.start).days + 1} days before: {previous.start} … {previous.end}."
    )
else:
    st.caption("Pick a date range in the sidebar to compare each figure with the period just before it.")

grain = (
    st.segmented_control("Period", ["day", "week", "month"], default=overview.DEFAULT_GRAIN, key="overview_grain")
    or overview.DEFAULT_GRAIN
)

st.subheader("Events over time")
events = overview.event_counts(filters, grain, version)
if events.empty:
    st.caption("No events in the filtered range.")
else:
    figure = overview.mark_partial(overview.event_activity(events, grain), events["period"], grain, kpis["last"])
    widgets.chart_with_table(figure, events, "events_over_time")

st.subheader("Reviews over time")
reviews = overview.review_counts(filters, grain, version)
if reviews.empty:
    st.caption("No dated reviews in the filtered range.")
else:
    figure = overview.mark_partial(overview.review_activity(reviews, grain), reviews["period"], grain, kpis["last"])
    widgets.chart_with_table(figure, reviews, "reviews_over_time")

categories = overview.category_counts(filters, version)
if not categories.empty:
    st.subheader("Top categories")
    widgets.chart_with_table(overview.top_categories(categories), categories, "top_categories")

st.subheader("Latest ingests")
for row in ingest.recent_batches(limit=3).itertuples():
    with st.expander(f"{row.started_at:%Y-%m-%d %H:%M} · {md(row.source)} · {row.status}"):
        ingest.ingest_report(
            IngestReport.from_dict(row.report)
            if row.report
            else IngestReport(batch_id=row.batch_id, source=row.source, format=row.format, status=row.status)
        )
