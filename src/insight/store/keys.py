"""The pseudonym key of a store: where it is found, and the fingerprint the store keeps of it.

The key is found the same way wherever a command runs: ``INSIGHT_PSEUDONYM_KEY`` when set, else the
key file beside the store (``<db>.key``, created once with mode 0600). Nothing relative to the working
directory is consulted, so one raw id always gets one pseudonym in one store.

The store records a fingerprint of the key (a truncated HMAC of a fixed message under the key, never
the key itself) in ``meta`` the first time data is ingested with it. Afterwards the store refuses
another key, before anything is written: ingestion checks it, and so does every read-write
``connect`` that can find a key. Otherwise new data would silently stop joining the old users.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb

ENV = "INSIGHT_PSEUDONYM_KEY"
_FINGERPRINT_MESSAGE = b"insight pseudonym key fingerprint v1"
_MEMORY_KEY = secrets.token_hex(32).encode()  # throw-away in-memory stores only


class PseudonymKeyError(Exception):
    """The key at hand is not the one the store was made with (or no key can be found for it)."""


@dataclass(frozen=True)
class PseudonymKey:
    """A pseudonymisation key and where it came from (for messages; the key is never printed)."""

    secret: bytes
    source: str  # "INSIGHT_PSEUDONYM_KEY", "key file /abs/store.duckdb.key" or "a throw-away key"

    @property
    def fingerprint(self) -> str:
        """16 hex digits that identify the key without revealing it."""
        return hmac.new(self.secret, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def key_file(db_path: str | Path) -> Path:
    """The key file beside the store at ``db_path``."""
    return Path(f"{Path(db_path).expanduser().resolve()}.key")


def find_key(db_path: str | Path | None, *, create: bool) -> PseudonymKey | None:
    """The key for the store at ``db_path``: the environment, else its key file (created when ``create``).

    In-memory stores (``None`` or ``":memory:"``) get a per-process throw-away key unless the
    environment names one. Returns None only when there is no key and ``create`` is false.
    """
    if os.environ.get(ENV):
        return PseudonymKey(os.environ[ENV].encode(), ENV)
    if db_path is None or str(db_path) == ":memory:":
        return PseudonymKey(_MEMORY_KEY, "a throw-away key (in-memory store)")
    path = key_file(db_path)
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two processes racing to create it never overwrite each other's key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return PseudonymKey(path.read_text().strip().encode(), f"key file {path}")


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(fingerprint, key source) recorded in this store, or None when no key was used with it yet."""
    rows = con.execute(
        "select key, value from meta where key in ('pseudonym_key_fingerprint', 'pseudonym_key_source')"
    ).fetchall()
    found = dict(rows)
    if "pseudonym_key_fingerprint" not in found:
        return None
    return found["pseudonym_key_fingerprint"], found.get("pseudonym_key_source", "an unknown source")


def check_key(con: duckdb.DuckDBPyConnection, key: PseudonymKey | None, *, db_path: str | Path | None) -> None:
    """Raise ``PseudonymKeyError`` when the store was made with a key other than ``key``.

    ``key`` None means no key could be found; that is only an error for a store that has one recorded.
    """
    recorded = stored_fingerprint(con)
    if recorded is None or (key is not None and key.fingerprint == recorded[0]):
        return
    fingerprint, source = recorded
    store = str(db_path) if db_path is not None else "this store"
    if key is None:
        raise PseudonymKeyError(
            f"the store {store} was made with the pseudonym key from {source} (fingerprint {fingerprint}), "
            f"but no key was found ({ENV} is unset and there is no {key_file(db_path)}). Nothing was written. "
            f"To fix it, set {ENV} to that key."
        )
    fix = (
        f"set {ENV} to the original key, or unset it if the original is in {key_file(db_path)}"
        if key.source == ENV
        else f"set {ENV} to the original key"
    )
    raise PseudonymKeyError(
        f"the store {store} was made with another pseudonym key: this one comes from {key.source} "
        f"(fingerprint {key.fingerprint}), the store's from {source} (fingerprint {fingerprint}). "
        f"Nothing was written. To fix it, {fix}; or use a new store (--db) for this key."
    )


def key_for_store(con: duckdb.DuckDBPyConnection, db_path: str | Path | None) -> PseudonymKey:
    """The key to pseudonymise data for this store, checked against its fingerprint.

    A key file is created only for a store that has no key recorded yet; a store made under another
    key raises ``PseudonymKeyError`` before anything (key file included) is written.
    """
    key = find_key(db_path, create=False)
    check_key(con, key, db_path=db_path)
    return key or find_key(db_path, create=True)


def record_key(con: duckdb.DuckDBPyConnection, key: PseudonymKey) -> None:
    """Remember ``key``'s fingerprint in a store that has none yet (call inside the writing transaction)."""
    if stored_fingerprint(con) is not None:
        return
    con.execute(
        "insert into meta (key, value) values ('pseudonym_key_fingerprint', $fp), ('pseudonym_key_source', $source)",
        {"fp": key.fingerprint, "source": key.source},
    )
