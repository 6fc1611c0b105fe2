"""Offline list metrics: accuracy against what users went on to buy, and what the lists look like.

For lists L_u (at most k items) and relevant sets R_u (items bought in the test period):

* precision@k = |L_u ∩ R_u| / k and recall@k = |L_u ∩ R_u| / |R_u|, averaged over users;
* NDCG@k with binary gains: Σ_{hits at rank r} 1 / log2(r + 1), over the same for a perfect list;
* coverage: distinct items recommended to anyone / items in the catalogue;
* novelty: mean self-information −log2 p_i of recommended items, p_i = (shoppers who touched i in
  training + 1) / (shoppers + 1) — smoothed so an item nobody touched stays finite;
* diversity: 1 − mean pairwise cosine of the item embeddings within a list, averaged over lists of
  two items or more.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

METRICS = ["precision", "recall", "ndcg", "coverage", "novelty", "diversity"]


def list_metrics(
    lists: Mapping[str, np.ndarray],
    relevant: Mapping[str, set[int]],
    *,
    k: int,
    popularity: np.ndarray,
    n_users: int,
    vectors: np.ndarray,
    n_catalogue: int,
) -> dict[str, float]:
    """The metrics above over the users of ``relevant`` (a missing list counts as empty).

    ``lists`` and ``relevant`` hold item rows; ``popularity`` (n_items,) counts training shoppers per
    item and ``n_users`` all training shoppers; ``vectors`` (n_items, dim) are L2-normalised.
    """
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    precision, recall, ndcg, diversity, information = [], [], [], [], []
    shown: set[int] = set()
    for user, wanted in relevant.items():
        items = np.asarray(lists.get(user, []), dtype=np.int64)[:k]
        hits = np.array([item in wanted for item in items.tolist()], dtype=bool)
        precision.append(hits.sum() / k)
        recall.append(hits.sum() / len(wanted) if wanted else 0.0)
        ideal = discounts[: min(len(wanted), k)].sum()
        ndcg.append(discounts[: len(items)][hits].sum() / ideal if ideal > 0 else 0.0)
        shown.update(items.tolist())
        information.extend((-np.log2((popularity[items] + 1) / (n_users + 1))).tolist())
        if len(items) >= 2:
            cosine = vectors[items] @ vectors[items].T
            pairs = np.triu_indices(len(items), 1)
            diversity.append(1.0 - float(cosine[pairs].mean()))
    return {
        "precision": float(np.mean(precision)) if precision else 0.0,
        "recall": float(np.mean(recall)) if recall else 0.0,
        "ndcg": float(np.mean(ndcg)) if ndcg else 0.0,
        "coverage": len(shown) / n_catalogue if n_catalogue else 0.0,
        "novelty": float(np.mean(information)) if information else 0.0,
        "diversity": float(np.mean(diversity)) if diversity else 0.0,
    }
