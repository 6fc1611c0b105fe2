"""Offline evaluation on a time split: train on behaviour before a date, test on purchases after it.

Protocol, the same for every policy:

* **train**: every touch before ``split_date`` (the recommender, the popularity counts and ALS all see
  only these); **test**: purchases from ``split_date`` to ``test_until`` (None: the end of the data).
* **users**: those with at least one item touch in training and at least one relevant test item.
* **already bought items are excluded from both the ranking and the relevance.** An item the user
  bought before the split is never recommended to them and does not count as a hit if they buy it
  again. Re-buying is common (Online Retail is a wholesaler), and a list of "buy again" items would
  win on precision while telling the shopper nothing new; the question here is whether a policy
  finds the *new* items a user goes on to buy.
* **catalogue**: items with an embedding under the model (what insight can recommend). Test purchases
  of items outside it are not counted as relevant, for any policy; coverage divides by its size.

Policies: ``insight`` at each exploration level (Thompson sampling, a fixed seed), ``popularity``
(most shoppers in training) and ``als`` (implicit-feedback ALS on event-weighted training touches),
the last two once, at exploration 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd
import scipy.sparse as sp

from insight.profiles.build import kind_weights
from insight.progress import ProgressFn, scale, silent
from insight.recommendations.als import fit_als
from insight.recommendations.fit import fit_recommender
from insight.recommendations.lists import rank_users
from insight.recommendations.metrics import METRICS, list_metrics
from insight.recommendations.model import Recommender
from insight.store import recommend as store

RESULT_COLUMNS = ["policy", "exploration", *METRICS]


def evaluate_recommendations(
    con: duckdb.DuckDBPyConnection,
    *,
    split_date: date | datetime | str,
    k: int = 10,
    exploration_levels: Sequence[float] = (0.0, 0.1, 0.2, 0.4),
    test_until: date | datetime | str | None = None,
    model: str | None = None,
    policy: str = "thompson",
    seed: int = 0,
    progress: ProgressFn = silent,
) -> pd.DataFrame:
    """Metrics per policy and exploration level.

    Columns: policy, exploration, precision, recall, ndcg, coverage, novelty, diversity; rows:
    ``insight`` at each of ``exploration_levels``, then ``popularity`` and ``als`` at exploration 0.

    See the module docstring for the protocol. ``attrs`` of the result say how many users and items
    were evaluated, and the model and dates. Raises ValueError when no user qualifies.
    """
    split, until = pd.Timestamp(split_date), (pd.Timestamp(test_until) if test_until is not None else None)
    rec = fit_recommender(con, model=model, before=split, seed=seed, progress=scale(progress, 0.0, 0.3))
    train_items = rec.touches[rec.touches["item"] >= 0]
    bought = _bought_sets(train_items)
    test = store.fetch_purchases(con, since=split, until=until)
    test_rows = pd.Index(rec.items["item_id"]).get_indexer(test["item_id"])
    relevant: dict[str, set[int]] = {}
    history = set(train_items["user_id"].unique())
    for user, row in zip(test["user_id"].tolist(), test_rows.tolist(), strict=True):
        if row >= 0 and user in history and row not in bought.get(user, ()):
            relevant.setdefault(user, set()).add(row)
    if not relevant:
        raise ValueError(f"no user bought a new catalogue item from {split.date()} after having history before it")
    users = sorted(relevant)

    progress(0.3, f"ranking for {len(users):,} users")
    levels = list(exploration_levels)
    lists = rank_users(
        rec, users, k=k, explorations=levels, policy=policy, seed=seed, progress=scale(progress, 0.3, 0.8)
    )
    rows = [
        ("insight", float(level), {u: [p.item for p in picks] for u, picks in lists[level].items()}) for level in levels
    ]
    progress(0.8, "popularity baseline")
    rows.append(("popularity", 0.0, _popularity_lists(rec, users, bought, k)))
    progress(0.85, "ALS baseline")
    rows.append(("als", 0.0, _als_lists(rec, train_items, users, bought, k, seed)))
    context = {"k": k, "popularity": rec.popularity, "n_users": rec.n_users, "vectors": rec.vectors}
    metrics = [list_metrics(by_user, relevant, n_catalogue=len(rec.items), **context) for _, _, by_user in rows]
    result = pd.DataFrame(
        [{"policy": name, "exploration": level, **m} for (name, level, _), m in zip(rows, metrics, strict=True)],
        columns=RESULT_COLUMNS,
    )
    result.attrs.update(
        users=len(users),
        catalogue=len(rec.items),
        model=rec.model,
        split_date=str(split.date()),
        test_until=str(until.date()) if until is not None else None,
        k=k,
        policy=policy,
    )
    progress(1.0, f"evaluated {len(users):,} users")
    return result


def _bought_sets(train_items: pd.DataFrame) -> dict[str, set[int]]:
    """Item rows each user purchased in training."""
    purchases = train_items[train_items["kind"] == "purchase"]
    return purchases.groupby("user_id")["item"].agg(lambda rows: set(rows.tolist())).to_dict()


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest finite scores, best first."""
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) > k:
        finite = finite[np.argpartition(-scores[finite], k)[:k]]
    return finite[np.argsort(-scores[finite], kind="stable")]


def _popularity_lists(rec: Recommender, users: list[str], bought: dict[str, set[int]], k: int) -> dict[str, np.ndarray]:
    """The most popular training items each user has not bought."""
    order = np.argsort(-rec.popularity, kind="stable")
    lists = {}
    for user in users:
        seen = bought.get(user, set())
        head = order[: k + len(seen)]
        lists[user] = np.array([i for i in head.tolist() if i not in seen][:k], dtype=np.int64)
    return lists


def _als_lists(
    rec: Recommender, train_items: pd.DataFrame, users: list[str], bought: dict[str, set[int]], k: int, seed: int
) -> dict[str, np.ndarray]:
    """ALS on event-weighted training touches (undecayed), top k unbought items per user."""
    codes, names = pd.factorize(train_items["user_id"])
    weight = kind_weights(train_items["kind"])
    matrix = sp.csr_matrix((weight, (codes, train_items["item"].to_numpy())), shape=(len(names), len(rec.items)))
    user_factors, item_factors = fit_als(matrix, seed=seed)
    position = pd.Index(names).get_indexer(users)
    lists = {}
    for start in range(0, len(users), 1024):
        chunk = users[start : start + 1024]
        scores = user_factors[position[start : start + 1024]] @ item_factors.T
        for u, user in enumerate(chunk):
            row = scores[u].astype(np.float64)
            row[list(bought.get(user, ()))] = -np.inf
            lists[user] = _top_k(row, k)
    return lists
