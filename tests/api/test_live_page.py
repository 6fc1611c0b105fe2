"""The Live page: what the API served and what shoppers did with it, per exploration level and slot."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

import insight
from insight.api import recommendations, record_feedback
from insight.ingestion.pseudonymise import pseudonym

APP = str(Path(__file__).resolve().parents[2] / "app.py")
KEY = b"test-key"


def _page(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("INSIGHT_DB_PATH", str(db))
    return AppTest.from_file(APP, default_timeout=120).run().switch_page("pages/campaigns/live.py").run()


def test_the_live_page_counts_lists_clicks_and_purchases_per_exploration_level(monkeypatch, shop, tmp_path):
    db = tmp_path / "store.duckdb"
    db.write_bytes(shop.read_bytes())
    empty = _page(monkeypatch, db)
    assert not empty.exception and "No list has been served" in empty.info[0].value

    con = insight.connect(db)
    served = {level: [recommendations(con, pseudonym("u1", KEY), k=4, exploration=level, policy="thompson")
                      for _ in range(3)] for level in (0.0, 0.5)}  # fmt: skip
    first = served[0.5][0]
    events = [
        {"request_id": first["request_id"], "user_id": "u1", "item_id": first["items"][0]["item_id"], "type": "click",
         "timestamp": "2026-02-01 10:00"},
        {"request_id": first["request_id"], "user_id": "u1", "item_id": first["items"][0]["item_id"],
         "type": "purchase", "timestamp": "2026-02-01 10:05", "value": 30.0},
    ]  # fmt: skip
    assert record_feedback(con, events, lambda raw: pseudonym(raw, KEY))["stored"] == 2
    con.close()

    at = _page(monkeypatch, db)
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {
        "Lists served": "6", "Items shown": "24", "Clicks": "1", "Purchases": "1"
    }  # fmt: skip
    levels = at.dataframe[0].value.set_index("exploration")
    assert levels.loc[0.5, "lists"] == 3 and levels.loc[0.5, "clicks"] == 1 and levels.loc[0.0, "clicks"] == 0
    slots = set(at.dataframe[1].value["slot"])
    assert slots == {"exploit", "explore"}
    judged = at.dataframe[2].value
    assert set(judged["policy"]) == {"deployed (Thompson)", "uniform exploration"} and len(judged) == 4
