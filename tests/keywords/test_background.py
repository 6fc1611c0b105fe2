"""Keywords of all reviews against everyday language: what sets a shop apart, not the language's frequent words."""

from __future__ import annotations

import numpy as np

from insight.keywords import extract_keywords
from insight.keywords.background import background_frequency, distinctive_keywords, focus
from insight.keywords.ctfidf import document_term_matrix
from insight.keywords.terms import is_boilerplate, is_quantity
from insight.keywords.tokenize import tokenize_many

# A small shop's reviews: two products, written around the stock phrases every review uses.
REVIEWS = [
    ("Great value. I use this kettle every day, it feels solid after weeks of use.", "en", "kitchen"),
    ("The kettle boils fast and feels well made. Good value for the price.", "en", "kitchen"),
    ("Bought it weeks ago, I use it daily, the kettle lid still clicks shut.", "en", "kitchen"),
    ("Feels cheap but good value. The kettle handle gets warm after a few weeks.", "en", "kitchen"),
    ("Value for money: the 1.7l kettle boils in two minutes, I use it all the time.", "en", "kitchen"),
    ("These trail shoes have great grip, I use them for weeks of running, good value.", "en", "running"),
    ("The trail shoes feel light and the grip on mud is superb. Great value.", "en", "running"),
    ("I use these shoes every week, years of running shoes and these are the best value.", "en", "running"),
    ("Grip is fine, shoes run small, value is ok, I use them weeks later still.", "en", "running"),
    ("跑鞋很轻，抓地力很好，用了几个星期了，性价比高。", "zh", "running"),
    ("这双跑鞋抓地力不错，越野跑很稳，用了一段时间还好。", "zh", "running"),
    ("水壶烧水很快，用了几个星期了，性价比高。", "zh", "kitchen"),
]


def _terms():
    texts, languages, groups = map(list, zip(*REVIEWS, strict=True))
    tokens = tokenize_many(texts, languages, drop_generic=True)
    matrix, vocabulary = document_term_matrix(tokens, min_df=2)
    per_language = {"en": sum(len(t) for t, lang in zip(tokens, languages, strict=True) if lang == "en")}
    per_language["zh"] = sum(len(t) for t, lang in zip(tokens, languages, strict=True) if lang == "zh")
    return texts, languages, groups, tokens, matrix, vocabulary, per_language


def test_plain_frequency_is_topped_by_boilerplate_and_the_background_removes_it():
    texts, languages, groups, tokens, matrix, vocabulary, per_language = _terms()
    plain = extract_keywords(texts, None, languages=languages, tokens=tokens, terms=(matrix, vocabulary), top_n=5)
    assert plain["keyword"].iloc[0] in {"use", "value", "weeks", "feels"}  # what the single-class c-TF-IDF shows
    found = distinctive_keywords(matrix, vocabulary, languages, per_language, top_n=6, groups=groups)
    words = found["keyword"].tolist()
    assert {"kettle", "grip"} <= set(words[:4]), words
    assert not [w for w in words if any(is_boilerplate(p) or is_quantity(p) for p in w.split())], words
    assert "跑鞋" in words  # the shop's Chinese reviews get their words too
    assert found["weight"].is_monotonic_decreasing and (found["weight"] > 0).all()


def test_focus_rewards_words_used_in_some_groups():
    *_, groups, _, matrix, vocabulary, _ = _terms()
    score = dict(zip(vocabulary, focus(matrix, groups), strict=True))
    # each used in one of two groups (at most ln 2 / (ln 2 + 0.5) = 0.58) against one used alike in both
    assert min(score["kettle"], score["grip"]) > 0.25 > 10 * score["use"]


def test_phrases_are_rarer_than_their_rarest_word():
    shoes = background_frequency("shoes", "en")
    assert background_frequency("running shoes", "en") < shoes / 5
    assert background_frequency("跑鞋", "zh") < background_frequency("鞋", "zh")
    assert background_frequency("kettle", "xx") is None
    assert np.isfinite(background_frequency("stridexqq", "en"))  # unknown words get the list's floor
