"""Our encoder against sentence-transformers: same model, same 10,000 real review texts, same run.

Each measurement runs in a fresh subprocess (so peak resident memory is that implementation's own),
alternating ours / theirs for --repeats rounds; the figures are medians and the ratio is ours over
theirs. Model loading is excluded from the timing, included in the memory.

    python bench/encoder_speed.py [--n 10000] [--model all-MiniLM-L6-v2] [--device cpu] [--repeats 3]
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


def texts(n: int) -> list[str]:
    """The first n English clothing reviews (title + text), a realistic mix of lengths."""
    import _data

    frame = _data.english()
    return frame["text"].head(n).tolist()


def measure(impl: str, model: str, device: str, n: int) -> dict:
    """Encode once in this process; return sentences/s and peak RSS."""
    import numpy as np

    data = texts(n)
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
    parser.add_argument("--one", choices=["ours", "theirs"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.model, args.device, args.n)))
        return
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
