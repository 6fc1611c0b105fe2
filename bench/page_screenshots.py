"""Screenshots of every page of the app on a store, as a reviewer's evidence that each page reads well.

    python bench/page_screenshots.py --db /tmp/shots/demo.duckdb --out docs/screenshots/demo

Starts ``insight serve`` on the store (127.0.0.1, no sign-in, so every page opens), visits each page
of the navigation in Debian's chromium, waits for its charts, and saves a PNG per page
(small enough to commit). Pages that read individuals get a shopper typed in where it helps.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from insight.ui.navigation import all_pages

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path, port: int) -> subprocess.Popen:
    secrets = Path(tempfile.mkdtemp()) / "secrets.toml"
    secrets.write_text("")
    command = [sys.executable, "-m", "insight.cli", "serve", "--db", str(db), "--port", str(port)]
    server = subprocess.Popen([*command, "--secrets", str(secrets)], env={**os.environ, "INSIGHT_DB_PATH": str(db)})
    for _ in range(180):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return server
        except OSError:
            time.sleep(1)
    server.kill()
    raise SystemExit("the app never became healthy")


def _settle(page) -> None:
    """Wait until Streamlit stops running the script and the charts have drawn."""
    page.wait_for_timeout(1500)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    page.wait_for_timeout(2500)


def main() -> None:
    """Visit every page and save its screenshot."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = _serve(Path(args.db), port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = browser.new_page(viewport={"width": 1500, "height": 2600})
            for spec in all_pages():
                name = Path(spec.path).stem
                path_part = "" if spec.default else name  # the default page lives at the root URL
                page.goto(f"http://127.0.0.1:{port}/{path_part}", wait_until="domcontentloaded")
                page.get_by_role("heading", name=spec.title).first.wait_for(timeout=120_000)
                _settle(page)
                path = out / f"{name}.png"
                page.screenshot(path=str(path), full_page=True)
                print(f"{spec.title}: {path} ({path.stat().st_size / 1e3:.0f} kB)")
                if name == "keywords":  # the item grouping: thousands of items behind a searchable picker
                    page.locator("[data-testid=stButtonGroup] button", has_text="item").last.click()
                    _settle(page)
                    path = out / "keywords_by_item.png"
                    page.screenshot(path=str(path), full_page=True)
                    print(f"Keywords by item: {path} ({path.stat().st_size / 1e3:.0f} kB)")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
