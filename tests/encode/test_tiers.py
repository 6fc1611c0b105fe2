"""Encoder tiers: a large CPU store gets e5's faster tier, which stays in e5's space and feeds every job."""

import numpy as np
import pytest

import insight
from insight.encode import describe_auto, encode_texts, tiers
from insight.encode.job import encode_store, store_model
from insight.encode.models import E5, E5_FAST
from insight.store import connect


@pytest.fixture
def store(tmp_path, corpus):
    con = connect(tmp_path / "store.duckdb")
    insight.ingest(corpus, db=con)
    yield con
    con.close()


def _encoded_models(con) -> set[str]:
    return {row[0] for row in con.execute("select distinct model from embeddings").fetchall()}


def test_a_small_store_gets_the_full_model_and_a_large_one_the_cpu_tier(store, monkeypatch):
    assert tiers.auto_model(store, "cpu")[0] == E5
    monkeypatch.setattr(tiers, "FAST_FROM", 5)  # the corpus has 9 distinct texts
    model, why = tiers.auto_model(store, "cpu")
    assert model == E5_FAST and "distinct texts on a CPU" in why
    assert tiers.auto_model(store, "cuda")[0] == E5  # a GPU encodes the full model fast enough
    assert "int8" in describe_auto(store, "cpu") and "one click away" in describe_auto(store, "cpu")


def test_the_tier_run_is_recorded_and_every_later_job_reads_its_vectors(store, monkeypatch):
    from insight.sentiment.job import score_store

    monkeypatch.setattr(tiers, "FAST_FROM", 5)
    result = encode_store(store, device="cpu")
    assert result["model"] == [E5_FAST] and E5_FAST in result["message"] and "int8" in result["tier_quality"]
    assert store_model(store) == E5_FAST
    scored = score_store(store, device="cpu")
    assert scored["model"] == E5_FAST and scored["newly_encoded"] == 0  # no second encoding under the full model
    assert _encoded_models(store) == {E5_FAST}


def test_a_model_chosen_by_name_stays_when_auto_runs_again(store, monkeypatch):
    monkeypatch.setattr(tiers, "FAST_FROM", 5)
    encode_store(store, model=E5, device="cpu")
    again = encode_store(store, device="cpu")
    assert again["model"] == [E5] and again["new"] == 0 and "chosen by name" in again["tier"]
    assert _encoded_models(store) == {E5}


def test_the_cpu_tier_stays_in_the_full_models_space_across_languages():
    texts = [
        "These trail running shoes grip well on wet rocks.",
        "跑鞋很轻，下雨天在山路上也不打滑。",
        "O tênis de corrida é leve e confortável.",
        "The dog bed is soft and my puppy sleeps in it all night.",
        "狗窝很软，小狗整晚都睡在里面。",
        "Shampoo left my hair soft and clean.",
    ]
    full, fast = encode_texts(texts, model=E5, device="cpu"), encode_texts(texts, model=E5_FAST, device="cpu")
    assert np.all((full * fast).sum(axis=1) > 0.95)
    nearest = (fast @ fast.T - 2 * np.eye(len(texts))).argmax(axis=1)  # each text's closest other text
    assert nearest[0] == 1 and nearest[3] == 4  # the same interest in another language
    pairs = np.triu_indices(len(texts), 1)
    assert np.corrcoef((full @ full.T)[pairs], (fast @ fast.T)[pairs])[0, 1] > 0.9  # the same similarities
