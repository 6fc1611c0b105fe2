"""A small demo shop after sentiment and aspects jobs, shared by the aspects tests that only read it."""

import shutil

import pytest

import insight
from insight.jobs.runner import new_job, run_job


@pytest.fixture(scope="session")
def aspected_db(segmented_db, tmp_path_factory):
    """A copy of the small segmented demo shop (segments, topics) after a sentiment and an aspects job."""
    path = tmp_path_factory.mktemp("aspects") / "insight.duckdb"
    shutil.copy(segmented_db, path)
    con = insight.connect(path)
    for kind in ("sentiment", "aspects"):
        assert run_job(con, new_job(con, kind, {}), kind, {}) == "done", kind
    con.close()
    return path
