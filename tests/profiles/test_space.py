"""One language-neutral space: each language's texts centred on its own mean, with the real multilingual model."""

import numpy as np
import pytest

from insight.encode import encode_texts
from insight.profiles.space import LanguageSpace, fill_languages, fit_space, language_of

TEXTS = {  # topic -> (English, Chinese) product texts
    "running": [("Trail running shoes with deep lugs for mud", "越野跑鞋，大底齿纹深，泥地抓得稳"),
                ("Lightweight cushioned road running shoes", "轻量缓震公路跑鞋")],
    "dogs": [("Washable orthopaedic dog bed, large", "可水洗的大号狗窝，记忆棉"),
             ("Grain-free dry dog food for puppies", "无谷幼犬狗粮")],
    "coffee": [("Burr coffee grinder with 40 settings", "40档锥形磨豆机，研磨咖啡豆"),
               ("Cold brew coffee maker, 1 litre", "冷萃咖啡壶，1升")],
}  # fmt: skip


LANGS = ("en", "zh")


@pytest.fixture(scope="module")
def encoded():
    rows = [(topic, LANGS[i], pair[i]) for topic, pairs in TEXTS.items() for pair in pairs for i in range(2)]
    topics, langs, texts = map(np.array, zip(*rows, strict=True))
    return topics, langs, texts, encode_texts(list(texts), model="multilingual-e5-small")


def _cross_language_hits(vectors, topics, langs) -> float:
    """Share of texts whose nearest text in the *other* language is about the same thing."""
    hits = []
    for i in range(len(vectors)):
        other = np.flatnonzero(langs != langs[i])
        hits.append(topics[other[np.argmax(vectors[other] @ vectors[i])]] == topics[i])
    return float(np.mean(hits))


def _same_language_nearest(vectors, langs) -> float:
    """Share of texts whose nearest other text is in its own language."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -9)
    return float(np.mean(langs[sims.argmax(axis=1)] == langs))


def test_centring_each_language_lets_the_same_interest_meet_across_languages(encoded):
    topics, langs, texts, vectors = encoded
    space = fit_space(vectors, langs, shrink=0)
    neutral = space.neutral(vectors, langs)
    assert np.allclose(np.linalg.norm(neutral, axis=1), 1.0, atol=1e-5)
    # raw e5: a text's nearest neighbour is almost always in its own language; centred, far less often
    assert _same_language_nearest(vectors, langs) > _same_language_nearest(neutral, langs)
    assert _cross_language_hits(neutral, topics, langs) == 1.0
    # a typed query is centred on its own language's mean and finds the same texts in both languages
    query = encode_texts(["跑鞋"], model="multilingual-e5-small")[0]
    closest = np.argsort(-(neutral @ space.neutral_text(query, "跑鞋")))[:4]
    assert set(topics[closest]) == {"running"} and set(langs[closest]) == {"en", "zh"}


def test_a_language_with_few_texts_keeps_near_the_overall_mean(encoded):
    _, langs, _, vectors = encoded
    languages = np.where(np.arange(len(langs)) == 0, "pt", langs)  # one text of a third language
    space = fit_space(vectors, languages)
    assert space.counts == {"en": 5, "pt": 1, "zh": 6}
    assert np.linalg.norm(space.means["pt"] - space.overall) < 0.1 * np.linalg.norm(vectors[0] - space.overall)
    assert np.array_equal(space.mean_of("de"), space.overall)  # a language the store lacks: the overall mean
    again = LanguageSpace.from_record(space.to_record())
    assert again.counts == space.counts and np.allclose(again.means["zh"], space.means["zh"], atol=1e-6)
    assert LanguageSpace.from_record(None) is None


def test_short_texts_get_a_language_from_their_script_or_the_stores():
    assert language_of("跑鞋") == "zh" and language_of("ランニング") == "ja"
    assert language_of("trail running shoes for muddy mountain paths") == "en"
    assert language_of("ok", hint="pt") == "pt"
    assert language_of("dresses and clothes", hint="zh") == "en"  # a Chinese hint cannot make Latin text Chinese
    filled = fill_languages(["跑鞋", "dog bed", "咖啡", "a"], [None, "en", None, None])
    assert list(filled) == ["zh", "en", "zh", "en"]
