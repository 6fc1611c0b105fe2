"""The API tests' shop: eight items in three areas, five shoppers with purchases, item texts encoded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

import insight
from insight.encode.job import encode_store

ITEMS = """item_id,title,category
A,Trail running shoes with a grippy sole,running
B,Merino running socks,running
C,Insulated four-season camping tent,outdoor
D,Down sleeping bag for cold nights,outdoor
E,Ceramic espresso cup set,coffee
F,Conical burr coffee grinder,coffee
G,Carbon trekking poles,outdoor
H,Lightweight running jacket,running
"""
BOUGHT = {"u1": "AC", "u2": "AC", "u3": "AB", "u4": "AE", "u5": "CB"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """A small shop whose items are encoded (MiniLM, recorded as the store's encoder); its path."""
    folder = tmp_path_factory.mktemp("api_shop")
    (folder / "files").mkdir()
    (folder / "files" / "items.csv").write_text(ITEMS)
    rows = [(u, i, "purchase", f"2026-01-1{n} 10:00:00") for u, items in BOUGHT.items() for n, i in enumerate(items)]
    pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp"]).to_csv(
        folder / "files" / "events.csv", index=False
    )
    con = insight.connect(folder / "store.duckdb")
    insight.ingest(folder / "files", db=con)
    encode_store(con, model="all-MiniLM-L6-v2", device="cpu")
    con.close()
    return folder / "store.duckdb"


@contextmanager
def client_on(store: Path, copy_to: Path) -> Iterator[tuple]:
    """A test client on a private copy of ``store`` (the API writes keys, lists, feedback), and its connection."""
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from insight.api import routes

    copy_to.write_bytes(store.read_bytes())
    con = insight.connect(copy_to)
    try:
        with TestClient(Starlette(routes=routes(lambda: con.cursor(), lambda: copy_to))) as client:
            yield client, con
    finally:
        con.close()
