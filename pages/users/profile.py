"""User profile: one user's interests, segment over time, drift and the behaviour behind them."""

import streamlit as st

from insight.profiles.build import COLD_START_ITEMS
from insight.ui import auth, charts, segments, tables, widgets
from insight.ui.text import code, md

st.header("User profile")
run = widgets.require_run(
    "segments",
    "No profiles yet. Start **Segments** on the Jobs page: it builds every user's interest profile.",
)
run_id = run["run_id"]
cards = segments.cards(run_id)
labels = dict(zip(cards["segment_id"], cards["label"], strict=True))

by_id, by_interest = st.tabs(["Look up a user", "Find users by interest"])
with by_id:
    typed = st.text_input(
        "User id",
        value=st.query_params.get("user", ""),
        key="profile_user",
        help="The shop's own customer id, or the pseudonym the Segments page and exports show.",
    )
    if not typed:  # nothing asked yet: the most active users, to start from (the router let only analysts in)
        active = segments.most_active_users(run_id)
        auth.log_look("user list", "most active users")
        st.caption("Or start from one of the most active users:")
        active = active.assign(segment=[charts.segment_name(int(s), labels) for s in active["segment_id"]])
        tables.show(active[["user_id", "segment", "touches", "keywords"]])
        typed = st.selectbox("Open", active["user_id"], index=None, key="profile_active") or typed
with by_interest:
    wanted = st.text_input("Interest", placeholder="e.g. vintage tea sets", key="profile_interest")
    if wanted:
        found = segments.users_interested_in(run_id, wanted, limit=20)
        auth.log_look("user list", f"interest search: {wanted}")
        st.caption(
            "Match strength: how far a user's closeness to the interest stands out from the shop's typical user, "
            f"in spreads; {segments.DEFAULT_STRENGTH:g} or more is a clear match (the Campaigns page's default)."
        )
        tables.show(found, column_config={"strength": st.column_config.NumberColumn("Match strength", format="%.2f")})
        picked = st.selectbox("Open", found["user_id"], index=None, key="profile_pick")
        typed = picked or typed

typed = (typed or "").strip()
if not typed:
    st.caption(
        "Type a user id (the shop's own, or a pseudonym from Segments, an audience or an export), "
        "or search by interest."
    )
    st.stop()
found_user = segments.find_user(run_id, typed)
if found_user is None:
    st.warning(f"No profile for user {code(typed)} in this run (unknown id, or no behaviour with text).")
    st.stop()
user_id, profile = found_user
st.query_params["user"] = user_id
auth.log_look("user profile", user_id)  # the router let only analysts and admins in; each look is kept

widgets.kpi_row(  # numbers as metrics; names are text, which a metric would cut to "from behavi…"
    {
        "Touches": f"{profile['touches']:,}",
        "Latest drift": "—" if profile["drift"] != profile["drift"] else f"{profile['drift']:.2f}",
    }
)
source = (
    f"the little there is (cold start: under {COLD_START_ITEMS} items touched)"
    if profile["cold_start"]
    else "behaviour"
)
st.markdown(
    f"**Segment:** {md(charts.segment_name(int(profile['segment_id']), labels))} · **Profile built from:** {source}"
)
st.markdown(f"**Interest keywords:** {md(profile['keywords'] or '—')}")

months = segments.user_periods(run_id, user_id)
left, right = st.columns(2)
with left:
    st.subheader("Segment by month")
    months = months.assign(segment=[charts.segment_name(int(s), labels) for s in months["segment_id"]])
    tables.show(months[["period", "segment", "touches"]], height=300)
with right:
    st.subheader("Interest drift")
    st.caption("1 − cosine between a month's profile and the previous active month's: high means new interests.")
    if months["drift"].notna().any():
        st.plotly_chart(segments.drift(months), width="stretch")
    else:
        st.caption("Active in one month only: no drift to show.")

st.subheader("Timeline")
timeline = segments.user_timeline(user_id)
tables.show(  # a timeline: when first; its text is a search or a review, its rating a review's stars
    timeline,
    text_first=False,
    column_config={
        "text": st.column_config.TextColumn("Searched or wrote", width="large"),
        "rating": st.column_config.NumberColumn("Rating", format="%d ★"),
    },
)
