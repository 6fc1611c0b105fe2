"""Fitting the recommender from the store: item vectors, everyone's touches, co-occurrence and areas."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd

from insight.progress import ProgressFn, silent
from insight.recommendations.areas import fit_areas
from insight.recommendations.model import (
    HALF_LIFE_DAYS,
    POSITIVE_KINDS,
    Recommender,
    ScoreWeights,
    cooccurrence,
    item_popularity,
)
from insight.recommendations.select import area_evidence
from insight.store import recommend as store
from insight.store.embeddings import fetch_text_vectors

MAX_MISSING = 0.1  # items added since the last encode may lack vectors (they are left out); more means no encode


def resolve_model(con: duckdb.DuckDBPyConnection, model: str | None) -> str:
    """The encoder whose item embeddings to use: ``model``, else the store's one encoder.

    The store's encoder (:func:`insight.encode.job.store_model`) is the one every job reads, so the
    item vectors are the ones the encode job made. Raises ValueError, saying which encode run would
    fix it, when more than a tenth of the items lack an embedding under that model.
    """
    from insight.encode.job import store_model

    counts = store.item_vector_counts(con)
    total, _ = store.item_text_summary(con)
    chosen = model or store_model(con)
    missing = total - counts.get(chosen, 0)
    if total == 0:
        raise ValueError("the store has no items with a title or description to recommend")
    if missing > MAX_MISSING * total:
        raise ValueError(
            f"{missing:,} of {total:,} items have no embedding under {chosen}: run the encode job first "
            f"(`insight encode --model {chosen}`, or Encode with that model on the Jobs page)"
        )
    return chosen


def fit_recommender(
    con: duckdb.DuckDBPyConnection,
    *,
    model: str | None = None,
    before: date | datetime | None = None,
    weights: ScoreWeights | None = None,
    half_life_days: float = HALF_LIFE_DAYS,
    seed: int = 0,
    progress: ProgressFn = silent,
) -> Recommender:
    """A recommender fitted on everything the store holds before ``before`` (None: all of it).

    Items without an embedding under the model cannot be recommended and are left out; run the encode
    job after ingesting new items. Refunds and cancellations carry no interest and are ignored.
    """
    model = resolve_model(con, model)
    progress(0.0, f"reading item vectors ({model})")
    items, vectors = store.fetch_item_vectors(con, model)
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    progress(0.1, "reading what shoppers touched")
    raw = store.fetch_user_touches(con, model, before=before)
    raw = raw[raw["kind"].isin(POSITIVE_KINDS | {"search", "review"})]
    item_row = pd.Index(items["item_id"]).get_indexer(raw["item_id"])
    is_text = raw["item_id"].isna().to_numpy()
    raw = raw[is_text | (item_row >= 0)].assign(item=item_row[is_text | (item_row >= 0)])
    hashes = pd.unique(raw.loc[raw["item"] < 0, "text_hash"])
    text_row = pd.Index(hashes).get_indexer(raw["text_hash"].fillna(""))
    raw["row"] = np.where(raw["item"] >= 0, raw["item"], len(items) + text_row)
    texts = np.vstack([vectors, fetch_text_vectors(con, model, list(hashes))]).astype(np.float32)
    touches = raw[["user_id", "ts", "kind", "item", "row", "text"]].reset_index(drop=True)
    as_of = pd.Timestamp(before) if before is not None else pd.to_datetime(touches["ts"]).max()

    progress(0.4, "co-occurrence and popularity")
    on_items = touches[touches["item"] >= 0]
    user_codes, users = pd.factorize(on_items["user_id"])
    item_rows = on_items["item"].to_numpy()
    counts, co_weights = cooccurrence(user_codes, item_rows, len(users), len(items))
    items = items.assign(popularity=item_popularity(user_codes, item_rows, len(items)))

    progress(0.7, "interest areas")
    areas = fit_areas(items, vectors, seed=seed)
    items["area"] = areas.labels
    text_areas = np.concatenate([areas.labels, areas.labels[(texts[len(items) :] @ vectors.T).argmax(axis=1)]])
    days = pd.to_datetime(on_items["ts"]).dt.floor("D").to_numpy()
    evidence = area_evidence(user_codes, areas.labels[item_rows], days, areas.count)
    progress(1.0, f"fitted on {len(users):,} shoppers and {len(items):,} items")
    return Recommender(
        model=model,
        items=items,
        vectors=vectors.astype(np.float32),
        areas=areas,
        evidence=evidence,
        co_counts=counts,
        co_weights=co_weights,
        touches=touches,
        texts=texts,
        text_areas=text_areas.astype(np.int64),
        as_of=as_of,
        n_users=len(users),
        weights=weights or ScoreWeights(),
        half_life_days=half_life_days,
        seed=seed,
    )
