"""What sets a shop's reviews apart from everyday language: keywords weighed against a background.

c-TF-IDF compares groups with each other; for "all reviews" there is no other group, and the
single-class c-TF-IDF is plain frequency: "value, feels, use, weeks". Here each keyword's share of
the shop's words is compared with its frequency in the language at large, from ``wordfreq``'s
lists (Wikipedia, subtitles, news, books, web text... for ~40 languages, shipped in the wheel):

    score(t) = p(t) * log(p_lang(t) / q(t))

the pointwise Kullback-Leibler "informativeness" Tomokiyo and Hurst (2003) use for keyphrases:
``p(t)`` is t's share of all the shop's words, ``p_lang(t)`` its share of the words written in t's
language, and ``q(t)`` its background frequency. A word the shop uses no more than the language
does scores ≤ 0; one it uses much more, often, scores high ("kettle", "跑鞋"). A phrase's
background is estimated as wordfreq does for phrases (the harmonic sum of its words'
frequencies), divided by 10 per extra word, since a phrase is rarer than its rarest word.
Words a list does not know (brands, typos) get the list's floor. Languages without a list score
by frequency alone: boilerplate and unit filters still apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import pandas as pd
import scipy.sparse as sp

from insight.keywords.terms import Purpose, fitness, overlaps, phrase_checker, words_of

FLOOR = 1e-8  # wordfreq's "large" lists stop at about this frequency (Zipf 1)
PHRASE_FACTOR = 10.0  # each extra word of a phrase makes it this much rarer than the harmonic estimate


@cache
def frequencies(language: str | None) -> dict[str, float] | None:
    """The word -> frequency table of ``wordfreq`` of a language (None when there is none, or no wordfreq)."""
    if not language:
        return None
    try:
        import wordfreq

        if language not in wordfreq.available_languages("large") and language not in wordfreq.available_languages():
            return None
        return wordfreq.get_frequency_dict(language, "best")
    except (ImportError, LookupError, ValueError):
        return None


def background_frequency(term: str, language: str | None) -> float | None:
    """Estimated frequency of a keyword in everyday ``language``; None without a list for it."""
    table = frequencies(language)
    if table is None:
        return None
    words = words_of(term)
    if not words:
        return None
    inverse = sum(1.0 / max(table.get(w, 0.0), FLOOR) for w in words)
    return 1.0 / inverse / PHRASE_FACTOR ** (len(words) - 1)


def term_languages(matrix: sp.csr_matrix, languages: Sequence[str | None]) -> np.ndarray:
    """(t,) object: the language most of the documents using each term are written in.

    ``matrix`` is a (documents, terms) count matrix, ``languages`` one code (or None) per document.
    """
    codes, names = pd.factorize(pd.Series(list(languages), dtype=object), use_na_sentinel=True)
    names = list(names)
    if not names:
        return np.full(matrix.shape[1], None, dtype=object)
    docs = np.flatnonzero(codes >= 0)
    indicator = sp.csr_matrix((np.ones(len(docs)), (codes[docs], docs)), shape=(len(names), matrix.shape[0]))
    usage = (indicator @ (matrix > 0).astype(np.float64)).toarray()  # (languages, terms)
    best = usage.argmax(axis=0)
    return np.where(usage.max(axis=0) > 0, np.array(names, dtype=object)[best], None)


def distinctive_keywords(
    matrix: sp.csr_matrix,
    vocabulary: np.ndarray,
    languages: Sequence[str | None],
    tokens_per_language: dict[str | None, int],
    *,
    top_n: int = 15,
    purpose: Purpose = "shop",
    groups: Sequence | None = None,
    texts: Sequence[str] | None = None,
    attested: Callable[[int], bool] | None = None,
) -> pd.DataFrame:
    """The ``top_n`` keywords that most set these documents apart from their languages' everyday use.

    ``matrix`` (documents, terms) counts each term per document, ``vocabulary`` names the columns,
    ``languages`` gives each document's language and ``tokens_per_language`` how many keyword tokens
    each language's documents hold (the denominators of the shares). Terms unfit for ``purpose``
    (:func:`insight.keywords.terms.term_fitness`) are left out. With ``groups`` (one category, item...
    per document, None for none) the score is multiplied by how focused a term is on some of the
    groups (:func:`focus`): a product word is, the stock phrases every review opens with are not. With
    ``texts`` (the documents), a phrase no one wrote as such is left out
    (:func:`insight.keywords.terms.phrase_checker`); a term sharing a word with a better one is left
    out too ("trails" after "muddy trails"); a caller that already has that check for these texts and
    terms passes it as ``attested``. Returns ``keyword, weight, count, docs, language`` best first.
    """
    counts = np.asarray(matrix.sum(axis=0)).ravel().astype(np.float64)
    docs = np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.int64)
    term_language = term_languages(matrix, languages)
    total = max(sum(tokens_per_language.values()), 1)
    own_total = np.array([max(tokens_per_language.get(lang, 0), 1) for lang in term_language], dtype=np.float64)
    share, own_share = counts / total, counts / own_total
    # Only terms that are frequent enough to matter are looked up: the score is at most their share.
    order = np.argsort(-counts, kind="stable")[: max(50 * top_n, 500)]
    fit = fitness(vocabulary[order], purpose)
    order = order[fit > 0]
    background = np.array([background_frequency(str(vocabulary[i]), term_language[i]) for i in order], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isnan(background), 1.0 + own_share[order], own_share[order] / background)
    score = share[order] * np.log(ratio) * fit[fit > 0]
    if groups is not None:
        score = score * focus(matrix[:, order], groups)
    if attested is None and texts is not None:
        attested = phrase_checker(texts, matrix, vocabulary)
    best: list[int] = []
    for i in np.argsort(-score, kind="stable"):
        if len(best) == top_n or score[i] <= 0:
            break
        term = str(vocabulary[order[i]])
        if attested is not None and not attested(int(order[i])):
            continue
        if not any(overlaps(term, str(vocabulary[order[j]])) for j in best):
            best.append(int(i))
    chosen = order[best]
    return pd.DataFrame(
        {
            "keyword": vocabulary[chosen].astype(str),
            "weight": score[best],
            "count": counts[chosen].astype(np.int64),
            "docs": docs[chosen],
            "language": term_language[chosen],
        }
    )


def focus(matrix: sp.csr_matrix, groups: Sequence) -> np.ndarray:
    """(t,) in [0, 1): how concentrated each term's documents are on some groups rather than spread evenly.

    The Kullback-Leibler divergence of the term's documents over the groups from all documents over
    the groups (add-one smoothed), mapped to ``kl / (kl + 0.5)``: 0 for a term used alike everywhere,
    near 1 for one used in a single group of many. Documents with no group are left out; with fewer
    than two groups every term gets 1.
    """
    codes, names = pd.factorize(pd.Series(list(groups), dtype=object), use_na_sentinel=True)
    if len(names) < 2:
        return np.ones(matrix.shape[1])
    docs = np.flatnonzero(codes >= 0)
    indicator = sp.csr_matrix((np.ones(len(docs)), (codes[docs], docs)), shape=(len(names), matrix.shape[0]))
    usage = (indicator @ (matrix > 0).astype(np.float64)).toarray() + 1.0  # (groups, terms), add-one
    base = np.bincount(codes[docs], minlength=len(names)).astype(np.float64) + 1.0
    p = usage / usage.sum(axis=0, keepdims=True)
    q = (base / base.sum())[:, None]
    kl = (p * np.log(p / q)).sum(axis=0)
    return kl / (kl + 0.5)
