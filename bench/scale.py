"""A large shop end to end: generate it, ingest it, run jobs, and time every page in headless Chromium.

    python bench/scale.py --work /tmp/scale                 # 200 k users, 50 k items, 10 M events, 1 M reviews
    python bench/scale.py --work /tmp/small --users 20000 --items 5000 --events 1000000 --reviews 100000
    python bench/scale.py --work /tmp/scale --reuse --jobs keywords   # same files and store: a job, the pages

1. **generate** canonical ``items.csv``, ``events.csv`` (DuckDB, as bench/ingest_memory.py: a year of
   timestamps, a tenth purchases) and ``reviews.csv`` whose texts are resampled from the shared English,
   Chinese and Portuguese reviews (three languages, ratings from their labels);
2. **ingest** the folder with ``insight ingest`` in a child process: seconds, rows/s, peak memory;
3. **jobs** named by ``--jobs`` (``insight <job>``, e.g. keywords or sentiment), each timed;
4. **pages**: ``insight serve`` on the store; each page visited once cold (its first visit after the
   server started) and once warm, then a sidebar filter change on the Overview, timed from navigation
   (or the change) until Streamlit's script has finished and the page has drawn.

Figures print as Markdown with the machine's load next to them. Part of issue "Scale" (item 6).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402
from ingest_memory import generate as generate_events  # noqa: E402
from page_screenshots import CHROMIUM, FLAGS, _free_port, _serve  # noqa: E402

RATING = {"negative": 1, "neutral": 3, "positive": 5}


def generate(folder: Path, *, users: int, items: int, events: int, reviews: int) -> None:
    """items.csv and events.csv as bench/ingest_memory.py writes them, and reviews.csv of real texts."""
    generate_events(folder, events, items, users)
    pool = __import__("pandas").concat([_data.english(), _data.chinese(), _data.portuguese()], ignore_index=True)[
        ["text", "label", "language"]
    ]
    pool["rating"] = pool["label"].map(RATING)
    con = duckdb.connect()
    con.register("pool", pool[["text", "rating", "language"]].reset_index(drop=True))
    con.execute(
        f"""copy (with texts as (select row_number() over () - 1 as n, * from pool),
                      picks as (select i, hash(i * 11) % {len(pool)} as n from range({int(reviews)}) r(i))
                  select 'r' || i as review_id, 'user-' || (hash(i * 3) % {int(users)}) as user_id,
                         'sku-' || (hash(i * 5) % {int(items)}) as item_id, t.rating, t.text, t.language,
                         timestamp '2025-01-01' + to_seconds((hash(i * 17) % 31536000)::bigint) as timestamp
                    from picks join texts t using (n))
                to '{folder / "reviews.csv"}' (header)"""
    )


def run_cli(*args: str) -> tuple[float, float, str]:
    """(seconds, peak resident GiB of the child, last line printed) of one ``insight`` command."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "insight.cli", *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"insight {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    return seconds, peak, (done.stdout.strip().splitlines() or [""])[-1]


def _finished(page, timeout_ms: int = 300_000) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_timeout(200)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout_ms)


def time_pages(db: Path) -> list[tuple[str, float, float]]:
    """(page, cold seconds, warm seconds) for every page, and the Overview's filter change."""
    from playwright.sync_api import sync_playwright

    from insight.ui.navigation import all_pages

    port = _free_port()
    server = _serve(db, port)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1200})
            pages = all_pages()
            timings: dict[str, list[float]] = {}
            for _ in range(2):  # cold, then warm
                for spec in pages:
                    url = f"http://127.0.0.1:{port}/{'' if spec.default else Path(spec.path).stem}"
                    started = time.perf_counter()
                    page.goto(url, wait_until="domcontentloaded")
                    page.get_by_role("heading", name=spec.title).first.wait_for(timeout=300_000)
                    _finished(page)
                    timings.setdefault(spec.title, []).append(time.perf_counter() - started)
            rows = [(title, *seconds) for title, seconds in timings.items()]
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            _finished(page)
            for attempt in range(2):
                picker = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
                picker.click()
                started = time.perf_counter()
                page.keyboard.press("ArrowDown" if attempt else "Enter")
                if attempt:
                    page.keyboard.press("Enter")
                _finished(page)
                rows.append((f"Overview: category filter change {attempt + 1}", time.perf_counter() - started, 0.0))
                page.keyboard.press("Escape")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def main() -> None:
    """Generate (unless reused), ingest, run the jobs asked for, time the pages; print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="folder for the generated files and the store")
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the files and store already in --work")
    parser.add_argument("--jobs", default="", help="comma-separated jobs to run after ingest (e.g. keywords)")
    parser.add_argument("--no-pages", action="store_true")
    args = parser.parse_args()
    work = Path(args.work)
    files, db = work / "files", work / "shop.duckdb"
    os.environ.setdefault("INSIGHT_PSEUDONYM_KEY", "scale-bench-key")
    print(f"machine: {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}\n")
    print("| step | seconds | figure | load before |\n|---|---|---|---|")
    if not args.reuse or not (files / "reviews.csv").exists():
        load = os.getloadavg()[0]
        started = time.perf_counter()
        generate(files, users=args.users, items=args.items, events=args.events, reviews=args.reviews)
        print(f"| generate | {time.perf_counter() - started:.0f} | {args.events:,} events, {args.reviews:,} reviews | "
              f"{load:.2f} |", flush=True)  # fmt: skip
        db.unlink(missing_ok=True)
    if not db.exists():
        load = os.getloadavg()[0]
        seconds, peak, _ = run_cli("ingest", str(files), "--db", str(db))
        rows = args.events + args.reviews + args.items
        print(f"| ingest | {seconds:.0f} | {rows / seconds:,.0f} rows/s, peak RSS {peak:.2f} GiB | {load:.2f} |",
              flush=True)  # fmt: skip
    for job in filter(None, args.jobs.split(",")):
        load = os.getloadavg()[0]
        seconds, peak, said = run_cli(job, "--db", str(db))
        print(f"| job {job} | {seconds:.0f} | {said[:80]} (peak RSS {peak:.2f} GiB) | {load:.2f} |", flush=True)
    if args.no_pages:
        return
    load = os.getloadavg()[0]
    print(f"\nPages (load average before: {load:.2f})\n\n| page | cold s | warm s |\n|---|---|---|")
    for title, cold, warm in time_pages(db):
        print(f"| {title} | {cold:.2f} | {warm:.2f} |" if warm else f"| {title} | {cold:.2f} | |", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
