"""Users by similarity of interest: a free-text interest match, and lookalikes of a seed audience.

Both read the interest profiles of the current segments run, gathered once into an
:class:`InterestIndex` (pages keep one per run in memory). An interest matches a user when the
text is close to *any* of the user's vectors: the whole profile or one of its interest centres,
so a runner who also buys coffee still matches "trail running shoes". Lookalikes compare whole
profiles with the seed's centroid once the direction every profile shares (the shop-wide profile
the segments run recorded) is removed: what is left is what sets the seed apart from the shop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from insight.profiles.build import without_shared_direction
from insight.store import runs
from insight.store.targeting import fetch_interest_vectors
from insight.targeting.privacy import PrivacyRules, release_counts


@dataclass(frozen=True)
class InterestIndex:
    """Profile vectors of one segments run, ready for similarity search.

    ``users``: (n,) user ids, sorted; ``profiles``: float32 (n, dim) whole profiles (centred on
    the shop-wide profile when the run recorded one, L2-normalised); ``owners``: (m,) int index into
    ``users`` for each row of ``vectors``: float32 (m, dim), every profile and interest centre.
    """

    run_id: str
    model: str
    users: np.ndarray
    profiles: np.ndarray
    owners: np.ndarray
    vectors: np.ndarray

    def match(self, query: np.ndarray) -> np.ndarray:
        """Per user, the best cosine between ``query`` (dim,) and any of the user's vectors: (n,) float32."""
        best = np.full(len(self.users), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, self.vectors @ query.astype(np.float32))
        return best


def load_index(con: duckdb.DuckDBPyConnection, run: dict | None = None) -> InterestIndex | None:
    """The index of a segments run (default: the current one), or None when there is none yet."""
    run = run or runs.current_run(con, "segments")
    if run is None:
        return None
    rows, vectors = fetch_interest_vectors(con, run["run_id"])
    users, owners = np.unique(rows["user_id"].astype(str).to_numpy(), return_inverse=True)
    is_profile = (rows["source"] == "profile").to_numpy()
    profiles = np.zeros((len(users), vectors.shape[1]), dtype=np.float32)
    profiles[owners[is_profile]] = vectors[is_profile]
    shop_wide = run["params"].get("shop_wide_profile")
    if shop_wide:
        profiles = without_shared_direction(profiles, np.asarray(shop_wide))
    profiles /= np.maximum(np.linalg.norm(profiles, axis=1, keepdims=True), 1e-12)
    return InterestIndex(run["run_id"], run["model"], users, profiles.astype(np.float32), owners, vectors)


def interest_matches(index: InterestIndex, text: str, threshold: float) -> pd.DataFrame:
    """Users whose interests match ``text`` at cosine ≥ ``threshold``: user_id, similarity, best first."""
    from insight.encode import encode_texts

    text = text.strip()
    if not text:
        raise ValueError("describe an interest to match, e.g. 'trail running shoes'")
    similarity = index.match(encode_texts([text], model=index.model)[0])
    keep = np.flatnonzero(similarity >= threshold)
    keep = keep[np.argsort(-similarity[keep], kind="stable")]
    return pd.DataFrame({"user_id": index.users[keep], "similarity": similarity[keep].astype(float)})


@dataclass(frozen=True)
class Lookalikes:
    """Users ranked by likeness to a seed audience.

    ``ranked``: user_id, similarity (cosine to the seed's centroid), most similar first, seed excluded;
    ``seed_size``: users in the seed; ``profiled_seed``: those with a profile (the centroid's basis).
    """

    seed_size: int
    profiled_seed: int
    ranked: pd.DataFrame

    def added(self, min_similarity: float, *, step: int = 1) -> list[str]:
        """The lookalikes at or above ``min_similarity``, in whole steps of ``step`` users.

        With ``step`` = k, the count is rounded down to a multiple of k (the most similar first, ties
        in user-id order), so two cuts never add audiences that differ by 1 to k − 1 users: the
        difference of their previews always describes at least k people.
        """
        reached = int((self.ranked["similarity"] >= min_similarity).sum())
        return self.ranked["user_id"].head(reached // step * step).tolist()

    def addable(self, step: int = 1) -> int:
        """The most lookalikes that can be added in whole steps of ``step`` users."""
        return len(self.ranked) // step * step

    def threshold_for(self, n: int) -> float | None:
        """The similarity cut that adds the ``n`` most similar users (None for n = 0)."""
        if n <= 0 or self.ranked.empty:
            return None
        return float(self.ranked["similarity"].iloc[min(n, len(self.ranked)) - 1])

    def curve(self, points: int = 41, rules: PrivacyRules | None = None) -> pd.DataFrame:
        """Audience size against the least similarity admitted: min_similarity, added, audience_size.

        Thresholds step down evenly from the best lookalike to the worst, so the curve shows how
        fast the audience grows as the bar drops. With ``rules``, the users added at each cut are
        rounded down to whole steps of k, as :meth:`added` adds them; under ε the users per step are
        first one noisy histogram release with the seed (each user is in the seed or in one step:
        sensitivity 1), summed into the curve, and then rounded (rounding noisy counts keeps ε).
        """
        if self.ranked.empty:
            return pd.DataFrame({"min_similarity": [], "added": [], "audience_size": []})
        similarity = np.sort(self.ranked["similarity"].to_numpy())
        cuts = np.linspace(similarity[-1], similarity[0], max(points, 2))
        added = len(similarity) - np.searchsorted(similarity, cuts, side="left")
        seed = self.seed_size
        if rules is not None and rules.epsilon is not None:
            seed, *steps = release_counts([seed, *np.diff(added, prepend=0).tolist()], rules, sensitivity=1)
            added = np.cumsum(steps)
        if rules is not None:
            added = np.asarray(added) // rules.k * rules.k
        return pd.DataFrame({"min_similarity": cuts, "added": added, "audience_size": seed + added})


def lookalikes(index: InterestIndex, seed_users: Sequence[str]) -> Lookalikes:
    """Every profiled user outside the seed, ranked by cosine to the seed's mean profile.

    Raises ValueError when no seed user has a profile (nothing to look like).
    """
    seed = set(map(str, seed_users))
    in_seed = np.isin(index.users, list(seed))
    if not in_seed.any():
        raise ValueError("none of the seed users has an interest profile: lookalikes need a profiled seed")
    centroid = index.profiles[in_seed].mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    similarity = index.profiles @ centroid
    others = np.flatnonzero(~in_seed)
    others = others[np.argsort(-similarity[others], kind="stable")]
    ranked = pd.DataFrame({"user_id": index.users[others], "similarity": similarity[others].astype(float)})
    return Lookalikes(seed_size=len(seed), profiled_seed=int(in_seed.sum()), ranked=ranked)
