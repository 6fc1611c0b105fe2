"""Reading large files a slice of rows at a time, so a batch's memory does not grow with its size.

:func:`insight.ingestion.readers.read_source` holds a whole input in memory (bytes, decoded text and
one frame per file: about 0.8 GiB per million event rows). For inputs above :data:`STREAM_BYTES`
in the canonical format (one table per file, no joins between files) the pipeline reads here
instead: each file yields frames of at most ``rows`` rows, numbered as the whole-file reader numbers
them, so a quarantined row is still reported as "events.csv, row 2,000,134". CSV/TSV (plain, gzipped
or zipped), JSON Lines and Parquet stream; a JSON array file is read whole (it has no line breaks
to split on). The content hash is the whole-file reader's, so a batch loaded either way is
recognised when the same bytes come again.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from insight.ingestion.arrow_csv import arrow_slices, header_names
from insight.ingestion.errors import IngestError
from insight.ingestion.readers import TABULAR, Source, SourceFile, read_source

STREAM_BYTES = 32 * 2**20  # inputs larger than this (on disk) are read in slices
CHUNK_ROWS = 250_000  # rows per slice: ~200 MB of pandas frames for an events file
HEAD_ROWS = 1_000  # rows read to recognise each file's format and table
_BLOCK = 2**20


def input_files(path: str | Path) -> list[Path]:
    """The files :func:`read_source` would read at ``path``, in its order (missing path: an error)."""
    path = Path(path)
    if not path.exists():
        raise IngestError("no such file or folder", file=str(path))
    members = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    return [p for p in members if p.name.lower().endswith((*TABULAR, ".zip", ".gz"))]


def input_bytes(path: str | Path) -> int:
    """Bytes on disk of everything the input holds (what decides whether to stream it)."""
    return sum(p.stat().st_size for p in input_files(path))


def content_hash(path: str | Path) -> str:
    """The same hash as :func:`read_source`'s (file names and bytes), read a block at a time."""
    digest = hashlib.sha256()
    for member in input_files(path):
        digest.update(member.name.encode() + b"\0")
        with member.open("rb") as handle:
            while block := handle.read(_BLOCK):
                digest.update(block)
    return digest.hexdigest()


def head_source(path: str | Path, *, encoding: str = "utf-8") -> Source:
    """The first :data:`HEAD_ROWS` rows of each file, enough to recognise the format and tables."""
    files = []
    for member in input_files(path):
        with member.open("rb") as disk:
            first = next(iter_file_chunks(member, encoding=encoding, rows=HEAD_ROWS, disk=disk), None)
        if first is not None:
            files.append(first)
    if not files:
        return read_source(path, encoding=encoding)  # raises the whole-file reader's own error
    return Source(path=str(path), files=files, content_hash="")


def iter_chunks(path: str | Path, *, encoding: str = "utf-8", rows: int = CHUNK_ROWS) -> Iterator[SourceFile]:
    """Every file at ``path`` as frames of at most ``rows`` rows, file by file.

    Each slice's ``read_share`` is the share of the input's bytes on disk read so far (for progress).
    """
    members = input_files(path)
    total, before = max(sum(p.stat().st_size for p in members), 1), 0
    for member in members:
        with member.open("rb") as disk:
            for piece in iter_file_chunks(member, encoding=encoding, rows=rows, disk=disk):
                piece.read_share = min((before + disk.tell()) / total, 1.0)
                yield piece
        before += member.stat().st_size


def iter_file_chunks(member: Path, *, encoding: str, rows: int, disk: BinaryIO | None = None) -> Iterator[SourceFile]:
    """One file (or archive) as row slices; inner names read ``archive.zip/events.csv`` as the whole-file reader's.

    ``disk`` is the file already opened (its position then tells how far the reading got); the
    reader closes it when the file is done.
    """
    disk = disk or member.open("rb")
    lower = member.name.lower()
    if lower.endswith(".zip"):
        try:
            archive = zipfile.ZipFile(disk)
        except zipfile.BadZipFile as exc:
            raise IngestError("not a readable zip archive", file=member.name) from exc
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            inner = info.filename
            if not info.is_dir() and inner.lower().endswith(TABULAR) and "__MACOSX" not in inner:
                yield from _slices(f"{member.name}/{inner}", lambda i=info: archive.open(i), encoding, rows)
        return
    if lower.endswith(".gz"):
        yield from _slices(member.name[:-3], lambda: gzip.GzipFile(fileobj=disk, mode="rb"), encoding, rows)
        return
    yield from _slices(member.name, lambda: disk, encoding, rows)


