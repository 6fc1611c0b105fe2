"""API keys: made with a name and one scope, shown once, kept only as a hash, revocable.

A key reads ``ins_<key id>_<secret>``. The id finds the record; the secret (32 random bytes) is
compared by its SHA-256 in constant time. A random secret of that length needs no slow hash: there
is nothing to guess from its digest.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import duckdb

from insight.api.local import is_local_token
from insight.store import api as store
from insight.store.db import transaction

SCOPES = ("read", "events", "admin")  # admin may do everything; events may post feedback; read may read
GRANTS = {"read": {"read"}, "events": {"events"}, "admin": {"read", "events", "admin"}}
PREFIX = "ins_"


@dataclass(frozen=True)
class Caller:
    """Who a request's key belongs to."""

    key_id: str
    name: str
    scope: str

    def may(self, needed: str) -> bool:
        """Whether this key's scope grants ``needed`` (read, events or admin)."""
        return needed in GRANTS[self.scope]


def create_key(con: duckdb.DuckDBPyConnection, name: str, scope: str) -> str:
    """Make a key and return it: the only time it is ever shown."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope '{scope}': use one of {', '.join(SCOPES)}")
    if not name.strip():
        raise ValueError("a key needs a name (what will use it), e.g. --name checkout-service")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with transaction(con):
        store.insert_key(con, key_id=key_id, name=name.strip(), scope=scope, secret_sha=_digest(secret))
    return f"{PREFIX}{key_id}_{secret}"


def revoke_key(con: duckdb.DuckDBPyConnection, key_id: str) -> None:
    """Revoke a key by its id (the part after ``ins_``); a clear error when there is no such live key."""
    key_id = key_id.removeprefix(PREFIX).split("_")[0]
    with transaction(con):
        if not store.revoke_key(con, key_id):
            raise ValueError(f"no live key with id '{key_id}' (see `insight api-key list`)")


def authenticate(con: duckdb.DuckDBPyConnection, header: str | None) -> Caller | None:
    """The caller an ``Authorization: Bearer <key>`` header names, or None for no, malformed or wrong keys."""
    if not header or not header.startswith("Bearer "):
        return None
    token = header.removeprefix("Bearer ").strip()
    if is_local_token(token):
        return Caller("local", "insight CLI on this machine", "admin")
    if not token.startswith(PREFIX) or token.count("_") < 2:
        return None
    key_id, secret = token.removeprefix(PREFIX).split("_", 1)
    record = store.fetch_key(con, key_id)
    if record is None or not hmac.compare_digest(record["secret_sha"], _digest(secret)):
        return None
    return Caller(key_id, record["name"], record["scope"])


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
