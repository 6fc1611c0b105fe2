"""Our encoder against sentence-transformers: same model, same 10,000 real review texts, same run.

Each measurement runs in a fresh subprocess (so peak resident memory is that implementation's own),
alternating ours / theirs for --repeats rounds; the figures are medians and the ratio is ours over
theirs. Model loading is excluded from the timing, included in the memory.

    python bench/encoder_speed.py [--n 10000] [--model all-MiniLM-L6-v2] [--device cpu] [--repeats 3]

On a GPU machine that has torch, transformers and sentence-transformers but not insight's other
dependencies, pass the texts and the model folder explicitly (``--texts texts.json --model-dir DIR``):
the encoder package is then loaded on its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _bare import importable_insight  # noqa: E402

importable_insight()  # a bare GPU box: load insight.encode without the app's dependencies (duckdb ...)


def texts(n: int, path: str | None = None) -> list[str]:
    """The first n English clothing reviews (title + text), a realistic mix of lengths."""
    if path:
        return json.loads(Path(path).read_text())[:n]
    import _data

    frame = _data.english()
    return frame["text"].head(n).tolist()


def _use_model_dir(model: str, folder: str | None) -> None:
    """Point the model registry at a folder (a copy of the packaged weights)."""
    if folder:
        from dataclasses import replace

        from insight.encode import models

        models.MODELS[model] = replace(models.MODELS[model], locate=lambda: Path(folder))


def measure(
    impl: str, model: str, device: str, n: int, text_file: str | None = None, model_dir=None, tokens=None
) -> dict:
    """Encode once in this process; return sentences/s and peak RSS."""
    import numpy as np

    data = texts(n, text_file)
    _use_model_dir(model, model_dir)
    if tokens:
        from insight.encode import hf as _hf

        _hf.TOKENS_PER_BATCH[device] = tokens
    if impl == "ours":
        from insight.encode import get_encoder

        encoder = get_encoder(model, device)
        encoder.encode(data[:64])  # warm-up, as for theirs
        start = time.perf_counter()
        vectors = encoder.encode(data)
    else:
        from sentence_transformers import SentenceTransformer

        from insight.encode.models import spec

        st = SentenceTransformer(str(spec(model).locate()), device=device)
        st.max_seq_length = spec(model).max_length
        if device == "cuda":
            st.half()
        st.encode(data[:64])
        start = time.perf_counter()
        vectors = st.encode([spec(model).prefix + t for t in data], batch_size=32, normalize_embeddings=True)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if device == "cuda":
        import torch

        peak_mb = torch.cuda.max_memory_allocated() / 2**20
    return {
        "impl": impl,
        "seconds": seconds,
        "per_second": n / seconds,
        "peak_mb": peak_mb,
        "checksum": float(np.abs(vectors).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--texts", help="JSON list of texts (default: ../shared clothing reviews)")
    parser.add_argument("--model-dir", dest="model_dir", help="model folder (default: the packaged weights)")
    parser.add_argument("--tokens-per-batch", type=int, dest="tokens", help="our batch budget (default: _hf's)")
    parser.add_argument("--one", choices=["ours", "theirs"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.model, args.device, args.n, args.texts, args.model_dir, args.tokens)))
        return
    extra = ["--texts", args.texts] if args.texts else []
    extra += ["--model-dir", args.model_dir] if args.model_dir else []
    extra += ["--tokens-per-batch", str(args.tokens)] if args.tokens else []
    results: dict[str, list[dict]] = {"ours": [], "theirs": []}
    for _ in range(args.repeats):
        for impl in ("ours", "theirs"):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    impl,
                    "--n",
                    str(args.n),
                    "--model",
                    args.model,
                    "--device",
                    args.device,
                    *extra,
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[impl].append(json.loads(out.strip().splitlines()[-1]))
            print(impl, results[impl][-1], flush=True)
    ours = {k: statistics.median(r[k] for r in results["ours"]) for k in ("per_second", "peak_mb")}
    theirs = {k: statistics.median(r[k] for r in results["theirs"]) for k in ("per_second", "peak_mb")}
    print(f"\n{args.model} on {args.device}, {args.n:,} review texts, median of {args.repeats}:")
    print(f"  insight               {ours['per_second']:8.1f} sentences/s   peak {ours['peak_mb']:7.0f} MB")
    print(f"  sentence-transformers {theirs['per_second']:8.1f} sentences/s   peak {theirs['peak_mb']:7.0f} MB")
    print(
        f"  ratio (insight / s-t): speed {ours['per_second'] / theirs['per_second']:.2f}x, "
        f"memory {ours['peak_mb'] / theirs['peak_mb']:.2f}x"
    )


if __name__ == "__main__":
    main()
