"""Compose product reviews whose rating, wording and language agree.

Most first purchases of a product are reviewed a few days later, in the buyer's language. The star
rating comes from the product's quality plus a per-user leniency, except for planted defective units
(see ``PLANTED_SHIFTS``), which are mostly rated 1-2. The text is assembled from phrase fragments in
``reviews.json``: an opening, one or two sentences about concrete aspects of the product (size/fit,
leaks, battery, taste, delivery, price, customer service …) and a closing, with the sentiment set by
the rating: praise for 4-5 stars, a "good, but …" for 3, complaints for 1-2. Defective units always
complain about the planted aspect, so the problem is findable by reading or mining the texts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight.demo.plan import Window, load_json

P_REVIEW, P_REVIEW_DEFECTIVE = 0.9, 0.95
P_SHORT, P_NO_TITLE, P_OPENING = 0.05, 0.2, 0.85
DEFECTIVE_RATING = np.array([0.60, 0.30, 0.06, 0.02, 0.02])  # P(1 star) … P(5 stars)
SENTIMENT = {1: "neg", 2: "neg", 3: "mixed", 4: "pos", 5: "pos"}


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    """Choose one of ``options`` uniformly at random."""
    return options[int(rng.integers(len(options)))]


def _lower_first(text: str) -> str:
    """Lower the first letter of ``text``, unless it is "I" or starts an acronym ("GPS")."""
    if text[:2] in ("I ", "I'") or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].lower() + text[1:]


def ratings(rng: np.random.Generator, quality: np.ndarray, leniency: np.ndarray, defective: np.ndarray):
    """Draw star ratings 1-5: around ``quality + leniency``, or mostly 1-2 for defective units."""
    stars = np.arange(1, 6)
    q = (quality + leniency)[:, None]
    p = np.exp(-((stars[None, :] - q) ** 2) / (2 * 0.85**2))
    p[:, :2] += (0.04, 0.02)  # the odd furious review whatever the product (late parcel, bad day)
    p[defective] = DEFECTIVE_RATING
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    return 1 + (cum < rng.random(len(q))[:, None]).sum(axis=1)


def compose(rng: np.random.Generator, lang: str, rating: int, aspects: list[str], defect: str):
    """Write a (title, text) pair in ``lang`` for a review of ``rating`` stars.

    ``aspects`` are the product's own review topics; ``defect`` (may be empty) is the aspect a
    defective unit complains about first.
    """
    data = load_json("reviews.json")
    mood = SENTIMENT[rating]
    joiner = " " if lang == "en" else ""
    title = "" if rng.random() < P_NO_TITLE else _pick(rng, data["titles"][lang][mood])
    if rng.random() < P_SHORT:
        return ("" if rng.random() < 0.5 else title), _pick(rng, data["short"][lang][mood])

    generic = data["generic_aspects"]

    def topic(exclude: tuple[str, ...] = ()) -> str:
        pool = aspects if rng.random() < 0.7 else generic
        pool = [a for a in pool if a not in exclude] or [a for a in generic if a not in exclude]
        return _pick(rng, pool)

    def say(aspect: str, tone: str) -> str:
        return _pick(rng, data["aspects"][aspect][lang][tone])

    parts = [_pick(rng, data["openings"][lang][mood])] if rng.random() < P_OPENING else []
    if mood == "pos":
        first = topic()
        parts.append(say(first, "pos"))
        if rng.random() < 0.45:
            parts.append(say(topic((first,)), "pos"))
    elif mood == "mixed":
        good = topic()
        bad = defect or topic((good,))
        connector = _pick(rng, data["connector"][lang])
        bad_text = say(bad, "neg")
        parts += [say(good, "pos"), connector + (_lower_first(bad_text) if lang == "en" else bad_text)]
    else:
        first = defect or topic()
        parts.append(say(first, "neg"))
        if rng.random() < 0.35:
            parts.append(say(_pick(rng, [a for a in generic if a != first]), "neg"))
    closing = _pick(rng, data["closings"][lang][mood])
    if closing:
        parts.append(closing)
    return title, joiner.join(parts)


def build_reviews(
    rng: np.random.Generator,
    purchases: pd.DataFrame,
    users: pd.DataFrame,
    items: pd.DataFrame,
    lang: np.ndarray,
    window: Window,
) -> pd.DataFrame:
    """Review some first purchases (canonical columns), each dated after its purchase."""
    first = purchases.sort_values("ts", kind="stable").drop_duplicates(["user", "item"], keep="first")
    defective = first["defective"].to_numpy()
    chance = np.where(defective, P_REVIEW_DEFECTIVE, P_REVIEW)
    first = first[rng.random(len(first)) < chance]
    delay = (1 + rng.gamma(1.5, 7.0, len(first))) * 86_400 + rng.integers(0, 3600, len(first))
    first = first.assign(review_ts=first["ts"].to_numpy() + delay.astype(np.int64))
    first = first[first["review_ts"] < window.end_ts].sort_values(["review_ts", "user"], kind="stable")

    leniency = rng.normal(0.0, 0.35, len(users))
    u, it = first["user"].to_numpy(), first["item"].to_numpy()
    defective = first["defective"].to_numpy()
    role = items["role"].to_numpy()[it]
    quality = np.where(role == "defect", 3.6, items["quality"].to_numpy()[it])
    stars = ratings(rng, quality, leniency[u], defective)

    titles, texts = [], []
    aspects, defects = items["aspects"].to_numpy(), items["defect"].to_numpy()
    for k in range(len(first)):
        defect = defects[it[k]] if defective[k] or (defects[it[k]] and stars[k] <= 2) else ""
        title, text = compose(rng, str(lang[u[k]]), int(stars[k]), aspects[it[k]], defect)
        titles.append(title)
        texts.append(text)
    return pd.DataFrame(
        {
            "review_id": [f"r{k + 1:05d}" for k in range(len(first))],
            "user_id": users["user_id"].to_numpy()[u],
            "item_id": items["item_id"].to_numpy()[it],
            "rating": stars,
            "title": titles,
            "text": texts,
            "timestamp": pd.to_datetime(first["review_ts"].to_numpy(), unit="s").strftime("%Y-%m-%d %H:%M:%S"),
            "language": lang[u],
        }
    )
