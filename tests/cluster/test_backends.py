import sys

import pytest

from insight.cluster._backends import (
    Built,
    clusterer_params,
    default_min_cluster_size,
    make_clusterer,
    make_reducer,
    resolve_backend,
)


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def test_cpu_backend_is_chosen_without_a_gpu():
    assert resolve_backend("cpu") == "cpu"
    if not _has_cuda():
        assert resolve_backend("auto") == "cpu"
        with pytest.raises(ValueError, match="gpu"):
            resolve_backend("gpu")
    with pytest.raises(ValueError, match="unknown backend"):
        resolve_backend("tpu")


def test_factories_build_the_cpu_libraries_and_record_it():
    import hdbscan
    import umap

    reducer = make_reducer("cpu", seed=7, n_neighbors=10)
    assert isinstance(reducer, Built)
    assert isinstance(reducer.estimator, umap.UMAP)
    assert (reducer.role, reducer.backend, reducer.library) == ("reducer", "cpu", "umap-learn")
    assert reducer.params == {
        "n_neighbors": 10,
        "n_components": 5,
        "min_dist": 0.0,
        "metric": "cosine",
        "n_epochs": 50,
        "init": "spectral",
        "random_state": 7,
    }
    assert reducer.estimator.random_state == 7 and reducer.estimator.n_components == 5

    clusterer = make_clusterer("cpu", n=5_000)
    assert isinstance(clusterer.estimator, hdbscan.HDBSCAN)
    assert (clusterer.role, clusterer.library) == ("clusterer", "hdbscan")
    assert clusterer.params["min_cluster_size"] == 50
    assert clusterer.params["min_samples"] == 10  # explicit: hdbscan and cuML defaults differ
    assert clusterer.params["cluster_selection_method"] == "eom"
    assert clusterer.estimator.min_samples == 10
    assert clusterer.describe()["library"] == "hdbscan"
    if not _has_cuda():
        assert "cuml" not in sys.modules


def test_min_cluster_size_scales_with_n():
    assert default_min_cluster_size(300) == 10
    assert default_min_cluster_size(20_000) == 200
    assert clusterer_params(600)["min_samples"] == 10
    assert clusterer_params(600, min_cluster_size=4)["min_samples"] == 4
    assert clusterer_params(600, min_samples=3)["min_cluster_size"] == 10


def test_unknown_backend_in_factories():
    with pytest.raises(ValueError):
        make_clusterer("tpu", n=100)
