import pytest

from insight.targeting import AudienceDefinition


def test_a_definition_survives_json_and_reads_back_equal():
    definition = AudienceDefinition(
        segments=[3, 1],
        audiences=["aud-1"],
        recency_days=90,
        min_orders=2,
        min_spend=100.0,
        categories=["Running & Fitness"],
        sentiment=[-0.5, 1.0],
        interest="  trail running shoes ",
        interest_threshold=0.4,
        lookalike_similarity=0.2,
    )
    again = AudienceDefinition.from_json(definition.to_json())
    assert again == definition and hash(again) == hash(definition)
    assert definition.interest == "trail running shoes" and definition.segments == (3, 1)
    assert AudienceDefinition.from_dict({"kind": "builder", "min_orders": 3}) == AudienceDefinition(min_orders=3)


@pytest.mark.parametrize(
    "values, words",
    [
        ({"sentiment": (0.5, -0.5)}, "sentiment range"),
        ({"sentiment": (-2.0, 0.0)}, "sentiment range"),
        ({"min_orders": -1}, "cannot be negative"),
        ({"interest_threshold": 1.5}, "cosine"),
        ({"lookalike_similarity": -3}, "cosine"),
    ],
)
def test_impossible_conditions_are_refused_with_the_reason(values, words):
    with pytest.raises(ValueError, match=words):
        AudienceDefinition(**values)


def test_a_definition_reads_as_plain_words():
    definition = AudienceDefinition(segments=(1,), min_orders=2, interest="coffee", lookalike_similarity=0.3)
    text = definition.describe({1: "#1 running"})
    assert text == (
        'segment #1 running · at least 2 orders · interested in "coffee" (match ≥ 0.35), '
        "plus lookalikes with similarity ≥ 0.30"
    )
    assert AudienceDefinition().describe() == "everyone" and AudienceDefinition().is_everyone
    assert definition.needs_profiles and not AudienceDefinition(min_orders=2).needs_profiles
