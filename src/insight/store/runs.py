"""The ``runs`` table: provenance of every derived result, and which run of each kind is current.

A job writes its results tagged with a new run id and flips the "current" pointer last, inside the
same transaction, so readers never see a half-written run and a failed job leaves the old one current.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd

from insight.store.db import data_version, transaction


@contextmanager
def new_run(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    job_id: str | None,
    model: str | None,
    params: dict,
    seed: int | None = None,
) -> Iterator[str]:
    """A transaction holding a new run of ``kind``, current once the block has written its results.

    The block writes results tagged with the yielded run id; making the run current is the last step,
    so an error anywhere leaves the previous run current and nothing half-written.
    """
    run_id = f"{kind}-{uuid.uuid4().hex[:8]}"
    with transaction(con):
        insert_run(
            con,
            run_id=run_id,
            kind=kind,
            job_id=job_id,
            model=model,
            params=params,
            seed=seed,
            data_version=data_version(con),
        )
        yield run_id
        make_current(con, run_id)


def insert_run(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    kind: str,
    job_id: str | None,
    model: str | None,
    params: dict,
    seed: int | None,
    data_version: int,
) -> None:
    """Record a run (not yet current)."""
    con.execute(
        """insert into runs (run_id, kind, job_id, model, params, seed, data_version, created_at, is_current)
           values ($run, $kind, $job, $model, $params, $seed, $version, now(), false)""",
        {
            "run": run_id,
            "kind": kind,
            "job": job_id,
            "model": model,
            "params": json.dumps(params, default=str),
            "seed": seed,
            "version": data_version,
        },
    ).fetchall()


def make_current(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Make ``run_id`` the current run of its kind (and no other run of that kind)."""
    con.execute(
        """update runs set is_current = (run_id = $run)
           where kind = (select kind from runs where run_id = $run)""",
        {"run": run_id},
    ).fetchall()


def current_run(con: duckdb.DuckDBPyConnection, kind: str) -> dict | None:
    """The current run of a kind, as a dict with params parsed, or None."""
    frame = con.execute(
        "select * from runs where kind = $kind and is_current order by created_at desc limit 1", {"kind": kind}
    ).df()
    if frame.empty:
        return None
    run = frame.iloc[0].to_dict()
    run["params"] = json.loads(run["params"]) if run["params"] else {}
    return run


def fetch_runs(con: duckdb.DuckDBPyConnection, *, kind: str | None = None, limit: int = 50) -> pd.DataFrame:
    """Runs, newest first."""
    return con.execute(
        "select * from runs where ($kind is null or kind = $kind) order by created_at desc limit $limit",
        {"kind": kind, "limit": limit},
    ).df()
