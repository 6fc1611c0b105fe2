"""Users by similarity of interest: a free-text interest match, and lookalikes of a seed audience.

Both read the interest profiles of the current segments run, gathered once into an
:class:`InterestIndex` (pages keep one per run in memory), in the run's language-neutral space
(:mod:`insight.profiles.space`): a typed interest is centred on the mean of its own language, so
"跑鞋" finds the same runners as "trail running shoes". Closeness is judged by **match strength**
(:mod:`insight.profiles.match`): how many spreads a user's closeness stands out from the median
user (of their language, for lookalikes), a scale that means the same under every encoder and in every shop. An
interest is compared with each user's whole profile and best interest centre; lookalikes compare
whole profiles with the seed's centroid once the direction every profile shares (the shop-wide
profile the segments run recorded) is removed: what is left is what sets the seed apart from the shop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from insight.profiles.build import without_shared_direction
from insight.profiles.contrast import contrasted_query
from insight.profiles.match import interest_similarity, strengths
from insight.profiles.space import LanguageSpace, language_of
from insight.store import runs
from insight.store.profiles import fetch_profile_languages
from insight.store.targeting import fetch_interest_vectors
from insight.targeting.privacy import PrivacyRules, release_counts


@dataclass(frozen=True)
class InterestIndex:
    """Profile vectors of one segments run, ready for similarity search.

    ``users``: (n,) user ids, sorted; ``languages``: (n,) each user's main language (None for runs
    made before languages were recorded); ``profiles``: float32 (n, dim) whole profiles (centred
    on the shop-wide profile when the run recorded one, L2-normalised); ``owners``: (m,) int index
    into ``users`` for each row of ``vectors``: float32 (m, dim), every interest centre;
    ``whole``: float32 (n, dim) the profiles as stored; ``space``: the run's language means (None
    for older runs, whose vectors were not centred per language).
    """

    run_id: str
    model: str
    users: np.ndarray
    languages: np.ndarray
    profiles: np.ndarray
    owners: np.ndarray
    vectors: np.ndarray
    whole: np.ndarray
    space: LanguageSpace | None = None

    def query_vector(self, text: str) -> np.ndarray:
        """A free text encoded by the run's model, centred on its language's mean, less its reference interests.

        The contrast with reference interests (:mod:`insight.profiles.contrast`) removes what every
        typed interest shares, which otherwise ranks reviews about shopping in general first.
        """
        main = self.space.main_language if self.space is not None else None
        language = language_of(text, main)
        return contrasted_query(text, language, lambda texts: _encoded(self.model, texts), self._place)

    def _place(self, vectors: np.ndarray, languages: list[str | None]) -> np.ndarray:
        """Vectors of the given languages placed like the run's own (centred per language when it was)."""
        return vectors if self.space is None else self.space.neutral(vectors, languages)

    def match(self, query: np.ndarray) -> np.ndarray:
        """Per user, the closeness of a query vector (dim,) to their interests: (n,) float32."""
        return interest_similarity(query, self.whole, self.owners, self.vectors)

    def strength(self, similarity: np.ndarray) -> np.ndarray:
        """Match strength of a typed interest's similarity to each user (n,): spreads above the median user."""
        return strengths(similarity)


_ENCODED: dict[tuple[str, str], np.ndarray] = {}  # (model, text) -> vector: typed interests and reference phrases
_ENCODED_LIMIT = 4_096


def _encoded(model: str, texts: list[str]) -> np.ndarray:
    """``texts`` encoded by ``model`` (n, dim), each text once per process: the reference bank is encoded once."""
    from insight.encode import encode_texts

    known = {t: _ENCODED.get((model, t)) for t in texts}
    missing = [t for t, vector in known.items() if vector is None]
    if missing:
        fresh = dict(zip(missing, encode_texts(missing, model=model), strict=True))
        known.update(fresh)
        if len(_ENCODED) + len(fresh) > _ENCODED_LIMIT:
            _ENCODED.clear()
        _ENCODED.update({(model, t): v for t, v in fresh.items()})
    return np.stack([known[t] for t in texts])


