r"""Uploaded files on disk, safely: a private temporary folder and only each upload's own base name.

An upload's name is chosen by whoever sends it. Joined to a folder as it is, ``../../srv/items.csv``
or ``/etc/passwd`` points outside that folder, and the server would read (or write) its own files.
So only the last part of the name is used, whichever separator (``/`` or ``\``) the sender's system
uses; names that are empty, ``.``, ``..`` or hold control characters are refused; two uploads with
the same name are told apart. Files go to a folder made by ``tempfile.mkdtemp`` (mode 0700), are
created with ``O_EXCL`` (never through an existing file or link), and the folder is removed after.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from insight.ingestion.errors import IngestError

_MAX_NAME_BYTES = 255  # what Linux and macOS file systems allow for one name


def safe_name(name: str) -> str:
    r"""The base name of an upload's name, or ``IngestError`` when there is no safe one.

    ``../../etc/items.csv`` and ``C:\exports\items.csv`` both give ``items.csv``.
    """
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise IngestError(f"upload name {ascii(name)} refused: it contains control characters")
    base = re.sub(r"^[A-Za-z]:", "", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if base in ("", ".", ".."):
        raise IngestError(f"upload name {ascii(name)} refused: it has no file name")
    if len(base.encode()) > _MAX_NAME_BYTES:
        raise IngestError(f"upload name {ascii(name[:40])}… refused: longer than {_MAX_NAME_BYTES} bytes")
    return base


@dataclass(frozen=True)
class SavedUploads:
    """Where a set of uploads was written: the private folder, each file, and what to ingest."""

    folder: Path
    paths: list[Path]

    @property
    def target(self) -> Path:
        """The one file when there is one upload, else the folder (read together as one batch)."""
        return self.paths[0] if len(self.paths) == 1 else self.folder

    @property
    def display_name(self) -> str:
        """The uploads' safe names, for reports (never the temporary folder's path)."""
        return ", ".join(p.name for p in self.paths)


@contextmanager
def saved_uploads(uploads: Iterable[tuple[str, bytes]]) -> Iterator[SavedUploads]:
    """Write ``(name, bytes)`` uploads into a new private folder; remove it all when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="insight-upload-"))
    try:
        paths: list[Path] = []
        taken: set[str] = set()
        for name, data in uploads:
            base = _unique(safe_name(name), taken)
            taken.add(base.lower())
            path = folder / base
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            paths.append(path)
        if not paths:
            raise IngestError("no file was uploaded")
        yield SavedUploads(folder, paths)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _unique(base: str, taken: set[str]) -> str:
    """``base``, or ``stem (2).ext`` … when an earlier upload had that name (compared ignoring case)."""
    if base.lower() not in taken:
        return base
    stem, dot, ext = base.partition(".")
    for n in range(2, len(taken) + 2):
        candidate = f"{stem} ({n}){dot}{ext}"
        if candidate.lower() not in taken:
            return candidate
    raise AssertionError("unreachable: fewer names are taken than tried")
