"""A writable copy of the segmented demo shop per test module, and one per test for tests that write."""

import shutil
from pathlib import Path

import pytest

from insight.store import connect


@pytest.fixture(scope="module")
def shop(segmented_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A connection to a module-wide copy of the segmented store (read-mostly tests)."""
    path = tmp_path_factory.mktemp("targeting") / "shop.duckdb"
    shutil.copy(segmented_db, path)
    con = connect(path)
    yield con
    con.close()


@pytest.fixture
def own_shop(segmented_db: Path, tmp_path: Path):
    """A connection to this test's own copy of the segmented store, and its path."""
    path = tmp_path / "shop.duckdb"
    shutil.copy(segmented_db, path)
    con = connect(path)
    yield con, path
    con.close()


@pytest.fixture(scope="module")
def index(shop):
    """The interest index of the shop's segments run."""
    from insight.targeting import load_index

    return load_index(shop)


@pytest.fixture(scope="module")
def running_segment(shop) -> int:
    """The stable id of the segment of runners (the demo plants one)."""
    rows = shop.execute("select segment_id, label from segments").fetchall()
    return next(s for s, label in rows if "running" in label)
