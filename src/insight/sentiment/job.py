"""The sentiment job: score every review, adapting the head to the store's own ratings when it helps.

Model selection is honest: the adapted head is fitted on 80 % of the store's rated reviews and kept
only if its macro-F1 on the other 20 % beats the shipped head's; both figures are stored with it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import duckdb
import numpy as np

from insight.progress import ProgressFn, scale, silent
from insight.sentiment.evaluate import macro_f1
from insight.sentiment.head import SentimentHead, fit_adapted_head
from insight.sentiment.model import DEFAULT_VERSION, ENCODER, default_head, labels_from_ratings, score_reviews
from insight.store import embeddings, runs, sentiment
from insight.store.db import data_version, transaction

MIN_LABELLED = 200  # fewer rated reviews than this cannot show an adapted head is better
# A linear head on 384 features has learnt all it can from far fewer: beyond this many rated reviews (a random
# sample of them is used, 80 % to fit and 20 % to judge), more only costs time (1 M ratings: minutes of L-BFGS).
MAX_LABELLED = 60_000


def score_store(
    con: duckdb.DuckDBPyConnection,
    *,
    adapt: bool | str = "auto",
    device: str = "auto",
    backend: str = "local",
    seed: int = 0,
    job_id: str | None = None,
    progress: ProgressFn = silent,
) -> dict:
    """Score all reviews with text; return provenance, the head used and its held-out metrics.

    ``backend`` ``ray`` encodes the reviews not yet encoded on a Ray cluster (the costly part), as the
    encode job does; the head then scores the stored vectors here.
    """
    from insight.encode.job import encode_reviews

    if adapt not in (True, False, "auto"):
        raise ValueError("adapt must be true, false or auto")
    encoder = review_encoder(con)
    encoded = encode_reviews(con, model=encoder, device=device, backend=backend, progress=scale(progress, 0.0, 0.6))
    frame, vectors = embeddings.fetch_review_vectors(con, encoder)
    if frame.empty:
        raise ValueError("no review text to score: ingest reviews first")
    frame = frame.merge(sentiment.fetch_review_texts(con), on="review_id", how="left")
    progress(0.65, f"{len(frame):,} reviews with embeddings")
    head, version, metrics = _choose_head(con, frame, vectors, adapt=adapt, seed=seed, encoder=encoder)
    progress(0.85, f"scoring with {version}")
    scores = score_reviews(head, vectors, frame).assign(review_id=frame["review_id"].to_numpy(), method=version)
    with runs.new_run(
        con,
        kind="sentiment",
        job_id=job_id,
        model=f"{encoder} + {version}",
        params={"adapt": adapt, "device": device, "backend": backend},
        seed=seed,
    ) as run_id:
        sentiment.insert_scores(con, run_id, scores)
    counts = scores["label"].value_counts().to_dict()
    progress(1.0, "done")
    return {
        "message": f"scored {len(scores):,} reviews with {version} "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))})",
        "run_id": run_id,
        "model": encoder,
        "head": version,
        "metrics": metrics,
        "seed": seed,
        "newly_encoded": encoded["new"],
        "data_version": data_version(con),
    }


def review_encoder(con: duckdb.DuckDBPyConnection) -> str:
    """The encoder whose review vectors the head reads: the store's own when it shares the head's space.

    e5's CPU tier shares it, so a large store is not encoded a second time; another encoder does not,
    and then the head's own model encodes the reviews.
    """
    from insight.encode.job import store_model
    from insight.encode.models import same_space

    own = store_model(con)
    return own if same_space(own, ENCODER) else ENCODER


def _choose_head(con, frame, vectors, *, adapt, seed, encoder: str) -> tuple[SentimentHead, str, dict]:
    labels = labels_from_ratings(frame["rating"], frame["label"])
    labelled = labels.notna().to_numpy()
    if adapt is False or labelled.sum() < MIN_LABELLED:
        reason = "adaptation off" if adapt is False else f"only {labelled.sum()} rated reviews"
        return default_head(), DEFAULT_VERSION, {"note": f"shipped head ({reason})"}
    rng = np.random.default_rng(seed)
    idx = rng.permutation(np.flatnonzero(labelled))[:MAX_LABELLED]
    test, train = idx[: len(idx) // 5], idx[len(idx) // 5 :]
    y = labels.to_numpy()
    version = f"adapted-{datetime.now():%Y%m%d-%H%M}-{uuid.uuid4().hex[:4]}"
    adapted, candidates = fit_adapted_head(
        vectors[train],
        y[train],
        prior=default_head(),
        seed=seed,
        encoder=encoder,
        info={"version": version, "trained_on": f"{len(train):,} of {int(labelled.sum()):,} rated reviews here"},
    )
    default_f1 = macro_f1(y[test], score_reviews(default_head(), vectors[test], frame.iloc[test])["label"])
    adapted_f1 = macro_f1(y[test], score_reviews(adapted, vectors[test], frame.iloc[test])["label"])
    metrics = {
        "held_out_reviews": int(len(test)),
        "default_macro_f1": round(default_f1, 4),
        "adapted_macro_f1": round(adapted_f1, 4),
        "regularisation": adapted.info["regularisation"],
        "inner_validation": candidates,
    }
    if adapt == "auto" and adapted_f1 <= default_f1:
        return default_head(), DEFAULT_VERSION, {**metrics, "note": "adapted head was not better; kept default"}
    with transaction(con):
        sentiment.insert_model(
            con,
            version=version,
            encoder=encoder,
            head=adapted.to_bytes(),
            trained_on={"rated_reviews": int(len(train))},
            metrics=metrics,
        )
    return adapted, version, metrics
