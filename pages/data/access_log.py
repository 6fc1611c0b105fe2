"""Access log: who looked at which person, when (admins only)."""

import streamlit as st

from insight.ui import auth, tables

st.header("Access log")
st.caption(
    "Every individual-level look is recorded when it is shown: a user's profile, a list of reviews or users "
    "with their ids, one shopper's recommendations. Aggregates (counts, charts, segments) are not logged."
)
left, right = st.columns(2)
actor = left.text_input("Who (exact e-mail address, or 'local')", key="access_actor").strip() or None
subject = right.text_input("Looked at (a pseudonymous id, or part of a description)", key="access_subject").strip()
looks = auth.recent_looks(actor=actor, subject=subject or None)
if looks.empty:
    st.info("No individual-level look recorded" + (" for this search." if actor or subject else " yet."))
    st.stop()
st.metric("Looks shown", f"{len(looks):,}" + (" (latest 1,000)" if len(looks) == 1000 else ""))
tables.show(looks.rename(columns={"seen_at": "When", "actor": "Who", "action": "Looked at", "subject": "Whom / what"}))
