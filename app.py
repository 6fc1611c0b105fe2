"""insight: the router. Page config, sign-in, navigation by role and the shared sidebar filters."""

from pathlib import Path

import streamlit as st

from insight.ui import auth
from insight.ui.filters import sidebar_filters
from insight.ui.navigation import navigate

# A local icon: a Material icon here makes every visitor's browser fetch it from Google's servers.
st.set_page_config(page_title="insight", page_icon=str(Path(auth.__file__).with_name("favicon.png")), layout="wide")

auth.gate()  # sign-in screen or refusal stop the run here; otherwise the visitor and their role are known
auth.account_box()
page = navigate()  # a page the role may not open is refused here, saying which role it needs
st.session_state["filters"] = sidebar_filters()
page.run()
