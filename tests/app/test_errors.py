"""A failing page shows visitors a short reason and an error id; the traceback goes to the server log only."""

import logging
import re

from streamlit.testing.v1 import AppTest


def _failing_page():
    from insight.ui.errors import on_script_error

    try:
        raise RuntimeError("boom at /srv/insight/secret-path with customer alice@example.com")
    except RuntimeError as exc:
        assert on_script_error(exc) is True  # Streamlit's own display (with the traceback) is suppressed


def test_a_page_error_shows_a_reason_and_an_id_but_no_details(caplog):
    caplog.set_level(logging.ERROR, logger="insight.errors")
    at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "an unexpected error" in shown
    assert "secret-path" not in shown and "alice" not in shown and "Traceback" not in shown
    error_id = re.search(r"Error id `([0-9a-f]{10})`", shown).group(1)
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and "secret-path" in str(logged[0].exc_info[1])  # the admin can find the cause by id


def test_the_served_app_installs_the_handler_and_hides_details_everywhere_else():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "on_script_error=on_script_error" in (root / "serve.py").read_text()
    assert 'showErrorDetails = "none"' in (root / ".streamlit" / "config.toml").read_text()
