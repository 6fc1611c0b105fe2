"""Every GPU check of issue "Scale" in one short run: encoder throughput, neighbours, UMAP and HDBSCAN.

    python bench/gpu_checks.py --out gpu_checks.md                 # on whatever device torch sees
    python bench/gpu_checks.py --device cpu --texts 2000 --points 5000   # the same checks on the CPU

Prints (and with ``--out`` writes) a Markdown table with the device, torch's version and the load:

* **encoder**: texts per second end to end (tokenisation, length-sorted batches, fp16 on CUDA, vectors
  back on the host) through insight's own encoder, model loading excluded; peak GPU memory.
* **neighbours**: the exact 15-nearest-neighbour graph of ``--points`` unit vectors through torch
  (:mod:`insight.cluster.knn_torch`, the GPU path that needs no cuML).
* **UMAP + HDBSCAN**: umap-learn on that graph to 5 dimensions, then HDBSCAN, as the segments job runs
  them on a GPU without cuML; with the agreement (NMI) of the clusters with the planted ones.

The points are planted clusters (``--clusters`` noisy directions in 384 dimensions), so the NMI says
whether the fast path still finds them. Texts come from ``--texts-file`` (a JSON list), else the shared
English and Chinese reviews, else generated sentences. On a bare GPU box (torch and transformers only),
insight's modules load without the app's dependencies; carry umap-learn, pynndescent and hdbscan as
wheels for the clustering rows (they are reported as skipped otherwise), and pass ``--model-dir`` with
a copy of the model folder when the model's PyPI package is not installed there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _bare import importable_insight  # noqa: E402

FULL = importable_insight()


def load_texts(n: int, path: str | None) -> list[str]:
    """``n`` review texts: the JSON file, else the shared reviews, else generated sentences (cycled to n)."""
    pool: list[str] = []
    if path:
        pool = json.loads(Path(path).read_text())
    else:
        try:
            import _data

            pool = _data.english()["text"].tolist() + _data.chinese()["text"].tolist()
        except Exception:  # noqa: BLE001 - no ../shared here: generated texts measure speed just as well
            words = "soft warm fits small large colour fabric quality delivery price returned love".split()
            pool = [" ".join(words[(i * 7 + j) % len(words)] for j in range(8 + i % 40)) for i in range(5_000)]
    return [pool[i % len(pool)] for i in range(n)]


def planted_points(n: int, clusters: int, dim: int = 384, seed: int = 0):
    """(unit vectors, planted labels): ``clusters`` random directions, each point one of them plus noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    labels = rng.integers(0, clusters, size=n)
    points = centres[labels] + rng.normal(scale=0.9, size=(n, dim)).astype(np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True), labels


def check_encoder(device: str, n: int, model: str, model_dir: str | None, text_file: str | None) -> dict:
    """Texts per second through insight's encoder (warm-up excluded) and peak GPU memory."""
    import torch

    from insight.encode import models
    from insight.encode.hf import HFEncoder

    if model_dir:
        from dataclasses import replace

        models.MODELS[model] = replace(models.MODELS[model], locate=lambda: Path(model_dir))
    texts = load_texts(n, text_file)
    encoder = HFEncoder(models.MODELS[model], device)
    encoder.encode(texts[:256])
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    vectors = encoder.encode(texts)
    seconds = time.perf_counter() - started
    peak = torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None
    return {"texts": n, "distinct": len(set(texts)), "seconds": seconds, "per_second": n / seconds,
            "peak_gpu_mb": peak, "dim": int(vectors.shape[1])}  # fmt: skip


def check_clustering(device: str, n: int, clusters: int) -> dict:
    """Seconds for the torch neighbour graph, UMAP on it and HDBSCAN; NMI with the planted clusters."""
    from insight.cluster.knn_torch import torch_knn

    points, planted = planted_points(n, clusters)
    started = time.perf_counter()
    indices, distances = torch_knn(points, 15, "cosine", device)
    out = {"points": n, "neighbours_s": time.perf_counter() - started}
    try:
        from sklearn.metrics import normalized_mutual_info_score

        from insight.cluster._backends import make_clusterer, make_reducer
    except ImportError as exc:
        return {**out, "skipped": f"UMAP/HDBSCAN not installed here ({exc.name})"}
    started = time.perf_counter()
    reducer = make_reducer("cpu", seed=0, knn=(indices, distances, None), n_neighbors=15)
    embedding = reducer.estimator.fit_transform(points)
    out["umap_s"] = time.perf_counter() - started
    started = time.perf_counter()
    clusterer = make_clusterer("cpu", n=n)
    labels = clusterer.estimator.fit_predict(embedding)
    out["hdbscan_s"] = time.perf_counter() - started
    out["segments"] = int(labels.max() + 1)
    out["nmi"] = float(normalized_mutual_info_score(planted, labels))
    return out


def report(device: str, encoder: dict, clustering: dict, model: str) -> str:
    """The figures as a Markdown block."""
    import torch

    name = torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or "CPU"
    lines = [
        f"device: {device} ({name}), torch {torch.__version__}, load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores",
        "",
        "| check | size | figure |",
        "|---|---|---|",
        f"| encoder {model} | {encoder['texts']:,} texts ({encoder['distinct']:,} distinct) | "
        f"{encoder['per_second']:,.0f} texts/s ({encoder['seconds']:.1f} s"
        + (f", peak GPU {encoder['peak_gpu_mb']:,.0f} MB)" if encoder["peak_gpu_mb"] is not None else ")")
        + " |",
        f"| neighbours (torch, exact, k=15) | {clustering['points']:,} points | {clustering['neighbours_s']:.1f} s |",
    ]
    if "skipped" in clustering:
        lines.append(f"| UMAP + HDBSCAN | | skipped: {clustering['skipped']} |")
    else:
        lines.append(
            f"| UMAP (5-D, on the torch graph) + HDBSCAN | {clustering['points']:,} points | "
            f"{clustering['umap_s']:.1f} s + {clustering['hdbscan_s']:.1f} s; {clustering['segments']} segments, "
            f"NMI with planted {clustering['nmi']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run every check on the chosen device and print (and write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="auto (CUDA when torch sees it), cuda or cpu")
    parser.add_argument("--texts", type=int, default=100_000, help="texts to encode")
    parser.add_argument("--points", type=int, default=200_000, help="vectors to search and cluster")
    parser.add_argument("--clusters", type=int, default=20, help="planted clusters among the points")
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--model-dir", dest="model_dir", help="model folder (default: the packaged weights)")
    parser.add_argument("--texts-file", dest="texts_file", help="JSON list of texts")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    import torch

    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    encoder = check_encoder(device, args.texts, args.model, args.model_dir, args.texts_file)
    clustering = check_clustering(device, args.points, args.clusters)
    table = report(device, encoder, clustering, args.model)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")


if __name__ == "__main__":
    main()
