"""Segmentation of embeddings: UMAP to 5-D, HDBSCAN, an outlier budget, a 2-D map and a stability score.

The recipe is BERTopic's (reduce with UMAP, cluster densities with HDBSCAN, describe with
c-TF-IDF), with what an analyst needs on top of it:

* an **outlier budget**: HDBSCAN often calls a third of the points noise; the budget reassigns the
  outliers most similar to a segment centroid until at most ``outlier_budget`` of the points remain
  outliers, and the shares before and after are reported;
* **no segment that is most of the data**: a selected cluster holding more than ``max_segment_share``
  of the points is replaced by its sub-clusters when HDBSCAN's tree has any (:mod:`.selection`);
* a **stability score**: the same pipeline, with another seed, is refitted on random halves of the
  points and compared with the adjusted Rand index, so a user sees whether the segmentation is real
  or an accident of a seed;
* **size-ordered ids** (0 is the largest) and centroids in the original space, which
  :func:`insight.cluster.align.align_segments` uses to keep ids stable across runs;
* **large sets**: UMAP is fitted on a random sample of ``sample_size`` points and the rest is
  projected with ``transform``; HDBSCAN then clusters every point in 5-D, which is cheap.
  Stability refits use half of that sample, so each costs about half the main fit.

The neighbour search is done once and shared by the clustering UMAP and the 2-D map. Everything is
deterministic for a given seed on the CPU backend.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from insight.cluster._backends import (
    MAP_DEFAULTS,
    REDUCER_DEFAULTS,
    Built,
    make_clusterer,
    make_reducer,
    nearest_neighbours,
    resolve_backend,
    split_params,
    to_numpy,
)
from insight.cluster.groups import group_codes, grouped_knn, place_by_neighbours
from insight.cluster.labels import empty_keywords, segment_keywords
from insight.cluster.selection import label_points, select_clusters
from insight.progress import ProgressFn, scale, silent

MIN_POINTS = 20


@dataclass
class Segmentation:
    """The result of a segmentation; every array has one row per input point, in input order."""

    labels: np.ndarray  # (n,) int64: segment 0..k-1 by size, largest first; -1 only for remaining outliers
    coords: np.ndarray  # (n, 2) float32: a separate 2-D UMAP for scatter plots
    probabilities: np.ndarray  # (n,) float32: HDBSCAN membership; reassigned outliers: cosine to centroid
    centroids: dict[int, np.ndarray]  # segment -> (d,) float32 mean of members' original vectors, L2-normalised
    sizes: dict[int, int]  # segment -> number of members
    keywords: pd.DataFrame  # segment, keyword, weight, count, docs (empty when no texts)
    stability: float  # mean ARI between this fit and refits on random halves (nan when n_resamples=0)
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


def _neighbour_settings(settings: dict, defaults: dict | None, n_fit: int) -> tuple[int, str]:
    """The (n_neighbors, metric) a reducer with these settings will use on ``n_fit`` points."""
    base = {**(REDUCER_DEFAULTS if defaults is None else defaults), **settings}
    return min(int(base.get("n_neighbors", 15)), n_fit - 1), str(base.get("metric", "cosine"))


def _shared_knn(unit, backend, seed, fit_idx, settings, codes=None) -> tuple | None:
    """``((n_neighbors, metric), neighbours)`` of the fitted points, searched once for reducer and map.

    With group ``codes`` (see :mod:`.groups`) and cosine, neighbours are standardised per pair of
    groups. None on the GPU, where cuML searches itself, and for metrics we do not search (UMAP then does).
    """
    rows = unit if fit_idx is None else unit[fit_idx]
    if backend != "cpu":
        return None
    k, metric = _neighbour_settings(settings, None, len(rows))
    if codes is not None and metric == "cosine":
        return (k, metric), (*grouped_knn(rows, codes if fit_idx is None else codes[fit_idx], k, seed=seed), None)
    found = nearest_neighbours(rows, k, metric, seed, searchable=fit_idx is not None)
    return None if found is None else ((k, metric), found)


def _embed(unit, backend, seed, fit_idx, settings, defaults=None, knn=None, codes=None) -> tuple[np.ndarray, Built]:
    """(n, c) float32 UMAP embedding; fitted on ``fit_idx`` rows (all when None), the rest transformed.

    ``knn`` is a ``((n_neighbors, metric), neighbours)`` pair from :func:`_shared_knn`, used when this
    reducer asks for the same neighbours. With group ``codes`` the rest is placed among its
    standardised neighbours (:func:`.groups.place_by_neighbours`), as UMAP's transform would search plain ones.
    """
    n_fit = len(unit) if fit_idx is None else len(fit_idx)
    base = {**(defaults or {}), **settings}
    base["n_neighbors"], metric = _neighbour_settings(settings, defaults, n_fit)
    shared = knn[1] if knn is not None and knn[0] == (base["n_neighbors"], metric) else None
    built = make_reducer(backend, seed=seed, defaults=defaults, knn=shared, **base)
    with warnings.catch_warnings():  # exact neighbours come without a search index, which only transform needs
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        fitted = to_numpy(built.estimator.fit_transform(unit if fit_idx is None else unit[fit_idx]))
    if fit_idx is None:
        return fitted.astype(np.float32), built
    out = np.empty((len(unit), built.params["n_components"]), dtype=np.float32)
    out[fit_idx] = fitted
    rest = np.setdiff1d(np.arange(len(unit)), fit_idx)
    if len(rest) and shared is not None and codes is not None:
        k = base["n_neighbors"]
        found = grouped_knn(unit[fit_idx], codes[fit_idx], k, queries=unit[rest], query_codes=codes[rest])
        out[rest] = place_by_neighbours(fitted, *found)
    elif len(rest):
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


def _select(clusterer: Built, n: int, max_share: float | None) -> tuple[np.ndarray, np.ndarray]:
    """HDBSCAN's labels and probabilities, with segments over ``max_share`` of the points split (eom only)."""
    estimator, params = clusterer.estimator, clusterer.params
    tree = getattr(estimator, "condensed_tree_", None)
    if (
        max_share is not None
        and max_share < 1
        and params.get("cluster_selection_method") == "eom"
        and not params.get("allow_single_cluster")
        and not params.get("cluster_selection_epsilon")
        and not params.get("max_cluster_size")
        and tree is not None
    ):
        frame = tree.to_pandas()
        return label_points(frame, n, select_clusters(frame, n, max_share))
    raw = to_numpy(estimator.labels_).astype(np.int64)
    return raw, to_numpy(estimator.probabilities_).astype(np.float32)


