"""Jobs as a user meets them: they run, report progress, reuse the cache, cancel and fail with a reason."""

import json

import pytest

import insight
from insight.jobs.runner import JobRunner, new_job, run_job
from insight.jobs.tasks import JobError
from insight.store import jobs as job_store
from insight.store.runs import current_run
from tests.conftest import count

MINILM = {"model": "all-MiniLM-L6-v2", "device": "cpu"}


def _run(con, kind, params):
    job_id = new_job(con, kind, params)
    seen = []
    status = run_job(con, job_id, kind, params, echo=lambda f, m: seen.append(f))
    return status, job_store.fetch_job(con, job_id), seen


def test_encode_job_embeds_every_text_once_and_a_rerun_reuses_the_cache(con, corpus):
    insight.ingest(corpus, db=con)
    status, job, seen = _run(con, "encode", MINILM)
    assert status == "done" and job["status"] == "done" and job["progress"] == 1
    # 4 items + 4 reviews with text + 1 search query, each a distinct text
    assert count(con, "embeddings") == 9
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)
    provenance = json.loads(job["provenance"])
    assert provenance["model"] == ["all-MiniLM-L6-v2"] and provenance["device"] == "cpu"
    assert provenance["data_version"] == 1 and current_run(con, "encode")["run_id"] == provenance["run_id"]
    status, job, _ = _run(con, "encode", MINILM)
    assert status == "done"
    assert job["message"].startswith("encoded 0 new texts with all-MiniLM-L6-v2; 9 vectors were already cached")


def test_auto_model_encodes_every_text_of_the_store_with_its_one_encoder(con, corpus):
    insight.ingest(corpus, db=con)
    assert _run(con, "encode", {"model": "auto", "device": "cpu"})[0] == "done"
    models = dict(con.execute("select model, count(*) from embeddings group by model").fetchall())
    assert models == {"multilingual-e5-small": 9}  # English, Chinese, Portuguese and the query: one space
    # a store encoded with MiniLM on purpose keeps it: auto then means MiniLM, for the texts added later too
    con.execute("delete from embeddings")
    assert _run(con, "encode", MINILM)[0] == "done" and _run(con, "encode", {"model": "auto"})[0] == "done"
    assert dict(con.execute("select model, count(*) from embeddings group by model").fetchall()) == {
        "all-MiniLM-L6-v2": 9
    }


def test_a_bad_parameter_is_refused_when_queued_and_a_failing_job_keeps_previous_results(con, corpus):
    insight.ingest(corpus, db=con)
    _run(con, "encode", MINILM)
    before = current_run(con, "encode")["run_id"]
    with pytest.raises(JobError, match=r"Model \[model\]: 'gpt-17' is not one of auto, all-MiniLM-L6-v2"):
        new_job(con, "encode", {"model": "gpt-17"})
    with pytest.raises(JobError, match="unknown parameter.s. colour; allowed: model, device, batch_size"):
        new_job(con, "encode", {"colour": "blue"})
    with pytest.raises(JobError, match=r"Smallest segment \(users\) \[min_cluster_size\]: 1 is below .* 2"):
        new_job(con, "segments", {"min_cluster_size": 1})
    assert job_store.fetch_jobs(con)["status"].tolist() == ["done"]  # nothing refused was queued
    status, job, _ = _run(con, "recommend_eval", {"split_date": "2031-01-01"})  # the job's own refusal
    assert status == "failed" and "split date" in job["message"]
    assert current_run(con, "encode")["run_id"] == before and count(con, "embeddings") == 9


def test_a_job_records_every_parameter_it_ran_with_defaults_included(con, corpus):
    insight.ingest(corpus, db=con)
    job_id = new_job(con, "segments", {"half_life_days": 30, "seed": "7"})
    assert json.loads(job_store.fetch_job(con, job_id)["params"]) == {
        "half_life_days": 30.0,
        "min_cluster_size": None,
        "outlier_budget": 0.05,
        "n_resamples": 2,
        "selection": "eom",
        "seed": 7,
        "model": None,
        "device": "auto",
    }


