"""One pass of the segmentation pipeline, and the refits that measure its stability.

A pass is: neighbours searched once (standardised per pair of languages when groups are given, see
:mod:`.groups`), UMAP to a few dimensions, HDBSCAN with no segment over the share the caller allows
(:mod:`.selection`), the outlier budget and ids by size (:mod:`.budget`). :func:`stability_refits`
runs the same pass with other seeds on random subsamples, so an analyst can tell a real segmentation
from an accident of one seed. :func:`insight.cluster.pipeline.segment_vectors` puts it together.
"""

from __future__ import annotations

import warnings

import numpy as np

from insight.cluster._backends import (
    REDUCER_DEFAULTS,
    Built,
    _neighbour_device,
    make_clusterer,
    make_reducer,
    nearest_neighbours,
    to_numpy,
)
from insight.cluster.budget import apply_budget, order_by_size
from insight.cluster.groups import group_codes, grouped_knn, label_by_neighbours, place_by_neighbours
from insight.cluster.selection import selected_labels

MIN_POINTS = 20  # fewer points than this cannot be segmented


def unit_vectors(vectors: np.ndarray) -> np.ndarray:
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


def beyond(n: int, fit_idx: np.ndarray) -> np.ndarray:
    """The points not in the fitted sample, in the order ``placing`` (see :func:`shared_knn`) lists them."""
    return np.setdiff1d(np.arange(n), fit_idx)


def shared_knn(unit, backend, seed, fit_idx, settings, codes=None) -> tuple | None:
    """``((n_neighbors, metric), neighbours, placing)`` of the fitted points, searched once for reducer and map.

    Cosine neighbours are searched exactly (:func:`.groups.grouped_knn`), standardised per pair of
    groups when group ``codes`` are given (see :mod:`.groups`), plain otherwise; ``placing`` then
    holds the neighbours among the fitted points of every point beyond them, which both reducer and
    map use to place those points (None when all points are fitted). Other metrics: umap-learn's
    search, and its ``transform`` for the rest. None on the GPU, where cuML searches itself.
    """
    rows = unit if fit_idx is None else unit[fit_idx]
    if backend != "cpu":
        return None
    k, metric = _neighbour_settings(settings, None, len(rows))
    if metric == "cosine":
        codes = np.zeros(len(unit), dtype=np.int64) if codes is None else codes
        fit_codes = codes if fit_idx is None else codes[fit_idx]
        device, placing = _neighbour_device(), None
        if fit_idx is not None:
            rest = beyond(len(unit), fit_idx)
            placing = grouped_knn(
                rows, fit_codes, k, queries=unit[rest], query_codes=codes[rest], seed=seed, device=device
            )
        return (k, metric), (*grouped_knn(rows, fit_codes, k, seed=seed, device=device), None), placing
    found = nearest_neighbours(rows, k, metric, seed, searchable=fit_idx is not None)
    return None if found is None else ((k, metric), found, None)


def embed(unit, backend, seed, fit_idx, settings, defaults=None, knn=None) -> tuple[np.ndarray, Built]:
    """(n, c) float32 UMAP embedding; fitted on ``fit_idx`` rows (all when None), the rest transformed.

    ``knn`` is a ``((n_neighbors, metric), neighbours, placing)`` triple from :func:`shared_knn`, used
    when this reducer asks for the same neighbours. The rest is placed among its exact neighbours
    (:func:`.groups.place_by_neighbours`; standardised per group where groups were given) rather than by
    UMAP's ``transform``, whose approximate search compiles for minutes and took 3 of the 11 minutes
    of 200,000 users' segments.
    """
    n_fit = len(unit) if fit_idx is None else len(fit_idx)
    base = {**(defaults or {}), **settings}
    base["n_neighbors"], metric = _neighbour_settings(settings, defaults, n_fit)
    same = knn is not None and knn[0] == (base["n_neighbors"], metric)
    shared, placing = (knn[1], knn[2]) if same else (None, None)
    built = make_reducer(backend, seed=seed, defaults=defaults, knn=shared, **base)
    with warnings.catch_warnings():  # exact neighbours come without a search index, which only transform needs
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        fitted = to_numpy(built.estimator.fit_transform(unit if fit_idx is None else unit[fit_idx]))
    if fit_idx is None:
        return fitted.astype(np.float32), built
    out = np.empty((len(unit), built.params["n_components"]), dtype=np.float32)
    out[fit_idx] = fitted
    rest = beyond(len(unit), fit_idx)
    if len(rest) and placing is not None:
        out[rest] = place_by_neighbours(fitted, *placing)
    elif len(rest):  # other settings than the shared search's: UMAP searched, and places, itself
        out[rest] = to_numpy(built.estimator.transform(unit[rest]))
    return out, built


def fit_labels(unit, backend, seed, fit_idx, reducer_kw, cluster_kw, budget, max_share, knn=None, codes=None):
    """One pass of UMAP -> HDBSCAN -> budget -> size order: final labels, probabilities, raw labels, builds.

    ``knn`` (see :func:`shared_knn`) is searched here when not given. When only a sample was fitted
    and the rest placed among its neighbours, HDBSCAN clusters the sample (its smallest segment
    scaled to the sample) and the rest takes its neighbours' vote: the rest's coordinates are means
    of those same neighbours', so clustering them again only repeated the sample's densities, and
    took a minute for 200,000 users.
    """
    knn = knn if knn is not None else shared_knn(unit, backend, seed, fit_idx, reducer_kw, codes)
    embedding, reducer = embed(unit, backend, seed, fit_idx, reducer_kw, knn=knn)
    placing = knn[2] if knn is not None else None  # None when every point was fitted
    clusterer = make_clusterer(backend, n=len(unit), **cluster_kw)
    if placing is None:
        clusterer.estimator.fit(embedding)
        raw, probs = selected_labels(clusterer, len(unit), max_share)
    else:
        raw, probs = _cluster_sample(embedding, fit_idx, placing, backend, clusterer.params, max_share)
    probs[raw < 0] = 0.0
    labels, probs = apply_budget(unit, raw, probs, budget)
    return order_by_size(labels), probs, raw, reducer, clusterer


def _cluster_sample(embedding, fit_idx, placing, backend, settings, max_share) -> tuple[np.ndarray, np.ndarray]:
    """HDBSCAN labels and probabilities of every point: the sample clustered, the rest by its neighbours' vote."""
    n, m = len(embedding), len(fit_idx)
    smallest = max(2, round(settings["min_cluster_size"] * m / n))
    sample = make_clusterer(
        backend,
        n=m,
        **{**settings, "min_cluster_size": smallest, "min_samples": min(settings["min_samples"], smallest)},
    )
    sample.estimator.fit(embedding[fit_idx])
    fit_raw, fit_probs = selected_labels(sample, m, max_share)
    fit_probs[fit_raw < 0] = 0.0
    raw, probs = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.float32)
    raw[fit_idx], probs[fit_idx] = fit_raw, fit_probs
    rest = beyond(n, fit_idx)
    raw[rest], probs[rest] = label_by_neighbours(fit_raw, fit_probs, *placing)
    return raw, probs


def stability_refits(
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
        refit, *_ = fit_labels(
            unit[sub], backend, seed + r + 1, None, reducer_kw, refit_kw, budget, max_share, codes=sub_codes
        )
        scores.append(float(adjusted_rand_score(labels[sub], refit)))
    return float(np.mean(scores)), scores
