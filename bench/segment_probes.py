"""The probes behind the segmentation defaults, on the same cached embeddings as segment_vs_bertopic.py.

Run that benchmark once first (it encodes and caches the sets). This script then times, single-threaded
and seeded as the pipeline runs them:
  * UMAP 5-D for clustering at 500 and 50 epochs, and how well HDBSCAN's segments (with the pipeline's
    half-the-points rule and 5 % outlier budget) then agree with the zh product categories;
  * the 2-D map at 200, 100 and 50 epochs;
  * umap-learn's own neighbour search on a small set (2,668 retail descriptions, its pairwise path)
    against the exact search the pipeline does there;
  * Python jieba against jieba-rs on the zh reviews, and how often their tokens are identical.

    python bench/segment_probes.py [--zh-n 10000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import segment_vs_bertopic as peer  # noqa: E402


def _timed(function, *args):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zh-n", type=int, default=10_000)
    args = parser.parse_args()

    import umap
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from insight.cluster._backends import make_clusterer, nearest_neighbours
    from insight.cluster.budget import apply_budget
    from insight.cluster.fit import unit_vectors
    from insight.cluster.selection import selected_labels

    frame, stem = peer.prepare("zh", args.zh_n, 0)
    zh, truth = unit_vectors(np.load(stem.with_suffix(".npy"))), frame["category"].to_numpy()
    umap.UMAP(n_components=5, random_state=0, n_jobs=1, n_epochs=10).fit_transform(zh[:500])  # compile first
    knn = nearest_neighbours(zh, 15, "cosine", 0)
    search = _timed(nearest_neighbours, zh, 15, "cosine", 0)[0]
    print(f"zh: {len(zh):,} reviews; neighbour search {search:.1f} s")
    for epochs in (500, 50):
        for seed in (0, 1):
            reducer = umap.UMAP(n_components=5, min_dist=0.0, metric="cosine", n_epochs=epochs, random_state=seed,
                                n_jobs=1, precomputed_knn=knn)  # fmt: skip
            seconds, embedding = _timed(reducer.fit_transform, zh)
            clusterer = make_clusterer("cpu", n=len(zh))
            clusterer.estimator.fit(embedding)
            raw, probs = selected_labels(clusterer, len(zh), 0.5)
            labels, _ = apply_budget(zh, raw, probs, 0.05)
            print(
                f"zh: clustering UMAP {epochs} epochs, seed {seed}: {seconds:.1f} s, {labels.max() + 1} segments, "
                f"NMI {normalized_mutual_info_score(truth, labels):.3f}, ARI {adjusted_rand_score(truth, labels):.3f}"
            )
    for epochs in (200, 100, 50):
        mapper = umap.UMAP(n_components=2, min_dist=0.1, metric="cosine", n_epochs=epochs, random_state=0, n_jobs=1,
                           precomputed_knn=knn)  # fmt: skip
        print(f"zh: 2-D map {epochs} epochs: {_timed(mapper.fit_transform, zh)[0]:.1f} s")

    _, retail_stem = peer.prepare("retail", 0, 0)
    half = unit_vectors(np.load(retail_stem.with_suffix(".npy")))
    half = half[np.sort(np.random.default_rng(0).choice(len(half), len(half) // 2, replace=False))]
    own = umap.UMAP(n_components=5, min_dist=0.0, metric="cosine", n_epochs=50, random_state=1, n_jobs=1)
    exact_seconds, exact = _timed(nearest_neighbours, half, 15, "cosine", 1)
    given = umap.UMAP(n_components=5, min_dist=0.0, metric="cosine", n_epochs=50, random_state=1, n_jobs=1,
                      precomputed_knn=exact)  # fmt: skip
    own_seconds, given_seconds = _timed(own.fit_transform, half)[0], _timed(given.fit_transform, half)[0]
    print(
        f"retail half ({len(half):,}): UMAP with its own small-set search {own_seconds:.1f} s; "
        f"exact search {exact_seconds:.2f} s + UMAP {given_seconds:.1f} s"
    )

    import jieba
    import rjieba

    texts = frame["text"].tolist()
    jieba.initialize()
    rjieba.cut("预热")
    slow, ours = _timed(lambda: [jieba.lcut(t) for t in texts]), _timed(lambda: [rjieba.cut(t) for t in texts])
    same = np.mean([a == b for a, b in zip(slow[1], ours[1], strict=True)])
    print(f"zh tokens: jieba {slow[0]:.2f} s, jieba-rs {ours[0]:.2f} s; identical for {same:.1%} of reviews")


if __name__ == "__main__":
    main()
