"""Aspects of one product category, found by clustering what its review clauses are about.

Clause vectors carry three things at once: what the clause is about, how the writer feels, and the
language it is written in. Only the first makes an aspect, so before clustering the sentiment
head's own directions are projected out (so "it leaks" and "no leaks at all" land together) and
every language is centred on its own mean (so "leaks" and "漏水" land together,
:mod:`insight.profiles.space`). A category has a few hundred to tens of thousands of distinct clauses,
short and close together; average-linkage clustering with a distance threshold groups them without
a number of aspects given in advance, and an outlier budget places all but a few.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insight.cluster.pipeline import MIN_POINTS
from insight.profiles.space import LanguageSpace, unit_rows

MIN_ASPECT_CLAUSES = 5  # the smallest aspect, in distinct clauses, whatever the category's size
ASPECT_SHARE = 0.02  # default smallest aspect: this share of a category's distinct clauses
# Clauses of one aspect are on average at least this close (cosine distance, feeling and language taken
# out). In bench/aspects.py on the demo (seeds 0-2), 0.7 and 0.75 split complaints about one thing over
# more aspects and found fewer planted problems than 0.8 (BENCHMARKS.md, "Review aspects").
LINKAGE_DISTANCE = 0.8
FIT_SAMPLE = 4000  # clauses the linkage is fitted on (its memory grows with the square); the rest are assigned


@dataclass
class CategoryAspects:
    """One category's aspects: a label per distinct clause (-1: none) and a centroid per aspect."""

    labels: np.ndarray  # (n,) int: aspect of each distinct clause, 0.. by size; -1 for none
    centroids: dict[int, np.ndarray]  # aspect -> (d,) unit centroid in the neutral space
    params: dict


def feeling_basis(head_weights: np.ndarray) -> np.ndarray:
    """Orthonormal (d, 2) basis of the directions the sentiment head reads feeling from."""
    w = np.asarray(head_weights, dtype=np.float64)  # (d, 3): negative, neutral, positive
    directions = np.stack([w[:, 2] - w[:, 0], w[:, 1] - (w[:, 0] + w[:, 2]) / 2], axis=1)
    basis, _ = np.linalg.qr(directions)
    return basis


def about_vectors(vectors: np.ndarray, languages, space: LanguageSpace, basis: np.ndarray) -> np.ndarray:
    """Clause vectors with feeling and language taken out: what the clauses are about, unit rows (n, d)."""
    neutral = space.neutral(vectors, languages).astype(np.float64)
    neutral -= (neutral @ basis) @ basis.T
    return unit_rows(neutral.astype(np.float32))


def smallest_aspect(n_clauses: int, share: float = ASPECT_SHARE) -> int:
    """The default smallest aspect for a category with ``n_clauses`` distinct clauses."""
    return max(MIN_ASPECT_CLAUSES, round(share * n_clauses))


def discover_aspects(
    about: np.ndarray,
    *,
    min_cluster_size: int | None = None,
    outlier_budget: float = 0.1,
    seed: int = 0,
) -> CategoryAspects | None:
    """Group one category's distinct clauses (``about``: (n, d) from :func:`about_vectors`) into aspects.

    Average-linkage clustering on cosine distance, stopped where groups are on average no closer than
    :data:`LINKAGE_DISTANCE`, fitted on at most :data:`FIT_SAMPLE` clauses; groups smaller than the
    smallest aspect are dropped. Every clause then joins its nearest aspect if it is as close as that
    aspect's own members typically are, and, within ``outlier_budget``, the closest of the rest join too.
    None when the category has too few distinct clauses.
    """
    from sklearn.cluster import AgglomerativeClustering

    n = len(about)
    size = int(min_cluster_size or smallest_aspect(n))
    if n < max(MIN_POINTS, 2 * size):
        return None
    fit = np.sort(np.random.default_rng(seed).choice(n, FIT_SAMPLE, replace=False)) if n > FIT_SAMPLE else np.arange(n)
    grouped = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=LINKAGE_DISTANCE
    ).fit_predict(about[fit])
    fit_size = max(MIN_ASPECT_CLAUSES, round(size * len(fit) / n))
    counts = np.bincount(grouped)
    kept = [g for g in np.argsort(-counts, kind="stable") if counts[g] >= fit_size]
    if not kept:
        return None
    centres = unit_rows(np.stack([about[fit][grouped == g].mean(axis=0) for g in kept]))
    member_floor = np.array([np.quantile(about[fit][grouped == g] @ centres[k], 0.1) for k, g in enumerate(kept)])
    similarity = about @ centres.T
    nearest = similarity.argmax(axis=1)
    closeness = similarity[np.arange(n), nearest]
    labels = np.where(closeness >= member_floor[nearest], nearest, -1)
    outside = np.flatnonzero(labels < 0)
    extra = len(outside) - int(outlier_budget * n)
    if extra > 0:
        joining = outside[np.argsort(-closeness[outside], kind="stable")[:extra]]
        labels[joining] = nearest[joining]
    labels = _by_size(labels)
    centroids = {k: unit_rows(about[labels == k].mean(axis=0)[None, :])[0] for k in range(labels.max() + 1)}
    return CategoryAspects(
        labels=labels,
        centroids=centroids,
        params={
            "clauses": n,
            "fitted_on": len(fit),
            "min_cluster_size": size,
            "aspects": len(centroids),
            "unplaced": round(float((labels < 0).mean()), 4),
        },
    )


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 0.. from the largest group down; -1 stays; empty groups vanish."""
    present = labels[labels >= 0]
    if not len(present):
        return labels
    order = np.argsort(-np.bincount(present), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    out = np.full(len(labels), -1, dtype=np.int64)
    out[labels >= 0] = rank[labels[labels >= 0]]
    # groups that lost every member to others leave gaps at the end only: they are the smallest
    return out


def seed_members(
    about: np.ndarray, labels: np.ndarray, centroids: dict[int, np.ndarray], seed_centre: np.ndarray
) -> np.ndarray:
    """Which distinct clauses a merchant's seeded aspect takes: (n,) bool.

    A clause joins the seed when it is closer to the seed's centre than to its own aspect's centroid;
    a clause with no aspect joins when it is at least as close as a typical member is to its aspect.
    """
    centre = seed_centre / max(float(np.linalg.norm(seed_centre)), 1e-12)
    to_seed = about @ centre
    own = np.array([float(about[i] @ centroids[lab]) if lab >= 0 else np.nan for i, lab in enumerate(labels)])
    members = labels >= 0
    typical = float(np.nanquantile(own[members], 0.25)) if members.any() else 0.5
    return np.where(members, to_seed > own, to_seed >= typical)
