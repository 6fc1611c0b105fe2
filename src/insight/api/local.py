"""The running app's door for its own machine: a token file beside the store for the CLI.

While ``insight serve`` holds a store, no other process may open it, so ``insight ingest`` would fail.
The app writes ``<store>.serving.json`` (its URL and a random token, readable by its owner only)
when it starts and removes it when it stops; the CLI, run by the same OS user, reads it and sends
the file to ``POST /api/v1/ingest`` with that token, which the API takes as an admin key. Reading the
file needs the same access as the store itself, so the token grants nothing the reader lacked.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

_TOKEN: dict[str, str] = {}  # this process's token, once the door is open


def door_file(db: str | Path) -> Path:
    """Where the app that holds ``db`` says how to reach it."""
    return Path(str(Path(db).resolve()) + ".serving.json")


def open_door(db: str | Path, url: str) -> None:
    """Write the door file (owner-only) for an app serving ``db`` at ``url``."""
    token = secrets.token_urlsafe(32)
    path = door_file(db)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"url": url, "token": token, "pid": os.getpid()}, out)
    _TOKEN["value"] = token


def close_door(db: str | Path) -> None:
    """Remove the door file (server shutdown)."""
    _TOKEN.pop("value", None)
    door_file(db).unlink(missing_ok=True)


def is_local_token(token: str) -> bool:
    """Whether ``token`` is this process's door token."""
    own = _TOKEN.get("value")
    return bool(own) and secrets.compare_digest(own, token)


def find_door(db: str | Path) -> dict | None:
    """The URL and token of the app holding ``db``, or None when no app wrote one (or it is gone)."""
    path = door_file(db)
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    try:
        os.kill(int(found["pid"]), 0)  # a door left by an app that was killed says nothing
    except (OSError, KeyError, ValueError):
        return None
    return found


def send_ingest(door: dict, path: str | Path, **options: str | None) -> tuple[int, dict]:
    """Send a file (a folder goes zipped) to the app behind ``door``; (HTTP status, its JSON answer).

    ``options``: format, encoding, date_format, as ``insight ingest`` takes them.
    """
    import io
    import urllib.error
    import urllib.parse
    import urllib.request
    import zipfile

    path = Path(path)
    if path.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                archive.write(file, file.relative_to(path).as_posix())
        name, body = f"{path.name or 'upload'}.zip", buffer.getvalue()
    else:
        name, body = path.name, path.read_bytes()
    query = urllib.parse.urlencode({"name": name, **{k: v for k, v in options.items() if v}})
    request = urllib.request.Request(f"{door['url']}/api/v1/ingest?{query}", data=body, method="POST")
    request.add_header("Authorization", f"Bearer {door['token']}")
    request.add_header("Content-Type", "application/octet-stream")
    try:
        with urllib.request.urlopen(request, timeout=3600) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
