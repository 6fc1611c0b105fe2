"""The hostile shop for the security tests, and the app on it."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.security.hostile import hostile_copy

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory) -> Path:
    """A copy of the hostile shop for this session's AppTests (read, and written only by audience saves)."""
    return hostile_copy(tmp_path_factory, tmp_path_factory.mktemp("hostile"))


@pytest.fixture(autouse=True)
def fresh_data_cache():
    """Forget cached reads between tests: they are keyed by data version, not by store file."""
    st.cache_data.clear()
    yield


@pytest.fixture
def app(monkeypatch, hostile_db):
    """A function that makes an AppTest of the whole app on the hostile shop, with query parameters."""

    def make(**params) -> AppTest:
        monkeypatch.setenv("INSIGHT_DB_PATH", str(hostile_db))
        at = AppTest.from_file(APP, default_timeout=180)
        for key, value in params.items():
            at.query_params[key] = value
        return at

    return make
