"""The REST API as a shop's system uses it: keys and scopes, lists with reasons and propensities, feedback."""

from __future__ import annotations

import pytest

from insight.api import create_key, revoke_key
from tests.api.conftest import BOUGHT, client_on


@pytest.fixture
def api(shop, tmp_path):
    """A client on a copy of the shop, and the open connection behind it."""
    with client_on(shop, tmp_path / "store.duckdb") as opened:
        yield opened


def _auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_the_schema_is_public_and_every_other_route_needs_the_right_key(api):
    client, con = api
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/users/{user_id}/recommendations", "/api/v1/feedback"} <= set(schema["paths"])
    assert client.get("/api/v1/users/u1/recommendations").status_code == 401
    wrong = client.get("/api/v1/users/u1/recommendations", headers=_auth("ins_abc_not-a-key"))
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    events_only = create_key(con, "tracker", "events")
    forbidden = client.get("/api/v1/users/u1/recommendations", headers=_auth(events_only))
    assert forbidden.status_code == 403 and "scope (events)" in forbidden.json()["error"]
    reader = create_key(con, "checkout", "read")
    assert client.post("/api/v1/feedback", json={"events": []}, headers=_auth(reader)).status_code == 403
    assert client.get("/api/v1/users/u1/recommendations", headers=_auth(reader)).status_code == 200
    revoke_key(con, reader.split("_")[1])
    assert client.get("/api/v1/users/u1/recommendations", headers=_auth(reader)).status_code == 401
    stored = con.execute("select string_agg(secret_sha, '') from api_keys").fetchall()[0][0]
    assert reader.split("_", 2)[2] not in stored  # only a hash of the secret is kept


def test_a_list_for_the_shops_own_id_has_reasons_propensities_and_is_logged(api):
    client, con = api
    key = create_key(con, "checkout", "read")
    answer = client.get("/api/v1/users/u1/recommendations?k=4&exploration=0.5", headers=_auth(key)).json()
    assert answer["user_id"] == "u1" and len(answer["items"]) == 4
    bought = set(BOUGHT["u1"])
    assert not bought & {item["item_id"] for item in answer["items"]}  # bought items are not offered again
    assert all(item["reason"] and 0 < item["propensity"] <= 1 for item in answer["items"])
    assert {"exploit", "explore"} <= {item["kind"] for item in answer["items"]}
    explored = [item["propensity"] for item in answer["items"] if item["kind"] == "explore"]
    assert all(p < 1 for p in explored)  # a chance decided those slots
    logged = con.execute(
        "select count(*), min(l.user_id) from served_items i join served_lists l using (request_id) "
        "where request_id = $id",
        {"id": answer["request_id"]},
    ).fetchall()[0]
    assert logged[0] == 4 and logged[1].startswith("u_")  # logged under the pseudonym, not the raw id
    bad = client.get("/api/v1/users/u1/recommendations?k=lots", headers=_auth(key))
    assert bad.status_code == 400 and "k must be a number" in bad.json()["error"]
    assert client.get("/api/v1/users/u1/recommendations?exploration=2", headers=_auth(key)).status_code == 400


def test_feedback_keeps_good_events_names_bad_ones_and_a_replay_adds_nothing(api):
    client, con = api
    reader, tracker = create_key(con, "checkout", "read"), create_key(con, "tracker", "events")
    served = client.get("/api/v1/users/u2/recommendations?k=3", headers=_auth(reader)).json()
    first = served["items"][0]["item_id"]
    batch = {
        "events": [
            {"request_id": served["request_id"], "user_id": "u2", "item_id": first, "type": "click",
             "timestamp": "2026-02-01T10:00:00Z"},
            {"user_id": "u2", "item_id": "E", "type": "purchase", "timestamp": "2026-02-01 10:05", "value": 12.5},
            {"user_id": "u2", "item_id": "E", "type": "wink", "timestamp": "2026-02-01 10:06"},
            {"user_id": "u2", "type": "click", "timestamp": "2026-02-01 10:07"},
            {"request_id": "nope", "user_id": "u2", "item_id": "A", "type": "click", "timestamp": "2026-02-01"},
            {"request_id": served["request_id"], "user_id": "u3", "item_id": first, "type": "click",
             "timestamp": "2026-02-01"},
            {"user_id": "u2", "item_id": "E", "type": "click", "timestamp": "yesterday-ish"},
        ]
    }  # fmt: skip
    answer = client.post("/api/v1/feedback", json=batch, headers=_auth(tracker)).json()
    assert answer["accepted"] == 2 and answer["stored"] == 2
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [
        (2, "type"), (3, "item_id"), (4, "request_id"), (5, "user_id"), (6, "timestamp")
    ]  # fmt: skip
    again = client.post("/api/v1/feedback", json=batch, headers=_auth(tracker)).json()
    assert again["accepted"] == 2 and again["stored"] == 0
    assert con.execute("select count(*) from feedback").fetchall()[0][0] == 2
    assert client.post("/api/v1/feedback", content=b"{not json", headers=_auth(tracker)).status_code == 400


