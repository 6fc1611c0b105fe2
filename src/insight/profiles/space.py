"""One language-neutral vector space per store: each language's texts moved onto a common centre.

A multilingual encoder places texts by what they say *and* by the language they say it in: on the
demo shop, multilingual-e5-small's vectors tell English from Chinese texts perfectly, and segments
of users split by language before interest. Subtracting from each text its language's centre (and
renormalising) removes the part every text of a language shares: after it, a linear probe tells the
language of a demo text no better than guessing the majority, and "跑鞋" lands among the same users
as "trail running shoes".

A language's centre is **not** simply the mean of its texts: when the languages of a store talk
about different things (English reviews all of clothes, Chinese ones of clothes, shampoo, books and
tablets), that mean is the language *and* its topics, and subtracting it erases what English users
are into ("dresses and clothes" then found 4 % of the English clothing reviewers). The difference
between two languages' centres is measured instead on pairs of texts that say the same thing:
mutual nearest neighbours across the two languages (each among the other's 3 nearest), re-paired
once after a first correction (:func:`matched_offsets`). Every language is then centred on the
store's overall centre plus its own offset from the main language. A language with too few texts
or pairs for that falls back to its own mean, shrunk towards the mean of all texts.

Measured (bench/truth_mixed.py, bench/truth_interest.py): on the demo shop, where both languages
sell the same categories, the matched centres and the plain means do equally well (average
precision 0.80 for "trail running shoes" against the users whose favourite is running or outdoor);
on Chinese clothes/shampoo/books/tablets reviewers mixed with English clothing reviewers, "dresses
and clothes" ranks the clothing reviewers of both languages with average precision 0.90 against
0.61 with plain means, and segments agree with interests at NMI 0.44 against 0.34.

The centres are a statistic of a store (the texts a segments run used), so each run records its
:class:`LanguageSpace` (:meth:`LanguageSpace.to_record`) and everything that compares vectors later
(interest search, lookalikes) reads it from the run instead of recomputing it; a free text in a
language the store does not have is centred on the mean of all texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SHRINK_TEXTS = 20  # a language's mean counts as this many texts of the all-text mean (few texts: noisy means)
MIN_TEXTS = 20  # texts a language needs before its offset is measured on matched pairs
MIN_PAIRS = 10  # matched pairs an offset needs (fewer: the language's own mean is used)
PAIR_SAMPLE = 3_000  # texts per language searched for pairs (a 3,000 x 3,000 product)
PAIR_NEIGHBOURS = 3  # a pair: each text among the other's this many nearest of its language
_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero): float32 (n, dim)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


def language_of(text: str | None, hint: str | None = None) -> str | None:
    """The language of one text as the space groups it: detected, else told by its script, else ``hint``.

    Search queries and interests typed on a page are short ("跑鞋" has two letters, too few for
    :func:`insight.ingestion.language.detect_language`); their script still tells Chinese, Japanese
    and Korean apart, and anything else falls back to ``hint`` (the store's main language).
    """
    from insight.ingestion.language import detect_language

    if not isinstance(text, str) or not text.strip():
        return hint
    found = detect_language(text, hint)
    if found:
        return found
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):
        return "zh"
    return hint


def fill_languages(texts: Sequence[str], languages: Sequence[str | None]) -> np.ndarray:
    """Each text's language: the one given, else detected (:func:`language_of`, hinted by the main language).

    Returns an object array of language codes; a text nothing can place gets the main language.
    """
    given = np.array([lang if isinstance(lang, str) and lang else None for lang in languages], dtype=object)
    known = [lang for lang in given if lang is not None]
    main = max(set(known), key=known.count) if known else None
    missing = np.flatnonzero(given == None)  # noqa: E711 - elementwise on an object array
    detected: dict[str, str | None] = {}
    for i in missing:
        text = texts[i]
        if text not in detected:
            detected[text] = language_of(text, main)
        given[i] = detected[text] or main or "und"
    return given


@dataclass(frozen=True)
class LanguageSpace:
    """Per-language means of a store's text vectors, and how to centre vectors with them.

    ``means``: language -> (dim,) float32 mean (shrunk towards ``overall``); ``counts``: texts per
    language; ``overall``: (dim,) float32 mean of all texts, used for a language the store lacks.
    """

    means: dict[str, np.ndarray]
    counts: dict[str, int]
    overall: np.ndarray

    @property
    def main_language(self) -> str | None:
        """The language with most texts (the hint for short, unplaceable texts)."""
        return max(self.counts, key=self.counts.get) if self.counts else None

    def mean_of(self, language: str | None) -> np.ndarray:
        """The mean a text of ``language`` is centred on (the all-text mean for an unknown language)."""
        return self.means.get(language, self.overall) if language is not None else self.overall

    def neutral(self, vectors: np.ndarray, languages: Sequence[str | None]) -> np.ndarray:
        """Vectors (n, dim) centred on their language's mean and renormalised: float32 (n, dim)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        languages = np.asarray(languages, dtype=object)
        out = vectors.copy()
        for language in {lang for lang in languages}:
            rows = languages == language
            out[rows] -= self.mean_of(language)
        return unit_rows(out)

    def neutral_text(self, vector: np.ndarray, text: str) -> np.ndarray:
        """A free text's vector (dim,) centred on its own detected language's mean, unit length."""
        language = language_of(text, self.main_language)
        return self.neutral(np.asarray(vector)[None, :], [language])[0]

    def to_record(self) -> dict:
        """A JSON-ready dict for a run's parameters (6 decimals are far below the vectors' own noise)."""
        return {
            "counts": {k: int(v) for k, v in self.counts.items()},
            "means": {k: [round(float(x), 6) for x in v] for k, v in self.means.items()},
            "overall": [round(float(x), 6) for x in self.overall],
        }

    @classmethod
    def from_record(cls, record: dict | None) -> LanguageSpace | None:
        """Inverse of :meth:`to_record`; None for runs made before language-neutral vectors."""
        if not record or "overall" not in record:
            return None
        return cls(
            means={k: np.asarray(v, dtype=np.float32) for k, v in record["means"].items()},
            counts={k: int(v) for k, v in record["counts"].items()},
            overall=np.asarray(record["overall"], dtype=np.float32),
        )


def fit_space(
    vectors: np.ndarray, languages: Sequence[str | None], *, shrink: int = SHRINK_TEXTS, matched: bool = True
) -> LanguageSpace:
    """The language centres of ``vectors`` (float (n, dim), one per distinct text) by ``languages`` (n,).

    With ``matched`` (the default) a language's centre is the overall centre plus its offset from
    the main language measured on matched pairs (:func:`matched_offsets`); otherwise, and for a
    language without enough pairs, it is (sum of its texts + ``shrink`` × the all-text mean) /
    (texts + ``shrink``): thousands of texts keep their own mean, a handful stay near the overall.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    languages = np.asarray([lang if lang is not None else "und" for lang in languages], dtype=object)
    if not len(vectors):
        raise ValueError("a language space needs at least one text vector")
    overall = vectors.mean(axis=0)
    means, counts = {}, {}
    for language in sorted(set(languages)):
        rows = vectors[languages == language]
        counts[language] = len(rows)
        means[language] = ((rows.sum(axis=0) + shrink * overall) / (len(rows) + shrink)).astype(np.float32)
    offsets = matched_offsets(vectors, languages) if matched else {}
    if len(offsets) > 1:
        paired = np.isin(languages, list(offsets))
        shift = np.stack([offsets[lang] for lang in languages[paired]])
        centre = (vectors[paired] - shift).mean(axis=0)
        means.update({lang: (centre + offset).astype(np.float32) for lang, offset in offsets.items()})
    return LanguageSpace(means=means, counts=counts, overall=overall.astype(np.float32))


def matched_offsets(vectors: np.ndarray, languages: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    """Each language's offset from the main language, measured on texts that say the same thing.

    For each language with :data:`MIN_TEXTS` texts, up to :data:`PAIR_SAMPLE` of its texts and of
    the main language's are paired when each is among the other's :data:`PAIR_NEIGHBOURS` nearest
    (cosine, after removing the current offset estimate); the offset is the mean difference over
    the pairs, estimated twice (from no offset, then from the first estimate). Languages with fewer
    than :data:`MIN_PAIRS` pairs are left out. The main language maps to a zero offset; returns
    ``{language: (dim,) float64}``, empty when there is one language only.
    """
    names, counts = np.unique(languages, return_counts=True)
    if len(names) < 2:
        return {}
    rng = np.random.default_rng(seed)
    main = names[counts.argmax()]
    sample = {lang: rng.permutation(np.flatnonzero(languages == lang))[:PAIR_SAMPLE] for lang in names}
    theirs = vectors[sample[main]]
    offsets = {main: np.zeros(vectors.shape[1])}
    for lang, n in zip(names, counts, strict=True):
        if lang == main or n < MIN_TEXTS:
            continue
        ours, offset = vectors[sample[lang]], np.zeros(vectors.shape[1])
        for _ in range(2):
            mine, other = _mutual_pairs(unit_rows(ours - offset), theirs)
            if len(mine) < MIN_PAIRS:
                break
            offset = (ours[mine] - theirs[other]).mean(axis=0)
        else:
            offsets[lang] = offset
    return offsets


def _mutual_pairs(ours: np.ndarray, theirs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (i, j) with j among i's nearest rows of ``theirs`` and i among j's nearest of ``ours``."""
    k = min(PAIR_NEIGHBOURS, len(ours), len(theirs))
    sims = ours @ np.asarray(theirs, dtype=np.float32).T
    near_theirs = np.argpartition(-sims, k - 1, axis=1)[:, :k]  # (n_ours, k)
    near_ours = np.argpartition(-sims, k - 1, axis=0)[:k, :].T  # (n_theirs, k)
    mine = np.repeat(np.arange(len(ours)), k)
    other = near_theirs.ravel()
    keep = (near_ours[other] == mine[:, None]).any(axis=1)
    return mine[keep], other[keep]
