"""Offline evaluation: the documented table, figures that match a hand computation, and sane comparisons."""

import math

import numpy as np
import pytest

from insight.recommendations import evaluate_recommendations
from insight.recommendations.metrics import list_metrics
from insight.store.recommend import fetch_item_vectors
from tests.recommendations.conftest import MODEL, SPLIT

COLUMNS = ["policy", "exploration", "precision", "recall", "ndcg", "coverage", "novelty", "diversity"]


def test_one_row_per_policy_and_level_on_a_real_split(shop):
    result = evaluate_recommendations(shop, split_date="2026-08-01", k=10, model=MODEL)
    assert list(result.columns) == COLUMNS
    assert list(zip(result["policy"], result["exploration"], strict=True)) == [
        ("insight", 0.0),
        ("insight", 0.1),
        ("insight", 0.2),
        ("insight", 0.4),
        ("popularity", 0.0),
        ("als", 0.0),
    ]
    rates = result[["precision", "recall", "ndcg", "coverage", "diversity"]].to_numpy()
    assert ((rates >= 0) & (rates <= 1)).all() and (result["novelty"] > 0).all()
    assert result.attrs["users"] >= 20 and result.attrs["split_date"] == "2026-08-01"
    by = result.set_index(["policy", "exploration"])
    # the shop's shoppers keep to their interests: knowing them beats showing everyone the best-sellers
    assert by.loc[("insight", 0.0), "precision"] > by.loc[("popularity", 0.0), "precision"]
    assert by.loc[("insight", 0.4), "diversity"] > by.loc[("insight", 0.0), "diversity"]


def test_popularity_baseline_matches_a_hand_computation(tiny):
    result = evaluate_recommendations(tiny, split_date=SPLIT, k=2, exploration_levels=(0.0,), model=MODEL)
    popularity = result.set_index("policy").loc["popularity"]
    # Training shoppers per item: A 4, C 3, B 2, E 1. Each evaluated shopper gets the two most popular
    # items they have not bought; re-bought items are neither shown nor relevant.
    #   u1 bought A C -> [B, E], relevant {D}     no hit
    #   u2 bought A C -> [B, E], relevant {B, F}  hit at rank 1
    #   u3 bought A B -> [C, E], relevant {C}     hit at rank 1
    #   u4 bought A E -> [C, B], relevant {C}     hit at rank 1 (A, bought again, does not count)
    # u5 bought nothing after the split and u6 had no history before it: not evaluated.
    assert result.attrs["users"] == 4
    assert popularity["precision"] == pytest.approx((0 + 0.5 + 0.5 + 0.5) / 4)
    assert popularity["recall"] == pytest.approx((0 + 0.5 + 1 + 1) / 4)
    assert popularity["ndcg"] == pytest.approx((0 + 1 / (1 + 1 / math.log2(3)) + 1 + 1) / 4)
    assert popularity["coverage"] == pytest.approx(3 / 7)  # B, C, E of seven items
    bits = {"B": -math.log2(3 / 6), "C": -math.log2(4 / 6), "E": -math.log2(2 / 6)}  # (shoppers + 1) / (5 + 1)
    lists = [["B", "E"], ["B", "E"], ["C", "E"], ["C", "B"]]
    assert popularity["novelty"] == pytest.approx(np.mean([bits[i] for pair in lists for i in pair]))
    items, vectors = fetch_item_vectors(tiny, MODEL)
    row = {item: n for n, item in enumerate(items["item_id"])}
    cosine = [float(vectors[row[a]] @ vectors[row[b]]) for a, b in lists]
    assert popularity["diversity"] == pytest.approx(1 - np.mean(cosine), abs=1e-5)


def test_perfect_lists_score_one_and_empty_lists_zero():
    vectors = np.eye(6, 4, dtype=np.float32)
    relevant = {"a": {0, 1}, "b": {2, 3}}
    context = {"k": 2, "popularity": np.zeros(6), "n_users": 3, "vectors": vectors, "n_catalogue": 6}
    perfect = list_metrics({"a": np.array([1, 0]), "b": np.array([2, 3])}, relevant, **context)
    assert perfect["precision"] == perfect["recall"] == perfect["ndcg"] == 1.0
    assert perfect["coverage"] == pytest.approx(4 / 6) and perfect["diversity"] == pytest.approx(1.0)
    assert perfect["novelty"] == pytest.approx(2.0)  # nobody touched them: -log2(1 / 4)
    empty = list_metrics({}, relevant, **context)
    assert empty["precision"] == empty["recall"] == empty["ndcg"] == empty["coverage"] == 0.0


def test_a_split_with_nobody_to_evaluate_says_so(tiny):
    with pytest.raises(ValueError, match="no user"):
        evaluate_recommendations(tiny, split_date="2030-01-01", model=MODEL)