def test_a_disliked_item_never_comes_back(api):
    client, con = api
    admin = create_key(con, "ops", "admin")
    url = "/api/v1/users/u3/recommendations?k=5&exploration=0.4"
    before = client.get(url, headers=_auth(admin)).json()["items"]
    disliked = before[0]["item_id"]
    event = {"user_id": "u3", "item_id": disliked, "type": "dislike", "timestamp": "2026-02-02 09:00"}
    assert client.post("/api/v1/feedback", json={"events": [event]}, headers=_auth(admin)).json()["stored"] == 1
    for _ in range(8):  # each request draws its own exploration
        assert disliked not in {item["item_id"] for item in client.get(url, headers=_auth(admin)).json()["items"]}
    liked_again = {**event, "type": "like", "timestamp": "2026-02-03 09:00"}
    client.post("/api/v1/feedback", json={"events": [liked_again]}, headers=_auth(admin))
    lists = [client.get(url, headers=_auth(admin)).json()["items"] for _ in range(4)]
    assert any(disliked in {item["item_id"] for item in items} for items in lists)  # a later like lifts it


def test_a_profile_needs_a_segments_run(api):
    client, con = api
    key = create_key(con, "crm", "read")
    missing = client.get("/api/v1/users/u1/profile", headers=_auth(key))
    assert missing.status_code == 409 and "segments job" in missing.json()["error"]


def test_a_like_pulls_the_next_list_towards_the_item_at_once(api):
    client, con = api
    admin = create_key(con, "ops", "admin")
    url = "/api/v1/users/u4/recommendations?k=6&exploration=0"

    def ranked() -> list[str]:
        return [item["item_id"] for item in client.get(url, headers=_auth(admin)).json()["items"]]

    before = ranked()
    liked = before[-1]  # the item the list thought least of
    event = {"user_id": "u4", "item_id": liked, "type": "like", "timestamp": "2026-02-02 09:00"}
    assert client.post("/api/v1/feedback", json={"events": [event]}, headers=_auth(admin)).json()["stored"] == 1
    after = ranked()
    assert after.index(liked) < before.index(liked)


def test_an_admin_key_loads_a_file_into_the_running_store(api):
    client, con = api
    admin, reader = create_key(con, "ops", "admin"), create_key(con, "crm", "read")
    csv = b"user_id,item_id,event_type,timestamp\nu9,A,purchase,2026-03-01 10:00:00\nu9,B,view,not a date\n"
    url = "/api/v1/ingest?name=events.csv"
    assert client.post(url, content=csv, headers=_auth(reader)).status_code == 403
    loaded = client.post(url, content=csv, headers=_auth(admin))
    report = loaded.json()
    assert loaded.status_code == 200 and report["loaded"]["events"] == 1 and sum(report["quarantined"].values()) == 1
    assert con.execute("select count(*) from events where event_type = 'purchase'").fetchall()[0][0] == 11
    assert client.post("/api/v1/ingest", content=csv, headers=_auth(admin)).status_code == 400  # no name
    unreadable = client.post("/api/v1/ingest?name=../../etc/passwd", content=b"\x00\x01", headers=_auth(admin))
    assert unreadable.status_code == 400 and "nothing was loaded" in unreadable.json()["error"]


def test_a_body_is_read_only_for_a_valid_key_and_only_up_to_its_limit(api, monkeypatch):
    from insight.api import http

    client, con = api
    tracker = create_key(con, "tracker", "events")
    assert client.post("/api/v1/feedback", content=b"x" * 100).status_code == 401  # refused before reading it
    monkeypatch.setattr(http, "FEEDBACK_BODY_MB", 0)
    too_big = client.post("/api/v1/feedback", content=b'{"events": []}', headers=_auth(tracker))
    assert too_big.status_code == 413
