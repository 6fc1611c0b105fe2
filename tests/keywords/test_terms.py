"""Which keywords may name something: units, boilerplate, parts of speech and attested phrases."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from insight.keywords.pos import noun_weight
from insight.keywords.terms import is_empty_label, is_quantity, overlaps, phrase_checker, term_fitness


@pytest.mark.parametrize("word", ["50ml", "cm", "38–46", "1.5l", "xl", "m-3xl", "4k", "毫升", "mah"])
def test_numbers_units_and_sizes_are_quantities(word):
    assert is_quantity(word)


@pytest.mark.parametrize("word", ["ps5", "kettle", "shoes", "跑鞋", "slim", "tea"])
def test_words_are_not_quantities(word):
    assert not is_quantity(word)


# The names the issue found on the demo, word by word: none may name anything, whatever the purpose.
@pytest.mark.parametrize(
    "term", ["feels", "years", "weeks ago", "ago", "value", "use", "use far", "holding daily", "cm", "50ml", "一段时间"]
)
@pytest.mark.parametrize("purpose", ["interest", "topic", "shop", "keyword"])
def test_boilerplate_and_units_never_name_anything(term, purpose):
    assert term_fitness(term, purpose) == 0.0


def test_review_aspects_name_topics_but_not_interests():
    for term in ("delivery", "物流", "qualidade"):
        assert term_fitness(term, "topic") > 0 and term_fitness(term, "interest") == 0.0
        assert term_fitness(term, "keyword") > 0 and term_fitness(term, "shop") == 0.0


def test_nouns_name_best_then_adjectives_and_activities():
    assert noun_weight("running shoes") == noun_weight("跑鞋") == noun_weight("kettle") == 1.0
    assert noun_weight("tea set") == noun_weight("trail running") == 1.0  # a noun before a "verb": a compound
    assert noun_weight("stridex") == 1.0  # a word the lexicon does not know: a brand, a model name
    assert noun_weight("comfortable") == noun_weight("hiking") == noun_weight("舒服") == 0.5
    assert noun_weight("quickly") == noun_weight("weeks ago") == noun_weight("一双") == 0.0
    assert noun_weight("进自带") == 0.0  # a verb and its object is not a noun phrase


def test_keywords_of_groupings_keep_content_verbs():
    assert term_fitness("leaking", "keyword") == term_fitness("broke", "keyword") == 1.0
    assert term_fitness("quickly", "keyword") == 0.0


def test_labels_made_only_of_units_or_boilerplate_are_empty():
    assert is_empty_label("feels years · years · feels")
    assert is_empty_label("ago · weeks ago · weeks")
    assert is_empty_label("50ml · 1.5l")
    assert not is_empty_label("desk · cm · standing")
    assert not is_empty_label("running shoes · 跑鞋")


def test_keywords_sharing_a_word_overlap():
    assert overlaps("running shoes", "shoes") and overlaps("dress", "dresses") and overlaps("扎实用料", "用料")
    assert not overlaps("kettle", "tea") and not overlaps("tea", "teapot")


def test_phrases_count_only_when_someone_wrote_them():
    texts = ["The size is spot on.", "A stainless steel chef's knife.", "物流的速度很快", "鞋底很软"]
    vocabulary = np.array(["size spot", "chef knife", "物流速度", "鞋底很软", "size"], dtype=object)
    rows = sp.csr_matrix(np.array([[1, 0, 0, 0, 1], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]]))
    attested = phrase_checker(texts, rows, vocabulary)
    assert [attested(i) for i in range(5)] == [False, True, False, True, True]


def test_a_keyword_covers_those_made_of_its_words():
    from insight.keywords.terms import covers

    assert covers("running shoes", "shoes") and covers("leaking kettle", "leaks")
    assert not covers("shoes", "running shoes") and not covers("running shoes", "trail shoes")
