"""Which of HDBSCAN's clusters become segments: excess of mass, but no segment that is most of the data.

HDBSCAN builds a tree of ever denser clusters and its excess-of-mass rule picks the most persistent
ones. On real reviews that rule often keeps one parent cluster holding most of the points: on 10,000
Chinese shopping reviews it kept 70 % of them in one "quality, courier, packaging" segment that spans
six product categories (bench/segment_vs_bertopic.py). A segment that is most of the base tells an
analyst nothing, so a selected cluster holding more than ``max_share`` of the points is replaced by the
best selection among its children, the same rule applied one level down, for as long as the tree
offers a split. A cluster with no children stays whole however large it is: one dense group is a real
answer, and hdbscan's own ``max_cluster_size`` would turn it into noise instead.

Everything is computed from the condensed tree (``parent, child, lambda_val, child_size``), which
hdbscan and cuML both expose, so the rule means the same thing on either backend. With no cluster
over the share, the labels and probabilities are hdbscan's own (tested).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from insight.cluster._backends import to_numpy


def _stabilities(tree: pd.DataFrame, root: int) -> dict[int, float]:
    """Excess of mass of each cluster: sum over its rows of (lambda - lambda at the cluster's birth) x size."""
    birth = dict(zip(tree["child"].to_numpy(), tree["lambda_val"].to_numpy(), strict=True))
    birth[root] = 0.0
    parents = tree["parent"].to_numpy()
    mass = (tree["lambda_val"].to_numpy() - np.array([birth[p] for p in parents])) * tree["child_size"].to_numpy()
    out: dict[int, float] = defaultdict(float)
    for parent, value in zip(parents, mass, strict=True):
        out[int(parent)] += float(value)
    return dict(out)


def select_clusters(tree: pd.DataFrame, n: int, max_share: float | None = 0.5) -> list[int]:
    """Ids of the selected clusters of a condensed tree over ``n`` points (excess of mass, root excluded).

    Any selected cluster larger than ``max_share`` x ``n`` that has child clusters is replaced by the
    best selection within its children (repeatedly); None or 1 turns the rule off.
    """
    clusters = tree[tree["child_size"] > 1]
    root = n
    children: dict[int, list[int]] = defaultdict(list)
    for parent, child in zip(clusters["parent"].to_numpy(), clusters["child"].to_numpy(), strict=True):
        children[int(parent)].append(int(child))
    sizes = dict(zip(clusters["child"].astype(int), clusters["child_size"].astype(int), strict=True))
    stability = _stabilities(tree, root)
    best: dict[int, list[int]] = {}
    best_mass: dict[int, float] = {}
    for node in sorted(sizes, reverse=True):  # children have larger ids than their parents
        below = sum(best_mass[c] for c in children[node])
        own = stability.get(node, 0.0)
        if children[node] and below > own:
            best[node], best_mass[node] = [x for c in children[node] for x in best[c]], below
        else:
            best[node], best_mass[node] = [node], own
    selected = [x for c in children[root] for x in best[c]]
    limit = n * max_share if max_share is not None and max_share < 1 else None
    while limit is not None:
        giants = [c for c in selected if sizes[c] > limit and children[c]]
        if not giants:
            break
        for giant in giants:
            selected.remove(giant)
            selected += [x for c in children[giant] for x in best[c]]
    return sorted(selected)


def label_points(tree: pd.DataFrame, n: int, selected: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(n,) labels (index into ``selected``, -1 for noise) and hdbscan-style membership probabilities.

    A point belongs to the selected cluster it falls out of or one of whose descendants it falls out
    of; its probability is its lambda over the largest lambda found directly under that cluster.
    """
    clusters = tree[tree["child_size"] > 1]
    parent_of = dict(zip(clusters["child"].astype(int), clusters["parent"].astype(int), strict=True))
    label_of = {cluster: i for i, cluster in enumerate(selected)}
    owner: dict[int, int] = {}

    def resolve(node: int) -> int:
        path = []
        while node not in owner and node not in label_of and node in parent_of:
            path.append(node)
            node = parent_of[node]
        found = owner.get(node, label_of.get(node, -1))
        for step in path:
            owner[step] = found
        return found

    points = tree[tree["child_size"] == 1]
    point_ids = points["child"].to_numpy().astype(np.int64)
    point_parents = points["parent"].to_numpy().astype(np.int64)
    point_lambdas = points["lambda_val"].to_numpy().astype(np.float64)
    labels = np.full(n, -1, dtype=np.int64)
    labels[point_ids] = [resolve(int(p)) for p in point_parents]
    # the largest lambda of any row under each selected cluster: hdbscan's "death" of that cluster
    rows_parent = tree["parent"].to_numpy().astype(np.int64)
    rows_lambda = tree["lambda_val"].to_numpy().astype(np.float64)
    death = np.array([rows_lambda[rows_parent == cluster].max(initial=0.0) for cluster in selected])
    lam = np.zeros(n)
    lam[point_ids] = point_lambdas
    probabilities = np.zeros(n, dtype=np.float32)
    kept = labels >= 0
    top, own = death[labels[kept]], lam[kept]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.minimum(own, top) / top
    probabilities[kept] = np.where((top > 0) & np.isfinite(own), ratio, 1.0)
    return labels, probabilities


def selected_labels(clusterer, n: int, max_share: float | None) -> tuple[np.ndarray, np.ndarray]:
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
