"""Neighbours standardised per pair of groups: segments follow what points share, not the group they are in."""

import numpy as np
from sklearn.metrics import normalized_mutual_info_score as nmi

from insight.cluster import segment_vectors
from insight.cluster.groups import block_stats, group_codes, grouped_knn, place_by_neighbours


def _two_languages(rng, per_cell=60, dim=32):
    """3 interests x 2 languages; a language adds a shared offset *and* its own extra closeness within it."""
    topics = rng.normal(size=(3, dim))
    offsets = rng.normal(size=(2, dim)) * 1.2
    points, topic, language = [], [], []
    for t in range(3):
        for g in range(2):
            local = rng.normal(size=dim) * 0.8  # same-language, same-interest points share more than the interest
            points.append(topics[t] + offsets[g] + local + rng.normal(size=(per_cell, dim)) * 0.6)
            topic += [t] * per_cell
            language += ["en" if g == 0 else "zh"] * per_cell
    vectors = np.vstack(points).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), np.array(topic), np.array(language)


def test_group_codes_leave_out_groups_too_small_to_describe():
    assert group_codes(None) is None and group_codes(["en"] * 50) is None
    codes = group_codes(["en"] * 30 + ["zh"] * 25 + ["pt"] * 3)
    assert set(codes[:30]) == {0} and set(codes[30:55]) == {1} and set(codes[55:]) == {-1}


def test_standardised_neighbours_cross_languages_and_new_points_land_among_theirs():
    vectors, topic, language = _two_languages(np.random.default_rng(0))
    codes = group_codes(language)
    plain = np.argsort(-(vectors @ vectors.T), axis=1)[:, 1:11]
    fair, _ = grouped_knn(vectors, codes, 11)
    assert (language[plain] == language[:, None]).mean() > 0.95
    assert (language[fair[:, 1:]] == language[:, None]).mean() < 0.7
    assert (topic[fair[:, 1:]] == topic[:, None]).mean() > 0.9
    coords = np.eye(3)[topic] * 10.0  # a "map" where each interest has its own corner
    found = grouped_knn(vectors[::2], codes[::2], 5, queries=vectors[1::2], query_codes=codes[1::2])
    placed = place_by_neighbours(coords[::2], *found)
    assert (placed.argmax(axis=1) == topic[1::2]).mean() > 0.9


def test_the_neighbour_search_is_exact_with_one_group_or_several():
    # Segments of a large shop place most users by these neighbours: they must be the ones ranking every
    # pair would give, each row itself first even beside an exact duplicate.
    vectors, _, language = _two_languages(np.random.default_rng(2))
    vectors[6] = vectors[4]  # rows 2 and 3 of the searched set
    rows, queries = vectors[::2], vectors[1::2]
    for codes in (np.zeros(len(vectors), dtype=np.int64), group_codes(language)):
        mean, spread, overall, scale = block_stats(rows, codes[::2])
        for query, query_codes, own in ((rows, codes[::2], True), (queries, codes[1::2], False)):
            pair = np.ix_(query_codes, codes[::2])
            dist = 1 - (overall + scale * (query @ rows.T - mean[pair]) / spread[pair])
            if own:
                np.fill_diagonal(dist, -1.0)
            found, distances = grouped_knn(
                rows, codes[::2], 8, **({} if own else {"queries": query, "query_codes": query_codes})
            )
            np.testing.assert_allclose(distances, np.maximum(np.sort(dist, axis=1)[:, :8], 0), atol=1e-5)
            if own:
                assert (found[:, 0] == np.arange(len(rows))).all()


def _mixed_share(labels: np.ndarray, language: np.ndarray) -> float:
    """Share of segmented points whose segment holds both languages (each at least a fifth of it)."""
    segmented = labels >= 0
    mixed = [k for k in set(labels[segmented]) if 0.2 <= (language[labels == k] == "en").mean() <= 0.8]
    return float(np.isin(labels, mixed).sum() / max(segmented.sum(), 1))


def test_segments_follow_interests_across_languages_when_told_the_groups():
    # Checked with leaf selection, the finest segments, where an interest is most easily split by language
    # (seed 0 of umap-learn 0.5.12 does so for one interest), on three seeds with margins that hold for
    # each, not on one seed's exact figures.
    vectors, topic, language = _two_languages(np.random.default_rng(1))
    for seed in (0, 1, 2):
        settings = dict(seed=seed, n_resamples=0, min_cluster_size=15, cluster_selection_method="leaf")
        plain = segment_vectors(vectors, **settings).labels
        fair = segment_vectors(vectors, groups=list(language), **settings)
        assert nmi(language, plain) > 0.5 and _mixed_share(plain, language) == 0.0  # split by language
        assert _mixed_share(fair.labels, language) >= 0.3, seed  # told the groups: segments mix languages
        assert nmi(language, fair.labels) <= nmi(language, plain) - 0.2 and nmi(topic, fair.labels) > 0.6, seed
        assert fair.params["groups"] == 2
