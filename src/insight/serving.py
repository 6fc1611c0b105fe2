"""How ``insight serve`` starts the app: which address it binds, and whether that is safe without sign-in.

Without sign-in anyone who reaches the port can read every review and start jobs, so a server with no
``[auth]`` in Streamlit's secrets binds 127.0.0.1 only. Binding another address without sign-in needs
``--no-auth``, said out loud. Sign-in is detected in the files Streamlit itself reads.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from insight import config

LOCAL = "127.0.0.1"
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


class ServeRefused(ValueError):
    """The requested way of serving would expose the data; the message says what to do instead."""


@dataclass(frozen=True)
class ServePlan:
    """Where the app listens, what to tell the operator, and what the app process needs to know."""

    address: str
    sign_in: bool
    notes: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


def secrets_files(app_dir: Path) -> list[Path]:
    """The secrets files Streamlit reads for an app run from ``app_dir``, later ones overriding earlier."""
    return [Path.home() / ".streamlit" / "secrets.toml", app_dir / ".streamlit" / "secrets.toml"]


def auth_settings(files: list[Path]) -> dict | None:
    """The merged ``[auth]`` table of the secrets files, or None when none configures sign-in.

    Raises :class:`ServeRefused` when ``[auth]`` is there but incomplete, naming the missing keys.
    """
    table: dict = {}
    for path in files:
        if path.is_file():
            try:
                table.update(tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {}))
            except tomllib.TOMLDecodeError as exc:
                raise ServeRefused(f"{path}: not valid TOML ({exc})") from None
    if not table:
        return None
    missing = [key for key in AUTH_KEYS if not table.get(key)]
    providers = [table] if table.get("client_id") else [v for v in table.values() if isinstance(v, dict)]
    if not providers:
        missing.append("client_id (or an [auth.PROVIDER] table)")
    for provider in providers:
        missing += [key for key in PROVIDER_KEYS if not provider.get(key) and key not in missing]
    if missing:
        raise ServeRefused(f"sign-in ([auth] in {' or '.join(map(str, files))}) lacks: {', '.join(missing)}")
    return table


def plan(address: str | None, *, no_auth: bool, sign_in: bool) -> ServePlan:
    """Decide the address to bind, or refuse (:class:`ServeRefused`) an unsafe one."""
    if sign_in and no_auth:
        raise ServeRefused("sign-in is configured ([auth] in secrets.toml); drop --no-auth, or remove [auth]")
    if sign_in:
        chosen = address or "0.0.0.0"
        return ServePlan(chosen, True, ["sign-in is on: visitors sign in and get the role the settings file gives"])
    chosen = address or LOCAL
    if _is_loopback(chosen):
        return ServePlan(
            chosen,
            False,
            [
                f"no sign-in configured, so insight listens on {chosen} only: just this machine can reach it. "
                "To serve a team, configure sign-in (README: Sign-in and roles)."
            ],
        )
    if not no_auth:
        raise ServeRefused(
            f"refusing to listen on {chosen} without sign-in: anyone who reaches it could read every review and "
            "start jobs. Configure sign-in ([auth] in .streamlit/secrets.toml), or pass --no-auth to accept that."
        )
    return ServePlan(
        chosen,
        False,
        [
            f"WARNING: --no-auth: insight listens on {chosen} WITHOUT sign-in. Anyone who reaches this port gets "
            "the settings file's anonymous role (admin unless set) and can read the data."
        ],
        {"INSIGHT_NO_AUTH": "1"},
    )


def _is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def serve(db: Path, *, app_dir: Path, port: int, address: str | None, no_auth: bool, secrets: str | None) -> int:
    """Check the plan, the store and its key, then replace this process with the app's server.

    Raises :class:`ServeRefused` when serving that way would expose the data; never returns otherwise.
    The server becomes this process, so a stop signal reaches it directly.
    """
    from insight.store import connect

    files = [Path(secrets).resolve()] if secrets else secrets_files(app_dir)
    if secrets and not files[0].is_file():
        raise ServeRefused(f"no secrets file at {files[0]}")
    chosen = plan(address, no_auth=no_auth, sign_in=auth_settings(files) is not None)
    connect(db).close()  # a busy store or a wrong pseudonym key: one line now, not a server that cannot start
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_dir / "serve.py"),
        "--server.address",
        chosen.address,
        "--server.port",
        str(port),
        "--server.maxUploadSize",
        config.setting("INSIGHT_MAX_UPLOAD_MB"),
        *(["--secrets.files", str(files[0])] if secrets else []),
    ]
    for note in chosen.notes:
        print(note, file=sys.stderr if note.startswith("WARNING") else sys.stdout)
    print(f"insight on http://{chosen.address}:{port} (store {db})", flush=True)
    os.chdir(app_dir)
    os.execve(sys.executable, command, {**os.environ, "INSIGHT_DB_PATH": str(db.resolve()), **chosen.env})
