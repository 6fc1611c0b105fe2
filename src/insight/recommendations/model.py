"""The hybrid recommender: text similarity to a user's interests plus item-to-item co-occurrence.

For a user u and an item i the relevance is

    w_sim · max_c cos(centre_c(u), v_i) + w_co · co(u, i) / max_j co(u, j) + w_pop · log(1 + pop_i) / log(1 + max pop)

where the centres are the user's interest centres (as ``insight.profiles`` computes them, see
:mod:`.interests`: event-weighted, recency-decayed embeddings of everything they touched, split into
up to three interests), ``co(u, i) = Σ_j w_uj · C_ji`` sums the user's decayed touch weights over the
items j that shoppers often touch together with i (C: shrunk cosine of the user × item incidence, top
100 neighbours per item, a scipy sparse matrix), and ``pop_i`` counts the shoppers who touched i.
Items without any interactions still get the similarity term, so new items are served from their
text alone; users with only searches or reviews get a profile from those texts.

Scores are computed for many users at once as matrix products, in chunks (see :meth:`score`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from insight.profiles.build import EVENT_WEIGHTS, touch_weights
from insight.recommendations.areas import Areas
from insight.recommendations.interests import interest_centres
from insight.recommendations.select import AreaEvidence

NEIGHBOURS = 100  # co-occurring items kept per item
SHRINK = 3.0  # co-occurrence cosine is scaled by c / (c + SHRINK): two shoppers prove little
HALF_LIFE_DAYS = 30.0  # recency of interests; 14-45 days were alike on the validation split, 90 worse
CELLS = 20_000_000  # users × centres × items computed at once (≈ 80 MB of float32)


@dataclass(frozen=True)
class ScoreWeights:
    """How much each signal counts in the relevance score.

    The defaults were chosen on Online Retail with a validation split that ends where the benchmark's
    test begins (train before 2011-06-01, test June to August): co-occurrence at half the weight of
    similarity did best, and any popularity prior lowered precision and coverage alike.
    """

    similarity: float = 1.0
    cooccurrence: float = 0.5
    popularity: float = 0.0


@dataclass
class UserBatch:
    """Interest state of some users, rows aligned with ``user_ids``."""

    user_ids: list[str]
    centres: np.ndarray  # (b, m, dim) float32; short lists padded with the user's strongest centre
    shares: np.ndarray  # (b, m) float64; 0 on padding
    item_weight: sp.csr_matrix  # (b, n_items) float64: decayed touch weight on each item
    bought: sp.csr_matrix  # (b, n_items) float64: > 0 where the user purchased the item
    area_weight: np.ndarray  # (b, n_areas) float64: decayed touch weight per interest area
    rows: list[np.ndarray] = field(default_factory=list)  # per user: text rows touched (with kinds)
    kinds: list[np.ndarray] = field(default_factory=list)


@dataclass
class Recommender:
    """A fitted recommender: item side (vectors, popularity, co-occurrence, areas) and everyone's touches."""

    model: str
    items: pd.DataFrame  # item_id, title, category, area, popularity
    vectors: np.ndarray  # (n_items, dim) float32, L2-normalised
    areas: Areas
    evidence: AreaEvidence
    co_counts: sp.csr_matrix  # (n_items, n_items) shoppers who touched both (kept neighbours only)
    co_weights: sp.csr_matrix  # same pattern: shrunk cosine
    touches: pd.DataFrame  # user_id, ts, kind, item (row in items, -1 for texts), row (in texts), text
    texts: np.ndarray  # (n_texts, dim) float32: item vectors, then searches' and reviews' vectors
    text_areas: np.ndarray  # (n_texts,) int64: area of each text (a search's: its nearest item's)
    as_of: pd.Timestamp
    n_users: int  # shoppers with item touches
    weights: ScoreWeights = ScoreWeights()
    half_life_days: float = HALF_LIFE_DAYS
    seed: int = 0

    @property
    def popularity(self) -> np.ndarray:
        """Shoppers who touched each item, float64 (n_items,)."""
        return self.items["popularity"].to_numpy(dtype=np.float64)

    @cached_property
    def touch_rows(self) -> dict[str, np.ndarray]:
        """Each user's rows in ``touches``: one lookup per user, not a scan of everyone's touches per request."""
        return self.touches.groupby("user_id", sort=False).indices

    def has_touches(self, user_id: str | None) -> bool:
        """Whether the recommender knows what ``user_id`` touched."""
        return user_id is not None and user_id in self.touch_rows

    def user_batch(self, user_ids: list[str]) -> UserBatch:
        """Interest state of ``user_ids``; each must have touches (KeyError otherwise)."""
        found = [self.touch_rows[u] for u in user_ids if u in self.touch_rows]
        sub = self.touches.iloc[np.sort(np.concatenate(found))] if found else self.touches.iloc[:0]
        position = pd.Index(user_ids)
        codes = position.get_indexer(sub["user_id"])
        w = touch_weights(sub, half_life_days=self.half_life_days, as_of=self.as_of)
        interests, interest_vectors = interest_centres(
            list(user_ids), codes, sub["row"].to_numpy(), w, self.texts, seed=self.seed
        )
        if interests["pos"].nunique() != len(user_ids):
            raise KeyError("some users have no touches to build interests from")
        m = int(interests["interest"].max()) + 1
        first = (interests.groupby("pos").cumcount() == 0).to_numpy()
        centres = np.zeros((len(user_ids), m, self.texts.shape[1]), dtype=np.float32)
        centres[interests["pos"].to_numpy()[first]] = interest_vectors[first][:, None, :]  # padding
        shares = np.zeros((len(user_ids), m))
        centres[interests["pos"], interests["interest"]] = interest_vectors
        shares[interests["pos"], interests["interest"]] = interests["weight"]
        shape = (len(user_ids), len(self.items))
        is_item = sub["item"].to_numpy() >= 0
        item_weight = sp.csr_matrix((w[is_item], (codes[is_item], sub["item"].to_numpy()[is_item])), shape=shape)
        bought = (sub["kind"] == "purchase").to_numpy() & is_item
        bought_m = sp.csr_matrix((np.ones(bought.sum()), (codes[bought], sub["item"].to_numpy()[bought])), shape=shape)
        area_weight = np.zeros((len(user_ids), self.areas.count))
        np.add.at(area_weight, (codes, self.text_areas[sub["row"].to_numpy()]), w)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(user_ids) + 1))
        rows = [sub["row"].to_numpy()[order[a:b]] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        kinds = [sub["kind"].to_numpy()[order[a:b]] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return UserBatch(list(user_ids), centres, shares, item_weight, bought_m, area_weight, rows, kinds)

    def score(self, batch: UserBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Relevance (b, n_items), with −inf for purchased items; similarity term and best centre, both (b, n_items)."""
        b, m, dim = batch.centres.shape
        similarity = (batch.centres.reshape(b * m, dim) @ self.vectors.T).reshape(b, m, -1)
        which = similarity.argmax(axis=1)
        best = np.take_along_axis(similarity, which[:, None, :], axis=1)[:, 0, :]
        co = np.asarray((batch.item_weight @ self.co_weights).todense())
        co /= np.maximum(co.max(axis=1, keepdims=True), 1e-12)
        pop = np.log1p(self.popularity) / np.log1p(max(self.popularity.max(), 1.0))
        w = self.weights
        score = w.similarity * best + w.cooccurrence * co + w.popularity * pop[None, :]
        score[batch.bought.nonzero()] = -np.inf
        return score, best, which

    def chunks(self, user_ids: list[str]):
        """User batches small enough that :meth:`score` stays within ``CELLS`` values."""
        size = max(1, CELLS // (4 * max(len(self.items), 1)))
        for start in range(0, len(user_ids), size):
            yield self.user_batch(user_ids[start : start + size])


def item_popularity(users: np.ndarray, items: np.ndarray, n_items: int) -> np.ndarray:
    """Distinct users per item, float64 (n_items,), from parallel arrays of user codes and item rows."""
    pairs = np.unique(np.stack([users, items]), axis=1)
    return np.bincount(pairs[1], minlength=n_items).astype(np.float64)


def cooccurrence(
    users: np.ndarray, items: np.ndarray, n_users: int, n_items: int
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Item × item counts of shoppers who touched both, and their shrunk cosine; top ``NEIGHBOURS`` per row."""
    incidence = sp.csr_matrix((np.ones(len(users), dtype=np.float32), (users, items)), shape=(n_users, n_items))
    incidence.data[:] = 1.0  # duplicates were summed: a shopper counts once per item
    counts = sp.csr_matrix(incidence.T @ incidence)
    counts.setdiag(0)
    counts.eliminate_zeros()
    counts.sort_indices()
    n = np.asarray(incidence.sum(axis=0)).ravel()
    rows, cols = np.repeat(np.arange(n_items), np.diff(counts.indptr)), counts.indices
    c = counts.data.astype(np.float64)
    weights = counts.copy()  # the same sparsity pattern, so one mask prunes both
    weights.data = (c / np.sqrt(n[rows] * n[cols]) * c / (c + SHRINK)).astype(np.float32)
    keep = np.zeros(weights.nnz, dtype=bool)
    for r in range(n_items):
        a, b = weights.indptr[r], weights.indptr[r + 1]
        if b - a <= NEIGHBOURS:
            keep[a:b] = True
        else:
            keep[a + np.argpartition(-weights.data[a:b], NEIGHBOURS)[:NEIGHBOURS]] = True
    for matrix in (counts, weights):
        matrix.data[~keep] = 0
        matrix.eliminate_zeros()
    return counts, weights


POSITIVE_KINDS = frozenset(kind for kind, weight in EVENT_WEIGHTS.items() if weight > 0)
