"""Fine-tuning multilingual-e5-small on rated reviews: the encoder and a three-class head, trained together.

When a head on frozen embeddings is not enough (it separates the rare 3-star "neutral" class poorly),
the encoder itself is trained on the store's labels: ratings 1–2 negative, 3 neutral, 4–5 positive, or
given labels (binary labels train the same three outputs, neutral weighted 0). The model is the one
``insight.encode.hf.HFEncoder`` loads, with its pooling (mean over the attention mask, L2 norm) and
a linear head on that unit vector, so a fine-tuned model scores through the ordinary encoding path:
``HFEncoder.encode`` then ``SentimentHead.predict_proba``.

Two ways to train, chosen by ``FinetuneSettings.freeze_layers``:

* **all layers** (0, the benchmark's reference): every transformer layer is trained, the vocabulary
  embedding matrix (96 M of e5-small's 118 M parameters) frozen; every step runs the whole model
  forwards and backwards. About 80 minutes for 3,000 reviews on 2 busy CPU cores.
* **top layers** (``freeze_layers`` > 0, what the job does by default: ``FAST``): the lower layers are
  frozen, their output is computed once per text and kept (``insight.sentiment.finetune_layers``), and
  each step runs only the upper layers. Same held-out accuracy, several times faster (BENCHMARKS.md).

Training (``insight.sentiment.finetune_loop``): class-weighted cross-entropy (neutral is rare), AdamW,
linear warm-up then decay, inputs truncated to ``max_length`` tokens. The head starts from a logistic
regression on the frozen embeddings (``fit_head``), so early steps do not push the encoder with a random
head's gradients. A share of the labels (10 %) is held out of training to fit the head's temperature
(the same calibration as the adapted head) and to report validation accuracy and macro-F1.
Saving and loading: ``insight.sentiment.finetune_saved``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import numpy as np

from insight.progress import ProgressFn, scale, silent
from insight.sentiment.evaluate import accuracy, macro_f1
from insight.sentiment.finetune_loop import pool as _pool  # noqa: F401  (re-exported for callers and tests)
from insight.sentiment.finetune_loop import train_loop
from insight.sentiment.finetune_saved import (  # noqa: F401  (re-exported: the model object and its files)
    FinetunedSentiment,
    frozen_names,
    load_finetuned,
    model_root,
    save,
)
from insight.sentiment.head import SentimentHead, _fit_temperature, fit_head, label_index
from insight.sentiment.lexicon import LABELS
from insight.sentiment.model import ENCODER, score_vectors

MIN_LABELLED = 200  # as the sentiment job: fewer rated reviews cannot show a model is better


@dataclass
class FinetuneSettings:
    """Hyper-parameters of one fine-tuning run (recorded with the model)."""

    epochs: float = 1.0
    lr: float = 3e-5
    head_lr: float = 1e-3
    batch_size: int = 16
    max_length: int = 128
    weight_decay: float = 0.01
    warmup: float = 0.06
    freeze_embeddings: bool = True
    freeze_layers: int = 0  # lowest transformer layers kept frozen; > 0 computes their output once per text
    calibration_share: float = 0.1
    max_steps: int | None = None  # stop early after this many optimiser steps (tests, quick trials)
    seed: int = 0


# The job's default: the top two of twelve layers trained on cached lower-layer output (BENCHMARKS.md).
FAST = {"freeze_layers": 10, "epochs": 2.0, "lr": 1e-4}


def finetune(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    settings: FinetuneSettings | None = None,
    base_vectors: np.ndarray | None = None,
    device: str = "auto",
    progress: ProgressFn = silent,
) -> FinetunedSentiment:
    """Fine-tune multilingual-e5-small and a 3-class head on labelled texts; returns the model in memory.

    ``labels`` are negative / neutral / positive (binary data: negative / positive). ``base_vectors``
    are the frozen encoder's embeddings of ``texts`` if already at hand (they seed the head); else they
    are computed. ``progress`` is called after every batch, so a job runner that raises from it
    (``JobCancelled``) cancels between batches. Call ``save`` to keep the model.
    """
    import torch

    from insight.device import resolve_device
    from insight.encode.hf import HFEncoder
    from insight.encode.models import MODELS

    s = settings or FinetuneSettings()
    texts = [str(t) if t is not None else "" for t in texts]
    y_all = label_index(labels)
    if len(texts) != len(y_all) or len(texts) < 10:
        raise ValueError("need at least 10 labelled texts, one label per text")
    device = resolve_device(device)
    started = time.perf_counter()
    rng = np.random.default_rng(s.seed)
    torch.manual_seed(s.seed)
    order = rng.permutation(len(texts))
    n_cal = max(1, int(round(len(texts) * s.calibration_share)))
    cal, train = order[:n_cal], order[n_cal:]

    # The model as the encoder loads it (on the CPU first: HFEncoder casts to fp16 on CUDA; training keeps fp32).
    encoder = HFEncoder(MODELS[ENCODER], "cpu")
    encoder.device = device
    model = encoder.model.to(device).float()
    if base_vectors is None:
        base_vectors = encoder.encode([texts[i] for i in train], progress=scale(progress, 0.0, 0.1))
    else:
        base_vectors = np.asarray(base_vectors, dtype=np.float32)[train]
    init = fit_head(base_vectors, np.asarray(LABELS)[y_all[train]], l2=1e-4, seed=s.seed)
    frozen = set(frozen_names(model, asdict(s)))
    for name, p in model.named_parameters():
        p.requires_grad_(name not in frozen)
    trainable = [p for p in model.parameters() if p.requires_grad]
    head = torch.nn.Linear(model.config.hidden_size, 3).to(device)
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(init.weights.T.astype(np.float32)))
        head.bias.copy_(torch.from_numpy(init.bias.astype(np.float32)))
    counts = np.bincount(y_all[train], minlength=3).astype(np.float32)
    class_weight = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / (counts > 0).sum(), 0.0)

    ids = encoder.tokenizer(
        [encoder.spec.prefix + t for t in texts],
        truncation=True,
        max_length=s.max_length,
        padding=False,
        return_attention_mask=False,
    )["input_ids"]
    split = min(s.freeze_layers, model.config.num_hidden_layers - 1)
    forward, lower = _forward(encoder, ids, train, cal, split, device, scale(progress, 0.1, 0.3 if split else 0.1))
    model.train()
    record = train_loop(
        forward,
        trainable,
        head,
        torch.from_numpy(y_all[train]),
        np.array([len(ids[i]) for i in train]),
        settings=s,
        class_weight=class_weight,
        device=device,
        rng=rng,
        progress=scale(progress, 0.3 if split else 0.1, 0.95),
    )
    model.eval()
    version = f"finetuned-{datetime.now():%Y%m%d-%H%M}-{uuid.uuid4().hex[:4]}"
    weights = head.weight.detach().float().cpu().numpy().T.copy()
    result = FinetunedSentiment(
        encoder, SentimentHead(weights, head.bias.detach().float().cpu().numpy().copy(), 1.0, ENCODER), version
    )
    # Texts cut at max_length keep their truncated lower states out: scoring them runs the whole encoder.
    full = encoder.spec.max_length
    result.lower = {texts[i]: lower[i] for i in lower if len(ids[i]) < s.max_length or s.max_length >= full}
    result.split = split
    cal_vectors = result.encode([texts[i] for i in cal], progress=scale(progress, 0.95, 1.0))
    result.head.temperature = _fit_temperature(result.head, cal_vectors, y_all[cal])
    predicted = score_vectors(result.head, cal_vectors)["label"].to_numpy()
    truth = np.asarray(LABELS)[y_all[cal]]
    result.info = {
        "version": version,
        "base": ENCODER,
        "settings": asdict(s),
        "device": device,
        "precision": record["precision"],
        "trained_on": {"texts": int(len(train)), **{LABELS[k]: int(counts[k]) for k in range(3)}},
        "calibration": {
            "texts": int(len(cal)),
            "temperature": round(result.head.temperature, 4),
            "accuracy": round(accuracy(truth, predicted), 4),
            "macro_f1": round(macro_f1(truth, predicted), 4),
        },
        "steps": record["steps"],
        "final_loss": record["final_loss"],
        "train_seconds": round(time.perf_counter() - started, 1),
        "loop_seconds": round(record["seconds"], 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    result.head.info = {"version": version, "finetuned": True}
    progress(1.0, f"fine-tuned in {result.info['seconds']:.0f} s")
    return result


def _forward(encoder, ids, train, cal, split: int, device: str, progress: ProgressFn):
    """The training step's forward pass over rows of ``train``, and the kept lower states (index -> tensor)."""
    from insight.sentiment.finetune_layers import lower_states, upper_pooled
    from insight.sentiment.finetune_loop import pool

    model = encoder.model
    if split:
        rows = np.concatenate([train, cal])
        states = lower_states(model, [ids[i] for i in rows], split, device=device, progress=progress)
        lower = dict(zip(rows.tolist(), states, strict=True))
        return (lambda batch: upper_pooled(model, [lower[train[i]] for i in batch], split, device=device)), lower

    def whole(batch):
        enc = encoder.tokenizer.pad(
            {"input_ids": [ids[train[i]] for i in batch]}, return_tensors="pt", pad_to_multiple_of=8
        )
        enc = {k: v.to(device) for k, v in enc.items()}
        return pool(model(**enc).last_hidden_state, enc["attention_mask"])

    return whole, {}
