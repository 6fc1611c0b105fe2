"""Sentiment a user would check: clear reviews in three languages, the job, adaptation to ratings."""

import json

import pandas as pd
import pytest

import insight
from insight.jobs.runner import new_job, run_job
from insight.sentiment.lexicon import score_lexicon
from insight.sentiment.model import DEFAULT_VERSION
from insight.store.runs import current_run
from tests.conftest import count

CLEAR = [
    ("Absolutely love it, fits perfectly and the fabric is soft.", "en", "positive"),
    ("Terrible quality, it broke after two days. Waste of money.", "en", "negative"),
    ("质量非常好，物流也快，很满意！", "zh", "positive"),
    ("太差了，用了一天就坏了，再也不买了。", "zh", "negative"),
    ("Produto excelente, chegou antes do prazo. Recomendo!", "pt", "positive"),
    ("Péssimo, veio quebrado e ninguém responde.", "pt", "negative"),
]


def test_clear_reviews_in_three_languages_are_classified():
    texts, languages, expected = zip(*CLEAR, strict=True)
    scores = insight.score_sentiment(list(texts), language=list(languages))
    assert list(scores["label"]) == list(expected)
    assert scores["score"].between(-1, 1).all()
    assert (scores.loc[[0, 2, 4], "score"] > 0.3).all() and (scores.loc[[1, 3, 5], "score"] < -0.3).all()


def test_lexicon_baseline_scores_each_language():
    texts, languages, expected = zip(*CLEAR, strict=True)
    assert list(score_lexicon(list(texts), list(languages))["label"]) == list(expected)


def test_job_scores_every_review_with_text_and_records_the_model(analysed_db):
    con = insight.connect(analysed_db)
    run = current_run(con, "sentiment")
    scores = dict(
        con.execute("select review_id, label from sentiment_scores where run_id = $r", {"r": run["run_id"]}).fetchall()
    )
    assert set(scores) == {"r1", "r2", "r3", "r4"}
    assert scores["r1"] == "positive" and scores["r2"] == "negative" and scores["r4"] == "negative"
    assert run["model"] == f"multilingual-e5-small + {DEFAULT_VERSION}"
    con.close()


def test_job_on_a_store_without_reviews_fails_and_says_why(con, corpus):
    insight.ingest(corpus / "items.csv", db=con)
    job = new_job(con, "sentiment", {})
    assert run_job(con, job, "sentiment", {}) == "failed"
    message = con.execute("select message from jobs where job_id = $j", {"j": job}).fetchall()[0][0]
    assert "no review text to score" in message and count(con, "sentiment_scores") == 0


@pytest.mark.shared
def test_adapting_to_a_merchants_labels_is_measured_and_kept_only_if_better(con, tmp_path, shared_data):
    raw = pd.read_csv(shared_data / "online_shopping_10_cats" / "online_shopping_10_cats.csv")
    raw.sample(320, random_state=1).to_csv(tmp_path / "reviews.csv", index=False)
    insight.ingest(tmp_path / "reviews.csv", db=con)
    assert run_job(con, new_job(con, "sentiment", {"adapt": "auto"}), "sentiment", {"adapt": "auto"}) == "done"
    provenance = json.loads(con.execute("select provenance from jobs").fetchall()[0][0])
    metrics = provenance["metrics"]
    assert metrics["held_out_reviews"] == 64 and 0.5 < metrics["default_macro_f1"] <= 1
    adapted = con.execute("select version, metrics from sentiment_models").fetchall()
    if metrics["adapted_macro_f1"] > metrics["default_macro_f1"]:
        assert provenance["head"] == adapted[0][0] and json.loads(adapted[0][1]) == metrics
    else:
        assert provenance["head"] == DEFAULT_VERSION and adapted == []


def test_job_reuses_the_vectors_the_store_already_has(con, corpus):
    insight.ingest(corpus, db=con)
    params = {"model": "multilingual-e5-small", "device": "cpu"}
    assert run_job(con, new_job(con, "encode", params), "encode", params) == "done"
    vectors = count(con, "embeddings")
    assert run_job(con, new_job(con, "sentiment", {}), "sentiment", {}) == "done"
    provenance = json.loads(con.execute("select provenance from jobs where kind = 'sentiment'").fetchall()[0][0])
    assert provenance["newly_encoded"] == 0 and count(con, "embeddings") == vectors
