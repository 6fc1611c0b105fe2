"""The served app: the router (``app.py``) with the store opened at start-up and errors shown safely.

``insight serve`` runs this with Streamlit's ASGI server. At start-up, before any page is visited, the
process opens the store (holding its lock), marks jobs a stopped app left running as failed and fills
the Overview's cached reads (:mod:`insight.ui.warmup`), so the first visit does not wait for them; page
errors reach visitors as a short reason and an id, the traceback only the server log. The shop-facing
REST API (``/api/v1``, :mod:`insight.api`) is served by the same process on the same port.
"""

from contextlib import asynccontextmanager

import streamlit as st

from insight import config
from insight.api import routes
from insight.api.local import close_door, open_door
from insight.ui import resources
from insight.ui.errors import on_script_error
from insight.ui.navigation import router_only
from insight.ui.warmup import warm_up


@asynccontextmanager
async def lifespan(_app):
    """Open the store and its job runner for the life of the server; the router owns every page from the start."""
    router_only()
    resources.start()
    warm_up()  # the Overview's first visit reads from caches (3 s less at 10 M events)
    address = st.get_option("server.address") or "127.0.0.1"
    host = "127.0.0.1" if address in ("0.0.0.0", "::") else address
    open_door(config.db_path(), f"http://{host}:{st.get_option('server.port')}")  # for `insight ingest`
    yield
    close_door(config.db_path())
    resources.stop()


api = routes(lambda: resources.start().cursor(), config.db_path)  # /api/v1 on the dashboard's port and process
app = st.App("app.py", lifespan=lifespan, routes=api, on_script_error=on_script_error)
