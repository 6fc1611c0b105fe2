"""The ``insight`` command: a thin layer over the Python API (demo, ingest, batches, serve)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from insight import config

APP = Path(__file__).resolve().parents[2] / "app.py"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            print(
                f"error: the store {args.db or config.db_path()} is open in another process (is the app "
                "running?); stop it, or use the app's Ingest page",
                file=sys.stderr,
            )
            return 3
        raise
    except Exception as exc:  # one line for the person at the terminal; the traceback helps nobody there
        from insight.ingestion import IngestError

        if isinstance(exc, IngestError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


def _parser() -> argparse.ArgumentParser:
    from insight.ingestion.adapters import ADAPTERS

    parser = argparse.ArgumentParser(prog="insight", description="Analytics workbench for e-commerce teams.")
    sub = parser.add_subparsers(dest="command")

    ingest = sub.add_parser("ingest", help="load a file, archive or folder and print its quality report")
    ingest.add_argument("path")
    ingest.add_argument("--format", choices=sorted(ADAPTERS), help="adapter to use (default: detect)")
    ingest.add_argument("--encoding", default="utf-8", help="text encoding of CSV/JSONL files (default utf-8)")
    ingest.add_argument("--db", help="store path (default: INSIGHT_DB_PATH or data/insight.duckdb)")
    ingest.set_defaults(run=_ingest)

    demo = sub.add_parser("demo", help="build a store from generated demo data and start the app on it")
    demo.add_argument("--db", help="store path (default: INSIGHT_DB_PATH or data/insight.duckdb)")
    demo.add_argument("--no-serve", action="store_true", help="only build the store")
    demo.add_argument("--port", type=int, default=8501)
    demo.set_defaults(run=_demo)

    batches = sub.add_parser("batches", help="list recent ingest batches with their reports")
    batches.add_argument("--db")
    batches.add_argument("--limit", type=int, default=10)
    batches.set_defaults(run=_batches)

    serve = sub.add_parser("serve", help="start the app on a store")
    serve.add_argument("--db")
    serve.add_argument("--port", type=int, default=8501)
    serve.set_defaults(run=lambda a: _serve(Path(a.db or config.db_path()), a.port))
    return parser


def _ingest(args: argparse.Namespace) -> int:
    import insight

    report = insight.ingest(args.path, format=args.format, db=args.db, encoding=args.encoding)
    print(report.to_text())
    if not report.ok:
        print(f"error: {report.message}", file=sys.stderr)
        return 1
    return 0


def _demo(args: argparse.Namespace) -> int:
    from insight.demo.build import build_demo_store

    db = Path(args.db or config.db_path())
    for report in build_demo_store(db):
        print(report.to_text())
    print(f"demo store ready: {db}")
    return 0 if args.no_serve else _serve(db, args.port)


def _batches(args: argparse.Namespace) -> int:
    from insight.ingestion.report import IngestReport
    from insight.store import connect
    from insight.store.batches import fetch_batches

    con = connect(args.db)
    for row in fetch_batches(con, limit=args.limit).itertuples():
        print(IngestReport.from_dict(row.report).to_text() if row.report else f"{row.source}: {row.status}")
        print()
    return 0


def _serve(db: Path, port: int) -> int:
    env = {**os.environ, "INSIGHT_DB_PATH": str(db.resolve())}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.maxUploadSize",
        config.setting("INSIGHT_MAX_UPLOAD_MB"),
    ]
    print("starting:", " ".join(command), f"(store {db})")
    return subprocess.call(command, env=env, cwd=APP.parent)


if __name__ == "__main__":
    sys.exit(main())
