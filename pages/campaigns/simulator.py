"""Campaign simulator: how a bandit would have spread a campaign over segments, replayed on the shop's history."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from insight.job_params import CampaignSimParams
from insight.ui import jobs, resources, tables, widgets
from insight.ui.text import plot, plot_column

LEVELS = [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8]
ESTIMATORS = {"ips": "IPS", "snips": "SNIPS", "dr": "doubly robust"}

st.header("Campaign simulator")
st.markdown(
    "What if a campaign had been aimed at segments by a bandit? Each contact goes to one segment — a random user "
    "of that segment active in a random month of the history — and *converts* if that user bought in the next "
    "month. Thompson sampling learns which segments convert while it spends the budget, with a share of purely "
    "random contacts (exploration); greedy and uniform allocations are the baselines. Because the history holds "
    "the outcome of every segment in every month, each policy's **true** conversions are known, so the off-policy "
    "estimates (IPS, SNIPS, doubly robust) made from one logged campaign can be checked against the truth."
)
segments_run = resources.current_run("segments")
if segments_run is None:
    st.info("No segments yet. Start **Segments** on the Jobs page, then simulate campaigns here.")
    st.page_link("pages/data/jobs.py", label="Go to Jobs", icon=":material/play_circle:")
    st.stop()

budget_col, levels_col, start_col = st.columns([2, 3, 1], vertical_alignment="bottom")
budget = budget_col.select_slider(
    "Contacts per campaign", [1000, 2000, 5000, 10_000, 20_000], value=CampaignSimParams.budget, key="sim_budget"
)
levels = levels_col.multiselect(
    "Exploration shares (Thompson sampling)",
    LEVELS,
    default=list(CampaignSimParams.exploration_levels),
    format_func="{:.0%}".format,
    key="sim_levels",
)
with start_col:
    params = {"budget": int(budget), "exploration_levels": sorted(levels) or [0.0]}
    jobs.start_button("campaign_sim", params, "Simulate", key="start_campaign_sim")
jobs.live_jobs()

run = widgets.require_run(
    "campaign_sim",
    "No simulation yet: press **Simulate** (it runs as a background job, also listed on the Jobs page).",
    link_to_jobs=False,
)
sim = run["params"]
if sim["segments_run"] != segments_run["run_id"]:
    st.caption("Segments were re-run since this simulation: simulate again to use the new ones.")
results = pd.DataFrame(sim["results"])
segments = pd.DataFrame(sim["segments"])
segments["segment"] = "#" + segments["segment_id"].astype(str) + " " + segments["label"]
best = segments.set_index("segment_id").loc[sim["best_segment"]]
top = results.loc[results["expected_per_1000"].idxmax()]
widgets.kpi_row(
    {
        "Best fixed segment": f"#{sim['best_segment']}",
        "It converts (per 1,000)": f"{best['true_per_1000']:.0f}",
        "Best policy": top["policy"],
        "Its conversions (per 1,000)": f"{top['expected_per_1000']:.0f}",
        "Contacts per campaign": sim["budget"],
    }
)

st.subheader("Expected conversions against exploration")
st.caption(
    f"Per 1,000 contacts, mean of {sim['repeats']} simulated campaigns per policy. Line: the truth, by replay on "
    f"the history. Points: estimates from one logged campaign (Thompson sampling, "
    f"{sim['logging_exploration']:.0%} exploration) with 95 % bootstrap intervals. Dashed: the baselines; dotted: "
    "always contacting the best segment, which no policy can know in advance (the gap is the regret)."
)
thompson = results[results["kind"] == "thompson"].sort_values("exploration")
fig = go.Figure()
fig.add_scatter(
    x=thompson["exploration"],
    y=thompson["expected_per_1000"],
    mode="lines+markers",
    name="truth (replay)",
    line=dict(color="black", width=3),
)
for offset, (column, name) in zip((-0.008, 0.0, 0.008), ESTIMATORS.items(), strict=True):
    fig.add_scatter(
        x=thompson["exploration"] + offset,
        y=thompson[column],
        mode="markers",
        name=name,
        error_y=dict(
            type="data",
            array=thompson[f"{column}_high"] - thompson[column],
            arrayminus=thompson[column] - thompson[f"{column}_low"],
        ),
    )
for row in results[results["kind"] != "thompson"].itertuples():
    fig.add_hline(y=row.expected_per_1000, line_dash="dash", annotation_text=f"{row.policy} (truth)")
fig.add_hline(y=best["true_per_1000"], line_dash="dot", annotation_text=f"best segment {plot(best['segment'])}")
fig.update_layout(
    height=460,
    margin=dict(l=10, r=10, t=30, b=10),
    xaxis=dict(title="share of exploration", tickformat=".0%"),
    yaxis_title="conversions per 1,000 contacts",
)
widgets.chart_with_table(fig, results.round(2), "campaign_policies")
st.caption(
    "Regret: conversions per 1,000 contacts lost against the best fixed segment. ESS: how many of the logged "
    "campaign's contacts an estimate is effectively worth for that policy — low when the log rarely did what the "
    "policy would do."
)

st.subheader("Allocation per segment")
allocation = pd.DataFrame(sim["allocation"]).merge(segments, on="segment_id")
bars = px.bar(
    allocation.assign(segment=plot_column(allocation["segment"])),  # labels are shop text
    x="segment",
    y="share",
    color="policy",
    barmode="group",
    labels={"share": "share of contacts", "segment": ""},
)
bars.update_layout(height=420, margin=dict(l=10, r=10, t=10, b=10), yaxis_tickformat=".0%")
widgets.chart_with_table(bars, allocation[["policy", "segment_id", "label", "share"]], "campaign_allocation")
st.caption("True conversions per 1,000 contacts of each segment (months equally likely), and its contacts.")
tables.show(segments[["segment", "contacts", "true_per_1000"]].sort_values("true_per_1000", ascending=False))
if sim["dropped_segments"]:
    st.caption(
        f"Left out (contacts in fewer than half the months, or fewer than {sim.get('min_users', 1)} users, "
        "INSIGHT_MIN_AUDIENCE): " + ", ".join(f"#{s}" for s in sim["dropped_segments"])
    )
if "min_users" not in sim:
    st.caption("This simulation predates the minimum audience size for segments: simulate again to apply it.")
