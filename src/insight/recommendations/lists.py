"""Recommendation lists: many users at once (for evaluation), or one user with reasons (for people).

A user with history gets the hybrid ranker; a user without history but with a free text gets items
similar to the text; anyone else gets the most popular items, marked ``popular``.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from insight.progress import ProgressFn, silent
from insight.recommendations.explain import exploit_reason, explore_reason, quote
from insight.recommendations.model import Recommender, UserBatch
from insight.recommendations.select import AreaEvidence, Pick, select_items

COLUMNS = ["item_id", "title", "score", "kind", "reason", "propensity"]
NEIGHBOURS_DEMOTED = 10  # a disliked item's nearest items lose ground too


_CONTROLLER = None
VARIETY_SHARE = 0.75  # a text match scoring under this share of the best one is there for variety


def one_blas_thread():
    """A context in which BLAS runs on one thread.

    Ranking does many small products (a user's touches, a pool of 300 items); with OpenBLAS's threads
    they ran ten times slower on a busy 2-core machine than on one thread.
    """
    global _CONTROLLER
    if _CONTROLLER is None:  # finding the loaded BLAS libraries costs milliseconds: once per process
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def user_rng(seed: int, user_id: str) -> np.random.Generator:
    """The random stream of one user's exploration: the same seed gives the same list."""
    return np.random.default_rng([seed, zlib.crc32(str(user_id).encode())])


def rank_users(
    rec: Recommender,
    user_ids: Sequence[str],
    *,
    k: int,
    explorations: Sequence[float],
    policy: str = "thompson",
    seed: int = 0,
    progress: ProgressFn = silent,
) -> dict[float, dict[str, list[Pick]]]:
    """Lists for users with history, at each exploration level: {level: {user_id: picks}}.

    Scores are computed once per chunk of users (matrix products); only the selection runs per user.
    """
    lists: dict[float, dict[str, list[Pick]]] = {level: {} for level in explorations}
    done = 0
    with one_blas_thread():
        for batch in rec.chunks(list(user_ids)):
            score, taste, _ = rec.score(batch)
            for u, user in enumerate(batch.user_ids):
                for level in explorations:
                    lists[level][user] = select_items(
                        score[u],
                        rec.vectors,
                        rec.areas.labels,
                        batch.area_weight[u],
                        rec.evidence,
                        k=k,
                        exploration=level,
                        policy=policy,
                        rng=user_rng(seed, user),
                        taste=taste[u],
                    )
            done += len(batch.user_ids)
            progress(done / max(len(user_ids), 1), f"ranked {done:,} of {len(user_ids):,} users")
    return lists


def text_batch(rec: Recommender, text: str) -> UserBatch:
    """A one-user batch whose only interest is a free text (encoded with the recommender's model)."""
    from insight.encode import encode_texts

    centre = encode_texts([text], model=rec.model)[0].astype(np.float32)
    empty = sp.csr_matrix((1, len(rec.items)))
    return UserBatch(["<text>"], centre[None, None, :], np.ones((1, 1)), empty, empty, np.zeros((1, rec.areas.count)))


def popular(rec: Recommender, k: int, excluded: np.ndarray | None = None) -> pd.DataFrame:
    """The k items most shoppers touched (less the ``excluded`` rows); score: the share of shoppers who did."""
    order = np.argsort(-rec.popularity, kind="stable")
    top = order[~np.isin(order, excluded)][:k] if excluded is not None and len(excluded) else order[:k]
    return _frame(rec, top, rec.popularity[top] / max(rec.n_users, 1), ["popular"] * len(top), ["popular"] * len(top))


def disliked_rows(rec: Recommender, item_ids) -> np.ndarray:
    """Row indices of the recommender's items among ``item_ids``."""
    if not item_ids:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(rec.items["item_id"].isin(list(item_ids)).to_numpy())


def evidence_with_outcomes(rec: Recommender, outcomes: pd.DataFrame) -> AreaEvidence:
    """The fitted exploration evidence plus live outcomes (``item_id, shown, rewarded`` of explored items).

    Each showing of an explored item counts as a try of its area, each rewarded one as a success, so
    Thompson sampling's posteriors move as shoppers react and traffic follows the areas that convert.
    """
    if outcomes.empty:
        return rec.evidence
    row_of = pd.Series(np.arange(len(rec.items)), index=rec.items["item_id"].astype(str).to_numpy())
    known = outcomes[outcomes["item_id"].astype(str).isin(row_of.index)]
    areas = rec.areas.labels[row_of[known["item_id"].astype(str)].to_numpy()]
    tried, returned = rec.evidence.tried.copy(), rec.evidence.returned.copy()
    np.add.at(tried, areas, known["shown"].to_numpy(dtype=np.float64))
    np.add.at(returned, areas, known["rewarded"].to_numpy(dtype=np.float64))
    return AreaEvidence(tried, returned)


def apply_likes(rec: Recommender, score: np.ndarray, liked: np.ndarray) -> None:
    """Raise, in place, the scores of items close to the ``liked`` rows: a like counts before any refit.

    Each item gains up to one spread of the finite scores, in proportion to how much closer it is to
    the liked items than the average item is.
    """
    if not len(liked):
        return
    finite = np.isfinite(score)
    spread = float(np.std(score[finite])) if finite.sum() > 1 else 0.0
    closeness = (rec.vectors @ rec.vectors[liked].T).max(axis=1)
    lift = np.clip((closeness - closeness.mean()) / max(float(closeness.max() - closeness.mean()), 1e-9), 0, 1)
    score[finite] += spread * lift[finite]


def apply_dislikes(rec: Recommender, score: np.ndarray, disliked: np.ndarray) -> None:
    """Never show ``disliked`` rows again, and lower their nearest items' scores, in place on ``score`` (n_items,).

    Each disliked item's :data:`NEIGHBOURS_DEMOTED` closest items (by text) lose one spread of the
    finite scores: they can still appear, but only when little else fits.
    """
    if not len(disliked):
        return
    finite = np.isfinite(score)
    spread = float(np.std(score[finite])) if finite.sum() > 1 else 0.0
    closeness = rec.vectors @ rec.vectors[disliked].T  # (n_items, n_disliked)
    closeness[disliked] = -np.inf
    near = np.unique(np.argsort(-closeness, axis=0, kind="stable")[:NEIGHBOURS_DEMOTED].ravel())
    score[near] -= spread
    score[disliked] = -np.inf


def recommend_user(
    rec: Recommender,
    user_id: str | None,
    *,
    k: int = 10,
    exploration: float = 0.2,
    text: str | None = None,
    policy: str = "thompson",
    seed: int = 0,
    disliked: Sequence[str] = (),
    liked: Sequence[str] = (),
    evidence: AreaEvidence | None = None,
) -> pd.DataFrame:
    """One user's list with reasons: item_id, title, score, kind (exploit, explore, popular), reason, propensity.

    ``text`` (a free text: what the shopper says they want) is used only when the user has no history.
    Items the user bought are never recommended to them again, nor are the ``disliked`` item ids, whose
    nearest items are demoted; ``liked`` item ids pull the list towards items like them at once.
    ``evidence`` replaces the fitted exploration evidence (e.g. with live outcomes added).
    ``propensity`` is the chance this policy shows the item in this list.
    """
    excluded = disliked_rows(rec, disliked)
    if rec.has_touches(user_id):
        with one_blas_thread():
            batch, from_text = rec.user_batch([user_id]), False
    elif text and text.strip():
        batch, from_text = text_batch(rec, text), True
    else:
        return popular(rec, k, excluded)
    score, taste, which = rec.score(batch)
    apply_likes(rec, score[0], disliked_rows(rec, liked))
    apply_dislikes(rec, score[0], excluded)
    picks = select_items(
        score[0],
        rec.vectors,
        rec.areas.labels,
        batch.area_weight[0],
        rec.evidence if evidence is None else evidence,
        k=k,
        exploration=exploration,
        policy=policy,
        rng=user_rng(seed, user_id or text),
        taste=taste[0],
    )
    reasons = []
    best = max((float(score[0, p.item]) for p in picks if p.kind != "explore"), default=0.0)
    for pick in picks:
        if pick.kind == "explore":
            reasons.append(explore_reason(rec, pick))
        elif from_text:
            reasons.append(text_reason(text, float(score[0, pick.item]), best))
        else:
            reasons.append(exploit_reason(rec, batch, 0, pick.item, int(which[0, pick.item])))
    items = np.array([p.item for p in picks], dtype=np.int64)
    frame = _frame(rec, items, score[0, items], [p.kind for p in picks], reasons, [p.propensity for p in picks])
    # How each exploration slot was chosen, for judging other exploration policies on the log later.
    frame.attrs["exploration"] = [
        {"area": p.area, "area_chance": p.area_chance, "candidates": list(p.candidates), "n_explore": p.n_explore}
        if p.kind == "explore" else None
        for p in picks
    ]  # fmt: skip
    return frame


def text_reason(text: str, similarity: float, best: float) -> str:
    """Why an item is on a visitor's list built from their words: how close it is to them.

    MMR lets variety in as exploration rises; an item well below the closest one is said to be there
    for variety rather than claimed as a match.
    """
    if similarity >= VARIETY_SHARE * best:
        return f"matches {quote(text)} (similarity {similarity:.2f})"
    return f"for variety: loosely related to {quote(text)} (similarity {similarity:.2f})"


def _frame(
    rec: Recommender,
    items: np.ndarray,
    scores: np.ndarray,
    kinds: list[str],
    reasons: list[str],
    propensities: list[float] | None = None,
) -> pd.DataFrame:
    """The documented result frame, with explicit dtypes (propensity 1 for lists no chance decides)."""
    return pd.DataFrame(
        {
            "item_id": pd.Series(rec.items["item_id"].to_numpy()[items], dtype="string"),
            "title": pd.Series(rec.items["title"].to_numpy()[items], dtype="string"),
            "score": pd.Series(scores, dtype="float64"),
            "kind": pd.Series(kinds, dtype="string"),
            "reason": pd.Series(reasons, dtype="string"),
            "propensity": pd.Series([1.0] * len(items) if propensities is None else propensities, dtype="float64"),
        },
        columns=COLUMNS,
    )
