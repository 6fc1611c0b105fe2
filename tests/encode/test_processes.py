"""Encoding in one process per core: the same vectors as in one process, prompt progress, and a clean cancel."""

import numpy as np
import pytest

import insight
from insight.encode import processes
from insight.encode.job import encode_store
from insight.store import connect


def _vectors(con) -> dict[str, np.ndarray]:
    rows = con.execute("select text_hash, vector from embeddings order by text_hash").fetchall()
    return {h: np.asarray(v, dtype=np.float32) for h, v in rows}


def test_a_large_cpu_job_encodes_in_worker_processes_with_the_same_vectors(tmp_path, corpus, monkeypatch):
    stores, seen = {}, []
    for name, parallel_from in (("one", 10**9), ("workers", 1)):
        monkeypatch.setattr(processes, "PARALLEL_FROM", parallel_from)
        monkeypatch.setattr(processes, "CHUNK", 2)
        monkeypatch.setattr("os.cpu_count", lambda: 2)
        con = connect(tmp_path / f"{name}.duckdb")
        insight.ingest(corpus, db=con)
        told = seen.append if name == "workers" else (lambda _: None)
        encode_store(con, model="all-MiniLM-L6-v2", device="cpu", progress=lambda f, m, told=told: told((f, m)))
        stores[name] = _vectors(con)
        con.close()
    assert stores["one"].keys() == stores["workers"].keys() and stores["one"]
    for text_hash, vector in stores["one"].items():
        np.testing.assert_allclose(stores["workers"][text_hash], vector, atol=1e-5)
    fractions = [f for f, m in seen if "encoded" in m]
    assert len(fractions) >= 3 and fractions == sorted(fractions) and fractions[-1] == 1.0  # told chunk by chunk


def test_cancelling_stops_the_workers_and_keeps_what_was_stored(tmp_path, corpus, monkeypatch):
    class Cancelled(Exception):
        pass

    monkeypatch.setattr(processes, "PARALLEL_FROM", 1)
    monkeypatch.setattr(processes, "CHUNK", 2)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    con = connect(tmp_path / "store.duckdb")
    insight.ingest(corpus, db=con)

    def cancel_after_two_chunks(fraction: float, message: str) -> None:
        if "encoded 4 of" in message:
            raise Cancelled

    with pytest.raises(Cancelled):
        encode_store(con, model="all-MiniLM-L6-v2", device="cpu", progress=cancel_after_two_chunks)
    stored = con.execute("select count(*) from embeddings").fetchall()[0][0]
    assert stored == 2  # the first chunk was stored; the second, being reported, and the rest were not
    assert con.execute("select count(*) from runs where kind = 'encode'").fetchall()[0][0] == 0  # no run named current
    resumed = encode_store(con, model="all-MiniLM-L6-v2", device="cpu")
    stored = con.execute("select count(*) from embeddings").fetchall()[0][0]
    assert resumed["reused"] == 2 and stored == 2 + resumed["new"]
    con.close()
