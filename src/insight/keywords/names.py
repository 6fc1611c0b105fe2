"""Names of segments and topics made of words people use for products and interests, distinct from each other.

c-TF-IDF alone names groups after whatever sets their texts apart, which in a shop is often a
unit ("cm", "50ml"), a stock phrase ("weeks ago", "feels") or one idea three times ("running ·
running shoes · shoes"). A name is built the way BERTopic's representation models refine c-TF-IDF:

1. **candidates**: each group's top terms by c-TF-IDF, kept only when fit to name something
   (:func:`insight.keywords.terms.term_fitness`: no quantities, boilerplate or, for interests,
   review aspects; nouns preferred, as ``PartOfSpeech`` does), written as such in the texts
   (:func:`insight.keywords.terms.phrase_checker`: no "size spot" from "the size is spot on") and
   used clearly more in the group than in the rest (``MIN_CONTRAST``), which demotes what is
   common to every group;
2. **closeness to the centre** (``KeyBERTInspired``): candidates are embedded with the store's
   encoder and scored by cosine with the group's centre, taken relative to the mean of all centres
   so that what every group shares (the shop, the language model's own bias) counts for nothing;
   the score is the mean of this closeness and the c-TF-IDF weight, each scaled to [0, 1];
3. **diversity** (``MaximalMarginalRelevance``): terms are picked one by one, each trading its score
   against its similarity to the terms already picked, and a term sharing a word with one already
   picked ("shoes" after "running shoes") is skipped;
4. **one list per language**: a group whose texts are at least ``MIN_LANGUAGE_SHARE`` in another
   language gets that language's words too, interleaved ("running shoes · 跑鞋 · trail");
5. **distinct names**: groups are named largest first, and a group's name cannot start with a term
   that starts a larger group's name, so it starts with its next most distinctive one.

Without an encoder (``embed=None``) steps 2 and 3 use the c-TF-IDF weight and the shared-word rule only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from insight.keywords.ctfidf import c_tf_idf, top_terms
from insight.keywords.terms import Purpose, fitness, overlaps

Embed = Callable[[list[str]], np.ndarray]  # terms -> (n, d) float32 unit vectors

MIN_CONTRAST = 1.5  # a candidate's share of a group's words over its share of the other groups' words
MIN_LANGUAGE_SHARE = 0.2  # a language with this share of a group's texts gets its own words in the name
CANDIDATES = 20  # per group and language, re-ranked by closeness to the centre
CLOSENESS = 0.75  # weight of closeness to the centre against the c-TF-IDF weight, each scaled to [0, 1]
DIVERSITY = 0.3  # MMR's weight on dissimilarity to the terms already picked
LABEL_TERMS = 3
SEPARATOR = " · "


@dataclass
class GroupTerms:
    """Weighted term counts per group, with the language of every term and the languages of every group."""

    ids: list[int]  # (g,) group ids, in row order
    counts: sp.csr_matrix  # (g, t) float64: (weighted) occurrences of each term in each group
    vocabulary: np.ndarray  # (t,) str: the term of each column
    term_language: np.ndarray  # (t,) object: language code of each term (None: unknown)
    language_share: list[dict[str, float]]  # per group: language -> share of the group's text weight
    sizes: list[int]  # (g,) members of each group: larger groups choose their names first
    attested: Callable[[int], bool] | None = None  # column -> written as such somewhere (see phrase_checker)


@dataclass
class Name:
    """What a group is called, its keywords best first, and its words per language."""

    label: str
    keywords: list[str]
    by_language: dict[str, list[str]] = field(default_factory=dict)


def name_groups(
    groups: GroupTerms,
    *,
    purpose: Purpose = "interest",
    centres: np.ndarray | None = None,
    embed: Embed | None = None,
    top_n: int = 10,
    exclude: Callable[[str], bool] | None = None,
) -> list[Name]:
    """One :class:`Name` per group (in ``groups.ids`` order); an empty label where nothing fits.

    ``centres`` is (g, d) float, each group's centre in the encoder's space (e.g. the mean of its
    texts' embeddings), used with ``embed`` to re-rank candidates; ``purpose`` is ``interest`` for
    segments and ``topic`` for review topics (see :func:`insight.keywords.terms.term_fitness`);
    ``exclude`` drops terms a caller knows are unfit (an aspect's name takes no words of praise).
    """
    lists = candidates(groups, purpose=purpose, exclude=exclude)
    vocabulary = groups.vocabulary
    vectors: dict[int, np.ndarray] = {}
    if embed is not None and centres is not None and len(groups.ids):
        wanted = sorted({t for per_language in lists for terms in per_language.values() for t, _ in terms})
        if wanted:
            vectors = dict(zip(wanted, _unit(embed([str(vocabulary[t]) for t in wanted])), strict=True))
        centres = _contrastive(np.asarray(centres, dtype=np.float64))
    ranked: list[dict[str, list[str]]] = []
    for g, per_language in enumerate(lists):
        ranked.append(
            {
                language: [
                    str(vocabulary[t])
                    for t in _pick(terms, vectors, None if not vectors else centres[g], top_n, vocabulary)
                ]
                for language, terms in per_language.items()
            }
        )
    return _distinct(groups, ranked, top_n)


def candidates(
    groups: GroupTerms, *, purpose: Purpose = "interest", exclude: Callable[[str], bool] | None = None
) -> list[dict[str, list[tuple[int, float]]]]:
    """Per group, per language worth naming: up to ``CANDIDATES`` (term column, c-TF-IDF x fitness) best first.

    A group left with no candidate is given the next best: any content word that is no unit or
    boilerplate (aspects and adjectives included) and used more in the group than elsewhere; failing
    that (texts that only say "Perfect."), its c-TF-IDF words that are no number or unit.
    """
    counts = sp.csr_matrix(groups.counts, dtype=np.float64)
    if counts.shape[1] == 0:
        return [{} for _ in groups.ids]
    weights = c_tf_idf(counts)
    group_total = np.asarray(counts.sum(axis=1)).ravel()
    term_total = np.asarray(counts.sum(axis=0)).ravel()
    total = float(group_total.sum())
    fits: dict[str, dict[int, float]] = {purpose: {}, "keyword": {}, "any": {}}
    if exclude is not None:  # an excluded term is unfit for the purpose, kept only as a last resort
        fits[purpose] = {c: 0.0 for c in range(len(groups.vocabulary)) if exclude(str(groups.vocabulary[c]))}
        fits["keyword"] = dict(fits[purpose])
    out = []
    for g, cols in enumerate(top_terms(weights, 300)):
        inside = counts[g, cols].toarray().ravel()
        rest_total = total - group_total[g]
        rest = (term_total[cols] - inside) / rest_total if rest_total > 0 else np.zeros(len(cols))
        smooth = 1.0 / max(total, 1.0)
        contrast = (inside / max(group_total[g], 1e-12) + smooth) / (rest + smooth)
        if len(groups.ids) == 1:
            contrast[:] = np.inf
        weight = weights[g, cols].toarray().ravel()
        found = _group_candidates(groups, g, cols, weight, contrast, MIN_CONTRAST, purpose, fits[purpose])
        if not found:  # nothing fits the purpose: settle for the group's most distinctive content words
            found = _group_candidates(groups, g, cols, weight, contrast, 1.0, "keyword", fits["keyword"])
        if not found:  # a group of texts that only say "Perfect.": its words, units aside
            found = _group_candidates(groups, g, cols, weight, contrast, 0.0, "any", fits["any"])
        out.append(found)
    return out


def _group_candidates(groups, g, cols, weight, contrast, min_contrast, purpose, fit_cache):
    """One group's candidates per language: fit for ``purpose``, attested, with at least ``min_contrast``."""
    unseen = [c for c in cols if c not in fit_cache]
    fit_cache.update(zip(unseen, fitness(groups.vocabulary[unseen], purpose), strict=True))
    score = weight * np.array([fit_cache[c] for c in cols])
    keep = (score > 0) & (contrast >= min_contrast)
    wanted = _languages(groups.language_share[g])
    per_language: dict[str, list[tuple[int, float]]] = {lang: [] for lang in wanted}
    for c, s in zip(cols[keep], score[keep], strict=True):
        language = _language_of(groups.term_language[c], wanted)
        if language not in per_language or len(per_language[language]) >= CANDIDATES:
            continue
        if groups.attested is None or groups.attested(int(c)):
            per_language[language].append((int(c), float(s)))
    return {lang: terms for lang, terms in per_language.items() if terms}


def mmr(
    scores: np.ndarray, similarity: np.ndarray, *, top_n: int, diversity: float = DIVERSITY, blocked=None
) -> list[int]:
    """Maximal marginal relevance: indices picked one by one by ``(1 - diversity) * score - diversity * max sim``.

    ``scores`` (n,) relevance, ``similarity`` (n, n) between candidates; ``blocked(i, picked)`` may
    refuse a candidate given those already picked (e.g. one sharing a word with them).
    """
    left = list(range(len(scores)))
    picked: list[int] = []
    while left and len(picked) < top_n:
        if picked:
            redundancy = similarity[np.ix_(left, picked)].max(axis=1)
            value = (1 - diversity) * scores[left] - diversity * redundancy
        else:
            value = scores[left]
        best = left[int(np.argmax(value))]
        left.remove(best)
        if blocked is None or not blocked(best, picked):
            picked.append(best)
    return picked


def _pick(terms, vectors, centre, top_n, vocabulary) -> list[int]:
    """Term columns of one group and language, re-ranked by closeness to ``centre`` and diversified."""
    cols = [t for t, _ in terms]
    lexical = np.array([s for _, s in terms])
    lexical = lexical / max(float(lexical.max()), 1e-12)
    if centre is not None and all(c in vectors for c in cols):
        matrix = np.stack([vectors[c] for c in cols])
        closeness = matrix @ centre
        span = float(closeness.max() - closeness.min())
        scores = (1 - CLOSENESS) * lexical + CLOSENESS * ((closeness - closeness.min()) / span if span > 0 else 1.0)
        similarity = matrix @ matrix.T
    else:
        scores, similarity = lexical, np.zeros((len(cols), len(cols)))
    words = [str(vocabulary[c]) for c in cols]
    chosen = mmr(
        scores, similarity, top_n=top_n, blocked=lambda i, picked: any(overlaps(words[i], words[j]) for j in picked)
    )
    return [cols[i] for i in chosen]


def _distinct(groups: GroupTerms, ranked: list[dict[str, list[str]]], top_n: int) -> list[Name]:
    """Names, largest group first, none starting with a term that already starts another's name."""
    names: list[Name | None] = [None] * len(ranked)
    leads: set[str] = set()
    labels: set[str] = set()
    for g in sorted(range(len(ranked)), key=lambda g: (-groups.sizes[g], groups.ids[g])):
        order = sorted(ranked[g], key=lambda lang: -groups.language_share[g].get(lang, 0.0))
        merged = _interleave([ranked[g][lang] for lang in order])
        lead = next((t for t in merged if t not in leads), merged[0] if merged else None)
        terms = [] if lead is None else [lead, *(t for t in merged if t != lead)]
        label = SEPARATOR.join(terms[:LABEL_TERMS])
        extra = LABEL_TERMS
        while label in labels and extra < len(terms):  # same terms in the same order: add the next one
            extra += 1
            label = SEPARATOR.join(terms[:extra])
        if lead is not None:
            leads.add(lead)
            labels.add(label)
        names[g] = Name(label, terms[:top_n], {lang: ranked[g][lang] for lang in order})
    return [n if n is not None else Name("", []) for n in names]


def _interleave(lists: Sequence[list[str]]) -> list[str]:
    """The first of each list, then the second of each... without repeats."""
    out: list[str] = []
    for i in range(max((len(x) for x in lists), default=0)):
        for terms in lists:
            if i < len(terms) and terms[i] not in out:
                out.append(terms[i])
    return out


def _languages(share: dict[str, float]) -> list[str]:
    """The languages of a group worth words of their own: its main one, and any with MIN_LANGUAGE_SHARE."""
    ordered = sorted(share, key=lambda lang: -share[lang])
    return [lang for i, lang in enumerate(ordered) if i == 0 or share[lang] >= MIN_LANGUAGE_SHARE][:3] or ["?"]


def _language_of(term_language, wanted: list[str]) -> str | None:
    """The list a term goes to: its own language's (None when the group has too little of that language).

    A term of unknown language, or any term of a group whose languages are unknown, goes to the main list.
    """
    if term_language is None or wanted == ["?"]:
        return wanted[0]
    return term_language if term_language in wanted else None


def _unit(vectors: np.ndarray) -> np.ndarray:
    """(n, d) float64 rows scaled to unit length."""
    array = np.asarray(vectors, dtype=np.float64)
    return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-12)


def _contrastive(centres: np.ndarray) -> np.ndarray:
    """(g, d) unit directions from the mean of all centres to each (the centres themselves when g = 1)."""
    centres = _unit(centres)
    if len(centres) > 1:
        centres = centres - centres.mean(axis=0, keepdims=True)
    return _unit(centres)
