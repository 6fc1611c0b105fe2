import pytest

from insight.profiles.match import DEFAULT_STRENGTH, legacy_strength
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
        interest_strength=2.5,
        lookalike_strength=1.0,
    )
    again = AudienceDefinition.from_json(definition.to_json())
    assert again == definition and hash(again) == hash(definition)
    assert definition.interest == "trail running shoes" and definition.segments == (3, 1)
    assert AudienceDefinition.from_dict({"kind": "builder", "min_orders": 3}) == AudienceDefinition(min_orders=3)


def test_an_earlier_versions_cosine_threshold_is_converted_and_says_so():
    saved = {"kind": "builder", "interest": "trail running shoes", "interest_threshold": 0.45, "min_orders": 2}
    definition = AudienceDefinition.from_dict(saved)
    assert definition.interest_strength == legacy_strength(0.45) == DEFAULT_STRENGTH + 1.0
    assert "converted from the earlier cosine threshold 0.45" in definition.describe()
    assert AudienceDefinition.from_json(definition.to_json()) == definition  # converted once, then kept
    # the old default (and any threshold saved without an interest) reads as today's default, silently
    plain = AudienceDefinition.from_dict({"interest_threshold": 0.35, "min_orders": 2})
    assert plain == AudienceDefinition(min_orders=2) and "converted" not in plain.describe()
    # an old lookalike cut is a cosine, and still cuts by cosine
    grown = AudienceDefinition.from_dict({"segments": [1], "lookalike_similarity": 0.3})
    assert grown.grows and "cosine similarity ≥ 0.30 (an earlier version's cut)" in grown.describe()


@pytest.mark.parametrize(
    "values, words",
    [
        ({"sentiment": (0.5, -0.5)}, "sentiment range"),
        ({"sentiment": (-2.0, 0.0)}, "sentiment range"),
        ({"min_orders": -1}, "cannot be negative"),
        ({"interest_threshold": 1.5}, "cosine"),
        ({"lookalike_similarity": -3}, "cosine"),
        ({"interest_strength": float("nan")}, "finite"),
    ],
)
def test_impossible_conditions_are_refused_with_the_reason(values, words):
    with pytest.raises(ValueError, match=words):
        AudienceDefinition(**values)


def test_a_definition_reads_as_plain_words():
    definition = AudienceDefinition(segments=(1,), min_orders=2, interest="coffee", lookalike_strength=1.5)
    text = definition.describe({1: "#1 running"})
    assert text == (
        f'segment #1 running · at least 2 orders · interested in "coffee" (match strength ≥ {DEFAULT_STRENGTH:.2f}), '
        "plus lookalikes with match strength ≥ 1.50"
    )
    assert AudienceDefinition().describe() == "everyone" and AudienceDefinition().is_everyone
    assert definition.needs_profiles and not AudienceDefinition(min_orders=2).needs_profiles
