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

import importlib.util
from dataclasses import dataclass, field
from typing import Any, Literal

Backend = Literal["cpu", "gpu"]

REDUCER_DEFAULTS: dict[str, Any] = {"n_neighbors": 15, "n_components": 5, "min_dist": 0.0, "metric": "cosine"}
"""UMAP settings for clustering: 5 dimensions, tightly packed (min_dist 0), cosine like the embeddings."""

MAP_DEFAULTS: dict[str, Any] = {
    "n_neighbors": 15, "n_components": 2, "min_dist": 0.1, "metric": "cosine", "n_epochs": 200,
}  # fmt: skip
"""UMAP settings for the 2-D scatter map: a little spread so points stay visible; 200 epochs (umap-learn's
choice above 10,000 points) draw a map as readable as 500 in less than half the time (14.5 s → 6.1 s on
10,000 reviews, bench/segment_vs_bertopic.py)."""


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
    out.setdefault("prediction_data", True)
    return out


def reducer_params(seed: int = 0, defaults: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """UMAP settings: ``defaults`` (clustering ones unless given), overridden by ``params``, seeded."""
    out = {**(REDUCER_DEFAULTS if defaults is None else defaults), **params}
    out.setdefault("init", "spectral")
    out["random_state"] = int(seed)
    return out


def make_reducer(backend: Backend, *, seed: int = 0, defaults: dict[str, Any] | None = None, **params: Any) -> Built:
    """A UMAP reducer (cuML on ``gpu``, umap-learn on ``cpu``) with :data:`REDUCER_DEFAULTS` + ``params``.

    ``seed`` becomes ``random_state``: umap-learn is then deterministic (and single-threaded).
    """
    settings = reducer_params(seed, defaults, **params)
    if backend == "gpu":
        from cuml.manifold import UMAP as CumlUMAP

        return Built(CumlUMAP(**settings), "reducer", "gpu", "cuml", settings)
    if backend != "cpu":
        raise ValueError(f"unknown backend '{backend}'")
    import umap

    # random_state forces one thread anyway; saying so avoids umap-learn's warning about it
    return Built(umap.UMAP(n_jobs=1, **settings), "reducer", "cpu", "umap-learn", settings)


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
