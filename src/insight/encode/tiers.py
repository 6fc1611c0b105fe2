"""Which encoder the encode job picks when left on ``auto``: the store's own, sized to its corpus and device.

On a GPU, or for a corpus a CPU encodes within the hour, every text gets the full model. A CPU store
of :data:`FAST_FROM` distinct texts or more gets e5's CPU tier (``multilingual-e5-small-fast``,
about 2.5× faster, in the same vector space; its cost in quality is :data:`TIER_NOTES`), so that a
million reviews are analysed in hours rather than a day. A model a person chose by name stays the
store's model until they choose another: auto never overrides it. When the pick changes (a store
grew past the threshold), every text is encoded again under the new pick, so the store keeps one
vector space.
"""

from __future__ import annotations

import duckdb

from insight.encode.models import AUTO, E5, E5_FAST, MODELS, default_model
from insight.store import embeddings, runs

FAST_FROM = 50_000  # distinct texts: ~15 min for the full model on 2 cores (≈ 57 texts/s), ~6 min for the tier
TIER_NOTES = {  # measured by bench/encoder_tiers.py on real reviews in three languages (BENCHMARKS.md)
    E5: "full model: every token up to 512, float32 on a CPU (float16 on a GPU)",
    E5_FAST: (
        "CPU tier of multilingual-e5-small: int8 linear layers, first 128 tokens; ≈2.5× faster on a CPU; vectors "
        "at cosine 0.99 to the full model's; on real reviews sentiment F1 −1 point (English), −0.4 (Chinese), "
        "segments and interest matches as good"
    ),
}


def auto_model(con: duckdb.DuckDBPyConnection, device: str) -> tuple[str, str]:
    """(model, why) for an encode run left on auto, on a resolved ``device`` ("cpu" or "cuda")."""
    run = runs.current_run(con, "encode") or {}
    asked = (run.get("params") or {}).get("model")
    if asked and asked != AUTO and asked in MODELS:
        return asked, f"{asked}, chosen by name in an earlier run"
    configured = default_model()
    if configured != E5:
        return configured, f"{configured}, the configured encoder (INSIGHT_ENCODER)"
    if device != "cpu":
        return E5, f"{E5} on {device}"
    texts = embeddings.count_texts(con)
    if texts >= FAST_FROM:
        why = f"{E5_FAST}: {texts:,} distinct texts on a CPU (the full model is one click away: choose {E5} as Model)"
        return E5_FAST, why
    return E5, f"{E5}: {texts:,} distinct texts"


def describe_auto(con: duckdb.DuckDBPyConnection, device: str) -> str:
    """What an encode run left on auto would use here and what that costs, for the Jobs page before it starts."""
    model, why = auto_model(con, device)
    note = TIER_NOTES.get(model)
    return f"Auto encodes with {why}." + (f" {note[0].upper()}{note[1:]}." if note else "")
