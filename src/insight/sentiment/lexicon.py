"""Lexicon sentiment: the fallback when no model can score a text, and the baseline models must beat.

VADER for English (and other Latin-script languages), LeIA (VADER's lexicon adapted to Brazilian
Portuguese) for Portuguese, SnowNLP's naive Bayes for Chinese. Thresholds are each tool's own
conventions: VADER's compound ±0.05, SnowNLP's probability 0.4 / 0.6.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

LABELS = ("negative", "neutral", "positive")


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _leia():
    from LeIA import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def is_praise(term: str, threshold: float = 1.5) -> bool:
    """Whether a term holds a word of praise ("adorable", "elegant", "bonito").

    Praise is VADER's or LeIA's valence of at least ``threshold``. Complaint words ("broken", "leak")
    are not praise: they name what is wrong.
    """
    lexicons = (_vader().lexicon, _leia().lexicon)
    return any(lexicon.get(word, 0.0) >= threshold for word in term.lower().split() for lexicon in lexicons)


def _score_one(text: str, language: str | None) -> float:
    """Polarity in [-1, 1]."""
    if language == "zh":
        from snownlp import SnowNLP

        return 2.0 * SnowNLP(text).sentiments - 1.0
    analyser = _leia() if language == "pt" else _vader()
    return float(analyser.polarity_scores(text)["compound"])


def _label(score: float, language: str | None) -> str:
    band = 0.2 if language == "zh" else 0.05
    return "positive" if score >= band else "negative" if score <= -band else "neutral"


def score_lexicon(texts: Sequence[str], languages: Sequence[str | None] | None = None) -> pd.DataFrame:
    """Lexicon label and score per text: columns ``label`` and ``score`` (in [-1, 1]).

    Each distinct (text, language) is scored once: lexicons run in Python, text by text, and shops
    repeat short reviews ("good product", "好评") thousands of times.
    """
    languages = list(languages) if languages is not None else [None] * len(texts)
    pairs = pd.DataFrame({"text": [str(t or "") for t in texts], "language": languages})
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(pairs.fillna({"language": ""})))
    once = np.array([_score_one(text, lang or None) if text else 0.0 for text, lang in distinct])
    scores = once[codes] if len(codes) else np.zeros(0)
    labels = [_label(s, lang) for s, lang in zip(scores, languages, strict=True)]
    return pd.DataFrame({"label": labels, "score": scores})
