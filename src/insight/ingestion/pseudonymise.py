"""HMAC-SHA256 pseudonyms for user ids, so raw customer ids never reach the store.

The key comes from ``INSIGHT_PSEUDONYM_KEY``, else ``pseudonym_key`` in ``.streamlit/secrets.toml``,
else a random key created once beside the store (``<db>.key``). The same key always gives the same
pseudonym, which is what makes re-ingestion idempotent; losing the key means new data no longer
joins old users.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tomllib
from pathlib import Path

import pandas as pd

PREFIX = "u_"
_MEMORY_KEY = secrets.token_hex(32)  # for throw-away in-memory stores


def pseudonym_key(db_path: str | Path | None) -> bytes:
    """The pseudonymisation key for the store at ``db_path``, creating a key file if none is configured."""
    if os.environ.get("INSIGHT_PSEUDONYM_KEY"):
        return os.environ["INSIGHT_PSEUDONYM_KEY"].encode()
    secrets_file = Path(".streamlit/secrets.toml")
    if secrets_file.exists():
        configured = tomllib.loads(secrets_file.read_text()).get("pseudonym_key")
        if configured:
            return str(configured).encode()
    if db_path is None or str(db_path) == ":memory:":
        return _MEMORY_KEY.encode()
    key_file = Path(f"{db_path}.key")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip().encode()


def pseudonymise(ids: pd.Series, key: bytes) -> pd.Series:
    """Pseudonym per raw id (nulls stay null); each distinct id is hashed once."""
    distinct = ids.dropna().astype(str).unique()
    table = {raw: PREFIX + hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()[:20] for raw in distinct}
    return ids.map(lambda raw: table.get(str(raw)) if pd.notna(raw) else None)
