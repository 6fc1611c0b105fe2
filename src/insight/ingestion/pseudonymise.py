"""HMAC-SHA256 pseudonyms for user ids, so raw customer ids never reach the store.

The key is ``INSIGHT_PSEUDONYM_KEY``, else a random key created once beside the store (``<db>.key``,
mode 0600): see ``insight.store.keys``, which also keeps the store from being fed under two keys.
The same key always gives the same pseudonym, which is what makes re-ingestion idempotent; losing
the key means new data no longer joins old users.

Quarantined rows are pseudonymised too: their stored ``record`` carries the pseudonym where the
source had the raw id, so a rejected row can still be matched to its user without revealing them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import numpy as np
import pandas as pd

from insight.store.keys import PseudonymKey, find_key

PREFIX = "u_"
KNOWN_LIMIT = 2_000_000  # raw ids remembered across the slices of one batch (~300 MB at most)
_PSEUDONYM = re.compile(r"u_[0-9a-f]{20}")


def pseudonym_key(db_path) -> bytes:
    """The key for the store at ``db_path`` (created beside it when none is configured)."""
    return find_key(db_path, create=True).secret


def pseudonym(raw: str, key: bytes) -> str:
    """The pseudonym of one raw id."""
    return PREFIX + hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()[:20]


def stored_user_ids(typed: str, key: bytes | PseudonymKey | None) -> list[str]:
    """The ids a user typed in a look-up may mean in the store, most likely first.

    People look users up by the shop's own customer id ("12345"), which the store only knows by its
    pseudonym; the key that made the pseudonyms turns one into the other without storing the raw id.
    A typed pseudonym is taken as it is; anything else is tried as the shop's id, then as typed.
    """
    typed = typed.strip()
    if not typed:
        return []
    if _PSEUDONYM.fullmatch(typed) or key is None:
        return [typed]
    secret = key.secret if isinstance(key, PseudonymKey) else key
    return [pseudonym(typed, secret), typed]


def pseudonymise(ids: pd.Series, key: bytes | PseudonymKey, known: dict[str, str] | None = None) -> pd.Series:
    """Pseudonym per raw id (nulls stay null); each distinct id is hashed once.

    ``known`` (raw id -> pseudonym) carries pseudonyms across the slices of a large batch, where
    the same customers come back in every slice; it is emptied when it reaches
    :data:`KNOWN_LIMIT` ids, so its memory stays bounded.
    """
    secret = key.secret if isinstance(key, PseudonymKey) else key
    known = {} if known is None else known
    if len(known) > KNOWN_LIMIT:
        known.clear()
    codes, distinct = pd.factorize(ids, use_na_sentinel=True)
    keyed = hmac.new(secret, digestmod=hashlib.sha256)  # the key's set-up done once, copied per id
    texts = [raw if isinstance(raw, str) else str(raw) for raw in distinct.tolist()]  # not item by item from Arrow
    names = [known.get(text) for text in texts]
    for number in [n for n, name in enumerate(names) if name is None]:  # ids no earlier slice had
        digest = keyed.copy()
        digest.update(texts[number].encode())
        names[number] = known[texts[number]] = PREFIX + digest.hexdigest()[:20]
    table = np.array([*names, None], dtype=object)  # code -1 (a null id) picks the final None
    return pd.Series(table[codes], index=ids.index, dtype=object)


def scrub_record(record: dict, key: bytes, *, personal: set[str]) -> dict:
    """A quarantined row as it may be stored: the user id pseudonymised, personal data left out.

    ``personal`` holds the lower-cased names of columns judged personal for this batch; such a
    column is removed whether it sits in the record itself or inside its JSON ``attributes``.
    Attributes that are not valid JSON cannot be checked, so they are not stored at all (the row's
    reason already says why it was set aside).
    """
    clean = {k: v for k, v in record.items() if str(k).lower() not in personal}
    raw_id = clean.get("user_id")
    if not _missing(raw_id):
        clean["user_id"] = pseudonym(str(raw_id).strip(), key)
    attributes = clean.get("attributes")
    if isinstance(attributes, str) and attributes.strip():
        try:
            parsed = json.loads(attributes)
        except json.JSONDecodeError:
            clean["attributes"] = None
        else:
            clean["attributes"] = (
                json.dumps({k: v for k, v in parsed.items() if k.lower() not in personal}, ensure_ascii=False)
                if isinstance(parsed, dict)
                else None
            )
    return clean


def _missing(value) -> bool:
    return value is None or (not isinstance(value, list | dict) and bool(pd.isna(value)))
