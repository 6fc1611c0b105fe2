"""The ``jobs`` table: what every background job was asked to do, how far it got and how it ended."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

ACTIVE = ("queued", "running")


def insert_job(con: duckdb.DuckDBPyConnection, *, job_id: str, kind: str, params: dict, device: str | None) -> None:
    """Record a newly queued job."""
    con.execute(
        "insert into jobs (job_id, kind, status, progress, message, params, device, created_at) "
        "values ($id, $kind, 'queued', 0, 'waiting for the worker', $params, $device, now())",
        {"id": job_id, "kind": kind, "params": json.dumps(params, default=str), "device": device},
    ).fetchall()


def mark_running(con: duckdb.DuckDBPyConnection, job_id: str) -> None:
    """The worker has picked the job up."""
    con.execute(
        "update jobs set status = 'running', started_at = now(), message = 'starting' where job_id = $id",
        {"id": job_id},
    ).fetchall()


def update_progress(con: duckdb.DuckDBPyConnection, job_id: str, fraction: float, message: str) -> None:
    """Store a progress report (fraction in [0, 1])."""
    con.execute(
        "update jobs set progress = $p, message = $m where job_id = $id",
        {"id": job_id, "p": max(0.0, min(1.0, fraction)), "m": message},
    ).fetchall()


def finish_job(
    con: duckdb.DuckDBPyConnection,
    job_id: str,
    *,
    status: str,
    message: str,
    provenance: dict | None = None,
    error: str | None = None,
) -> None:
    """Store how a job ended: done, failed or cancelled."""
    con.execute(
        """update jobs set status = $status, message = $message, finished_at = now(), error = $error,
               provenance = $provenance, progress = case when $status = 'done' then 1 else progress end
           where job_id = $id""",
        {
            "id": job_id,
            "status": status,
            "message": message,
            "error": error,
            "provenance": json.dumps(provenance, default=str) if provenance is not None else None,
        },
    ).fetchall()


def fail_orphans(con: duckdb.DuckDBPyConnection) -> int:
    """Mark jobs left queued or running by a process that died as failed; return how many."""
    rows = con.execute(
        """update jobs set status = 'failed', finished_at = now(),
               error = 'the process running this job stopped before it finished',
               message = 'interrupted: the app or command stopped; previous results are unchanged'
           where status in ('queued', 'running') returning job_id"""
    ).fetchall()
    return len(rows)


def fetch_jobs(con: duckdb.DuckDBPyConnection, *, limit: int = 50, kind: str | None = None) -> pd.DataFrame:
    """Latest jobs, newest first."""
    return con.execute(
        """select job_id, kind, status, progress, message, device, params, provenance, error,
                  created_at, started_at, finished_at,
                  date_diff('millisecond', started_at, coalesce(finished_at, now()::timestamp)) / 1000.0
                    as seconds
           from jobs where ($kind is null or kind = $kind) order by created_at desc limit $limit""",
        {"limit": limit, "kind": kind},
    ).df()


def fetch_job(con: duckdb.DuckDBPyConnection, job_id: str) -> dict | None:
    """One job as a dict, or None."""
    frame = con.execute("select * from jobs where job_id = $id", {"id": job_id}).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def active_job(con: duckdb.DuckDBPyConnection, kind: str) -> dict | None:
    """The queued or running job of ``kind`` (the oldest, if somehow several), or None."""
    rows = con.execute(
        "select job_id, status from jobs where kind = $kind and status in ('queued', 'running') "
        "order by created_at limit 1",
        {"kind": kind},
    ).fetchall()
    return {"job_id": rows[0][0], "status": rows[0][1]} if rows else None


def has_active(con: duckdb.DuckDBPyConnection) -> bool:
    """True while any job is queued or running."""
    return bool(con.execute("select count(*) from jobs where status in ('queued', 'running')").fetchall()[0][0])