def test_runner_runs_in_the_background_and_cancels(con, corpus):
    insight.ingest(corpus, db=con)
    runner = JobRunner(con)
    done = runner.submit("encode", MINILM)
    runner.wait()
    assert job_store.fetch_job(con, done)["status"] == "done"
    con.execute("delete from embeddings")
    cancelled = runner.submit("encode", MINILM)
    runner.cancel(cancelled)
    runner.wait()
    job = job_store.fetch_job(con, cancelled)
    assert job["status"] == "cancelled" and "cancelled" in job["message"]
    assert len(con.execute("select * from runs where kind = 'encode'").fetchall()) == 1
    runner.close()


def test_a_kind_already_queued_or_running_is_not_queued_twice(con, corpus):
    insight.ingest(corpus, db=con)
    runner = JobRunner(con)
    job_store.insert_job(con, job_id="encode-pending", kind="encode", params={}, device="cpu")  # as if just queued
    with pytest.raises(JobError, match=r"a encode job is already queued \(encode-pending\)"):
        runner.submit("encode", MINILM)
    job_store.mark_running(con, "encode-pending")
    with pytest.raises(JobError, match="already running"):
        runner.submit("encode", MINILM)
    other = runner.submit("keywords", {})  # another kind is not held up
    job_store.finish_job(con, "encode-pending", status="done", message="done")
    again = runner.submit("encode", MINILM)  # once it ended, the kind can run again
    runner.wait()
    assert job_store.fetch_job(con, again)["status"] == "done" and job_store.fetch_job(con, other)["kind"] == "keywords"
    runner.close()


def test_jobs_left_running_by_a_dead_process_are_marked_failed_on_start(con):
    job_store.insert_job(con, job_id="encode-dead", kind="encode", params={}, device="cpu")
    job_store.mark_running(con, "encode-dead")
    JobRunner(con).close()
    job = job_store.fetch_job(con, "encode-dead")
    assert job["status"] == "failed" and "stopped before it finished" in job["error"]


def test_cli_runs_the_same_job_with_a_progress_bar(tmp_path, corpus, capsys):
    from insight.cli import main

    db = tmp_path / "cli.duckdb"
    insight.ingest(corpus, db=db)
    assert main(["encode", "--model", "all-MiniLM-L6-v2", "--device", "cpu", "--db", str(db)]) == 0
    assert "done — encoded 9 new texts" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # not a declared choice: argparse names the choices
        main(["encode", "--model", "nope", "--db", str(db)])
    assert "invalid choice: 'nope'" in capsys.readouterr().err
    assert main(["segments", "--half-life", "0", "--db", str(db)]) == 1  # out of the declared range: one line
    assert "error: Recency half-life (days) [half_life_days]: 0.0 is below the smallest allowed, 1" in (
        capsys.readouterr().err
    )
    assert main(["jobs", "--db", str(db)]) == 0
    assert "done" in capsys.readouterr().out


def test_progress_counts_over_the_whole_job_not_per_chunk(con, corpus, monkeypatch):
    from insight.encode import job as encode_job

    insight.ingest(corpus, db=con)
    monkeypatch.setattr(encode_job, "CHUNK", 4)  # 9 texts in three chunks
    job_id = new_job(con, "encode", MINILM)
    messages = []
    run_job(con, job_id, "encode", MINILM, echo=lambda f, m: messages.append((f, m)))
    counted = [(f, m) for f, m in messages if "encoded" in m]
    assert counted and all(m.endswith("of 9 texts") for _, m in counted)
    reached = [int(m.split("encoded ")[1].split(" of")[0]) for _, m in counted]
    assert reached == sorted(reached) and reached[-1] == 9
    fractions = [f for f, _ in messages]
    assert fractions == sorted(fractions)


def test_time_left_is_estimated_from_the_pace_so_far():
    from insight.progress import describe_time_left

    assert describe_time_left(1.0, 0.001) == "estimating time left"
    assert describe_time_left(60.0, 0.5) == "about 1 min left"
    assert describe_time_left(30.0, 0.75) == "about 10 s left"
    assert describe_time_left(3600.0, 0.25) == "about 3.0 h left"
