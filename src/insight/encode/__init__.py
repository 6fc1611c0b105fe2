"""Text encoding with transformer models shipped in PyPI packages (no hub downloads)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from insight.encode.models import MODELS, default_model, spec
from insight.encode.tiers import TIER_NOTES, auto_model, describe_auto
from insight.progress import ProgressFn, silent

__all__ = ["MODELS", "TIER_NOTES", "auto_model", "describe_auto", "encode_texts", "get_encoder", "warm_encoder"]

_loaded: dict[tuple[str, str], object] = {}
_lock = threading.Lock()


def get_encoder(model: str | None = None, device: str = "auto"):
    """A loaded encoder, kept for the life of the process (loading takes seconds)."""
    from insight.device import resolve_device
    from insight.encode.hf import HFEncoder

    key = (spec(model).name, resolve_device(device))
    with _lock:
        if key not in _loaded:
            _loaded[key] = HFEncoder(MODELS[key[0]], key[1])
        return _loaded[key]


def warm_encoder(model: str | None = None, device: str = "auto") -> threading.Thread:
    """Start loading an encoder in a background thread, so whoever asks for it next waits less or not at all.

    Loading takes seconds (importing transformers, reading the weights) that a caller can spend on
    other work: a page typing its first interest, a job reading its data. Later :func:`get_encoder`
    calls for the same model wait for this load instead of starting their own.
    """
    name = model or default_model()
    thread = threading.Thread(target=get_encoder, args=(name, device), name=f"warm-{name}", daemon=True)
    thread.start()
    return thread


def encode_texts(
    texts: Sequence[str],
    *,
    model: str | None = None,
    device: str = "auto",
    batch_size: int | None = None,
    progress: ProgressFn = silent,
) -> np.ndarray:
    """Embed texts: float32 array of shape (len(texts), 384), each row L2-normalised.

    ``model`` is ``"all-MiniLM-L6-v2"`` (English) or ``"multilingual-e5-small"`` (any language, one
    shared space); None means the configured default (``INSIGHT_ENCODER``, else e5). ``device`` is
    ``auto`` (CUDA with fp16 when present), ``cpu`` or ``cuda``.
    """
    return get_encoder(model or default_model(), device).encode(list(texts), batch_size=batch_size, progress=progress)
