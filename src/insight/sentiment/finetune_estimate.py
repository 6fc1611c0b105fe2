"""How long fine-tuning this store will take, said before it starts.

The job's work is counted in *forward units* (one text through the whole encoder, no gradients): the
frozen lower layers once per training text, forward and backward through the trained upper layers per
epoch (``TRAIN_FACTOR`` forward units per text and layer share), and scoring every review afterwards (training
texts through the upper layers only, the others through the whole encoder). The seconds per unit are
*measured on this machine and device*: from the last fine-tuning job that ran here (its seconds over
its units, which carries the machine's real load), else by timing the encoder on a few of the store's
own rated reviews (a second or two once the model is loaded).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import lru_cache

import duckdb

from insight.sentiment.finetune import FAST, MIN_LABELLED
from insight.sentiment.model import ENCODER

# A training step's cost per text in forward units of its layers (forward + backward + optimiser), measured
# on 2 CPU cores: 3.4 for the whole encoder (its backward reaches the embeddings), 2.5 for the upper layers.
TRAIN_FACTOR = {"all": 3.4, "upper": 2.5}
LAYERS = 12
OVERHEAD_S = 15.0  # loading the model, the adapted head, writing the results
PROBE_TEXTS = 32


@dataclass(frozen=True)
class FinetuneEstimate:
    """The expected duration of a fine-tuning job and what it was computed from."""

    seconds: float
    train: int  # rated reviews it trains on
    rated: int
    reviews: int
    unit_seconds: float  # measured seconds per forward unit
    source: str  # where unit_seconds comes from

    def describe(self) -> str:
        """One line for the Jobs page: the duration and how it was measured."""
        minutes = self.seconds / 60
        when = f"about {minutes:.0f} minutes" if minutes >= 1.5 else f"about {max(self.seconds, 1):.0f} seconds"
        return f"{when} for {self.train:,} rated reviews ({self.source})"


def units(train: int, reviews: int, *, freeze_layers: int, epochs: float) -> float:
    """Forward units of one job: lower pass, training epochs, scoring every review."""
    if not freeze_layers:
        return train * (epochs * TRAIN_FACTOR["all"] + 1.0) + max(reviews - train, 0)
    upper = (LAYERS - freeze_layers) / LAYERS
    lower = freeze_layers / LAYERS
    return train * (lower + epochs * TRAIN_FACTOR["upper"] * upper + upper) + max(reviews - train, 0)


def plan(con: duckdb.DuckDBPyConnection, max_train: int | None = 3000) -> dict:
    """How many reviews a fine-tuning job would train on (80 % of rated, at most ``max_train``) and score."""
    from insight.store.sentiment import count_review_texts

    counts = count_review_texts(con)
    train = counts["rated"] - counts["rated"] // 5
    return {"rated": counts["rated"], "reviews": counts["with_text"], "train": min(train, max_train or train)}


def estimate_finetune(
    con: duckdb.DuckDBPyConnection,
    *,
    device: str = "auto",
    freeze_layers: int = FAST["freeze_layers"],
    epochs: float = FAST["epochs"],
    max_train: int | None = 3000,
    probe: bool = True,
) -> FinetuneEstimate | None:
    """The expected duration, or None when the store has too few rated reviews to fine-tune at all."""
    from insight.device import resolve_device

    counts = plan(con, max_train)
    if counts["rated"] < MIN_LABELLED:
        return None
    device = resolve_device(device)
    work = units(counts["train"], counts["reviews"], freeze_layers=freeze_layers, epochs=epochs)
    measured = _from_last_job(con, device)
    if measured is not None:
        unit_s, source = measured, f"measured by the last fine-tuning here on {device}"
    elif probe:
        unit_s, source = probe_unit_seconds(_probe_texts(con), device), f"encoder timed on {device} just now"
    else:
        return None
    return FinetuneEstimate(
        OVERHEAD_S + work * unit_s, counts["train"], counts["rated"], counts["reviews"], unit_s, source
    )


def record(*, train: int, reviews: int, freeze_layers: int, epochs: float, seconds: float, device: str) -> dict:
    """What a finished job stores in its provenance so the next estimate is measured on its own run."""
    work = units(train, reviews, freeze_layers=freeze_layers, epochs=epochs)
    return {"device": device, "units": round(work, 1), "unit_seconds": round(max(seconds - OVERHEAD_S, 1) / work, 5)}


def _from_last_job(con: duckdb.DuckDBPyConnection, device: str) -> float | None:
    from insight.store.jobs import fetch_jobs

    done = fetch_jobs(con, limit=20, kind="sentiment_finetune")
    for value in done.loc[done["status"] == "done", "provenance"]:
        cost = (json.loads(value) if isinstance(value, str) else value or {}).get("cost") or {}
        if cost.get("device") == device and cost.get("unit_seconds"):
            return float(cost["unit_seconds"])
    return None


def _probe_texts(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    from insight.store.sentiment import fetch_review_texts

    texts = fetch_review_texts(con)["text"]
    return tuple(texts.sample(min(PROBE_TEXTS, len(texts)), random_state=0)) if len(texts) else ("",)


@lru_cache(maxsize=8)
def probe_unit_seconds(texts: tuple[str, ...], device: str) -> float:
    """Seconds per text for the encoder's forward pass on these texts, on ``device`` (timed twice, the best)."""
    from insight.encode import get_encoder

    encoder = get_encoder(ENCODER, device)
    encoder.encode(list(texts[:4]))  # warm-up: kernels for the first shapes
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        encoder.encode(list(texts))
        best = min(best, time.perf_counter() - started)
    return best / len(texts)
