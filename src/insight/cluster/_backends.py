"""Which library reduces and clusters: cuML on a CUDA GPU, umap-learn and hdbscan on the CPU.

The choice is made once (:func:`resolve_backend`) and the estimators are built by two factories
that return a :class:`Built` record saying what was built, with which library and which parameters,
so callers never sniff type names. Imports are lazy: cuML is only imported when the GPU backend is
chosen, and umap-learn (which pulls in numba) only when a reducer is actually built.

Both libraries get every parameter that matters explicitly: their defaults disagree (cuML and
hdbscan treat ``min_samples`` and UMAP's initialisation differently across versions), and a
segmentation must mean the same thing on either backend.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass, field
from typing import Any, Literal

Backend = Literal["cpu", "gpu"]

REDUCER_DEFAULTS: dict[str, Any] = {
    "n_neighbors": 15, "n_components": 5, "min_dist": 0.0, "metric": "cosine", "n_epochs": 50,
}  # fmt: skip
"""UMAP settings for clustering: 5 dimensions, tightly packed (min_dist 0), cosine like the embeddings.

Epochs: umap-learn runs 500 below 10,000 points, but the clusters HDBSCAN finds are settled long
before: on 10,000 Chinese reviews, 50 epochs agree with the product categories as well as 500 (NMI
0.56-0.58 either way) in a tenth of the time (bench/segment_probes.py, BENCHMARKS.md)."""

MAP_DEFAULTS: dict[str, Any] = {
    "n_neighbors": 15, "n_components": 2, "min_dist": 0.1, "metric": "cosine", "n_epochs": 50,
}  # fmt: skip
"""UMAP settings for the 2-D scatter map: a little spread so points stay visible, drawn from the same
neighbour graph as the clustering. 50 epochs draw the same groups as 100 or 200 (compared by eye on
10,000 reviews coloured by category) in a quarter of the time of 200
(4.1 s → 1.1 s, bench/segment_probes.py)."""


REDUCER_KEYS = {
    "n_neighbors", "n_components", "min_dist", "metric", "n_epochs", "spread", "init", "learning_rate",
    "negative_sample_rate", "low_memory", "set_op_mix_ratio", "local_connectivity", "repulsion_strength",
}  # fmt: skip
CLUSTERER_KEYS = {
    "min_cluster_size", "min_samples", "cluster_selection_method", "cluster_selection_epsilon", "alpha",
    "allow_single_cluster", "max_cluster_size",
}  # fmt: skip


@dataclass(frozen=True)
class Built:
    """An estimator and what it is: ``role`` (reducer or clusterer), ``backend``, ``library``, ``params``."""

    estimator: Any
    role: Literal["reducer", "clusterer"]
    backend: Backend
    library: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly summary (everything but the estimator) for logs and ``Segmentation.params``."""
        return {"role": self.role, "backend": self.backend, "library": self.library, "params": dict(self.params)}


def _cuml_available() -> bool:
    """Whether cuML is installed and imports (only asked on a CUDA machine)."""
    if importlib.util.find_spec("cuml") is None:
        return False
    try:
        import cuml  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken CUDA install must fall back to the CPU, not crash
        return False
    return True


def resolve_backend(backend: str = "auto") -> Backend:
    """``"gpu"`` when asked for (or ``auto``) and torch sees CUDA and cuML imports, else ``"cpu"``.

    An explicit ``"gpu"`` on a machine without CUDA or cuML raises ValueError rather than silently
    running somewhere else.
    """
    if backend == "cpu":
        return "cpu"
    if backend not in ("auto", "gpu"):
        raise ValueError(f"unknown backend '{backend}': use auto, cpu or gpu")
    from insight.device import resolve_device

    has_cuda = resolve_device("auto") == "cuda"
    if has_cuda and _cuml_available():
        return "gpu"
    if backend == "gpu":
        why = "cuML is not installed (pip install insight[gpu])" if has_cuda else "torch sees no CUDA GPU"
        raise ValueError(f"backend 'gpu' was asked for, but {why}")
    return "cpu"


