"""Our encoder's batching settings against each other, in one warm process on the same reviews.

Padding multiple (PAD_TO) and rows per CPU batch (MAX_ROWS) trade speed against the number of batch
shapes (and so oneDNN's per-shape cache, i.e. memory); this shows what each costs in speed. The
first setting is measured again at the end, so the spread between those two is the noise.

    python bench/encoder_variants.py [--n 3000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402

import insight.encode.hf as hf  # noqa: E402
from insight.encode import get_encoder  # noqa: E402

SETTINGS = ((8, 64), (1, 512), (8, 512), (1, 64), (8, 64))  # (PAD_TO, MAX_ROWS on CPU); the first repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    texts = _data.english()["text"].head(args.n).tolist()
    encoder = get_encoder("all-MiniLM-L6-v2", "cpu")
    encoder.encode(texts[:64])
    for pad, rows in SETTINGS:
        hf.PAD_TO, hf.MAX_ROWS["cpu"] = pad, rows
        start = time.perf_counter()
        encoder.encode(texts)
        print(f"pad to {pad:>1}, at most {rows:>3} rows: {len(texts) / (time.perf_counter() - start):6.1f} sentences/s")


if __name__ == "__main__":
    main()
