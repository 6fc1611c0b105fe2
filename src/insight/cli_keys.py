"""``insight api-key``, the keys the shop's systems call ``/api/v1`` with; ``insight ingest`` through the app.

When the running app holds the store, ``insight ingest`` sends its input to the app instead of failing.
"""

from __future__ import annotations

import argparse
import sys


def add_commands(sub) -> None:
    """The ``api-key`` command and its three sub-commands."""
    from insight.api import SCOPES

    keys = sub.add_parser("api-key", help="make, list or revoke keys for the REST API (/api/v1)")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a key; it is printed once and stored only as a hash")
    create.add_argument("--name", required=True, help="what will use the key, e.g. checkout-service")
    create.add_argument("--scope", required=True, choices=SCOPES, help="read, events (post feedback) or admin")
    create.add_argument("--db")
    create.set_defaults(run=_create)
    listed = actions.add_parser("list", help="every key with its scope, when it was made and revoked")
    listed.add_argument("--db")
    listed.set_defaults(run=_list)
    revoke = actions.add_parser("revoke", help="revoke a key by its id (the part after ins_, or the whole key)")
    revoke.add_argument("key_id")
    revoke.add_argument("--db")
    revoke.set_defaults(run=_revoke)


def _create(args: argparse.Namespace) -> int:
    from insight.api import create_key
    from insight.store import connect

    con = connect(args.db)
    try:
        key = create_key(con, args.name, args.scope)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(key)
    print(f"(scope {args.scope}; shown once and stored only as a hash: keep it now)", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    import pandas as pd

    from insight.store import connect
    from insight.store.api import fetch_keys

    con = connect(args.db, read_only=True)
    try:
        frame = fetch_keys(con)
    finally:
        con.close()
    if frame.empty:
        print("no API keys yet: insight api-key create --name NAME --scope read")
        return 0
    for row in frame.itertuples():
        state = "live" if pd.isna(row.revoked_at) else f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
        print(f"{row.key_id}  {row.scope:<6}  {row.name}  made {row.created_at:%Y-%m-%d %H:%M}  {state}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from insight.api import revoke_key
    from insight.store import connect

    con = connect(args.db)
    try:
        revoke_key(con, args.key_id)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"revoked {args.key_id}")
    return 0


def ingest_through_app(args: argparse.Namespace) -> int | None:
    """Send ``insight ingest``'s input to the app that holds the store; None when no app says it does."""
    from insight import config
    from insight.api.local import find_door, send_ingest
    from insight.ingestion.report import IngestReport

    door = find_door(args.db or config.db_path())
    if door is None:
        return None
    print(f"the store is held by the running app at {door['url']}: loading through it", file=sys.stderr)
    status, answer = send_ingest(
        door, args.path, format=args.format, encoding=args.encoding, date_format=args.date_format
    )
    if status in (200, 422):
        report = IngestReport.from_dict(answer)
        print(report.to_text())
        if not report.ok:
            print(f"error: {report.message}", file=sys.stderr)
        return 0 if report.ok else 1
    print(f"error: {answer.get('error', f'the app answered {status}')}", file=sys.stderr)
    return 1