def default_min_cluster_size(n: int) -> int:
    """Smallest segment for ``n`` points: 1 % of them, at least 10 (so segments stay readable)."""
    return max(10, int(n) // 100)


def clusterer_params(n: int | None = None, **params: Any) -> dict[str, Any]:
    """HDBSCAN settings with every default filled in explicitly (``n``: points to be clustered).

    ``min_samples`` defaults to min(min_cluster_size, 10): lower than hdbscan's implicit
    ``min_samples = min_cluster_size``, which would label far more points as outliers on large sets.
    """
    out = dict(params)
    if "min_cluster_size" not in out:
        out["min_cluster_size"] = default_min_cluster_size(n if n is not None else 0)
    out["min_cluster_size"] = int(out["min_cluster_size"])
    out.setdefault("min_samples", min(out["min_cluster_size"], 10))
    out.setdefault("cluster_selection_method", "eom")
    out.setdefault("cluster_selection_epsilon", 0.0)
    out.setdefault("metric", "euclidean")
    return out


def reducer_params(seed: int = 0, defaults: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """UMAP settings: ``defaults`` (clustering ones unless given), overridden by ``params``, seeded."""
    out = {**(REDUCER_DEFAULTS if defaults is None else defaults), **params}
    out.setdefault("init", "spectral")
    out["random_state"] = int(seed)
    return out


EXACT_KNN_BELOW = 4096
"""Below this many points neighbours are found exactly by matrix products. umap-learn would compute all
pairwise distances itself there, but through a per-pair Python call that took 8 s for 2,668 vectors."""


def _exact_knn(unit: Any, k: int, metric: str) -> tuple:
    """(indices, distances) of the ``k`` nearest rows of each row, itself included, in blocks of rows."""
    import numpy as np

    rows = np.asarray(unit, dtype=np.float32)
    squared = (rows * rows).sum(axis=1)
    indices = np.empty((len(rows), k), dtype=np.int32)
    distances = np.empty((len(rows), k), dtype=np.float32)
    for start in range(0, len(rows), 1024):
        block = rows[start : start + 1024]
        product = block @ rows.T
        if metric == "cosine":
            norms = np.sqrt(squared[start : start + 1024, None] * squared[None, :])
            dist = 1.0 - product / np.where(norms > 0, norms, 1.0)
        else:
            dist = np.sqrt(np.maximum(squared[start : start + 1024, None] + squared[None, :] - 2 * product, 0.0))
        dist[np.arange(len(block)), np.arange(start, start + len(block))] = -1.0  # itself first, as umap expects
        nearest = np.argpartition(dist, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(dist, nearest, axis=1), axis=1, kind="stable")
        chosen = np.take_along_axis(nearest, order, axis=1)
        indices[start : start + len(block)] = chosen
        distances[start : start + len(block)] = np.maximum(np.take_along_axis(dist, chosen, axis=1), 0.0)
    return indices, distances


def nearest_neighbours(
    unit: Any, n_neighbors: int, metric: str = "cosine", seed: int = 0, *, searchable: bool = False
) -> tuple | None:
    """k-nearest neighbours in umap-learn's ``precomputed_knn`` form (indices, distances, search index).

    Computed once per point set and shared by the clustering reducer and the 2-D map, which would
    otherwise each search the same neighbours again. Exact below :data:`EXACT_KNN_BELOW` points (no
    search index then, unless ``searchable``: ``transform`` needs one), exact on a CUDA GPU through
    torch (:mod:`.knn_torch`) above that, else pynndescent (seeded, one thread). None for metrics
    other than cosine and euclidean on small sets: UMAP searches itself. The segmentation pipeline
    searches cosine neighbours exactly with :func:`.groups.grouped_knn` and uses this for other metrics.
    """
    import numpy as np

    if len(unit) < EXACT_KNN_BELOW and not searchable:
        if metric not in ("cosine", "euclidean"):
            return None
        return (*_exact_knn(unit, int(n_neighbors), metric), None)
    if not searchable and metric in ("cosine", "euclidean") and _neighbour_device() == "cuda":
        from insight.cluster.knn_torch import torch_knn  # a GPU without cuML: exact, in seconds

        return (*torch_knn(unit, int(n_neighbors), metric, "cuda"), None)
    from umap.umap_ import nearest_neighbors

    indices, distances, index = nearest_neighbors(
        unit, int(n_neighbors), metric, {}, False, np.random.RandomState(seed), low_memory=True, n_jobs=1,
        verbose=False,
    )  # fmt: skip
    return indices, distances, index


def _neighbour_device() -> str:
    """Where neighbours are searched when cuML is not doing it: CUDA through torch when present, else the CPU."""
    from insight.device import resolve_device

    return resolve_device("auto")


def make_reducer(
    backend: Backend, *, seed: int = 0, defaults: dict[str, Any] | None = None, knn: tuple | None = None, **params: Any
) -> Built:
    """A UMAP reducer (cuML on ``gpu``, umap-learn on ``cpu``) with :data:`REDUCER_DEFAULTS` + ``params``.

    ``seed`` becomes ``random_state``: umap-learn is then deterministic (and single-threaded).
    ``knn`` (from :func:`nearest_neighbours`, CPU only) saves umap-learn its own neighbour search.
    """
    settings = reducer_params(seed, defaults, **params)
    if backend == "gpu":
        from cuml.manifold import UMAP as CumlUMAP

        return Built(CumlUMAP(**settings), "reducer", "gpu", "cuml", settings)
    if backend != "cpu":
        raise ValueError(f"unknown backend '{backend}'")
    import umap

    _keep_umap_compiled()
    # random_state forces one thread anyway; saying so avoids umap-learn's warning about it
    extra = {} if knn is None else {"precomputed_knn": knn}
    return Built(umap.UMAP(n_jobs=1, **extra, **settings), "reducer", "cpu", "umap-learn", settings)


UMAP_KERNELS = {
    "umap.umap_": ("smooth_knn_dist", "compute_membership_strengths"),
    "umap.layouts": (
        "_nb_optimize_layout_euclidean_single_epoch",
        "_nb_optimize_layout_euclidean_single_epoch_parallel",
    ),
}
"""umap-learn's numba kernels that every fit compiles and umap-learn does not cache itself."""


@functools.cache
def _keep_umap_compiled() -> None:
    """Have numba keep umap-learn's graph and layout kernels compiled on disk, as it does for its other kernels.

    Without it every process compiles them again on its first fit: 10 s of a 3,000-point fit that
    then takes 0.5 s, and 12 s of every segments job. The compiled code is the same, so results are
    too. A kernel missing from another umap-learn version is skipped.
    """
    for module_name, names in UMAP_KERNELS.items():
        module = importlib.import_module(module_name)
        for name in names:
            kernel = getattr(module, name, None)
            if hasattr(kernel, "enable_caching"):
                kernel.enable_caching()


def make_clusterer(backend: Backend, *, n: int | None = None, **params: Any) -> Built:
    """An HDBSCAN clusterer (cuML on ``gpu``, hdbscan on ``cpu``); see :func:`clusterer_params`."""
    settings = clusterer_params(n, **params)
    if backend == "gpu":
        from cuml.cluster import HDBSCAN as CumlHDBSCAN

        return Built(CumlHDBSCAN(**settings), "clusterer", "gpu", "cuml", settings)
    if backend != "cpu":
        raise ValueError(f"unknown backend '{backend}'")
    import hdbscan

    return Built(hdbscan.HDBSCAN(core_dist_n_jobs=1, **settings), "clusterer", "cpu", "hdbscan", settings)


def to_numpy(array: Any):
    """A NumPy array from NumPy, CuPy or cuDF output (cuML mirrors its input type, but not always)."""
    import numpy as np

    if hasattr(array, "to_numpy"):
        array = array.to_numpy()
    if hasattr(array, "__cuda_array_interface__"):
        import cupy

        array = cupy.asnumpy(array)
    return np.asarray(array)


def split_params(params: dict[str, Any]) -> tuple[dict, dict, dict]:
    """Keyword arguments split into UMAP, HDBSCAN and 2-D map settings (prefixes umap_, hdbscan_, map_)."""
    reducer, clusterer, mapper = {}, {}, {}
    for key, value in params.items():
        if key.startswith("map_"):
            mapper[key[4:]] = value
        elif key.startswith("umap_") or key in REDUCER_KEYS:
            reducer[key.removeprefix("umap_")] = value
        elif key.startswith("hdbscan_") or key in CLUSTERER_KEYS:
            clusterer[key.removeprefix("hdbscan_")] = value
        else:
            raise TypeError(f"unknown segmentation parameter '{key}'")
    return reducer, clusterer, mapper