def _fit_labels(unit, backend, seed, fit_idx, reducer_kw, cluster_kw, budget, max_share, knn=None, codes=None):
    """One pass of UMAP -> HDBSCAN -> budget -> size order: final labels, probabilities, raw labels, builds.

    ``knn`` (see :func:`_shared_knn`) is searched here when not given.
    """
    knn = knn if knn is not None else _shared_knn(unit, backend, seed, fit_idx, reducer_kw, codes)
    embedding, reducer = _embed(unit, backend, seed, fit_idx, reducer_kw, knn=knn, codes=codes)
    clusterer = make_clusterer(backend, n=len(unit), **cluster_kw)
    clusterer.estimator.fit(embedding)
    raw, probs = _select(clusterer, len(unit), max_share)
    probs[raw < 0] = 0.0
    labels, probs = _apply_budget(unit, raw, probs, budget)
    return _order_by_size(labels), probs, raw, reducer, clusterer


def _stability(
    unit, labels, fit_idx, backend, seed, settings, reducer_kw, cluster_kw, budget, max_share, progress, codes=None
):
    """Mean ARI between ``labels`` and refits on random subsamples of the fitted points, and each score.

    ``settings`` holds ``n_resamples`` and ``resample_share``. Each refit is the whole pipeline with
    another seed; its smallest segment shrinks with the sample, so it looks for the same segments.
    """
    from sklearn.metrics import adjusted_rand_score

    n_resamples, share = settings["n_resamples"], settings["resample_share"]
    if n_resamples <= 0:
        return float("nan"), []
    base = np.arange(len(unit)) if fit_idx is None else fit_idx
    size = min(len(base), max(MIN_POINTS, round(share * len(base))))
    refit_kw = {**cluster_kw, "min_cluster_size": max(2, round(cluster_kw["min_cluster_size"] * size / len(base)))}
    scores = []
    for r in range(n_resamples):
        progress(r / n_resamples, f"stability: refit {r + 1} of {n_resamples}")
        rng = np.random.default_rng([seed, r, 1])
        sub = np.sort(rng.choice(base, size=size, replace=False))
        sub_codes = None if codes is None else group_codes(codes[sub])
        refit, *_ = _fit_labels(
            unit[sub], backend, seed + r + 1, None, reducer_kw, refit_kw, budget, max_share, codes=sub_codes
        )
        scores.append(float(adjusted_rand_score(labels[sub], refit)))
    return float(np.mean(scores)), scores


