"""Recommendations: a hybrid ranker with an exploration knob, reasons for every pick, and offline evaluation.

``recommend`` ranks items for one user by text similarity to their interests plus co-occurrence with
what they touched, keeps ``exploration`` · k slots for areas they have not shopped (chosen by Thompson
sampling), and says why each item is there. ``evaluate_recommendations`` measures it on a time split
against popularity and ALS. Both need item embeddings: run the encode job first.

For many calls on one store (a page), fit once with :func:`fit_recommender` and call
:func:`recommend_user` on the result; ``recommend`` refits every time.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from insight.recommendations.evaluate import evaluate_recommendations
from insight.recommendations.fit import fit_recommender
from insight.recommendations.lists import evidence_with_outcomes, recommend_user
from insight.recommendations.logged import exploration_estimates
from insight.recommendations.model import Recommender, ScoreWeights
from insight.recommendations.select import POLICIES

__all__ = [
    "POLICIES",
    "Recommender",
    "ScoreWeights",
    "evaluate_recommendations",
    "evidence_with_outcomes",
    "exploration_estimates",
    "fit_recommender",
    "recommend",
    "recommend_user",
]


def recommend(
    con: duckdb.DuckDBPyConnection,
    user_id: str | None,
    *,
    k: int = 10,
    exploration: float = 0.2,
    text: str | None = None,
    model: str | None = None,
    policy: str = "thompson",
    seed: int = 0,
) -> pd.DataFrame:
    """Up to k items for a user: columns item_id, title, score, kind, reason, propensity, best first.

    ``kind`` is ``exploit`` (relevant to the user's interests; the reason names what in their
    history it is like, or co-occurs with), ``explore`` (an exploration slot: the reason names the
    new area) or ``popular``. ``exploration`` in [0, 1] is both the share of exploration slots and how
    much the exploit slots favour variety (MMR); 0 gives a pure relevance list. A user the store does
    not know (or who has touched nothing with an embedding) gets items matching ``text`` when it is
    given, otherwise the most popular items with reason ``popular``. Items the user bought are not
    recommended again. ``policy`` is ``thompson`` or ``ucb``; the same ``seed`` gives the same list.
    Raises ValueError when the store has no item embeddings (run the encode job first).
    """
    if not 0.0 <= exploration <= 1.0:
        raise ValueError(f"exploration must be in [0, 1], not {exploration}")
    rec = fit_recommender(con, model=model, seed=seed)
    return recommend_user(rec, user_id, k=k, exploration=exploration, text=text, policy=policy, seed=seed)
