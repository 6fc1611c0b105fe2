"""Background jobs inside the app process: one worker thread, persisted status, cooperative cancel.

One worker, because jobs share one GPU (and two CPU cores) and because DuckDB serialises writers
anyway. The same ``run_job`` is what the CLI calls in the foreground, so a job behaves identically
wherever it is started. Cancellation is cooperative: a job's progress callback raises ``JobCancelled``
once cancel was asked for, so library code needs no knowledge of jobs.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
import uuid

import duckdb

from insight.jobs.tasks import TASKS, JobContext, JobError, checked_params
from insight.params import to_record
from insight.progress import ProgressFn, throttle
from insight.store import jobs as job_store

log = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised inside a job when the user asked to cancel it."""


def new_job(con: duckdb.DuckDBPyConnection, kind: str, params: dict) -> str:
    """Queue a job record and return its id; an unknown kind or a bad parameter is refused at once (JobError).

    The record holds every parameter the job will use, defaults included, so its history says what ran.
    """
    if kind not in TASKS:
        raise JobError(f"unknown job kind '{kind}'; known: {', '.join(TASKS)}")
    checked = checked_params(kind, params)
    job_id = f"{kind}-{uuid.uuid4().hex[:8]}"
    record = to_record(checked)
    job_store.insert_job(con, job_id=job_id, kind=kind, params=record, device=TASKS[kind].device(checked))
    return job_id


def run_job(
    con: duckdb.DuckDBPyConnection,
    job_id: str,
    kind: str,
    params: dict,
    *,
    cancel: threading.Event | None = None,
    echo: ProgressFn | None = None,
) -> str:
    """Run one queued job to its end and return its final status (done, failed or cancelled).

    ``con`` must be this thread's own connection or cursor. Progress goes to the jobs table (throttled)
    and to ``echo`` (for a terminal progress bar) if given.
    """
    # Progress commits on its own cursor, outside the job's result transaction; closed when the job ends.
    with con.cursor() as status_con:
        job_store.mark_running(status_con, job_id)
        store_progress = throttle(lambda f, m: job_store.update_progress(status_con, job_id, f, m), every_s=0.5)

        def progress(fraction: float, message: str) -> None:
            if cancel is not None and cancel.is_set():
                raise JobCancelled
            store_progress(fraction, message)
            if echo:
                echo(fraction, message)

        try:
            checked = checked_params(kind, params)
            result = TASKS[kind].run(JobContext(con=con, job_id=job_id, params=checked, progress=progress))
        except JobCancelled:
            job_store.finish_job(status_con, job_id, status="cancelled", message="cancelled; previous results kept")
            return "cancelled"
        except Exception as exc:  # a job must end with a reason, whatever went wrong
            log.exception("job %s failed", job_id)
            reason = str(exc) if isinstance(exc, JobError) else f"{type(exc).__name__}: {exc}"
            job_store.finish_job(
                status_con, job_id, status="failed", message=f"failed: {reason}", error=traceback.format_exc(limit=8)
            )
            return "failed"
        job_store.finish_job(
            status_con, job_id, status="done", message=result.get("message", "done"), provenance=result
        )
        return "done"


class JobRunner:
    """The app's job queue and its single worker thread."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        orphans = job_store.fail_orphans(con.cursor())
        if orphans:
            log.warning("marked %d interrupted job(s) as failed", orphans)
        self._queue: queue.Queue[tuple[str, str, dict] | None] = queue.Queue()
        self._cancel: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._work, name="insight-jobs", daemon=True)
        self._worker.start()

    def submit(self, kind: str, params: dict | None = None) -> str:
        """Queue a job; returns its id at once.

        A kind already queued or running is refused (``JobError`` naming that job): a double click, or
        two visitors pressing the same button, would otherwise run the same work twice in a row.
        """
        params = dict(params or {})
        with self._lock, self._con.cursor() as con:
            pending = job_store.active_job(con, kind)
            if pending is not None:
                raise JobError(
                    f"a {kind} job is already {pending['status']} ({pending['job_id']}): "
                    "wait for it to end, or cancel it, before starting another"
                )
            job_id = new_job(con, kind, params)
            self._cancel[job_id] = threading.Event()
        self._queue.put((job_id, kind, params))
        return job_id

    def cancel(self, job_id: str) -> None:
        """Ask a queued or running job to stop at its next progress report."""
        with self._lock:
            event = self._cancel.get(job_id)
        if event is not None:
            event.set()

    def close(self) -> None:
        """Finish queued jobs, then stop the worker and release its connection."""
        self._queue.put(None)
        self._worker.join()

    def _work(self) -> None:
        con = self._con.cursor()
        while True:
            item = self._queue.get()
            if item is None:
                con.close()
                self._queue.task_done()
                return
            job_id, kind, params = item
            with self._lock:
                cancel = self._cancel[job_id]
            if cancel.is_set():
                job_store.finish_job(con, job_id, status="cancelled", message="cancelled before it started")
            else:
                run_job(con, job_id, kind, params, cancel=cancel)
            with self._lock:
                self._cancel.pop(job_id, None)
            self._queue.task_done()

    def wait(self) -> None:
        """Block until every queued job has finished (for tests and scripts)."""
        self._queue.join()
