"""A typed interest contrasted with reference interests: reviews about shopping in general stop ranking first."""

import pytest

from insight.encode import encode_texts
from insight.profiles.contrast import REFERENCE_INTERESTS, contrasted_query, reference_phrases

MODEL = "multilingual-e5-small"
GENERIC = ["发货很快，正品，下次还会再来买", "Fast delivery, genuine product, will buy again", "东西不错，物流快，好评"]
WRITERS = {
    "hair": ["洗完头发很顺滑，头皮屑也少了", "My hair feels soft after washing, no more dandruff"],
    "dress": ["这件衣服面料舒服，尺码合适", "Great dress, fits well"],
}


def _encode(texts):
    return encode_texts(list(texts), model=MODEL)


@pytest.mark.parametrize(
    ("query", "language", "about"),
    [("shampoo and hair care", "en", "hair"), ("洗发水和护发", "zh", "hair"), ("连衣裙", "zh", "dress")],
)
def test_writers_about_the_interest_in_either_language_rank_above_every_generic_review(query, language, about):
    users = _encode(GENERIC + WRITERS[about])
    closeness = users @ contrasted_query(query, language, _encode, lambda vectors, languages: vectors)
    assert closeness[len(GENERIC) :].min() > closeness[: len(GENERIC)].max()


def test_a_query_is_contrasted_with_its_own_languages_bank_and_with_every_bank_when_there_is_none():
    assert {lang for _, lang in reference_phrases("zh")} == {"zh"}
    assert len(reference_phrases("vi")) == sum(len(bank) for bank in REFERENCE_INTERESTS.values())
    placed = []
    contrasted_query("sapatos de corrida", "pt", _encode, lambda v, langs: placed.append(langs) or v)
    assert placed[0][0] == "pt" and set(placed[0][1:]) == {"pt"}  # query and bank placed as one language
