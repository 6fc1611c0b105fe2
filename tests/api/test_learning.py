"""Exploration learns from live outcomes, and the log judges another exploration policy (off-policy)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import insight
from insight.api import recommendations, record_feedback
from insight.encode.job import encode_store
from insight.ingestion.pseudonymise import pseudonym
from insight.recommendations import exploration_estimates
from insight.store.live import fetch_explore_log

ITEMS = """item_id,title,category
A,Trail running shoes with a grippy sole,running
B,Merino running socks,running
H,Lightweight running jacket,running
C,Insulated four-season camping tent,outdoor
D,Down sleeping bag for cold nights,outdoor
G,Carbon trekking poles,outdoor
E,Ceramic espresso cup set,coffee
F,Conical burr coffee grinder,coffee
I,Single-origin coffee beans,coffee
"""
RUNNERS = [f"r{n}" for n in range(6)]
TAKE_UP = {"coffee": 0.9, "outdoor": 0.05}  # chance a shopper clicks an explored item, by its area


def test_exploration_sends_most_traffic_to_the_area_that_converts(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "items.csv").write_text(ITEMS)
    rows = [(u, item, "purchase", f"2026-01-{10 + n} 10:00:00") for u in RUNNERS for n, item in enumerate("AB")]
    pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp"]).to_csv(
        tmp_path / "files" / "events.csv", index=False
    )
    con = insight.connect(tmp_path / "store.duckdb")
    insight.ingest(tmp_path / "files", db=con)
    encode_store(con, model="all-MiniLM-L6-v2", device="cpu")
    area = pd.read_csv(tmp_path / "files" / "items.csv").set_index("item_id")["category"]
    key = b"test-key"  # tests/conftest.py sets INSIGHT_PSEUDONYM_KEY
    rng = np.random.default_rng(0)
    explored_by_round = []
    for round_ in range(30):
        explored = []
        for user in RUNNERS:
            answer = recommendations(con, pseudonym(user, key), k=2, exploration=0.5, policy="thompson")
            for item in answer["items"]:
                if item["kind"] != "explore":
                    continue
                explored.append(area[item["item_id"]])
                if rng.random() < TAKE_UP[area[item["item_id"]]]:
                    click = {"request_id": answer["request_id"], "user_id": user, "item_id": item["item_id"],
                             "type": "click", "timestamp": f"2026-02-01 10:{round_:02d}"}  # fmt: skip
                    assert record_feedback(con, [click], lambda raw: pseudonym(raw, key))["stored"] == 1
        explored_by_round.append(explored)
    estimates = exploration_estimates(fetch_explore_log(con)).set_index(["policy", "estimator"])["reward_rate"]
    con.close()
    # Uniform exploration would have split the slots between the areas: its true rate is (0.9 + 0.05) / 2.
    deployed = estimates["deployed (Thompson)", "observed"]
    assert deployed > 0.7 and abs(estimates["uniform exploration", "IPS"] - 0.475) < 0.15  # IPS is unbiased
    for estimator in ("SNIPS", "doubly robust"):  # lower variance, some bias on ~180 slots: the right side of it
        assert 0.3 < estimates["uniform exploration", estimator] < deployed, estimator
    everything = [a for explored in explored_by_round for a in explored]
    late = np.mean([a == "coffee" for explored in explored_by_round[-5:] for a in explored])
    assert "outdoor" in everything and late >= 0.8, late  # it tried both; it ends sending most there
