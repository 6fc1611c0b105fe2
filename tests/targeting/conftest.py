"""Shops for the targeting tests: a writable copy of the segmented demo shop (per module, or per test for
tests that write), and a synthetic shop whose segments' conversion rates are known exactly."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
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


# rate of each segment (columns) in each month (rows): segment 3 is best on average, segment 0 worst
RATES = np.array(
    [
        [0.05, 0.10, 0.20, 0.30],
        [0.10, 0.15, 0.10, 0.25],
        [0.05, 0.20, 0.15, 0.35],
        [0.10, 0.10, 0.20, 0.30],
    ]
)
POOL = 40  # contacts per segment and month; each rate × 40 is a whole number of converters


def contacts_with_rates(rates: np.ndarray, pool: int = POOL) -> pd.DataFrame:
    """Contacts (user_id, period, segment_id, converted) whose pools convert at exactly ``rates`` (T, K)."""
    rows = []
    for t, month in enumerate(pd.date_range("2026-01-01", periods=len(rates), freq="MS")):
        for k, rate in enumerate(rates[t]):
            converters = round(rate * pool)
            rows += [(f"u{t}_{k}_{i}", month, k, i < converters) for i in range(pool)]
    return pd.DataFrame(rows, columns=["user_id", "period", "segment_id", "converted"])


@pytest.fixture
def world():
    """The synthetic world: 4 segments over 4 months, true rates RATES."""
    from insight.targeting.simulate import world_from_contacts

    return world_from_contacts(contacts_with_rates(RATES))
