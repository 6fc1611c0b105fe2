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
* **large sets**: UMAP and HDBSCAN are fitted on a random sample of ``sample_size`` points (the
  smallest segment scaled to the sample); every other point is placed at the mean of its exact
  nearest sampled neighbours and takes their vote for its segment (:mod:`.fit`). Stability refits
  use half of that sample, so each costs about half the main fit.

The neighbour search is done once and shared by the clustering UMAP and the 2-D map. Everything is
deterministic for a given seed on the CPU backend.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from insight.cluster._backends import MAP_DEFAULTS, resolve_backend, split_params
from insight.cluster.budget import centroids
from insight.cluster.fit import MIN_POINTS, embed, fit_labels, shared_knn, stability_refits, unit_vectors
from insight.cluster.groups import group_codes
from insight.cluster.labels import empty_keywords, segment_keywords
from insight.progress import ProgressFn, scale, silent

__all__ = ["MIN_POINTS", "Segmentation", "segment_texts", "segment_vectors"]


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
    unit = unit_vectors(vectors)
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
    knn = shared_knn(unit, chosen, seed, fit_idx, reducer_kw, codes)
    labels, probs, raw, reducer, clusterer = fit_labels(
        unit, chosen, seed, fit_idx, reducer_kw, cluster_kw, outlier_budget, max_segment_share, knn, codes
    )
    timings["segment"] = time.perf_counter() - t
    centres = centroids(unit, labels)
    sizes = {k: int((labels == k).sum()) for k in sorted(centres)}

    report(0.4, "drawing the 2-D map")
    t = time.perf_counter()
    coords, mapper = embed(unit, chosen, seed, fit_idx, map_kw, MAP_DEFAULTS, knn)
    timings["map"] = time.perf_counter() - t

    report(0.6, "extracting keywords")
    keywords = empty_keywords() if texts is None else segment_keywords(texts, labels, languages=languages)

    t = time.perf_counter()
    stability, scores = stability_refits(
        unit, labels, fit_idx, chosen, seed, {"n_resamples": n_resamples, "resample_share": resample_share},
        reducer_kw, clusterer.params, outlier_budget, max_segment_share, scale(report, 0.65, 1.0), codes,
    )  # fmt: skip
    timings["stability"] = time.perf_counter() - t
    report(1.0, f"{len(sizes)} segments")
    return Segmentation(
        labels=labels,
        coords=coords.astype(np.float32),
        probabilities=probs.astype(np.float32),
        centroids=centres,
        sizes=sizes,
        keywords=keywords,
        stability=stability,
        outliers_before=float((raw == -1).mean()),
        outliers_after=float((labels == -1).mean()),
        params={
            "n": n,
            "fit_sample": n if fit_idx is None else len(fit_idx),
            "transformed": 0 if fit_idx is None else n - len(fit_idx),  # placed among, and labelled by, neighbours
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
