"""The ``insight`` command: a thin layer over the Python API (demo, ingest, batches, serve)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from insight import config

APP = Path(__file__).resolve().parents[2] / "app.py"
# The jobs a command runs in the foreground; their options come from the job's parameters (insight.job_params).
JOB_COMMANDS = (
    ("encode", "encode", "embed texts not embedded yet (a background job in the app)"),
    ("sentiment", "sentiment", "score every review's sentiment"),
    ("finetune-sentiment", "sentiment_finetune", "fine-tune the encoder on this store's rated reviews"),
    ("keywords", "keywords", "extract keywords, keyword trends and bursts from reviews"),
    ("segments", "segments", "profile every user and segment them (UMAP + HDBSCAN, stable ids)"),
    ("topics", "topics", "find what reviews talk about (UMAP + HDBSCAN over reviews, stable ids)"),
    ("aspects", "aspects", "find review aspects per category, their sentiment, and alerts on rising complaints"),
)


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
        if "lock" in str(exc).lower() and args.command == "ingest":
            from insight.cli_keys import ingest_through_app

            handed = ingest_through_app(args)
            if handed is not None:
                return handed
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
        from insight.jobs.tasks import JobError
        from insight.store.keys import PseudonymKeyError

        if isinstance(exc, IngestError | PseudonymKeyError | JobError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


def _parser() -> argparse.ArgumentParser:
    from insight.cli_keys import add_commands as add_key_commands
    from insight.ingestion.adapters import ADAPTERS
    from insight.jobs.tasks import TASKS
    from insight.params import add_arguments, from_args

    parser = argparse.ArgumentParser(prog="insight", description="Analytics workbench for e-commerce teams.")
    sub = parser.add_subparsers(dest="command")

    ingest = sub.add_parser("ingest", help="load a file, archive or folder and print its quality report")
    ingest.add_argument("path")
    ingest.add_argument("--format", choices=sorted(ADAPTERS), help="adapter to use (default: detect)")
    ingest.add_argument("--encoding", default="utf-8", help="text encoding of CSV/JSONL files (default utf-8)")
    ingest.add_argument(
        "--date-format",
        help="how to read dates such as 03/04/2024, e.g. %%d/%%m/%%Y (day first) or %%m/%%d/%%Y (default: ISO; "
        "other numeric dates only when the file itself settles the order, else they are quarantined)",
    )
    ingest.add_argument("--db", help="store path (default: INSIGHT_DB_PATH or data/insight.duckdb)")
    ingest.set_defaults(run=_ingest)

    demo = sub.add_parser("demo", help="build a store from generated demo data and start the app on it")
    demo.add_argument("--db", help="store path (default: INSIGHT_DB_PATH or data/insight.duckdb)")
    demo.add_argument("--no-serve", action="store_true", help="only build the store")
    _serve_options(demo)
    demo.set_defaults(run=_demo)

    batches = sub.add_parser("batches", help="list recent ingest batches with their reports")
    batches.add_argument("--db")
    batches.add_argument("--limit", type=int, default=10)
    batches.set_defaults(run=_batches)

    for command, kind, help in JOB_COMMANDS:
        job = sub.add_parser(command, help=help)
        add_arguments(job, TASKS[kind].params)
        job.add_argument("--db")
        job.set_defaults(run=lambda a, kind=kind: _job(a, kind, from_args(TASKS[kind].params, a)))

    recommend = sub.add_parser("recommend", help="a shopper's recommendations, each with the reason it is there")
    recommend.add_argument("user_id", help="pseudonymous user id (an unknown id gets --text matches or best-sellers)")
    recommend.add_argument("--k", type=int, default=10, help="items in the list (default 10)")
    recommend.add_argument("--exploration", type=float, default=0.2, help="share of slots for new areas, 0-1")
    recommend.add_argument("--policy", default="thompson", choices=["thompson", "ucb"])
    recommend.add_argument("--text", help="what a new visitor wrote: used when the user has no history")
    recommend.add_argument("--db")
    recommend.set_defaults(run=_recommend)

    evaluate = sub.add_parser("evaluate-recs", help="evaluate recommendations on a time split (vs popularity, ALS)")
    add_arguments(evaluate, TASKS["recommend_eval"].params)
    evaluate.add_argument("--db")
    evaluate.set_defaults(run=_evaluate_recs)

    jobs = sub.add_parser("jobs", help="list recent jobs with their provenance")
    jobs.add_argument("--db")
    jobs.add_argument("--limit", type=int, default=10)
    jobs.set_defaults(run=_jobs)

    add_key_commands(sub)

    serve = sub.add_parser("serve", help="start the app on a store (127.0.0.1 only unless sign-in is configured)")
    serve.add_argument("--db")
    _serve_options(serve)
    serve.set_defaults(run=lambda a: _serve(Path(a.db or config.db_path()), a))
    return parser


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument(
        "--address",
        help="address to listen on (default: 127.0.0.1 without sign-in, every interface with sign-in)",
    )
    parser.add_argument(
        "--secrets",
        help="Streamlit secrets file with the [auth] sign-in settings (default: ~/.streamlit/secrets.toml and "
        ".streamlit/secrets.toml in the app folder)",
    )
    parser.add_argument(
        "--no-auth",
        action="store_true",
        dest="no_auth",
        help="allow listening on a non-local address without sign-in (anyone who reaches it can read the data)",
    )


def _ingest(args: argparse.Namespace) -> int:
    import insight

    report = insight.ingest(
        args.path, format=args.format, db=args.db, encoding=args.encoding, date_format=args.date_format
    )
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
    return 0 if args.no_serve else _serve(db, args)


def _batches(args: argparse.Namespace) -> int:
    from insight.ingestion.report import IngestReport
    from insight.store import connect
    from insight.store.batches import fetch_batches

    con = connect(args.db)
    for row in fetch_batches(con, limit=args.limit).itertuples():
        print(IngestReport.from_dict(row.report).to_text() if row.report else f"{row.source}: {row.status}")
        print()
    return 0


def _job(args: argparse.Namespace, kind: str, params: dict) -> int:
    """Run a job in the foreground exactly as the app's worker would, with a progress bar."""
    import time

    from tqdm import tqdm

    from insight.jobs.runner import new_job, run_job
    from insight.progress import describe_time_left
    from insight.store import connect
    from insight.store.jobs import fail_orphans, fetch_job

    con = connect(args.db)
    fail_orphans(con)  # this process owns the file now: anything still "running" was interrupted
    job_id = new_job(con, kind, params)
    started = time.monotonic()
    with tqdm(total=100, desc=kind, bar_format="{percentage:3.0f}%|{bar}| {desc}") as bar:  # desc: no comma

        def echo(fraction: float, message: str) -> None:
            bar.n = round(100 * fraction)
            left = describe_time_left(time.monotonic() - started, fraction)
            bar.set_description_str(f"{kind}, {left} · {message[:60]}")

        status = run_job(con, job_id, kind, params, echo=echo)
    job = fetch_job(con, job_id)
    print(f"{job_id}: {status} — {job['message']}")
    return 0 if status == "done" else 1


