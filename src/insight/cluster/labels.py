"""What a segment is about: its distinctive keywords and its most typical members.

Keywords are class-based TF-IDF over the texts of each segment (outliers left out), so a segment's
words are the ones that set it apart from the other segments, not merely frequent words.
Representatives are the members closest to the segment centroid in the original embedding space,
the examples to show next to a segment.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

KEYWORD_COLUMNS = ["segment", "keyword", "weight", "count", "docs"]


def empty_keywords() -> pd.DataFrame:
    """The keyword frame with no rows (``segment`` int64, ``keyword`` str, ``weight`` float64...)."""
    return pd.DataFrame(
        {
            "segment": pd.Series(dtype=np.int64),
            "keyword": pd.Series(dtype=object),
            "weight": pd.Series(dtype=np.float64),
            "count": pd.Series(dtype=np.int64),
            "docs": pd.Series(dtype=np.int64),
        }
    )


def segment_keywords(
    texts: Sequence[str | None],
    labels: np.ndarray,
    *,
    languages: Sequence[str | None] | str | None = None,
    top_n: int = 10,
    min_df: int = 2,
    ngram_range: tuple[int, int] = (1, 2),
    drop_generic: bool = True,
) -> pd.DataFrame:
    """The ``top_n`` distinctive keywords of each segment, by c-TF-IDF.

    ``texts`` has one entry per point; ``labels`` is (n,) int (-1 for outliers, which are left out).
    ``drop_generic`` removes e-commerce filler ("product", "item") that would top every segment.
    Returns columns ``segment, keyword, weight, count, docs`` sorted by segment then weight
    descending; empty when there are no texts or no segment.
    """
    from insight.keywords import extract_keywords

    labels = np.asarray(labels)
    if texts is None or len(texts) == 0 or not (labels >= 0).any():
        return empty_keywords()
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts for {len(labels)} labels")
    groups = [int(label) if label >= 0 else None for label in labels]
    frame = extract_keywords(
        list(texts),
        groups,
        languages=languages,
        top_n=top_n,
        ngram_range=ngram_range,
        min_df=min_df,
        drop_generic=drop_generic,
    )
    if frame.empty:
        return empty_keywords()
    frame = frame.rename(columns={"group": "segment"})
    frame["segment"] = frame["segment"].astype(np.int64)
    frame = frame.sort_values(["segment", "weight"], ascending=[True, False], kind="stable")
    return frame[KEYWORD_COLUMNS].reset_index(drop=True)


def representatives(
    vectors: np.ndarray, labels: np.ndarray, centroids: dict[int, np.ndarray], k: int = 5
) -> dict[int, list[int]]:
    """Indices of the ``k`` members of each segment most similar (cosine) to its centroid, best first.

    ``vectors`` is (n, d) float, ``labels`` (n,) int, ``centroids`` maps segment -> (d,) unit vector.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms > 0, norms, 1.0)
    labels = np.asarray(labels)
    out: dict[int, list[int]] = {}
    for segment, centroid in centroids.items():
        members = np.flatnonzero(labels == segment)
        if not len(members):
            out[int(segment)] = []
            continue
        similarity = unit[members] @ np.asarray(centroid, dtype=np.float32)
        order = np.argsort(-similarity, kind="stable")[:k]
        out[int(segment)] = [int(i) for i in members[order]]
    return out
