"""The encode job on Ray: a local cluster on 127.0.0.1 gives the vectors the local path gives."""

import numpy as np
import pytest

import insight
from insight.encode.job import encode_store
from insight.store import connect

pytest.importorskip("ray")


def _vectors(con) -> dict[str, np.ndarray]:
    rows = con.execute("select text_hash, vector from embeddings order by text_hash").fetchall()
    return {h: np.asarray(v, dtype=np.float32) for h, v in rows}


def _recorder(seen: list):
    return lambda fraction, message: seen.append((fraction, message))


def test_encoding_on_a_local_ray_cluster_stores_the_local_paths_vectors(tmp_path, corpus, monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # start a cluster for the job, on 127.0.0.1
    stores = {}
    for backend in ("local", "ray"):
        con = connect(tmp_path / f"{backend}.duckdb")
        insight.ingest(corpus, db=con)
        seen: list[tuple[float, str]] = []
        result = encode_store(con, model="all-MiniLM-L6-v2", device="cpu", backend=backend, progress=_recorder(seen))
        assert result["new"] > 0 and seen[-1][0] == 1.0
        if backend == "ray":
            assert any("(Ray)" in message for _, message in seen) and result["backend"] == "ray"
        stores[backend] = _vectors(con)
        con.close()
    assert stores["ray"].keys() == stores["local"].keys() and len(stores["ray"]) == result["new"]
    for text_hash, vector in stores["local"].items():
        np.testing.assert_allclose(stores["ray"][text_hash], vector, atol=1e-5)
    import ray

    assert not ray.is_initialized()  # the cluster started for the job was stopped


def test_asking_for_ray_without_it_installed_says_how_to_add_it(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    con = connect(tmp_path / "store.duckdb")
    with pytest.raises(ValueError, match=r"pip install insight\[distributed\]"):
        encode_store(con, backend="ray")
    con.close()


def test_sentiment_scoring_with_its_encoding_on_ray_gives_the_local_scores(tmp_path, corpus, monkeypatch):
    from insight.sentiment.job import score_store

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    scores = {}
    for backend in ("local", "ray"):
        con = connect(tmp_path / f"{backend}.duckdb")
        insight.ingest(corpus, db=con)
        result = score_store(con, device="cpu", backend=backend, adapt=False)
        assert result["newly_encoded"] > 0
        scores[backend] = con.execute(
            "select review_id, label, score from sentiment_scores order by review_id"
        ).fetchall()
        con.close()
    assert [(r, label) for r, label, _ in scores["ray"]] == [(r, label) for r, label, _ in scores["local"]]
    np.testing.assert_allclose([s for *_, s in scores["ray"]], [s for *_, s in scores["local"]], atol=1e-4)
