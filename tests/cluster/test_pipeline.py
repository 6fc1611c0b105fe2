import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from insight.cluster import Segmentation, segment_vectors

from .conftest import BLOB_SIZES, make_topics


def test_blobs_are_recovered_with_ids_ordered_by_size(blobs, fitted):
    vectors, truth, _ = blobs
    seg, _ = fitted
    assert isinstance(seg, Segmentation)
    assert adjusted_rand_score(truth, seg.labels) > 0.9
    assert seg.n_segments == len(BLOB_SIZES)
    sizes = [seg.sizes[k] for k in range(seg.n_segments)]
    assert sizes == sorted(sizes, reverse=True)
    assert sorted(seg.sizes) == list(range(seg.n_segments))
    # segment 0 is the 240-point blob, segment 3 the 80-point one
    for segment, blob in enumerate(range(len(BLOB_SIZES))):
        assert np.bincount(truth[seg.labels == segment]).argmax() == blob


def test_result_shapes_and_types(blobs, fitted):
    vectors, _, _ = blobs
    seg, _ = fitted
    n = len(vectors)
    assert seg.labels.shape == (n,) and seg.labels.dtype == np.int64
    assert seg.coords.shape == (n, 2) and seg.coords.dtype == np.float32
    assert np.isfinite(seg.coords).all()
    assert seg.probabilities.shape == (n,) and seg.probabilities.dtype == np.float32
    assert ((seg.probabilities >= 0) & (seg.probabilities <= 1)).all()
    assert sum(seg.sizes.values()) + int((seg.labels == -1).sum()) == n
    for segment, centroid in seg.centroids.items():
        assert centroid.shape == (vectors.shape[1],)
        assert abs(float(np.linalg.norm(centroid)) - 1.0) < 1e-5
        members = vectors[seg.labels == segment].mean(axis=0)
        assert float(centroid @ members / np.linalg.norm(members)) > 0.999
    assert seg.keywords.empty and list(seg.keywords.columns)[:3] == ["segment", "keyword", "weight"]
    assert seg.backend == "cpu" and seg.seed == 0 and seg.seconds > 0
    assert seg.params["reducer"]["library"] == "umap-learn"
    assert seg.params["clusterer"]["params"]["min_cluster_size"] == 10
    assert seg.params["transformed"] == 0


def test_stability_is_close_to_one_on_clear_groups(fitted):
    seg, _ = fitted
    assert len(seg.params["stability_scores"]) == 2
    assert seg.stability > 0.9


def test_progress_is_reported_at_each_stage(fitted):
    _, calls = fitted
    fractions = [fraction for fraction, _ in calls]
    assert len(calls) >= 5
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any("stability" in message for _, message in calls)


def test_same_seed_gives_identical_labels(blobs, fitted):
    again = segment_vectors(blobs[0], seed=0, n_resamples=0)
    assert np.array_equal(again.labels, fitted[0].labels)
    assert np.array_equal(again.coords, fitted[0].coords)
    assert np.isnan(again.stability)


def test_fit_on_a_sample_then_transform_still_recovers_the_blobs(blobs, fitted):
    vectors, truth, _ = blobs
    seg = segment_vectors(vectors, seed=1, n_resamples=0, sample_size=300)
    assert seg.params["fit_sample"] == 300 and seg.params["transformed"] == len(vectors) - 300
    assert adjusted_rand_score(truth, seg.labels) > 0.9
    assert seg.coords.shape == (len(vectors), 2) and np.isfinite(seg.coords).all()


@pytest.fixture(scope="module")
def budget_runs():
    """The messy topic data segmented with budgets 0 and 5 % (same seed: same HDBSCAN result)."""
    vectors, _ = make_topics()
    return {
        budget: segment_vectors(vectors, seed=0, n_resamples=0, outlier_budget=budget, min_cluster_size=30)
        for budget in (0.0, 0.05)
    }


@pytest.mark.parametrize("budget", [0.0, 0.05])
def test_outlier_budget_caps_the_remaining_outliers(budget_runs, budget):
    seg = budget_runs[budget]
    assert seg.outliers_before > 0.1  # HDBSCAN alone leaves many outliers on this data
    assert seg.outliers_after <= budget + 1e-9
    assert seg.outliers_before >= seg.outliers_after
    assert seg.outliers_after == pytest.approx(float((seg.labels == -1).mean()))
    if budget == 0.0:
        assert (seg.labels >= 0).all()
    else:
        assert seg.outliers_after > 0.04  # only as many reassigned as the budget requires


def test_budget_only_changes_outliers(budget_runs):
    strict, loose = budget_runs[0.0], budget_runs[0.05]
    assert strict.outliers_before == loose.outliers_before
    kept = loose.labels >= 0
    # the same segments (ids may differ only if reassignment reorders sizes, which it does not here)
    assert adjusted_rand_score(strict.labels[kept], loose.labels[kept]) > 0.99


def test_outliers_least_similar_to_every_centroid_stay_outliers():
    from insight.cluster.budget import apply_budget

    rng = np.random.default_rng(0)
    centers = np.eye(4, dtype=np.float32)[:2]
    members = np.vstack([centers[0] + 0.01 * rng.normal(size=(10, 4)), centers[1] + 0.01 * rng.normal(size=(10, 4))])
    # outliers ever further from both centroids: cosine 0.95, 0.9, ... to segment 0
    angles = np.linspace(0.3, 1.4, 6)
    outliers = np.stack([np.cos(angles), np.zeros(6), np.sin(angles), np.zeros(6)], axis=1)
    vectors = np.vstack([members, outliers]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.array([0] * 10 + [1] * 10 + [-1] * 6)
    probs = np.where(labels >= 0, 1.0, 0.0).astype(np.float32)
    new_labels, new_probs = apply_budget(vectors, labels, probs, budget=2 / 26)
    assert new_labels[20:].tolist() == [0, 0, 0, 0, -1, -1]
    assert np.allclose(new_probs[20:24], np.cos(angles[:4]), atol=0.01)
    assert new_labels[:20].tolist() == labels[:20].tolist()


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least"):
        segment_vectors(np.ones((5, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="texts"):
        segment_vectors(np.eye(30, dtype=np.float32), texts=["a"])
    with pytest.raises(TypeError, match="unknown segmentation parameter"):
        segment_vectors(np.eye(30, dtype=np.float32), colour="red")
