"""Shared data for the segmentation tests: small synthetic embeddings and one shared fitted segmentation.

UMAP compiles with numba on its first fit in a process (tens of seconds), so the fitted
segmentation is session-scoped and reused by every test that only reads it.
"""

from __future__ import annotations

import numpy as np
import pytest

DIM = 384
BLOB_SIZES = (240, 160, 120, 80)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def topic_centers(k: int, rng: np.random.Generator, dim: int = DIM, shared: float = 0.55) -> np.ndarray:
    """(k, dim) unit centres sharing a common direction (pairwise cosine ~0.2, like related interests)."""
    common = _unit(rng.normal(size=dim))
    return _unit(shared * common + _unit(rng.normal(size=(k, dim))))


def make_blobs(sizes=BLOB_SIZES, *, seed: int = 0, spread: float = 0.045, centers=None):
    """Gaussian blobs on the unit sphere: (n, 384) float32 vectors, (n,) int truth, (k, 384) centres.

    With spread 0.045 a point's cosine to its centre is ~0.75, as for a user and their main interest.
    """
    rng = np.random.default_rng(seed)
    centers = topic_centers(len(sizes), rng) if centers is None else centers
    points = [c + spread * rng.normal(size=(s, DIM)) for c, s in zip(centers, sizes, strict=True)]
    truth = np.repeat(np.arange(len(sizes)), sizes)
    return _unit(np.vstack(points)).astype(np.float32), truth, centers


def make_topics(sizes=BLOB_SIZES, *, seed: int = 0, subtopics: int = 8, mixed: float = 0.1, spread: float = 0.045):
    """Messier data, like real interests: each topic is uneven sub-topics, plus 10 % mixed-interest points.

    HDBSCAN leaves a large share of these as outliers when min_cluster_size is 30, which is what the
    outlier budget is for. Returns (n, 384) float32 vectors and (n,) truth (-1 for the mixed points).
    """
    rng = np.random.default_rng(seed)
    centers = topic_centers(len(sizes), rng)
    points, truth = [], []
    for k, size in enumerate(sizes):
        subs = _unit(centers[k] + 0.05 * rng.normal(size=(subtopics, DIM)))
        which = rng.choice(subtopics, size=size, p=rng.dirichlet(np.full(subtopics, 0.7)))
        points.append(subs[which] + spread * rng.normal(size=(size, DIM)))
        truth += [k] * size
    for _ in range(int(mixed * sum(sizes))):
        a, b = rng.choice(len(sizes), 2, replace=False)
        w = rng.uniform(0.25, 0.75)
        points.append((w * centers[a] + (1 - w) * centers[b] + spread * rng.normal(size=DIM))[None])
        truth.append(-1)
    return _unit(np.vstack(points)).astype(np.float32), np.array(truth)


@pytest.fixture(scope="session")
def blobs():
    """600 points in 4 blobs of 240/160/120/80: (vectors, truth, centres)."""
    return make_blobs()


@pytest.fixture(scope="session")
def fitted(blobs):
    """The blobs segmented once with defaults (2 stability refits), and the progress calls it made."""
    from insight.cluster import segment_vectors

    calls: list[tuple[float, str]] = []
    seg = segment_vectors(blobs[0], seed=0, progress=lambda fraction, message: calls.append((fraction, message)))
    return seg, calls
