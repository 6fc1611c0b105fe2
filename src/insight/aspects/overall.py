"""Clauses that judge the whole purchase ("love it", "差评", "não recomendo") rather than one aspect of it.

Every review site has them: openings, closings, titles and one-word reviews that say how the writer
feels and nothing about what. Clustered with the rest they form "aspects" named "needed" or
"avoid", and a bad product then alerts on them instead of on what is wrong with it. So before
aspects are found, each clause is compared with short verdicts written in English, Chinese and
Portuguese (e5 puts other languages near them too); a clause about as close to one of them as
paraphrases are is an **overall verdict**, as is an aspect made mostly of clauses near them: it
still counts for the review's feeling and is shown, but it is not an aspect and raises no alert.
"""

from __future__ import annotations

import numpy as np

OVERALL_ID = -2  # the aspect id of overall verdicts in stored mentions (-1: a clause with no aspect)
OVERALL_LABEL = "overall verdict"
# Cosines in the language-centred space (:mod:`insight.profiles.space`), where e5's short texts of one
# language no longer all look alike. Measured on demo clauses (bench/aspects.py): at 0.40 a clause is
# a verdict (65 % of openings, closings and titles; 5 % of clauses written about an aspect); an aspect
# whose clauses' median is 0.30 or more is a cluster of verdicts however it was phrased.
VERDICT_CLAUSE = 0.40
VERDICT_ASPECT = 0.36

VERDICTS = {
    "en": [
        "I love this product.",
        "Very satisfied with my purchase.",
        "Highly recommended.",
        "I would buy it again.",
        "Best purchase ever.",
        "It is good.",
        "Works as expected.",
        "It's alright, nothing more.",
        "So-so.",
        "Not impressed.",
        "Very disappointed with this.",
        "Terrible, do not buy.",
        "A complete waste of money.",
        "I returned it.",
        "One star.",
        "Five stars.",
    ],
    "zh": [
        "非常喜欢",
        "很满意这次购物",
        "强烈推荐",
        "会再买",
        "东西很好",
        "挺好的",
        "凑合吧",
        "马马虎虎",
        "很失望",
        "千万别买",
        "垃圾产品",
        "退货了",
        "一星",
        "五星",
    ],
    "pt": [
        "Adorei o produto.",
        "Muito satisfeita com a compra.",
        "Recomendo muito.",
        "Compraria novamente.",
        "Produto bom.",
        "Mais ou menos.",
        "Estou decepcionado.",
        "Péssimo, não comprem.",
        "Dinheiro jogado fora.",
        "Vou devolver.",
        "Nota dez.",
    ],
}


def verdict_texts() -> list[str]:
    """Every verdict, all languages together."""
    return [text for texts in VERDICTS.values() for text in texts]


def verdict_similarity(vectors: np.ndarray, verdict_vectors: np.ndarray) -> np.ndarray:
    """(n,) the cosine of each clause vector (n, d) with its closest verdict (v, d), both language-centred."""
    if not len(vectors):
        return np.zeros(0, dtype=np.float32)
    return (np.asarray(vectors, dtype=np.float32) @ np.asarray(verdict_vectors, dtype=np.float32).T).max(axis=1)
