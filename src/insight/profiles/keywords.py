"""Interest keywords of users and segments: c-TF-IDF over the texts they touched, weighted by how.

A user's keywords are the words that set their touched texts (item titles, searches, reviews)
apart from everyone else's, each text counted with the weight of the touch (a recent purchase
more than an old view). Each distinct text is tokenised and counted once; users and segments are
then sparse weighted sums of those counts, so 800k touches cost one matrix product, not 800k
tokenisations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from insight.keywords.ctfidf import c_tf_idf, document_term_matrix, top_terms
from insight.keywords.tokenize import tokenize_many


@dataclass
class TouchTerms:
    """Counts of the distinct touched texts, and which distinct text each touch is."""

    text_of_touch: np.ndarray  # (n_touches,) index into the distinct texts
    counts: sp.csr_matrix  # (n_distinct, n_terms)
    vocabulary: np.ndarray  # (n_terms,) the n-gram of each column


def touch_terms(texts: pd.Series, *, min_df: int = 2) -> TouchTerms:
    """Tokenise and count each distinct text once (generic shop words dropped, Chinese by jieba)."""
    codes, distinct = pd.factorize(texts.fillna(""))
    tokens = tokenize_many(list(distinct), None, drop_generic=True)
    counts, vocabulary = document_term_matrix(tokens, ngram_range=(1, 2), min_df=min_df)
    return TouchTerms(np.asarray(codes), counts, vocabulary)


def weighted_keywords(
    terms: TouchTerms, group_of_touch: np.ndarray, weights: np.ndarray, n_groups: int, *, top_n: int = 5
) -> list[list[str]]:
    """The ``top_n`` distinctive keywords of each group (code -1: no group), best first."""
    if terms.counts.shape[1] == 0:
        return [[] for _ in range(n_groups)]
    keep = group_of_touch >= 0
    mixing = sp.csr_matrix(
        (weights[keep], (group_of_touch[keep], terms.text_of_touch[keep])),
        shape=(n_groups, terms.counts.shape[0]),
    )
    weighted = sp.csr_matrix(mixing @ terms.counts.astype(np.float64))
    return [list(terms.vocabulary[cols]) for cols in top_terms(c_tf_idf(weighted), top_n)]


def top_categories(categories: pd.Series, group_of_touch: np.ndarray, weights: np.ndarray, *, top_n: int = 3) -> dict:
    """Group code -> its ``top_n`` categories by touch weight (groups with no category are absent)."""
    frame = pd.DataFrame({"group": group_of_touch, "category": categories.to_numpy(), "weight": weights})
    frame = frame[(frame["group"] >= 0) & frame["category"].notna()]
    totals = frame.groupby(["group", "category"], sort=False)["weight"].sum().reset_index()
    totals = totals.sort_values(["group", "weight"], ascending=[True, False], kind="stable")
    return {int(g): list(part["category"].head(top_n)) for g, part in totals.groupby("group", sort=True)}
