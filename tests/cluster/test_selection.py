import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from insight.cluster.selection import label_points, select_clusters


def _groups(centres, sizes, seed=0):
    """Gaussian groups in 5-D (spread 0.5) at the given centres: (points, truth)."""
    rng = np.random.default_rng(seed)
    points = [np.asarray(c, dtype=float) + 0.5 * rng.normal(size=(s, 5)) for c, s in zip(centres, sizes, strict=True)]
    return np.vstack(points), np.repeat(np.arange(len(sizes)), sizes)


def _fit(points, **params):
    import hdbscan

    return hdbscan.HDBSCAN(min_cluster_size=50, min_samples=10, **params).fit(points)


def _ours(fitted, n, max_share):
    tree = fitted.condensed_tree_.to_pandas()
    return label_points(tree, n, select_clusters(tree, n, max_share))


@pytest.mark.parametrize("max_share", [None, 0.5])
def test_without_a_giant_the_labels_and_probabilities_are_hdbscans(max_share):
    points, _ = _groups([[0, 0, 0, 0, 0], [6, 0, 0, 0, 0], [0, 6, 0, 0, 0], [0, 0, 6, 0, 0]], [300, 250, 200, 150])
    fitted = _fit(points)
    labels, probabilities = _ours(fitted, len(points), max_share)
    assert np.array_equal(labels, fitted.labels_)
    assert np.allclose(probabilities, fitted.probabilities_, atol=1e-6)


def test_a_segment_holding_most_points_is_split_into_its_sub_clusters():
    # two neighbouring groups of 350 form one parent cluster of 70 % of the points
    points, truth = _groups([[0, 0, 0, 0, 0], [2.5, 0, 0, 0, 0], [0, 12, 0, 0, 0]], [350, 350, 300])
    fitted = _fit(points)
    assert np.bincount(fitted.labels_[fitted.labels_ >= 0]).max() == 700  # hdbscan keeps the parent whole

    labels, probabilities = _ours(fitted, len(points), 0.5)
    kept = labels >= 0
    assert labels.max() + 1 == 3
    assert np.bincount(labels[kept]).max() <= 0.5 * len(points)
    assert adjusted_rand_score(truth[kept], labels[kept]) > 0.95
    assert (probabilities[kept] > 0).all() and (probabilities[~kept] == 0).all()


def test_a_large_group_with_no_sub_clusters_stays_whole_instead_of_becoming_noise():
    points, truth = _groups([[0, 0, 0, 0, 0], [0, 12, 0, 0, 0]], [700, 300])
    labels, _ = _ours(_fit(points), len(points), 0.5)
    assert adjusted_rand_score(truth, labels) == 1.0
    # hdbscan's own cap drops such a group to noise, which is why the rule is ours
    capped = _fit(points, max_cluster_size=500)
    assert (capped.labels_[truth == 0] == -1).all()


def test_leaf_selection_is_left_to_hdbscan(blobs):
    from insight.cluster import segment_vectors

    seg = segment_vectors(blobs[0], seed=0, n_resamples=0, cluster_selection_method="leaf", min_cluster_size=30)
    assert seg.params["max_segment_share"] == 0.5
    assert seg.params["clusterer"]["params"]["cluster_selection_method"] == "leaf"
    assert adjusted_rand_score(blobs[1], seg.labels) > 0.8
