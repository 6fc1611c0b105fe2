"""Load on the REST API: recommendations at a steady rate, feedback in batches, with a dashboard page in use.

    python bench/api_load.py --work /tmp/apiload [--rate 100 --seconds 30] [--db STORE] [--no-page]

Builds the demo store (items encoded with the store's default encoder) unless ``--db`` names one,
makes a read key and an events key with ``insight api-key``, starts ``insight serve`` on 127.0.0.1,
and then, with an async client bounded in count and time:

1. **recommendations**: ``--rate`` requests a second for ``--seconds`` to shoppers drawn from the
   store's own customers (the shop's ids, as the API takes them), each timed from send to answer;
   meanwhile (unless ``--no-page``) chromium reloads the Overview page over and over;
2. **feedback**: ``--batches`` batches of 1,000 click events on served lists, timed as events/s.

Prints p50/p95/p99, errors and the rate reached, with the machine's load. Part of issue "The live loop".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from page_screenshots import CHROMIUM, FLAGS, _free_port, _serve  # noqa: E402


def demo_store(work: Path) -> Path:
    """The demo shop, its item texts encoded with the store's default encoder."""
    import insight
    from insight.demo.build import build_demo_store
    from insight.encode.job import encode_store

    db = work / "demo.duckdb"
    if not db.exists():
        build_demo_store(db)
        con = insight.connect(db)
        encode_store(con, sources=("item",))
        con.close()
    return db


def shop_ids(db: Path, users_file: str | None) -> list[str]:
    """The shop's own customer ids (raw, as its systems would send them): the demo's, or a file's user_id column."""
    import pandas as pd

    source = Path(users_file) if users_file else db.parent / "demo_files" / "users.csv"
    return pd.read_csv(source, dtype=str, usecols=["user_id"], nrows=200_000)["user_id"].dropna().unique().tolist()


def key(db: Path, scope: str) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "insight.cli", "api-key", "create", "--name", f"load-{scope}", "--scope", scope,
         "--db", str(db)], capture_output=True, text=True, check=True,
    )  # fmt: skip
    return made.stdout.strip()


def keep_page_busy(port: int, stop: threading.Event, visits: list) -> None:
    """Reload the Overview in chromium until told to stop (a dashboard in use beside the API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page()
        while not stop.is_set():
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Overview").first.wait_for(timeout=60_000)
            visits.append(time.time())
        browser.close()


async def steady(url: str, token: str, users: list[str], rate: int, seconds: int) -> tuple[list[float], int]:
    """Latencies (s) of ``rate`` × ``seconds`` recommendation requests sent on a fixed schedule, and errors."""
    import httpx

    latencies, errors = [], 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=10, limits=httpx.Limits(max_connections=200)
    ) as client:

        async def one(user: str) -> None:
            nonlocal errors
            started = time.perf_counter()
            try:
                answer = await client.get(f"/api/v1/users/{user}/recommendations", params={"k": 10})
                if answer.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)

        tasks, start = [], time.perf_counter()
        for n in range(rate * seconds):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(random.choice(users))))
        await asyncio.gather(*tasks)
    return latencies, errors


async def feedback(url: str, reader: str, writer: str, users: list[str], batches: int) -> tuple[float, int]:
    """Events/s over ``batches`` batches of 1,000 clicks on served lists, and the events newly stored."""
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        served = []
        for user in users[:50]:
            answer = await client.get(
                f"/api/v1/users/{user}/recommendations", headers={"Authorization": f"Bearer {reader}"}
            )
            served.append((user, answer.json()))
        run = time.strftime("%Y%m%d%H%M%S")  # a rerun on the same store posts new events, not replays
        events = [
            {"request_id": got["request_id"], "user_id": user, "item_id": item["item_id"], "type": "click",
             "timestamp": f"2026-12-07T10:{n % 60:02d}:{(n // 60) % 60:02d}Z", "event_id": f"load-{run}-{n}"}
            for n, (user, got, item) in enumerate((u, g, i) for u, g in served for i in g["items"] for _ in range(200))
        ]  # fmt: skip
        stored, started = 0, time.perf_counter()
        for b in range(batches):
            chunk = events[b * 1000 : (b + 1) * 1000]
            answer = await client.post(
                "/api/v1/feedback", json={"events": chunk}, headers={"Authorization": f"Bearer {writer}"}
            )
            stored += answer.json()["stored"]
        return batches * 1000 / (time.perf_counter() - started), stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", required=True)
    parser.add_argument("--db", help="a store to use instead of the demo")
    parser.add_argument("--users", help="CSV whose user_id column holds the shop's ids (default: the demo's)")
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--no-page", action="store_true")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db = Path(args.db) if args.db else demo_store(work)
    users = shop_ids(db, args.users)
    reader, writer = key(db, "read"), key(db, "events")
    port = _free_port()
    server = _serve(db, port)
    url = f"http://127.0.0.1:{port}"
    stop, visits = threading.Event(), []
    try:
        asyncio.run(steady(url, reader, users, 5, 2))  # warm: the recommender is fitted on the first request
        page = None if args.no_page else threading.Thread(target=keep_page_busy, args=(port, stop, visits))
        if page:
            page.start()
            time.sleep(5)
        load = os.getloadavg()[0]
        latencies, errors = asyncio.run(steady(url, reader, users, args.rate, args.seconds))
        stop.set()
        if page:
            page.join()
        ms = np.array(latencies) * 1000
        print(f"\nrecommendations: {len(ms):,} requests at {args.rate}/s for {args.seconds} s; "
              f"load average before {load:.2f}, after {os.getloadavg()[0]:.2f}; "
              f"dashboard reloads meanwhile: {len(visits)}")  # fmt: skip
        print("| p50 ms | p95 ms | p99 ms | max ms | errors |\n|--:|--:|--:|--:|--:|")
        print(f"| {np.percentile(ms, 50):.1f} | {np.percentile(ms, 95):.1f} | {np.percentile(ms, 99):.1f} | "
              f"{ms.max():.1f} | {errors} |")  # fmt: skip
        rate, stored = asyncio.run(feedback(url, reader, writer, users, args.batches))
        print(f"\nfeedback: {args.batches} batches of 1,000 events: {rate:,.0f} events/s ({stored:,} stored)")
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
