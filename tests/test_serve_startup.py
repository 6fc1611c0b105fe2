"""`insight serve` takes the store at start-up: no page visit is needed for the lock or for failing dead jobs."""

import subprocess
import sys

import insight
from insight.store import jobs as job_store
from tests.e2e.conftest import serve


def test_the_server_holds_the_store_and_fails_interrupted_jobs_before_any_visit(tmp_path, corpus):
    db = tmp_path / "insight.duckdb"
    con = insight.connect(db)
    insight.ingest(corpus, db=con)
    job_store.insert_job(con, job_id="encode-killed", kind="encode", params={}, device="cpu")
    job_store.mark_running(con, "encode-killed")  # a job whose app was killed mid-run
    con.close()

    served = serve(db, browser=False)
    next(served)  # healthy; no page has been requested
    busy = subprocess.run(
        [sys.executable, "-m", "insight.cli", "ingest", str(corpus), "--db", str(db)], capture_output=True, text=True
    )
    next(served, None)

    assert busy.returncode == 0 and "held by the running app" in busy.stderr  # handed over, not refused
    assert "rows" in busy.stdout  # the quality report, as a plain ingest prints it
    con = insight.connect(db)
    job = job_store.fetch_job(con, "encode-killed")
    batches = con.execute("select count(*) from ingest_batches").fetchall()[0][0]
    con.close()
    assert job["status"] == "failed" and "interrupted" in job["message"]
    assert batches == 2 and not (tmp_path / "insight.duckdb.serving.json").exists()  # the door closed with the app


def test_ingest_is_refused_clearly_when_the_store_is_held_by_something_else(tmp_path, corpus):
    db = tmp_path / "insight.duckdb"
    holder = insight.connect(db)  # another process's lock: no app door beside the store
    try:
        command = [sys.executable, "-m", "insight.cli", "ingest", str(corpus), "--db", str(db)]
        busy = subprocess.run(command, capture_output=True, text=True)
    finally:
        holder.close()
    assert busy.returncode == 3 and "open in another process" in busy.stderr  # not a lock traceback


def test_insight_jobs_shows_an_interrupted_job_as_failed(tmp_path, capsys):
    from insight import cli

    db = tmp_path / "insight.duckdb"
    con = insight.connect(db)
    job_store.insert_job(con, job_id="keywords-killed", kind="keywords", params={}, device="cpu")
    job_store.mark_running(con, "keywords-killed")
    con.close()
    assert cli.main(["jobs", "--db", str(db)]) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if "keywords-killed" in row)
    assert "failed" in line and "running" not in line
