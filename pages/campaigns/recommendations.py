"""Recommendations: what a shopper would be shown and why, with an exploration knob, and how it fares offline."""

import pandas as pd
import streamlit as st

from insight.job_params import RecommendEvalParams
from insight.recommendations import POLICIES
from insight.recommendations.job import tradeoff_sentence
from insight.ui import auth, jobs, recommendations, widgets
from insight.ui.resources import data_version
from insight.ui.text import code, md

st.header("Recommendations")
st.markdown(
    "Each list mixes **exploit** items, close to what the shopper touched or often chosen together with it, "
    "and **explore** items from areas they have not shopped yet, picked by a bandit that learns which areas "
    "shoppers come back to. The **exploration** knob sets the share of explore slots (and how varied the rest "
    "are); every item says why it is there."
)
version = data_version()
if not recommendations.has_items():
    widgets.empty_store()
    st.stop()
try:
    rec = recommendations.fitted(version)
except ValueError as exc:
    st.info(f"Recommendations need item embeddings under one model: {md(exc)}.")
    st.page_link("pages/data/jobs.py", label="Go to Jobs", icon=":material/play_circle:")
    st.stop()
st.caption(
    f"Fitted on {rec.n_users:,} shoppers and {len(rec.items):,} items · model {rec.model} · "
    f"history up to {rec.as_of:%Y-%m-%d} · data version {version}"
)

st.subheader("For one shopper")
st.session_state.setdefault("rec_user", st.query_params.get("user", ""))
who, pick = st.columns([4, 1], vertical_alignment="bottom")
typed = who.text_input(
    "Shopper",
    key="rec_user",
    placeholder="the shop's customer id, or u_…",
    help="The shop's own customer id (turned into its pseudonym, never stored), or a pseudonym from Segments.",
)
user_id = recommendations.stored_user(typed) if typed.strip() else ""
pick.button("Random active user", key="rec_random", on_click=recommendations.pick_random_user, args=(rec,))
size, knob, chooser = st.columns(3)
k = size.slider("Items", 3, 30, 10, key="rec_k")
exploration = knob.slider(
    "Exploration",
    0.0,
    1.0,
    0.2,
    0.05,
    key="rec_exploration",
    help="0: only items matching the shopper's interests. 0.2: two of ten slots go to areas new to them.",
)
policy = chooser.selectbox(
    "Exploration policy",
    POLICIES,
    key="rec_policy",
    help="thompson: areas drawn by Thompson sampling (varies by shopper); ucb: the least-tried promising areas.",
)

if user_id and auth.individual_view("recommendations", user_id, "One shopper's recommendations"):
    st.query_params["user"] = user_id
    if not recommendations.has_history(rec, user_id):
        known, who = recommendations.user_known(user_id), code(user_id)
        st.warning(
            (f"{who} has no history to learn from yet" if known else f"No shopper {who} in the store")
            + ": showing best-sellers. Type the shop's customer id or a pseudonym, or press **Random active user**."
        )
    picks = recommendations.recommendations(rec, user_id, k=k, exploration=exploration, policy=policy)
    st.markdown(f"**{len(picks)} items for {code(user_id)}**: " + recommendations.list_summary(picks))
    st.dataframe(
        recommendations.styled(picks), hide_index=True, width="stretch", column_config=recommendations.LIST_COLUMNS
    )
    st.page_link(
        "pages/users/profile.py",
        label="Open this shopper's profile",
        icon=":material/person_search:",
        query_params={"user": user_id},
    )
elif not user_id:
    st.query_params.pop("user", None)
    st.info("Type a shopper's id, or press **Random active user**.")

text = st.text_input(
    "…or recommend for a new visitor who writes…", key="rec_text", placeholder="e.g. a light tent for summer hikes"
)
if text.strip():
    served = recommendations.recommendations(rec, None, k=k, exploration=exploration, policy=policy, text=text)
    st.markdown(f"**{len(served)} items for a visitor with no history**: " + recommendations.list_summary(served))
    st.dataframe(
        recommendations.styled(served), hide_index=True, width="stretch", column_config=recommendations.LIST_COLUMNS
    )

st.subheader("Offline evaluation")
st.caption(
    "Trains on everything before the split date and checks each shopper's list against the *new* items they "
    "bought after it (items bought before are neither shown nor counted), at several exploration levels, "
    "next to best-sellers (popularity) and matrix factorisation (ALS)."
)
split_default = recommendations.default_split(version)
if split_default is None:
    st.info("The store has no purchases to evaluate on: ingest purchase events on the **Ingest** page.")
    st.stop()
split_col, k_col, start_col = st.columns([2, 2, 1], vertical_alignment="bottom")
split = split_col.date_input("Test on purchases from", value=split_default, key="rec_split")
k_eval = k_col.select_slider("List length k", [5, 10, 20], value=RecommendEvalParams.k, key="rec_eval_k")
with start_col:
    params = {"split_date": str(split), "k": int(k_eval), "policy": policy}
    jobs.start_button("recommend_eval", params, "Evaluate", key="start_recommend_eval")
jobs.live_jobs()

run = widgets.require_run(
    "recommend_eval",
    "No evaluation yet: press **Evaluate** (it runs as a background job, also listed on the Jobs page).",
    link_to_jobs=False,
)
evaluation = run["params"]
if evaluation["model"] != rec.model:
    st.caption(f"Evaluated with {evaluation['model']}; recommendations now use {rec.model}: evaluate again.")
results = pd.DataFrame(evaluation["results"])
by = results.drop_duplicates("policy").set_index("policy")
at_k = f"precision@{evaluation['k']}"
widgets.kpi_row(
    {
        "Shoppers evaluated": evaluation["users"],
        "Test purchases from": evaluation["split_date"],
        f"{at_k}: insight": f"{by.loc['insight', 'precision']:.3f}",
        f"{at_k}: popularity": f"{by.loc['popularity', 'precision']:.3f}",
        f"{at_k}: ALS": f"{by.loc['als', 'precision']:.3f}",
    }
)
axis = st.radio("Trade precision against", ["coverage", "novelty"], horizontal=True, key="rec_axis")
st.markdown(tradeoff_sentence(results, k=evaluation["k"], axis=axis))
widgets.chart_with_table(
    recommendations.tradeoff_chart(results, axis=axis, k=evaluation["k"]), results.round(4), "recommend_eval"
)
st.caption(
    f"Precision@k: share of a list the shopper went on to buy; recall: share of their new purchases the list "
    f"held; coverage: share of the {evaluation['catalogue']:,} items shown to anyone; novelty: how rare the "
    "items are (bits; +1 = half as many shoppers); diversity: 1 − mean similarity of items within a list."
)
