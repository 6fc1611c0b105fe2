"""Time the Overview page's store reads on a synthetic shop of any size (10 M events by default).

    python bench/overview_queries.py --events 10000000 --users 200000 --items 50000 --reviews 1000000

The shop is generated in SQL straight into a fresh store (ids shaped like the pseudonyms and record
hashes ingest writes, 2,500 categories, three languages, a year of timestamps), so the reads are timed
on the same tables and indexes a real store has, in seconds rather than the minutes ingest takes. Each
read runs once cold and three times warm, with and without a category filter; the machine's load is
printed next to the times. This is the store half of "pages in a second" (issue "Scale"); page times in
a browser need bench/scale.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from insight.filters import Filters
from insight.store import connect, summaries
from insight.store import overview as reads


def generate(con, *, users: int, items: int, events: int, reviews: int) -> None:
    """Fill the store's tables with a synthetic shop (deterministic: every value derives from the row number)."""
    con.execute(
        """insert into users select 'u_' || md5('u' || i)[:22], timestamp '2025-01-01', null, null, null, 'b'
           from range($n) t(i)""",
        {"n": users},
    )
    con.execute(
        """insert into items select 'i' || i, 'item ' || i, 'category ' || (i % 2500), null, 10 + i % 90,
                  ['en', 'zh', 'pt'][1 + i % 3], 'b' from range($n) t(i)""",
        {"n": items},
    )
    con.execute(
        """insert into events select md5('e' || i), 'u_' || md5('u' || (hash(i) % $users))[:22],
                  'i' || (hash(i * 7) % $items),
                  ['view', 'view', 'view', 'cart', 'purchase'][1 + i % 5],
                  timestamp '2025-01-01' + to_seconds((hash(i * 3) % 31536000)::bigint), 1,
                  case when i % 5 = 4 then 20.0 else null end, null, 'b'
           from range($n) t(i)""",
        {"n": events, "users": users, "items": items},
    )
    con.execute(
        """insert into reviews select 'r' || i, 'u_' || md5('u' || (hash(i) % $users))[:22],
                  'i' || (hash(i * 5) % $items), 1 + i % 5, null, 'text ' || i,
                  timestamp '2025-01-01' + to_seconds((hash(i * 11) % 31536000)::bigint),
                  ['en', 'zh', 'pt'][1 + i % 3], null, 'b'
           from range($n) t(i)""",
        {"n": reviews, "users": users, "items": items},
    )
    summaries.rebuild(con)  # ingest keeps the summaries; a shop written straight into tables needs them counted
    con.execute("checkpoint")


def timed(function, *args, **kwargs) -> tuple[float, list[float]]:
    """Seconds for a cold call and for three warm ones."""
    started = time.perf_counter()
    function(*args, **kwargs)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(3):
        started = time.perf_counter()
        function(*args, **kwargs)
        warm.append(time.perf_counter() - started)
    return cold, warm


def main() -> None:
    """Generate the shop, then time each Overview read with and without a filter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--store", help="keep the generated shop here and reuse it on the next run")
    args = parser.parse_args()
    path = Path(args.store) if args.store else Path(tempfile.mkdtemp()) / "shop.duckdb"
    os.environ.setdefault("INSIGHT_PSEUDONYM_KEY", "bench-key")
    fresh = not path.exists()
    con = connect(path)
    if fresh:
        started = time.perf_counter()
        generate(con, users=args.users, items=args.items, events=args.events, reviews=args.reviews)
        print(f"generated {args.events:,} events, {args.reviews:,} reviews in {time.perf_counter() - started:.1f} s")
    else:
        print(f"reusing {path}: {con.execute('select count(*) from events').fetchall()[0][0]:,} events")
    print(f"load average before timing: {os.getloadavg()[0]:.2f} (2 cores)")
    category = "category 7"
    cases = {
        "kpis": (reads.fetch_kpis, {}),
        "event_activity (week)": (reads.fetch_event_activity, {"grain": "week"}),
        "review_activity (week)": (reads.fetch_review_activity, {"grain": "week"}),
        "top_categories": (reads.fetch_top_categories, {}),
        "filter_options": (reads.fetch_filter_options, None),
    }
    print("| read | filter | cold s | warm s (median of 3) |\n|---|---|---|---|")
    for name, (function, options) in cases.items():
        for label, filters in (("none", Filters()), (category, Filters(categories=(category,)))):
            if options is None:
                if label != "none":
                    continue
                cold, warm = timed(function, con)
            else:
                cold, warm = timed(function, con, filters, **options)
            print(f"| {name} | {label} | {cold:.2f} | {statistics.median(warm):.2f} |")
    span = Filters(start=date(2025, 6, 1), end=date(2025, 6, 30))
    cold, warm = timed(reads.fetch_kpis, con, span)
    print(f"| kpis | June only | {cold:.2f} | {statistics.median(warm):.2f} |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
