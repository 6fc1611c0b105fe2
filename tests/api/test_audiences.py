"""Saved audiences over the API: the list, members page by page with their group, and the privacy rules."""

from __future__ import annotations

import pytest

from insight.api import create_key
from insight.store import targeting as audience_store
from insight.targeting import holdout_groups, save_selection
from tests.api.conftest import client_on


@pytest.fixture
def demo(demo_db, tmp_path):
    with client_on(demo_db, tmp_path / "store.duckdb") as opened:
        yield opened


def test_an_audiences_members_come_page_by_page_with_the_exports_groups(demo, monkeypatch):
    from insight.api import audiences

    client, con = demo
    users = [row[0] for row in con.execute("select user_id from users order by user_id limit 45").fetchall()]
    audience = save_selection(con, "lasso of 45", users, {"kind": "selection"})
    key = {"Authorization": f"Bearer {create_key(con, 'crm', 'read')}"}
    listed = client.get("/api/v1/audiences", headers=key).json()["audiences"]
    assert [(a["audience_id"], a["name"], a["users"]) for a in listed] == [(audience, "lasso of 45", 45)]
    monkeypatch.setattr(audiences, "PAGE_SIZE", 20)
    pages = [client.get(f"/api/v1/audiences/{audience}/members?page={n}", headers=key).json() for n in (1, 2, 3)]
    assert [p["pages"] for p in pages] == [3, 3, 3] and [len(p["members"]) for p in pages] == [20, 20, 5]
    got = {m["user_id"]: m["group"] for p in pages for m in p["members"]}
    expected = holdout_groups(users, share=0.1, seed=0)  # what the export file says
    assert got == dict(zip(expected["user_id"], expected["group"], strict=True))
    assert list(got.values()).count("holdout") == 5
    assert client.get("/api/v1/audiences/nope/members", headers=key).status_code == 404
    assert client.get(f"/api/v1/audiences/{audience}/members?holdout_share=0.9", headers=key).status_code == 400


def test_an_audience_under_the_minimum_size_is_refused_with_the_reason(demo):
    client, con = demo
    few = [row[0] for row in con.execute("select user_id from users limit 3").fetchall()]
    selection = {"kind": "selection"}
    tiny = audience_store.insert_audience(con, "three", few, selection, data_version=None, segments_run=None)
    key = {"Authorization": f"Bearer {create_key(con, 'crm', 'read')}"}
    refused = client.get(f"/api/v1/audiences/{tiny}/members", headers=key)
    assert refused.status_code == 403 and "fewer than 10 users" in refused.json()["error"]
    assert client.get("/api/v1/audiences", headers=key).json()["audiences"][0]["users"] is None  # count hidden too
