"""Stores built once per test run, even when pytest-xdist splits the run over several processes.

Building an analysed shop takes a minute; every worker process building its own would spend the
time the workers save. The first process to ask builds it under a file lock in the run's shared
temporary folder (the pattern pytest-xdist documents); each process then works on its own copy,
since one DuckDB file can be open for writing in one process only (the copy holds whatever the
build left beside the store, such as the files it ingested).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """This process's copy of the store ``build(path)`` writes, built once per test run; the copy's path."""
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by every worker of this run
    template = root / f"once-{name}"
    with FileLock(f"{template}.lock"):
        if not (template / ".built").exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir()
            build(template / "insight.duckdb")
            (template / ".built").touch()
    own = factory.mktemp(name)
    shutil.copytree(template, own, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".built"))
    return own / "insight.duckdb"
