"""The GPU path that needs no cuML: torch's exact neighbours equal numpy's, and the GPU check script runs.

No GPU is lent to CI, so both run on the CPU, which is the same torch code with another device string.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from insight.cluster._backends import _exact_knn
from insight.cluster.knn_torch import torch_knn

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_torch_neighbours_are_the_exact_neighbours(metric):
    rows = np.random.default_rng(3).normal(size=(1_500, 32)).astype(np.float32)
    indices, distances = torch_knn(rows, 10, metric, "cpu")
    expected_indices, expected_distances = _exact_knn(rows, 10, metric)
    assert (indices[:, 0] == np.arange(len(rows))).all()  # itself first, as umap-learn expects
    assert (indices == expected_indices).mean() > 0.999  # ties aside
    np.testing.assert_allclose(distances, expected_distances, atol=1e-4)


def test_the_gpu_check_script_finds_the_planted_clusters_on_the_cpu(tmp_path):
    out = tmp_path / "checks.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gpu_checks.py"), "--device", "cpu", "--texts", "64",
         "--points", "2000", "--clusters", "8", "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    table = out.read_text()
    assert "device: cpu" in table and "texts/s" in table and done.stdout.strip() == table.strip()
    row = next(line for line in table.splitlines() if line.startswith("| UMAP"))
    assert "8 segments" in row and float(row.split("NMI with planted ")[1].split(" ")[0]) > 0.9
