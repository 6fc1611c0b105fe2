"""`insight serve` answers /api/v1 on the dashboard's own port, as `curl` in the README does, with CLI-made keys."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

from insight.store import connect
from tests.e2e.conftest import serve


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "insight.cli", *args], capture_output=True, text=True)


def _call(url: str, key: str | None, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode())
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _server_pid(port: int) -> int:
    """The pid of the app server listening on ``port`` (``insight serve`` replaces itself with it)."""
    from pathlib import Path

    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--server.port" in args and args[args.index(b"--server.port") + 1] == str(port).encode():
            return int(cmdline.parent.name)
    raise AssertionError(f"no server on port {port}")


def _call_quietly(url: str, key: str, body: dict) -> None:
    try:
        _call(url, key, body)
    except OSError:  # the server was killed under the request
        pass


def test_the_running_app_serves_the_api_with_keys_made_by_the_cli(shop, tmp_path):
    db = tmp_path / "store.duckdb"
    db.write_bytes(shop.read_bytes())
    made = _cli("api-key", "create", "--name", "checkout", "--scope", "admin", "--db", str(db))
    key = made.stdout.strip()
    assert made.returncode == 0 and key.startswith("ins_") and "shown once" in made.stderr
    listed = _cli("api-key", "list", "--db", str(db)).stdout
    assert "checkout" in listed and "admin" in listed and key.split("_", 2)[2] not in listed

    served = serve(db, browser=False)
    url = next(served)
    try:
        assert _call(f"{url}/api/v1/openapi.json", None)[0] == 200
        assert _call(f"{url}/api/v1/users/u1/recommendations", None)[0] == 401
        status, answer = _call(f"{url}/api/v1/users/u1/recommendations?k=3", key)
        assert status == 200 and len(answer["items"]) == 3 and answer["items"][0]["reason"]
        disliked = answer["items"][0]["item_id"]
        event = {"request_id": answer["request_id"], "user_id": "u1", "item_id": disliked, "type": "dislike",
                 "timestamp": "2026-02-02T09:00:00Z"}  # fmt: skip
        status, stored = _call(f"{url}/api/v1/feedback", key, {"events": [event]})
        assert status == 200 and stored["stored"] == 1 and stored["rejected"] == []
        status, again = _call(f"{url}/api/v1/users/u1/recommendations?k=3", key)
        assert status == 200 and disliked not in {item["item_id"] for item in again["items"]}
    finally:
        next(served, None)
    con = connect(db)
    assert con.execute("select count(*) from feedback").fetchall()[0][0] == 1
    con.close()
    revoked = _cli("api-key", "revoke", key, "--db", str(db))
    assert revoked.returncode == 0 and "revoked" in _cli("api-key", "list", "--db", str(db)).stdout
    assert _cli("api-key", "revoke", key, "--db", str(db)).returncode == 1  # not twice


def test_killing_the_server_mid_batch_loses_and_duplicates_nothing_on_replay(shop, tmp_path):
    import os
    import signal
    import threading
    import time

    db = tmp_path / "store.duckdb"
    db.write_bytes(shop.read_bytes())
    key = _cli("api-key", "create", "--name", "tracker", "--scope", "events", "--db", str(db)).stdout.strip()
    batch = {
        "events": [
            {"event_id": f"e{n}", "user_id": f"u{n % 5 + 1}", "item_id": "ABCDEFGH"[n % 8], "type": "click",
             "timestamp": f"2026-02-01T10:{n % 60:02d}:00Z"}
            for n in range(10_000)
        ]
    }  # fmt: skip
    served = serve(db, browser=False)
    url = next(served)
    port = int(url.rsplit(":", 1)[1])
    pid = _server_pid(port)
    posting = threading.Thread(target=_call_quietly, args=(f"{url}/api/v1/feedback", key, batch))
    posting.start()
    time.sleep(0.8)  # the batch is on its way or being written
    os.kill(pid, signal.SIGKILL)
    posting.join()
    next(served, None)
    con = connect(db)
    after_kill = con.execute("select count(*) from feedback").fetchall()[0][0]
    con.close()
    assert after_kill in (0, 10_000)  # the batch is stored whole or not at all
    served = serve(db, browser=False)
    url = next(served)
    try:
        status, replay = _call(f"{url}/api/v1/feedback", key, batch)
        assert status == 200 and replay["accepted"] == 10_000
    finally:
        next(served, None)
    con = connect(db)
    stored = con.execute("select count(*), count(distinct event_id) from feedback").fetchall()[0]
    con.close()
    assert stored == (10_000, 10_000)
