"""After HDBSCAN: the outlier budget, segment centroids, and ids ordered by size.

HDBSCAN often calls a third of the points noise, which leaves an analyst with segments that describe
only part of the base. The budget reassigns the outliers most similar to a segment's centroid (cosine
in the original space, where the centroids live) until at most the budget's share of the points stays
an outlier; the least similar ones are those kept. Segment ids are then renumbered by size, 0 being
the largest, which is what pages list first and what :func:`insight.cluster.align.align_segments`
keeps stable across runs.
"""

from __future__ import annotations

import math

import numpy as np


def centroids(unit: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Segment -> (d,) float32 L2-normalised mean of its members' vectors."""
    out = {}
    for label in np.unique(labels[labels >= 0]):
        mean = unit[labels == label].mean(axis=0)
        out[int(label)] = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
    return out


def apply_budget(unit, labels, probs, budget) -> tuple[np.ndarray, np.ndarray]:
    """Reassign the outliers most similar to a centroid until at most ``budget`` of all points stay -1.

    Similarity is cosine in the original space; the least similar outliers are the ones kept.
    """
    labels, probs = labels.copy(), probs.copy()
    outliers = np.flatnonzero(labels == -1)
    excess = len(outliers) - math.floor(budget * len(labels) + 1e-9)
    found = centroids(unit, labels)
    if excess <= 0 or not found:
        return labels, probs
    keys = np.array(sorted(found), dtype=np.int64)
    similarity = unit[outliers] @ np.stack([found[k] for k in keys]).T
    best, best_sim = similarity.argmax(axis=1), similarity.max(axis=1)
    chosen = np.argsort(-best_sim, kind="stable")[:excess]
    labels[outliers[chosen]] = keys[best[chosen]]
    probs[outliers[chosen]] = np.clip(best_sim[chosen], 0.0, 1.0)
    return labels, probs


def order_by_size(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 0..k-1 by decreasing size (ties: by old label); -1 stays -1."""
    old, counts = np.unique(labels[labels >= 0], return_counts=True)
    order = old[np.lexsort((old, -counts))]
    mapping = np.full(int(labels.max()) + 2 if len(old) else 1, -1, dtype=np.int64)
    mapping[order] = np.arange(len(order))
    return np.where(labels >= 0, mapping[np.maximum(labels, 0)], -1).astype(np.int64)
