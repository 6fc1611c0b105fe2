"""Turning one user's relevance scores into a list: diversity by MMR, and exploration slots filled by a bandit.

The exploration knob ``exploration`` in [0, 1] does two things. It sets the MMR trade-off
λ = 1 − exploration for the exploit slots (λ = 1: pure relevance order; lower: each next item must
also differ from those already picked), and it reserves round(exploration · k) slots for exploration.
Each exploration slot goes to one *interest area* the user has not shopped (or barely: under 2 % of
their weight), chosen by a bandit over areas, and within it to an item drawn towards the user's taste.
Exploration items come after the exploit items in the list.

The bandit is Beta-Bernoulli per area. Its evidence comes from the store itself: of the shoppers who
tried an area, how many came back to it on another day (a proxy for "being shown this area pays off"
until live feedback exists). Thompson sampling draws θ ~ Beta(1 + returned, 1 + tried − returned) per
area and takes the highest draws: areas with little evidence get wide draws, so they are tried
sometimes, and different users see different areas. UCB ranks by the posterior mean plus
sqrt(2 ln N / (tried + 1)), deterministic, favouring areas few have tried.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

POLICIES = ("thompson", "ucb")
RARE_SHARE = 0.02  # an area carrying less than this share of a user's weight counts as unexplored
POOL = 300  # exploit slots are chosen among this many most relevant items
TEMPERATURE = 0.05  # of the softmax that draws an explored area's item (cosine units)
UNIFORM_SHARE = 0.1  # of lists whose exploration areas are drawn uniformly: every area keeps a chance of being
# explored however sure the bandit is, so the log can judge other policies (importance weights stay bounded)


@dataclass
class AreaEvidence:
    """Per area: shoppers who tried it, and those who came back to it on another day."""

    tried: np.ndarray  # (n_areas,) float64
    returned: np.ndarray  # (n_areas,) float64

    def return_rate(self, area: int) -> float:
        """Posterior mean of 'a shopper who tries this area comes back' (Beta(1, 1) prior)."""
        return float((self.returned[area] + 1) / (self.tried[area] + 2))


def area_evidence(users: np.ndarray, item_areas: np.ndarray, days: np.ndarray, n_areas: int) -> AreaEvidence:
    """Evidence from item touches: user codes, the touched item's area and the touch's day, each (n,)."""
    if not len(users):
        return AreaEvidence(np.zeros(n_areas), np.zeros(n_areas))
    visits = pd.DataFrame({"user": users, "area": item_areas, "day": days}).drop_duplicates()
    per_user = visits.groupby(["user", "area"]).size().reset_index(name="days")
    tried = np.bincount(per_user["area"], minlength=n_areas).astype(np.float64)
    returned = np.bincount(per_user["area"], weights=per_user["days"] >= 2, minlength=n_areas)
    return AreaEvidence(tried, returned)


def rank_areas(evidence: AreaEvidence, candidates: np.ndarray, policy: str, rng: np.random.Generator) -> np.ndarray:
    """Candidate areas (int array) in the order the policy would explore them.

    Thompson sampling orders them by a posterior draw, except in :data:`UNIFORM_SHARE` of lists, where
    the order is uniformly random.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown exploration policy '{policy}'; use one of {', '.join(POLICIES)}")
    tried, returned = evidence.tried[candidates], evidence.returned[candidates]
    if policy == "thompson" and rng.random() < UNIFORM_SHARE:
        return rng.permutation(candidates)
    if policy == "thompson":
        value = rng.beta(1 + returned, 1 + tried - returned)
    else:
        mean = (returned + 1) / (tried + 2)
        value = mean + np.sqrt(2 * np.log(evidence.tried.sum() + 1) / (tried + 1))
    return candidates[np.argsort(-value, kind="stable")]


def mmr(relevance: np.ndarray, vectors: np.ndarray, n: int, lam: float) -> list[int]:
    """Maximal marginal relevance: n positions into ``relevance`` (m,), given item vectors (m, dim).

    Relevance is rescaled to [0, 1] so it trades against cosine similarity on one scale.
    """
    n = min(n, len(relevance))
    if n <= 0:
        return []
    spread = relevance.max() - relevance.min()
    rel = (relevance - relevance.min()) / spread if spread > 0 else np.ones_like(relevance)
    if lam >= 1.0:
        return list(np.argsort(-rel, kind="stable")[:n])
    closest = np.zeros(len(rel))
    chosen: list[int] = []
    for _ in range(n):
        value = lam * rel - (1 - lam) * closest
        value[chosen] = -np.inf
        pick = int(np.argmax(value))
        chosen.append(pick)
        closest = np.maximum(closest, vectors @ vectors[pick])  # one row at a time: n ≪ m
    return chosen


