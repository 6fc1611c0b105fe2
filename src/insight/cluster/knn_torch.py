"""Exact nearest neighbours by matrix products in torch: the GPU path that needs no cuML.

cuML's UMAP searches neighbours on the GPU, but cuML cannot always be installed. On a CUDA machine
without it, the neighbour search (the part of UMAP that grows fastest with the number of points) runs
here instead, exactly, in blocks of rows in half precision, and umap-learn is handed the result as its
``precomputed_knn``. The same code runs on the CPU, which is how it is tested where no GPU is lent.
"""

from __future__ import annotations

import numpy as np

BLOCK_ROWS = {"cpu": 1_024, "cuda": 8_192}


def torch_knn(unit: np.ndarray, k: int, metric: str = "cosine", device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """(indices, distances) of the ``k`` nearest rows of each row, itself first, as umap-learn expects.

    ``metric`` is ``cosine`` (rows need not be unit length) or ``euclidean``. On CUDA the products run
    in fp16 and the distances come back in float32; shapes are int32 and float32 (rows, k).
    """
    import torch

    if metric not in ("cosine", "euclidean"):
        raise ValueError(f"torch neighbours support cosine and euclidean, not {metric!r}")
    rows = torch.as_tensor(np.asarray(unit, dtype=np.float32), device=device)
    if metric == "cosine":
        rows = torch.nn.functional.normalize(rows, dim=1)
    dtype = torch.float16 if device == "cuda" else torch.float32
    table = rows.to(dtype)
    squared = (rows * rows).sum(dim=1)
    n = len(rows)
    k = min(int(k), n)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    step = BLOCK_ROWS.get(device, 1_024)
    with torch.inference_mode():
        for start in range(0, n, step):
            stop = min(start + step, n)
            product = (table[start:stop] @ table.T).float()
            if metric == "cosine":
                dist = 1.0 - product
            else:
                dist = (squared[start:stop, None] + squared[None, :] - 2.0 * product).clamp_min(0.0).sqrt()
            own = torch.arange(start, stop, device=rows.device)
            dist[own - start, own] = -1.0  # itself first
            found, chosen = torch.topk(dist, k, dim=1, largest=False, sorted=True)
            indices[start:stop] = chosen.to(torch.int32).cpu().numpy()
            distances[start:stop] = found.clamp_min(0.0).cpu().numpy()
    return indices, distances
