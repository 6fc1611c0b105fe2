"""Peak memory and speed of ingesting a large events file: read in slices (now) against read whole (before).

    python bench/ingest_memory.py --events 3000000            # both ways, 3 M events
    python bench/ingest_memory.py --events 30000000 --only sliced
    python bench/ingest_memory.py --files /tmp/scale/files --only sliced --workers 2   # bench/scale.py's shop

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
import os, resource, sys, threading, time
import insight, insight.ingestion.chunks as chunks
if sys.argv[3] == "whole":
    chunks.STREAM_BYTES = 1 << 62

def tree_rss():  # this process and every descendant (INSIGHT_INGEST_WORKERS processes), in bytes
    parent = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            parent[int(name)] = int(open(f"/proc/{name}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            pass
    family, frontier = [], [os.getpid()]
    while frontier:
        pid = frontier.pop()
        family.append(pid)
        frontier += [c for c, p in parent.items() if p == pid]
    total = 0
    for pid in family:
        try:
            total += next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")) * 1024
        except (OSError, StopIteration):
            pass
    return total

peak, stop = [0], threading.Event()
def sample():
    while not stop.is_set():
        peak[0] = max(peak[0], tree_rss())
        time.sleep(0.2)
threading.Thread(target=sample, daemon=True).start()
started = time.perf_counter()
report = insight.ingest(sys.argv[1], db=sys.argv[2])
seconds = time.perf_counter() - started
stop.set()
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(report.status, report.rows_read, round(seconds, 1), round(own, 3), round(max(peak[0] / 2**30, own), 3))
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


def run(way: str, files: Path, store: Path, workers: int) -> tuple[str, int, float, float, float]:
    """(status, rows read, seconds in ingest, peak RSS of the process, peak RSS with its workers, in GiB)."""
    env = {**os.environ, "INSIGHT_INGEST_WORKERS": str(workers)}
    env.setdefault("INSIGHT_PSEUDONYM_KEY", "bench-key")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(files), str(store), way], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode:
        raise SystemExit(f"{way} ingest failed:\n{done.stderr[-2000:]}")
    status, rows, seconds, own, total = done.stdout.split()[-5:]
    return status, int(rows), float(seconds), float(own), float(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--only", choices=["sliced", "whole"])
    parser.add_argument("--files", help="ingest this folder (e.g. bench/scale.py's files) instead of generating one")
    parser.add_argument("--workers", type=int, default=1, help="INSIGHT_INGEST_WORKERS for the ingest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(args.files) if args.files else Path(tmp) / "files"
        if not args.files:
            t = time.perf_counter()
            generate(files, args.events, args.items, args.users)
            print(f"generated {args.events:,} events in {time.perf_counter() - t:.0f} s")
        size = sum(p.stat().st_size for p in files.iterdir()) / 2**20
        for way in [args.only] if args.only else ["sliced", "whole"]:
            load = os.getloadavg()[0]
            status, rows, seconds, own, total = run(way, files, Path(tmp) / f"{way}.duckdb", args.workers)
            print(
                f"{way:>6}, {args.workers} worker(s): {status}, {rows:,} rows ({size:,.0f} MiB) | {seconds:.1f} s, "
                f"{rows / seconds:,.0f} rows/s, peak RSS {own:.2f} GiB, with workers {total:.2f} GiB | "
                f"load before {load:.2f} ({os.cpu_count()} cores)",
                flush=True,
            )


if __name__ == "__main__":
    main()
