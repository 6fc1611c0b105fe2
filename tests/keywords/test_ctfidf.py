"""Distinctive keywords per group by c-TF-IDF, on small real-looking review sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from insight.keywords import c_tf_idf, extract_keywords
from insight.keywords.stopwords import STOP_WORDS

BATTERY = [
    "电池不耐用，充一次电只能用半天",
    "电池发热很严重，而且电池掉电快",
    "用了一个月电池就鼓包了，电池质量太差",
    "电池续航很差，待机时间短",
    "电池充不进电，售后也不管",
    "这个电池是假的吧，电量掉得飞快",
]
SCREEN = [
    "屏幕有坏点，看着很难受",
    "屏幕太暗了，而且屏幕有划痕",
    "收到就发现屏幕碎了，屏幕质量差",
    "屏幕偏黄，显示效果不好",
    "屏幕触控失灵，经常乱跳",
    "屏幕漏光严重，屏幕边缘发白",
]

ENGLISH = {
    "phone": [
        "Good quality phone but the battery drains fast",
        "The battery barely lasts a day, quality feels cheap though",
        "Screen is sharp, battery life is poor, quality ok",
        "Quality camera, battery overheats when charging",
        "Battery died after a month, otherwise quality is fine",
        "Nice quality, the screen scratches easily",
    ],
    "blender": [
        "Blender motor is loud, quality is decent",
        "The motor burned out after two weeks, poor quality",
        "Quality jar, the motor smells when blending ice",
        "Blades are sharp and the motor is powerful, great quality",
        "The jar leaks, quality control is lacking",
        "Motor stalls on frozen fruit, quality disappointing",
    ],
    "shoes": [
        "Shoes run small, order a size up, nice quality leather",
        "The sole came off after a week, bad quality",
        "Comfortable shoes, true to size, quality stitching",
        "Size chart is wrong, quality is fine",
        "The sole is slippery on wet floors, quality ok",
        "Great quality shoes but the size runs narrow",
    ],
}


def _top(frame: pd.DataFrame, group, n: int = 3) -> list[str]:
    return frame.loc[frame["group"] == group, "keyword"].head(n).tolist()


def test_chinese_complaints_about_battery_and_screen_give_those_words_first():
    texts = BATTERY + SCREEN
    groups = ["battery"] * len(BATTERY) + ["screen"] * len(SCREEN)
    keywords = extract_keywords(texts, groups, languages="zh", top_n=10)
    assert _top(keywords, "battery", 1) == ["电池"]
    assert _top(keywords, "screen", 1) == ["屏幕"]
    assert "屏幕" not in _top(keywords, "battery", 10) and "电池" not in _top(keywords, "screen", 10)
    stop = STOP_WORDS["zh"]
    assert not [k for k in keywords["keyword"] if k in stop]


def test_output_columns_order_and_types():
    keywords = extract_keywords(BATTERY + SCREEN, ["b"] * 6 + ["s"] * 6, top_n=5)
    assert list(keywords.columns) == ["group", "keyword", "weight", "count", "docs"]
    assert keywords["group"].tolist() == ["b"] * 5 + ["s"] * 5
    for _, part in keywords.groupby("group"):
        assert part["weight"].is_monotonic_decreasing
    assert keywords["weight"].dtype == np.float64 and (keywords["weight"] > 0).all()
    battery = keywords[(keywords["group"] == "b") & (keywords["keyword"] == "电池")].iloc[0]
    assert battery["count"] == 8 and battery["docs"] == 6


def test_word_frequent_in_every_group_ranks_below_a_word_specific_to_one():
    texts = [t for reviews in ENGLISH.values() for t in reviews]
    groups = [g for g, reviews in ENGLISH.items() for _ in reviews]
    keywords = extract_keywords(texts, groups, languages="en", top_n=20)
    assert _top(keywords, "phone", 1) == ["battery"]
    assert _top(keywords, "blender", 1) == ["motor"]
    assert _top(keywords, "shoes", 2)[0] in {"size", "sole", "shoes"}

    def rank(group: str, word: str) -> int:
        return _top(keywords, group, 20).index(word)

    # "quality" is in every review of every group: more frequent than "battery" in the phone group,
    # yet less distinctive of it.
    phone = keywords[keywords["group"] == "phone"].set_index("keyword")
    assert phone.loc["quality", "count"] > phone.loc["battery", "count"]
    assert rank("phone", "battery") < rank("phone", "quality")
    assert rank("blender", "motor") < rank("blender", "quality")


def test_bigrams_appear_as_keywords():
    texts = [
        "Entrega atrasada, produto chegou quebrado",
        "Entrega atrasada e sem resposta do vendedor",
        "Produto chegou quebrado, quero devolver",
        "Entrega atrasada mais de dez dias",
        "Caixa amassada, produto chegou quebrado",
    ]
    keywords = extract_keywords(texts, languages="pt", top_n=10)
    assert set(keywords["group"]) == {"all"}
    assert {"entrega atrasada", "chegou quebrado"} <= set(keywords["keyword"])
    chinese = extract_keywords(["电池发热严重", "用了两天电池发热很快", "屏幕发黄"], top_n=5)
    assert "电池发热" in set(chinese["keyword"])


def test_unigrams_only_and_min_df():
    texts = ["battery died", "battery died", "screen cracked"]
    keywords = extract_keywords(texts, ngram_range=(1, 1), min_df=2)
    assert sorted(keywords["keyword"]) == ["battery", "died"]
    # a single text still gives keywords: min_df never exceeds the number of texts
    assert "battery" in set(extract_keywords(["battery died"])["keyword"])


def test_empty_none_and_missing_groups_do_not_crash():
    empty = extract_keywords([None, "", "  ", "!!!"], ["a", "a", "b", None])
    assert empty.empty and list(empty.columns) == ["group", "keyword", "weight", "count", "docs"]
    assert extract_keywords([]).empty
    keywords = extract_keywords(
        ["battery died", None, "battery died", "screen cracked"], ["a", "a", None, "b"], min_df=1
    )
    assert set(keywords["group"]) == {"a", "b"}
    with pytest.raises(ValueError):
        extract_keywords(["a b"], ["x", "y"])


def test_c_tf_idf_matches_the_bertopic_formula():
    counts = np.array([[3, 0, 1], [1, 2, 1]], dtype=float)
    frequency = counts.sum(axis=0)
    average_words = counts.sum(axis=1).mean()
    expected = counts / counts.sum(axis=1, keepdims=True) * np.log(1 + average_words / frequency)
    np.testing.assert_allclose(c_tf_idf(sp.csr_matrix(counts)).toarray(), expected)
    unnormalised = counts * np.log(1 + average_words / frequency)
    np.testing.assert_allclose(c_tf_idf(counts, normalize=False).toarray(), unnormalised)


def test_repeated_reviews_are_counted_like_any_others():
    # Identical reviews are counted once and their row repeated; what is kept and how often must be what
    # counting every review gives, min_df counting each copy (a bigram in two copies of one review counts).
    from functools import partial

    from sklearn.feature_extraction.text import CountVectorizer

    from insight.keywords.ctfidf import document_term_matrix
    from insight.keywords.tokenize import ngrams, tokenize_many

    texts = BATTERY + SCREEN + [BATTERY[0]] * 3 + ["屏幕碎了"] * 2 + [""] + SCREEN[:2]
    tokens = tokenize_many(texts, "zh", drop_generic=True)
    for min_df in (1, 2, 3):
        matrix, vocabulary = document_term_matrix(tokens, min_df=min_df)
        reference = CountVectorizer(analyzer=partial(ngrams, n_range=(1, 2)), min_df=min_df)
        expected = reference.fit_transform([list(t) for t in tokens])
        assert list(vocabulary) == list(reference.get_feature_names_out())
        assert (matrix != expected).nnz == 0 and matrix.shape == (len(texts), len(vocabulary))


def test_groups_summed_over_distinct_reviews_get_the_keywords_of_every_review_summed():
    # A million reviews are summed per group over their distinct texts, each times its copies; the
    # keywords, weights, counts and review counts must be those of adding up every review.
    from insight.keywords.ctfidf import TermCounts, document_term_matrix
    from insight.keywords.tokenize import tokenize_many

    texts = BATTERY * 3 + SCREEN * 2 + [BATTERY[1]] * 5 + [""] * 2 + SCREEN[:3]
    groups = [("phone" if i % 3 else "tablet") if i % 5 else None for i in range(len(texts))]
    tokens = tokenize_many(texts, "zh", drop_generic=True)
    terms = document_term_matrix(tokens, min_df=2)
    assert isinstance(terms, TermCounts) and terms.distinct.shape[0] < len(texts)
    by_distinct = extract_keywords(texts, groups, languages="zh", tokens=tokens, terms=terms, top_n=8)
    by_every = extract_keywords(texts, groups, languages="zh", tokens=tokens, terms=tuple(terms), top_n=8)
    pd.testing.assert_frame_equal(by_distinct, by_every)
    assert set(by_distinct["group"]) == {"phone", "tablet"} and (by_distinct["docs"] > 1).any()
