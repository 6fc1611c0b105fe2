"""Spike alerts: a product whose reviews complain about one aspect more than before, or than its category.

For each product and aspect of its category the unit is a review: does it hold a negative clause on
that aspect? Two one-sided exact tests ask whether that share rose:

* **against its own history**: every week where the product has enough reviews on both sides is a
  candidate onset; the reviews after it are a hypergeometric draw from all of the product's
  reviews, so Fisher's exact test gives each onset a p-value with no distribution assumed. The
  smallest one, times the number of onsets tried (Bonferroni), is the spike's p-value; the alert's
  start is the most likely change point (a rate before and a higher one after);
* **against its peers**: the other products of its category whose reviews speak of the aspect at
  all; the product's count against a beta-binomial with their share and their spread (a product
  bad from its first day has no history to rise from, and products differ in quality anyway).

A pair's p-value is the smaller of the two doubled; Benjamini-Hochberg over every pair tested keeps
the share of false alarms among the alerts at ``alpha``, and an alert also needs a change of at least
``min_change`` (a rise a merchant would act on, not just a detectable one) and ``min_negatives``
complaining reviews.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

MIN_SIDE = 8  # reviews a product needs before and after a candidate onset
ALERT_COLUMNS = [
    "item_id",
    "aspect_id",
    "kind",
    "start",
    "negative_share",
    "baseline",
    "category_share",
    "reviews",
    "negatives",
    "p_value",
]


def _onset_test(ts: np.ndarray, hit: np.ndarray, step_days: int) -> tuple[float, int] | None:
    """(Bonferroni p-value, onset index) of the best onset in a product's time-ordered reviews; None: too few."""
    n, k = len(hit), int(hit.sum())
    days = ts.astype("datetime64[D]")
    grid = np.arange(days[0], days[-1] + 1, np.timedelta64(step_days, "D"))
    starts = np.unique(np.searchsorted(days, grid))
    starts = starts[(starts >= MIN_SIDE) & (n - starts >= MIN_SIDE)]
    if not len(starts):
        return None
    after_hits = k - np.concatenate([[0], np.cumsum(hit)])[starts]
    after_n = n - starts
    p = stats.hypergeom.sf(after_hits - 1, n, k, after_n)
    rising = after_hits / after_n > (k - after_hits) / starts
    if not rising.any():
        return None
    # The onset is the most likely change point (two Bernoulli rates, before and after), which the smallest
    # p-value is not: the test has most power near the middle of the history and would put a rise there.
    before_hits = k - after_hits
    fit = _log_likelihood(before_hits, starts) + _log_likelihood(after_hits, after_n)
    best = int(np.argmax(np.where(rising, fit, -np.inf)))
    return min(1.0, float(p[rising].min()) * len(starts)), int(starts[best])


