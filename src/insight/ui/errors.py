"""What a visitor sees when a page fails: a short reason and an error id, never a traceback.

The traceback goes to the server log under the same id, so an admin can find it from a screenshot.
``serve.py`` installs :func:`on_script_error` for every script and fragment run; ``client.showErrorDetails
= "none"`` in ``.streamlit/config.toml`` covers whatever it does not reach.
"""

from __future__ import annotations

import logging
import uuid

import duckdb
import streamlit as st

log = logging.getLogger("insight.errors")


def short_reason(exc: BaseException) -> str:
    """A few words a visitor may read: no paths, values or internals."""
    from insight.ingestion import IngestError
    from insight.targeting import AudienceRefused

    if isinstance(exc, IngestError | AudienceRefused):
        return str(exc)  # written for the person using the app
    if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
        return "the store is busy: another process has it open"
    if isinstance(exc, MemoryError):
        return "the server ran out of memory"
    return "an unexpected error"


def on_script_error(exc: Exception) -> bool:
    """Log ``exc`` with a new id and show the visitor the reason and the id; True hides Streamlit's own display."""
    error_id = uuid.uuid4().hex[:10]
    log.error("error id %s: %s", error_id, type(exc).__name__, exc_info=exc)
    try:
        st.error(
            f"Something went wrong on this page: {short_reason(exc)}. "
            f"Error id `{error_id}`: an admin can find the details in the server log under this id."
        )
    except Exception:  # outside a script run there is nowhere to show it; the log has it
        return False
    return True
