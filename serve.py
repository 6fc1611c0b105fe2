"""The served app: the router (``app.py``) with the store opened at start-up and errors shown safely.

``insight serve`` runs this with Streamlit's ASGI server. At start-up, before any page is visited, the
process opens the store (holding its lock) and marks jobs a stopped app left running as failed; page
errors reach visitors as a short reason and an id, the traceback only the server log.
"""

from contextlib import asynccontextmanager

import streamlit as st

from insight.ui import resources
from insight.ui.errors import on_script_error
from insight.ui.navigation import router_only


@asynccontextmanager
async def lifespan(_app):
    """Open the store and its job runner for the life of the server; the router owns every page from the start."""
    router_only()
    resources.start()
    yield
    resources.stop()


app = st.App("app.py", lifespan=lifespan, on_script_error=on_script_error)
