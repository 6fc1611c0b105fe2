"""Spike alerts hold their false-alarm rate where nothing changed and find a batch that went bad."""

import numpy as np
import pandas as pd
import pytest

from insight.aspects import find_alerts

START = pd.Timestamp("2026-01-01")


def _shop(seed: int, *, n_items: int = 40, aspects: int = 3, planted: dict | None = None):
    """Reviews and negative mentions of a shop whose products differ in quality but never change.

    ``planted`` maps item index -> (aspect, onset day or None for "bad from the start", rate after).
    """
    rng = np.random.default_rng(seed)
    reviews, negatives, mentioned = [], [], []
    for i in range(n_items):
        n = int(rng.integers(40, 120))
        days = np.sort(rng.integers(0, 365, n))
        base = rng.beta(2, 18, size=aspects)  # every product has its own, steady complaint rate per aspect
        for j, day in enumerate(days):
            review_id = f"r{i}-{j}"
            reviews.append((review_id, f"i{i}", "kitchen", START + pd.Timedelta(days=int(day))))
            for a in range(aspects):
                rate = base[a]
                if planted and i in planted and planted[i][0] == a and (planted[i][1] is None or day >= planted[i][1]):
                    rate = planted[i][2]
                if rng.random() < rate:
                    negatives.append((review_id, a))
                if rng.random() < 0.3:
                    mentioned.append((review_id, a))
    reviews = pd.DataFrame(reviews, columns=["review_id", "item_id", "category", "ts"])
    negatives = pd.DataFrame(negatives, columns=["review_id", "aspect_id"])
    mentioned = pd.concat([negatives, pd.DataFrame(mentioned, columns=["review_id", "aspect_id"])])
    return reviews, negatives, mentioned


def test_a_shop_where_nothing_changed_raises_almost_no_alerts():
    alerts = [len(find_alerts(*_shop(seed)[:2], mentioned=_shop(seed)[2], alpha=0.05)) for seed in range(6)]
    # 6 shops x 40 products x 3 aspects of natural variation: a false alarm is rare, not routine
    assert sum(alerts) <= 1, alerts


def test_a_batch_that_went_bad_is_alerted_with_its_onset_and_size():
    reviews, negatives, mentioned = _shop(7, planted={3: (1, 200, 0.5)})
    alerts = find_alerts(reviews, negatives, mentioned=mentioned)
    found = alerts[(alerts["item_id"] == "i3") & (alerts["aspect_id"] == 1)]
    assert len(found) == 1, alerts
    alert = found.iloc[0]
    assert alert["kind"] == "spike"
    assert abs((alert["start"] - (START + pd.Timedelta(days=200))).days) <= 21
    assert alert["negative_share"] == pytest.approx(0.5, abs=0.15)
    assert alert["baseline"] < 0.25
    # products that are steadily worse than their peers may be told so, but nothing else rose
    assert set(alerts.loc[alerts["kind"] == "spike", "item_id"]) == {"i3"}


def test_a_product_worse_than_its_peers_from_the_start_is_alerted_against_them():
    reviews, negatives, mentioned = _shop(11, planted={5: (0, None, 0.55)})
    alerts = find_alerts(reviews, negatives, mentioned=mentioned)
    found = alerts[(alerts["item_id"] == "i5") & (alerts["aspect_id"] == 0)]
    assert len(found) == 1 and found.iloc[0]["kind"] == "level", alerts
    assert found.iloc[0]["category_share"] < 0.2
