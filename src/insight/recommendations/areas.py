"""Interest areas: groups of items an exploration policy chooses between, each with a readable name.

Where the catalogue has categories (most items carry one), the categories are the areas: merchants
already think in them. Otherwise (Online Retail has only product titles) the areas are spherical
k-means clusters of the item embeddings, named by their most distinctive title words (c-TF-IDF).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CATEGORY_SHARE = 0.8  # categories become the areas when at least this share of items has one
MAX_AREAS = 40


@dataclass
class Areas:
    """Which area each item belongs to, and the name of each area."""

    labels: np.ndarray  # (n_items,) int64, area of each item
    names: list[str]  # (n_areas,) readable names
    source: str  # "category" or "clusters"

    @property
    def count(self) -> int:
        """Number of areas."""
        return len(self.names)


def fit_areas(items: pd.DataFrame, vectors: np.ndarray, *, n_areas: int | None = None, seed: int = 0) -> Areas:
    """Areas of items (rows: item_id, title, category) with L2-normalised vectors (float32, (n, dim)).

    ``n_areas`` (clusters only) defaults to sqrt(n_items / 2), between 2 and 40.
    """
    n = len(items)
    categories = items["category"] if "category" in items else pd.Series([None] * n)
    named = categories.notna().to_numpy()
    if n and named.mean() >= CATEGORY_SHARE and categories[named].nunique() >= 2:
        return _category_areas(categories, vectors, named)
    if n_areas is None:
        n_areas = int(np.clip(round(np.sqrt(n / 2)), 2, MAX_AREAS))
    n_areas = max(1, min(n_areas, n))
    if n_areas < 2:
        return Areas(np.zeros(n, dtype=np.int64), ["everything"], "clusters")
    from sklearn.cluster import KMeans

    # On unit vectors, Euclidean k-means ranks like cosine; centres are re-normalised when used.
    labels = KMeans(n_clusters=n_areas, n_init=3, random_state=seed).fit_predict(vectors.astype(np.float64))
    labels = _dense(labels)
    return Areas(labels, _cluster_names(items["title"].fillna("").tolist(), labels, vectors), "clusters")


def _category_areas(categories: pd.Series, vectors: np.ndarray, named: np.ndarray) -> Areas:
    """Categories as areas; an item without one joins the category whose mean vector is closest."""
    codes, names = pd.factorize(categories, sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    if (~named).any():
        centres = np.vstack([vectors[codes == c].mean(axis=0) for c in range(len(names))])
        codes[~named] = (vectors[~named] @ centres.T).argmax(axis=1)
    return Areas(codes, [str(name) for name in names], "category")


def _dense(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 0..m-1 (k-means can leave a cluster empty)."""
    return np.unique(labels, return_inverse=True)[1].astype(np.int64)


def _cluster_names(titles: list[str], labels: np.ndarray, vectors: np.ndarray) -> list[str]:
    """Three distinctive words per cluster; the most central title when the words say nothing."""
    from insight.keywords import extract_keywords

    n_areas = int(labels.max()) + 1
    keywords = extract_keywords(titles, labels, top_n=3, ngram_range=(1, 1), min_df=1)
    words = keywords.groupby("group")["keyword"].apply(lambda k: " / ".join(k)).to_dict()
    names = []
    for area in range(n_areas):
        members = np.flatnonzero(labels == area)
        centre = vectors[members].mean(axis=0)
        central = titles[members[int(np.argmax(vectors[members] @ centre))]]
        names.append(words.get(area) or central or f"area {area + 1}")
    return names
