"""py3langid's language model applied to many texts at once, with the same answers as one at a time.

py3langid walks each text's bytes through a finite automaton in a Python loop (about 90 µs for a
product title), which made language tagging most of an ingest's time. Here the texts, longest
first, walk the automaton side by side: step ``i`` moves every text still longer than ``i`` bytes
with one array look-up; once fewer than :data:`_SIDE_BY_SIDE` texts are still walking, those few finish
byte by byte as py3langid does (a step costs the same for one text as for thirty, so a lone text or
the long tail of one long review would be slower side by side). The features met are counted per
text and scored by the same naive Bayes tables (``log1p`` counts times the per-class weights,
scaled by the square root of the byte length and normalised, as py3langid does with ``norm_probs``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
from scipy import sparse

LANGUAGES = ["en", "pt", "es", "fr", "de", "it", "nl", "pl", "ru", "tr", "id", "vi", "zh", "ja", "ko"]
_PADDED_BYTES = 32 * 2**20  # bytes of one group's padded text matrix
_SIDE_BY_SIDE = 32  # fewer texts still walking finish one at a time: a step costs about as much as 30 texts' bytes


class _Model:
    """py3langid's tables as arrays, restricted to :data:`LANGUAGES`."""

    def __init__(self):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(LANGUAGES)
        self.classes = np.array(identifier.nb_classes, dtype=object)
        self.aliases = _repeated_labels(list(self.classes))
        self.weights = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)  # by rows: scipy copied it per call
        self.prior = np.asarray(identifier.nb_pc, dtype=np.float32)
        self.next_state = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32).astype(np.int64)
        self.row_base = np.asarray(identifier.tk_row, dtype=np.int64) << 8
        self.feature = np.asarray(identifier.tk_output, dtype=np.int64)
        # the same tables as Python sequences, for walking the last few texts one byte at a time
        self.next_state_seq, self.row_base_seq, self.feature_seq = (
            identifier.tk_nextmove,
            [row << 8 for row in identifier.tk_row],
            identifier.tk_output,
        )


def _repeated_labels(classes: list[str]) -> list[tuple[int, int]]:
    """(first column, later column) of each label held by two columns: such a label's scores count once."""
    first: dict[str, int] = {}
    pairs = []
    for column, label in enumerate(classes):
        if label in first:
            pairs.append((first[label], column))
        else:
            first[label] = column
    return pairs


@lru_cache(maxsize=1)
def _model() -> _Model:
    return _Model()


def encode(text: str) -> bytes:
    """The bytes py3langid scores: all-capitals lowered, NFC-normalised, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


def classify_many(texts: list[str]) -> tuple[list[str], list[float]]:
    """The most likely language of each text and its probability, as py3langid's ``classify``."""
    if not texts:
        return [], []
    model = _model()
    encoded = [encode(t) for t in texts]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    order = np.argsort(-lengths, kind="stable")
    scores = np.empty((len(texts), len(model.classes)), dtype=np.float32)
    start = 0
    while start < len(order):  # groups of texts of similar length, their padded matrix bounded
        stop = start + max(1, _PADDED_BYTES // max(int(lengths[order[start]]), 1))
        group = order[start:stop]
        scores[group] = _raw_scores([encoded[i] for i in group], lengths[group], model)
        start = stop
    scores *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, None]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for first, dupe in model.aliases:  # a label held by two columns: one score, in the first
        scores[:, first] += scores[:, dupe]
        scores[:, dupe] = 0.0
    best = scores.argmax(axis=1)
    return list(model.classes[best]), scores[np.arange(len(texts)), best].astype(float).tolist()


def _raw_scores(encoded: list[bytes], lengths: np.ndarray, model: _Model) -> np.ndarray:
    """Naive Bayes scores of texts sorted longest first (0 for a text with no feature, as py3langid)."""
    count, longest = len(encoded), int(lengths[0])
    padded = np.zeros((max(longest, 1), count), dtype=np.uint8)  # byte i of every text in row i
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    owner = np.repeat(np.arange(count), lengths)
    position = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    padded[position, owner] = flat
    still = count - np.searchsorted(lengths[::-1], np.arange(longest), side="right")  # texts longer than i
    state = np.zeros(count, dtype=np.int64)
    texts, features = [], []
    for i in range(longest):
        active = int(still[i])
        if active < _SIDE_BY_SIDE:  # the longest few: one at a time is quicker than a step for so few
            for text in range(active):
                met = _walk_on(encoded[text][i:], int(state[text]), model)
                texts.append(np.full(len(met), text, dtype=np.int64))
                features.append(np.asarray(met, dtype=np.int64))
            break
        moved = model.next_state[model.row_base[state[:active]] + padded[i, :active]]
        state[:active] = moved
        met = model.feature[moved]
        hit = np.flatnonzero(met >= 0)
        if len(hit):
            texts.append(hit)
            features.append(met[hit])
    if not texts:
        return np.zeros((count, len(model.classes)), dtype=np.float32)
    rows, columns = np.concatenate(texts), np.concatenate(features)
    counts = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(count, len(model.weights))
    )
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    scores = np.asarray(counts @ model.weights, dtype=np.float32) + model.prior
    scores[np.diff(counts.indptr) == 0] = 0.0
    return scores


def _walk_on(rest: bytes, state: int, model: _Model) -> list[int]:
    """The features met walking ``rest`` from ``state``, as py3langid walks a text."""
    next_state, row_base, feature = model.next_state_seq, model.row_base_seq, model.feature_seq
    met = []
    for byte in rest:
        state = next_state[row_base[state] + byte]
        if feature[state] >= 0:
            met.append(feature[state])
    return met
