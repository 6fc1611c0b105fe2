import numpy as np
import pytest

from insight.cluster import Alignment, align_segments, segment_vectors

from .conftest import make_blobs


def _unit(v):
    return (v / np.linalg.norm(v)).astype(np.float32)


def _kinds(alignment: Alignment) -> list[str]:
    return alignment.events["kind"].tolist()


@pytest.fixture(scope="module")
def previous(fitted):
    """The first run's centroids under stable ids 100.. (as a store would keep them)."""
    seg, _ = fitted
    return {100 + label: centroid for label, centroid in seg.centroids.items()}


def test_refit_of_the_same_data_keeps_every_id(blobs, fitted, previous):
    seg, _ = fitted
    refit = segment_vectors(blobs[0], seed=5, n_resamples=0, sample_size=400)  # other seed, other path
    alignment = align_segments(previous, refit.centroids, next_id=104)
    assert set(_kinds(alignment)) == {"kept"}
    assert sorted(alignment.ids.values()) == [100, 101, 102, 103]
    assert (alignment.events["similarity"] > 0.99).all()
    assert alignment.next_id == 104
    stable = alignment.relabel(refit.labels)
    assert (stable == seg.labels + 100).mean() > 0.98


def test_a_vanished_segment_is_a_death(fitted, previous):
    seg, _ = fitted
    current = {label: c for label, c in seg.centroids.items() if label != 2}
    alignment = align_segments(previous, current, next_id=104)
    deaths = alignment.events[alignment.events["kind"] == "death"]
    assert deaths["stable_id"].tolist() == [102]
    assert _kinds(alignment).count("kept") == 3
    assert 102 not in alignment.ids.values()


def test_a_new_segment_is_a_birth_with_a_fresh_id(blobs, fitted, previous):
    seg, _ = fitted
    rng = np.random.default_rng(42)
    new_center = _unit(0.55 * blobs[2].mean(axis=0) + _unit(rng.normal(size=blobs[2].shape[1])))
    newcomers, _, _ = make_blobs((60,), seed=3, centers=new_center[None])
    current = {**seg.centroids, 4: _unit(newcomers.mean(axis=0))}
    alignment = align_segments(previous, current, next_id=104)
    births = alignment.events[alignment.events["kind"] == "birth"]
    assert births["stable_id"].tolist() == [104] and births["new_labels"].tolist() == [[4]]
    assert alignment.ids[4] == 104 and alignment.next_id == 105
    assert _kinds(alignment).count("kept") == 4


def test_a_segment_cut_in_two_is_a_split(blobs, fitted, previous):
    vectors = blobs[0]
    seg, _ = fitted
    members = vectors[seg.labels == 0]
    direction = members[0] - members.mean(axis=0)  # a direction within the blob
    side = (members - members.mean(axis=0)) @ direction > 0
    halves = {0: _unit(members[side].mean(axis=0)), 4: _unit(members[~side].mean(axis=0))}
    assert halves[0] @ halves[4] < 0.999  # genuinely shifted halves
    current = {**{label: c for label, c in seg.centroids.items() if label != 0}, **halves}
    alignment = align_segments(previous, current, next_id=104)
    splits = alignment.events[alignment.events["kind"] == "split"]
    assert len(splits) == 1
    assert splits["previous_ids"].iloc[0] == [100] and splits["stable_id"].iloc[0] == 104
    assert 100 in {alignment.ids[0], alignment.ids[4]}  # one half keeps the id
    assert "death" not in _kinds(alignment) and "birth" not in _kinds(alignment)


def test_two_segments_joined_are_a_merge():
    rng = np.random.default_rng(1)
    base = _unit(rng.normal(size=64))
    a = _unit(base + 0.35 * _unit(rng.normal(size=64)))
    b = _unit(base + 0.35 * _unit(rng.normal(size=64)))
    other = _unit(rng.normal(size=64))
    previous = {7: a, 8: b, 9: other}
    current = {0: _unit(a + b), 1: other}
    alignment = align_segments(previous, current, next_id=10)
    merges = alignment.events[alignment.events["kind"] == "merge"]
    assert len(merges) == 1 and merges["previous_ids"].iloc[0] == [7, 8]
    assert merges["stable_id"].iloc[0] == alignment.ids[0] and alignment.ids[0] in (7, 8)
    assert alignment.ids[1] == 9
    assert "death" not in _kinds(alignment)


def test_first_run_and_empty_runs():
    current = {0: _unit(np.ones(8)), 1: _unit(np.arange(8.0))}
    first = align_segments({}, current, next_id=0)
    assert first.ids == {0: 0, 1: 1} and _kinds(first) == ["birth", "birth"]
    gone = align_segments(current, {}, next_id=2)
    assert gone.ids == {} and _kinds(gone) == ["death", "death"]
    assert list(gone.events.columns) == ["kind", "stable_id", "previous_ids", "new_labels", "similarity"]


def test_next_id_never_reuses_a_previous_id():
    previous = {5: _unit(np.ones(8))}
    current = {0: _unit(-np.ones(8))}
    alignment = align_segments(previous, current, next_id=3)
    assert alignment.ids[0] == 6 and set(_kinds(alignment)) == {"birth", "death"}
