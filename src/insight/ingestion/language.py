"""Language of each text (ISO 639-1), so models and tokenisers can be chosen per text.

Scripts decide the clear cases (Han, kana, Hangul); py3langid, restricted to languages common in
e-commerce, decides the rest. Texts with fewer than three letters get no language.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

LANGUAGES = ["en", "pt", "es", "fr", "de", "it", "nl", "pl", "ru", "tr", "id", "vi", "zh", "ja", "ko"]
_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")
_SCRIPT_LANGUAGES = {"zh", "ja", "ko"}  # told by their script alone


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def detect_language(text: str | None, hint: str | None = None) -> str | None:
    """Language code of one text, or None when there is too little text to tell.

    ``hint`` is the language the source is known to be mostly in; it wins when the classifier is
    unsure (short texts), which is where classifiers are most often wrong.
    """
    if not isinstance(text, str) or len(_LETTER.findall(text)) < 3:
        return None
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if len(_HAN.findall(text)) >= max(2, len(text) // 5):
        return "zh"
    language, confidence = _identifier().classify(text)
    if hint in _SCRIPT_LANGUAGES:  # a text without Han, kana or Hangul cannot be in the hinted language
        return language
    return hint if hint and language != hint and confidence < 0.99 else language


def detect_languages(texts: pd.Series, hint: str | None = None) -> pd.Series:
    """Language code per text; identical texts are classified once."""
    distinct = {t: detect_language(t, hint) for t in texts.dropna().unique()}
    return texts.map(lambda t: distinct.get(t) if isinstance(t, str) else None)
