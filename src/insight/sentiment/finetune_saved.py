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
from pathlib import Path
from typing import TYPE_CHECKING

from insight.sentiment.head import SentimentHead

if TYPE_CHECKING:
    from insight.sentiment.finetune import FinetunedSentiment

FOLDER = "sentiment-finetuned"


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
    from insight.encode._hf import HFEncoder
    from insight.encode.e5_convert import MARKER
    from insight.encode.models import MODELS
    from insight.sentiment.finetune import FinetunedSentiment

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
