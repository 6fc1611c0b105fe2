"""Peak memory and speed of ingesting a large events file: read in slices (now) against read whole (before).

    python bench/ingest_memory.py --events 3000000            # both ways, 3 M events
    python bench/ingest_memory.py --events 30000000 --only sliced

A canonical events file of the given size is generated with DuckDB (ids shaped like a shop's, a year
of timestamps, a tenth of them purchases with quantity and value) plus an items file, then each
way ingests it into a fresh store in its own process (``insight.ingest``, as ``insight ingest``
runs it); the child's peak resident memory (its own ``ru_maxrss``) and ingest time are printed with the
machine's load. "whole" forces the whole-file reader by raising the streaming threshold out of
reach, which is what every input got before slices. Part of issue "Scale" (ingest in bounded memory).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

CHILD = """
import resource, sys, time
import insight, insight.ingestion.chunks as chunks
if sys.argv[3] == "whole":
    chunks.STREAM_BYTES = 1 << 62
started = time.perf_counter()
report = insight.ingest(sys.argv[1], db=sys.argv[2])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(report.status, report.loaded.get("events", 0), round(seconds, 1), round(peak, 3))
"""


def generate(folder: Path, events: int, items: int, users: int) -> None:
    """events.csv and items.csv in the canonical format."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(
        f"""copy (select 'sku-' || i as item_id, 'Item ' || i || ' of category ' || (i % 500) as title,
                         'category ' || (i % 500) as category, 10 + i % 90 as price
                  from range({int(items)}) t(i)) to '{folder / "items.csv"}' (header)"""
    )
    con.execute(
        f"""copy (select 'user-' || (hash(i) % {int(users)}) as user_id,
                         'sku-' || (hash(i * 7) % {int(items)}) as item_id,
                         case when i % 10 = 0 then 'purchase' when i % 10 = 1 then 'cart' else 'view' end as event_type,
                         timestamp '2025-01-01' + to_seconds((hash(i * 13) % 31536000)::bigint) as timestamp,
                         case when i % 10 = 0 then 1 + i % 3 end as quantity,
                         case when i % 10 = 0 then round(10 + (i % 9000) / 100.0, 2) end as value
                  from range({int(events)}) t(i)) to '{folder / "events.csv"}' (header)"""
    )


def run(way: str, files: Path, store: Path) -> tuple[str, int, float, float]:
    """(status, events loaded, seconds in ingest, peak RSS in GiB) of one ingest in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(files), str(store), way], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{way} ingest failed:\n{done.stderr[-2000:]}")
    status, loaded, seconds, peak = done.stdout.split()[-4:]
    return status, int(loaded), float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--only", choices=["sliced", "whole"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp) / "files"
        t = time.perf_counter()
        generate(files, args.events, args.items, args.users)
        size = sum(p.stat().st_size for p in files.iterdir()) / 2**20
        print(f"generated {args.events:,} events ({size:,.0f} MiB of CSV) in {time.perf_counter() - t:.0f} s")
        for way in [args.only] if args.only else ["sliced", "whole"]:
            load = os.getloadavg()[0]
            status, loaded, seconds, peak = run(way, files, Path(tmp) / f"{way}.duckdb")
            rows = args.events + args.items
            print(
                f"{way:>6}: {status}, {loaded:,} events | {seconds:.1f} s, {rows / seconds:,.0f} rows/s, "
                f"peak RSS {peak:.2f} GiB | load before {load:.2f} (2 cores)",
                flush=True,
            )


if __name__ == "__main__":
    main()
