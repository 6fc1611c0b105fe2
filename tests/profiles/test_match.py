"""Match strength: a user's closeness to an interest against the store's other users of their language."""

import numpy as np

from insight.profiles.match import DEFAULT_STRENGTH, STRENGTH_RANGE, interest_similarity, legacy_strength, strengths


def test_the_users_into_an_interest_stand_out_by_several_spreads_whatever_the_cosine_scale():
    rng = np.random.default_rng(0)
    for level, spread in ((0.2, 0.05), (0.85, 0.01)):  # MiniLM-like and e5-like cosine scales
        others = rng.normal(level, spread, 300)
        fans = rng.normal(level + 6 * spread, spread, 30)
        strength = strengths(np.r_[others, fans])
        assert (strength[300:] >= DEFAULT_STRENGTH).mean() > 0.9  # the fans
        assert (strength[:300] >= DEFAULT_STRENGTH).mean() < 0.05  # hardly anyone else
        assert abs(np.median(strength[:300])) < 0.2


def test_a_language_whose_users_all_sit_closer_to_the_query_is_not_favoured():
    rng = np.random.default_rng(1)
    similarity = np.r_[rng.normal(0.30, 0.05, 200), rng.normal(0.20, 0.05, 200)]  # the query's own language first
    groups = ["en"] * 200 + ["zh"] * 200
    plain, fair = strengths(similarity), strengths(similarity, groups)
    top = similarity.argsort()[::-1][:40]
    assert (top < 200).mean() > 0.9  # by cosine alone nearly every top user writes the query's language
    assert 0.3 < (fair[:200] >= 1.5).mean() / max((fair[200:] >= 1.5).mean(), 1e-9) < 3
    assert (plain[:200] >= 1.5).sum() > 3 * (plain[200:] >= 1.5).sum()
    tiny = strengths(similarity[:205], groups[:205])  # 5 zh users: too few for their own statistics
    assert np.allclose(tiny[200:], strengths(similarity[:205])[200:])


def test_closeness_is_the_whole_profile_lifted_by_the_best_interest_centre():
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    profiles = np.array([[0.6, 0.8, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    centres = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    got = interest_similarity(query, profiles, np.array([0, 1]), centres)
    assert np.allclose(got, [(0.6 + 1.0) / 2, 0.0])


def test_an_old_cosine_threshold_reads_as_a_strength_in_the_same_direction():
    assert legacy_strength(0.35) == DEFAULT_STRENGTH
    assert legacy_strength(0.25) < DEFAULT_STRENGTH < legacy_strength(0.45)
    assert legacy_strength(0.9) == STRENGTH_RANGE[1] and legacy_strength(-1.0) == STRENGTH_RANGE[0]
