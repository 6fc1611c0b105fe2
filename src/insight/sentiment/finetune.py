"""Fine-tuning multilingual-e5-small on rated reviews: the encoder and a three-class head, trained together.

When a head on frozen embeddings is not enough (it separates the rare 3-star "neutral" class poorly),
the encoder itself is trained on the store's labels: ratings 1–2 negative, 3 neutral, 4–5 positive, or
given labels (binary labels train the same three outputs, neutral weighted 0). The model is the one
``insight.encode._hf.HFEncoder`` loads, with its pooling (mean over the attention mask, L2 norm) and
a linear head on that unit vector, so a fine-tuned model scores through the ordinary encoding path:
``HFEncoder.encode`` then ``SentimentHead.predict_proba``.

Training: class-weighted cross-entropy (neutral is rare), AdamW (encoder 3e-5, head 1e-3, weight decay
0.01, linear warm-up then decay), inputs truncated to 128 tokens, batches of similar token lengths in a
seeded random order, gradient clipping at 1. The head starts from a logistic regression on the frozen
embeddings (``fit_head``), so early steps do not push the encoder with a random head's gradients. The
vocabulary embedding matrix (96 M of e5-small's 118 M parameters) is frozen by default, which keeps CPU
fine-tuning feasible and memory small; ``freeze_layers`` also freezes the lowest transformer layers.
On CUDA the forward and backward passes run under bf16 autocast (fp16 with loss scaling on GPUs
without bf16) with fp32 master weights; on the CPU in fp32 on all cores. A share of the labels
(10 %) is held out of training to fit the head's temperature (``head._fit_temperature``: the same
calibration as the adapted head) and to report validation accuracy and macro-F1.

**Where a fine-tuned model lives.** Not in the store: under the model cache,
``INSIGHT_MODEL_CACHE/sentiment-finetuned/<version>/`` (the same folder the converted base encoder
lives in), holding

* ``trained.safetensors`` — only the tensors training changed, fp32 (about 87 MB with the vocabulary
  frozen; the frozen matrix is read from the converted base folder, whose conversion marker is recorded
  and checked on load, so a changed base refuses to load rather than scoring silently wrong);
* ``head.npz`` — the calibrated ``SentimentHead``;
* ``finetune.json`` — version, base model and its conversion marker, settings, training counts per
  class, validation metrics, timings and device.

:func:`insight.sentiment.finetune_job.finetune_store` also records the version in the store's
``sentiment_models`` table (head, counts, held-out metrics, and the cache path) and writes a
``sentiment`` run scored with it; the store alone cannot rescore with that model if the cache folder
is deleted (``load_finetuned`` then says so).
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from insight.progress import ProgressFn, scale, silent
from insight.sentiment.evaluate import accuracy, macro_f1
from insight.sentiment.head import SentimentHead, _fit_temperature, fit_head, label_index
from insight.sentiment.lexicon import LABELS
from insight.sentiment.model import ENCODER, score_vectors

if TYPE_CHECKING:
    pass

FOLDER = "sentiment-finetuned"
PAD_TO = 8  # as in _hf.py: few distinct batch shapes
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
    freeze_layers: int = 0
    calibration_share: float = 0.1
    max_steps: int | None = None  # stop early after this many optimiser steps (tests, quick trials)
    seed: int = 0


@dataclass
class FinetunedSentiment:
    """A fine-tuned encoder (an ``HFEncoder``) and its calibrated head; ``path`` is set once saved."""

    encoder: object
    head: SentimentHead
    version: str
    info: dict = field(default_factory=dict)
    path: Path | None = None

    def encode(self, texts: Sequence[str], *, progress: ProgressFn = silent) -> np.ndarray:
        """L2-normalised embeddings of the fine-tuned encoder, (n, 384) float32."""
        return self.encoder.encode([str(t) if t is not None else "" for t in texts], progress=progress)

    def score(self, texts: Sequence[str], *, progress: ProgressFn = silent) -> pd.DataFrame:
        """Label, score and the three probabilities per text, as ``score_vectors`` gives them."""
        return score_vectors(self.head, self.encode(texts, progress=progress))


def model_root(cache_dir: str | Path | None = None) -> Path:
    """Folder holding every fine-tuned version: ``INSIGHT_MODEL_CACHE/sentiment-finetuned``."""
    from insight.encode.e5_convert import default_cache_dir

    return (Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()) / FOLDER


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
    from insight.encode._hf import HFEncoder
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
        model.eval()
        base_vectors = encoder.encode([texts[i] for i in train], progress=scale(progress, 0.0, 0.1))
    else:
        base_vectors = np.asarray(base_vectors, dtype=np.float32)[train]
    init = fit_head(base_vectors, np.asarray(LABELS)[y_all[train]], l2=1e-4, seed=s.seed)

    trainable = _freeze(model, s)
    head = torch.nn.Linear(model.config.hidden_size, 3).to(device)
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(init.weights.T.astype(np.float32)))
        head.bias.copy_(torch.from_numpy(init.bias.astype(np.float32)))
    counts = np.bincount(y_all[train], minlength=3).astype(np.float32)
    class_weight = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / (counts > 0).sum(), 0.0)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(class_weight, dtype=torch.float32, device=device))

    ids = encoder.tokenizer(
        [encoder.spec.prefix + texts[i] for i in train],
        truncation=True,
        max_length=s.max_length,
        padding=False,
        return_attention_mask=False,
    )["input_ids"]
    lengths = np.array([len(x) for x in ids])
    y_train = torch.from_numpy(y_all[train])
    per_epoch = math.ceil(len(ids) / s.batch_size)
    total = max(1, int(round(per_epoch * s.epochs)))
    if s.max_steps:
        total = min(total, s.max_steps)
    decay = [p for n, p in trainable if p.ndim > 1]
    no_decay = [p for n, p in trainable if p.ndim <= 1]
    optimiser = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": s.weight_decay, "lr": s.lr},
            {"params": no_decay, "weight_decay": 0.0, "lr": s.lr},
            {"params": list(head.parameters()), "weight_decay": 0.0, "lr": s.head_lr},
        ],
    )
    warm = max(1, int(total * s.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(1, total - warm)))
    )
    amp = _autocast(device)
    scaler = torch.amp.GradScaler("cuda") if amp == torch.float16 else None

    model.train()
    step, losses = 0, []
    train_progress = scale(progress, 0.1, 0.95)
    while step < total:
        for batch in _batches(lengths, s.batch_size, rng):
            if step >= total:
                break
            enc = encoder.tokenizer.pad(
                {"input_ids": [ids[i] for i in batch]}, return_tensors="pt", pad_to_multiple_of=PAD_TO
            )
            enc = {k: v.to(device) for k, v in enc.items()}
            target = y_train[batch].to(device)
            with torch.autocast(device_type=device, dtype=amp, enabled=amp is not None):
                pooled = _pool(model(**enc).last_hidden_state, enc["attention_mask"])
                loss = loss_fn(head(pooled.float()), target)
            optimiser.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(optimiser)
            else:
                loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable] + list(head.parameters()), 1.0)
            if scaler is not None:
                scaler.step(optimiser)
                scaler.update()
            else:
                optimiser.step()
            schedule.step()
            step += 1
            losses.append(float(loss.detach()))
            train_progress(step / total, f"fine-tuning: step {step:,} of {total:,}, loss {np.mean(losses[-20:]):.3f}")
    train_s = time.perf_counter() - started

    model.eval()
    result = FinetunedSentiment(
        encoder=encoder,
        head=SentimentHead(
            head.weight.detach().float().cpu().numpy().T.copy(),
            head.bias.detach().float().cpu().numpy().copy(),
            1.0,
            ENCODER,
        ),
        version=f"finetuned-{datetime.now():%Y%m%d-%H%M}-{uuid.uuid4().hex[:4]}",
    )
    cal_vectors = result.encode([texts[i] for i in cal], progress=scale(progress, 0.95, 1.0))
    result.head.temperature = _fit_temperature(result.head, cal_vectors, y_all[cal])
    predicted = score_vectors(result.head, cal_vectors)["label"].to_numpy()
    truth = np.asarray(LABELS)[y_all[cal]]
    result.info = {
        "version": result.version,
        "base": ENCODER,
        "settings": asdict(s),
        "device": device,
        "precision": str(amp).replace("torch.", "") if amp is not None else "float32",
        "trained_on": {"texts": int(len(train)), **{LABELS[k]: int(counts[k]) for k in range(3)}},
        "calibration": {
            "texts": int(len(cal)),
            "temperature": round(result.head.temperature, 4),
            "accuracy": round(accuracy(truth, predicted), 4),
            "macro_f1": round(macro_f1(truth, predicted), 4),
        },
        "steps": step,
        "final_loss": round(float(np.mean(losses[-20:])), 4),
        "train_seconds": round(train_s, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    result.head.info = {"version": result.version, "finetuned": True}
    progress(1.0, f"fine-tuned in {result.info['seconds']:.0f} s")
    return result


def save(model: FinetunedSentiment, cache_dir: str | Path | None = None, *, extra: dict | None = None) -> Path:
    """Write the trained tensors, the head and the record under the model cache; returns the folder."""
    from safetensors.torch import save_file

    from insight.encode.e5_convert import MARKER

    root = model_root(cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    folder = root / model.version
    tmp = root / f".{model.version}.tmp-{uuid.uuid4().hex[:6]}"
    tmp.mkdir()
    trained = _trained_names(model.encoder.model, model.info["settings"])
    state = {k: v.detach().float().cpu().contiguous() for k, v in model.encoder.model.state_dict().items()}
    save_file({k: state[k] for k in trained}, str(tmp / "trained.safetensors"))
    (tmp / "head.npz").write_bytes(model.head.to_bytes())
    base = json.loads((model.encoder.spec.locate() / MARKER).read_text())
    record = {**model.info, **(extra or {}), "base_conversion": base, "trained_tensors": len(trained)}
    (tmp / "finetune.json").write_text(json.dumps(record, indent=2, default=str))
    tmp.rename(folder)
    model.path, model.info = folder, record
    return folder


_loaded: dict[tuple[str, str], FinetunedSentiment] = {}
_lock = threading.Lock()


def load_finetuned(version: str, *, device: str = "auto", cache_dir: str | Path | None = None) -> FinetunedSentiment:
    """A saved fine-tuned model, loaded once per process.

    The base encoder is loaded as ``HFEncoder`` loads it, then the trained tensors are put over it.
    """
    from safetensors.torch import load_file

    from insight.device import resolve_device
    from insight.encode._hf import HFEncoder
    from insight.encode.e5_convert import MARKER
    from insight.encode.models import MODELS

    folder = model_root(cache_dir) / version
    key = (str(folder), resolve_device(device))
    with _lock:
        if key in _loaded:
            return _loaded[key]
        if not (folder / "finetune.json").exists():
            raise FileNotFoundError(f"fine-tuned sentiment model '{version}' not found at {folder}")
        record = json.loads((folder / "finetune.json").read_text())
        encoder = HFEncoder(MODELS[record["base"]], key[1])
        base = json.loads((encoder.spec.locate() / MARKER).read_text())
        if base.get("source_sha256") != record["base_conversion"].get("source_sha256"):
            raise OSError(f"'{version}' was fine-tuned from a different {record['base']} than the one installed")
        trained = load_file(str(folder / "trained.safetensors"))
        _, unexpected = encoder.model.load_state_dict(trained, strict=False)
        if unexpected:
            raise OSError(f"'{version}' holds tensors the base model does not have: {unexpected[:3]}")
        head = SentimentHead.from_bytes((folder / "head.npz").read_bytes())
        _loaded[key] = FinetunedSentiment(encoder, head, version, record, folder)
        return _loaded[key]


def _freeze(model, s: FinetuneSettings) -> list:
    """Switch off gradients for the frozen parts; returns the trainable (name, parameter) pairs."""
    frozen = set(_frozen_names(model, asdict(s)))
    for name, p in model.named_parameters():
        p.requires_grad_(name not in frozen)
    return [(n, p) for n, p in model.named_parameters() if p.requires_grad]


def _frozen_names(model, settings: dict) -> list[str]:
    names = []
    for name, _ in model.named_parameters():
        if settings["freeze_embeddings"] and name.startswith("embeddings.word_embeddings"):
            names.append(name)
        if settings["freeze_layers"] > 0 and name.startswith("embeddings."):
            names.append(name)
        if name.startswith("encoder.layer."):
            if int(name.split(".")[2]) < settings["freeze_layers"]:
                names.append(name)
        if name.startswith("pooler."):  # unused by mean pooling
            names.append(name)
    return names


def _trained_names(model, settings: dict) -> list[str]:
    frozen = set(_frozen_names(model, settings))
    return [n for n, _ in model.named_parameters() if n not in frozen]


def _pool(hidden, mask):
    """Mean over the attention mask, then L2 norm: the pooling ``HFEncoder.encode`` applies."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled.float(), dim=-1)


def _batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of similar token length (ties broken at random), in a random order."""
    shuffled = rng.permutation(len(lengths))
    order = shuffled[np.argsort(lengths[shuffled], kind="stable")]
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return [chunks[i] for i in rng.permutation(len(chunks))]


def _autocast(device: str):
    """The autocast dtype for training: bf16 on CUDA where supported, else fp16; None on the CPU."""
    import torch

    if device != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
