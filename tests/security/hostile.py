"""A small shop whose every text field holds payloads, after the jobs that fill the pages.

Markdown, HTML, script, LaTeX, icon, colour, SQL and spreadsheet-formula payloads go into item titles,
categories and descriptions, review titles and texts, search queries, countries and cities, the
batch's source name and a saved audience's name; then the jobs run as the Jobs page runs them
(MiniLM on the CPU, small groups), so Sentiment, Keywords, Topics, Segments, Interest evolution,
Campaigns and Recommendations all have something to show. Built once per test process.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.once import built_once

RENDER = [  # what a renderer could interpret: each must be shown as these very characters
    "![x](http://evil.invalid/i.png)",
    "<img src=http://evil.invalid/x onerror=alert(1)>",
    '<a href="http://evil.invalid">x</a>',
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "$\\frac{1}{2}$",
    ":red[x]",
    ":material/warning:",
]
SQL = ["' or 1=1 --", "'); drop table users; --", "%", "_", "\\"]
FORMULAS = ['=HYPERLINK("http://evil.invalid","x")', "+1+1", "-1+1", "@SUM(A1)", "\r=1+1", "\t=1+1"]
QUARANTINED_FILE = "=1+1 more reviews.csv"
SOURCE = "![x](http://evil.invalid/batch.png) <img src=http://evil.invalid/b.png> :red[batch]"
AUDIENCE = "<img src=http://evil.invalid/aud.png> ![x](http://evil.invalid/aud2.png)"
JOBS = (
    ("sentiment", {"adapt": False}),
    ("keywords", {"min_df": 1}),
    ("segments", {"model": "all-MiniLM-L6-v2", "device": "cpu", "min_cluster_size": 8}),
    ("topics", {"model": "all-MiniLM-L6-v2", "device": "cpu", "min_cluster_size": 8}),
    ("aspects", {}),
)


def payload(i: int) -> str:
    """The i-th render payload (cycling)."""
    return RENDER[i % len(RENDER)]


def categories(original: list[str]) -> dict[str, str]:
    """The demo's ten categories renamed: four render payloads as they are, then six names that start
    with a formula and hold an SQL and a render payload (so every payload names a category)."""
    hostile = RENDER[:4] + [f"{f} {SQL[i % len(SQL)]} {RENDER[4 + i % 4]}" for i, f in enumerate(FORMULAS)]
    return {name: hostile[i % len(hostile)] for i, name in enumerate(sorted(original))}


def _write(frame: pd.DataFrame, path: Path) -> None:
    # CRLF rows, so that a CR or LF inside a value is quoted and reaches the store as it is
    frame.to_csv(path, index=False, lineterminator="\r\n")


def write_hostile_files(folder: Path) -> None:
    """The 150-user demo files with payloads in every text field."""
    from insight.demo.generate import write_demo_files

    write_demo_files(folder, n_users=150)
    items = pd.read_csv(folder / "items.csv", dtype=str)
    items["category"] = items["category"].map(categories(items["category"].dropna().unique().tolist()))
    items["title"] = [f"{t} {payload(i)}" for i, t in enumerate(items["title"])]
    items["description"] = [f"{d} {payload(i + 3)}" for i, d in enumerate(items["description"].fillna(""))]
    _write(items, folder / "items.csv")
    reviews = pd.read_csv(folder / "reviews.csv", dtype=str).iloc[::3]  # fewer reviews: sentiment runs on the CPU
    titles = RENDER + SQL + FORMULAS
    reviews["title"] = [titles[i % len(titles)] for i in range(len(reviews))]
    reviews["text"] = [f"{t} {payload(i + 5)}" for i, t in enumerate(reviews["text"].fillna(""))]
    _write(reviews, folder / "reviews.csv")
    # rows that fail validation, from a file whose name a spreadsheet would run: the quarantine lists both
    bad = reviews.head(len(FORMULAS)).assign(review_id=lambda f: "bad" + f["review_id"], rating=FORMULAS)
    _write(bad, folder / QUARANTINED_FILE)
    users = pd.read_csv(folder / "users.csv", dtype=str)
    users["country"] = [payload(i) for i in range(len(users))]
    users["city"] = [(RENDER + SQL)[i % (len(RENDER) + len(SQL))] for i in range(len(users))]
    _write(users, folder / "users.csv")
    events = pd.read_csv(folder / "events.csv", dtype=str)
    searches = events["query"].notna()
    queries = {q: f"{q} {payload(i + 1)}" for i, q in enumerate(sorted(events.loc[searches, "query"].unique()))}
    events.loc[searches, "query"] = events.loc[searches, "query"].map(queries)  # as many distinct as before
    _write(events, folder / "events.csv")


def build(folder: Path) -> Path:
    """Write, ingest and analyse the hostile shop under ``folder``; the store's path."""
    from insight.ingestion import ingest_path
    from insight.jobs.runner import new_job, run_job
    from insight.store import connect
    from insight.targeting import save_selection

    write_hostile_files(folder / "files")
    path = folder / "insight.duckdb"
    con = connect(path)
    ingest_path(con, folder / "files", source_name=SOURCE, db_path=path)
    for kind, params in JOBS:
        assert run_job(con, new_job(con, kind, params), kind, params) == "done", kind
    users = con.execute("select user_id from users order by user_id").df()["user_id"].tolist()
    save_selection(con, AUDIENCE, users, {"kind": "selection", "users": len(users)})
    con.close()
    return path


_TEMPLATE: list[Path] = []  # the one build of this test process


def hostile_store(factory: pytest.TempPathFactory) -> Path:
    """The hostile shop, built once per test run in pytest's temporary folders (a template: copy it)."""
    if not _TEMPLATE:
        _TEMPLATE.append(built_once(factory, "hostile", lambda path: build(path.parent)))
    return _TEMPLATE[0]


def hostile_copy(factory: pytest.TempPathFactory, folder: Path) -> Path:
    """A private copy of the hostile store in ``folder`` (one process may hold a DuckDB file at a time)."""
    template, target = hostile_store(factory), folder / "insight.duckdb"
    shutil.copy(template, target)
    for key in template.parent.glob("insight.duckdb.key"):
        shutil.copy(key, folder / key.name)
    return target
