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


# --- names: candidates that can name something, closeness to the centre, diversity, distinct labels ---

import scipy.sparse as sp  # noqa: E402

from insight.cluster.labels import text_groups  # noqa: E402
from insight.keywords.names import GroupTerms, mmr, name_groups  # noqa: E402
from insight.keywords.terms import is_empty_label, is_quantity  # noqa: E402

VOCABULARY = np.array(
    ["cm", "running shoes", "shoes", "trail", "socks", "weeks ago", "跑鞋", "越野跑鞋", "tent", "hiking boots"],
    dtype=object,
)
LANGUAGE = np.array(["en", "en", "en", "en", "en", "en", "zh", "zh", "en", "en"], dtype=object)


def _groups(rows, shares, sizes):
    return GroupTerms(
        ids=list(range(len(rows))),
        counts=sp.csr_matrix(np.array(rows, dtype=np.float64)),
        vocabulary=VOCABULARY,
        term_language=LANGUAGE,
        language_share=shares,
        sizes=sizes,
    )


def test_mmr_trades_relevance_for_diversity():
    scores = np.array([1.0, 0.95, 0.6])
    similarity = np.array([[1.0, 0.99, 0.1], [0.99, 1.0, 0.1], [0.1, 0.1, 1.0]])
    assert mmr(scores, similarity, top_n=2, diversity=0.5) == [0, 2]
    assert mmr(scores, similarity, top_n=2, diversity=0.0) == [0, 1]
    assert mmr(scores, np.zeros((3, 3)), top_n=3, blocked=lambda i, picked: i == 1) == [0, 2]


def test_names_leave_units_out_repeat_no_word_and_start_differently():
    # Two running segments (a big English one, a smaller mixed one) and a camping one; "cm" and
    # "weeks ago" are frequent in all, "running shoes" tops both running segments.
    rows = [
        [30, 40, 20, 12, 10, 25, 0, 0, 1, 0],
        [20, 30, 15, 0, 20, 20, 25, 12, 0, 1],
        [25, 1, 1, 2, 0, 20, 0, 0, 30, 25],
    ]
    shares = [{"en": 1.0}, {"en": 0.6, "zh": 0.4}, {"en": 1.0}]
    names = name_groups(_groups(rows, shares, [50, 40, 30]), purpose="interest")
    labels = [n.label for n in names]
    assert len(set(labels)) == 3 and all(labels)
    leads = [label.split(" · ")[0] for label in labels]
    assert len(set(leads)) == 3 and leads[0] == "running shoes"
    for name in names:
        assert not {"cm", "weeks ago"} & set(name.keywords)
        assert not ("shoes" in name.keywords and "running shoes" in name.keywords)
    # the mixed segment names itself in both of its languages
    assert any(t in labels[1] for t in ("跑鞋", "越野跑鞋")) and "socks" in labels[1], labels
    assert names[1].by_language.keys() == {"en", "zh"}


def test_closeness_to_the_centre_reranks_candidates():
    rows = [[0, 10, 0, 10, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 10, 10]]
    vectors = np.eye(len(VOCABULARY))
    centres = np.array([vectors[3] * 2 + vectors[1], vectors[8] + vectors[9]])  # segment 0 is about trails

    def embed(terms):
        return np.stack([vectors[list(VOCABULARY).index(t)] for t in terms])

    plain = name_groups(_groups(rows, [{"en": 1.0}] * 2, [10, 10]), purpose="interest")
    ranked = name_groups(_groups(rows, [{"en": 1.0}] * 2, [10, 10]), purpose="interest", centres=centres, embed=embed)
    assert plain[0].keywords[0] == "running shoes"  # equal c-TF-IDF: the first column
    assert ranked[0].keywords[0] == "trail"


def test_topics_of_review_texts_get_distinct_names_without_units_or_boilerplate():
    texts = (
        ["The 1.7l kettle started leaking after two weeks, feels cheap."] * 4
        + ["Kettle leaking from the base after a few weeks of use."] * 4
        + ["Running shoes with great grip, size 42 fits, feels light for weeks."] * 4
        + ["These running shoes have superb grip on trails, great value."] * 4
    )
    groups = text_groups(texts, np.array([0] * 8 + [1] * 8), languages="en")
    names = name_groups(groups, purpose="topic")
    labels = [n.label for n in names]
    assert labels[0].startswith("kettle") and {"running shoes", "grip"} <= set(names[1].keywords[:2]), labels
    assert len(set(labels)) == 2 and not any(is_empty_label(label) for label in labels)
    words = [w for n in names for k in n.keywords for w in k.split()]
    assert not [w for w in words if is_quantity(w) or w in {"feels", "weeks", "value", "use"}], words


# --- what the segments and topics jobs store, on the 150-user demo shop ---

UNIT_WORDS = {"cm", "mm", "ml", "l", "kg", "g", "oz", "inch", "xl", "xs", "毫升", "厘米", "公斤", "克", "码", "款"}
REVIEW_BOILERPLATE = {"feels", "feel", "weeks", "ago", "years", "value", "use", "used", "holding", "days", "time"}


def _label_words(labels):
    return [w for label in labels for part in label.split(" · ") for w in part.split()]


def test_stored_segment_and_topic_names_are_distinct_and_made_of_words(segmented_db):
    from insight.store import runs
    from insight.store import segments as segment_store
    from insight.store import topics as topic_store
    from insight.store.db import connect

    con = connect(segmented_db)  # as the other tests on this process's copy open it (DuckDB refuses mixed modes)
    try:
        segments = segment_store.fetch_segments(con, runs.current_run(con, "segments")["run_id"])
        topics = topic_store.fetch_topics(con, runs.current_run(con, "topics")["run_id"])
    finally:
        con.close()
    for labels in (segments["label"].tolist(), topics["label"].tolist()):
        assert len(set(labels)) == len(labels), labels
        words = _label_words(labels)
        assert not [w for w in words if w[0].isdigit() or w.lower() in UNIT_WORDS], labels
        assert not [w for w in words if w in REVIEW_BOILERPLATE], labels
    leads = [label.split(" · ")[0] for label in segments["label"]]
    assert len(set(leads)) == len(leads), leads
