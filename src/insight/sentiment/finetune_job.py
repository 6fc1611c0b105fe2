"""The fine-tuning job: fine-tune the encoder on a store's rated reviews, keep it only if it is better.

Heads on frozen embeddings fall short of the target on Portuguese and Chinese (BENCHMARKS.md); this
job trains the encoder itself (:func:`insight.sentiment.finetune.finetune`), judges it on held-out
ratings against the shipped and the adapted heads, and when it wins scores every review with it as
a new current sentiment run. On the GPU it takes seconds; on two CPU cores minutes per thousand reviews.
"""

from __future__ import annotations

import duckdb
import numpy as np

from insight.progress import ProgressFn, scale, silent
from insight.sentiment.evaluate import accuracy, macro_f1
from insight.sentiment.finetune import MIN_LABELLED, FinetuneSettings, finetune, save
from insight.sentiment.model import ENCODER, score_vectors


def finetune_store(
    con: duckdb.DuckDBPyConnection,
    *,
    epochs: float = 1.0,
    lr: float = 3e-5,
    max_train: int | None = 3000,
    freeze_layers: int = 0,
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
    new current ``sentiment`` run holds its scores.
    """
    from insight.encode.job import encode_reviews
    from insight.sentiment.head import fit_adapted_head
    from insight.sentiment.model import default_head, labels_from_ratings
    from insight.store import embeddings, runs, sentiment
    from insight.store.db import data_version, transaction

    if keep not in (True, False, "auto"):
        raise ValueError("keep must be true, false or auto")
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
        settings=FinetuneSettings(epochs=epochs, lr=lr, freeze_layers=freeze_layers, seed=seed),
        base_vectors=vectors[train],
        device=device,
        progress=scale(progress, 0.12, 0.75),
    )
    held_texts = frame["text"].to_numpy()[test].tolist()
    tuned = model.score(held_texts, progress=scale(progress, 0.75, 0.8))["label"]
    metrics = {
        "held_out_reviews": int(len(test)),
        "default_macro_f1": round(macro_f1(y[test], score_vectors(default_head(), vectors[test])["label"]), 4),
        "adapted_macro_f1": round(macro_f1(y[test], score_vectors(adapted, vectors[test])["label"]), 4),
        "finetuned_macro_f1": round(macro_f1(y[test], tuned), 4),
        "finetuned_accuracy": round(accuracy(y[test], tuned), 4),
        "calibration": model.info["calibration"],
    }
    result = {
        "model": ENCODER,
        "metrics": metrics,
        "seed": seed,
        "train_seconds": model.info["train_seconds"],
        "device": model.info["device"],
        "data_version": data_version(con),
    }
    best_other = max(metrics["default_macro_f1"], metrics["adapted_macro_f1"])
    if keep is False or (keep == "auto" and metrics["finetuned_macro_f1"] <= best_other):
        why = "keep off" if keep is False else f"macro-F1 {metrics['finetuned_macro_f1']:.3f} ≤ {best_other:.3f}"
        progress(1.0, "done")
        return {**result, "message": f"fine-tuned model not kept ({why}); sentiment scores unchanged", "kept": False}
    path = save(model, extra={"store_metrics": metrics})
    scores = model.score(frame["text"].tolist(), progress=scale(progress, 0.8, 0.97))
    scores = scores.assign(review_id=frame["review_id"].to_numpy(), method=model.version)
    with runs.new_run(
        con,
        kind="sentiment",
        job_id=job_id,
        model=f"{ENCODER} fine-tuned ({model.version})",
        params={"finetune": True, "epochs": epochs, "lr": lr, "max_train": max_train, "device": device},
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
    return {
        **result,
        "message": f"fine-tuned {model.version} (held-out macro-F1 {metrics['finetuned_macro_f1']:.3f} vs "
        f"{best_other:.3f}); scored {len(scores):,} reviews "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))})",
        "kept": True,
        "run_id": run_id,
        "head": model.version,
        "path": str(path),
    }
