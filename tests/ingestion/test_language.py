"""Language tagging: the batched model gives py3langid's own answers, on real reviews in three languages."""

from __future__ import annotations

import pandas as pd
import pytest

from insight.ingestion.langid_batch import LANGUAGES, classify_many
from insight.ingestion.language import detect_language, detect_languages


@pytest.fixture(scope="module")
def real_texts(shared_data) -> list[str]:
    english = pd.read_csv(shared_data / "womens_clothing_reviews" / "womens_clothing_ecommerce_reviews.csv", nrows=600)
    portuguese = pd.read_csv(shared_data / "olist" / "olist_order_reviews_dataset.csv", nrows=3000)
    chinese = pd.read_csv(shared_data / "online_shopping_10_cats" / "online_shopping_10_cats.csv", nrows=600)
    texts = [
        *english["Review Text"].dropna(),
        *english["Title"].dropna(),
        *portuguese["review_comment_message"].dropna(),
        *chinese["review"].dropna(),
        "SUPER COMFORTABLE SHOES",  # capitals are lowered before scoring
        "ok",  # no feature at all is a tie, as in py3langid
        "",
    ]
    return [str(t) for t in texts]


def test_the_batch_gives_the_languages_and_confidences_of_one_text_at_a_time(real_texts):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    one_by_one = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    one_by_one.set_languages(LANGUAGES)
    expected = [one_by_one.classify(t) for t in real_texts]
    languages, confidences = classify_many(real_texts)
    assert languages == [language for language, _ in expected]
    assert confidences == pytest.approx([confidence for _, confidence in expected], abs=1e-4)
    assert {"en", "pt", "zh"} <= set(languages)


def test_texts_are_tagged_alike_in_a_column_and_alone(real_texts):
    sample = pd.Series(real_texts[::7] + [None, real_texts[0]])
    tagged = detect_languages(sample)
    assert tagged.tolist() == [detect_language(t) for t in sample]
    assert tagged.iloc[-2] is None and tagged.iloc[-1] == tagged.iloc[0]


def test_a_hint_settles_short_texts_but_not_another_script():
    assert detect_language("bom") != "pt"  # too short for the model alone
    assert detect_language("bom", hint="pt") == "pt"
    assert detect_language("great shoes", hint="zh") == "en"  # no Han characters: not Chinese, whatever the hint
    assert detect_language("ok", hint="pt") is None  # under three letters: no language
