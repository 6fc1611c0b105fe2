"""Reading files into frames: CSV, Parquet and JSONL, alone, gzipped, zipped or in a folder.

Readers only turn bytes into tables and say precisely where the bytes are unreadable; deciding what
the columns mean is the adapters' job.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from insight.ingestion.errors import IngestError

TABULAR = (".csv", ".tsv", ".txt", ".parquet", ".jsonl", ".ndjson", ".json")
# Python's csv module (pandas' separator-sniffing engine) refuses a field over 131,072 characters
# and with it the whole file; a long review text is ordinary data, so lift the limit.
_FIELD_LIMIT = 2**31 - 1
ENCODINGS = ("utf-8", "gb18030", "big5", "shift_jis", "latin-1", "cp1252", "utf-16")  # offered on the Ingest page


@dataclass
class SourceFile:
    """One table read from the input: its display name, its rows and the header's line number."""

    name: str
    frame: pd.DataFrame
    first_row: int = 2  # line (CSV) or record (JSONL, Parquet) number of the frame's first row
    read_share: float | None = None  # for a slice of a large input: share of the input's bytes read so far

    @property
    def stem(self) -> str:
        """File name without folders and extensions, lower-cased (``orders`` for ``x/Orders.csv.gz``)."""
        return Path(self.name).name.split(".")[0].lower()


@dataclass
class Source:
    """Everything read from one path the user gave, with a hash of its bytes for idempotency."""

    path: str
    files: list[SourceFile]
    content_hash: str


def read_source(path: str | Path, *, encoding: str = "utf-8") -> Source:
    """Read a file, archive or folder into frames; raise ``IngestError`` naming what is unreadable."""
    path = Path(path)
    if not path.exists():
        raise IngestError("no such file or folder", file=str(path))
    digest = hashlib.sha256()
    files: list[SourceFile] = []
    members = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for member in members:
        if not _is_tabular(member.name) and not member.name.lower().endswith((".zip", ".gz")):
            continue
        data = member.read_bytes()
        digest.update(member.name.encode() + b"\0" + data)
        files.extend(_read_bytes(member.name, data, encoding))
    if not files:
        raise IngestError("no CSV, Parquet or JSONL file found here", file=str(path))
    return Source(path=str(path), files=files, content_hash=digest.hexdigest())


def _is_tabular(name: str) -> bool:
    return name.lower().endswith(TABULAR)


def _read_bytes(name: str, data: bytes, encoding: str) -> list[SourceFile]:
    lower = name.lower()
    if lower.endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise IngestError("not a readable zip archive", file=name) from exc
        out = []
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if not info.is_dir() and _is_tabular(info.filename) and "__MACOSX" not in info.filename:
                out.extend(_read_bytes(f"{name}/{info.filename}", archive.read(info), encoding))
        return out
    if lower.endswith(".gz"):
        try:
            inner = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise IngestError("not a readable gzip file", file=name) from exc
        return _read_bytes(name[:-3], inner, encoding)
    if lower.endswith(".parquet"):
        try:
            return [SourceFile(name, pd.read_parquet(io.BytesIO(data)), first_row=1)]
        except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
            raise IngestError(f"not a readable Parquet file ({exc})", file=name) from exc
    text = _decode(name, data, encoding)
    if not text.strip():
        raise IngestError("the file is empty", file=name)
    if "\x00" in text:  # any byte decodes under latin-1, so a binary file only shows itself here
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise IngestError(
            f"this is not a text file (it holds NUL bytes at line {line}); "
            "upload CSV, TSV or JSONL text, Parquet, or a zip/gz of them",
            file=name,
        )
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return [SourceFile(name, _read_jsonl(name, text), first_row=1)]
    sep = "\t" if lower.endswith(".tsv") else None
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            sep=sep,
            engine="python" if sep is None else "c",
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:  # the python engine raises csv.Error itself
        raise IngestError(f"not a readable CSV file ({str(exc).splitlines()[0]})", file=name) from exc
    return [SourceFile(name, frame, first_row=2)]


def _decode(name: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode("utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(
            f"text is not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8, or choose its encoding (the Ingest page's Text encoding, or --encoding: "
            "for example gb18030 or latin-1)",
            file=name,
            row=line,
        ) from exc
    except LookupError as exc:
        raise IngestError(f"unknown encoding '{encoding}'", file=name) from exc


def _read_jsonl(name: str, text: str) -> pd.DataFrame:
    stripped = text.lstrip()
    if stripped.startswith("["):  # a JSON array of records is accepted too
        try:
            return pd.DataFrame(json.loads(stripped))
        except json.JSONDecodeError as exc:
            raise IngestError(f"not valid JSON ({exc.msg})", file=name, row=exc.lineno) from exc
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(f"not valid JSON ({exc.msg})", file=name, row=number) from exc
        if not isinstance(record, dict):
            raise IngestError("each line must be a JSON object", file=name, row=number)
        records.append(record)
    return pd.DataFrame.from_records(records)
