"""The topics job on a demo shop: every review placed in a named topic, stored as one run, ids kept on a re-run."""

import shutil

import numpy as np
import pandas as pd
import pytest

import insight
from insight.cluster.topics import topics_store
from insight.store import runs
from insight.store import topics as topic_store


@pytest.fixture()
def topics_run(segmented_db):
    con = insight.connect(segmented_db)
    run = runs.current_run(con, "topics")
    yield con, run
    con.close()


def test_every_review_with_text_is_placed_in_a_named_topic(topics_run):
    con, run = topics_run
    members = topic_store.fetch_members(con, run["run_id"])
    reviews = con.execute("select count(*) from reviews where text is not null").fetchall()[0][0]
    assert len(members) == reviews == run["params"]["reviews"]
    topics = topic_store.fetch_topics(con, run["run_id"])
    assert len(topics) == run["params"]["topics"] >= 3
    assert topics["size"].sum() == (members["topic_id"] >= 0).sum()
    assert (members["topic_id"] == -1).mean() <= 0.05 + 1e-9  # the outlier budget
    assert topics["label"].str.len().gt(0).all() and not topics["label"].str.startswith("topic ").any()
    assert topics["rating"].between(1, 5).all()
    assert run["model"] == "all-MiniLM-L6-v2" and run["seed"] == 0
    assert 0 <= run["params"]["stability"] <= 1
    assert run["params"]["pipeline"]["max_segment_share"] == 0.5


def test_a_complaint_about_one_defect_is_its_own_low_rated_topic(topics_run):
    """The demo's vacuum cup leaks: its 1-2 star reviews say so, and they should read as one topic."""
    con, run = topics_run
    topics = topic_store.fetch_topics(con, run["run_id"])
    mean_rating = con.execute("select avg(rating) from reviews where text is not null").fetchall()[0][0]
    leaks = topics[topics["keywords"].str.contains("leak")]
    assert len(leaks) >= 1
    assert leaks["rating"].min() < mean_rating - 1.0
    shares = topic_store.fetch_topic_shares(con, run["run_id"])
    assert np.allclose(shares.groupby("period")["share"].sum(), 1.0)


def test_a_rerun_keeps_every_topic_id_and_a_failed_one_keeps_the_old(segmented_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(segmented_db, path)
    con = insight.connect(path)
    before = runs.current_run(con, "topics")
    again = topics_store(con, model="all-MiniLM-L6-v2", device="cpu", min_cluster_size=8)
    assert "kept their id" in again["message"]
    after = runs.current_run(con, "topics")
    assert after["run_id"] != before["run_id"]
    old = set(topic_store.fetch_topics(con, before["run_id"])["topic_id"])
    new = set(topic_store.fetch_topics(con, after["run_id"])["topic_id"])
    assert new == old
    assert after["params"]["events"] == {"kept": len(old)}

    with pytest.raises(ValueError, match="outlier_budget"):
        topics_store(con, model="all-MiniLM-L6-v2", device="cpu", outlier_budget=2.0)
    assert runs.current_run(con, "topics")["run_id"] == after["run_id"]
    con.close()


def test_too_few_reviews_are_refused_with_the_reason(tmp_path, corpus):
    con = insight.connect(tmp_path / "small.duckdb")
    insight.ingest(corpus, db=con)
    reviews = con.execute("select count(*) from reviews where text is not null").fetchall()[0][0]
    assert 0 < reviews < 20  # the small canonical corpus
    with pytest.raises(ValueError, match="at least 20 reviews"):
        topics_store(con, model="all-MiniLM-L6-v2", device="cpu")
    assert runs.current_run(con, "topics") is None
    assert isinstance(topic_store.fetch_topics(con, "none"), pd.DataFrame)
    con.close()
