"""Encoding on a Ray cluster: Ray Data hands batches of texts to encoder actors, one per GPU or CPU slot.

``pip install insight[distributed]`` adds Ray. With ``RAY_ADDRESS`` set, the job joins that cluster
(whose workers need insight installed, as they load the same packaged model); without it, a local
cluster is started on 127.0.0.1 for the job and stopped afterwards. Texts travel to the actors
through Ray's object store, so no shared disk is needed; vectors come back to the process that owns
the store batch by batch, which stores them as they arrive and reports progress, as the local path
does. Vectors equal the local path's: the actors run the same encoder on the same device type.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pandas as pd

from insight.progress import ProgressFn, silent

BATCH_ROWS = 512  # texts per actor call: enough to sort by length and fill batches, small enough to stream
LOCAL_OBJECT_STORE = 256 * 2**20  # a local cluster's shared memory for texts and vectors in flight


class _EncoderActor:
    """One loaded encoder inside a Ray worker; called with a pandas batch of ``text_hash``, ``text``."""

    def __init__(self, model: str, device: str):
        from insight.encode import get_encoder

        self.encoder = get_encoder(model, device)

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        vectors = self.encoder.encode(batch["text"].tolist())
        return pd.DataFrame({"text_hash": batch["text_hash"].to_numpy(), "vector": list(vectors)})


def _start() -> bool:
    """Connect to ``RAY_ADDRESS``, or start a local cluster; True when this call started one."""
    import ray

    if ray.is_initialized():
        return False
    address = os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(
            num_cpus=os.cpu_count() or 1,
            include_dashboard=False,
            object_store_memory=LOCAL_OBJECT_STORE,
            _node_ip_address="127.0.0.1",
            log_to_driver=False,
        )
    return True


def _slots(device: str) -> tuple[int, dict]:
    """(actors, resources per actor): one per GPU on CUDA, else one per pair of CPU cores (torch uses both)."""
    import ray

    resources = ray.cluster_resources()
    if device == "cuda":
        return max(1, int(resources.get("GPU", 0))), {"num_gpus": 1}
    per_actor = min(2, max(1, int(resources.get("CPU", 1))))
    return max(1, int(resources.get("CPU", 1)) // per_actor), {"num_cpus": per_actor}


def encode_on_ray(
    texts: pd.DataFrame, model: str, device: str, progress: ProgressFn = silent
) -> Iterator[tuple[list[str], np.ndarray]]:
    """(text hashes, vectors) of ``texts`` (columns ``text_hash``, ``text``), a batch at a time, as actors finish.

    ``progress`` is told the share of texts encoded so far; when it raises (a cancelled job), the
    dataset stops and a cluster started here is shut down.
    """
    import ray
    import ray.data

    started = _start()
    try:
        actors, resources = _slots(device)
        dataset = ray.data.from_pandas(texts[["text_hash", "text"]].reset_index(drop=True)).map_batches(
            _EncoderActor,
            fn_constructor_kwargs={"model": model, "device": device},
            batch_size=BATCH_ROWS,
            batch_format="pandas",
            concurrency=actors,
            **resources,
        )
        done = 0
        for batch in dataset.iter_batches(batch_size=None, batch_format="pandas"):
            vectors = np.stack(batch["vector"].to_numpy()).astype(np.float32)
            done += len(batch)
            yield batch["text_hash"].tolist(), vectors
            progress(done / max(len(texts), 1), f"encoded {done:,} of {len(texts):,} texts on Ray ({actors} actors)")
    finally:
        if started:
            ray.shutdown()
