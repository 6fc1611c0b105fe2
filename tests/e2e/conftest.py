"""Serving the app for browser tests: a store, a free port, chromium's flags, and a clean stop."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    db: Path, *, env: dict | None = None, port: int | None = None, args: tuple[str, ...] = (), browser: bool = True
):
    """Start the app on ``db`` with ``insight serve`` (a generator: yields its URL, stops it when resumed).

    Skips a ``browser`` test when Debian's chromium is missing; fails with the server log if it never gets healthy.
    """
    if browser and not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    port = port or free_port()
    env = {**os.environ, "INSIGHT_DB_PATH": str(db), **(env or {})}
    if "--secrets" not in args:  # a developer's own [auth] must not turn sign-in on under the tests
        no_secrets = db.with_suffix(".secrets.toml")
        no_secrets.write_text("")
        args = ("--secrets", str(no_secrets), *args)
    log = open(db.with_suffix(".log"), "w")  # a pipe nobody reads would block the app once full
    proc = subprocess.Popen(
        [sys.executable, "-m", "insight.cli", "serve", "--db", str(db), "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        log.close()
        pytest.fail("the app did not become healthy within 120 s:\n" + db.with_suffix(".log").read_text()[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)
    log.close()
