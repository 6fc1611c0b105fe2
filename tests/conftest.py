"""Shared fixtures: temporary stores, the small hand-written corpus, the shared datasets and a demo store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("INSIGHT_PSEUDONYM_KEY", "test-key")  # deterministic pseudonyms in every test

# pytest-xdist runs several worker processes; each one's torch, BLAS and numba would otherwise start a
# thread per core, and on a 2-core machine the oversubscribed threads made the suite 20 % slower (882 s
# against 729 s). Each worker gets its share of the cores; the servers and CLIs the tests start inherit it.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    _SHARE = str(max(1, len(os.sched_getaffinity(0)) // _WORKERS))
    for _VAR in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ.setdefault(_VAR, _SHARE)

import insight  # noqa: E402
from insight.store import connect  # noqa: E402
from tests.once import built_once  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a fresh store file."""
    return tmp_path / "store.duckdb"


@pytest.fixture
def con(db_path: Path):
    """A fresh, migrated store."""
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def corpus() -> Path:
    """Folder of small canonical files in several languages and sentiments."""
    return CORPUS


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets beside the project; skip when they are not there."""
    if not SHARED.is_dir():
        pytest.skip(f"real datasets not found at {SHARED} (clone the project next to shared/)")
    return SHARED


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by `insight demo --no-serve`, shared by the tests that only read it."""
    from insight.demo.build import build_demo_store

    return built_once(tmp_path_factory, "demo", build_demo_store)


@pytest.fixture(scope="session")
def analysed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small corpus after encode, sentiment and keywords jobs, as a user would run them."""
    from insight.jobs.runner import new_job, run_job

    def build(path: Path) -> None:
        con = connect(path)
        insight.ingest(CORPUS, db=con)
        for kind, params in (
            ("encode", {"model": "auto", "device": "cpu"}),
            ("sentiment", {}),
            ("keywords", {"min_df": 1}),
        ):
            status = run_job(con, new_job(con, kind, params), kind, params)
            assert status == "done", kind
        con.close()

    return built_once(tmp_path_factory, "analysed", build)


@pytest.fixture(scope="session")
def segmented_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 150-user demo shop after a segments and a topics job (MiniLM, small groups), as the Jobs page runs them."""
    from insight.demo.generate import write_demo_files
    from insight.jobs.runner import new_job, run_job

    def build(path: Path) -> None:
        write_demo_files(path.parent / "files", n_users=150)
        con = connect(path)
        insight.ingest(path.parent / "files", db=con)
        params = {"model": "all-MiniLM-L6-v2", "device": "cpu", "min_cluster_size": 8}
        assert run_job(con, new_job(con, "segments", params), "segments", params) == "done"
        params = {"model": "all-MiniLM-L6-v2", "device": "cpu", "min_cluster_size": 8}
        assert run_job(con, new_job(con, "topics", params), "topics", params) == "done"
        con.close()

    return built_once(tmp_path_factory, "segmented", build)


@pytest.fixture(scope="session")
def aspected_db(segmented_db, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the small segmented demo shop (segments, topics) after a sentiment and an aspects job."""
    import shutil

    from insight.jobs.runner import new_job, run_job

    def build(path: Path) -> None:
        for copy in segmented_db.parent.glob("insight.duckdb*"):
            shutil.copy(copy, path.parent / copy.name)
        con = connect(path)
        for kind in ("sentiment", "aspects"):
            assert run_job(con, new_job(con, kind, {}), kind, {}) == "done", kind
        con.close()

    return built_once(tmp_path_factory, "aspects", build)


def store_at_version(path: Path, version: int):
    """An open raw DuckDB connection to a new store migrated only up to ``version``: one an earlier insight made."""
    import duckdb

    from insight.store.schema import MIGRATIONS

    old = duckdb.connect(str(path))
    old.execute("create table schema_migrations (version integer primary key, name varchar, applied_at timestamp)")
    for number, name, sql in (m for m in MIGRATIONS if m[0] <= version):
        old.execute(sql)
        old.execute("insert into schema_migrations (version, name) values (?, ?)", [number, name])
    return old


def count(con, table: str) -> int:
    """Rows in a table."""
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


__all__ = ["count", "insight", "store_at_version"]
