"""Content ids stay what earlier versions stored, so re-ingesting a file finds its rows again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.ingestion.row_hash import hex_ids, row_hashes


def _plain(frame: pd.DataFrame) -> pd.Series:  # how every earlier version made the ids
    return pd.util.hash_pandas_object(frame.astype("string"), index=False).map("{:016x}".format)


def _events(stamps) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = len(stamps)
    quantity = rng.choice([np.nan, 1.0, 2.0, 0.0, -0.0], size=n)
    return pd.DataFrame(
        {
            "user_id": rng.choice(["u_a", "u_b", "用户", None], size=n).astype(object),
            "item_id": rng.choice(["sku-1", "sku-2", None], size=n).astype(object),
            "event_type": rng.choice(["view", "purchase"], size=n).astype(object),
            "timestamp": stamps,
            "quantity": quantity,
            "value": np.where(rng.random(n) < 0.5, np.nan, rng.random(n).round(2)),
            "query": rng.choice([None, "trail shoes", "跑鞋"], size=n).astype(object),
        }
    )


@pytest.mark.parametrize(
    "stamps",
    [
        pd.to_datetime(["2025-01-01 10:00:05", "2025-01-02 00:00:00", None, "2025-03-04 23:59:59"] * 250),
        pd.to_datetime(["2025-01-01", "2025-01-02", None] * 300),  # dates only: written without a time
    ],
    ids=["times", "dates only"],
)
def test_ids_are_those_every_earlier_version_stored(stamps):
    frame = _events(stamps)
    assert hex_ids(row_hashes(frame)).tolist() == _plain(frame).tolist()
    assert hex_ids(row_hashes(frame), prefix="r").tolist() == ("r" + _plain(frame)).tolist()


def test_an_event_keeps_its_known_id():
    event = pd.DataFrame(
        {
            "user_id": ["u_0123456789abcdef0123"],
            "item_id": ["sku-7"],
            "event_type": ["purchase"],
            "timestamp": pd.to_datetime(["2025-05-04 12:30:00"]),
            "quantity": [2.0],
            "value": [19.9],
            "query": [None],
        }
    )
    assert hex_ids(row_hashes(event)).tolist() == ["af4123a60d9baae0"]  # as stored by every version so far


def test_no_rows_no_ids():
    assert hex_ids(row_hashes(_events(pd.to_datetime([])))).tolist() == []
