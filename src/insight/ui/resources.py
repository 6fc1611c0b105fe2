"""Process-wide resources: the store connection, opened once per app process."""

from __future__ import annotations

import duckdb
import streamlit as st

from insight import config


@st.cache_resource(show_spinner=False)
def _store(path: str) -> duckdb.DuckDBPyConnection:
    from insight.store import connect

    return connect(path)


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the app's store for this script run (DuckDB connections are not thread-safe)."""
    return _store(str(config.db_path())).cursor()


def data_version() -> int:
    """The store's data version; cached reads take it so that a write invalidates them."""
    from insight.store.db import data_version as read_version

    return read_version(cursor())


@st.cache_resource(show_spinner=False)
def _runner(path: str):
    from insight.jobs.runner import JobRunner

    return JobRunner(_store(path))


def runner():
    """The app's job runner (one worker thread); created with the app, it marks interrupted jobs failed."""
    return _runner(str(config.db_path()))
