"""Segmentation of embeddings: UMAP to 5-D, HDBSCAN, an outlier budget, a 2-D map and a stability score.

The recipe is BERTopic's (reduce with UMAP, cluster densities with HDBSCAN, describe with
c-TF-IDF), with what an analyst needs on top of it:

* an **outlier budget**: HDBSCAN often calls a third of the points noise; the budget reassigns the
  outliers most similar to a segment centroid until at most ``outlier_budget`` of the points remain
  outliers, and the shares before and after are reported;
* a **stability score**: the same pipeline is refitted on random 80 % subsamples and compared with
  the adjusted Rand index, so a user sees whether the segmentation is real or an accident of a seed;
* **size-ordered ids** (0 is the largest) and centroids in the original space, which
  :func:`insight.cluster.align.align_segments` uses to keep ids stable across runs;
* **large sets**: UMAP is fitted on a random sample of ``sample_size`` points and the rest is
  projected with ``transform``; HDBSCAN then clusters every point in 5-D, which is cheap.
  Stability refits use 80 % of that sample only, so they cost about as much as the main fit.

Everything is deterministic for a given seed on the CPU backend.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from insight.cluster._backends import (
    MAP_DEFAULTS,
    Built,
    make_clusterer,
    make_reducer,
    resolve_backend,
    split_params,
    to_numpy,
)
from insight.cluster.labels import empty_keywords, segment_keywords
from insight.progress import ProgressFn, scale, silent

MIN_POINTS = 20
RESAMPLE_SHARE = 0.8


@dataclass
class Segmentation:
    """The result of a segmentation; every array has one row per input point, in input order."""

    labels: np.ndarray  # (n,) int64: segment 0..k-1 by size, largest first; -1 only for remaining outliers
    coords: np.ndarray  # (n, 2) float32: a separate 2-D UMAP for scatter plots
    probabilities: np.ndarray  # (n,) float32: HDBSCAN membership; reassigned outliers: cosine to centroid
    centroids: dict[int, np.ndarray]  # segment -> (d,) float32 mean of members' original vectors, L2-normalised
    sizes: dict[int, int]  # segment -> number of members
    keywords: pd.DataFrame  # segment, keyword, weight, count, docs (empty when no texts)
    stability: float  # mean ARI between this fit and refits on 80 % subsamples (nan when n_resamples=0)
    outliers_before: float  # share of points HDBSCAN labelled -1
    outliers_after: float  # share still -1 after the outlier budget
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    backend: str = "cpu"
    seconds: float = 0.0

    @property
    def n_segments(self) -> int:
        """Number of segments (outliers not counted)."""
        return len(self.sizes)


def _unit(vectors: np.ndarray) -> np.ndarray:
    """(n, d) float32 rows scaled to unit length (zero rows stay zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array (n, d), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("vectors contain NaN or infinite values")
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.where(norms > 0, norms, 1.0)


def _embed(unit, backend, seed, fit_idx, settings, defaults=None) -> tuple[np.ndarray, Built]:
    """(n, c) float32 UMAP embedding; fitted on ``fit_idx`` rows (all when None), the rest transformed."""
    n_fit = len(unit) if fit_idx is None else len(fit_idx)
    base = {**(defaults or {}), **settings}
    base["n_neighbors"] = min(int(base.get("n_neighbors", 15)), n_fit - 1)
    built = make_reducer(backend, seed=seed, defaults=defaults, **base)
    if fit_idx is None:
        return to_numpy(built.estimator.fit_transform(unit)).astype(np.float32), built
    out = np.empty((len(unit), built.params["n_components"]), dtype=np.float32)
    out[fit_idx] = to_numpy(built.estimator.fit_transform(unit[fit_idx]))
    rest = np.setdiff1d(np.arange(len(unit)), fit_idx)
    if len(rest):
        out[rest] = to_numpy(built.estimator.transform(unit[rest]))
    return out, built


def _centroids(unit: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Segment -> (d,) float32 L2-normalised mean of its members' vectors."""
    out = {}
    for label in np.unique(labels[labels >= 0]):
        mean = unit[labels == label].mean(axis=0)
        out[int(label)] = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
    return out


def _apply_budget(unit, labels, probs, budget) -> tuple[np.ndarray, np.ndarray]:
    """Reassign the outliers most similar to a centroid until at most ``budget`` of all points stay -1.

    Similarity is cosine in the original space; the least similar outliers are the ones kept.
    """
    labels, probs = labels.copy(), probs.copy()
    outliers = np.flatnonzero(labels == -1)
    excess = len(outliers) - math.floor(budget * len(labels) + 1e-9)
    centroids = _centroids(unit, labels)
    if excess <= 0 or not centroids:
        return labels, probs
    keys = np.array(sorted(centroids), dtype=np.int64)
    similarity = unit[outliers] @ np.stack([centroids[k] for k in keys]).T
    best, best_sim = similarity.argmax(axis=1), similarity.max(axis=1)
    chosen = np.argsort(-best_sim, kind="stable")[:excess]
    labels[outliers[chosen]] = keys[best[chosen]]
    probs[outliers[chosen]] = np.clip(best_sim[chosen], 0.0, 1.0)
    return labels, probs


def _order_by_size(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 0..k-1 by decreasing size (ties: by old label); -1 stays -1."""
    old, counts = np.unique(labels[labels >= 0], return_counts=True)
    order = old[np.lexsort((old, -counts))]
    mapping = np.full(int(labels.max()) + 2 if len(old) else 1, -1, dtype=np.int64)
    mapping[order] = np.arange(len(order))
    return np.where(labels >= 0, mapping[np.maximum(labels, 0)], -1).astype(np.int64)


def _fit_labels(unit, backend, seed, fit_idx, reducer_kw, cluster_kw, budget):
    """One pass of UMAP -> HDBSCAN -> budget -> size order: final labels, probabilities, raw labels, builds."""
    embedding, reducer = _embed(unit, backend, seed, fit_idx, reducer_kw)
    clusterer = make_clusterer(backend, n=len(unit), **cluster_kw)
    clusterer.estimator.fit(embedding)
    raw = to_numpy(clusterer.estimator.labels_).astype(np.int64)
    probs = to_numpy(clusterer.estimator.probabilities_).astype(np.float32)
    probs[raw < 0] = 0.0
    labels, probs = _apply_budget(unit, raw, probs, budget)
    return _order_by_size(labels), probs, raw, reducer, clusterer


def _stability(unit, labels, fit_idx, backend, seed, n_resamples, reducer_kw, cluster_kw, budget, progress):
    """Mean ARI between ``labels`` and refits on 80 % subsamples of the fitted points, and each score."""
    from sklearn.metrics import adjusted_rand_score

    if n_resamples <= 0:
        return float("nan"), []
    base = np.arange(len(unit)) if fit_idx is None else fit_idx
    scores = []
    for r in range(n_resamples):
        progress(r / n_resamples, f"stability: refit {r + 1} of {n_resamples}")
        rng = np.random.default_rng([seed, r, 1])
        sub = np.sort(rng.choice(base, size=max(MIN_POINTS, round(RESAMPLE_SHARE * len(base))), replace=False))
        refit, *_ = _fit_labels(unit[sub], backend, seed + r + 1, None, reducer_kw, cluster_kw, budget)
        scores.append(float(adjusted_rand_score(labels[sub], refit)))
    return float(np.mean(scores)), scores


def segment_vectors(
    vectors: np.ndarray,
    *,
    texts: Sequence[str | None] | None = None,
    languages: Sequence[str | None] | str | None = None,
    seed: int = 0,
    outlier_budget: float = 0.05,
    n_resamples: int = 2,
    sample_size: int = 20_000,
    backend: str = "auto",
    progress: ProgressFn | None = None,
    **params: Any,
) -> Segmentation:
    """Segment (n, d) float vectors (e.g. 384-d embeddings) into size-ordered segments.

    ``texts`` (one per vector) give each segment keywords; ``languages`` is passed to the tokenizer.
    ``outlier_budget`` is the share of points allowed to stay outliers (0: none). ``n_resamples``
    refits on 80 % subsamples measure stability (0 skips it). Above ``sample_size`` points UMAP is
    fitted on a random sample and the rest is transformed. ``backend`` is auto, cpu or gpu.
    ``progress(fraction, message)`` is called at each stage. Other keywords tune the estimators:
    UMAP ones (``n_neighbors``, ``n_components``, ``min_dist``... or any ``umap_*``), HDBSCAN ones
    (``min_cluster_size``, ``min_samples``... or ``hdbscan_*``) and ``map_*`` for the 2-D map.
    """
    started = time.perf_counter()
    report = progress or silent
    unit = _unit(vectors)
    n = len(unit)
    if n < MIN_POINTS:
        raise ValueError(f"segmentation needs at least {MIN_POINTS} points, got {n}")
    if texts is not None and len(texts) != n:
        raise ValueError(f"{len(texts)} texts for {n} vectors")
    if not 0.0 <= outlier_budget <= 1.0:
        raise ValueError(f"outlier_budget must be within [0, 1], got {outlier_budget}")
    reducer_kw, cluster_kw, map_kw = split_params(params)
    chosen = resolve_backend(backend)
    timings: dict[str, float] = {}
    fit_idx = (
        np.sort(np.random.default_rng(seed).choice(n, int(sample_size), replace=False)) if n > sample_size else None
    )

    report(0.0, f"reducing {n} vectors to {reducer_kw.get('n_components', 5)}-D and clustering")
    t = time.perf_counter()
    labels, probs, raw, reducer, clusterer = _fit_labels(
        unit, chosen, seed, fit_idx, reducer_kw, cluster_kw, outlier_budget
    )
    timings["segment"] = time.perf_counter() - t
    centroids = _centroids(unit, labels)
    sizes = {k: int((labels == k).sum()) for k in sorted(centroids)}

    report(0.4, "drawing the 2-D map")
    t = time.perf_counter()
    coords, mapper = _embed(unit, chosen, seed, fit_idx, map_kw, MAP_DEFAULTS)
    timings["map"] = time.perf_counter() - t

    report(0.6, "extracting keywords")
    keywords = empty_keywords() if texts is None else segment_keywords(texts, labels, languages=languages)

    t = time.perf_counter()
    fixed_cluster_kw = {**clusterer.params, "prediction_data": False}  # same settings, no extra tables
    stability, scores = _stability(
        unit, labels, fit_idx, chosen, seed, n_resamples, reducer_kw, fixed_cluster_kw, outlier_budget,
        scale(report, 0.65, 1.0),
    )  # fmt: skip
    timings["stability"] = time.perf_counter() - t
    report(1.0, f"{len(sizes)} segments")
    return Segmentation(
        labels=labels,
        coords=coords.astype(np.float32),
        probabilities=probs.astype(np.float32),
        centroids=centroids,
        sizes=sizes,
        keywords=keywords,
        stability=stability,
        outliers_before=float((raw == -1).mean()),
        outliers_after=float((labels == -1).mean()),
        params={
            "n": n,
            "fit_sample": n if fit_idx is None else len(fit_idx),
            "transformed": 0 if fit_idx is None else n - len(fit_idx),
            "sample_size": int(sample_size),
            "outlier_budget": float(outlier_budget),
            "n_resamples": int(n_resamples),
            "stability_scores": scores,
            "reducer": reducer.describe(),
            "clusterer": clusterer.describe(),
            "map": mapper.describe(),
            "timings": timings,
        },
        seed=int(seed),
        backend=chosen,
        seconds=time.perf_counter() - started,
    )


def segment_texts(
    texts: Sequence[str | None],
    *,
    embeddings: np.ndarray | None = None,
    seed: int = 0,
    model: str | None = None,
    device: str = "auto",
    progress: ProgressFn | None = None,
    **params: Any,
) -> Segmentation:
    """Segment texts (reviews, item descriptions): encode them unless ``embeddings`` (n, d) are given.

    ``model`` names the encoder (None: the configured default, see :func:`insight.encode.encode_texts`);
    other keywords go to :func:`segment_vectors` (``languages``, ``outlier_budget``, UMAP/HDBSCAN settings).
    """
    texts = ["" if text is None else str(text) for text in texts]
    report, encode_seconds, encoder = progress or silent, 0.0, "given"
    if embeddings is None:
        from insight.encode import encode_texts

        t = time.perf_counter()
        embeddings = encode_texts(texts, model=model, device=device, progress=scale(report, 0.0, 0.4))
        encode_seconds = time.perf_counter() - t
        report = scale(report, 0.4, 1.0)
        encoder = model or "default"
    result = segment_vectors(embeddings, texts=texts, seed=seed, progress=report, **params)
    result.params["encoder"] = encoder
    result.params["timings"]["encode"] = encode_seconds
    result.seconds += encode_seconds
    return result