def segment_vectors(
    vectors: np.ndarray,
    *,
    texts: Sequence[str | None] | None = None,
    languages: Sequence[str | None] | str | None = None,
    groups: Sequence[str | None] | None = None,
    seed: int = 0,
    outlier_budget: float = 0.05,
    max_segment_share: float | None = 0.5,
    n_resamples: int = 2,
    resample_share: float = 0.5,
    sample_size: int = 20_000,
    backend: str = "auto",
    progress: ProgressFn | None = None,
    **params: Any,
) -> Segmentation:
    """Segment (n, d) float vectors (e.g. 384-d embeddings) into size-ordered segments.

    ``texts`` (one per vector) give each segment keywords; ``languages`` is passed to the tokenizer.
    ``groups`` (one per vector, e.g. each user's language) makes neighbours standardised per pair of
    groups (:mod:`.groups`), so segments do not split by group; None, or fewer than two groups of
    at least :data:`.groups.MIN_GROUP` points, leaves plain cosine neighbours.
    ``outlier_budget`` is the share of points allowed to stay outliers (0: none). A segment holding
    more than ``max_segment_share`` of the points is split into HDBSCAN's sub-clusters where it has
    any (None: never). ``n_resamples`` refits on random ``resample_share`` subsamples measure
    stability (0 skips it). Above ``sample_size`` points UMAP is
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
    if groups is not None and len(groups) != n:
        raise ValueError(f"{len(groups)} groups for {n} vectors")
    if not 0.0 <= outlier_budget <= 1.0:
        raise ValueError(f"outlier_budget must be within [0, 1], got {outlier_budget}")
    if max_segment_share is not None and not 0.0 < max_segment_share <= 1.0:
        raise ValueError(f"max_segment_share must be within (0, 1] or None, got {max_segment_share}")
    if not 0.0 < resample_share <= 1.0:
        raise ValueError(f"resample_share must be within (0, 1], got {resample_share}")
    reducer_kw, cluster_kw, map_kw = split_params(params)
    chosen = resolve_backend(backend)
    timings: dict[str, float] = {}
    fit_idx = (
        np.sort(np.random.default_rng(seed).choice(n, int(sample_size), replace=False)) if n > sample_size else None
    )

    report(0.0, f"reducing {n} vectors to {reducer_kw.get('n_components', 5)}-D and clustering")
    t = time.perf_counter()
    codes = group_codes(groups)
    knn = _shared_knn(unit, chosen, seed, fit_idx, reducer_kw, codes)
    labels, probs, raw, reducer, clusterer = _fit_labels(
        unit, chosen, seed, fit_idx, reducer_kw, cluster_kw, outlier_budget, max_segment_share, knn, codes
    )
    timings["segment"] = time.perf_counter() - t
    centroids = _centroids(unit, labels)
    sizes = {k: int((labels == k).sum()) for k in sorted(centroids)}

    report(0.4, "drawing the 2-D map")
    t = time.perf_counter()
    coords, mapper = _embed(unit, chosen, seed, fit_idx, map_kw, MAP_DEFAULTS, knn, codes)
    timings["map"] = time.perf_counter() - t

    report(0.6, "extracting keywords")
    keywords = empty_keywords() if texts is None else segment_keywords(texts, labels, languages=languages)

    t = time.perf_counter()
    stability, scores = _stability(
        unit, labels, fit_idx, chosen, seed, {"n_resamples": n_resamples, "resample_share": resample_share},
        reducer_kw, clusterer.params, outlier_budget, max_segment_share, scale(report, 0.65, 1.0), codes,
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
            "groups": 0 if codes is None else int(codes.max()) + 1,
            "outlier_budget": float(outlier_budget),
            "max_segment_share": None if max_segment_share is None else float(max_segment_share),
            "n_resamples": int(n_resamples),
            "resample_share": float(resample_share),
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
