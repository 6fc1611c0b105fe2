"""Encoding a large corpus on a CPU in one process per core, each with its own copy of the model.

On 2 cores, two single-threaded processes encode ~17 % more texts per second than one process with two
threads (int8 tier on real reviews, ``bench/encoder_tiers.py``): a forward pass over a batch of short
texts does not keep two threads busy. Workers are joblib's loky processes, as ingestion's are: no
``__main__`` guard needed in the caller, nothing of the app's process (its DuckDB connection, its
threads) copied into them, each worker's BLAS/OpenMP threads limited to its share of the cores. A
worker loads the model once and keeps it for every chunk it is sent.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd

from insight.progress import ProgressFn

PARALLEL_FROM = 20_000  # pending texts: below this, starting workers (~10 s each) costs more than it saves
MAX_WORKERS = 4  # each holds a model (~0.5 GB); beyond 4, one process per core buys little
CHUNK = 512  # texts per task: a few seconds of work, so progress and cancelling stay prompt


def worker_count(device: str, pending: int) -> int:
    """How many encoding processes a job of ``pending`` texts on ``device`` uses (1: encode in this process)."""
    cores = os.cpu_count() or 1
    if device != "cpu" or pending < PARALLEL_FROM or cores < 2:
        return 1
    return min(cores, MAX_WORKERS)


def _encode_chunk(texts: list[str], model: str) -> np.ndarray:
    from insight.encode import get_encoder

    return get_encoder(model, "cpu").encode(texts)


def encode_in_processes(
    group: pd.DataFrame, model: str, workers: int, progress: ProgressFn
) -> Iterator[tuple[list[str], np.ndarray]]:
    """(text hashes, vectors) of ``group`` (``text_hash``, ``text``), chunk by chunk in order, from worker processes.

    ``progress(fraction, message)`` is told after each chunk; when it raises (a cancelled job), the
    chunks not yet started are dropped and the workers stopped.
    """
    from joblib import Parallel, delayed

    chunks = [group.iloc[start : start + CHUNK] for start in range(0, len(group), CHUNK)]
    work = Parallel(n_jobs=workers, return_as="generator", pre_dispatch="2*n_jobs", batch_size=1)
    results = work(delayed(_encode_chunk)(chunk["text"].tolist(), model) for chunk in chunks)
    done = 0
    try:
        for chunk, vectors in zip(chunks, results, strict=True):
            done += len(chunk)
            progress(done / len(group), f"encoded {done:,} of {len(group):,} texts in {workers} processes")
            yield chunk["text_hash"].tolist(), vectors
    finally:
        with warnings.catch_warnings():  # joblib warns of finished chunks left unread: that is what stopping means
            warnings.simplefilter("ignore")
            results.close()  # stops what is still queued when the job is cancelled or fails
