"""The encoding job: embed every item, review and search query the store has not embedded yet.

A store has one encoder (:func:`store_model`): every text is encoded by it once, whatever its
language, and every later job (sentiment, segments, topics, recommendations, interest search)
reads those vectors instead of encoding again. multilingual-e5-small is the default because it
puts every language in one space; all-MiniLM-L6-v2 stays an explicit choice for English-only shops.
e5 reads every text with the same "query: " prefix: its authors' advice for symmetric uses
(similarity, clustering, features for a classifier), which is all insight does with the vectors,
so a review's vector serves segments, topics and the sentiment head alike.

Vectors are written chunk by chunk rather than in one final transaction: the cache is keyed by
content, so a partial run adds only correct vectors and a re-run picks up where it stopped; the
run record that names the result current is written last.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import duckdb
import numpy as np

from insight.encode.models import AUTO, MODELS, default_model
from insight.encode.tiers import TIER_NOTES, auto_model
from insight.progress import ProgressFn, silent
from insight.store import embeddings, runs
from insight.store.db import data_version

CHUNK = 2_048


def store_model(con: duckdb.DuckDBPyConnection) -> str:
    """The store's one encoder: the model its current encode run used, else the default (``INSIGHT_ENCODER``).

    A run of an earlier version's ``auto`` used two models (English to MiniLM); such a store gets the
    default, so that from then on every text lives in one space.
    """
    run = runs.current_run(con, "encode")
    return model_of_run((run or {}).get("model"))


def model_of_run(used: str | None) -> str:
    """The store's encoder given the model its current encode run recorded (None: no run yet)."""
    return used if used in MODELS else default_model()


def encode_store(
    con: duckdb.DuckDBPyConnection,
    *,
    model: str = AUTO,
    device: str = "auto",
    batch_size: int | None = None,
    backend: str = "local",
    job_id: str | None = None,
    sources: tuple[str, ...] = ("item", "review", "query"),
    record_run: bool = True,
    progress: ProgressFn = silent,
) -> dict:
    """Encode what is missing; return provenance and counts (new vectors, reused from the cache).

    ``model`` is a name from :data:`~insight.encode.models.MODELS`, or ``auto``: the store's own
    encoder (:func:`store_model`), so a store stays in one vector space. ``backend`` ``ray`` runs the
    encoder in actors on a Ray cluster (:mod:`insight.encode.ray_backend`) instead of this process.
    """
    from insight.device import resolve_device

    if model != AUTO and model not in MODELS:
        raise ValueError(f"unknown model '{model}'; use auto or one of {', '.join(MODELS)}")
    if backend not in ("local", "ray"):
        raise ValueError(f"unknown backend '{backend}': use local or ray")
    if backend == "ray" and importlib.util.find_spec("ray") is None:
        raise ValueError("backend 'ray' needs Ray: pip install insight[distributed]")
    resolved = resolve_device(device)
    chosen, why = auto_model(con, resolved) if model == AUTO else (model, f"{model}, chosen by name")
    progress(0.0, "finding texts without embeddings")
    pending = embeddings.fetch_pending_texts(con, {}, chosen, sources=sources)
    cached = embeddings.count_cached(con)
    total, done = len(pending), 0
    for name, group in pending.groupby("model", sort=True):
        progress(done / max(total, 1), f"loading {name} on {resolved}" + (" (Ray)" if backend == "ray" else ""))
        for hashes, vectors in _encoded(group, name, resolved, batch_size, backend, progress, done, total):
            embeddings.insert_embeddings(con, name, hashes, vectors)
        done += len(group)
    models_used = [chosen]
    run_id = None
    if record_run:
        params = {"model": model, "device": resolved, "batch_size": batch_size, "backend": backend}
        with runs.new_run(con, kind="encode", job_id=job_id, model=",".join(models_used), params=params) as run_id:
            pass  # the vectors are already stored (a cache keyed by content); the run records what was asked
    progress(1.0, "done")
    return {
        "message": f"encoded {total:,} new texts with {chosen}; {cached:,} vectors were already cached",
        "run_id": run_id,
        "model": models_used,
        "tier": why,
        "tier_quality": TIER_NOTES.get(chosen, ""),
        "device": resolved,
        "backend": backend,
        "new": total,
        "reused": cached,
        "data_version": data_version(con),
    }


def _encoded(
    group, name: str, device: str, batch_size: int | None, backend: str, progress: ProgressFn, done: int, total: int
) -> Iterator[tuple[list[str], np.ndarray]]:
    """(text hashes, vectors) of one model's pending texts, a chunk at a time, encoded here or on Ray."""
    if backend == "ray":
        from insight.encode.ray_backend import encode_on_ray

        yield from encode_on_ray(group, name, device, progress=_whole_job(progress, name, done, len(group), total))
        return
    from insight.encode import get_encoder

    encoder = get_encoder(name, device)
    for start in range(0, len(group), CHUNK):
        chunk = group.iloc[start : start + CHUNK]
        report = _whole_job(progress, name, done + start, len(chunk), total)
        vectors = encoder.encode(chunk["text"].tolist(), batch_size=batch_size, progress=report)
        yield chunk["text_hash"].tolist(), vectors


def _whole_job(progress: ProgressFn, model: str, done: int, size: int, total: int) -> ProgressFn:
    """A chunk's progress told as the whole job's: 'encoded 4,100 of 9,000 texts', never restarting per chunk."""

    def report(fraction: float, message: str) -> None:
        reached = done + round(fraction * size)
        progress(reached / total, f"{model}: encoded {reached:,} of {total:,} texts")

    return report


def encode_reviews(
    con: duckdb.DuckDBPyConnection,
    *,
    model: str,
    device: str = "auto",
    backend: str = "local",
    progress: ProgressFn = silent,
) -> dict:
    """Make sure every review text has an embedding under ``model`` (a step of other jobs), here or on Ray."""
    return encode_store(
        con, model=model, device=device, backend=backend, sources=("review",), record_run=False, progress=progress
    )