def _slices(name: str, opener, encoding: str, rows: int) -> Iterator[SourceFile]:
    lower = name.lower()
    with _reading(name):
        if lower.endswith(".parquet"):
            import pyarrow.parquet as pq

            with opener() as handle:
                first = 1
                for batch in pq.ParquetFile(handle).iter_batches(batch_size=rows):
                    frame = batch.to_pandas()
                    yield SourceFile(name, frame, first_row=first)
                    first += len(frame)
            return
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding
        with opener() as raw:
            if lower.endswith((".jsonl", ".ndjson", ".json")):
                yield from _json_lines(name, io.TextIOWrapper(raw, encoding=codec, newline=""), rows)
            else:
                yield from _csv_rows(name, raw, codec, rows)


@contextmanager
def _reading(name: str):
    """Turn a decoding or parsing failure into an :class:`IngestError` naming the file."""
    try:
        yield
    except IngestError:
        raise
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"text is not valid {exc.encoding}; save it as UTF-8, or choose its encoding "
            "(the Ingest page's Text encoding, or --encoding: for example gb18030 or latin-1)",
            file=name,
        ) from exc
    except (pd.errors.ParserError, csv.Error, ValueError, OSError, EOFError) as exc:
        said = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise IngestError(f"not readable ({said})", file=name) from exc


def _csv_rows(name: str, raw: BinaryIO, codec: str, rows: int) -> Iterator[SourceFile]:
    """A CSV file's slices: parsed by Arrow when it is UTF-8, by pandas from where Arrow stopped (if it did)."""
    text = io.TextIOWrapper(raw, encoding=codec, newline="")
    sample = text.read(64 * 1024)
    if not sample.strip():
        raise IngestError("the file is empty", file=name)
    if "\x00" in sample:
        raise IngestError("this is not a text file (it holds NUL bytes)", file=name)
    sep = "\t" if name.lower().endswith(".tsv") else _sniff(sample)
    handed = 0
    if codec == "utf-8-sig" and raw.seekable():
        text.detach()
        raw.seek(0)
        handed = yield from arrow_slices(name, raw, sep=sep, header=header_names(sample, sep), rows=rows)
        if handed is None:
            return
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=codec, newline="")
        sample = text.read(64 * 1024)
    reader = pd.read_csv(
        _Prefixed(sample, text), dtype=str, keep_default_na=False, na_values=[""], sep=sep, chunksize=rows
    )
    read = 0  # rows pandas has read, the ones Arrow already handed on included
    for frame in reader:
        fresh = frame.iloc[max(0, handed - read) :]
        if len(fresh):
            yield SourceFile(name, fresh, first_row=2 + read + len(frame) - len(fresh))
        read += len(frame)


def _sniff(sample: str) -> str:
    """The separator of a CSV sample (comma when nothing else is evident)."""
    try:
        return csv.Sniffer().sniff(sample[: sample.rfind("\n") + 1] or sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


class _Prefixed(io.TextIOBase):
    """A text stream that first returns an already-read sample, then the rest of the underlying stream."""

    def __init__(self, sample: str, rest: io.TextIOBase):
        self._sample, self._rest = sample, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        if self._sample:
            if size is None or size < 0:
                out, self._sample = self._sample + self._rest.read(), ""
                return out
            out, self._sample = self._sample[:size], self._sample[size:]
            return out
        return self._rest.read(size)

    def readline(self, size: int = -1) -> str:
        if self._sample:
            line = io.StringIO(self._sample).readline()
            if line.endswith("\n") or len(line) < len(self._sample):
                self._sample = self._sample[len(line) :]
                return line
            self._sample = ""
            return line + self._rest.readline()
        return self._rest.readline(size)


def _json_lines(name: str, text: io.TextIOBase, rows: int) -> Iterator[SourceFile]:
    first_char = text.read(1)
    while first_char.isspace():
        first_char = text.read(1)
    if first_char == "[":  # a JSON array: no lines to split on
        try:
            yield SourceFile(name, pd.DataFrame(json.loads("[" + text.read())), first_row=1)
        except json.JSONDecodeError as exc:
            raise IngestError(f"not valid JSON ({exc.msg})", file=name, row=exc.lineno) from exc
        return
    records, first = [], 1
    for number, line in enumerate(_Prefixed(first_char, text), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(f"not valid JSON ({exc.msg})", file=name, row=number) from exc
        if not isinstance(record, dict):
            raise IngestError("each line must be a JSON object", file=name, row=number)
        records.append(record)
        if len(records) == rows:
            yield SourceFile(name, pd.DataFrame.from_records(records), first_row=first)
            records, first = [], first + rows
    if records:
        yield SourceFile(name, pd.DataFrame.from_records(records), first_row=first)
