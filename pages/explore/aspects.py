"""Aspects: what each part of a review is about and how it feels; alerts on rising complaints; what to fix first."""

import streamlit as st

from insight.ui import aspect_panels, aspects, auth, tables, widgets
from insight.ui.text import md

st.header("Review aspects")
run = widgets.require_run(
    "aspects", "No aspects yet. Start **Encode**, **Sentiment** and then **Aspects** on the Jobs page."
)
run_id, params = run["run_id"], run["params"]
alerts = aspects.alerts(run_id)
catalogue = aspects.aspect_list(run_id)
widgets.kpi_row(
    {
        "Reviews": f"{params['reviews']:,}",
        "Clauses": f"{params['clauses']:,}",
        "Aspects": len(catalogue),
        "Categories": catalogue["category"].nunique(),
        "Open alerts": len(alerts),
    }
)
st.caption(
    "Each review is cut into clauses; a clause's aspect is found among the clauses of its product category "
    "(in every language) and its feeling by the sentiment model, so one review can praise one aspect and "
    "complain about another. The sidebar filters do not apply to this page."
)
st.subheader("Alert inbox")
aspect_panels.alert_inbox(run_id, alerts)

st.subheader("Aspects by category")
categories = catalogue.groupby("category")["reviews"].sum().sort_values(ascending=False).index.tolist()
category = st.selectbox("Category", categories, key="aspect_category")
own = aspects.aspect_list(run_id, category)
names = dict(zip(own["aspect_id"], own["label"], strict=True))
tables.show(
    own[["label", "keywords", "reviews", "negative", "positive", "products", "seeded"]],
    column_config={
        "label": st.column_config.TextColumn("Aspect"),
        "negative": st.column_config.ProgressColumn("Negative", format="percent", min_value=0.0, max_value=1.0),
        "positive": st.column_config.ProgressColumn("Positive", format="percent", min_value=0.0, max_value=1.0),
        "seeded": st.column_config.CheckboxColumn("Seeded", help="made from a merchant's words"),
    },
)
cell: dict = {}
by = st.segmented_control("Negative share by", ["period", "segment"], default="period", key="aspect_by") or "period"
if by == "period":
    grain = st.segmented_control("Period", ["week", "month", "quarter"], default="month", key="aspect_grain") or "month"
    grid = aspects.periods(run_id, category, grain).assign(period=lambda f: f["period"].astype(str))
    column = "period"
else:
    grain, grid, column = "month", aspects.segments(run_id, category), "segment"
    if grid.empty:
        st.caption("Start **Segments** on the Jobs page to see aspects by user segment.")
if not grid.empty:
    st.caption("Darker: a larger share of the reviews mentioning the aspect complain. Click a cell for its reviews.")
    for aspect_id, value in widgets.clicked_points(aspects.grid(grid, names, column), f"aspect_grid_{by}"):
        cell = {"aspect_id": int(aspect_id), column: value}
        st.session_state[f"aspect_read_{category}"] = int(aspect_id)  # before its picker is drawn
aspect_id = st.selectbox(
    "Read an aspect's reviews",
    own["aspect_id"].tolist(),
    format_func=lambda a: names.get(a, f"aspect {a}"),
    key=f"aspect_read_{category}",
)
feeling = st.segmented_control("Feeling", ["negative", "positive", "any"], default="negative", key="aspect_feel")
where = {"feeling": None if feeling in (None, "any") else feeling}
if cell.get("period"):
    where.update(period=cell["period"], grain=grain)
if cell.get("segment"):
    where["segment_id"] = int(grid.loc[grid["segment"] == cell["segment"], "segment_id"].iloc[0])
if cell:
    st.caption(f"The reviews behind the cell: {md(names.get(cell['aspect_id'], ''))} · {md(cell[column])}")
if aspect_id is not None and auth.individual_view("review list", f"aspect {aspect_id}", "Reading the reviews"):
    aspects.show_quotes(aspects.quotes(run_id, int(aspect_id), limit=15, **where))

st.subheader("What to fix")
aspect_panels.what_to_fix(run_id, may_read=auth.can("analyst"))

st.subheader("Edit aspects")
if auth.refuse_note("analyst", "Editing aspects"):
    aspect_panels.edit_form(category, own)
