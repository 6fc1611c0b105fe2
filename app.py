"""insight: the router. Page config, navigation and the shared sidebar filters."""

import streamlit as st

from insight.ui.filters import sidebar_filters

st.set_page_config(page_title="insight", page_icon=":material/insights:", layout="wide")

pages = {
    "Explore": [
        st.Page("pages/explore/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/explore/sentiment.py", title="Sentiment", icon=":material/sentiment_satisfied:"),
        st.Page("pages/explore/keywords.py", title="Keywords", icon=":material/tag:"),
        st.Page("pages/explore/topics.py", title="Topics", icon=":material/topic:"),
    ],
    "Users": [
        st.Page("pages/users/segments.py", title="Segments", icon=":material/bubble_chart:"),
        st.Page("pages/users/profile.py", title="User profile", icon=":material/person_search:"),
        st.Page("pages/users/evolution.py", title="Interest evolution", icon=":material/timeline:"),
    ],
    "Campaigns": [
        st.Page("pages/campaigns/campaigns.py", title="Campaigns", icon=":material/campaign:"),
        st.Page("pages/campaigns/simulator.py", title="Campaign simulator", icon=":material/casino:"),
        st.Page("pages/campaigns/recommendations.py", title="Recommendations", icon=":material/recommend:"),
    ],
    "Data": [
        st.Page("pages/data/ingest.py", title="Ingest", icon=":material/upload:"),
        st.Page("pages/data/jobs.py", title="Jobs", icon=":material/play_circle:"),
    ],
}
page = st.navigation(pages)
st.session_state["filters"] = sidebar_filters()
page.run()