def _log_likelihood(hits: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Bernoulli log-likelihood of ``hits`` in ``n`` at the fitted rate, elementwise."""
    rate = hits / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(hits * np.log(rate)) + np.nan_to_num((n - hits) * np.log1p(-rate))


def _peer_sums(hits: pd.DataFrame, spoken: pd.DataFrame, item_n: pd.Series) -> pd.DataFrame:
    """Per category and aspect, sums over its peers (products whose reviews speak of it) for leave-one-out stats.

    Columns: category, aspect_id, m (peers), n (their reviews), k (their complaining reviews),
    kk (sum of k²/n) and inv (sum of 1/n).
    """
    peers = spoken.drop_duplicates(["item_id", "aspect_id"])[["item_id", "aspect_id", "category"]]
    counts = hits.groupby(["item_id", "aspect_id"]).size().rename("k").reset_index()
    peers = peers.merge(item_n.rename("n").reset_index(), on="item_id").merge(
        counts, on=["item_id", "aspect_id"], how="left"
    )
    peers["k"] = peers["k"].fillna(0)
    peers = peers.assign(m=1, kk=peers["k"] ** 2 / peers["n"], inv=1.0 / peers["n"])
    return peers.groupby(["category", "aspect_id"])[["m", "n", "k", "kk", "inv"]].sum()


def level_test(k: int, n: int, sums: pd.Series) -> tuple[float, float]:
    """(p-value, peers' share) of ``k`` complaining reviews out of ``n`` against the product's peers.

    ``sums`` are the peers' sums with this product included (:func:`_peer_sums`); it is taken out. Products
    differ in quality anyway, so the test is beta-binomial: the peers' spread of shares beyond what their
    review counts explain widens the null, and natural variation is not called a problem.
    """
    m, others_n, others_k = sums["m"] - 1, sums["n"] - n, sums["k"] - k
    share = (others_k + 0.5) / (others_n + 1.0)
    if m < 3 or others_n <= 0:
        return float(stats.binom.sf(k - 1, n, share)), share
    spread = (sums["kk"] - k * k / n) / others_n - share**2  # review-weighted variance of peers' shares
    expected = (m / others_n) * share * (1 - share)  # what binomial noise alone gives
    icc = min(max(spread - expected, 0.0) / (share * (1 - share)), 0.5)
    if icc <= 1e-6:
        return float(stats.binom.sf(k - 1, n, share)), share
    size = 1.0 / icc - 1.0
    return float(stats.betabinom.sf(k - 1, n, share * size, (1 - share) * size)), share


def find_alerts(
    reviews: pd.DataFrame,
    negatives: pd.DataFrame,
    *,
    min_change: float = 0.15,
    min_negatives: int = 5,
    alpha: float = 0.05,
    step_days: int = 7,
    mentioned: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Alerts per product and aspect, most significant first (columns ``ALERT_COLUMNS``).

    ``reviews``: every review with text (review_id, item_id, category, ts). ``negatives``: review_id,
    aspect_id for each review with a negative clause on that aspect (aspects belong to the category
    of the review's product); ``mentioned`` the same for every clause on an aspect, whatever its
    feeling (None: the negative ones), which decides a product's peers. ``baseline`` is the share
    before the onset for a spike and the peers' share for a level alert; ``negative_share`` and
    ``reviews`` count from ``start`` on.
    """
    reviews = reviews.sort_values(["item_id", "ts", "review_id"], kind="stable").reset_index(drop=True)
    columns = reviews[["review_id", "item_id", "category"]]
    hits = negatives.drop_duplicates(["review_id", "aspect_id"]).merge(columns, on="review_id")
    spoken = (negatives if mentioned is None else mentioned)[["review_id", "aspect_id"]].merge(columns, on="review_id")
    item_n = reviews.groupby("item_id").size()
    sums = _peer_sums(hits, pd.concat([spoken, hits]), item_n)
    item_category = reviews.drop_duplicates("item_id").set_index("item_id")["category"]
    hit_sets = hits.groupby(["item_id", "aspect_id"])["review_id"].agg(set)
    per_item = hits.groupby(["item_id", "aspect_id"]).size().rename("k").reset_index()
    per_item = per_item[per_item["k"] >= min_negatives]
    rows = []
    for item_id, aspect_id, k in per_item.itertuples(index=False):
        category, n = item_category[item_id], int(item_n[item_id])
        level_p, peer_share = level_test(int(k), n, sums.loc[(category, aspect_id)])
        own = reviews[reviews["item_id"].to_numpy() == item_id]
        hit = own["review_id"].isin(hit_sets[(item_id, aspect_id)]).to_numpy()
        onset = _onset_test(own["ts"].to_numpy(), hit, step_days) if n >= 2 * MIN_SIDE else None
        candidates = []
        if onset is not None and hit[onset[1] :].mean() - hit[: onset[1]].mean() >= min_change:
            p, j = onset
            candidates.append(
                ("spike", p, own["ts"].iloc[j], hit[j:].mean(), hit[:j].mean(), n - j, int(hit[j:].sum()))
            )
        if k / n - peer_share >= min_change:
            candidates.append(("level", level_p, own["ts"].iloc[0], k / n, peer_share, n, int(k)))
        if not candidates:
            continue
        # A product that was like its peers and then rose is told with the onset, whichever test found it
        # (a short history can leave the rise itself short of significance while the level after it is not);
        # one that was already worse before any onset is told against its peers, from its first review.
        rising = [c for c in candidates if c[0] == "spike" and c[4] - peer_share < min_change]
        kind, _, start, share, baseline, count, negs = rising[0] if rising else min(candidates, key=lambda c: c[1])
        p = min(c[1] for c in candidates)
        rows.append((item_id, int(aspect_id), kind, start, share, baseline, peer_share, count, negs, p))
    tested = pd.DataFrame(rows, columns=ALERT_COLUMNS)
    if tested.empty:
        return tested
    tested["p_value"] = np.minimum(1.0, 2 * tested["p_value"])  # two tests per pair
    # Benjamini-Hochberg over every pair that could have alerted (enough complaints), not only the big changes
    padded = np.concatenate([tested["p_value"], np.ones(len(per_item) - len(tested))])
    tested["p_value"] = stats.false_discovery_control(padded)[: len(tested)]
    alerts = tested[tested["p_value"] <= alpha].sort_values(["p_value", "negatives"], ascending=[True, False])
    alerts["start"] = pd.to_datetime(alerts["start"]).dt.normalize()
    return alerts.reset_index(drop=True)


def affected_segments(
    alert_reviews: pd.DataFrame, product_reviews: pd.DataFrame, user_segments: pd.DataFrame, top: int = 3
) -> list[dict]:
    """The segments most behind an alert: most complaining reviewers, with how over-represented they are.

    ``alert_reviews`` and ``product_reviews`` hold ``user_id`` (the complaining reviews and all of the
    product's reviews in the alert's window); ``user_segments`` maps ``user_id`` to ``segment``.
    """
    if user_segments.empty or alert_reviews.empty:
        return []
    bad = alert_reviews.merge(user_segments, on="user_id")["segment"].value_counts()
    everyone = product_reviews.merge(user_segments, on="user_id")["segment"].value_counts(normalize=True)
    total = max(int(bad.sum()), 1)
    return [
        {
            "segment": str(segment),
            "reviews": int(count),
            "lift": round(float(count / total / everyone.get(segment, np.nan)), 2),
        }
        for segment, count in bad.head(top).items()
    ]
