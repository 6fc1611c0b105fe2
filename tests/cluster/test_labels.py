import numpy as np

from insight.cluster import representatives, segment_keywords

TEXTS = [
    "the kettle boils water fast",
    "this kettle boils quietly",
    "kettle lid broke after a week",
    "running shoes with great grip",
    "these shoes run small",
    "comfortable shoes for running",
    "random noise text here",
]
LABELS = np.array([0, 0, 0, 1, 1, 1, -1])


def test_keywords_per_segment_leave_outliers_out():
    frame = segment_keywords(TEXTS, LABELS, languages="en", min_df=2)
    assert list(frame.columns) == ["segment", "keyword", "weight", "count", "docs"]
    assert set(frame["segment"]) == {0, 1}
    top = frame.groupby("segment")["keyword"].first().to_dict()
    assert top[0].startswith("kettle") and top[1].startswith("shoe")
    assert "noise" not in set(frame["keyword"])


def test_keywords_empty_without_segments_or_texts():
    assert segment_keywords([], np.array([], dtype=np.int64)).empty
    assert segment_keywords(TEXTS, np.full(len(TEXTS), -1)).empty


def test_representatives_are_the_members_closest_to_the_centroid():
    vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.6, 0.8], [0.0, 1.0], [0.1, 1.0]], dtype=np.float32)
    labels = np.array([0, 0, 0, 1, 1])
    centroids = {0: np.array([1.0, 0.0], dtype=np.float32), 1: np.array([0.0, 1.0], dtype=np.float32)}
    reps = representatives(vectors, labels, centroids, k=2)
    assert reps == {0: [0, 1], 1: [3, 4]}
