"""The topics job: the segmentation pipeline over review texts, so an analyst sees what reviews talk about.

The same recipe as user segments (:func:`insight.cluster.segment_texts`: UMAP, HDBSCAN with no
topic over half the reviews where the tree splits it, an outlier budget, a stability score), run
over every review's embedding; topics keep their ids from one run to the next
(:func:`insight.cluster.align_segments`), and the run is stored whole or not at all. Topics are
named by :func:`insight.keywords.names.name_groups`: c-TF-IDF candidates that can name something,
re-ranked by closeness to the topic's mean review embedding, diversified, distinct across topics.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight.cluster.grouping import cluster_and_carry, members, outcome
from insight.cluster.job import choose_model
from insight.cluster.labels import text_groups
from insight.cluster.pipeline import MIN_POINTS
from insight.job_params import TopicsParams
from insight.keywords.names import Name, name_groups
from insight.keywords.term_vectors import store_embedder
from insight.profiles.space import fill_languages, fit_space
from insight.progress import ProgressFn, scale, silent
from insight.store import runs
from insight.store import topics as topic_store


def name_topics(
    con: duckdb.DuckDBPyConnection,
    model: str,
    reviews: pd.DataFrame,
    vectors: np.ndarray,
    topics: np.ndarray,
    *,
    device: str = "auto",
) -> dict[int, Name]:
    """Topic id -> its name: c-TF-IDF candidates re-ranked by closeness to the topic's mean review vector.

    ``reviews`` holds ``text`` and ``language`` per row of ``vectors`` (n, d); ``topics`` (n,) the topic of each.
    """
    groups = text_groups(reviews["text"].tolist(), topics, languages=reviews["language"].tolist())
    if not groups.ids:
        return {}
    centres = np.stack([vectors[topics == t].mean(axis=0) for t in groups.ids])
    embed = store_embedder(con, model, device=device)
    return dict(zip(groups.ids, name_groups(groups, purpose="topic", centres=centres, embed=embed), strict=True))


def topics_store(
    con: duckdb.DuckDBPyConnection,
    *,
    model: str | None = None,
    min_cluster_size: int | None = None,
    outlier_budget: float = TopicsParams.outlier_budget,
    n_resamples: int = TopicsParams.n_resamples,
    seed: int = 0,
    device: str = "auto",
    backend: str = "auto",
    job_id: str | None = None,
    progress: ProgressFn = silent,
) -> dict:
    """Find the topics of every review with text; store them as the current topics run."""
    from insight.encode.job import encode_store

    model = model or choose_model(con)
    progress(0.0, f"embedding reviews with {model}")
    encode_store(
        con, model=model, device=device, sources=("review",), record_run=False, progress=scale(progress, 0.0, 0.3)
    )
    reviews, vectors = topic_store.fetch_review_vectors(con, model)
    if len(reviews) < MIN_POINTS:
        raise ValueError(f"topics need at least {MIN_POINTS} reviews with text, found {len(reviews)}: ingest more")
    params = {} if min_cluster_size is None else {"min_cluster_size": int(min_cluster_size)}
    languages = fill_languages(reviews["text"].tolist(), reviews["language"].tolist())
    found, carried = cluster_and_carry(
        con,
        "topics",
        fit_space(vectors, languages).neutral(vectors, languages),  # one language-neutral space (profiles.space)
        topic_store.fetch_centroids,
        groups=languages.tolist(),  # neighbours standardised per pair of languages (cluster.groups)
        texts=reviews["text"].tolist(),
        languages=reviews["language"].tolist(),
        seed=seed,
        outlier_budget=outlier_budget,
        n_resamples=n_resamples,
        backend=backend,
        progress=scale(progress, 0.3, 0.95),
        **params,
    )
    stable, centroids = carried.labels, carried.centroids
    progress(0.96, "naming topics")
    names = name_topics(con, model, reviews, vectors, stable, device=device)
    ids = sorted(centroids)
    frames = {
        "topics": pd.DataFrame(
            {
                "topic_id": ids,
                "size": [int((stable == t).sum()) for t in ids],
                "label": [names[t].label if t in names and names[t].label else f"topic {t}" for t in ids],
                "keywords": [", ".join(names[t].keywords) if t in names else "" for t in ids],
                "centroid": [centroids[t].astype(np.float32) for t in ids],
            }
        ),
        "topic_members": members(found, stable, "review_id", reviews["review_id"], "topic_id"),
    }
    record = {
        "min_cluster_size": found.params["clusterer"]["params"]["min_cluster_size"],
        "outlier_budget": outlier_budget,
        "n_resamples": n_resamples,
        "reviews": len(reviews),
        "topics": found.n_segments,
        **carried.record,
        "pipeline": {k: found.params[k] for k in ("reducer", "clusterer", "map", "timings", "max_segment_share")},
    }
    with runs.new_run(con, kind="topics", job_id=job_id, model=model, params=record, seed=seed) as run_id:
        topic_store.insert_topics(con, run_id, frames)
    progress(1.0, "done")
    return outcome(
        con,
        what=f"{len(reviews):,} reviews in {found.n_segments} topics",
        found=found,
        carried=carried,
        run_id=run_id,
        model=model,
        params={k: record[k] for k in ("min_cluster_size", "outlier_budget", "n_resamples")},
        seed=seed,
    )
