"""Language of each text (ISO 639-1), so models and tokenisers can be chosen per text.

Scripts decide the clear cases (Han, kana, Hangul); py3langid's naive Bayes model, restricted to
languages common in e-commerce, decides the rest. Texts with fewer than three letters get no
language. The model is run over many texts at once (:mod:`insight.ingestion.langid_batch`): a shop's
million reviews are tagged at ingest, where one text at a time took most of the ingest's time.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from insight.ingestion.langid_batch import LANGUAGES, classify_many

__all__ = ["LANGUAGES", "detect_language", "detect_languages"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")
_SCRIPT_LANGUAGES = {"zh", "ja", "ko"}  # told by their script alone


def detect_language(text: str | None, hint: str | None = None) -> str | None:
    """Language code of one text, or None when there is too little text to tell.

    ``hint`` is the language the source is known to be mostly in; it wins when the classifier is
    unsure (short texts), which is where classifiers are most often wrong.
    """
    return _languages_of([text], hint)[0]


def detect_languages(texts: pd.Series, hint: str | None = None) -> pd.Series:
    """Language code per text; identical texts are classified once."""
    codes, distinct = pd.factorize(texts.where(texts.map(lambda t: isinstance(t, str)), None), use_na_sentinel=True)
    found = np.array([*_languages_of(list(distinct), hint), None], dtype=object)
    return pd.Series(found[codes], index=texts.index, dtype=object)


def _languages_of(texts: list, hint: str | None) -> list[str | None]:
    """Each text's language: by its script where that settles it, else by the model, then the hint."""
    out: list[str | None] = [None] * len(texts)
    modelled: list[int] = []
    for number, text in enumerate(texts):
        if not isinstance(text, str) or len(_LETTER.findall(text)) < 3:
            continue
        if _KANA.search(text):
            out[number] = "ja"
        elif _HANGUL.search(text):
            out[number] = "ko"
        elif len(_HAN.findall(text)) >= max(2, len(text) // 5):
            out[number] = "zh"
        else:
            modelled.append(number)
    languages, confidences = classify_many([texts[n] for n in modelled])
    for number, language, confidence in zip(modelled, languages, confidences, strict=True):
        if hint in _SCRIPT_LANGUAGES:  # a text without Han, kana or Hangul cannot be in the hinted language
            out[number] = language
        else:
            out[number] = hint if hint and language != hint and confidence < 0.99 else language
    return out
