"""Campaign results: target against holdout after an export, with intervals and a verdict in plain words."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import insight
from insight.ingestion.pseudonymise import pseudonym
from insight.targeting import campaign_results, record_export
from insight.targeting.privacy import AudienceTooSmall

EXPORTED = datetime(2026, 2, 1)
KEY = b"test-key"  # tests/conftest.py sets INSIGHT_PSEUDONYM_KEY


def _shop(folder: Path, n: int) -> tuple:
    """A store of ``n`` shoppers who each viewed an item in January; a connection and their stored ids."""
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "items.csv").write_text("item_id,title,category\nA,Espresso cups,coffee\n")
    rows = [(f"c{u}", "A", "view", "2026-01-05 10:00:00", None) for u in range(n)]
    _events(folder / "files" / "events.csv", rows)
    con = insight.connect(folder / "store.duckdb")
    insight.ingest(folder / "files", db=con)
    return con, [pseudonym(f"c{u}", KEY) for u in range(n)]


def _events(path: Path, rows: list) -> None:
    pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp", "value"]).to_csv(path, index=False)


def _after(con, folder: Path, groups: dict[str, str], rates: dict[str, float], seed: int = 0) -> None:
    """Purchases after the export: each shopper buys (value 20) with their group's rate."""
    rng = np.random.default_rng(seed)
    raw = {pseudonym(f"c{u}", KEY): f"c{u}" for u in range(len(groups))}
    bought = [u for u, g in groups.items() if rng.random() < rates[g]]
    rows = [(raw[u], "A", "purchase", "2026-02-10 12:00:00", 20.0) for u in bought]
    later = folder / "later"
    later.mkdir()
    _events(later / "events.csv", rows)
    insight.ingest(later, db=con)


def _groups(con, export_id: str) -> dict[str, str]:
    rows = con.execute("select user_id, grp from export_members where export_id = $id", {"id": export_id}).fetchall()
    return dict(rows)


def test_a_campaign_that_works_shows_an_uplift_whose_interval_excludes_nothing(tmp_path):
    con, users = _shop(tmp_path, 600)
    export = record_export(con, users, name="coffee lovers", holdout_share=0.5, seed=1, at=EXPORTED)
    _after(con, tmp_path, _groups(con, export), {"target": 0.30, "holdout": 0.10})
    result = campaign_results(con, export)
    table = result.groups.set_index("group")
    assert table.loc["target", "users"] == table.loc["holdout", "users"] == 300
    assert table.loc["target", "conversion"] > table.loc["holdout", "conversion"]
    assert result.conversion_interval[0] > 0 and result.revenue_interval[0] > 0
    assert result.verdict.startswith("The campaign raised conversion") and result.days_after == pytest.approx(9.5)
    con.close()


def test_no_effect_reads_as_no_clear_effect(tmp_path):
    con, users = _shop(tmp_path, 600)
    export = record_export(con, users, name="everyone", holdout_share=0.5, seed=1, at=EXPORTED)
    _after(con, tmp_path, _groups(con, export), {"target": 0.2, "holdout": 0.2}, seed=3)
    result = campaign_results(con, export)
    low, high = result.conversion_interval
    assert low < 0 < high and result.verdict.startswith("No clear effect")
    con.close()


def test_a_small_merchant_is_told_the_groups_are_too_small(tmp_path):
    con, users = _shop(tmp_path, 60)
    export = record_export(con, users[:40], name="regulars", holdout_share=0.1, at=EXPORTED)
    assert campaign_results(con, export).verdict.startswith("No data after the export yet")
    _after(con, tmp_path, _groups(con, export) | {}, {"target": 0.5, "holdout": 0.5})
    result = campaign_results(con, export)
    assert result.verdict.startswith("Too small to conclude") and "the smaller group has 4 users" in result.verdict
    with pytest.raises(AudienceTooSmall):
        record_export(con, users[:5], name="too few", at=EXPORTED)
    with pytest.raises(KeyError):
        campaign_results(con, "exp-none")
    con.close()
