"""Where fine-tuned sentiment models live, and writing and reading them.

Not in the store: under the model cache, ``INSIGHT_MODEL_CACHE/sentiment-finetuned/<version>/`` (the
same folder the converted base encoder lives in), holding

* ``trained.safetensors`` — only the tensors training changed, fp32 (about 87 MB when every layer was
  trained with the vocabulary frozen; a few MB when only the top layers were): the frozen ones are read
  from the converted base folder, whose conversion marker is recorded and checked on load, so a changed
  base refuses to load rather than scoring silently wrong;
* ``head.npz`` — the calibrated ``SentimentHead``;
* ``finetune.json`` — version, base model and its conversion marker, settings, training counts per
  class, validation metrics, timings and device.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from insight.progress import ProgressFn, silent
from insight.sentiment.head import SentimentHead
from insight.sentiment.model import score_vectors

FOLDER = "sentiment-finetuned"


@dataclass
class FinetunedSentiment:
    """A fine-tuned encoder (an ``HFEncoder``) and its calibrated head; ``path`` is set once saved.

    Right after top-layer training it still holds the frozen layers' output for its training and
    calibration texts (``lower``), so scoring those costs only the upper layers; ``release`` drops it.
    """

    encoder: object
    head: SentimentHead
    version: str
    info: dict = field(default_factory=dict)
    path: Path | None = None
    lower: dict = field(default_factory=dict, repr=False)  # text -> (tokens, hidden) states, untruncated only
    split: int = 0

    def encode(self, texts: Sequence[str], *, progress: ProgressFn = silent) -> np.ndarray:
        """L2-normalised embeddings of the fine-tuned encoder, (n, 384) float32."""
        from insight.sentiment.finetune_layers import encode_split

        texts = [str(t) if t is not None else "" for t in texts]
        cached = np.array([t in self.lower for t in texts], dtype=bool)
        out = np.empty((len(texts), self.encoder.dim), dtype=np.float32)
        if cached.any():
            states = [self.lower[t] for t, c in zip(texts, cached, strict=True) if c]
            out[cached] = encode_split(self.encoder.model, states, self.split, device=self.encoder.device)
        if (~cached).any():
            rest = [t for t, c in zip(texts, cached, strict=True) if not c]
            out[~cached] = self.encoder.encode(rest, progress=progress)
        return out

    def score(self, texts: Sequence[str], *, progress: ProgressFn = silent) -> pd.DataFrame:
        """Label, score and the three probabilities per text, as ``score_vectors`` gives them."""
        return score_vectors(self.head, self.encode(texts, progress=progress))

    def release(self) -> None:
        """Drop the kept lower-layer output (memory); scoring then runs the whole encoder."""
        self.lower = {}


def model_root(cache_dir: str | Path | None = None) -> Path:
    """Folder holding every fine-tuned version: ``INSIGHT_MODEL_CACHE/sentiment-finetuned``."""
    from insight.encode.e5_convert import default_cache_dir

    return (Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()) / FOLDER


def frozen_names(model, settings: dict) -> list[str]:
    """Parameters that fine-tuning with these settings leaves as they are."""
    names = []
    for name, _ in model.named_parameters():
        if settings["freeze_embeddings"] and name.startswith("embeddings.word_embeddings"):
            names.append(name)
        if settings["freeze_layers"] > 0 and name.startswith("embeddings."):
            names.append(name)
        if name.startswith("encoder.layer.") and int(name.split(".")[2]) < settings["freeze_layers"]:
            names.append(name)
        if name.startswith("pooler."):  # unused by mean pooling
            names.append(name)
    return names


def trained_names(model, settings: dict) -> list[str]:
    """Parameters that fine-tuning with these settings changes (what ``save`` writes)."""
    frozen = set(frozen_names(model, settings))
    return [n for n, _ in model.named_parameters() if n not in frozen]


def save(model: FinetunedSentiment, cache_dir: str | Path | None = None, *, extra: dict | None = None) -> Path:
    """Write the trained tensors, the head and the record under the model cache; returns the folder."""
    from safetensors.torch import save_file

    from insight.encode.e5_convert import MARKER

    root = model_root(cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    folder = root / model.version
    tmp = root / f".{model.version}.tmp-{uuid.uuid4().hex[:6]}"
    tmp.mkdir()
    trained = trained_names(model.encoder.model, model.info["settings"])
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
    from insight.encode.e5_convert import MARKER
    from insight.encode.hf import HFEncoder
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
