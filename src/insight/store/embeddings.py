"""Embeddings keyed by (model, md5 of the text): what has been encoded, and writing new vectors."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight.store.db import pop_vectors, with_vectors
from insight.store.fragments import item_text, review_text, text_key

# Every text insight encodes, with its language and the md5 the cache is keyed on. A review's text is
# its title and body together; a search query is encoded once however often it was searched.
TEXTS = f"""
    select 'item' as source, item_id as source_id, language, {item_text()} as text
      from items where coalesce(title, description) is not null
    union all
    select 'review', review_id, language, {review_text()}
      from reviews where text is not null
    union all
    select 'query', any_value(event_id), null, query from events where query is not null group by query
"""


def fetch_pending_texts(
    con: duckdb.DuckDBPyConnection,
    models_by_language: dict[str | None, str],
    default_model: str,
    *,
    sources: tuple[str, ...] = ("item", "review", "query"),
) -> pd.DataFrame:
    """Distinct texts with no embedding yet under the model their language maps to.

    Columns: model, text_hash, text, language, source. ``models_by_language`` maps a language code to
    a model name; any other language gets ``default_model``.
    """
    mapping = pd.DataFrame(
        {
            "language": pd.Series(list(models_by_language), dtype="string"),
            "model": pd.Series(list(models_by_language.values()), dtype="string"),
        }
    )
    con.register("language_models", mapping)
    try:
        return con.execute(
            f"""with t as ({TEXTS}),
                    chosen as (
                        select coalesce(m.model, $default::varchar) as model, md5(t.text) as text_hash, t.text,
                               t.language, t.source
                        from t left join language_models m on m.language is not distinct from t.language
                        where list_contains($sources::varchar[], t.source) and length(t.text) > 0
                    )
                select model, text_hash, any_value(text) as text, any_value(language) as language,
                       any_value(source) as source
                from chosen c
                where not exists (select 1 from embeddings e where e.model = c.model and e.text_hash = c.text_hash)
                group by model, text_hash""",
            {"default": default_model, "sources": list(sources)},
        ).df()
    finally:
        con.unregister("language_models")


def count_texts(con: duckdb.DuckDBPyConnection) -> int:
    """Distinct texts the store holds for encoding (items, reviews, queries): what an encoder would have to read."""
    return con.execute(f"select count(distinct md5(text)) from ({TEXTS})").fetchall()[0][0]


def count_cached(con: duckdb.DuckDBPyConnection, model: str | None = None) -> int:
    """Embeddings stored (for one model, or all)."""
    return con.execute(
        "select count(*) from embeddings where $model is null or model = $model", {"model": model}
    ).fetchall()[0][0]


def insert_embeddings(con: duckdb.DuckDBPyConnection, model: str, text_hashes: list[str], vectors: np.ndarray) -> int:
    """Store vectors (float32, shape (n, dim)) for text hashes; existing keys are left as they are."""
    frame = pd.DataFrame({"model": model, "text_hash": list(text_hashes)})
    con.register("incoming_vectors", with_vectors(frame, vectors))
    try:
        return con.execute(
            "insert or ignore into embeddings (model, text_hash, vector) "
            "select model, text_hash, vector::float[] from incoming_vectors"
        ).fetchall()[0][0]
    finally:
        con.unregister("incoming_vectors")


def fetch_review_vectors(con: duckdb.DuckDBPyConnection, model: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Reviews that have an embedding under ``model``: their rows and a float32 (n, dim) matrix."""
    frame = con.execute(
        f"""select r.review_id, r.language, r.rating, r.label, e.vector
           from reviews r join embeddings e
             on e.model = $model and e.text_hash = {text_key(review_text("r"))}
           where r.text is not null""",
        {"model": model},
    ).df()
    vectors = pop_vectors(frame, dim=0)
    return frame, vectors


def fetch_text_vectors(con: duckdb.DuckDBPyConnection, model: str, text_hashes: list[str]) -> np.ndarray:
    """Vectors of texts by hash under ``model``, in the order given: float32 (len(text_hashes), dim)."""
    if not text_hashes:
        return np.zeros((0, 384), dtype=np.float32)
    wanted = pd.DataFrame(
        {"text_hash": pd.Series(text_hashes, dtype="string"), "position": np.arange(len(text_hashes))}
    )
    con.register("wanted_texts", wanted)
    try:
        frame = con.execute(
            """select w.position, e.vector from wanted_texts w
               join embeddings e on e.model = $model and e.text_hash = w.text_hash
               order by w.position""",
            {"model": model},
        ).df()
    finally:
        con.unregister("wanted_texts")
    if len(frame) != len(text_hashes):
        raise ValueError(f"{len(text_hashes) - len(frame)} texts have no embedding under {model}")
    return pop_vectors(frame)


def fetch_cached_vectors(
    con: duckdb.DuckDBPyConnection, model: str, text_hashes: list[str]
) -> tuple[list[str], np.ndarray]:
    """The hashes among ``text_hashes`` that have a vector under ``model``, and those vectors (float32 (k, dim))."""
    wanted = pd.DataFrame({"text_hash": pd.Series(list(dict.fromkeys(text_hashes)), dtype="string")})
    con.register("cached_texts", wanted)
    try:
        frame = con.execute(
            """select w.text_hash, e.vector from cached_texts w
               join embeddings e on e.model = $model and e.text_hash = w.text_hash""",
            {"model": model},
        ).df()
    finally:
        con.unregister("cached_texts")
    return frame["text_hash"].astype(str).tolist(), pop_vectors(frame)