def load_index(con: duckdb.DuckDBPyConnection, run: dict | None = None) -> InterestIndex | None:
    """The index of a segments run (default: the current one), or None when there is none yet."""
    run = run or runs.current_run(con, "segments")
    if run is None:
        return None
    rows, vectors = fetch_interest_vectors(con, run["run_id"])
    users, owners = np.unique(rows["user_id"].astype(str).to_numpy(), return_inverse=True)
    is_profile = (rows["source"] == "profile").to_numpy()
    whole = np.zeros((len(users), vectors.shape[1]), dtype=np.float32)
    whole[owners[is_profile]] = vectors[is_profile]
    known = fetch_profile_languages(con, run["run_id"])
    language_of = np.array([known.get(u) if isinstance(known.get(u), str) else None for u in users], dtype=object)
    shop_wide = run["params"].get("shop_wide_profile")
    profiles = without_shared_direction(whole, np.asarray(shop_wide)) if shop_wide else whole.copy()
    profiles /= np.maximum(np.linalg.norm(profiles, axis=1, keepdims=True), 1e-12)
    return InterestIndex(
        run_id=run["run_id"],
        model=run["model"],
        users=users,
        languages=None if all(lang is None for lang in language_of) else language_of,
        profiles=profiles.astype(np.float32),
        owners=owners[~is_profile],
        vectors=vectors[~is_profile],
        whole=whole,
        space=LanguageSpace.from_record(run["params"].get("language_space")),
    )


def interest_matches(index: InterestIndex, text: str, min_strength: float | None = None) -> pd.DataFrame:
    """Users whose interests match ``text``: user_id, similarity, strength, strongest first.

    With ``min_strength`` only users at or above it; without, every profiled user, ranked.
    """
    text = text.strip()
    if not text:
        raise ValueError("describe an interest to match, e.g. 'trail running shoes'")
    similarity = index.match(index.query_vector(text))
    strength = index.strength(similarity)
    keep = np.arange(len(strength)) if min_strength is None else np.flatnonzero(strength >= min_strength)
    keep = keep[np.lexsort((index.users[keep], -strength[keep]))]
    return pd.DataFrame(
        {"user_id": index.users[keep], "similarity": similarity[keep].astype(float), "strength": strength[keep]}
    )


def reach_curve(index: InterestIndex, text: str, rules: PrivacyRules, *, base: int, points: int = 21) -> pd.DataFrame:
    """Users an interest reaches at each strength on the slider: strength, users (NaN where hidden), hidden.

    A count is one the minimum-audience rules let an audience's size be shown (at least k, and
    leaving out none or at least k of the ``base`` users), rounded down to a multiple of k like the
    lookalike curve (two points never tell 1 to k − 1 people apart); under ε the users per step
    are one noisy histogram release (each user falls in one step: sensitivity 1), then summed.
    """
    from insight.profiles.match import STRENGTH_RANGE

    strength = np.sort(interest_matches(index, text)["strength"].to_numpy())
    cuts = np.linspace(*STRENGTH_RANGE, points)
    reached = len(strength) - np.searchsorted(strength, cuts, side="left")
    if rules.epsilon is not None:
        steps = release_counts(np.diff(reached[::-1], prepend=0).tolist(), rules, sensitivity=1)
        reached = np.cumsum(steps)[::-1]
    reached = np.asarray(reached) // rules.k * rules.k
    hidden = [rules.audience_reason(int(n), base) is not None for n in reached]
    return pd.DataFrame(
        {
            "strength": cuts,
            "users": pd.Series(reached, dtype="float64").where(~pd.Series(hidden)),
            "hidden": hidden,
        }
    )


