"""What a segment is about: its distinctive keywords, its name and its most typical members.

Keywords are class-based TF-IDF over the texts of each segment (outliers left out), so a segment's
words are the ones that set it apart from the other segments, not merely frequent words; words
that cannot name anything (numbers and units, review boilerplate, adverbs...) are left out
(:func:`insight.keywords.terms.term_fitness`). :func:`text_groups` gathers what
:func:`insight.keywords.names.name_groups` needs to name the segments of texts (the topics job).
Representatives are the members closest to the segment centroid in the original embedding space,
the examples to show next to a segment.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from insight.keywords.names import GroupTerms

KEYWORD_COLUMNS = ["segment", "keyword", "weight", "count", "docs"]


def empty_keywords() -> pd.DataFrame:
    """The keyword frame with no rows (``segment`` int64, ``keyword`` str, ``weight`` float64...)."""
    return pd.DataFrame(
        {
            "segment": pd.Series(dtype=np.int64),
            "keyword": pd.Series(dtype=object),
            "weight": pd.Series(dtype=np.float64),
            "count": pd.Series(dtype=np.int64),
            "docs": pd.Series(dtype=np.int64),
        }
    )


def segment_keywords(
    texts: Sequence[str | None],
    labels: np.ndarray,
    *,
    languages: Sequence[str | None] | str | None = None,
    top_n: int = 10,
    min_df: int = 2,
    ngram_range: tuple[int, int] = (1, 2),
    drop_generic: bool = True,
) -> pd.DataFrame:
    """The ``top_n`` distinctive keywords of each segment, by c-TF-IDF.

    ``texts`` has one entry per point; ``labels`` is (n,) int (-1 for outliers, which are left out).
    ``drop_generic`` removes e-commerce filler ("product", "item") that would top every segment.
    Keywords unfit to name a topic (numbers, units, boilerplate, non-nouns) are left out and
    adjectives count half. Returns columns ``segment, keyword, weight, count, docs`` sorted by
    segment then weight descending; empty when there are no texts or no segment.
    """
    from insight.keywords import extract_keywords
    from insight.keywords.terms import fitness

    labels = np.asarray(labels)
    if texts is None or len(texts) == 0 or not (labels >= 0).any():
        return empty_keywords()
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts for {len(labels)} labels")
    groups = [int(label) if label >= 0 else None for label in labels]
    frame = extract_keywords(
        list(texts),
        groups,
        languages=languages,
        top_n=5 * top_n,  # room for the ones the fitness filter leaves out
        ngram_range=ngram_range,
        min_df=min_df,
        drop_generic=drop_generic,
    )
    if frame.empty:
        return empty_keywords()
    frame = frame.rename(columns={"group": "segment"})
    frame["segment"] = frame["segment"].astype(np.int64)
    frame["weight"] = frame["weight"] * fitness(frame["keyword"], "topic")
    frame = frame[frame["weight"] > 0].sort_values(["segment", "weight"], ascending=[True, False], kind="stable")
    frame = frame.groupby("segment", sort=True).head(top_n)
    return frame[KEYWORD_COLUMNS].reset_index(drop=True)


def text_groups(
    texts: Sequence[str | None],
    labels: np.ndarray,
    *,
    languages: Sequence[str | None] | str | None = None,
    min_df: int = 2,
) -> GroupTerms:
    """Term counts per segment of texts (outliers left out), the language of each term and of each segment.

    ``labels`` (n,) int gives each text's segment; ``languages`` one code per text or one for all
    (None: guessed from each text, see :func:`insight.keywords.tokenize.guess_language`).
    """
    from insight.keywords.background import term_languages
    from insight.keywords.ctfidf import document_term_matrix, group_indicator
    from insight.keywords.terms import phrase_checker
    from insight.keywords.tokenize import broadcast_languages, guess_language, normalise_language, tokenize_many

    labels = np.asarray(labels)
    texts = ["" if t is None else str(t) for t in texts]
    given = broadcast_languages(languages, len(texts))
    langs = [normalise_language(code) or guess_language(text) for text, code in zip(texts, given, strict=True)]
    ids = sorted(int(s) for s in np.unique(labels[labels >= 0]))
    code_of = {s: i for i, s in enumerate(ids)}
    codes = np.array([code_of.get(int(s), -1) for s in labels], dtype=np.int64)
    matrix, vocabulary = document_term_matrix(tokenize_many(texts, langs, drop_generic=True), min_df=min_df)
    vocabulary = np.asarray(vocabulary, dtype=object)
    indicator = group_indicator(codes, len(ids))
    shares = pd.crosstab(codes, pd.Series(langs, dtype=object).fillna("?").to_numpy(), normalize="index")
    return GroupTerms(
        ids=ids,
        counts=sp.csr_matrix(indicator @ matrix, dtype=np.float64),
        vocabulary=vocabulary,
        term_language=term_languages(matrix, langs),
        language_share=[shares.loc[g].to_dict() if g in shares.index else {} for g in range(len(ids))],
        sizes=[int((codes == g).sum()) for g in range(len(ids))],
        attested=phrase_checker(texts, matrix, vocabulary),
    )


def representatives(
    vectors: np.ndarray, labels: np.ndarray, centroids: dict[int, np.ndarray], k: int = 5
) -> dict[int, list[int]]:
    """Indices of the ``k`` members of each segment most similar (cosine) to its centroid, best first.

    ``vectors`` is (n, d) float, ``labels`` (n,) int, ``centroids`` maps segment -> (d,) unit vector.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms > 0, norms, 1.0)
    labels = np.asarray(labels)
    out: dict[int, list[int]] = {}
    for segment, centroid in centroids.items():
        members = np.flatnonzero(labels == segment)
        if not len(members):
            out[int(segment)] = []
            continue
        similarity = unit[members] @ np.asarray(centroid, dtype=np.float32)
        order = np.argsort(-similarity, kind="stable")[:k]
        out[int(segment)] = [int(i) for i in members[order]]
    return out
