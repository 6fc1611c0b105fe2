"""Segments: who the users are, as groups of shared interests; select users on the map, save an audience."""

import streamlit as st

from insight.ui import auth, charts, segments, tables, widgets
from insight.ui.text import code, md

st.header("Segments")
run = widgets.require_run(
    "segments",
    "No segments yet. Start **Segments** on the Jobs page (it builds every user's interest profile first).",
)
params, run_id = run["params"], run["run_id"]
cards = segments.cards(run_id)
labels = dict(zip(cards["segment_id"], cards["label"], strict=True))
people = segments.members(run_id)

widgets.kpi_row(
    {
        "Users profiled": f"{params['users']:,}",
        "Segments": params["segments"],
        "Outliers": f"{params['outliers_after']:.0%}",
        "Stability (ARI)": f"{params['stability']:.2f}",
        "Cold-start users": f"{params['cold_start']:,}",
    }
)
st.caption(
    "Stability is the agreement (adjusted Rand index, 1 = identical) between this segmentation and refits on "
    "random halves of the users; below 0.5, read the segments as tendencies. Outliers share no dense interest "
    "with others: "
    f"HDBSCAN left {params['outliers_before']:.0%} of the users as outliers, and those closest to a segment were "
    f"reassigned until {params['outliers_after']:.0%} remained (the outlier budget)."
)
events = segments.id_events(run_id)
if params.get("previous_run") and not events.empty:
    counts = events["kind"].value_counts()
    st.caption(
        "Against the previous run: "
        + ", ".join(f"{counts[k]} {k}" for k in counts.index)
        + " (kept: same id as before; birth: new; split/merge: ids derived from earlier segments)."
    )

st.subheader("Map of users")
st.caption("Each dot is a user, placed near users with similar interests. Drag a lasso (or box) to select users.")
individual = auth.can("analyst")  # ids and interests per point only for those who may see individuals
event = st.plotly_chart(
    segments.user_map(segments.map_points(people, individual=individual), labels),
    width="stretch",
    key="segment_map",
    on_select="rerun",
    selection_mode=("lasso", "box"),
)
points = event.get("selection", {}).get("points", []) if isinstance(event, dict) else event.selection.points
keys = [str(p["customdata"][0]) for p in points if p.get("customdata")]
chosen = segments.selected_users(people, keys, individual=individual)
if chosen:
    st.markdown(f"**{len(chosen):,} users selected**")
    if auth.individual_view("user list", f"{len(chosen):,} users lassoed, segments run {run_id}", "Listing them"):
        selected = people[people["user_id"].isin(chosen)]
        columns = ["user_id", "segment_id", "keywords", "touches", "drift"]
        tables.show(selected[columns])
        widgets.download_csv(selected, "selected_users.csv", "Download selection (CSV)")
    k = segments.min_audience()
    if not auth.refuse_note("marketer", "Saving a selection as an audience"):
        pass
    elif len(chosen) < k:
        st.caption(f"Saving a selection as an audience needs at least {k} users (INSIGHT_MIN_AUDIENCE).")
    else:
        with st.form("save_audience"):
            name = st.text_input("Audience name", placeholder="e.g. lasso: runners and hikers")
            if st.form_submit_button("Save as audience", type="primary"):
                try:
                    definition = {"kind": "selection", "segments_run": run_id, "users": len(chosen)}
                    audience_id = segments.save_audience(name, chosen, definition)
                except ValueError as exc:  # no name, or refused by the privacy rules, saying why
                    st.error(md(exc))
                else:
                    st.success(f"Saved audience **{md(name)}** ({len(chosen):,} users) as {code(audience_id)}.")

st.subheader("Segments")
for row in cards.itertuples():
    with st.container(border=True):
        head, numbers = st.columns([3, 2])
        size, figures = segments.card_numbers(run_id, row.segment_id)
        head.markdown(f"**{md(charts.segment_name(row.segment_id, labels))}** · {size}")
        head.caption(f"Keywords: {md(row.keywords or '—')}")
        head.caption(f"Categories: {md(row.categories or '—')}")
        numbers.caption(figures)
        trend = segments.size_trend(run_id, row.segment_id)
        if trend.notna().sum() > 1:
            numbers.line_chart(trend, height=90, y_label="users / month")
