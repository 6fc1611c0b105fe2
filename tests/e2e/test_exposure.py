"""Without sign-in, the app serves only its own machine unless the operator said --no-auth out loud."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.e2e.conftest import CHROMIUM, FLAGS, ROOT, free_port, serve

pytestmark = pytest.mark.e2e


def _outward_address() -> str:
    """This machine's address as another machine would reach it (not loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = s.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback address to connect from")
    return address


def _text_of(url: str) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.locator('[data-testid="stAlert"], [data-testid="stMetric"]').first.wait_for(timeout=90_000)
        page.wait_for_timeout(1500)
        text = page.locator("body").inner_text()
        browser.close()
    return text


def test_a_server_bound_to_every_interface_without_sign_in_refuses_other_machines(demo_db, tmp_path):
    # someone bypassed `insight serve` and started Streamlit on every interface, without --no-auth
    address = _outward_address()
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    db = tmp_path / "insight.duckdb"
    shutil.copy(demo_db, db)
    port = free_port()
    empty = tmp_path / "secrets.toml"
    empty.write_text("")
    with open(tmp_path / "app.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "0.0.0.0"]
            + ["--server.port", str(port), "--secrets.files", str(empty)],
            cwd=ROOT,
            env={**os.environ, "INSIGHT_DB_PATH": str(db)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.time() + 120
            while time.time() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            remote = _text_of(f"http://{address}:{port}")
            local = _text_of(f"http://127.0.0.1:{port}")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert "only serves the machine it runs on" in remote and "Events" not in remote
    assert "Local mode" in local and "Events" in local


def test_no_auth_serves_other_machines_and_says_so(demo_db, tmp_path):
    address = _outward_address()
    db = tmp_path / "insight.duckdb"
    shutil.copy(demo_db, db)
    served = serve(db, args=("--address", "0.0.0.0", "--no-auth"))
    url = next(served)
    try:
        text = _text_of(url.replace("127.0.0.1", address))
    finally:
        next(served, None)
    assert "No sign-in (--no-auth)" in text and "Events" in text
    assert "WARNING: --no-auth" in db.with_suffix(".log").read_text()
