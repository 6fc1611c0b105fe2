"""Tokens an analyst would accept as keywords, in Chinese, English and Portuguese."""

from __future__ import annotations

import importlib

import pytest

from insight.keywords import ngrams, tokenize, tokenize_many
from insight.keywords.stopwords import STOP_WORDS


def test_chinese_complaint_keeps_content_words_and_drops_function_words_punctuation_digits():
    tokens = tokenize("电池不耐用，屏幕也有划痕，真的很失望！！用了3天就坏了", "zh")
    assert {"电池", "屏幕", "划痕", "失望"} <= set(tokens)
    assert not set(tokens) & {"的", "了", "也", "很", "就", "有", "真的", "，", "！", "3"}


def test_chinese_is_detected_from_the_script_when_no_language_is_given():
    assert tokenize("屏幕很清晰，电池很耐用", None) == ["屏幕", "清晰", "电池", "耐用"]


def test_latin_words_inside_chinese_text_are_lower_cased():
    tokens = tokenize("iPhone的屏幕很清晰，WiFi信号好", None)
    assert "iphone" in tokens and "wifi" in tokens and "屏幕" in tokens


def test_portuguese_keeps_accents_and_drops_stop_words():
    assert tokenize("Entrega atrasada", "pt") == ["entrega", "atrasada"]
    tokens = tokenize("O produto chegou quebrado e não funciona. Ótimo atendimento, péssima embalagem!", "pt")
    assert tokens == ["produto", "chegou", "quebrado", "funciona", "ótimo", "atendimento", "péssima", "embalagem"]


def test_portuguese_without_a_language_code_gets_portuguese_stop_words():
    assert tokenize("o produto chegou quebrado, não recomendo para ninguém", None) == [
        "produto", "chegou", "quebrado", "recomendo", "ninguém",
    ]  # fmt: skip


def test_portuguese_regional_code_and_clitics():
    assert tokenize("Entregaram-me a caixa d'água amassada", "pt-BR") == ["entregaram", "caixa", "água", "amassada"]


def test_english_contractions_possessives_numbers_and_short_tokens():
    assert tokenize("I don't like it: the battery's dead after 2 days, won't charge. 5 stars!", "en") == [
        "battery", "dead", "days", "charge", "stars",
    ]  # fmt: skip
    assert "well-made" in tokenize("A well-made case", "en")
    assert tokenize("Arrived in 2-3 days, 100% ok x", "en") == ["arrived", "days"]


def test_generic_e_commerce_words_are_dropped_only_on_request():
    text = "Great product, the zipper broke"
    assert tokenize(text, "en") == ["great", "product", "zipper", "broke"]
    assert tokenize(text, "en", drop_generic=True) == ["zipper", "broke"]
    assert "东西" not in tokenize("东西收到了，屏幕有坏点", "zh", drop_generic=True)
    assert tokenize("zipper broke", "en", extra_stop_words={"Zipper"}) == ["broke"]


@pytest.mark.parametrize("text", [None, "", "   ", "!!! ... 123", "😀😀"])
def test_empty_or_contentless_text_gives_no_tokens(text):
    assert tokenize(text, None) == []
    assert tokenize(text, "zh") == []


def test_html_entities_are_decoded_not_kept_as_words():
    assert tokenize("屏幕很好&hellip;&hellip;电池一般", "zh") == ["屏幕", "好", "电池"]


def test_bigrams_join_latin_with_a_space_and_chinese_without():
    assert ngrams(["entrega", "atrasada"]) == ["entrega", "atrasada", "entrega atrasada"]
    assert ngrams(["电池", "发热"]) == ["电池", "发热", "电池发热"]
    assert ngrams(["iphone", "屏幕"]) == ["iphone", "屏幕", "iphone 屏幕"]
    assert ngrams(["好评", "好评", "物流"], (2, 2)) == ["好评物流"]  # a repeated word is no phrase
    assert ngrams(["a1", "b1", "c1"], (1, 3))[-1] == "a1 b1 c1"
    assert ngrams([]) == []
    with pytest.raises(ValueError):
        ngrams(["x"], (2, 1))


def test_stop_word_lists_hold_the_usual_function_words():
    assert {
        "的",
        "了",
        "是",
        "我",
        "也",
        "很",
        "就",
        "都",
        "还",
        "在",
        "有",
        "和",
        "这",
        "那",
        "个",
        "吧",
        "啊",
        "呢",
        "吗",
    } <= STOP_WORDS["zh"]
    assert {"de", "que", "não", "para", "com", "uma"} <= STOP_WORDS["pt"]
    assert {"the", "and", "dont"} <= STOP_WORDS["en"] and "thin" not in STOP_WORDS["en"]


def test_tokenize_many_matches_tokenize_and_accepts_one_code_or_one_per_text():
    texts = ["Entrega atrasada", None, "电池不耐用", "Entrega atrasada"]
    assert tokenize_many(texts, ["pt", None, "zh", "pt"]) == [["entrega", "atrasada"], [], ["电池", "耐用"]] + [
        ["entrega", "atrasada"]
    ]
    assert tokenize_many(["battery died"], "en") == [["battery", "died"]]
    with pytest.raises(ValueError):
        tokenize_many(["a", "b"], ["en"])


def test_parallel_tokenisation_gives_the_same_tokens(monkeypatch):
    module = importlib.import_module("insight.keywords.tokenize")  # the package attribute is the function
    monkeypatch.setattr(module, "PARALLEL_THRESHOLD", 1)
    texts = ["电池不耐用，屏幕有划痕", "Entrega atrasada", "battery died fast", "屏幕很清晰"] * 3 + ["质量很好"]
    assert tokenize_many(texts, None, n_jobs=2) == tokenize_many(texts, None)
