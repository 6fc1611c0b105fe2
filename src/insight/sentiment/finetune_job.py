"""The fine-tuning job: fine-tune the encoder on a store's rated reviews, keep it only if it is better.

Heads on frozen embeddings fall short of the fine-tuned encoder (BENCHMARKS.md); this job trains the
encoder itself (:func:`insight.sentiment.finetune.finetune`), judges it on held-out ratings against the
shipped and the adapted heads, and when it wins scores every review with it as a new current sentiment
run. By default it trains the top layers on cached lower-layer output (``FAST``), which matches training
every layer on held-out accuracy at a fraction of the time: minutes for 3,000 reviews on 2 CPU cores,
seconds on a GPU. ``fast=False`` trains every layer as before. The frozen encoder's vectors the store
already holds are reused (only texts without one are encoded), and training texts are scored through
the upper layers only. The job records its measured cost, which the next estimate
(:mod:`insight.sentiment.finetune_estimate`) uses.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight.job_params import FinetuneParams
from insight.progress import ProgressFn, scale, silent
from insight.sentiment.evaluate import accuracy, macro_f1
from insight.sentiment.finetune import FAST, MIN_LABELLED, FinetuneSettings, finetune, save
from insight.sentiment.model import ENCODER, score_reviews

FULL = {"freeze_layers": 0, "epochs": 1.0, "lr": 3e-5}  # every layer trained: the benchmark's reference


def finetune_store(
    con: duckdb.DuckDBPyConnection,
    *,
    fast: bool = True,
    epochs: float | None = None,
    lr: float | None = None,
    max_train: int | None = FinetuneParams.max_train,
    freeze_layers: int | None = None,
    keep: bool | str = "auto",
    device: str = "auto",
    seed: int = 0,
    job_id: str | None = None,
    progress: ProgressFn = silent,
) -> dict:
    """Fine-tune the encoder on the store's rated reviews and, when it is better, score every review with it.

    80 % of rated reviews (at most ``max_train``) train it, the other 20 % judge it against the shipped
    head and an adapted head fitted on the same 80 % (both on the frozen embeddings). With ``keep="auto"``
    the model is kept only if its held-out macro-F1 beats both; ``True`` keeps it regardless, ``False``
    only reports. A kept model is saved under the model cache, recorded in ``sentiment_models``, and a
    new current ``sentiment`` run holds its scores. ``epochs``, ``lr`` and ``freeze_layers`` default to
    ``FAST`` (``fast=True``) or to training every layer for one epoch at 3e-5 (``fast=False``).
    """
    import time

    from insight.encode.job import encode_reviews
    from insight.sentiment.finetune_estimate import record
    from insight.sentiment.head import fit_adapted_head
    from insight.sentiment.model import default_head, labels_from_ratings
    from insight.store import embeddings, runs, sentiment
    from insight.store.db import data_version, transaction

    if keep not in (True, False, "auto"):
        raise ValueError("keep must be true, false or auto")
    started = time.perf_counter()
    given = {"freeze_layers": freeze_layers, "epochs": epochs, "lr": lr}
    chosen = {**(FAST if fast else FULL), **{k: v for k, v in given.items() if v is not None}}
    encode_reviews(con, model=ENCODER, device=device, progress=scale(progress, 0.0, 0.1))
    frame, vectors = embeddings.fetch_review_vectors(con, ENCODER)
    texts = sentiment.fetch_review_texts(con)
    frame = frame.merge(texts, on="review_id", how="left")
    labels = labels_from_ratings(frame["rating"], frame["label"])
    labelled = np.flatnonzero(labels.notna().to_numpy())
    if len(labelled) < MIN_LABELLED:
        raise ValueError(f"only {len(labelled)} rated reviews; fine-tuning needs at least {MIN_LABELLED}")
    idx = np.random.default_rng(seed).permutation(labelled)
    test, train = idx[: len(idx) // 5], idx[len(idx) // 5 :]
    if max_train:
        train = train[:max_train]
    y = labels.to_numpy()
    adapted, _ = fit_adapted_head(vectors[train], y[train], prior=default_head(), seed=seed)
    progress(0.12, f"fine-tuning on {len(train):,} rated reviews")
    model = finetune(
        frame["text"].to_numpy()[train].tolist(),
        y[train],
        settings=FinetuneSettings(**chosen, seed=seed),
        base_vectors=vectors[train],
        device=device,
        progress=scale(progress, 0.12, 0.75),
    )
    held_texts = frame["text"].to_numpy()[test].tolist()
    tuned_scores = model.score(held_texts, progress=scale(progress, 0.75, 0.8))
    tuned = tuned_scores["label"]
    held_out, held_vectors = frame.iloc[test], vectors[test]
    metrics = {
        "held_out_reviews": int(len(test)),
        "default_macro_f1": round(macro_f1(y[test], score_reviews(default_head(), held_vectors, held_out)["label"]), 4),
        "adapted_macro_f1": round(macro_f1(y[test], score_reviews(adapted, held_vectors, held_out)["label"]), 4),
        "finetuned_macro_f1": round(macro_f1(y[test], tuned), 4),
        "finetuned_accuracy": round(accuracy(y[test], tuned), 4),
        "calibration": model.info["calibration"],
    }
    result = {
        "model": ENCODER,
        "metrics": metrics,
        "seed": seed,
        "train_seconds": model.info["train_seconds"],
        "settings": chosen,
        "device": model.info["device"],
        "data_version": data_version(con),
    }
    best_other = max(metrics["default_macro_f1"], metrics["adapted_macro_f1"])
    if keep is False or (keep == "auto" and metrics["finetuned_macro_f1"] <= best_other):
        why = "keep off" if keep is False else f"macro-F1 {metrics['finetuned_macro_f1']:.3f} ≤ {best_other:.3f}"
        progress(1.0, "done")
        seconds, scored = time.perf_counter() - started, len(train) + len(test)
        cost = record(train=len(train), reviews=scored, seconds=seconds, device=model.info["device"], **_work(chosen))
        message = f"fine-tuned model not kept ({why}); sentiment scores unchanged"
        return {**result, "message": message, "kept": False, "cost": cost}
    path = save(model, extra={"store_metrics": metrics})
    rest = np.setdiff1d(np.arange(len(frame)), test)  # the held-out reviews are scored already
    scores = pd.concat(
        [tuned_scores, model.score(frame["text"].to_numpy()[rest].tolist(), progress=scale(progress, 0.8, 0.97))]
    )
    model.release()
    scores = scores.assign(review_id=frame["review_id"].to_numpy()[np.concatenate([test, rest])], method=model.version)
    with runs.new_run(
        con,
        kind="sentiment",
        job_id=job_id,
        model=f"{ENCODER} fine-tuned ({model.version})",
        params={"finetune": True, **chosen, "max_train": max_train, "device": device},
        seed=seed,
    ) as run_id:
        sentiment.insert_scores(con, run_id, scores)
    with transaction(con):
        sentiment.insert_model(
            con,
            version=model.version,
            encoder=f"{ENCODER} fine-tuned",
            head=model.head.to_bytes(),
            trained_on={"rated_reviews": int(len(train)), **model.info["trained_on"], "path": str(path)},
            metrics={**metrics, "settings": model.info["settings"]},
        )
    counts = scores["label"].value_counts().to_dict()
    progress(1.0, "done")
    seconds = time.perf_counter() - started
    cost = record(train=len(train), reviews=len(frame), seconds=seconds, device=model.info["device"], **_work(chosen))
    return {
        **result,
        "cost": cost,
        "message": f"fine-tuned {model.version} (held-out macro-F1 {metrics['finetuned_macro_f1']:.3f} vs "
        f"{best_other:.3f}); scored {len(scores):,} reviews "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))})",
        "kept": True,
        "run_id": run_id,
        "head": model.version,
        "path": str(path),
    }


def _work(chosen: dict) -> dict:
    return {"freeze_layers": int(chosen["freeze_layers"]), "epochs": float(chosen["epochs"])}
