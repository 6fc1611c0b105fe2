"""Distinctive keywords per group of reviews by class-based TF-IDF (c-TF-IDF, as BERTopic defines it).

Plain term frequency ranks "good" and "好" first in every group; c-TF-IDF treats each group (a
product, a category, a topic, a month) as one big document and weighs a term by how much more it is
used in that group than across all groups:

    W(t, c) = tf(t, c) * log(1 + A / f(t))

where ``tf(t, c)`` is the frequency of term t in class c (L1-normalised per class by default, as
BERTopic does when it transforms), ``f(t)`` the frequency of t across all classes and ``A`` the
average number of words per class. A word frequent everywhere gets a small idf, a word used
mostly in one group a large one. (BERTopic truncates ``A`` to an integer; it is kept exact here.)

Counting is done once per document with scikit-learn's ``CountVectorizer`` (custom analyzer:
:func:`.tokenize.tokenize` + :func:`.tokenize.ngrams`), so ``min_df`` drops n-grams seen in fewer
than that many reviews; documents are then summed per group with a sparse indicator matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize as sk_normalize

from insight.keywords.terms import KeptTerms, Purpose, fitness, phrase_checker
from insight.keywords.tokenize import ngrams, tokenize_many

KEYWORD_COLUMNS = ["group", "keyword", "weight", "count", "docs"]


def c_tf_idf(
    counts: sp.spmatrix | np.ndarray, *, normalize: bool = True, reduce_frequent: bool = False
) -> sp.csr_matrix:
    """c-TF-IDF weights of a class × term count matrix (rows: classes, columns: terms).

    ``normalize`` L1-normalises each class's term frequencies so long and short classes compare;
    ``reduce_frequent`` takes the square root of the weights (BERTopic's ``reduce_frequent_words``).
    """
    counts = sp.csr_matrix(counts, dtype=np.float64)
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    words_per_class = float(np.asarray(counts.sum(axis=1)).mean()) if counts.shape[0] else 0.0
    with np.errstate(divide="ignore"):
        idf = np.where(frequency > 0, np.log1p(words_per_class / np.maximum(frequency, 1e-300)), 0.0)
    weights = sp.csr_matrix(sk_normalize(counts, norm="l1", axis=1) if normalize else counts, copy=True)
    weights.data *= idf[weights.indices]  # tf times its idf: a product with a diagonal took 12 s at 50,000 items
    if reduce_frequent:
        weights.data = np.sqrt(weights.data)
    weights.eliminate_zeros()
    return weights


class TermCounts(tuple):
    """``(matrix, vocabulary)`` as :func:`document_term_matrix` returns it, unpacked like a pair.

    It also keeps the counts of each distinct document (``distinct``) and which of them each document
    is (``row_of``): groups of a million reviews are summed over their 130,000 distinct texts
    instead of over every review (:func:`group_sums`). A plain pair works everywhere too.
    """

    distinct: sp.csr_matrix
    row_of: np.ndarray

    def __new__(cls, distinct: sp.csr_matrix, row_of: np.ndarray, vocabulary: np.ndarray) -> TermCounts:
        """Every document's counts (row ``row_of[i]`` of ``distinct``) with the vocabulary."""
        pair = super().__new__(cls, (sp.csr_matrix(distinct[row_of]), vocabulary))
        pair.distinct, pair.row_of = distinct, row_of
        return pair


def group_sums(codes: np.ndarray, n_groups: int, terms: tuple) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Per group (``codes``, -1: none): each term's occurrences and the number of its documents holding it.

    The sums are whole numbers, so adding distinct documents times their copies gives the same as
    adding every document.
    """
    if isinstance(terms, TermCounts):
        kept = codes >= 0
        copies = sp.csr_matrix(
            (np.ones(int(kept.sum())), (codes[kept], terms.row_of[kept])), shape=(n_groups, terms.distinct.shape[0])
        )  # group × distinct document: how many of the group's documents are that one
        return sp.csr_matrix(copies @ terms.distinct), sp.csr_matrix(copies @ (terms.distinct > 0).astype(np.float64))
    matrix = terms[0]
    indicator = group_indicator(codes, n_groups)
    return sp.csr_matrix(indicator @ matrix), sp.csr_matrix(indicator @ (matrix > 0).astype(np.float64))


def document_term_matrix(
    tokens: Sequence[Sequence[str]], *, ngram_range: tuple[int, int] = (1, 2), min_df: int = 2
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Document × n-gram counts of tokenised documents and the n-gram of each column.

    ``min_df`` (at most the number of non-empty documents, so a handful of texts still yields
    keywords) drops n-grams found in fewer documents. No n-gram left gives a matrix with 0 columns.
    Identical documents are counted once and their row repeated ("好评", "great dress" recur
    by the thousand in a shop's reviews); the frequencies ``min_df`` is held to still count every document.
    """
    non_empty = sum(1 for t in tokens if t)
    if non_empty == 0:
        return sp.csr_matrix((len(tokens), 0), dtype=np.int64), np.array([], dtype=object)
    seen: dict[tuple, int] = {}
    row_of = np.fromiter((seen.setdefault(tuple(t), len(seen)) for t in tokens), dtype=np.int64, count=len(tokens))
    vectorizer = CountVectorizer(analyzer=partial(ngrams, n_range=ngram_range), min_df=1)
    try:
        distinct = sp.csr_matrix(vectorizer.fit_transform(list(seen)))
    except ValueError:  # no n-gram at all
        return sp.csr_matrix((len(tokens), 0), dtype=np.int64), np.array([], dtype=object)
    copies = np.bincount(row_of, minlength=distinct.shape[0])  # documents that are each distinct one
    per_row = np.diff(distinct.indptr)
    holding = np.bincount(distinct.indices, weights=np.repeat(copies, per_row), minlength=distinct.shape[1])
    counted = int(copies[per_row > 0].sum())  # documents with an n-gram, every copy counted, as min_df means
    keep = np.flatnonzero(holding >= max(1, min(min_df, counted)))
    return TermCounts(sp.csr_matrix(distinct[:, keep]), row_of, vectorizer.get_feature_names_out()[keep])


def terms_of_subset(
    matrix: sp.csr_matrix, vocabulary: np.ndarray, *, min_df: int = 2
) -> tuple[sp.csr_matrix, np.ndarray]:
    """What :func:`document_term_matrix` would give for a subset of documents, from their rows of a larger one.

    ``matrix`` holds just the subset's rows (counted with the same or a lower ``min_df``); n-grams now
    in fewer than ``min_df`` of them are dropped, as counting the subset again would drop them.
    """
    matrix = sp.csr_matrix(matrix)
    non_empty = int((np.diff(matrix.indptr) > 0).sum())
    if non_empty == 0 or matrix.shape[1] == 0:
        return sp.csr_matrix((matrix.shape[0], 0), dtype=np.int64), np.array([], dtype=object)
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    keep = np.flatnonzero(document_frequency >= max(1, min(min_df, non_empty)))
    return sp.csr_matrix(matrix[:, keep]), vocabulary[keep]


def group_indicator(codes: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """Sparse group × document matrix with a 1 where the document belongs to the group (code -1: none)."""
    docs = np.flatnonzero(codes >= 0)
    return sp.csr_matrix((np.ones(len(docs)), (codes[docs], docs)), shape=(n_groups, len(codes)))


def top_terms(weights: sp.csr_matrix, top_n: int) -> list[np.ndarray]:
    """Column indices of the ``top_n`` largest weights of each row, largest first (ties: lower column first)."""
    out = []
    for row in range(weights.shape[0]):  # row by row: one sort of every row's entries at once was slower
        start, end = weights.indptr[row], weights.indptr[row + 1]
        cols, vals = weights.indices[start:end], weights.data[start:end]
        order = np.lexsort((cols, -vals))[:top_n]
        out.append(cols[order])
    return out


def _factorize_groups(groups: Sequence | None, n: int) -> tuple[np.ndarray, list]:
    """Integer code per document (-1 for a missing group) and the group labels, sorted when sortable."""
    if groups is None:
        return np.zeros(n, dtype=np.int64), ["all"]
    values = (
        pd.Series(list(groups), dtype=object) if not isinstance(groups, pd.Series) else groups.reset_index(drop=True)
    )
    if len(values) != n:
        raise ValueError(f"groups has {len(values)} entries for {n} texts")
    try:
        codes, labels = pd.factorize(values, sort=True)
    except TypeError:  # labels of mixed, unorderable types: keep first-seen order
        codes, labels = pd.factorize(values, sort=False)
    return np.asarray(codes, dtype=np.int64), list(labels)


def extract_keywords(
    texts: Sequence[str | None],
    groups: Sequence | None = None,
    *,
    languages: Sequence[str | None] | str | None = None,
    top_n: int = 10,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 2,
    drop_generic: bool = False,
    normalize: bool = True,
    tokens: Sequence[Sequence[str]] | None = None,
    n_jobs: int = 1,
    terms: tuple[sp.csr_matrix, np.ndarray] | None = None,
    purpose: Purpose | None = None,
    attested: Callable[[int], bool] | None = None,
) -> pd.DataFrame:
    """The ``top_n`` most distinctive keywords of each group of texts, by c-TF-IDF.

    ``groups`` gives each text's group (product, category, rating...; None: one group ``"all"``;
    texts with a missing group are left out). ``languages`` is one ISO 639-1 code per text, one code
    for all, or None to tell Chinese from the rest by script. ``min_df`` drops n-grams found in
    fewer texts; ``drop_generic`` removes e-commerce filler ("product", "商品"). Pass ``tokens``
    (from :func:`.tokenize.tokenize_many`) to reuse a tokenisation across calls, and ``terms`` (from
    :func:`document_term_matrix` of those tokens) to reuse the counts too: they do not depend on groups.
    ``purpose`` (see :func:`insight.keywords.terms.term_fitness`) leaves out keywords unfit for it
    (numbers and units, review boilerplate...), scaling the others' weights by their fitness, and
    phrases no text holds as such, or whose words a better keyword of the group already holds; a
    caller grouping the same texts and terms several ways passes one ``attested`` check
    (:func:`insight.keywords.terms.phrase_checker`) to all the calls, so each phrase is looked for once.

    Returns columns ``group, keyword, weight, count, docs`` (count: occurrences in the group; docs:
    texts of the group containing it), sorted by group then weight descending.
    """
    if tokens is None:
        tokens = tokenize_many(texts, languages, drop_generic=drop_generic, n_jobs=n_jobs)
    elif len(tokens) != len(texts):
        raise ValueError(f"tokens has {len(tokens)} entries for {len(texts)} texts")
    codes, labels = _factorize_groups(groups, len(tokens))
    terms = terms or document_term_matrix(tokens, ngram_range=ngram_range, min_df=min_df)
    matrix, vocabulary = terms
    if matrix.shape[1] == 0 or not labels:
        return _empty_keywords()
    counts, docs = group_sums(codes, len(labels), terms)
    weights = c_tf_idf(counts, normalize=normalize)
    if purpose is not None and attested is None:
        attested = phrase_checker(texts, matrix, vocabulary)
    groups_kept, cols_kept, scale = _chosen_terms(weights, vocabulary, top_n, purpose, attested)
    if not len(cols_kept):
        return _empty_keywords()
    # Gathered once for every group (element-wise fancy indexing), not row by row: 50,000 items'
    # keywords took minutes when each group sliced the sparse matrices itself.
    return pd.DataFrame(
        {
            "group": pd.Series(labels, dtype=object).iloc[groups_kept].to_numpy(),
            "keyword": vocabulary[cols_kept],
            "weight": np.asarray(weights[groups_kept, cols_kept]).ravel() * scale,
            "count": np.asarray(counts[groups_kept, cols_kept]).ravel().astype(np.int64),
            "docs": np.asarray(docs[groups_kept, cols_kept]).ravel().astype(np.int64),
        }
    )


def _chosen_terms(weights: sp.csr_matrix, vocabulary: np.ndarray, top_n: int, purpose, attested) -> tuple:
    """(group, column, weight factor) arrays of each group's keywords, in order: best first within a group.

    Without a ``purpose`` a group's keywords are its ``top_n`` weights; with one, the best ``4 * top_n``
    are scaled by their fitness and the first ``top_n`` readable ones kept (:func:`_readable`).
    """
    tops = top_terms(weights, top_n if purpose is None else 4 * top_n)
    sizes = np.array([len(cols) for cols in tops], dtype=np.int64)
    if not sizes.sum():
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([])
    groups = np.repeat(np.arange(len(tops)), sizes)
    cols = np.concatenate(tops).astype(np.int64)
    if purpose is None:
        return groups, cols, np.ones(len(cols))
    candidates = np.unique(cols)
    fit = np.zeros(len(vocabulary))
    fit[candidates] = fitness(vocabulary[candidates], purpose)
    value = np.asarray(weights[groups, cols]).ravel() * fit[cols]
    kept_groups, kept_cols = [], []
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    for g in np.flatnonzero(sizes):
        lo, hi = bounds[g], bounds[g + 1]
        ranked = cols[lo:hi][np.lexsort((cols[lo:hi], -value[lo:hi]))][: int((value[lo:hi] > 0).sum())]
        chosen = _readable(ranked, vocabulary, attested, top_n)
        kept_groups.extend([g] * len(chosen))
        kept_cols.extend(chosen)
    kept_cols_array = np.array(kept_cols, dtype=np.int64)
    return np.array(kept_groups, dtype=np.int64), kept_cols_array, fit[kept_cols_array]


def _readable(ranked: np.ndarray, vocabulary: np.ndarray, attested, top_n: int) -> list[int]:
    """The first ``top_n`` columns that were written as such and whose words are not all in a better one."""
    out: list[int] = []
    kept = KeptTerms()
    for col in ranked.tolist():
        if len(out) == top_n:
            break
        term = str(vocabulary[col])
        if attested(col) and not kept.covered(term):
            out.append(col)
            kept.add(term)
    return out


def _empty_keywords() -> pd.DataFrame:
    """The keyword frame with no rows, with the same columns and dtypes."""
    return pd.DataFrame(
        {
            "group": pd.Series(dtype=object),
            "keyword": pd.Series(dtype="str"),
            "weight": pd.Series(dtype=np.float64),
            "count": pd.Series(dtype=np.int64),
            "docs": pd.Series(dtype=np.int64),
        }
    )
