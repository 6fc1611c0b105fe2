"""Keyword trends per period and rising / fading keyword detection."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from insight.keywords import detect_bursts, keyword_trends, trend_matrix

FILLER = ["delivery was quick", "colour matches the photos", "packaging was fine", "fits as expected",
          "customer service answered", "price was fair", "instructions were clear", "sturdy material"]  # fmt: skip


def _reviews(seed: int = 7) -> pd.DataFrame:
    """Six months of English reviews: "battery" steady, "refund" surging in June, "coupon" gone in June."""
    rng = random.Random(seed)
    rows = []
    for month in range(1, 7):
        last = month == 6
        for i in range(120 + rng.randint(-10, 10)):
            words = [rng.choice(FILLER)]
            if rng.random() < 0.30:
                words.append("the battery lasts long")
            if rng.random() < (0.40 if last else 0.03):
                words.append("asked for a refund")
            if rng.random() < (0.01 if last else 0.25):
                words.append("used a coupon")
            rng.shuffle(words)
            day = 1 + i % 28
            rows.append({"text": ", ".join(words), "at": pd.Timestamp(2025, month, day, 10 + i % 8)})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def reviews() -> pd.DataFrame:
    return _reviews()


@pytest.fixture(scope="module")
def trends(reviews) -> pd.DataFrame:
    return keyword_trends(reviews["text"], reviews["at"], languages="en", freq="M", top_n=15)


def test_trends_count_reviews_per_month_and_share(trends, reviews):
    assert list(trends.columns) == ["period", "keyword", "count", "documents", "share"]
    assert trends["period"].nunique() == 6
    assert trends["period"].min() == pd.Timestamp(2025, 1, 1)
    june = trends[trends["period"] == pd.Timestamp(2025, 6, 1)].set_index("keyword")
    june_texts = reviews.loc[reviews["at"].dt.month == 6, "text"]
    assert june.loc["refund", "count"] == june_texts.str.contains("refund").sum()
    assert june.loc["refund", "documents"] == len(june_texts)
    assert june.loc["refund", "share"] == pytest.approx(june.loc["refund", "count"] / len(june_texts))
    assert {"battery", "refund", "coupon"} <= set(trends["keyword"])


def test_rising_and_fading_keywords_are_flagged_and_a_stable_one_is_not(trends):
    bursts = detect_bursts(trends)
    assert list(bursts.columns) == ["keyword", "period", "count", "baseline", "share", "baseline_share", "score",
                                    "direction"]  # fmt: skip
    flagged = dict(zip(bursts["keyword"], bursts["direction"], strict=True))
    assert flagged["refund"] == "rising"
    assert flagged["coupon"] == "fading"
    assert "battery" not in flagged and "battery lasts" not in flagged
    assert (bursts["period"] == pd.Timestamp(2025, 6, 1)).all()
    assert bursts["score"].abs().is_monotonic_decreasing
    refund = bursts.set_index("keyword").loc["refund"]
    assert refund["count"] > 3 * refund["baseline"] and refund["score"] > 3


def _series(keyword: str, counts: list[int], documents: list[int]) -> pd.DataFrame:
    periods = pd.date_range("2025-01-01", periods=len(counts), freq="MS")
    return pd.DataFrame({"period": periods, "keyword": keyword, "count": counts, "documents": documents})


def test_small_jump_in_a_tiny_period_scores_below_a_big_jump():
    tiny = _series("tiny", [0, 0, 0, 0, 0, 3], [500, 500, 500, 500, 500, 8])  # 0 -> 3 in a week of 8 reviews
    big = _series("big", [50, 50, 50, 50, 50, 200], [500] * 6)  # 50 -> 200 in an ordinary month
    tiny_score = detect_bursts(tiny, min_count=0, z=0)["score"].iloc[0]
    big_score = detect_bursts(big, min_count=0, z=0)["score"].iloc[0]
    assert big_score > tiny_score > 0
    assert detect_bursts(tiny).empty  # fewer than min_count mentions: never flagged
    assert detect_bursts(big)["direction"].tolist() == ["rising"]


def test_keyword_noisy_in_its_history_needs_a_bigger_change():
    steady = [100, 101, 99, 100, 100, 102, 98, 140]
    swinging = [40, 160, 60, 150, 50, 170, 40, 140]
    frame = pd.concat([_series("steady", steady, [1000] * 8), _series("swinging", swinging, [1000] * 8)])
    scores = detect_bursts(frame, z=0, min_count=0).set_index("keyword")["score"]
    assert scores["steady"] > 3 > scores["swinging"]


def test_weekly_periods_explicit_keywords_and_heatmap_matrix(reviews):
    weekly = keyword_trends(reviews["text"], reviews["at"], freq="W", keywords=["Refund", "battery", "unicorn"])
    assert set(weekly["keyword"]) == {"refund", "battery", "unicorn"}
    assert weekly.loc[weekly["keyword"] == "unicorn", "count"].sum() == 0
    assert weekly["period"].nunique() > 20
    matrix = trend_matrix(weekly, top_n=2)
    assert list(matrix.columns) == ["battery", "refund"]
    assert matrix.index.is_monotonic_increasing and len(matrix) == weekly["period"].nunique()
    counts = trend_matrix(weekly, top_n=5, value="count")
    assert counts.to_numpy().sum() == weekly["count"].sum()


def test_periods_without_reviews_are_kept_with_no_share_and_ignored_by_bursts():
    texts = ["battery died"] * 3 + ["battery died", "refund please"] * 2 + ["refund please"] * 6
    stamps = ["2025-01-05"] * 3 + ["2025-03-05"] * 4 + ["2025-04-05"] * 6
    trends = keyword_trends(texts, stamps, min_df=1)
    february = trends[trends["period"] == pd.Timestamp(2025, 2, 1)]
    assert len(february) and (february["documents"] == 0).all() and february["share"].isna().all()
    assert detect_bursts(trends, min_count=1, z=0)["period"].eq(pd.Timestamp(2025, 4, 1)).all()


def test_empty_and_missing_inputs_do_not_crash():
    assert keyword_trends([], []).empty
    nothing = keyword_trends([None, "", "battery"], [None, "not a date", None])
    assert nothing.empty and list(nothing.columns) == ["period", "keyword", "count", "documents", "share"]
    assert keyword_trends([None, ""], ["2025-01-01", "2025-02-01"]).empty
    assert detect_bursts(nothing).empty
    assert trend_matrix(nothing).empty
    one_period = keyword_trends(["battery died", "battery ok"], ["2025-01-01", "2025-01-02"])
    assert detect_bursts(one_period).empty  # no baseline to compare with
    with pytest.raises(ValueError):
        keyword_trends(["a"], ["2025-01-01", "2025-01-02"])


def test_timestamps_in_mixed_formats_and_time_zones_fall_in_the_shops_local_month():
    late_january_in_sao_paulo = pd.Timestamp("2025-01-31 22:00", tz="America/Sao_Paulo")  # 01:00 UTC, Feb 1st
    stamps = [late_january_in_sao_paulo, "2025-01-15", "2025-02-03T10:00:00+08:00", "03/02/2025"]
    trends = keyword_trends(["battery died"] * 4, stamps, min_df=1, top_n=1)
    assert dict(zip(trends["period"], trends["count"], strict=True)) == {
        pd.Timestamp(2025, 1, 1): 2,
        pd.Timestamp(2025, 2, 1): 1,
        pd.Timestamp(2025, 3, 1): 1,
    }


def test_trends_from_counts_shared_with_more_texts_equal_trends_counted_again(reviews):
    from insight.keywords.ctfidf import document_term_matrix, terms_of_subset
    from insight.keywords.tokenize import tokenize_many

    once = pd.DataFrame({"text": ["zebra pattern zebra pattern"], "at": [pd.Timestamp(2025, 3, 3)]})
    dated = pd.concat([reviews, once], ignore_index=True)  # "zebra" in one dated review: below min_df there
    undated = ["zebra pattern again"] * 3  # ... but not among every review, which the job counts once
    tokens = tokenize_many(dated["text"].tolist() + undated, "en")
    counts, vocabulary = document_term_matrix(tokens, min_df=2)
    rows = list(range(len(dated)))
    shared = keyword_trends(dated["text"], dated["at"], languages="en", freq="M", top_n=15, per_period=5,
                            tokens=tokens[: len(dated)], terms=(counts[rows], vocabulary))  # fmt: skip
    again = keyword_trends(dated["text"], dated["at"], languages="en", freq="M", top_n=15, per_period=5)
    pd.testing.assert_frame_equal(shared, again)
    subset, kept = terms_of_subset(counts[rows], vocabulary, min_df=2)
    recounted, recounted_vocabulary = document_term_matrix(tokens[: len(dated)], min_df=2)
    assert "zebra" in set(vocabulary) and "zebra" not in set(kept)
    assert list(kept) == list(recounted_vocabulary) and (subset != recounted).nnz == 0
