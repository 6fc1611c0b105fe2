"""Stores for the recommendation tests: a 120-shopper demo shop and a hand-made six-item shop.

Both are encoded with the real packaged model. Only item texts are encoded in the demo shop (its
600-odd distinct searches would triple the time), so profiles there come from item events.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import insight
from insight.encode.job import encode_store
from insight.ingestion.pseudonymise import pseudonymise

MODEL = "all-MiniLM-L6-v2"
KEY = b"test-key"  # tests/conftest.py sets INSIGHT_PSEUDONYM_KEY


def store_id(user: str) -> str:
    """The pseudonym a raw user id gets in the store."""
    return pseudonymise(pd.Series([user]), KEY).iat[0]


SHOP_CATEGORIES = ("Running & Fitness", "Outdoor & Camping", "Coffee & Tea", "Baby & Kids", "Gaming", "Books")


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory):
    """A demo shop with 120 shoppers over a year, six of its ten categories, item texts encoded; a connection.

    Six categories (about 120 items) keep the encoding short; the shoppers' behaviour in them is the
    generator's, planted patterns included.
    """
    from insight.demo.generate import write_demo_files

    folder = tmp_path_factory.mktemp("recommend_shop")
    write_demo_files(folder / "files", n_users=120)
    items = pd.read_csv(folder / "files" / "items.csv", dtype=str)
    items = items[items["category"].isin(SHOP_CATEGORIES)]
    events = pd.read_csv(folder / "files" / "events.csv", dtype=str)
    events = events[events["item_id"].isna() | events["item_id"].isin(items["item_id"])]
    items.to_csv(folder / "files" / "items.csv", index=False)
    events.to_csv(folder / "files" / "events.csv", index=False)
    (folder / "files" / "reviews.csv").unlink()
    con = insight.connect(folder / "store.duckdb")
    insight.ingest(folder / "files", db=con)
    encode_store(con, model=MODEL, device="cpu", sources=("item",), record_run=False)
    yield con
    con.close()


# Six items in three areas, five shoppers with purchases before 2026-03-01 and some after it, a
# shopper who only searched, and one item nobody has touched. Distinct popularity (A 4, C 3, B 2,
# E 1, D and F 0 shoppers) makes the popularity baseline's lists unambiguous.
ITEMS = """item_id,title,category
A,Trail running shoes with a grippy sole,running
B,Merino running socks,running
C,Insulated four-season camping tent,outdoor
D,Down sleeping bag for cold nights,outdoor
E,Ceramic espresso cup set,coffee
F,Conical burr coffee grinder,coffee
G,Carbon trekking poles,outdoor
"""
TRAIN = {"u1": "AC", "u2": "AC", "u3": "AB", "u4": "AE", "u5": "CB"}
TEST = {"u1": "DA", "u2": "BF", "u3": "C", "u4": "AC", "u6": "A"}
SPLIT = "2026-03-01"


def _events() -> pd.DataFrame:
    rows = []
    for day, plan in (("2026-01-10", TRAIN), ("2026-03-10", TEST)):
        for user, items in plan.items():
            for n, item in enumerate(items):
                rows.append((user, item, "purchase", f"{day} 10:0{n}:00", None))
    rows.append(("searcher", None, "search", "2026-01-12 09:00:00", "espresso coffee"))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp", "query"])


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    """The hand-made shop above, items and the search encoded; an open connection."""
    folder = tmp_path_factory.mktemp("recommend_tiny")
    (folder / "files").mkdir()
    (folder / "files" / "items.csv").write_text(ITEMS)
    _events().to_csv(folder / "files" / "events.csv", index=False)
    con = insight.connect(folder / "store.duckdb")
    insight.ingest(folder / "files", db=con)
    encode_store(con, model=MODEL, device="cpu", sources=("item", "query"), record_run=False)
    yield con
    con.close()


@pytest.fixture
def unencoded(tmp_path: Path, corpus: Path):
    """The small corpus ingested but never encoded."""
    con = insight.connect(tmp_path / "store.duckdb")
    insight.ingest(corpus, db=con)
    yield con
    con.close()
