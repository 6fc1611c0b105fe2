"""Why an item was picked, in words a merchant can check against the user's own history.

An exploit item names the thing the user touched that it is most like, within the interest (centre)
that scored it, and, when co-occurrence contributed, the user's item that shoppers most often had
together with it and how many shoppers did. An exploration item names the new (or rarely shopped)
area and the evidence the bandit used. Nothing is named that is not in the user's history.
"""

from __future__ import annotations

import numpy as np

from insight.profiles.build import EVENT_WEIGHTS
from insight.recommendations.model import Recommender, UserBatch
from insight.recommendations.select import Pick

DEEDS = {
    "purchase": "you bought it",
    "review": "you reviewed it",
    "cart": "you put it in your basket",
    "fav": "you saved it",
    "search": "you searched for it",
    "view": "you viewed it",
    "click": "you viewed it",
}


def quote(text: str, limit: int = 60) -> str:
    """A text in quotes, cut at ``limit`` characters."""
    text = " ".join(str(text).split())
    return f"“{text[:limit].rstrip()}…”" if len(text) > limit else f"“{text}”"


def text_label(rec: Recommender, row: int) -> str:
    """The words behind a text row: an item's title, or a search's or review's own text."""
    if row < len(rec.items):
        return str(rec.items["title"].iat[row])
    texts = rec.touches.loc[rec.touches["row"] == row, "text"]
    return str(texts.iat[0]) if len(texts) else ""


def _strongest_kinds(rows: np.ndarray, kinds: np.ndarray) -> dict[int, str]:
    """Each touched row with the most telling kind of touch the user had on it."""
    strongest: dict[int, str] = {}
    for row, kind in zip(rows.tolist(), kinds.tolist(), strict=True):
        if EVENT_WEIGHTS.get(kind, 0) > EVENT_WEIGHTS.get(strongest.get(row, ""), 0):
            strongest[row] = kind
    return strongest


def exploit_reason(rec: Recommender, batch: UserBatch, u: int, item: int, interest: int) -> str:
    """Reason for an exploit item of user ``u`` of the batch, scored highest by centre ``interest``."""
    touched = _strongest_kinds(batch.rows[u], batch.kinds[u])
    rows = np.fromiter(touched, dtype=np.int64)
    n_interests = int((batch.shares[u] > 0).sum())
    parts, best = [], -1
    if len(rows):
        vectors = rec.texts[rows]
        home = (vectors @ batch.centres[u, :n_interests].T).argmax(axis=1)
        mine = rows[home == interest] if (home == interest).any() else rows
        best = int(mine[np.argmax(rec.texts[mine] @ rec.vectors[item])])
        where = f"; your interest {interest + 1} of {n_interests}" if n_interests > 1 else ""
        deed = DEEDS.get(touched[best], "you touched it")
        if best == item:  # viewed, saved or put in the basket, and not bought yet
            parts.append(f"{deed} ({where[2:] or 'your interest'})")
        else:
            parts.append(f"like {quote(text_label(rec, best))} ({deed}{where})")
    weights = batch.item_weight[u]
    if weights.nnz:
        together = weights.data * np.asarray(rec.co_weights[weights.indices, item].todense()).ravel()
        if together.max() > 0:
            j = int(weights.indices[np.argmax(together)])
            shoppers = int(rec.co_counts[j, item])
            if j == best:
                parts.append(f"often chosen together with it ({shoppers} shoppers had both)")
            else:
                deed = DEEDS.get(touched.get(j, ""), "you touched it")
                parts.append(f"often chosen with {quote(text_label(rec, j))} ({deed}; {shoppers} shoppers had both)")
    if rec.popularity[item] == 0:
        parts.append("new item, no shopper history yet")
    return "; ".join(parts)


def explore_reason(rec: Recommender, pick: Pick) -> str:
    """Reason for an exploration item: the area, and the evidence the bandit weighed."""
    where = "a new area for you" if pick.new_area else "an area you rarely shop"
    tried = int(rec.evidence.tried[pick.area])
    rate = rec.evidence.return_rate(pick.area)
    return (
        f"exploring {where}: {quote(rec.areas.names[pick.area])} — "
        f"{rate:.0%} of the {tried:,} shoppers who tried it came back"
    )
