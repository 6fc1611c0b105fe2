"""A three-class sentiment head on sentence embeddings: multinomial logistic regression + temperature.

Fitting can be *anchored* to a prior head (an L2 pull towards its weights): with few merchant ratings
the head stays close to the shipped default, with many it moves to the merchant's own notion of
negative / neutral / positive. Binary labels (positive/negative only) train the same three outputs.
Calibration is one temperature fitted on a held-out slice, so probabilities mean what they say.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import numpy as np

from insight.sentiment.lexicon import LABELS


@dataclass
class SentimentHead:
    """Weights (dim, 3), bias (3,), temperature, and what it was trained on."""

    weights: np.ndarray
    bias: np.ndarray
    temperature: float = 1.0
    encoder: str = "multilingual-e5-small"
    info: dict = field(default_factory=dict)

    def predict_proba(self, vectors: np.ndarray, lexicon_shift: np.ndarray | None = None) -> np.ndarray:
        """Calibrated class probabilities, float array (n, 3) in LABELS order.

        ``lexicon_shift`` (n,) moves each row's logits by (−s, 0, +s): a language's prior and its
        lexicon's weighted vote (``insight.sentiment.model.lexicon_shift``), where they were measured.
        """
        logits = (vectors @ self.weights + self.bias) / self.temperature
        if lexicon_shift is not None:
            logits = logits + np.outer(lexicon_shift, (-1.0, 0.0, 1.0))
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    @property
    def lexicon_weights(self) -> dict[str, float]:
        """Weight of the lexicon's polarity per language code (empty: the head alone)."""
        return dict(self.info.get("lexicon_weights", {}))

    @property
    def language_priors(self) -> dict[str, float]:
        """Shift of the negative-vs-positive logits per language code, where one was measured."""
        return dict(self.info.get("language_priors", {}))

    def to_bytes(self) -> bytes:
        """Serialised form (an .npz archive) for the store or a package file."""
        buffer = io.BytesIO()
        np.savez(
            buffer,
            weights=self.weights,
            bias=self.bias,
            temperature=np.array(self.temperature),
            meta=np.array(json.dumps({"encoder": self.encoder, "info": self.info})),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SentimentHead:
        """Inverse of ``to_bytes``."""
        archive = np.load(io.BytesIO(data), allow_pickle=False)
        meta = json.loads(str(archive["meta"]))
        return cls(archive["weights"], archive["bias"], float(archive["temperature"]), meta["encoder"], meta["info"])


def label_index(labels) -> np.ndarray:
    """Class indices (0 negative, 1 neutral, 2 positive) for label strings."""
    lookup = {name: i for i, name in enumerate(LABELS)}
    return np.array([lookup[label] for label in labels], dtype=np.int64)


def fit_head(
    vectors: np.ndarray,
    labels,
    *,
    prior: SentimentHead | None = None,
    anchor: float = 1e-2,
    l2: float = 1e-4,
    seed: int = 0,
    encoder: str = "multilingual-e5-small",
    info: dict | None = None,
) -> SentimentHead:
    """Fit a head on (n, dim) float32 vectors and label strings; classes are weighted to balance."""
    import torch

    rng = np.random.default_rng(seed)
    y = label_index(labels)
    order = rng.permutation(len(y))
    held = order[: max(1, len(y) // 7)]
    train = order[len(held) :] if len(y) > 20 else order
    generator = torch.Generator().manual_seed(seed)
    X = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32))
    Y = torch.from_numpy(y)
    counts = np.bincount(y[train], minlength=3).astype(np.float32)
    class_weight = torch.tensor(
        np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / (counts > 0).sum(), 0.0), dtype=torch.float32
    )
    dim = X.shape[1]
    W0 = torch.from_numpy(prior.weights.astype(np.float32)) if prior is not None else torch.zeros(dim, 3)
    b0 = torch.from_numpy(prior.bias.astype(np.float32)) if prior is not None else torch.zeros(3)
    W = (W0.clone() + 1e-3 * torch.randn(dim, 3, generator=generator)).requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    pull = anchor if prior is not None else l2
    optimiser = torch.optim.LBFGS([W, b], lr=0.5, max_iter=300, line_search_fn="strong_wolfe")
    idx = torch.from_numpy(train)

    def closure():
        optimiser.zero_grad()
        logits = X[idx] @ W + b
        loss = torch.nn.functional.cross_entropy(logits, Y[idx], weight=class_weight)
        loss = loss + pull * ((W - W0) ** 2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    head = SentimentHead(W.detach().numpy(), b.detach().numpy(), 1.0, encoder, dict(info or {}))
    head.temperature = _fit_temperature(head, vectors[held], y[held])
    return head


def _fit_temperature(head: SentimentHead, vectors: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising held-out negative log-likelihood (a 1-D grid search: robust and fast)."""
    logits = vectors @ head.weights + head.bias
    best, best_nll = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.25), np.log(8.0), 61)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = -(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


# (anchored to the prior?, strength): few labels favour a strong pull to the shipped head, many a weak one.
CANDIDATES = ((True, 1e-2), (True, 1e-3), (True, 1e-4), (False, 1e-3), (False, 1e-4))


def fit_adapted_head(
    vectors: np.ndarray, labels, *, prior: SentimentHead, seed: int = 0, encoder: str = "", info: dict | None = None
) -> tuple[SentimentHead, dict]:
    """Fit the best head for these labels: regularisation chosen on an inner 20 % split of them only.

    Returns the head refitted on all given rows and the inner-validation macro-F1 of every candidate.
    """
    from insight.sentiment.evaluate import macro_f1

    labels = np.asarray(labels, dtype=object)
    order = np.random.default_rng(seed + 1).permutation(len(labels))
    inner, fit_rows = order[: len(order) // 5], order[len(order) // 5 :]
    scores = {}
    for anchored, strength in CANDIDATES:
        head = fit_head(
            vectors[fit_rows],
            labels[fit_rows],
            prior=prior if anchored else None,
            anchor=strength,
            l2=strength,
            seed=seed,
            encoder=encoder,
        )
        predicted = np.asarray(LABELS)[head.predict_proba(vectors[inner]).argmax(axis=1)]
        scores[f"{'anchored' if anchored else 'scratch'} {strength:g}"] = macro_f1(labels[inner], predicted)
    best = max(scores, key=scores.get)
    anchored, strength = CANDIDATES[list(scores).index(best)]
    head = fit_head(
        vectors,
        labels,
        prior=prior if anchored else None,
        anchor=strength,
        l2=strength,
        seed=seed,
        encoder=encoder,
        info={**(info or {}), "regularisation": best},
    )
    return head, {k: round(v, 4) for k, v in scores.items()}
