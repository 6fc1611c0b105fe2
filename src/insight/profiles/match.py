"""Match strength: how far a user's closeness to an interest stands out from the store's other users.

A cosine means different things under different encoders and stores: multilingual-e5-small puts
almost any two texts at 0.7–0.9, all-MiniLM-L6-v2 at 0–0.5, and a shop selling one kind of product
has every profile close to every query. So a match is not judged by its cosine but by how it
compares with the same query's cosine to the store's other users: the **strength** of a match is
``(cosine − median) / spread``, where median and spread (1.4826 × the median absolute deviation,
which equals the standard deviation for a normal distribution) are taken over the users. Median and
MAD describe the users who are *not* into the interest as long as those are most users, so the
people who are into it stand out by some spreads, whatever the model or shop.

A typed interest is compared with every user together: once each language is centred
(:mod:`insight.profiles.space`) a query is hardly closer to users of its own language (on the demo,
"跑鞋" sits as close to English runners as to Chinese ones), while scaling each language on its own
would hide a language whose users all share the interest (English reviewers who all buy clothes
would all sit at the median of "dresses and clothes"). Lookalikes are scaled within each language
(``groups``): a seed's centroid is made of its members' profiles and does carry their language.

:data:`DEFAULT_STRENGTH` was chosen on the demo shop and on real reviews in two languages
(``bench/truth_interest.py``, ``bench/truth_mixed.py``); see the README for the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_STRENGTH = 1.5  # spreads above the median user
STRENGTH_RANGE = (0.0, 5.0)  # what the sliders offer
MIN_GROUP = 20  # users a language needs for its own median and spread (fewer: the store's)
LEGACY_COSINE_DEFAULT = 0.35  # the cosine threshold of earlier versions' default, converted to DEFAULT_STRENGTH
LEGACY_STRENGTH_PER_COSINE = 10.0  # each 0.05 of an old cosine threshold moves the strength by 0.5


def interest_similarity(query: np.ndarray, profiles: np.ndarray, owners: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Each user's closeness to a query vector (dim,): float32 (n_users,).

    The mean of the cosine to the user's whole profile (``profiles``, (n, dim)) and the best cosine
    to any of the user's interest centres (``vectors``, (m, dim), owned by user ``owners`` (m,)):
    the whole profile says what a user is mostly into, the best centre lifts a runner who also buys
    coffee. On the demo shop this ranks the users whose favourite category fits the query about as
    well as the profile alone (average precision 0.79 against 0.80 for "trail running shoes") and
    better than the best vector alone (0.75).
    """
    query = np.asarray(query, dtype=np.float32)
    whole = np.asarray(profiles, dtype=np.float32) @ query
    best = whole.copy()
    if len(vectors):
        np.maximum.at(best, np.asarray(owners), np.asarray(vectors, dtype=np.float32) @ query)
    return ((whole + best) / 2).astype(np.float32)


def strengths(similarity: np.ndarray, groups: Sequence | None = None, *, min_group: int = MIN_GROUP) -> np.ndarray:
    """Match strength per user: ``(similarity − median) / (1.4826 × MAD)`` within each group; float64 (n,).

    ``groups`` (n,) is each user's language; groups smaller than ``min_group`` (and everyone when
    None) are scaled by the statistics of all users together.
    """
    similarity = np.asarray(similarity, dtype=np.float64)
    out = _standardise(similarity, similarity)
    if groups is None:
        return out
    groups = np.asarray(["" if g is None else str(g) for g in groups], dtype=object)
    for group in set(groups):
        rows = groups == group
        if rows.sum() >= min_group:
            out[rows] = _standardise(similarity[rows], similarity[rows])
    return out


def _standardise(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``values`` in robust standard units of ``reference`` (median, 1.4826 × MAD; std if MAD is 0)."""
    if not len(reference):
        return np.zeros(len(values))
    median = float(np.median(reference))
    spread = 1.4826 * float(np.median(np.abs(reference - median)))
    if spread <= 1e-12:
        spread = float(reference.std())
    return (values - median) / max(spread, 1e-12)


def legacy_strength(cosine: float) -> float:
    """The strength an earlier version's cosine threshold is read as.

    Earlier definitions kept a cosine (0.35 by default, set for all-MiniLM-L6-v2), which means
    nothing under multilingual-e5-small; the old default becomes :data:`DEFAULT_STRENGTH` and each
    0.05 of cosine above or below it half a spread, within :data:`STRENGTH_RANGE`.
    """
    low, high = STRENGTH_RANGE
    value = DEFAULT_STRENGTH + (float(cosine) - LEGACY_COSINE_DEFAULT) * LEGACY_STRENGTH_PER_COSINE
    return round(min(max(value, low), high), 2)
