"""Embeddings of candidate name terms under the store's encoder, cached in the store like any text.

Naming a group compares words and phrases ("running shoes", "跑鞋") with the group's centre, so they
need vectors from the same model as the texts. The ``embeddings`` table is a cache keyed by model
and the md5 of the text, so a term is encoded once per store and model, and a term that is also an
item title or a search query shares that text's vector.
"""

from __future__ import annotations

import hashlib

import duckdb
import numpy as np

from insight.progress import ProgressFn, silent
from insight.store import embeddings as embedding_store


def text_hash(text: str) -> str:
    """The cache key of a text: the md5 of its UTF-8 bytes, as the store computes it in SQL."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def store_embedder(con: duckdb.DuckDBPyConnection, model: str, *, device: str = "auto"):
    """A function terms -> (n, d) float32 unit vectors that reads the store's cache and encodes what is missing.

    The function takes an optional ``progress(share, message)``, told how far the encoding of the missing
    texts has got (and able to cancel it, as a job's callback does).
    """

    def embed(terms: list[str], progress: ProgressFn = silent) -> np.ndarray:
        from insight.encode import encode_texts

        hashes = [text_hash(t) for t in terms]
        found, vectors = embedding_store.fetch_cached_vectors(con, model, hashes)
        known = dict(zip(found, vectors, strict=True))
        missing = list(dict.fromkeys(t for t, h in zip(terms, hashes, strict=True) if h not in known))
        if missing:
            fresh = encode_texts(missing, model=model, device=device, progress=progress)
            missing_hashes = [text_hash(t) for t in missing]
            embedding_store.insert_embeddings(con, model, missing_hashes, fresh)
            known.update(zip(missing_hashes, fresh, strict=True))
        return np.stack([known[h] for h in hashes]).astype(np.float32) if hashes else np.zeros((0, 0), np.float32)

    return embed
