"""AppTests run many stores in one process; the app assumes one store per process."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def fresh_data_cache():
    """Forget cached reads between tests: they are keyed by data version, not by store file."""
    st.cache_data.clear()
    yield