@dataclass(frozen=True)
class Lookalikes:
    """Users ranked by likeness to a seed audience.

    ``ranked``: user_id, similarity (cosine to the seed's centroid), strength (how far that stands
    out from the median non-seed user of the same language, as for interests), strongest first,
    seed excluded; ``seed_size``: users in the seed; ``profiled_seed``: those with a profile.
    """

    seed_size: int
    profiled_seed: int
    ranked: pd.DataFrame

    def added(self, cut: float, *, step: int = 1, on: str = "strength") -> list[str]:
        """The lookalikes at or above ``cut`` (a strength, or a cosine with ``on="similarity"``), in steps of ``step``.

        With ``step`` = k, the count is rounded down to a multiple of k (the strongest first, ties
        in user-id order), so two cuts never add audiences that differ by 1 to k − 1 users: the
        difference of their previews always describes at least k people. Cosine cuts are what
        audiences saved by earlier versions hold; they are taken in order of cosine.
        """
        ranked = self.ranked if on == "strength" else self.ranked.sort_values(on, ascending=False, kind="stable")
        reached = int((ranked[on] >= cut).sum())
        return ranked["user_id"].head(reached // step * step).tolist()

    def addable(self, step: int = 1) -> int:
        """The most lookalikes that can be added in whole steps of ``step`` users."""
        return len(self.ranked) // step * step

    def threshold_for(self, n: int) -> float | None:
        """The strength cut that adds the ``n`` strongest lookalikes (None for n = 0)."""
        if n <= 0 or self.ranked.empty:
            return None
        return float(self.ranked["strength"].iloc[min(n, len(self.ranked)) - 1])

    def curve(self, points: int = 41, rules: PrivacyRules | None = None) -> pd.DataFrame:
        """Audience size against the least strength admitted: min_strength, added, audience_size.

        Cuts step down evenly from the strongest lookalike to the weakest, so the curve shows how
        fast the audience grows as the bar drops. With ``rules``, the users added at each cut are
        rounded down to whole steps of k, as :meth:`added` adds them; under ε the users per step are
        first one noisy histogram release with the seed (each user is in the seed or in one step:
        sensitivity 1), summed into the curve, and then rounded (rounding noisy counts keeps ε).
        """
        if self.ranked.empty:
            return pd.DataFrame({"min_strength": [], "added": [], "audience_size": []})
        strength = np.sort(self.ranked["strength"].to_numpy())
        cuts = np.linspace(strength[-1], strength[0], max(points, 2))
        added = len(strength) - np.searchsorted(strength, cuts, side="left")
        seed = self.seed_size
        if rules is not None and rules.epsilon is not None:
            seed, *steps = release_counts([seed, *np.diff(added, prepend=0).tolist()], rules, sensitivity=1)
            added = np.cumsum(steps)
        if rules is not None:
            added = np.asarray(added) // rules.k * rules.k
        return pd.DataFrame({"min_strength": cuts, "added": added, "audience_size": seed + added})


def lookalikes(index: InterestIndex, seed_users: Sequence[str]) -> Lookalikes:
    """Every profiled user outside the seed, ranked by match strength to the seed's mean profile.

    Raises ValueError when no seed user has a profile (nothing to look like).
    """
    seed = set(map(str, seed_users))
    in_seed = np.isin(index.users, list(seed))
    if not in_seed.any():
        raise ValueError("none of the seed users has an interest profile: lookalikes need a profiled seed")
    centroid = index.profiles[in_seed].mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    others = np.flatnonzero(~in_seed)
    similarity = index.profiles[others] @ centroid
    strength = strengths(similarity, None if index.languages is None else index.languages[others])
    order = np.lexsort((index.users[others], -strength))
    ranked = pd.DataFrame(
        {
            "user_id": index.users[others][order],
            "similarity": similarity[order].astype(float),
            "strength": strength[order],
        }
    )
    return Lookalikes(seed_size=len(seed), profiled_seed=int(in_seed.sum()), ranked=ranked)
