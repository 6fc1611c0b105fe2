"""Segments of users or texts from their embeddings: UMAP -> HDBSCAN, with stable ids across runs.

``segment_vectors`` segments (n, d) vectors (interest profiles, item or review embeddings) and
``segment_texts`` encodes texts first; both return a :class:`Segmentation` with size-ordered
labels, a 2-D map, centroids, keywords, the outlier shares before and after the outlier budget and
a stability score. ``align_segments`` matches a new run's centroids to the previous run's so that
segment ids stay stable, and reports births, deaths, splits and merges.
"""

from __future__ import annotations

from insight.cluster.align import Alignment, align_segments
from insight.cluster.labels import representatives, segment_keywords
from insight.cluster.pipeline import Segmentation, segment_texts, segment_vectors

__all__ = [
    "Alignment",
    "Segmentation",
    "align_segments",
    "representatives",
    "segment_keywords",
    "segment_texts",
    "segment_vectors",
]