def draw_item(members: np.ndarray, taste: np.ndarray, rng: np.random.Generator) -> tuple[int, float]:
    """One of an area's items (rows ``members``, with the user's ``taste`` for each) by a softmax draw, and its chance.

    Among the 20 closest to the user's taste, an item ``TEMPERATURE`` less similar than the closest
    is e (2.7) times less likely: near items are likelier, but not always the same one.
    """
    top = np.argsort(-taste, kind="stable")[:20]
    logits = (taste[top] - taste[top[0]]) / TEMPERATURE
    p = np.exp(logits)
    p /= p.sum()
    chosen = rng.choice(len(top), p=p)
    return int(members[top[chosen]]), float(p[chosen])


def area_chances(evidence: AreaEvidence, candidates: np.ndarray, n: int, policy: str, draws: int = 400) -> np.ndarray:
    """Per candidate area, the chance the policy ranks it among the first ``n`` (Thompson: by simulation).

    With the chance of the item drawn within the area, this is the propensity logged with each
    exploration slot, so that other policies can later be judged on the real log (IPS, SNIPS, DR).
    """
    if not len(candidates) or n <= 0:
        return np.zeros(len(candidates))
    if policy != "thompson":  # UCB is deterministic: the first n are certain
        order = rank_areas(evidence, candidates, policy, np.random.default_rng(0))
        return np.isin(candidates, order[:n]).astype(np.float64)
    tried, returned = evidence.tried[candidates], evidence.returned[candidates]
    rng = np.random.default_rng(len(candidates))
    values = rng.beta(1 + returned, 1 + tried - returned, size=(draws, len(candidates)))
    ranks = np.argsort(np.argsort(-values, axis=1, kind="stable"), axis=1)
    uniform = min(1.0, n / len(candidates))
    return (1 - UNIFORM_SHARE) * (ranks < n).mean(axis=0) + UNIFORM_SHARE * uniform


@dataclass
class Pick:
    """One slot of a list: the item (row index), exploit or explore, and for exploration the area."""

    item: int
    kind: str
    area: int = -1
    new_area: bool = False
    propensity: float = 1.0  # the chance this policy shows this item in this list (exploit slots: certain)
    area_chance: float = 1.0  # exploration slots: the chance the policy explores this area in this list
    candidates: tuple[int, ...] = ()  # exploration slots: the areas it could have explored
    n_explore: int = 0  # exploration slots in this list


def select_items(
    score: np.ndarray,
    vectors: np.ndarray,
    item_areas: np.ndarray,
    area_weight: np.ndarray,
    evidence: AreaEvidence,
    *,
    k: int,
    exploration: float,
    policy: str,
    rng: np.random.Generator,
    taste: np.ndarray | None = None,
) -> list[Pick]:
    """The k slots for one user: ``score`` (n_items,) with −inf for items not to show, ``area_weight`` (n_areas,).

    Within an area chosen for exploration the item is drawn by :func:`draw_item` from the user's taste
    (``taste``, (n_items,): the similarity term alone; default ``score``), not taken as the most
    relevant there: exploring should widen what people see, and a fixed rule would show every
    explorer of an area the same item.
    """
    taste = score if taste is None else taste
    if not 0.0 <= exploration <= 1.0:
        raise ValueError(f"exploration must be in [0, 1], not {exploration}")
    allowed = np.flatnonzero(np.isfinite(score))
    n_explore = min(k, int(np.floor(exploration * k + 0.5)))
    pool = allowed[np.argsort(-score[allowed], kind="stable")[: max(POOL, k)]]
    # Greedy MMR picks do not depend on how many are asked for: the ones past k - n_explore are spares
    # for when too few unexplored areas have anything to show.
    ranked = [int(pool[p]) for p in mmr(score[pool], vectors[pool], k, 1.0 - exploration)]
    picks = [Pick(item, "exploit") for item in ranked[: k - n_explore]]
    if n_explore == 0:
        return picks
    taken = {p.item for p in picks}
    share = area_weight / area_weight.sum() if area_weight.sum() > 0 else np.zeros_like(area_weight)
    unexplored = np.flatnonzero(share < RARE_SHARE)
    chance = dict(zip(unexplored.tolist(), area_chances(evidence, unexplored, n_explore, policy), strict=True))
    for area in rank_areas(evidence, unexplored, policy, rng):
        if len(picks) >= k:
            break
        members = allowed[item_areas[allowed] == area]
        members = members[[m not in taken for m in members]] if len(members) else members
        if len(members):
            best, p_item = draw_item(members, taste[members], rng)
            propensity = max(chance[int(area)] * p_item, 1e-6)
            picks.append(
                Pick(best, "explore", int(area), bool(share[area] == 0), propensity, max(chance[int(area)], 1e-6),
                     tuple(int(a) for a in unexplored), n_explore)
            )  # fmt: skip
            taken.add(best)
    spares = iter(item for item in ranked[k - n_explore :] if item not in taken)
    while len(picks) < k and (item := next(spares, None)) is not None:
        picks.append(Pick(item, "exploit"))
    return picks
