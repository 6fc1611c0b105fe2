"""insight: the router. Page config, navigation and the shared sidebar filters."""

import streamlit as st

from insight.ui.filters import sidebar_filters

st.set_page_config(page_title="insight", page_icon=":material/insights:", layout="wide")

pages = {
    "Explore": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    ],
    "Data": [
        st.Page("pages/ingest.py", title="Ingest", icon=":material/upload:"),
    ],
}
page = st.navigation(pages)
st.session_state["filters"] = sidebar_filters()
page.run()