def _recommend(args: argparse.Namespace) -> int:
    from insight.recommendations import recommend
    from insight.recommendations.job import store_model
    from insight.store import connect

    con = connect(args.db)
    try:
        picks = recommend(
            con,
            args.user_id,
            k=args.k,
            exploration=args.exploration,
            text=args.text,
            model=store_model(con),
            policy=args.policy,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if (picks["kind"] == "popular").all():
        print(f"{args.user_id}: no history to learn from" + ("" if args.text else " and no --text") + "; best-sellers:")
    else:
        print(f"{args.user_id}: {len(picks)} items (exploration {args.exploration:g}, {args.policy})")
    for rank, row in enumerate(picks.itertuples(), start=1):
        print(f"{rank:>3}. [{row.kind}] {row.title}\n       why: {row.reason}")
    return 0


def _evaluate_recs(args: argparse.Namespace) -> int:
    import pandas as pd

    from insight.jobs.tasks import TASKS
    from insight.params import from_args
    from insight.recommendations.job import tradeoff_sentence
    from insight.store import connect
    from insight.store.runs import current_run

    status = _job(args, "recommend_eval", from_args(TASKS["recommend_eval"].params, args))
    if status:
        return status
    run = current_run(connect(args.db), "recommend_eval")
    evaluation = run["params"]
    results = pd.DataFrame(evaluation["results"])
    print(
        f"\n{evaluation['users']:,} shoppers, {evaluation['catalogue']:,} items, model {evaluation['model']}; "
        f"train before {evaluation['split_date']}, test on purchases from then (k = {evaluation['k']})\n"
    )
    print(results.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print("\n" + tradeoff_sentence(results, k=evaluation["k"]))
    return 0


def _jobs(args: argparse.Namespace) -> int:
    from insight.store import connect
    from insight.store.jobs import fail_orphans, fetch_jobs

    con = connect(args.db)
    fail_orphans(con)  # this process holds the store, so no job of another process can still be running
    frame = fetch_jobs(con, limit=args.limit)
    for row in frame.itertuples():
        print(f"{row.created_at:%Y-%m-%d %H:%M}  {row.job_id:<22} {row.status:<9} {row.device or '':<5} {row.message}")
    return 0


def _serve(db: Path, args: argparse.Namespace) -> int:
    """Replace this process with the app's server on ``db``; 2 with the reason when that would be unsafe."""
    from insight import serving

    try:
        return serving.serve(
            db, app_dir=APP.parent, port=args.port, address=args.address, no_auth=args.no_auth, secrets=args.secrets
        )
    except serving.ServeRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
