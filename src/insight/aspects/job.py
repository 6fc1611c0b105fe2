"""The aspects job: clauses of every review, their aspects per category and feeling, and spike alerts.

One run, stored whole or not at all: the reviews are cut into clauses, each distinct clause is
encoded once (the store's e5-space encoder, so the sentiment head reads the same vectors and the
embeddings cache serves later runs), each clause gets the store's current sentiment head's label,
each category's clauses are grouped into named aspects (:mod:`.catalogue`), and products whose
complaints about an aspect rose are alerted (:mod:`.alerts`).
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd

from insight.aspects.alerts import affected_segments, find_alerts
from insight.aspects.catalogue import build_catalogue, merge_same_names
from insight.aspects.clauses import clause_table
from insight.aspects.discover import feeling_basis
from insight.aspects.overall import verdict_similarity, verdict_texts
from insight.job_params import AspectsParams
from insight.keywords.names import name_groups
from insight.keywords.term_vectors import store_embedder
from insight.profiles.space import fill_languages, fit_space, language_of
from insight.progress import ProgressFn, scale, silent
from insight.sentiment.head import SentimentHead
from insight.sentiment.lexicon import LABELS, is_praise
from insight.sentiment.model import default_head, score_vectors
from insight.store import aspects as aspect_store
from insight.store import runs
from insight.store.db import data_version

MIN_REVIEWS = 20
# How much a clause's review weighs in its feeling (a power on the review's probabilities). On 9,000 real
# reviews (bench/aspects.py) 1.0 matches whole-review sentiment's agreement with the stars on reviews about
# one aspect (macro-F1 0.886 against 0.887, BENCHMARKS.md) and keeps clear clauses' own feeling.
CONTEXT_WEIGHT = 1.0


def current_head(con: duckdb.DuckDBPyConnection, encoder: str) -> tuple[SentimentHead, str]:
    """The head the current sentiment run scored with, when it reads ``encoder``'s space; else the shipped one."""
    from insight.encode.models import same_space

    version, head_encoder, stored = aspect_store.fetch_head_bytes(con)
    if stored is not None and same_space(head_encoder, encoder):
        return SentimentHead.from_bytes(stored), version
    head = default_head()
    return head, head.info.get("version", "default")


def _name_aspects(catalogue, clauses: pd.DataFrame, vectors: np.ndarray, embed) -> pd.DataFrame:
    """Give each unnamed aspect a name from its clauses' words, in every language they are written in."""
    from insight.cluster.labels import text_groups

    aspects = catalogue.aspects.copy()
    aspects["keywords"], aspects["words"] = "", "{}"
    rows = clauses.drop_duplicates(["category", "core"]).merge(catalogue.assigned, on=["category", "core"])
    for category, own in rows.groupby("category", sort=True):
        groups = text_groups(own["core"].tolist(), own["aspect_id"].to_numpy(), languages=own["language"].tolist())
        if not groups.ids:
            continue
        ids = own["aspect_id"].to_numpy()
        centres = np.stack([vectors[own["row"].to_numpy()[ids == a]].mean(axis=0) for a in groups.ids])
        names = name_groups(groups, purpose="topic", centres=centres, embed=embed, exclude=is_praise)
        for aspect_id, name in zip(groups.ids, names, strict=True):
            at = (aspects["aspect_id"] == aspect_id) & (aspects["category"] == category)
            if not aspects.loc[at, "label"].iloc[0]:  # a merchant's name (seed, rename) stays
                aspects.loc[at, "label"] = name.label
            aspects.loc[at, "keywords"] = ", ".join(name.keywords)
            aspects.loc[at, "words"] = json.dumps(name.by_language, ensure_ascii=False)
    aspects.loc[aspects["label"] == "", "label"] = [
        f"aspect {a}" for a in aspects.loc[aspects["label"] == "", "aspect_id"]
    ]
    return aspects


