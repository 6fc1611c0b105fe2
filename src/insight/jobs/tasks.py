"""The registry of job kinds: what each runs, and on which device it will run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from insight.progress import ProgressFn


class JobError(Exception):
    """A job refused or failed for a reason worth showing as it is (a bad parameter, missing input)."""


@dataclass
class JobContext:
    """What a running job gets: its own connection, its id, its parameters and a progress callback."""

    con: duckdb.DuckDBPyConnection
    job_id: str
    params: dict
    progress: ProgressFn


@dataclass(frozen=True)
class Task:
    """One job kind."""

    run: Callable[[JobContext], dict]
    device: Callable[[dict], str]
    help: str


def _model_device(params: dict) -> str:
    from insight.device import resolve_device

    try:
        return resolve_device(params.get("device", "auto"))
    except ValueError:
        return str(params.get("device"))


def _call(function: Callable, ctx: JobContext, allowed: set[str]) -> dict:
    """Run a job function with the job's parameters, turning bad parameters into a plain reason."""
    unknown = set(ctx.params) - allowed
    if unknown:
        raise JobError(f"unknown parameter(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")
    try:
        return function(ctx.con, job_id=ctx.job_id, progress=ctx.progress, **ctx.params)
    except ValueError as exc:
        raise JobError(str(exc)) from exc


def _encode(ctx: JobContext) -> dict:
    from insight.encode.job import encode_store

    return _call(encode_store, ctx, {"model", "device", "batch_size"})


def _sentiment(ctx: JobContext) -> dict:
    from insight.sentiment.job import score_store

    return _call(score_store, ctx, {"adapt", "device", "seed"})


def _sentiment_finetune(ctx: JobContext) -> dict:
    from insight.sentiment.finetune_job import finetune_store

    allowed = {"fast", "epochs", "lr", "max_train", "freeze_layers", "keep", "device", "seed"}
    return _call(finetune_store, ctx, allowed)


def _keywords(ctx: JobContext) -> dict:
    from insight.keywords.job import extract_store

    return _call(extract_store, ctx, {"freq", "top_n", "min_df"})


def _segments(ctx: JobContext) -> dict:
    from insight.cluster.job import segment_store

    allowed = {"model", "half_life_days", "min_cluster_size", "outlier_budget", "n_resamples", "selection", "seed"}
    allowed.add("device")
    return _call(segment_store, ctx, allowed)


def _topics(ctx: JobContext) -> dict:
    from insight.cluster.topics import topics_store

    return _call(topics_store, ctx, {"model", "min_cluster_size", "outlier_budget", "n_resamples", "seed", "device"})


def _campaign_sim(ctx: JobContext) -> dict:
    from insight.targeting.simulate import simulate_store

    allowed = {"budget", "exploration_levels", "logging_exploration", "repeats", "seed"}
    return _call(simulate_store, ctx, allowed)


def _recommend_eval(ctx: JobContext) -> dict:
    from insight.recommendations.job import evaluate_store

    return _call(evaluate_store, ctx, {"split_date", "k", "exploration_levels", "policy", "seed"})


TASKS: dict[str, Task] = {
    "encode": Task(_encode, _model_device, "embed item texts, reviews and search queries not embedded yet"),
    "sentiment": Task(_sentiment, _model_device, "score every review (adapting to the store's ratings)"),
    "sentiment_finetune": Task(
        _sentiment_finetune, _model_device, "fine-tune the encoder's top layers on this store's ratings (GPU: seconds)"
    ),
    "keywords": Task(_keywords, lambda params: "cpu", "keywords per category and sentiment, trends and bursts"),
    "segments": Task(_segments, _model_device, "interest profiles for every user, segments with stable ids"),
    "topics": Task(_topics, _model_device, "what reviews talk about: topics of every review, with stable ids"),
    "campaign_sim": Task(
        _campaign_sim, lambda params: "cpu", "campaigns over segments: bandit vs baselines, off-policy estimates"
    ),
    "recommend_eval": Task(
        _recommend_eval, lambda params: "cpu", "recommendations vs popularity and ALS on a time split, per exploration"
    ),
}
