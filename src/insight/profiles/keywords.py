"""Interest keywords of users and names of segments: c-TF-IDF over the texts they touched, weighted by how.

A user's keywords are the words that set their touched texts (item titles, searches, reviews)
apart from everyone else's, each text counted with the weight of the touch (a recent purchase
more than an old view); words that cannot name an interest (units, review boilerplate and
aspects, non-nouns: :func:`insight.keywords.terms.term_fitness`) are left out. Each distinct text
is tokenised and counted once; users and segments are then sparse weighted sums of those counts,
so 800k touches cost one matrix product, not 800k tokenisations. Segments are named by
:func:`insight.keywords.names.name_groups`, their centre being the weighted mean of the
embeddings of the texts their users touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import scipy.sparse as sp

from insight.keywords.background import term_languages
from insight.keywords.ctfidf import c_tf_idf, document_term_matrix, top_terms
from insight.keywords.names import GroupTerms, Name, name_groups
from insight.keywords.term_vectors import store_embedder
from insight.keywords.terms import fitness, overlaps, phrase_checker
from insight.keywords.tokenize import guess_language, tokenize_many


@dataclass
class TouchTerms:
    """Counts of the distinct touched texts, and which distinct text each touch is."""

    text_of_touch: np.ndarray  # (n_touches,) index into the distinct texts
    counts: sp.csr_matrix  # (n_distinct, n_terms)
    vocabulary: np.ndarray  # (n_terms,) the n-gram of each column
    languages: list[str | None] = field(default_factory=list)  # (n_distinct,) guessed language of each text
    texts: list[str] = field(default_factory=list)  # (n_distinct,) the distinct texts


def touch_terms(
    texts: pd.Series, *, min_df: int = 2, text_index: np.ndarray | None = None, first: np.ndarray | None = None
) -> TouchTerms:
    """Tokenise and count each distinct text once (generic shop words dropped, Chinese by jieba).

    A caller that already numbers the distinct texts passes ``text_index`` (each touch's number) and
    ``first`` (the row where each number first appears), which spares factorising millions of strings.
    """
    if (text_index is None) != (first is None):
        raise ValueError("touch_terms needs both text_index and first, or neither")
    if text_index is None:
        codes, distinct = pd.factorize(texts.fillna(""))
    else:
        codes, distinct = np.asarray(text_index), texts.iloc[first].fillna("").to_numpy()
    languages = [guess_language(text) for text in distinct]
    tokens = tokenize_many(list(distinct), languages, drop_generic=True)
    counts, vocabulary = document_term_matrix(tokens, ngram_range=(1, 2), min_df=min_df)
    return TouchTerms(np.asarray(codes), counts, vocabulary, languages, list(distinct))


def _mixing(terms: TouchTerms, group_of_touch: np.ndarray, weights: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """(groups, distinct texts) sum of touch weights (code -1: no group)."""
    keep = group_of_touch >= 0
    return sp.csr_matrix(
        (weights[keep], (group_of_touch[keep], terms.text_of_touch[keep])),
        shape=(n_groups, terms.counts.shape[0]),
    )


def weighted_keywords(
    terms: TouchTerms, group_of_touch: np.ndarray, weights: np.ndarray, n_groups: int, *, top_n: int = 5
) -> list[list[str]]:
    """The ``top_n`` distinctive keywords of each group (code -1: no group) that can name an interest, best first."""
    if terms.counts.shape[1] == 0:
        return [[] for _ in range(n_groups)]
    weighted = sp.csr_matrix(_mixing(terms, group_of_touch, weights, n_groups) @ terms.counts.astype(np.float64))
    tops = top_terms(c_tf_idf(weighted), 4 * top_n)  # room for the unfit ones
    seen = np.unique(np.concatenate(tops)) if tops else np.array([], dtype=np.int64)
    fit = dict(zip(seen.tolist(), fitness(terms.vocabulary[seen], "interest"), strict=True))
    return [_distinct_terms([terms.vocabulary[c] for c in cols if fit[c] > 0], top_n) for cols in tops]


def _distinct_terms(ranked: list[str], top_n: int) -> list[str]:
    """The first ``top_n`` terms that share no word with a better one ("shoes" after "running shoes")."""
    out: list[str] = []
    for term in ranked:
        if len(out) == top_n:
            break
        if not any(overlaps(term, kept) for kept in out):
            out.append(term)
    return out


def segment_groups(
    terms: TouchTerms, group_of_touch: np.ndarray, weights: np.ndarray, ids: list[int], sizes: list[int]
) -> GroupTerms:
    """Weighted term counts per segment, the language of each term and each segment's languages by touch weight."""
    mixing = _mixing(terms, group_of_touch, weights, len(ids))
    codes, names = pd.factorize(pd.Series(terms.languages, dtype=object).fillna("?"))
    language_of_text = sp.csr_matrix(
        (np.ones(len(codes)), (np.arange(len(codes)), codes)), shape=(len(codes), len(names))
    )
    usage = (mixing @ language_of_text).toarray()
    usage /= np.maximum(usage.sum(axis=1, keepdims=True), 1e-12)
    return GroupTerms(
        ids=list(ids),
        counts=sp.csr_matrix(mixing @ terms.counts.astype(np.float64)),
        vocabulary=np.asarray(terms.vocabulary, dtype=object),
        term_language=term_languages(terms.counts, terms.languages),
        language_share=[{str(n): float(u) for n, u in zip(names, row, strict=True) if u > 0} for row in usage],
        sizes=list(sizes),
        attested=phrase_checker(terms.texts, terms.counts, terms.vocabulary) if terms.texts else None,
    )


def name_segments(
    con: duckdb.DuckDBPyConnection,
    model: str,
    terms: TouchTerms,
    touches: pd.DataFrame,
    vectors: np.ndarray,
    group_of_touch: np.ndarray,
    weights: np.ndarray,
    sizes: list[int],
    *,
    device: str = "auto",
) -> list[Name]:
    """A :class:`~insight.keywords.names.Name` per segment code 0..len(sizes)-1.

    ``touches`` has ``text_index`` into ``vectors`` (m, d), the embeddings of the distinct touched
    texts under ``model``; a segment's centre is their touch-weighted mean over its users' touches.
    """
    n = len(sizes)
    keep = group_of_touch >= 0
    index = touches["text_index"].to_numpy()
    to_text = sp.csr_matrix((weights[keep], (group_of_touch[keep], index[keep])), shape=(n, len(vectors)))
    centres = np.asarray(to_text @ vectors.astype(np.float64))
    groups = segment_groups(terms, group_of_touch, weights, list(range(n)), sizes)
    return name_groups(groups, purpose="interest", centres=centres, embed=store_embedder(con, model, device=device))


def top_categories(categories: pd.Series, group_of_touch: np.ndarray, weights: np.ndarray, *, top_n: int = 3) -> dict:
    """Group code -> its ``top_n`` categories by touch weight (groups with no category are absent).

    Ties keep the order in which the categories first appear among the touches.
    """
    codes, names = pd.factorize(categories)
    keep = (group_of_touch >= 0) & (codes >= 0)
    if not keep.any():
        return {}
    n_groups = int(group_of_touch[keep].max()) + 1
    pairs, size = group_of_touch[keep] * len(names) + codes[keep], n_groups * len(names)
    totals = np.bincount(pairs, weights=weights[keep], minlength=size)
    totals[np.bincount(pairs, minlength=size) == 0] = -np.inf  # a category none of the group's touches has
    out = {}
    for group, row in enumerate(totals.reshape(n_groups, len(names))):
        ranked = np.argsort(-row, kind="stable")[:top_n]
        if np.isfinite(row[ranked]).any():
            out[group] = [names[c] for c in ranked if np.isfinite(row[c])]
    return out