def clause_feelings(clauses: pd.DataFrame, vectors: np.ndarray, head: SentimentHead, reviews: pd.DataFrame):
    """``clauses`` with each clause's ``label`` and ``score``, read in the context of its review.

    The head scores each distinct clause; a clause's probabilities are then multiplied by its review's
    (``reviews``: the sentiment run's p_negative, p_neutral, p_positive) to the power
    :data:`CONTEXT_WEIGHT` and renormalised. A clear clause keeps its own feeling ("the box was
    crushed" stays negative in a five-star review), while one that says little alone ("it is thin")
    reads as its review does. Without a sentiment run the clause alone decides.
    """
    pairs = clauses.drop_duplicates(["row", "language"])
    own = score_vectors(
        head, vectors[pairs["row"].to_numpy()], texts=pairs["core"].tolist(), languages=pairs["language"].tolist()
    )
    columns = ["p_negative", "p_neutral", "p_positive"]
    own = pd.concat([pairs[["row", "language"]].reset_index(drop=True), own[columns]], axis=1)
    rows = clauses.merge(own, on=["row", "language"], how="left")
    p = np.log(np.clip(rows[columns].to_numpy(dtype=np.float64), 1e-6, 1.0))
    if len(reviews):
        context = rows[["review_id"]].merge(reviews, on="review_id", how="left")[columns].to_numpy(dtype=np.float64)
        p += CONTEXT_WEIGHT * np.log(np.clip(np.nan_to_num(context, nan=1 / 3), 1e-6, 1.0))
    p = np.exp(p - p.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return rows.drop(columns=columns).assign(label=np.asarray(LABELS)[p.argmax(axis=1)], score=p[:, 2] - p[:, 0])


def aspects_store(
    con: duckdb.DuckDBPyConnection,
    *,
    min_cluster_size: int | None = None,
    outlier_budget: float = AspectsParams.outlier_budget,
    min_change: float = AspectsParams.min_change,
    alpha: float = AspectsParams.alpha,
    seed: int = 0,
    device: str = "auto",
    job_id: str | None = None,
    progress: ProgressFn = silent,
) -> dict:
    """Find the aspects of every review clause and the alerts they raise; store them as the current run."""
    from insight.sentiment.job import review_encoder

    reviews = aspect_store.fetch_reviews(con)
    if len(reviews) < MIN_REVIEWS:
        raise ValueError(f"aspects need at least {MIN_REVIEWS} reviews with text, found {len(reviews)}: ingest more")
    progress(0.0, f"cutting {len(reviews):,} reviews into clauses")
    reviews["language"] = fill_languages(reviews["body"].tolist(), reviews["language"].tolist())
    clauses = clause_table(reviews["review_id"], reviews["body"], reviews["title"]).merge(
        reviews[["review_id", "category", "language"]], on="review_id"
    )
    cores = pd.Index(clauses["core"].unique())
    clauses["row"] = cores.get_indexer(clauses["core"])
    encoder = review_encoder(con)
    embed = store_embedder(con, encoder, device=device)
    progress(0.02, f"encoding {len(cores):,} distinct clauses with {encoder}")
    vectors = embed(cores.tolist(), progress=scale(progress, 0.02, 0.6))

    head, version = current_head(con, encoder)
    progress(0.6, f"reading each clause's feeling with {version}")
    clauses = clause_feelings(clauses, vectors, head, aspect_store.fetch_review_feelings(con))

    first_language = clauses.drop_duplicates("row").set_index("row")["language"].reindex(range(len(cores)))
    space = fit_space(vectors, first_language.tolist())
    verdicts = verdict_texts()
    verdict = verdict_similarity(
        space.neutral(vectors, first_language.tolist()),
        space.neutral(embed(verdicts), [language_of(t, space.main_language) for t in verdicts]),
    )
    clauses["verdict"] = verdict[clauses["row"].to_numpy()]
    previous_run = runs.current_run(con, "aspects")
    previous = (
        aspect_store.fetch_centroids(con, previous_run["run_id"])
        if previous_run
        else pd.DataFrame(columns=["aspect_id", "category", "label", "seeded", "centroid"])
    )
    options = {"min_cluster_size": min_cluster_size, "outlier_budget": outlier_budget, "seed": seed}
    catalogue = build_catalogue(
        clauses,
        vectors,
        space=space,
        basis=feeling_basis(head.weights),
        embed=embed,
        edits=aspect_store.fetch_edits(con),
        previous=previous,
        next_id=int(previous_run["params"].get("next_id", 0)) if previous_run else 0,
        options=options,
        progress=scale(progress, 0.62, 0.9),
    )
    progress(0.9, "naming aspects")
    aspects, assigned = merge_same_names(_name_aspects(catalogue, clauses, vectors, embed), catalogue.assigned)
    mentions = clauses.merge(assigned, on=["category", "core"], how="left")
    mentions["aspect_id"] = mentions["aspect_id"].fillna(-1).astype(np.int64)
    counts = mentions[mentions["aspect_id"] >= 0].groupby("aspect_id").size()
    aspects["mentions"] = aspects["aspect_id"].map(counts).fillna(0).astype(int)

    progress(0.93, "testing every product and aspect for a rise in complaints")
    alerts = _alerts(con, reviews, mentions, min_change=min_change, alpha=alpha)
    record = {
        "min_cluster_size": min_cluster_size,
        "outlier_budget": outlier_budget,
        "min_change": min_change,
        "alpha": alpha,
        "reviews": len(reviews),
        "clauses": len(clauses),
        "distinct_clauses": len(cores),
        "head": version,
        "next_id": catalogue.next_id,
        "previous_run": previous_run["run_id"] if previous_run else None,
        "categories": catalogue.record,
    }
    frames = {
        "aspects": aspects,
        "aspect_mentions": mentions.rename(columns={"start": "start_char", "end": "end_char"}),
        "aspect_alerts": alerts,
    }
    with runs.new_run(con, kind="aspects", job_id=job_id, model=encoder, params=record, seed=seed) as run_id:
        aspect_store.insert_aspects(con, run_id, frames)
    progress(1.0, "done")
    assigned = float((mentions["aspect_id"] >= 0).mean()) if len(mentions) else 0.0
    return {
        "message": f"{len(clauses):,} clauses of {len(reviews):,} reviews in {len(aspects)} aspects "
        f"across {aspects['category'].nunique()} categories ({assigned:.0%} of clauses placed); "
        f"{len(alerts)} alerts",
        "run_id": run_id,
        "model": encoder,
        "head": version,
        "params": {k: record[k] for k in ("min_cluster_size", "outlier_budget", "min_change", "alpha")},
        "seed": seed,
        "data_version": data_version(con),
    }


def _alerts(con, reviews: pd.DataFrame, mentions: pd.DataFrame, *, min_change: float, alpha: float) -> pd.DataFrame:
    negatives = mentions[(mentions["aspect_id"] >= 0) & (mentions["label"] == "negative")][["review_id", "aspect_id"]]
    spoken = mentions[mentions["aspect_id"] >= 0][["review_id", "aspect_id"]]
    alerts = find_alerts(reviews, negatives, min_change=min_change, alpha=alpha, mentioned=spoken)
    segments = aspect_store.fetch_user_segments(con)
    notes = []
    for alert in alerts.itertuples():
        window = reviews[(reviews["item_id"] == alert.item_id) & (reviews["ts"] >= alert.start)]
        hit = negatives[negatives["aspect_id"] == alert.aspect_id]["review_id"]
        notes.append(json.dumps(affected_segments(window[window["review_id"].isin(hit)], window, segments)))
    return alerts.assign(alert_id=range(len(alerts)), segments=notes)
