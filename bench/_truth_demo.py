"""The demo shop analysed with every default, and its answer key per (pseudonymous) user.

Shared by the truth bench's parts (``bench/truth*.py``): the store is built the way a new user gets it
(``insight demo``, then each job started from the Jobs page with its defaults), so what the bench
measures is what a merchant sees. The store is cached under ``bench/.cache/truth/`` by a fingerprint
of the code it depends on; ``fresh=True`` rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache" / "truth"
KEY = "truth-bench-key"  # a fixed pseudonym key, so the answer key can be mapped onto the store's ids
DEFAULT_JOBS = ("encode", "sentiment", "keywords", "segments", "topics")  # the Jobs page's order


def code_fingerprint() -> str:
    """A hash of the library's source: a changed pipeline never reuses a stale store."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "insight").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_slot(prefix: str, suffix: str = "", *, fresh: bool = False) -> tuple[Path, bool]:
    """(store path, whether it is already built) of a cached bench store for this code version.

    An unbuilt (or ``fresh``) slot's folder is emptied and made again, ready for the store to be built.
    The bench's fixed pseudonym key is set, so stores and answer keys agree on ids.
    """
    os.environ["INSIGHT_PSEUDONYM_KEY"] = KEY
    encoder = os.environ.get("INSIGHT_ENCODER", "")  # a bench run with another default encoder gets its own stores
    folder = CACHE / f"{prefix}-{code_fingerprint()}{suffix}{'-' + encoder if encoder else ''}"
    db = folder / "insight.duckdb"
    if db.exists() and not fresh:
        return db, True
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return db, False


def index_and_segments(db: Path):
    """The interest index of a store's current segments run, and each of its users' segment (-1: outlier)."""
    from insight.store import connect
    from insight.store.segments import fetch_members
    from insight.targeting import load_index

    con = connect(db, read_only=True)
    try:
        index = load_index(con)
        members = fetch_members(con, index.run_id)
    finally:
        con.close()
    return index, members.set_index("user_id")["segment_id"].reindex(index.users)


def demo_store(*, fresh: bool = False, jobs: tuple[str, ...] = DEFAULT_JOBS) -> Path:
    """The demo store after ``jobs`` ran with their defaults; built once per code version."""
    db, ready = cache_slot("demo", f"-{'-'.join(jobs)}", fresh=fresh)
    if ready:
        return db
    from insight.demo.build import build_demo_store
    from insight.jobs.runner import new_job, run_job
    from insight.store import connect

    build_demo_store(db)
    con = connect(db)
    try:
        for kind in jobs:
            status = run_job(con, new_job(con, kind, {}), kind, {})
            if status != "done":
                raise RuntimeError(f"the {kind} job ended {status} on the demo store")
    finally:
        con.close()
    return db


def demo_people() -> pd.DataFrame:
    """The answer key per store user: user_id (pseudonym), raw_id, language, favourite, interests.

    ``favourite`` is the category with the largest weight in the user's base interest mix;
    ``interests`` maps every category weighing at least 5 % to its weight.
    """
    from insight.demo.generate import planted_truth
    from insight.ingestion.pseudonymise import pseudonym

    people = planted_truth()["people"]
    rows = [
        {
            "user_id": pseudonym(raw, KEY.encode()),
            "raw_id": raw,
            "language": p["language"],
            "favourite": max(p["interests"], key=p["interests"].get),
            "interests": p["interests"],
        }
        for raw, p in people.items()
    ]
    return pd.DataFrame(rows)
